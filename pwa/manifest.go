package pwa

import (
	"encoding/json"
	"strings"

	"zoufang/i18n"
)

// manifest is the web app manifest: what Chrome needs to offer "install"
// and to start the app standalone on the officer's home screen.
func (a *Assets) manifest() []byte {
	type icon struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose"`
	}
	m := map[string]any{
		"id":               "/",
		"name":             i18n.T("app.name"),
		"short_name":       i18n.T("app.short_name"),
		"description":      i18n.T("app.description"),
		"lang":             i18n.Lang,
		"dir":              "ltr",
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"orientation":      "portrait",
		"background_color": "#f3f5f8",
		"theme_color":      ThemeColor,
		"categories":       []string{"productivity", "government"},
		"icons": []icon{
			{a.URL("icons/icon-192.png"), "192x192", "image/png", "any"},
			{a.URL("icons/icon-512.png"), "512x512", "image/png", "any"},
			{a.URL("icons/maskable-512.png"), "512x512", "image/png", "maskable"},
		},
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return b
}

// ShellPath is the URL of the field app's shell document, the one page the
// service worker keeps for navigations while offline.
const ShellPath = "/shell"

// OfflinePath is the page shown for office screens while offline.
const OfflinePath = "/offline"

// serviceWorker fills the worker template with its version and precache
// list: every hashed asset, the field shell and the offline page.
func (a *Assets) serviceWorker(template []byte, names []string, screens []Screen) []byte {
	precache := []string{ShellPath, OfflinePath}
	for _, n := range names {
		precache = append(precache, a.byName[n])
	}
	list, _ := json.Marshal(precache)
	patterns := make([]string, len(screens))
	for i, sc := range screens {
		patterns[i] = sc.Pattern
	}
	fields, _ := json.Marshal(patterns)
	s := string(template)
	s = strings.Replace(s, `"__VERSION__"`, `"`+a.Version+`"`, 1)
	s = strings.Replace(s, `["__PRECACHE__"]`, string(list), 1)
	s = strings.Replace(s, `["__FIELD_PATHS__"]`, string(fields), 1)
	return []byte(s)
}
