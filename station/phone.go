package station

import (
	"regexp"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/width"
)

// DefaultRegion is where a number without a country code is assumed to be.
const DefaultRegion = "CN"

// Phone problem codes (field.<code> in the catalogue).
const (
	PhoneInvalid   = "phone_invalid"   // not a number anywhere
	PhoneNoArea    = "phone_no_area"   // a fixed line without its area code
	PhoneExtension = "phone_extension" // has an extension we cannot store
	PhoneTooMany   = "phone_too_many"  // more numbers than a household keeps
)

// MaxPhones is how many numbers one household keeps.
const MaxPhones = 5

// PhoneDigits drops the separators people put in a number ("138-0013 8000",
// "(0571)8765"), leaving what a search compares.
func PhoneDigits(s string) string { return junkRe.ReplaceAllString(s, "") }

var (
	extRe   = regexp.MustCompile(`(?i)(转|分机|ext\.?|x|#)\s*\d+\s*$`)
	junkRe  = regexp.MustCompile(`[\s\-‐‑–—.()（）\[\]【】]`)
	digitRe = regexp.MustCompile(`^\+?\d+$`)
	splitRe = regexp.MustCompile(`[,，;；/／、|｜\n\r]+|[\s\x{3000}]{2,}|或`)
)

// NormalizePhone parses one phone number as a resident or a registry writes
// it (mobile or fixed line; with or without +86, 0086, 86 or the trunk 0;
// full-width digits, spaces, dashes, brackets) and returns it in E.164.
// The error is a phone problem code.
func NormalizePhone(raw string) (string, string) {
	s := strings.TrimSpace(width.Narrow.String(raw))
	if s == "" {
		return "", PhoneInvalid
	}
	if extRe.MatchString(s) {
		return "", PhoneExtension
	}
	s = junkRe.ReplaceAllString(s, "")
	if !digitRe.MatchString(s) {
		return "", PhoneInvalid
	}
	switch {
	case strings.HasPrefix(s, "00"):
		s = "+" + s[2:]
	case strings.HasPrefix(s, "86") && len(s) == 13 && s[2] == '1':
		s = "+" + s // 8613800138000: a mobile written with the country code but no +
	}
	if !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "0") && !strings.HasPrefix(s, "1") && len(s) >= 7 && len(s) <= 8 {
		return "", PhoneNoArea // 87654321: a local landline; which city?
	}
	num, err := phonenumbers.Parse(s, DefaultRegion)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", PhoneInvalid
	}
	return phonenumbers.Format(num, phonenumbers.E164), ""
}

// SplitPhones splits a cell that may hold several numbers ("138…/0571-…"):
// commas, semicolons, slashes, bars, 、, 或, new lines and two or more spaces
// (ASCII or full-width) separate numbers; one space is grouping within a
// number ("138 0013 8000").
func SplitPhones(raw string) []string {
	var out []string
	for _, p := range splitRe.Split(strings.TrimSpace(raw), -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// NormalizePhones normalises every number in raws (each may hold several),
// dropping repeats. It returns the first problem code, if any, with the
// offending input.
func NormalizePhones(raws []string) (phones []string, code string, bad string) {
	seen := map[string]bool{}
	for _, raw := range raws {
		for _, p := range SplitPhones(raw) {
			e164, problem := NormalizePhone(p)
			if problem != "" {
				return nil, problem, p
			}
			if !seen[e164] {
				seen[e164] = true
				phones = append(phones, e164)
			}
		}
	}
	if len(phones) > MaxPhones {
		return nil, PhoneTooMany, ""
	}
	return phones, "", ""
}

// DisplayPhone formats an E.164 number for people: national format for
// Chinese numbers (138 0013 8000, 0571 8765 4321), international otherwise.
func DisplayPhone(e164 string) string {
	if d, ok := displayed.Load(e164); ok {
		return d.(string)
	}
	d := e164
	if num, err := phonenumbers.Parse(e164, DefaultRegion); err == nil {
		if phonenumbers.GetRegionCodeForNumber(num) == DefaultRegion {
			d = phonenumbers.Format(num, phonenumbers.NATIONAL)
		} else {
			d = phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
		}
	}
	displayed.Store(e164, d)
	return d
}

// displayed remembers formatted numbers: a full pull formats every
// household's phones, and parsing took a third of its time. The map holds
// at most the station's distinct numbers.
var displayed sync.Map

// PhoneSearchForms are the shapes a phone is found by: its E.164 digits and
// its national digits with the trunk 0 (so "138001", "0571876" and
// "8765 4321" all match).
func PhoneSearchForms(e164 string) []string {
	num, err := phonenumbers.Parse(e164, DefaultRegion)
	if err != nil {
		return []string{strings.TrimPrefix(e164, "+")}
	}
	national := junkRe.ReplaceAllString(phonenumbers.Format(num, phonenumbers.NATIONAL), "")
	return []string{strings.TrimPrefix(e164, "+"), national}
}
