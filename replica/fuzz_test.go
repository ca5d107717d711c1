package replica

import (
	"bytes"
	"errors"
	"testing"

	"zoufang/station"
)

// clearRefusal fails t unless err is a station error a device can show:
// invalid or too large, with a message.
func clearRefusal(t *testing.T, what string, err error) {
	t.Helper()
	var se *station.Error
	if !errors.As(err, &se) || (se.Code != station.EInvalid && se.Code != station.ETooLarge) || se.Message == "" {
		t.Fatalf("%s: %v is not a clear refusal", what, err)
	}
}

// FuzzPush: any push body is either refused whole with a clear error or
// read into items, each of which decodes or is refused on its own with a
// clear error naming what is wrong. Seeds: testdata/fuzz/FuzzPush.
func FuzzPush(f *testing.F) {
	f.Add([]byte(`{"officer":"aaaaaaaaaaaaaaa","households":[{"id":"bbbbbbbbbbbbbbb","op":"create","community":"c","building":"1","phones":["13800138000"]}],"visits":[{"id":"ccccccccccccccc","household":"bbbbbbbbbbbbbbb","visited_at":"2026-12-01T07:00:00Z","outcome":"met"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := ReadEnvelope(bytes.NewReader(body))
		if err != nil {
			clearRefusal(t, "envelope", err)
			return
		}
		for _, raw := range env.Items["households"] {
			if h := decodeHousehold(raw); h.err != nil {
				clearRefusal(t, "household item", h.err)
			} else if h.op != "create" && h.op != "update" {
				t.Fatalf("household decoded with op %q", h.op)
			}
		}
		for _, raw := range env.Items["visits"] {
			if v := decodeVisit(raw); v.err != nil {
				clearRefusal(t, "visit item", v.err)
			}
		}
		for _, raw := range env.Items["holiday_watches"] {
			if _, err := decodeItem(raw); err != nil {
				clearRefusal(t, "watch item", err)
			}
		}
	})
}

// FuzzParseTime: a pushed datetime parses to a time of years 1–9999 or
// is refused.
func FuzzParseTime(f *testing.F) {
	f.Add("2026-12-01 07:00:00.000Z")
	f.Fuzz(func(t *testing.T, s string) {
		if at, ok := ParseTime(s); ok && (at.Year() < 1 || at.Year() > 9999 || at.Location().String() != "UTC") {
			t.Fatalf("ParseTime(%q) = %v", s, at)
		}
	})
}
