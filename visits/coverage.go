package visits

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// Coverage windows (DESIGN §8): households visited (met) within 30 and 90
// days; residents' answers and ratings of the last 30 days; the trend over
// 12 weeks.
const (
	RecentDays = 30
	LongDays   = 90
	TrendWeeks = 12
)

// Scope is what a coverage page is about: the station (all empty), a
// community, a grid of it, or an officer.
type Scope struct {
	Community string
	Grid      string
	Officer   string
}

// Values is the scope as URL query values.
func (s Scope) Values() url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"community": s.Community, "grid": s.Grid, "officer": s.Officer} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

// ScopeOf reads a scope from URL values.
func ScopeOf(v url.Values) Scope {
	return Scope{Community: v.Get("community"), Grid: v.Get("grid"), Officer: v.Get("officer")}
}

// Figures are one row of the coverage review.
type Figures struct {
	Households, Visited30, Visited90, Never, WeChat int
	// This week (Monday to today, station time): homes visited and new
	// WeChat contacts, against the targets of its visit days so far.
	WeekHomes, WeekWeChat             int
	WeekHomesTarget, WeekWeChatTarget int
	Visits, Confirmed, Denied, Rated  int // the last 30 days
	RatingSum                         int
	Ratings                           [6]int // by stars, 1..5
}

func (f *Figures) addHouseholds(o Figures) {
	f.Households += o.Households
	f.Visited30 += o.Visited30
	f.Visited90 += o.Visited90
	f.Never += o.Never
	f.WeChat += o.WeChat
}

func (f *Figures) addVisits(o Figures) {
	f.Visits += o.Visits
	f.Confirmed += o.Confirmed
	f.Denied += o.Denied
	f.Rated += o.Rated
	f.RatingSum += o.RatingSum
	for i := range f.Ratings {
		f.Ratings[i] += o.Ratings[i]
	}
	f.WeekHomes += o.WeekHomes
	f.WeekWeChat += o.WeekWeChat
}

// Percent is n of of as a whole percentage, "—" when of is 0.
func Percent(n, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%d%%", (n*100+of/2)/of)
}

// AverageRating is the mean of the stars given, "—" without ratings.
func (f Figures) AverageRating() string {
	if f.Rated == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f", float64(f.RatingSum)/float64(f.Rated))
}

// Satisfaction is 群众满意度: the answers with 4 or 5 stars among all
// answers that judged the visit (rated confirmations, and denials, which
// count as dissatisfied). Confirmations without a rating judge nothing.
func (f Figures) Satisfaction() string {
	return Percent(f.Ratings[4]+f.Ratings[5], f.Rated+f.Denied)
}

// Row is a labelled row with what it drills down to.
type Row struct {
	Label string
	Scope Scope
	F     Figures
}

// TrendDay is one visit day of the trend.
type TrendDay struct {
	Day    time.Time
	Visits int
	Met    int
}

// Coverage is a coverage page's content.
type Coverage struct {
	Scope    Scope
	Title    string
	Total    Row
	Areas    []Row // the station's communities, a community's grids, an officer's communities
	Officers []Row
	Trend    []TrendDay
	Feed     []Answer
	Flags    []Flag
	// Names maps community, grid and officer ids to names.
	Names map[string]string
	Now   time.Time
}

// hhRow is one (community, grid) of active households.
type hhRow struct {
	Community string `db:"community"`
	Grid      string `db:"grid"`
	F         Figures
}

// visitRow is one (officer, community, grid) of the running figures.
type visitRow struct {
	Officer, Community, Grid string
	F                        Figures
}

type officerInfo struct {
	ID, Name, Badge string
	Communities     []string
}

// Coverage computes the coverage page of scope at now. Household figures
// come from the registry (one pass over an index of active households),
// visit figures from the running figures of visit_days: at district scale
// no query touches a million visits.
func (s *Store) Coverage(ctx context.Context, scope Scope, st station.Settings, now time.Time) (*Coverage, error) {
	cov := &Coverage{Scope: scope, Now: now, Names: map[string]string{}}
	hh, err := s.householdFigures(ctx, now)
	if err != nil {
		return nil, err
	}
	loc := st.Location()
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	weekStart := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)) // Monday
	vs, err := s.visitFigures(ctx, today.AddDate(0, 0, -RecentDays+1), weekStart, today)
	if err != nil {
		return nil, err
	}
	visitDaysSoFar := 0
	for d := weekStart; !d.After(today); d = d.AddDate(0, 0, 1) {
		if st.IsVisitDay(d) {
			visitDaysSoFar++
		}
	}
	officers, err := s.officerInfos(ctx)
	if err != nil {
		return nil, err
	}
	var comms, grids []*core.Record
	if err := s.app.RecordQuery("communities").WithContext(ctx).OrderBy("name ASC").All(&comms); err != nil {
		return nil, station.Internal(err, "communities")
	}
	if err := s.app.RecordQuery("grids").WithContext(ctx).OrderBy("name ASC").All(&grids); err != nil {
		return nil, station.Internal(err, "grids")
	}
	for _, c := range comms {
		cov.Names[c.Id] = c.GetString("name")
	}
	for _, g := range grids {
		cov.Names[g.Id] = g.GetString("name")
	}
	for _, o := range officers {
		cov.Names[o.ID] = o.Name
	}

	// The figures of any set of areas, and an officer's own.
	inArea := func(sc Scope, community, grid string) bool {
		return (sc.Community == "" || sc.Community == community) && (sc.Grid == "" || sc.Grid == grid)
	}
	officerOf := func(id string) *officerInfo {
		for i := range officers {
			if officers[i].ID == id {
				return &officers[i]
			}
		}
		return nil
	}
	areaFigures := func(sc Scope) Figures {
		var f Figures
		for _, r := range hh {
			if inArea(sc, r.Community, r.Grid) {
				f.addHouseholds(r.F)
			}
		}
		for _, r := range vs {
			if inArea(sc, r.Community, r.Grid) {
				f.addVisits(r.F)
			}
		}
		// Targets: each officer's day targets, shared among the
		// communities they cover, for the visit days so far this week.
		share := 0.0
		for _, o := range officers {
			for _, c := range o.Communities {
				if inArea(Scope{Community: sc.Community}, c, "") && sc.Grid == "" {
					share += 1 / float64(len(o.Communities))
				}
			}
		}
		f.WeekHomesTarget = int(share*float64(st.TargetHomes*visitDaysSoFar) + 0.5)
		f.WeekWeChatTarget = int(share*float64(st.TargetWeChat*visitDaysSoFar) + 0.5)
		return f
	}
	officerFigures := func(o *officerInfo) Figures {
		var f Figures
		for _, r := range hh {
			if slices.Contains(o.Communities, r.Community) {
				f.addHouseholds(r.F)
			}
		}
		for _, r := range vs {
			if r.Officer == o.ID {
				f.addVisits(r.F)
			}
		}
		f.WeekHomesTarget = st.TargetHomes * visitDaysSoFar
		f.WeekWeChatTarget = st.TargetWeChat * visitDaysSoFar
		return f
	}

	officerRow := func(o *officerInfo) Row {
		return Row{Label: o.Name + " " + o.Badge, Scope: Scope{Officer: o.ID}, F: officerFigures(o)}
	}
	switch {
	case scope.Officer != "":
		o := officerOf(scope.Officer)
		if o == nil {
			return nil, &station.Error{Code: station.ENotFound, Message: i18n.T("coverage.no_such_officer")}
		}
		cov.Title = i18n.T("coverage.title_officer", o.Name)
		cov.Total = officerRow(o)
		for _, c := range o.Communities {
			cov.Areas = append(cov.Areas, Row{Label: cov.Names[c], Scope: Scope{Community: c}, F: areaFigures(Scope{Community: c})})
		}
		cov.Officers = []Row{cov.Total}
	case scope.Grid != "":
		cov.Title = i18n.T("coverage.title_grid", cov.Names[scope.Community], cov.Names[scope.Grid])
		cov.Total = Row{Label: cov.Names[scope.Grid], Scope: scope, F: areaFigures(scope)}
	case scope.Community != "":
		if cov.Names[scope.Community] == "" {
			return nil, &station.Error{Code: station.ENotFound, Message: i18n.T("coverage.no_such_area")}
		}
		cov.Title = i18n.T("coverage.title_community", cov.Names[scope.Community])
		cov.Total = Row{Label: cov.Names[scope.Community], Scope: scope, F: areaFigures(scope)}
		seen := map[string]bool{}
		for _, r := range hh {
			if r.Community == scope.Community && !seen[r.Grid] {
				seen[r.Grid] = true
				label := cov.Names[r.Grid]
				if r.Grid == "" {
					label = i18n.T("household.no_grid")
				}
				cov.Areas = append(cov.Areas, Row{Label: label, Scope: Scope{Community: r.Community, Grid: r.Grid}, F: areaFigures(Scope{Community: r.Community, Grid: r.Grid})})
			}
		}
		sort.Slice(cov.Areas, func(i, j int) bool { return cov.Areas[i].Label < cov.Areas[j].Label })
		for i := range officers {
			if slices.Contains(officers[i].Communities, scope.Community) {
				cov.Officers = append(cov.Officers, officerRow(&officers[i]))
			}
		}
	default:
		cov.Title = i18n.T("coverage.title")
		cov.Total = Row{Label: i18n.T("coverage.station"), F: areaFigures(Scope{})}
		for _, c := range comms {
			cov.Areas = append(cov.Areas, Row{Label: c.GetString("name"), Scope: Scope{Community: c.Id}, F: areaFigures(Scope{Community: c.Id})})
		}
		for i := range officers {
			// An officer with no area and no visits in the window (one who
			// handed theirs over) has nothing to review here.
			if r := officerRow(&officers[i]); len(officers[i].Communities) > 0 || r.F.Visits > 0 {
				cov.Officers = append(cov.Officers, r)
			}
		}
	}
	if cov.Trend, err = s.trend(ctx, scope, st, today); err != nil {
		return nil, err
	}
	if cov.Feed, err = s.answers(ctx, scope, now.AddDate(0, 0, -RecentDays), FeedLength); err != nil {
		return nil, err
	}
	if cov.Flags, err = s.Flags(ctx, scope, now, FlagShown); err != nil {
		return nil, err
	}
	return cov, nil
}

// householdFigures counts active households per (community, grid): from
// the registry's search index when the store has the registry and its
// index is built, else in one pass over the covering index.
func (s *Store) householdFigures(ctx context.Context, now time.Time) ([]hhRow, error) {
	recent, long := households.Since(now, RecentDays), households.Since(now, LongDays)
	var counts []households.AreaCount
	var err error
	if s.registry != nil {
		counts, err = s.registry.CountAreas(ctx, recent, long)
	} else {
		counts, err = households.CountAreasSQL(ctx, s.app, recent, long)
	}
	if err != nil {
		return nil, err
	}
	out := make([]hhRow, len(counts))
	for i, r := range counts {
		out[i] = hhRow{Community: r.Community, Grid: r.Grid, F: Figures{Households: r.Households, Visited30: r.Recent, Visited90: r.Long, Never: r.Never, WeChat: r.WeChat}}
	}
	return out, nil
}

// visitFigures sums the running figures of the last 30 days and of this
// week, per (officer, community, grid).
func (s *Store) visitFigures(ctx context.Context, since, weekStart, today time.Time) ([]visitRow, error) {
	var rows []struct {
		Officer   string `db:"officer"`
		Community string `db:"community"`
		Grid      string `db:"grid"`
		Visits    int    `db:"visits"`
		Confirmed int    `db:"confirmed"`
		Denied    int    `db:"denied"`
		Rated     int    `db:"rated"`
		RatingSum int    `db:"rating_sum"`
		R1        int    `db:"r1"`
		R2        int    `db:"r2"`
		R3        int    `db:"r3"`
		R4        int    `db:"r4"`
		R5        int    `db:"r5"`
		WeekHomes int    `db:"week_homes"`
		WeekNew   int    `db:"week_wechat"`
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	err := s.app.DB().NewQuery(`SELECT officer, community, grid,
		COALESCE(SUM(CASE WHEN day >= {:since} THEN visits END), 0) AS visits,
		COALESCE(SUM(CASE WHEN day >= {:since} THEN confirmed END), 0) AS confirmed,
		COALESCE(SUM(CASE WHEN day >= {:since} THEN denied END), 0) AS denied,
		COALESCE(SUM(CASE WHEN day >= {:since} THEN rated END), 0) AS rated,
		COALESCE(SUM(CASE WHEN day >= {:since} THEN rating_sum END), 0) AS rating_sum,
		COALESCE(SUM(CASE WHEN day >= {:since} THEN r1 END), 0) AS r1, COALESCE(SUM(CASE WHEN day >= {:since} THEN r2 END), 0) AS r2,
		COALESCE(SUM(CASE WHEN day >= {:since} THEN r3 END), 0) AS r3, COALESCE(SUM(CASE WHEN day >= {:since} THEN r4 END), 0) AS r4,
		COALESCE(SUM(CASE WHEN day >= {:since} THEN r5 END), 0) AS r5,
		COALESCE(SUM(CASE WHEN day >= {:week} THEN homes END), 0) AS week_homes,
		COALESCE(SUM(CASE WHEN day >= {:week} THEN wechat_new END), 0) AS week_wechat
		FROM visit_days WHERE day >= {:from} AND day <= {:today} GROUP BY officer, community, grid`).
		Bind(dbx.Params{"since": day(since), "week": day(weekStart), "from": day(earlier(since, weekStart)), "today": day(today)}).
		WithContext(ctx).All(&rows)
	if err != nil {
		return nil, station.Internal(err, "coverage visits")
	}
	out := make([]visitRow, len(rows))
	for i, r := range rows {
		out[i] = visitRow{Officer: r.Officer, Community: r.Community, Grid: r.Grid, F: Figures{
			Visits: r.Visits, Confirmed: r.Confirmed, Denied: r.Denied, Rated: r.Rated, RatingSum: r.RatingSum,
			Ratings: [6]int{0, r.R1, r.R2, r.R3, r.R4, r.R5}, WeekHomes: r.WeekHomes, WeekWeChat: r.WeekNew,
		}}
	}
	return out, nil
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// FeedLength is how many of the latest comments and denials the coverage
// page shows; the rest are a link away.
const FeedLength = 8

// officerInfos are the community officers in post (the deputy chief keeps
// no area), by badge.
func (s *Store) officerInfos(ctx context.Context) ([]officerInfo, error) {
	var recs []*core.Record
	err := s.app.RecordQuery("officers").WithContext(ctx).AndWhere(dbx.HashExp{"role": station.RoleOfficer, "active": true}).OrderBy("badge ASC").All(&recs)
	if err != nil {
		return nil, station.Internal(err, "officers")
	}
	out := make([]officerInfo, len(recs))
	for i, r := range recs {
		out[i] = officerInfo{ID: r.Id, Name: r.GetString("name"), Badge: r.GetString("badge"), Communities: r.GetStringSlice("communities")}
	}
	return out, nil
}

// trend is the visits of each visit day of the last 12 weeks in scope.
func (s *Store) trend(ctx context.Context, scope Scope, st station.Settings, today time.Time) ([]TrendDay, error) {
	from := today.AddDate(0, 0, -7*TrendWeeks+1)
	q := s.app.DB().Select("day", "COALESCE(SUM(visits), 0) AS visits", "COALESCE(SUM(met), 0) AS met").From(daysTable).
		Where(dbx.NewExp("day >= {:from} AND day <= {:today}", dbx.Params{"from": from.Format(time.DateOnly), "today": today.Format(time.DateOnly)})).
		GroupBy("day")
	if scope.Officer != "" {
		q = q.AndWhere(dbx.HashExp{"officer": scope.Officer})
	}
	if scope.Community != "" {
		q = q.AndWhere(dbx.HashExp{"community": scope.Community})
	}
	if scope.Grid != "" {
		q = q.AndWhere(dbx.HashExp{"grid": scope.Grid})
	}
	var rows []struct {
		Day    string `db:"day"`
		Visits int    `db:"visits"`
		Met    int    `db:"met"`
	}
	if err := q.WithContext(ctx).All(&rows); err != nil {
		return nil, station.Internal(err, "trend")
	}
	byDay := map[string][2]int{}
	for _, r := range rows {
		byDay[r.Day] = [2]int{r.Visits, r.Met}
	}
	var out []TrendDay
	for d := from; !d.After(today); d = d.AddDate(0, 0, 1) {
		if !st.IsVisitDay(d) {
			continue
		}
		f := byDay[d.Format(time.DateOnly)]
		out = append(out, TrendDay{Day: d, Visits: f[0], Met: f[1]})
	}
	return out, nil
}
