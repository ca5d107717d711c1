// Package gen writes a realistic district station into a fresh data dir,
// fast enough to size a server with (DESIGN §10): communities of about
// 1,700 households with their grids and community officer, households with
// phones and tags, two years of Tuesday and Thursday afternoon visits,
// residents' confirmations, and holiday watches with their checks.
//
// It writes rows straight into the tables, in a few big transactions,
// instead of saving records through PocketBase: the record hooks would
// take an hour for a million visits. So every row is written as the hooks
// would have left it — the household's derived fields from
// households.Derive (the hooks' own function), phones in E.164, the last
// met visit and first WeChat contact settled from the visits, the
// resident's answer copied onto its visit, sync stamps that grow in insert
// order — and the tests open the result as a running app and check it.
//
// The same options give the same rows, ids included: everything is drawn
// from generators seeded by Options.Seed, and "now" is an option.
package gen

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/demo"
	"zoufang/households"
	"zoufang/people"
	"zoufang/station"
	"zoufang/visits"
)

// Logins of a generated station, as the demo's: the deputy chief signs in
// as ChiefBadge, the community officers as 330101, 330102, … (FirstBadge
// on), all with Password.
const (
	Password   = demo.Password
	ChiefBadge = "330100"
	FirstBadge = 330101
)

// StationName is the generated station's name in its settings.
const StationName = "模拟辖区派出所"

// Sizing of a district (DESIGN §10).
const (
	HouseholdsPerCommunity = 1700
	DefaultHouseholds      = 100_000
	VisitsPerHousehold     = 10
	HistoryDays            = 730 // two years
)

// Options say what to generate.
type Options struct {
	Households int    // default DefaultHouseholds
	Visits     int    // every visit, holiday checks included; default 10 per household
	Seed       uint64 // default 1
	// Now is where the history ends. The default is the start of today in
	// the station's zone, so the same command on the same day writes the
	// same station; pass a time to reproduce a station, or the present
	// moment to have today's visits so far on the board.
	Now time.Time
	// Progress, if set, hears what is being written.
	Progress func(msg string)
}

// Result says what was written.
type Result struct {
	Station  string
	Seed     uint64
	From     time.Time // the first day of the history
	Now      time.Time
	Tables   []TableCount // in the order they were written
	Officers int          // community officers (the deputy chief aside)
	Took     time.Duration
}

// TableCount is how many rows one table received.
type TableCount struct {
	Table string
	Rows  int
}

// Rows is how many rows table received.
func (r Result) Rows(table string) int {
	for _, t := range r.Tables {
		if t.Table == table {
			return t.Rows
		}
	}
	return 0
}

// ErrNotEmpty refuses a data dir that already holds a station.
var ErrNotEmpty = errors.New("the data dir already holds data: the generator writes only into a fresh one")

// District writes a district into app's database, whose migrations must
// have run, and which must hold no officers, communities, households,
// visits, confirmations or watches. Nothing else may write meanwhile.
func District(ctx context.Context, app core.App, opt Options) (Result, error) {
	began := time.Now()
	if opt.Households <= 0 {
		opt.Households = DefaultHouseholds
	}
	if opt.Visits < 0 {
		opt.Visits = 0
	} else if opt.Visits == 0 {
		opt.Visits = VisitsPerHousehold * opt.Households
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Progress == nil {
		opt.Progress = func(string) {}
	}
	for _, c := range []string{"officers", "communities", "households", visits.Collection, visits.ConfirmCollection, "holiday_watches"} {
		n, err := app.CountRecords(c)
		if err != nil {
			return Result{}, fmt.Errorf("count %s: %w", c, err)
		}
		if n > 0 {
			return Result{}, ErrNotEmpty
		}
	}
	st, err := station.LoadSettings(app)
	if err != nil {
		return Result{}, err
	}
	loc := st.Location()
	if opt.Now.IsZero() {
		n := time.Now().In(loc)
		opt.Now = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	}
	g := newGenerator(opt, st)

	opt.Progress("drawing the registry")
	if err := g.places(); err != nil {
		return Result{}, err
	}
	g.people()
	g.planWatches()

	pool, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return Result{}, errors.New("gen: the app's database is inside a transaction; pass the app itself")
	}
	conn, err := pool.DB().Conn(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("database connection: %w", err)
	}
	defer conn.Close() // a no-op once released below
	// A large page cache while loading: the visits' indexes are written
	// in random order and would otherwise spill to disk over and over.
	// PocketBase's own setting comes back afterwards.
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -1000000"); err != nil {
		return Result{}, fmt.Errorf("cache size: %w", err)
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return Result{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	w := &writer{ctx: ctx, tx: tx}
	indexes, err := dropIndexes(ctx, tx, bulkTables)
	if err != nil {
		return Result{}, err
	}
	steps := []struct {
		what string
		do   func(*writer) error
	}{
		{"communities, grids, officers", g.writePlaces},
		{"visits and confirmations", g.writeVisits},
		{"households", g.writeHouseholds},
		{"holiday watches", g.writeWatches},
	}
	for _, s := range steps {
		opt.Progress(s.what)
		if err := s.do(w); err != nil {
			return Result{}, fmt.Errorf("write %s: %w", s.what, err)
		}
	}
	opt.Progress("indexes")
	for _, q := range indexes {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return Result{}, fmt.Errorf("recreate index: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE settings SET station_name = ?", StationName); err != nil {
		return Result{}, fmt.Errorf("station name: %w", err)
	}
	opt.Progress("commit")
	if err := tx.Commit(); err != nil {
		return Result{}, fmt.Errorf("commit: %w", err)
	}
	// What PocketBase's nightly cron does: fold the write-ahead log back
	// into the database, and let SQLite gather the statistics its planner
	// uses, as it would on a station that has run for a night.
	for _, q := range []string{"PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA optimize"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return Result{}, fmt.Errorf("%s: %w", q, err)
		}
	}
	// The coverage review's running figures, as the visits' hooks would
	// have kept them. The app's writes share one connection: give it back.
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -32000"); err != nil {
		return Result{}, fmt.Errorf("cache size: %w", err)
	}
	if err := conn.Close(); err != nil {
		return Result{}, fmt.Errorf("release connection: %w", err)
	}
	opt.Progress("visit days")
	if err := visits.RebuildDays(ctx, app); err != nil {
		return Result{}, fmt.Errorf("visit days: %w", err)
	}
	return Result{
		Station:  StationName,
		Seed:     opt.Seed,
		From:     g.start,
		Now:      g.now,
		Tables:   w.counts,
		Officers: len(g.offs) - 1,
		Took:     time.Since(began),
	}, nil
}

// bulkTables are the tables whose secondary indexes are built after their
// rows are in: building an index from sorted rows is much faster than
// inserting millions of entries in random order (households, ids) into
// B-trees larger than the page cache.
var bulkTables = []string{visits.Collection, visits.ConfirmCollection, households.Collection, "household_phones", "holiday_watches"}

// dropIndexes drops the tables' indexes (not their primary keys) within
// tx and returns the statements that create them again, exactly as the
// migrations did.
func dropIndexes(ctx context.Context, tx *sql.Tx, tables []string) ([]string, error) {
	var names, creates []string
	for _, t := range tables {
		rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", t)
		if err != nil {
			return nil, fmt.Errorf("indexes of %s: %w", t, err)
		}
		for rows.Next() {
			var name, q string
			if err := rows.Scan(&name, &q); err != nil {
				rows.Close()
				return nil, err
			}
			names, creates = append(names, name), append(creates, q)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, "DROP INDEX ["+n+"]"); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", n, err)
		}
	}
	return creates, nil
}

// generator holds the district while it is drawn.
type generator struct {
	opt   Options
	st    station.Settings
	loc   *time.Location
	rng   *rand.Rand // what things are
	ids   *rand.Rand // what they are called: record ids, secrets
	start time.Time  // the first day of the history, station midnight
	now   time.Time
	t0    time.Time // when the registry was imported, before the history

	comms   []community
	offs    []officer // offs[0] is the deputy chief
	hh      []household
	watches []watch
	checks  map[int][]slot // holiday checks by day of the history
	pwHash  string
}

type community struct {
	id, name, code string
	grids          []string
	officer        int     // index in offs
	households     []int32 // indices in hh
}

type officer struct {
	id, badge, name, phone, tokenKey string
	community                        int // -1 for the deputy chief
}

// household is one door and what its visits made of it.
type household struct {
	id, rev   string
	h         *households.Household
	community int32
	created   time.Time
	touched   time.Time // the last save: created, or a visit that settled it
	lastMet   time.Time
	lastBy    int32 // officer index, -1 none
	wechatAt  time.Time
	wechatBy  int32
	followUp  bool // a concern was raised: the next visit is a follow-up
}

func newGenerator(opt Options, st station.Settings) *generator {
	loc := st.Location()
	now := opt.Now.In(loc).Truncate(time.Millisecond)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	start := day.AddDate(0, 0, -HistoryDays)
	return &generator{
		opt: opt, st: st, loc: loc,
		rng:    rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
		ids:    rand.New(rand.NewPCG(opt.Seed^0x5851f42d4c957f2d, opt.Seed+0x14057b7ef767814f)),
		start:  start,
		now:    now,
		t0:     start.AddDate(0, 0, -14).Add(10 * time.Hour), // a fortnight before the first visit day, mid-morning
		checks: map[int][]slot{},
	}
}

const idChars = "abcdefghijklmnopqrstuvwxyz0123456789"

// id is a PocketBase record id (15 of [a-z0-9]) from the seeded stream.
func (g *generator) id() string {
	var b [15]byte
	x, y := g.ids.Uint64(), g.ids.Uint64()
	for i := range 12 {
		b[i] = idChars[x%36]
		x /= 36
	}
	for i := 12; i < 15; i++ {
		b[i] = idChars[y%36]
		y /= 36
	}
	return string(b[:])
}

// hex64 is 64 hex digits, the shape of a sha256 (client hashes).
func (g *generator) hex64() string {
	var b [32]byte
	for i := 0; i < 32; i += 8 {
		x := g.ids.Uint64()
		for j := range 8 {
			b[i+j] = byte(x >> (8 * j))
		}
	}
	sum := sha256.Sum256(b[:])
	return hex.EncodeToString(sum[:])
}

// places draws the communities, their grids and households.
func (g *generator) places() error {
	n := g.opt.Households
	nc := max(1, (n+HouseholdsPerCommunity/2)/HouseholdsPerCommunity)
	names := uniqueNames(nc, func() string { return communityName(g.rng) })
	// Sizes vary by a fifth either way and add up to n.
	weights := make([]float64, nc)
	for i := range weights {
		weights[i] = 0.8 + 0.4*g.rng.Float64()
	}
	sizes := apportion(n, weights)
	phones := map[string]bool{}
	g.hh = make([]household, 0, n)
	for ci := range nc {
		c := community{id: g.id(), name: names[ci], code: fmt.Sprintf("sq%04d", ci+1)}
		for k := range 2 + g.rng.IntN(2) {
			c.grids = append(c.grids, gridNames[k])
		}
		for k := range c.grids {
			c.grids[k] = g.id() + "|" + c.grids[k] // id|name, split when written
		}
		doors := g.doors(sizes[ci], len(c.grids))
		keys := map[string]bool{}
		for _, d := range doors {
			in := households.Input{Community: c.id, Grid: gridID(c.grids[d.grid]), Building: d.building, Unit: d.unit, Room: d.room}
			h, err := g.occupy(in, phones)
			if err != nil {
				return err
			}
			if keys[h.AddressKey] {
				return fmt.Errorf("gen: door %s drawn twice", h.AddressKey)
			}
			keys[h.AddressKey] = true
			idx := int32(len(g.hh))
			g.hh = append(g.hh, household{id: g.id(), rev: g.id(), h: h, community: int32(ci), lastBy: -1, wechatBy: -1})
			c.households = append(c.households, idx)
		}
		g.comms = append(g.comms, c)
	}
	// The registry was imported in one go, a millisecond or so apart.
	for i := range g.hh {
		g.hh[i].created = g.t0.Add(time.Duration(i) * time.Millisecond)
		g.hh[i].touched = g.hh[i].created
	}
	return nil
}

func gridID(s string) string   { return s[:15] }
func gridName(s string) string { return s[16:] }

// occupy draws who lives at the door until their phones are the
// station's only ones of that number (the registry refuses a shared one)
// and derives the household as the hooks would.
func (g *generator) occupy(door households.Input, phones map[string]bool) (*households.Household, error) {
	for range 100 {
		in := door
		demo.Occupant(g.rng, &in)
		h, p := households.Derive(in)
		if err := p.Err(); err != nil {
			return nil, fmt.Errorf("gen: household %s: %w", in.Building, err)
		}
		taken := false
		for _, ph := range h.Phones {
			taken = taken || phones[ph]
		}
		if taken {
			continue
		}
		for _, ph := range h.Phones {
			phones[ph] = true
		}
		return h, nil
	}
	return nil, errors.New("gen: no free phone number after 100 draws")
}

type door struct {
	building, unit, room string
	grid                 int
}

// doors draws n distinct doors of one community: compounds of walk-up
// buildings (幢/栋/号楼, units, floors, two or three flats a floor) and
// lanes of numbered houses, some split into rooms. Each place belongs to
// one grid, the grids taking the places in turn as they fill.
func (g *generator) doors(n, grids int) []door {
	out := make([]door, 0, n)
	used := map[string]bool{}
	for len(out) < n {
		grid := min(len(out)*grids/n, grids-1)
		var name string
		compound := g.rng.IntN(10) < 7
		for {
			stem := placeStems[g.rng.IntN(len(placeStems))]
			if compound {
				name = stem + compoundKinds[g.rng.IntN(len(compoundKinds))]
			} else {
				name = stem + laneKinds[g.rng.IntN(len(laneKinds))]
			}
			if !used[name] || len(used) > 300 {
				break
			}
		}
		if used[name] {
			name = fmt.Sprintf("%s%d", name, len(used))
		}
		used[name] = true
		if compound {
			mark := buildingMarks[g.rng.IntN(len(buildingMarks))]
			buildings, units, floors, flats := 4+g.rng.IntN(14), 1+g.rng.IntN(3), 5+g.rng.IntN(3), 2+g.rng.IntN(2)
			unitSuffix := []string{"", "单元"}[g.rng.IntN(2)]
			for b := 1; b <= buildings && len(out) < n; b++ {
				for u := 1; u <= units && len(out) < n; u++ {
					for f := 1; f <= floors && len(out) < n; f++ {
						for r := 1; r <= flats && len(out) < n; r++ {
							d := door{building: fmt.Sprintf("%s%d%s", name, b, mark), room: fmt.Sprintf("%d%02d", f, r), grid: grid}
							if units > 1 {
								d.unit = fmt.Sprintf("%d%s", u, unitSuffix)
							}
							out = append(out, d)
						}
					}
				}
			}
			continue
		}
		houses := 20 + g.rng.IntN(100)
		for k := 1; k <= houses && len(out) < n; k++ {
			building := fmt.Sprintf("%s%d号", name, k)
			if g.rng.IntN(3) > 0 {
				out = append(out, door{building: building, grid: grid})
				continue
			}
			for r := range 1 + g.rng.IntN(4) {
				if len(out) == n {
					break
				}
				out = append(out, door{building: building, room: fmt.Sprintf("%d", 101+(r/2)*100+r%2), grid: grid})
			}
		}
	}
	return out
}

// people draws the deputy chief and one community officer per community,
// the usual arrangement of a 社区民警.
func (g *generator) people() {
	phone := func() string {
		p, _ := station.NormalizePhone(demo.ValidPhone(func() string { return demo.Mobile(g.rng) }))
		return p
	}
	token := func() string {
		const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		b := make([]byte, 50)
		for i := range b {
			b[i] = chars[g.ids.IntN(len(chars))]
		}
		return string(b)
	}
	g.offs = append(g.offs, officer{id: g.id(), badge: ChiefBadge, name: demo.ChineseName(g.rng), phone: phone(), tokenKey: token(), community: -1})
	for ci := range g.comms {
		g.comms[ci].officer = len(g.offs)
		g.offs = append(g.offs, officer{id: g.id(), badge: fmt.Sprint(FirstBadge + ci), name: demo.ChineseName(g.rng), phone: phone(), tokenKey: token(), community: ci})
	}
}

// apportion splits total into parts proportional to weights, exactly.
func apportion(total int, weights []float64) []int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	out := make([]int, len(weights))
	var cum float64
	given := 0
	for i, w := range weights {
		cum += w
		upto := int(float64(total)*cum/sum + 0.5)
		if i == len(weights)-1 {
			upto = total
		}
		out[i] = upto - given
		given = upto
	}
	return out
}

// dbTime is t as PocketBase stores datetimes.
func dbTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return station.DBTime(t)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only string slices are encoded
	}
	return string(b)
}

// stamps hands out a collection's sync stamps: strictly increasing in
// insert order, never before the moment the record was last saved — what
// replica's stamp hook gives a station whose writes came in that order.
type stamps struct{ last time.Time }

func (s *stamps) next(at time.Time) time.Time {
	at = at.UTC().Truncate(time.Millisecond)
	if !at.After(s.last) {
		at = s.last.Add(time.Millisecond)
	}
	s.last = at
	return at
}

// writer counts what each table received, in the order of first writes.
type writer struct {
	ctx    context.Context
	tx     *sql.Tx
	counts []TableCount
}

func (w *writer) open(table string, cols ...string) (*bulk, error) {
	return newBulk(w.ctx, w.tx, table, cols)
}

func (w *writer) done(b *bulk) error {
	if err := b.close(); err != nil {
		return err
	}
	for i := range w.counts {
		if w.counts[i].Table == b.table {
			w.counts[i].Rows += b.rows
			return nil
		}
	}
	w.counts = append(w.counts, TableCount{b.table, b.rows})
	return nil
}

func (g *generator) writePlaces(w *writer) error {
	ctx := w.ctx
	at := g.t0.Add(-48 * time.Hour)
	var cs, gs stamps
	comms, err := w.open("communities", "id", "name", "code", "station", "created", "updated")
	if err != nil {
		return err
	}
	grids, err := w.open("grids", "id", "community", "name", "created", "updated")
	if err != nil {
		return err
	}
	for _, c := range g.comms {
		t := dbTime(cs.next(at))
		if err := comms.add(ctx, c.id, c.name, c.code, StationName, t, t); err != nil {
			return err
		}
		for _, gr := range c.grids {
			t := dbTime(gs.next(at))
			if err := grids.add(ctx, gridID(gr), c.id, gridName(gr), t, t); err != nil {
				return err
			}
		}
	}
	if err := w.done(comms); err != nil {
		return err
	}
	if err := w.done(grids); err != nil {
		return err
	}

	// One bcrypt hash for everyone: at PocketBase's cost it takes a tenth
	// of a second, and every officer has the demo's password.
	var salt [16]byte
	for i := range salt {
		salt[i] = byte(g.ids.Uint32())
	}
	if g.pwHash, err = bcryptHash([]byte(Password), 10, salt); err != nil {
		return err
	}
	offs, err := w.open("officers", "id", "email", "emailVisibility", "verified", "password", "tokenKey",
		"name", "badge", "role", "communities", "wechat", "phone", "active", "created", "updated")
	if err != nil {
		return err
	}
	var ost stamps
	all := make([]string, len(g.comms))
	for i, c := range g.comms {
		all[i] = c.id
	}
	for _, o := range g.offs {
		role, comms := station.RoleDeputyChief, all
		if o.community >= 0 {
			role, comms = station.RoleOfficer, []string{g.comms[o.community].id}
		}
		badge := people.NormalizeBadge(o.badge)
		t := dbTime(ost.next(g.t0.Add(-24 * time.Hour)))
		if err := offs.add(ctx, o.id, badge+"@station.police.example", false, true, g.pwHash, o.tokenKey,
			o.name, badge, role, jsonText(comms), "zf_"+badge, o.phone, true, t, t); err != nil {
			return err
		}
	}
	return w.done(offs)
}

// writeHouseholds writes the households as their visits left them, in the
// order they were last saved, and their phones' index.
func (g *generator) writeHouseholds(w *writer) error {
	ctx := w.ctx
	order := make([]int32, len(g.hh))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := g.hh[a].touched.Compare(g.hh[b].touched); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	hs, err := w.open(households.Collection, "id", "community", "grid", "address", "building", "unit", "room", "address_key",
		"head_name", "phones", "residents", "tags", "wechat_contact", "wechat_added_at", "last_visited_at", "last_visited_by",
		"notes", "archived", "search", "rev", "created", "updated")
	if err != nil {
		return err
	}
	ps, err := w.open("household_phones", "phone", "household")
	if err != nil {
		return err
	}
	offID := func(i int32) string {
		if i < 0 {
			return ""
		}
		return g.offs[i].id
	}
	var st stamps
	for _, i := range order {
		x := &g.hh[i]
		h := x.h
		if err := hs.add(ctx, x.id, h.Community, h.Grid, h.Address, h.Building, h.Unit, h.Room, h.AddressKey,
			h.HeadName, jsonText(h.Phones), h.Residents, jsonText(h.Tags), offID(x.wechatBy), dbTime(x.wechatAt),
			dbTime(x.lastMet), offID(x.lastBy), h.Notes, false, h.Search, x.rev, dbTime(x.created), dbTime(st.next(x.touched))); err != nil {
			return err
		}
		for _, p := range h.Phones {
			if err := ps.add(ctx, p, x.id); err != nil {
				return err
			}
		}
	}
	if err := w.done(hs); err != nil {
		return err
	}
	return w.done(ps)
}
