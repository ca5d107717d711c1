package station

import "testing"

func TestCleanText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in  string
		multiline bool
		want      string
	}{
		{"plain text is kept as it is", "吴牙街3幢1单元301室", false, "吴牙街3幢1单元301室"},
		{"a NUL and an escape are dropped", "a\x00b\x1b[0m", false, "ab[0m"},
		{"C1 controls and DEL are dropped", "a\u0085b\u009bc\x7fd", false, "abcd"},
		{"bidi overrides and isolates are dropped", "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069x", false, "x"},
		{"marks that are not overrides stay", "a\u200eb\u200fc", false, "a\u200eb\u200fc"},
		{"a single-line field turns breaks and tabs into spaces", "张\n三\t丰\r\n", false, "张 三 丰  "},
		{"a multi-line field keeps breaks and tabs", "一\n二\t三", true, "一\n二\t三"},
		{"CRLF and a lone CR become one newline", "一\r\n二\r三", true, "一\n二\n三"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CleanText(tc.in, tc.multiline); got != tc.want {
				t.Fatalf("CleanText(%q, %v) = %q, want %q", tc.in, tc.multiline, got, tc.want)
			}
		})
	}
}
