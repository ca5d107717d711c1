package station

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalizePhones: whatever a registry cell or a form holds, phone
// parsing never panics; it either names a known problem or returns E.164
// numbers that parse back to themselves. Seeds: testdata/fuzz/FuzzNormalizePhones.
func FuzzNormalizePhones(f *testing.F) {
	f.Add("138 0013 8000 / 0571-8765 4321")
	known := map[string]bool{PhoneInvalid: true, PhoneNoArea: true, PhoneExtension: true, PhoneTooMany: true}
	f.Fuzz(func(t *testing.T, raw string) {
		phones, code, _ := NormalizePhones([]string{raw})
		if code != "" {
			if !known[code] {
				t.Fatalf("NormalizePhones(%q): unknown problem code %q", raw, code)
			}
			if phones != nil {
				t.Fatalf("NormalizePhones(%q): problem %q with phones %v", raw, code, phones)
			}
			return
		}
		if len(phones) > MaxPhones {
			t.Fatalf("NormalizePhones(%q): %d phones", raw, len(phones))
		}
		for _, p := range phones {
			if !strings.HasPrefix(p, "+") || PhoneDigits(p) != p {
				t.Fatalf("NormalizePhones(%q): %q is not E.164", raw, p)
			}
			if again, problem := NormalizePhone(p); problem != "" || again != p {
				t.Fatalf("NormalizePhone(%q) = %q, %q: E.164 does not parse back to itself", p, again, problem)
			}
			_ = DisplayPhone(p)
			_ = PhoneSearchForms(p)
		}
	})
}

// FuzzCleanText: cleaned text holds no control or override character
// (bar line breaks and tabs in a multi-line field), and cleaning twice
// changes nothing.
func FuzzCleanText(f *testing.F) {
	f.Add("张\x00三\u202e\r\n", true)
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		out := CleanText(s, multiline)
		for _, r := range out {
			if dropped(r) && !(multiline && (r == '\n' || r == '\t')) || r == '\r' || (!multiline && (r == '\n' || r == '\t')) {
				t.Fatalf("CleanText(%q, %v) = %q keeps %U", s, multiline, out, r)
			}
		}
		if again := CleanText(out, multiline); again != out {
			t.Fatalf("CleanText is not idempotent: %q → %q → %q", s, out, again)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("CleanText(%q) broke UTF-8: %q", s, out)
		}
	})
}
