package visits

import "testing"

// FuzzParseToken: the confirmation link's token parses only when it is
// exactly a visit id, a dot and a 32-digit hex secret. (The watch link
// /w/{id}.{secret} has its own: watches' FuzzWatchLink.)
// Seeds: testdata/fuzz/FuzzParseToken.
func FuzzParseToken(f *testing.F) {
	f.Add("abcdefghij12345.0123456789abcdef0123456789abcdef")
	f.Fuzz(func(t *testing.T, token string) {
		id, secret, ok := ParseToken(token)
		if !ok {
			if id != "" || secret != "" {
				t.Fatalf("ParseToken(%q) refused but returned %q %q", token, id, secret)
			}
			return
		}
		if id+"."+secret != token || len(id) != 15 || len(secret) != 32 {
			t.Fatalf("ParseToken(%q) = %q, %q", token, id, secret)
		}
		for _, c := range id + secret {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
				t.Fatalf("ParseToken(%q) accepted %q", token, c)
			}
		}
	})
}
