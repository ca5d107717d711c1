package households

import (
	"context"
	"log/slog"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// AreaCount is what the coverage review counts of the active (not
// archived) households of one (community, grid): all of them, those
// visited at or after each of two cuts, those never visited, and those on
// an officer's WeChat.
type AreaCount struct {
	Community, Grid                         string
	Households, Recent, Long, Never, WeChat int
}

// CountAreas counts the active households of every (community, grid),
// recent and long being the cuts (Since(now, days)) the registry's "not
// visited for N days" filter uses, so that each count is what its link
// lists. Once the search index is built the counts come from it (every
// household is in memory, brought up to date by its stamp first: about a
// millisecond at 100,000 households, where the pass over the covering
// index takes about 100 ms); until then, and if the index cannot be
// brought up to date, from SQL.
func (s *Store) CountAreas(ctx context.Context, recent, long time.Time) ([]AreaCount, error) {
	if s.index.ready.Load() {
		if err := s.index.refresh(ctx); err != nil {
			slog.WarnContext(ctx, "coverage counts from SQL: the search index is not up to date", "err", err)
		} else {
			return s.index.countAreas(recent.UnixMilli(), long.UnixMilli()), nil
		}
	}
	return CountAreasSQL(ctx, s.app, recent, long)
}

// CountAreasSQL is CountAreas in one pass over the covering index of
// active households.
func CountAreasSQL(ctx context.Context, app core.App, recent, long time.Time) ([]AreaCount, error) {
	var rows []struct {
		Community string `db:"community"`
		Grid      string `db:"grid"`
		Total     int    `db:"total"`
		Recent    int    `db:"recent"`
		Long      int    `db:"long"`
		Never     int    `db:"never"`
		WeChat    int    `db:"wechat"`
	}
	// Every SUM is COALESCEd: over no rows SQL's SUM is NULL, not 0.
	err := app.DB().NewQuery(`SELECT community, grid, COUNT(*) AS total,
		COALESCE(SUM(last_visited_at >= {:recent}), 0) AS recent, COALESCE(SUM(last_visited_at >= {:long}), 0) AS long,
		COALESCE(SUM(last_visited_at = '' OR last_visited_at IS NULL), 0) AS never, COALESCE(SUM(wechat_contact != ''), 0) AS wechat
		FROM households INDEXED BY idx_households_active_coverage WHERE archived = FALSE GROUP BY community, grid`).
		Bind(dbx.Params{"recent": station.DBTime(recent), "long": station.DBTime(long)}).WithContext(ctx).All(&rows)
	if err != nil {
		return nil, station.Internal(err, "count households by area")
	}
	out := make([]AreaCount, len(rows))
	for i, r := range rows {
		out[i] = AreaCount{Community: r.Community, Grid: r.Grid, Households: r.Total, Recent: r.Recent, Long: r.Long, Never: r.Never, WeChat: r.WeChat}
	}
	return out, nil
}

// countAreas is CountAreas over the index's entries.
func (x *searchIndex) countAreas(recent, long int64) []AreaCount {
	x.mu.RLock()
	defer x.mu.RUnlock()
	st := x.st
	type key struct{ community, grid string }
	at := map[key]int{}
	group := make([]int32, len(st.places)) // place → 1 + its area in out
	var out []AreaCount
	for i := range st.ents {
		e := &st.ents[i]
		if e.has(flagArchived) || e.has(flagGone) {
			continue
		}
		g := group[e.place]
		if g == 0 {
			p := &st.places[e.place]
			k := key{p.community, p.grid}
			n, ok := at[k]
			if !ok {
				n = len(out)
				at[k] = n
				out = append(out, AreaCount{Community: p.community, Grid: p.grid})
			}
			g = int32(n + 1)
			group[e.place] = g
		}
		c := &out[g-1]
		c.Households++
		switch last := e.lastVisited(); {
		case last == 0:
			c.Never++
		case last >= recent:
			c.Recent++
			c.Long++
		case last >= long:
			c.Long++
		}
		if e.has(flagWeChat) {
			c.WeChat++
		}
	}
	return out
}
