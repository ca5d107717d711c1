package households

import (
	"context"

	"zoufang/station"
)

// What the external tests see of the search index (test binary only).

// IndexReady reports whether s's search index is built, so searches use it.
func (s *Store) IndexReady() bool { return s.index.ready.Load() }

// HoldIndex keeps a finished build from being put in place (and a ready
// index from being read or refreshed) until release is called.
func (s *Store) HoldIndex() (release func()) {
	s.index.mu.Lock()
	return s.index.mu.Unlock
}

// SearchByIndex answers q from the index, waiting for it to be built and
// bringing it up to date first, as Search does once it is ready.
func (s *Store) SearchByIndex(ctx context.Context, o *station.Officer, q Query) ([]string, int, error) {
	if err := s.Warm(ctx); err != nil {
		return nil, 0, err
	}
	return s.matching(ctx, o, q)
}

// SearchBySQL answers q as Search does before the index is ready.
func (s *Store) SearchBySQL(ctx context.Context, o *station.Officer, q Query) ([]string, int, error) {
	return s.searchSQL(ctx, newFilter(o, q))
}

// SearchTerms is how a search's text is split into terms.
func SearchTerms(text string) []string { return searchTerms(text) }
