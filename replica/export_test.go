package replica

import (
	"encoding/json"
	"time"

	"zoufang/station"
)

// Walks are the two ways a pull can take, for the tests that hold them to
// the same answer.
const (
	StampWalk = walkStamps
	ScopeWalk = walkScope
)

// PullBy is Pull by the walk how.
func (s *Store) PullBy(o *station.Officer, collection string, cp Checkpoint, limit int, now time.Time, how int) ([]string, Checkpoint, bool, error) {
	src, _ := sourceOf(collection)
	recs, err := s.page(src, o, cp, limit+1, now, how)
	if err != nil {
		return nil, cp, false, err
	}
	more := len(recs) > limit
	if more {
		recs = recs[:limit]
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.Id
		cp = Checkpoint{Updated: r.GetString("updated"), ID: r.Id}
	}
	return ids, cp, more, nil
}

// Derived is what the phone derives of a document's field (derive.go).
var Derived = derived

// FormatMillis is a datetime as the phone writes it back.
var FormatMillis = formatMillis

// SplitObject is the compact form's reading of a marshalled document.
var SplitObject = splitObject

// DerivedSearch is a household's search text as the phone derives it
// with the national digits of its phones (a page's hint).
func DerivedSearch(doc map[string]json.RawMessage, hint json.RawMessage) (json.RawMessage, bool) {
	var nationals, phones []string
	if json.Unmarshal(hint, &nationals) != nil || json.Unmarshal(doc["phones"], &phones) != nil || len(nationals) != len(phones) {
		return nil, false
	}
	str := func(k string) string {
		s, _ := asString(doc[k])
		return s
	}
	s, ok := phoneSearch(str("address"), str("head_name"), str("building"), str("unit"), str("room"), phones, nationals)
	if !ok {
		return nil, false
	}
	b, err := json.Marshal(s)
	return b, err == nil
}
