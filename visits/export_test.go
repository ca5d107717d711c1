package visits

import "context"

// EachVisitBy is EachVisit reading page visits at a time, so that a test
// crosses page boundaries with a handful of visits.
func (s *Store) EachVisitBy(ctx context.Context, q VisitQuery, page int, fn func(ListedVisit) error) error {
	return s.eachVisit(ctx, q, page, fn)
}
