// Package i18n holds every user-facing string of zoufang in one catalogue,
// keyed by a dotted name, so that another language can be added beside zh-CN.
package i18n

import (
	"fmt"
	"strings"
)

// Lang is the catalogue in use. zoufang speaks Simplified Chinese first.
const Lang = "zh-CN"

// T returns the catalogue entry for key, formatted with args (fmt verbs).
// A missing key returns the key itself, so a slip shows up on screen and in
// TestEveryKeyUsedExists rather than as an empty label.
func T(key string, args ...any) string {
	s, ok := zhCN[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// add merges a feature's part of the catalogue (one file per feature:
// zh_cn_watches.go, …) into it. A key defined twice is a programming error.
func add(part map[string]string) {
	for k, v := range part {
		if _, dup := zhCN[k]; dup {
			panic("i18n: key defined twice: " + k)
		}
		zhCN[k] = v
	}
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	_, ok := zhCN[key]
	return ok
}

// PagePrefixes are the catalogue sections the field app's JavaScript uses;
// the page shell embeds them.
var PagePrefixes = []string{"js.", "field.", "outcome.", "kind.", "time.", "today.", "visit.", "household.", "board.", "watch.", "check.", "patrols.kind.", "patrols.status."}

// Subset returns the entries whose keys start with one of prefixes; the page
// shell hands them to the field app's JavaScript.
func Subset(prefixes ...string) map[string]string {
	out := map[string]string{}
	for k, v := range zhCN {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				out[k] = v
				break
			}
		}
	}
	return out
}
