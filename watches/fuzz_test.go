package watches

import (
	"strings"
	"testing"
)

// FuzzWatchLink: the resident's watch link /w/{id}.{secret} parses only
// when its token is exactly a watch id, a dot and a 32-digit hex secret,
// and a refusal returns nothing; every link the server makes parses back
// to its parts. Seeds: testdata/fuzz/FuzzWatchLink.
func FuzzWatchLink(f *testing.F) {
	f.Add("abcdefghij12345.0123456789abcdef0123456789abcdef")
	f.Fuzz(func(t *testing.T, token string) {
		id, secret, ok := ParseLink(token)
		if !ok {
			if id != "" || secret != "" {
				t.Fatalf("ParseLink(%q) refused but returned %q %q", token, id, secret)
			}
			return
		}
		if id+"."+secret != token || len(id) != 15 || len(secret) != 32 {
			t.Fatalf("ParseLink(%q) = %q, %q", token, id, secret)
		}
		for _, c := range id {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
				t.Fatalf("ParseLink(%q) accepted id rune %q", token, c)
			}
		}
		for _, c := range secret {
			if !('a' <= c && c <= 'f' || '0' <= c && c <= '9') {
				t.Fatalf("ParseLink(%q) accepted secret rune %q", token, c)
			}
		}
		back, ok := strings.CutPrefix(SummaryPath(id, secret), "/w/")
		if gotID, gotSecret, ok2 := ParseLink(back); !ok || !ok2 || gotID != id || gotSecret != secret {
			t.Fatalf("the link made of %q, %q parses as %q, %q, %v", id, secret, gotID, gotSecret, ok2)
		}
	})
}
