package replica

import (
	"encoding/json"
	"strings"
	"time"

	"zoufang/i18n"
	"zoufang/station"
)

// item is one pushed record as it came, decoded only as a JSON object:
// each field is read on its own, so a field of the wrong type is that
// item's field error, never the whole push's.
type item map[string]json.RawMessage

// decodeItem reads raw as an object; anything else is an invalid item.
func decodeItem(raw json.RawMessage) (item, error) {
	var it item
	if err := json.Unmarshal(raw, &it); err != nil || it == nil {
		return nil, station.Errorf(station.EInvalid, "%s", i18n.T("sync.item_not_object"))
	}
	return it, nil
}

// id is the item's client-minted id, "" if it has none a client could
// match its answer by.
func (it item) id() string {
	var s string
	if raw, ok := it["id"]; ok && json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return ""
}

// fields reads each named field into its target, noting a field of the
// wrong type in p (what it should be, in words). Absent fields and null
// leave the target as it is.
func (it item) fields(p station.Problems, targets map[string]any) {
	for name, target := range targets {
		raw, ok := it[name]
		if !ok || string(raw) == "null" {
			continue
		}
		if t, ok := target.(*time.Time); ok {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				p.Add(name, "datetime")
				continue
			}
			at, ok := ParseTime(s)
			if !ok {
				p.Add(name, "datetime")
				continue
			}
			*t = at
			continue
		}
		if err := json.Unmarshal(raw, target); err != nil {
			p.Add(name, "type", kindOf(target))
		}
	}
}

// kindOf names what a field should hold, for its error message.
func kindOf(target any) string {
	switch target.(type) {
	case *string:
		return i18n.T("sync.kind_text")
	case *bool:
		return i18n.T("sync.kind_bool")
	case *int:
		return i18n.T("sync.kind_int")
	case *[]string:
		return i18n.T("sync.kind_list")
	}
	return i18n.T("sync.kind_value")
}

// timeForms are the datetime forms a push accepts: RFC 3339 (what the
// field app sends), and PocketBase's own form, which a client may echo
// from /api/.
var timeForms = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z"}

// ParseTime reads a pushed datetime. The year must have four digits.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, f := range timeForms {
		if t, err := time.Parse(f, s); err == nil && t.Year() >= 1 && t.Year() <= 9999 {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// jsonDepth is how deeply b's arrays and objects nest, counted in one
// pass that skips strings, without parsing: a push of a few megabytes of
// "[[[[…" is refused before the decoder recurses into it.
func jsonDepth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}
