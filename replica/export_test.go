package replica

import (
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
