package replica

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FormCols is the pull's compact form (form=cols): a page of columns
// instead of documents, which the field app turns back into the documents
// it stores (pwa/static/js/cols.js). A first pull of a 5,000-household area
// is about a third of its full form's bytes (docs/sync-protocol.md).
const FormCols = "cols"

// ColsAnswer is one page of a pull in the compact form: n documents as
// columns, and the same checkpoint, more and scope as the full form.
type ColsAnswer struct {
	N          int        `json:"n"`
	Cols       []Column   `json:"cols"`
	Checkpoint Checkpoint `json:"checkpoint"`
	More       bool       `json:"more"`
	Scope      string     `json:"scope"`
}

// Column is one field of a page's documents, in one of these shapes:
//
//   - IDs: every document's value is an id ([a-z0-9]{15}), concatenated;
//   - Dict and V: V holds each document's index into Dict;
//   - Time and V: each value is a datetime in the layout Time names ("rfc",
//     Go's RFC 3339; "pb", PocketBase's) as milliseconds since 1970, or
//     relative (Seq: after the previous document's; Rel: before the same
//     document's field Rel), or the string itself where that would not
//     give it back exactly;
//   - Phones and V: a document's E.164 phones as one string, space
//     separated, a Chinese number without its "+86";
//   - S instead of V, for a time or phones column that needs no string of
//     its own: the values joined by commas, a time's number in base 36
//     ("" for a field the document does not have);
//   - Derive and X: the phone derives the field (cols.js); X holds the
//     documents (by index) whose stored value it would not derive, or for
//     a search text made with foreign phones, their national digits;
//   - V alone: the values as they are.
//
// A null value is a field the document does not have.
type Column struct {
	F      string                     `json:"f"`
	IDs    string                     `json:"ids,omitempty"`
	Dict   []json.RawMessage          `json:"dict,omitempty"`
	Time   string                     `json:"time,omitempty"`
	Seq    bool                       `json:"seq,omitempty"`
	Rel    string                     `json:"rel,omitempty"`
	Phones bool                       `json:"phones,omitempty"`
	Derive bool                       `json:"derive,omitempty"`
	X      map[string]json.RawMessage `json:"x,omitempty"`
	V      []json.RawMessage          `json:"v,omitempty"`
	S      *string                    `json:"s,omitempty"`
}

// field is how a collection's field travels in the compact form, where it
// is not the default (ids, a dictionary or the values as they are, chosen
// by what the page holds).
type field struct {
	name   string
	time   string // "rfc" or "pb"
	seq    bool
	rel    string
	phones bool
	derive bool
}

// colsOf are the fields with a shape of their own, per collection, in the
// order they travel (a relative time after its base). Households' display
// address, address key, search text and display phones are derived on the
// phone (derive.go).
var colsOf = map[string][]field{
	"households": {
		{name: "updated", time: "pb", seq: true},
		{name: "last_visited_at", time: "rfc", rel: "updated"},
		{name: "wechat_added_at", time: "rfc", rel: "last_visited_at"},
		{name: "phones", phones: true},
		{name: "address", derive: true},
		{name: "address_key", derive: true},
		{name: "search", derive: true},
		{name: "phones_display", derive: true},
	},
	"visits": {
		{name: "updated", time: "pb", seq: true},
		{name: "received_at", time: "rfc", rel: "updated"},
		{name: "visited_at", time: "rfc", rel: "received_at"},
	},
}

// unsent are the fields the compact form leaves out because nothing on
// the phone reads them: a household's created (its office page shows it)
// would cost a twentieth of the area's first pull.
var unsent = map[string][]string{"households": {"created"}}

// Unsent are the fields of collection the compact form leaves out.
func Unsent(collection string) []string { return unsent[collection] }

// isID reports whether v is a JSON string holding an id ([a-z0-9]{15}).
func isID(v json.RawMessage) bool {
	if len(v) != 17 || v[0] != '"' || v[16] != '"' {
		return false
	}
	for _, c := range v[1:16] {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// timeLayouts are the datetime forms a time column's strings are in.
var timeLayouts = map[string]string{"rfc": time.RFC3339Nano, "pb": "2006-01-02 15:04:05.000Z07:00"}

// Compact turns one page of collection's documents into columns.
func Compact(collection string, docs []any) ([]Column, error) {
	rows := make([]map[string]json.RawMessage, len(docs))
	seen := map[string]bool{}
	var names []string
	for i, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		if rows[i], err = splitObject(b); err != nil {
			return nil, err
		}
		for _, k := range unsent[collection] {
			delete(rows[i], k)
		}
		for k := range rows[i] {
			if !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	special := colsOf[collection]
	// Plain fields first (in name order), then the special ones in their
	// order: a relative time comes after its base, a derived field after
	// what it is derived from.
	slices.Sort(names)
	out := []Column{}
	for _, n := range names {
		if slices.ContainsFunc(special, func(f field) bool { return f.name == n }) {
			continue
		}
		out = append(out, plainColumn(n, rows))
	}
	ms := map[string][]int64{} // a time column's milliseconds, -1 where not a number
	for _, f := range special {
		if !seen[f.name] && !f.derive {
			continue
		}
		switch {
		case f.time != "":
			c, m := timeColumn(f, rows, ms[f.rel])
			ms[f.name] = m
			out = append(out, c)
		case f.phones:
			out = append(out, phonesColumn(f.name, rows))
		case f.derive:
			c, err := derivedColumn(collection, f.name, rows)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

var null = json.RawMessage("null")

// plainColumn is a field as ids, a dictionary or its values.
func plainColumn(name string, rows []map[string]json.RawMessage) Column {
	c := Column{F: name}
	vals := make([]json.RawMessage, len(rows))
	ids := true
	distinct := map[string]int{}
	for i, r := range rows {
		v, ok := r[name]
		if !ok {
			v = null
		}
		vals[i] = v
		if ids && !isID(v) {
			ids = false
		}
		if _, ok := distinct[string(v)]; !ok {
			distinct[string(v)] = len(distinct)
		}
	}
	switch {
	case ids && len(distinct) > len(rows)/2:
		var b strings.Builder
		for _, v := range vals {
			s, _ := asString(v)
			b.WriteString(s)
		}
		c.IDs = b.String()
	case len(distinct) <= len(rows)/2:
		c.Dict = make([]json.RawMessage, len(distinct))
		for k, i := range distinct {
			c.Dict[i] = json.RawMessage(k)
		}
		c.V = make([]json.RawMessage, len(vals))
		for i, v := range vals {
			c.V[i] = json.RawMessage(strconv.Itoa(distinct[string(v)]))
		}
	default:
		c.V = vals
	}
	return c
}

// timeColumn encodes a time field as numbers where the phone gets the
// exact string back from them; base is the milliseconds of f.rel's column.
func timeColumn(f field, rows []map[string]json.RawMessage, base []int64) (Column, []int64) {
	c := Column{F: f.name, Time: f.time, Seq: f.seq, Rel: f.rel, V: make([]json.RawMessage, len(rows))}
	ms := make([]int64, len(rows))
	var prev int64
	for i, r := range rows {
		ms[i] = -1
		v, ok := r[f.name]
		if !ok {
			c.V[i] = null
			continue
		}
		c.V[i] = v
		s, isStr := asString(v)
		if !isStr {
			continue
		}
		m, ok := exactMillis(s, f.time)
		if !ok {
			continue
		}
		switch {
		case f.seq:
			c.V[i] = json.RawMessage(strconv.FormatInt(m-prev, 10))
			prev = m
		case f.rel != "":
			if base == nil || base[i] < 0 {
				continue
			}
			c.V[i] = json.RawMessage(strconv.FormatInt(base[i]-m, 10))
		default:
			c.V[i] = json.RawMessage(strconv.FormatInt(m, 10))
		}
		ms[i] = m
	}
	// Every value a number (or absent): one string of base-36 numbers.
	toks := make([]string, len(rows))
	for i, v := range c.V {
		if string(v) == "null" {
			continue
		}
		x, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return c, ms
		}
		toks[i] = strconv.FormatInt(x, 36)
	}
	joined := strings.Join(toks, ",")
	c.V, c.S = nil, &joined
	return c, ms
}

// exactMillis reads s in the layout as milliseconds since 1970, if the
// phone's formatting of them (cols.js) gives s back.
func exactMillis(s, layout string) (int64, bool) {
	t, err := time.Parse(timeLayouts[layout], s)
	if err != nil {
		return 0, false
	}
	m := t.UnixMilli()
	if m < 0 || t.Year() > 9999 {
		return 0, false
	}
	return m, formatMillis(m, layout) == s
}

// formatMillis is a datetime as the phone writes it back: toISOString,
// with a space for the T ("pb"), or without the trailing zeros of its
// fraction ("rfc", as Go's encoding/json writes a time.Time).
func formatMillis(m int64, layout string) string {
	t := time.UnixMilli(m).UTC()
	if layout == "pb" {
		return t.Format("2006-01-02 15:04:05.000Z")
	}
	return t.Format(time.RFC3339Nano)
}

// phonesColumn writes a document's phones as one string.
func phonesColumn(name string, rows []map[string]json.RawMessage) Column {
	c := Column{F: name, Phones: true, V: make([]json.RawMessage, len(rows))}
	for i, r := range rows {
		v, ok := r[name]
		if !ok {
			c.V[i] = null
			continue
		}
		c.V[i] = v
		var ps []string
		if json.Unmarshal(v, &ps) != nil || ps == nil {
			continue
		}
		short := make([]string, len(ps))
		fits := true
		for j, p := range ps {
			switch {
			case strings.HasPrefix(p, "+86") && len(p) > 3 && allDigits(p[3:]):
				short[j] = p[3:]
			case strings.HasPrefix(p, "+") && len(p) > 1 && allDigits(p[1:]):
				short[j] = p
			default:
				fits = false
			}
		}
		if fits {
			b, _ := json.Marshal(strings.Join(short, " "))
			c.V[i] = b
		}
	}
	// Every document's phones fit: one string.
	toks := make([]string, len(rows))
	for i, v := range c.V {
		s, ok := asString(v)
		if !ok {
			return c
		}
		toks[i] = s
	}
	joined := strings.Join(toks, ",")
	c.V, c.S = nil, &joined
	return c
}

// derivedColumn lists the documents whose stored value of name is not
// what the phone derives from the rest.
func derivedColumn(collection, name string, rows []map[string]json.RawMessage) (Column, error) {
	c := Column{F: name, Derive: true}
	for i, r := range rows {
		v, ok := r[name]
		if !ok {
			return c, fmt.Errorf("compact %s: a document without %s", collection, name)
		}
		if d, ok := derived(collection, name, r); ok && bytes.Equal(d, v) {
			continue
		}
		if c.X == nil {
			c.X = map[string]json.RawMessage{}
		}
		c.X[strconv.Itoa(i)] = v
		if name == "search" {
			if h, ok := searchHint(r); ok {
				c.X[strconv.Itoa(i)] = h
			}
		}
	}
	return c, nil
}

func asString(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		// Nothing escaped: the bytes between the quotes.
		return string(v[1 : len(v)-1]), true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// splitObject is json.Unmarshal of an object into its fields' raw values,
// for what json.Marshal wrote (compact, valid), in one pass: decoding a
// first pull's 5,000 households into maps was half of compacting them.
func splitObject(b []byte) (map[string]json.RawMessage, error) {
	bad := fmt.Errorf("compact: not a JSON object: %.40q", b)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, bad
	}
	out := map[string]json.RawMessage{}
	i, end := 1, len(b)-1
	// skip returns where the value starting at j ends.
	skip := func(j int) int {
		depth, inStr := 0, false
		for ; j < end; j++ {
			c := b[j]
			switch {
			case inStr && c == '\\':
				j++
			case c == '"':
				inStr = !inStr
			case inStr:
			case c == '[' || c == '{':
				depth++
			case c == ']' || c == '}':
				depth--
			case c == ',' && depth == 0:
				return j
			}
		}
		return j
	}
	for i < end {
		if b[i] != '"' {
			return nil, bad
		}
		k := skip(i)
		// The key is a string and ends at its closing quote; the colon
		// after it is the first outside it.
		keyEnd := i + 1
		for ; keyEnd < k && b[keyEnd] != '"'; keyEnd++ {
			if b[keyEnd] == '\\' {
				keyEnd++
			}
		}
		if keyEnd+1 >= k || b[keyEnd+1] != ':' {
			return nil, bad
		}
		key, ok := asString(json.RawMessage(b[i : keyEnd+1]))
		if !ok {
			return nil, bad
		}
		out[key] = json.RawMessage(b[keyEnd+2 : k])
		i = k + 1
	}
	return out, nil
}
