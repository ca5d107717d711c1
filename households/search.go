package households

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"zoufang/station"
)

// filter is a Query made ready to test households against: its terms,
// its instants as unix ms, its tag as it is quoted in the stored array.
type filter struct {
	o           *station.Officer
	q           Query
	terms       []string
	cut, within int64 // unix ms; 0 none
	tag         string
}

func newFilter(o *station.Officer, q Query) *filter {
	f := &filter{o: o, q: q, terms: searchTerms(q.Text)}
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	if q.NotVisitedDays > 0 {
		f.cut = Since(now, q.NotVisitedDays).UnixMilli()
	}
	if q.VisitedDays > 0 {
		f.within = Since(now, q.VisitedDays).UnixMilli()
	}
	if q.Tag != "" {
		f.tag = `"` + q.Tag + `"`
	}
	return f
}

// keepsPlace reports whether f keeps the households of p as far as their
// community, grid and tags go.
func (f *filter) keepsPlace(p *place) bool {
	q := f.q
	return f.o.CoversCommunity(p.community) &&
		(q.Community == "" || p.community == q.Community) && (q.Grid == "" || p.grid == q.Grid) &&
		(q.Officer == "" || slices.Contains(q.Communities, p.community)) &&
		(f.tag == "" || strings.Contains(p.tags, f.tag))
}

// keeps reports whether f keeps a household of a kept place: archived or
// not, with a WeChat contact or not, last visited at (unix ms, 0 never).
func (f *filter) keeps(archived, wechat bool, lastVisited int64) bool {
	q := f.q
	return archived == q.Archived && (f.cut == 0 || lastVisited < f.cut) &&
		(f.within == 0 || lastVisited >= f.within) && (!q.Never || lastVisited == 0) && (!q.WeChat || wechat)
}

// where is f as SQL over the households table. instr is strings.Contains
// (LIKE would fold ASCII case and need % and _ escaped).
func (f *filter) where() dbx.Expression {
	q := f.q
	ex := []dbx.Expression{dbx.HashExp{"archived": q.Archived}}
	switch {
	case f.o == nil:
		ex = append(ex, dbx.NewExp("1=0"))
	case !f.o.IsChief():
		ex = append(ex, inList("community", f.o.Communities))
	}
	if q.Community != "" {
		ex = append(ex, dbx.HashExp{"community": q.Community})
	}
	if q.Grid != "" {
		ex = append(ex, dbx.HashExp{"grid": q.Grid})
	}
	if q.Officer != "" {
		ex = append(ex, inList("community", q.Communities))
	}
	if f.tag != "" {
		ex = append(ex, dbx.NewExp("instr([[tags]], {:tag}) > 0", dbx.Params{"tag": f.tag}))
	}
	// last_visited_at is stored as PocketBase writes dates (UTC, to the
	// ms), so its text sorts as its time; never visited is ''.
	at := func(ms int64) string { return time.UnixMilli(ms).UTC().Format(types.DefaultDateLayout) }
	if f.cut != 0 {
		ex = append(ex, dbx.NewExp("COALESCE([[last_visited_at]], '') < {:cut}", dbx.Params{"cut": at(f.cut)}))
	}
	if f.within != 0 {
		ex = append(ex, dbx.NewExp("COALESCE([[last_visited_at]], '') >= {:within}", dbx.Params{"within": at(f.within)}))
	}
	if q.Never {
		ex = append(ex, dbx.NewExp("COALESCE([[last_visited_at]], '') = ''"))
	}
	if q.WeChat {
		ex = append(ex, dbx.NewExp("COALESCE([[wechat_contact]], '') != ''"))
	}
	for i, t := range f.terms {
		p := fmt.Sprintf("t%d", i)
		ex = append(ex, dbx.NewExp("instr([[search]], {:"+p+"}) > 0", dbx.Params{p: t}))
	}
	return dbx.And(ex...)
}

// searchSQL is the search answered by the database, while the index is
// being built: the same households, order and total, at the cost of a
// scan of the table. The total comes with the page (a window count), so
// one scan answers both, unless a page past the first is empty.
func (s *Store) searchSQL(ctx context.Context, f *filter) (ids []string, total int, err error) {
	where := f.where()
	if f.q.Limit > 0 {
		order := []string{"address ASC", "id ASC"}
		switch f.q.Sort {
		case SortLastVisited:
			order = append([]string{"COALESCE(last_visited_at, '') ASC"}, order...)
		case SortRecent:
			order = append([]string{"COALESCE(last_visited_at, '') DESC"}, order...)
		}
		var rows []struct {
			ID    string `db:"id"`
			Total int    `db:"total"`
		}
		err = s.app.DB().Select("id", "COUNT(*) OVER () AS total").From(Collection).Where(where).OrderBy(order...).
			Offset(int64(max(f.q.Offset, 0))).Limit(int64(f.q.Limit)).WithContext(ctx).All(&rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find matching households: %w", err)
		}
		if len(rows) > 0 {
			ids = make([]string, len(rows))
			for i, r := range rows {
				ids[i] = r.ID
			}
			return ids, rows[0].Total, nil
		}
		if f.q.Offset <= 0 {
			return nil, 0, nil // nothing matches
		}
	}
	if err := s.app.DB().Select("COUNT(*)").From(Collection).Where(where).WithContext(ctx).Row(&total); err != nil {
		return nil, 0, fmt.Errorf("count matching households: %w", err)
	}
	return nil, total, nil
}

// matching is the ids of a search's page and its total: from the index
// once it is ready (brought up to date first), from SQL until then; the
// first search starts the build if Warm has not.
func (s *Store) matching(ctx context.Context, o *station.Officer, q Query) ([]string, int, error) {
	f := newFilter(o, q)
	if !s.index.ready.Load() {
		s.index.begin()
		ids, total, err := s.searchSQL(ctx, f)
		if err != nil {
			return nil, 0, station.Internal(err, "search households")
		}
		return ids, total, nil
	}
	if err := s.index.refresh(ctx); err != nil {
		return nil, 0, station.Internal(err, "refresh search index")
	}
	ids, total := s.index.match(f)
	return ids, total, nil
}

// Warm builds the search index (about a second per 100,000 households)
// and returns when it is ready; searches meanwhile are answered by SQL, so
// the server calls it in the background.
func (s *Store) Warm(ctx context.Context) error { return s.index.wait(ctx) }

// Search finds households in the officer's area: by address fragment (or
// the short form 3-1-301), head of household, or any phone fragment,
// filtered by community, grid, tag and "not visited for N days".
func (s *Store) Search(ctx context.Context, o *station.Officer, q Query) (Result, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	ids, total, err := s.matching(ctx, o, q)
	if err != nil {
		return Result{}, err
	}
	res := Result{Total: total, Items: make([]*Household, 0, len(ids))}
	if len(ids) == 0 {
		return res, nil
	}
	recs, err := s.app.FindRecordsByIds(Collection, ids)
	if err != nil {
		return Result{}, station.Internal(err, "load households")
	}
	byID := make(map[string]*core.Record, len(recs))
	for _, r := range recs {
		byID[r.Id] = r
	}
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			res.Items = append(res.Items, FromRecord(r))
		}
	}
	return res, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Since is the instant days days before now: "visited within 30 days"
// means a last visit at or after Since(now, 30), in the coverage review
// and the registry search alike.
func Since(now time.Time, days int) time.Time { return now.AddDate(0, 0, -days) }

// MaxExport is the most households one export lists.
const MaxExport = 200000

// SearchAll is every household of a search (an export), in its order.
func (s *Store) SearchAll(ctx context.Context, o *station.Officer, q Query) ([]*Household, error) {
	q.Offset, q.Limit = 0, MaxExport
	ids, _, err := s.matching(ctx, o, q)
	if err != nil {
		return nil, err
	}
	out := make([]*Household, 0, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		recs, err := s.app.FindRecordsByIds(Collection, chunk)
		if err != nil {
			return nil, station.Internal(err, "load households")
		}
		byID := make(map[string]*core.Record, len(recs))
		for _, r := range recs {
			byID[r.Id] = r
		}
		for _, id := range chunk {
			if r, ok := byID[id]; ok {
				out = append(out, FromRecord(r))
			}
		}
	}
	return out, nil
}
