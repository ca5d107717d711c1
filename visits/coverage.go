package visits

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// CoverageRow is one community, grid or officer in the coverage review.
type CoverageRow struct {
	Label       string
	Community   string // for the drill-down link
	Grid        string
	Households  int
	Visited30   int
	Visited90   int
	Never       int
	WeChat      int
	Visits30    int // visits in the last 30 days (officer rows)
	Confirmed30 int // of those, confirmed by the resident
	Denied30    int // residents who said the officer never came
	RatingSum   int
	Rated       int
}

// Coverage is the deputy chief's review (DESIGN §8).
type Coverage struct {
	Station     CoverageRow
	Communities []CoverageRow
	Grids       []CoverageRow
	Officers    []CoverageRow
}

func pct(n, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%d%%", (n*100+of/2)/of)
}

// ComputeCoverage counts, from the registry and the last 30 days of visits,
// how well the station's households are covered.
func (s *Store) Coverage(ctx context.Context, now time.Time) (Coverage, error) {
	app := s.app
	var cov Coverage
	d30, d90 := station.DBTime(now.AddDate(0, 0, -30)), station.DBTime(now.AddDate(0, 0, -90))
	var rows []struct {
		Community string `db:"community"`
		Grid      string `db:"grid"`
		Total     int    `db:"total"`
		V30       int    `db:"v30"`
		V90       int    `db:"v90"`
		Never     int    `db:"never"`
		WeChat    int    `db:"wechat"`
	}
	// Every SUM is COALESCEd: over no rows SQL's SUM is NULL, not 0.
	err := app.DB().NewQuery(`SELECT community, grid, COUNT(*) AS total,
		COALESCE(SUM(last_visited_at >= {:d30}), 0) AS v30, COALESCE(SUM(last_visited_at >= {:d90}), 0) AS v90,
		COALESCE(SUM(last_visited_at = '' OR last_visited_at IS NULL), 0) AS never, COALESCE(SUM(wechat_contact != ''), 0) AS wechat
		FROM households WHERE archived = FALSE GROUP BY community, grid`).
		Bind(dbx.Params{"d30": d30, "d90": d90}).WithContext(ctx).All(&rows)
	if err != nil {
		return cov, station.Internal(err, "coverage")
	}
	names := map[string]string{}
	var places []*core.Record
	if err := app.RecordQuery("communities").OrderBy("name ASC").All(&places); err != nil {
		return cov, station.Internal(err, "communities")
	}
	var grids []*core.Record
	if err := app.RecordQuery("grids").OrderBy("name ASC").All(&grids); err != nil {
		return cov, station.Internal(err, "grids")
	}
	for _, r := range grids {
		names[r.Id] = r.GetString("name")
	}
	add := func(to *CoverageRow, r CoverageRow) {
		to.Households += r.Households
		to.Visited30 += r.Visited30
		to.Visited90 += r.Visited90
		to.Never += r.Never
		to.WeChat += r.WeChat
	}
	byComm := map[string]*CoverageRow{}
	for _, c := range places {
		byComm[c.Id] = &CoverageRow{Label: c.GetString("name"), Community: c.Id}
	}
	cov.Station.Label = i18n.T("coverage.station")
	for _, r := range rows {
		row := CoverageRow{Households: r.Total, Visited30: r.V30, Visited90: r.V90, Never: r.Never, WeChat: r.WeChat, Community: r.Community, Grid: r.Grid}
		add(&cov.Station, row)
		if c := byComm[r.Community]; c != nil {
			add(c, row)
			row.Label = c.Label + " · " + names[r.Grid]
			if r.Grid == "" {
				row.Label = c.Label + " · " + i18n.T("household.no_grid")
			}
			cov.Grids = append(cov.Grids, row)
		}
	}
	for _, c := range places {
		cov.Communities = append(cov.Communities, *byComm[c.Id])
	}

	// Officers: their communities' households, and their last 30 days.
	var offs []*core.Record
	if err := app.RecordQuery("officers").AndWhere(dbx.HashExp{"role": station.RoleOfficer, "active": true}).OrderBy("badge ASC").All(&offs); err != nil {
		return cov, station.Internal(err, "officers")
	}
	var vrows []struct {
		Officer   string `db:"officer"`
		Visits    int    `db:"visits"`
		Confirmed int    `db:"confirmed"`
		Denied    int    `db:"denied"`
		RatingSum int    `db:"rating_sum"`
		Rated     int    `db:"rated"`
	}
	err = app.DB().NewQuery(`SELECT officer, COUNT(*) AS visits,
		COALESCE(SUM(resident_answer = 'confirmed'), 0) AS confirmed, COALESCE(SUM(resident_answer = 'denied'), 0) AS denied,
		COALESCE(SUM(CASE WHEN resident_answer = 'confirmed' AND resident_rating > 0 THEN resident_rating END), 0) AS rating_sum,
		COALESCE(SUM(resident_answer = 'confirmed' AND resident_rating > 0), 0) AS rated
		FROM visits WHERE visited_at >= {:d30} GROUP BY officer`).
		Bind(dbx.Params{"d30": d30}).WithContext(ctx).All(&vrows)
	if err != nil {
		return cov, station.Internal(err, "coverage visits")
	}
	byOfficer := map[string]int{}
	for i, v := range vrows {
		byOfficer[v.Officer] = i
	}
	for _, o := range offs {
		row := CoverageRow{Label: o.GetString("name") + " " + o.GetString("badge")}
		for _, c := range o.GetStringSlice("communities") {
			if cr := byComm[c]; cr != nil {
				add(&row, *cr)
			}
		}
		if i, ok := byOfficer[o.Id]; ok {
			v := vrows[i]
			row.Visits30, row.Confirmed30, row.Denied30, row.RatingSum, row.Rated = v.Visits, v.Confirmed, v.Denied, v.RatingSum, v.Rated
		}
		cov.Officers = append(cov.Officers, row)
	}
	return cov, nil
}

// CoveragePage is the coverage review.
func CoveragePage(layout pwa.Layout, o *station.Officer, cov Coverage) g.Node {
	areaTable := func(rows []CoverageRow) g.Node {
		return h.Div(h.Class("table-wrap"), h.Table(
			h.THead(h.Tr(
				h.Th(g.Text(i18n.T("coverage.area"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.households"))),
				h.Th(h.Class("num"), g.Text(i18n.T("coverage.v30"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.v90"))),
				h.Th(h.Class("num"), g.Text(i18n.T("coverage.never"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.wechat"))),
			)),
			h.TBody(g.Map(rows, func(r CoverageRow) g.Node {
				q := url.Values{"days": {"30"}}
				if r.Community != "" {
					q.Set("community", r.Community)
				}
				if r.Grid != "" {
					q.Set("grid", r.Grid)
				}
				return h.Tr(
					h.Td(g.Text(r.Label)), h.Td(h.Class("num"), g.Textf("%d", r.Households)),
					h.Td(h.Class("num"), g.Textf("%d (%s)", r.Visited30, pct(r.Visited30, r.Households))),
					h.Td(h.Class("num"), g.Textf("%d (%s)", r.Visited90, pct(r.Visited90, r.Households))),
					h.Td(h.Class("num"), h.A(h.Href("/households?"+q.Encode()), g.Textf("%d", r.Never))),
					h.Td(h.Class("num"), g.Text(pct(r.WeChat, r.Households))),
				)
			})),
		))
	}
	return layout(pwa.Page{
		Title:   i18n.T("coverage.title"),
		Officer: o,
		Nav:     "/coverage",
		Body: []g.Node{
			h.Section(h.Class("card"),
				h.H1(g.Text(i18n.T("coverage.title"))),
				h.P(h.Class("lead"), g.Text(i18n.T("coverage.lead", cov.Station.Households, pct(cov.Station.Visited30, cov.Station.Households), cov.Station.Never, pct(cov.Station.WeChat, cov.Station.Households)))),
				h.P(h.Class("small muted"), g.Text(i18n.T("coverage.drill"))),
			),
			h.Section(h.Class("card"), h.H2(g.Text(i18n.T("coverage.by_officer"))),
				h.Div(h.Class("table-wrap"), h.Table(
					h.THead(h.Tr(
						h.Th(g.Text(i18n.T("board.officer"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.households"))),
						h.Th(h.Class("num"), g.Text(i18n.T("coverage.v30"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.visits30"))),
						h.Th(h.Class("num"), g.Text(i18n.T("coverage.confirmed"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.rating"))),
						h.Th(h.Class("num"), g.Text(i18n.T("coverage.denied"))),
					)),
					h.TBody(g.Map(cov.Officers, func(r CoverageRow) g.Node {
						rating := "—"
						if r.Rated > 0 {
							rating = fmt.Sprintf("%.1f", float64(r.RatingSum)/float64(r.Rated))
						}
						return h.Tr(
							h.Td(g.Text(r.Label)), h.Td(h.Class("num"), g.Textf("%d", r.Households)),
							h.Td(h.Class("num"), g.Text(pct(r.Visited30, r.Households))),
							h.Td(h.Class("num"), g.Textf("%d", r.Visits30)),
							h.Td(h.Class("num"), g.Text(pct(r.Confirmed30, r.Visits30))),
							h.Td(h.Class("num"), g.Text(rating)),
							h.Td(h.Class("num"), g.If(r.Denied30 > 0, h.Span(h.Class("tag bad"), g.Textf("%d", r.Denied30))), g.If(r.Denied30 == 0, g.Text("0"))),
						)
					})),
				)),
			),
			h.Section(h.Class("card"), h.H2(g.Text(i18n.T("coverage.by_community"))), areaTable(append([]CoverageRow{cov.Station}, cov.Communities...))),
			h.Section(h.Class("card"), h.H2(g.Text(i18n.T("coverage.by_grid"))), areaTable(cov.Grids)),
		},
	})
}

type coverageStore interface {
	Coverage(ctx context.Context, now time.Time) (Coverage, error)
}

// HandleCoverage serves /coverage.
func HandleCoverage(store coverageStore, layout pwa.Layout) pwa.Handler {
	return func(ec echo.Context) (g.Node, error) {
		cov, err := store.Coverage(ec.Request().Context(), time.Now())
		if err != nil {
			return nil, err
		}
		return CoveragePage(layout, station.OfficerFrom(ec.Request().Context()), cov), nil
	}
}
