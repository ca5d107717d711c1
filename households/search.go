package households

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"zoufang/station"
)

// searchIndex keeps what a registry search filters on in memory, sorted by
// address, and brings itself up to date before each search by reading the
// households whose sync stamp moved past the last one it saw (the same
// gap-free (updated, id) order /sync/pull pages by). It is correct across
// processes (a command-line import is seen on the next search) and needs
// no hooks. A LIKE over 50,000 rows took about 170 ms here; a scan of this
// index takes a few (docs/benchmarks.md).
type searchIndex struct {
	app core.App

	mu      sync.RWMutex
	byID    map[string]*indexEntry
	sorted  []*indexEntry // by address, then id
	last    string        // the highest sync stamp seen
	unsound bool          // sorted needs re-sorting
}

type indexEntry struct {
	id, community, grid, address string
	search                       string // lower-case haystack, see Household.searchText
	tags                         string // the stored JSON array, for a quoted match
	archived                     bool
	wechat                       bool
	lastVisited                  int64 // unix ms; 0 never
}

func newSearchIndex(app core.App) *searchIndex {
	return &searchIndex{app: app, byID: map[string]*indexEntry{}}
}

// refresh loads the households changed since the last refresh.
func (x *searchIndex) refresh(ctx context.Context) error {
	var top string
	if err := x.app.DB().Select("COALESCE(MAX([[updated]]), '')").From(Collection).WithContext(ctx).Row(&top); err != nil {
		return fmt.Errorf("latest household stamp: %w", err)
	}
	x.mu.RLock()
	fresh := top == x.last
	x.mu.RUnlock()
	if fresh {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if top == x.last {
		return nil
	}
	var rows []struct {
		ID          string `db:"id"`
		Community   string `db:"community"`
		Grid        string `db:"grid"`
		Address     string `db:"address"`
		Search      string `db:"search"`
		Tags        string `db:"tags"`
		Archived    bool   `db:"archived"`
		WeChat      string `db:"wechat_contact"`
		LastVisited string `db:"last_visited_at"`
		Updated     string `db:"updated"`
	}
	err := x.app.DB().Select("id", "community", "grid", "address", "search", "tags", "archived", "wechat_contact", "last_visited_at", "updated").
		From(Collection).Where(dbx.NewExp("[[updated]] > {:last}", dbx.Params{"last": x.last})).
		OrderBy("updated ASC", "id ASC").WithContext(ctx).All(&rows)
	if err != nil {
		return fmt.Errorf("load changed households: %w", err)
	}
	for _, r := range rows {
		e := &indexEntry{id: r.ID, community: r.Community, grid: r.Grid, address: r.Address, search: r.Search, tags: r.Tags, archived: r.Archived, wechat: r.WeChat != ""}
		if r.LastVisited != "" {
			if d, err := types.ParseDateTime(r.LastVisited); err == nil {
				e.lastVisited = d.Time().UnixMilli()
			}
		}
		if old, ok := x.byID[r.ID]; ok {
			if old.address != e.address {
				x.unsound = true
			}
			*old = *e
		} else {
			x.byID[r.ID] = e
			x.sorted = append(x.sorted, e)
			x.unsound = true
		}
		x.last = r.Updated
	}
	if x.unsound {
		slices.SortFunc(x.sorted, func(a, b *indexEntry) int {
			if c := strings.Compare(a.address, b.address); c != 0 {
				return c
			}
			return strings.Compare(a.id, b.id)
		})
		x.unsound = false
	}
	return nil
}

// match returns the ids of the households matching q in the officer's area,
// in the query's order, and how many there are.
func (x *searchIndex) match(o *station.Officer, q Query) (ids []string, total int) {
	terms := searchTerms(q.Text)
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	var cut, within int64
	if q.NotVisitedDays > 0 {
		cut = Since(now, q.NotVisitedDays).UnixMilli()
	}
	if q.VisitedDays > 0 {
		within = Since(now, q.VisitedDays).UnixMilli()
	}
	tag := ""
	if q.Tag != "" {
		tag = `"` + q.Tag + `"`
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	var hits []*indexEntry
	for _, e := range x.sorted {
		if e.archived != q.Archived || !o.CoversCommunity(e.community) ||
			(q.Community != "" && e.community != q.Community) || (q.Grid != "" && e.grid != q.Grid) ||
			(q.Officer != "" && !slices.Contains(q.Communities, e.community)) ||
			(tag != "" && !strings.Contains(e.tags, tag)) || (cut != 0 && e.lastVisited >= cut) ||
			(within != 0 && e.lastVisited < within) || (q.Never && e.lastVisited != 0) || (q.WeChat && !e.wechat) {
			continue
		}
		ok := true
		for _, t := range terms {
			if !strings.Contains(e.search, t) {
				ok = false
				break
			}
		}
		if ok {
			hits = append(hits, e)
		}
	}
	switch q.Sort {
	case SortLastVisited:
		// Longest unvisited first (never visited before all), then address.
		slices.SortStableFunc(hits, func(a, b *indexEntry) int { return cmpInt(a.lastVisited, b.lastVisited) })
	case SortRecent:
		slices.SortStableFunc(hits, func(a, b *indexEntry) int { return cmpInt(b.lastVisited, a.lastVisited) })
	}
	total = len(hits)
	from := min(max(q.Offset, 0), total)
	to := min(from+q.Limit, total)
	for _, e := range hits[from:to] {
		ids = append(ids, e.id)
	}
	return ids, total
}

// Warm builds the search index (about a quarter of a second for 50,000
// households), so the first search after a start does not pay for it.
func (s *Store) Warm(ctx context.Context) error { return s.index.refresh(ctx) }

// Search finds households in the officer's area: by address fragment (or
// the short form 3-1-301), head of household, or any phone fragment,
// filtered by community, grid, tag and "not visited for N days".
func (s *Store) Search(ctx context.Context, o *station.Officer, q Query) (Result, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	if err := s.index.refresh(ctx); err != nil {
		return Result{}, station.Internal(err, "refresh search index")
	}
	ids, total := s.index.match(o, q)
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
	if err := s.index.refresh(ctx); err != nil {
		return nil, station.Internal(err, "refresh search index")
	}
	q.Offset, q.Limit = 0, MaxExport
	ids, _ := s.index.match(o, q)
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
