package replica

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

// Pull limits (DESIGN §6): a page holds at most 1,000 documents, or
// 5,000 in the compact form, whose 5,000 are fewer bytes than the full
// form's 1,000 (and compress better the more a page holds).
const (
	MaxPullLimit = 1000
	MaxColsLimit = 5000
	DefaultPull  = 500
	// Window is how far back devices keep visits.
	Window = 90 * 24 * time.Hour
)

// Checkpoint is where a device's pull of one collection stands: the sync
// stamp and id of the last document it has.
type Checkpoint struct {
	Updated string `json:"updated"`
	ID      string `json:"id"`
}

// PullAnswer is one page of a pull.
type PullAnswer struct {
	Docs       []any      `json:"docs"`
	Checkpoint Checkpoint `json:"checkpoint"`
	More       bool       `json:"more"`
	// Scope changes when the officer's area does; a device that sees a new
	// scope drops its replica and pulls again from the start.
	Scope string `json:"scope"`
}

// source is one replicated collection: which of its records an officer's
// device holds, and how a record travels.
type source struct {
	name string
	// scope narrows q (over the collection's table) to what o's device
	// keeps at now.
	scope func(q *dbx.SelectQuery, o *station.Officer, now time.Time) *dbx.SelectQuery
	doc   func(r *core.Record, st station.Settings) any
	// stampIndex is the collection's (updated, id) index, which the stamp
	// walk reads (walk.go); "" leaves the choice to SQLite.
	stampIndex string
	// walk is the scope walk of o's scope, for a page of n; nil, or an
	// empty walkSQL, means the stamp walk answers.
	walk func(o *station.Officer, now time.Time, n int) walkSQL
	// alwaysWalk prefers the scope walk without a probe (it is never the
	// dearer of the two).
	alwaysWalk bool
	// floor, when set, is the lowest stamp a record of the scope at now
	// can have: the stamp walk starts there.
	floor func(now time.Time) string
}

var sources = append([]source{
	{
		name: households.Collection,
		scope: func(q *dbx.SelectQuery, o *station.Officer, _ time.Time) *dbx.SelectQuery {
			if o.IsChief() {
				return q
			}
			return q.AndWhere(inCommunities("households.community", o))
		},
		doc:        func(r *core.Record, _ station.Settings) any { return households.FromRecord(r) },
		stampIndex: "idx_households_updated",
		walk:       householdsWalk,
		alwaysWalk: true,
	},
	{
		name: visits.Collection,
		scope: func(q *dbx.SelectQuery, o *station.Officer, now time.Time) *dbx.SelectQuery {
			q = q.AndWhere(dbx.NewExp("[[visits.visited_at]] >= {:since}", dbx.Params{"since": station.DBTime(now.Add(-Window))}))
			if o.IsChief() {
				return q
			}
			return q.InnerJoin("households", dbx.NewExp("[[households.id]] = [[visits.household]]")).
				AndWhere(dbx.Or(dbx.HashExp{"visits.officer": o.ID}, inCommunities("households.community", o)))
		},
		doc:        func(r *core.Record, _ station.Settings) any { return visits.FromRecord(r) },
		stampIndex: "idx_visits_updated",
		walk:       visitsWalk,
		floor:      floorOf,
	},
	{
		name: watches.Collection,
		scope: func(q *dbx.SelectQuery, o *station.Officer, _ time.Time) *dbx.SelectQuery {
			if o.IsChief() {
				return q
			}
			return q.InnerJoin("households", dbx.NewExp("[[households.id]] = [[holiday_watches.household]]")).
				AndWhere(inCommunities("households.community", o))
		},
		doc:        func(r *core.Record, st station.Settings) any { return watches.WatchFromRecord(r, st.Location()) },
		stampIndex: "idx_watches_updated",
		walk:       watchesWalk,
	},
}, featureSources()...)

// Collections are the replicated collections, in the order a device pulls
// them.
func Collections() []string {
	out := make([]string, len(sources))
	for i, s := range sources {
		out[i] = s.name
	}
	return out
}

func sourceOf(name string) (source, bool) {
	for _, s := range sources {
		if s.name == name {
			return s, true
		}
	}
	return source{}, false
}

// ScopeOf is a fingerprint of who is signed in and what they may see: a
// device that sees it change (another officer on a shared phone, or an
// officer given other communities) starts its replica afresh.
func ScopeOf(o *station.Officer) string {
	cs := slices.Clone(o.Communities)
	slices.Sort(cs)
	sum := sha256.Sum256([]byte(o.ID + "|" + o.Role + "|" + strings.Join(cs, ",")))
	return hex.EncodeToString(sum[:8])
}

func inCommunities(col string, o *station.Officer) dbx.Expression {
	ids := make([]any, len(o.Communities))
	for i, c := range o.Communities {
		ids[i] = c
	}
	if len(ids) == 0 {
		return dbx.NewExp("1=0")
	}
	return dbx.In(col, ids...)
}

// after is the checkpoint as a row value over table's (updated, id): an
// index ending in (updated, id) reads it as a range.
func after(table string, cp Checkpoint) dbx.Expression {
	return dbx.NewExp("([["+table+".updated]], [["+table+".id]]) > ({:cu}, {:ci})", dbx.Params{"cu": cp.Updated, "ci": cp.ID})
}

// Store serves the sync protocol from an app's collections.
type Store struct {
	app      core.App
	settings func() station.Settings
}

// NewStore returns the sync protocol's store of app.
func NewStore(app core.App, settings func() station.Settings) *Store {
	return &Store{app: app, settings: settings}
}

// Pull returns the page after cp of collection, scoped to what o may see
// and ordered by (updated, id), tombstones (archived households, ended
// watches) included.
func (s *Store) Pull(o *station.Officer, collection string, cp Checkpoint, limit int, now time.Time) (PullAnswer, error) {
	return s.pull(o, collection, cp, min(limit, MaxPullLimit), now)
}

// PullCols is Pull in the compact form (compact.go), at most MaxColsLimit
// documents a page.
func (s *Store) PullCols(o *station.Officer, collection string, cp Checkpoint, limit int, now time.Time) (ColsAnswer, error) {
	ans, err := s.pull(o, collection, cp, min(limit, MaxColsLimit), now)
	if err != nil {
		return ColsAnswer{}, err
	}
	cols, err := Compact(collection, ans.Docs)
	if err != nil {
		return ColsAnswer{}, station.Internal(err, "compact "+collection)
	}
	return ColsAnswer{N: len(ans.Docs), Cols: cols, Checkpoint: ans.Checkpoint, More: ans.More, Scope: ans.Scope}, nil
}

func (s *Store) pull(o *station.Officer, collection string, cp Checkpoint, limit int, now time.Time) (PullAnswer, error) {
	src, ok := sourceOf(collection)
	if !ok {
		return PullAnswer{}, station.Errorf(station.EInvalid, "%s", i18n.T("sync.unknown_collection"))
	}
	if limit <= 0 {
		limit = DefaultPull
	}
	recs, err := s.page(src, o, cp, limit+1, now, walkCheaper)
	if err != nil {
		return PullAnswer{}, station.Internal(err, "pull "+collection)
	}
	ans := PullAnswer{Docs: make([]any, 0, min(len(recs), limit)), Checkpoint: cp, Scope: ScopeOf(o)}
	if len(recs) > limit {
		ans.More, recs = true, recs[:limit]
	}
	st := s.settings()
	for _, r := range recs {
		ans.Docs = append(ans.Docs, src.doc(r, st))
		ans.Checkpoint = Checkpoint{Updated: r.GetString("updated"), ID: r.Id}
	}
	return ans, nil
}

// Which walk page takes: the cheaper, or (for the tests, which hold the
// two to the same answer) one of them.
const (
	walkCheaper = iota
	walkStamps
	walkScope
)

// page reads the first n records of o's scope after cp, in (updated, id)
// order, by the walk that how says (walk.go).
func (s *Store) page(src source, o *station.Officer, cp Checkpoint, n int, now time.Time, how int) ([]*core.Record, error) {
	from := cp
	if src.floor != nil {
		// Nothing below the floor is in scope: start there.
		if f := src.floor(now); cp.Updated < f {
			from = Checkpoint{Updated: f}
		}
	}
	var recs []*core.Record
	if src.walk != nil {
		if w := src.walk(o, now, n); w.sql != "" && how != walkStamps {
			short := false
			if how == walkCheaper {
				var err error
				if short, err = s.stampWalkIsShort(src, from, probePages*n); err != nil {
					return nil, err
				}
			}
			if !short {
				w.params["cu"], w.params["ci"] = from.Updated, from.ID
				err := s.app.RecordQuery(src.name).Select("*").From("("+w.sql+") AS walk").Bind(w.params).
					OrderBy("updated ASC", "id ASC").Limit(int64(n)).All(&recs)
				return recs, err
			}
		}
	}
	q := s.app.RecordQuery(src.name)
	if src.stampIndex != "" {
		q = q.From("{{" + src.name + "}} INDEXED BY " + src.stampIndex)
	}
	err := src.scope(q, o, now).AndWhere(after(src.name, from)).
		OrderBy(src.name+".updated ASC", src.name+".id ASC").Limit(int64(n)).All(&recs)
	return recs, err
}

// stampWalkIsShort reports whether fewer than k records of the collection
// (in any scope) lie after cp: a count over at most k entries of its
// (updated, id) index.
func (s *Store) stampWalkIsShort(src source, cp Checkpoint, k int) (bool, error) {
	if src.alwaysWalk || src.stampIndex == "" {
		return false, nil
	}
	var got int
	err := s.app.DB().NewQuery("SELECT COUNT(*) FROM (SELECT 1 FROM " + src.name + " INDEXED BY " + src.stampIndex +
		" WHERE (updated, id) > ({:cu}, {:ci}) LIMIT {:k})").Bind(dbx.Params{"cu": cp.Updated, "ci": cp.ID, "k": k}).Row(&got)
	return got < k, err
}

// puller is what the pull handler needs.
type puller interface {
	Pull(o *station.Officer, collection string, cp Checkpoint, limit int, now time.Time) (PullAnswer, error)
	PullCols(o *station.Officer, collection string, cp Checkpoint, limit int, now time.Time) (ColsAnswer, error)
}

// HandlePull serves GET /sync/pull?collection=C&updated=U&id=I&limit=N,
// with form=cols in the compact form (compact.go).
func HandlePull(p puller) func(c echo.Context) (any, error) {
	return func(c echo.Context) (any, error) {
		o := station.OfficerFrom(c.Request().Context())
		limit, _ := strconv.Atoi(c.QueryParam("limit"))
		form := c.QueryParam("form")
		if form != "" && form != FormCols {
			return nil, station.Errorf(station.EInvalid, "%s", i18n.T("sync.unknown_form"))
		}
		collection, cp := c.QueryParam("collection"), Checkpoint{Updated: c.QueryParam("updated"), ID: c.QueryParam("id")}
		if form == FormCols {
			return p.PullCols(o, collection, cp, limit, time.Now())
		}
		return p.Pull(o, collection, cp, limit, time.Now())
	}
}
