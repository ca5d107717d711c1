package pwa

import (
	"regexp"
	"strings"
)

// Screen is one field screen: an Echo path ("/households/:id") and the
// name of the screen in the shell (data-screen) that draws it.
type Screen struct {
	Path string `json:"-"`
	Name string `json:"name"`
	// Pattern is Path as an anchored regular expression, ":id" capturing a
	// record id; the service worker and js/app.js match URLs with it.
	Pattern string `json:"pattern"`
}

var paramRe = regexp.MustCompile(`:[a-z]+`)

// compileScreens fills each screen's Pattern from its Path.
func compileScreens(screens []Screen) []Screen {
	out := make([]Screen, len(screens))
	for i, s := range screens {
		parts := paramRe.Split(s.Path, -1)
		for j, p := range parts {
			parts[j] = regexp.QuoteMeta(p)
		}
		s.Pattern = "^" + strings.Join(parts, "([a-z0-9]{15})") + "$"
		out[i] = s
	}
	return out
}
