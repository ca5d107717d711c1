package visits

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"
	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// CoverageSections are what features above the visit log put on the
// coverage page (the mediation log's figures, the patrols'); the app
// provides them.
type CoverageSections func(ctx context.Context, o *station.Officer, scope Scope, now time.Time) ([]g.Node, error)

// householdsLink is the registry search that lists exactly the households
// a figure of sc counts.
func householdsLink(sc Scope, extra ...string) string {
	v := sc.Values()
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/households?" + v.Encode()
}

// visitsLink is the visit list that lists exactly the visits a figure of
// sc counts.
func visitsLink(sc Scope, extra ...string) string {
	v := sc.Values()
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/coverage/visits?" + v.Encode()
}

func num(n int, href string) g.Node {
	return h.A(h.Href(href), g.Text(strconv.Itoa(n)))
}

// CoveragePage is the deputy chief's coverage review of one scope.
func CoveragePage(layout pwa.Layout, o *station.Officer, cov *Coverage, extra []g.Node, loc *time.Location) g.Node {
	t := cov.Total.F
	week := cov.Now.In(loc)
	weekStart := time.Date(week.Year(), week.Month(), week.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, -((int(week.Weekday()) + 6) % 7)).Format(time.DateOnly)
	areaHeader := i18n.T("coverage.area")
	if cov.Scope.Community != "" && cov.Scope.Grid == "" {
		areaHeader = i18n.T("coverage.grid")
	}
	table := func(label string, rows []Row, drill func(Row) string) g.Node {
		return h.Div(h.Class("table-wrap"), h.Table(h.Class("coverage"),
			h.THead(h.Tr(
				h.Th(g.Text(label)), h.Th(h.Class("num"), g.Text(i18n.T("coverage.households"))),
				h.Th(h.Class("num"), g.Text(i18n.T("coverage.v30"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.v90"))),
				h.Th(h.Class("num"), g.Text(i18n.T("coverage.never"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.wechat"))),
				h.Th(h.Class("num"), g.Text(i18n.T("coverage.week"))),
				h.Th(h.Class("num"), g.Text(i18n.T("coverage.visits30"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.confirmed"))),
				h.Th(h.Class("num"), g.Text(i18n.T("coverage.rating"))), h.Th(h.Class("num"), g.Text(i18n.T("coverage.denied"))),
			)),
			h.TBody(g.Map(rows, func(r Row) g.Node {
				f, sc := r.F, r.Scope
				return h.Tr(
					h.Td(g.Iff(drill != nil, func() g.Node { return h.A(h.Href(drill(r)), g.Text(r.Label)) }), g.If(drill == nil, g.Text(r.Label))),
					h.Td(h.Class("num"), num(f.Households, householdsLink(sc))),
					h.Td(h.Class("num"), num(f.Visited30, householdsLink(sc, "visited", "30", "sort", "recent")), h.Span(h.Class("muted small"), g.Text(" "+Percent(f.Visited30, f.Households)))),
					h.Td(h.Class("num"), num(f.Visited90, householdsLink(sc, "visited", "90", "sort", "recent")), h.Span(h.Class("muted small"), g.Text(" "+Percent(f.Visited90, f.Households)))),
					h.Td(h.Class("num"), num(f.Never, householdsLink(sc, "never", "1"))),
					h.Td(h.Class("num"), h.A(h.Href(householdsLink(sc, "wechat", "1")), g.Text(Percent(f.WeChat, f.Households)))),
					h.Td(h.Class("num"), h.A(h.Href(visitsLink(sc, "from", weekStart, "met", "1")), g.Textf("%d", f.WeekHomes)),
						g.If(f.WeekHomesTarget > 0, g.Textf("/%d", f.WeekHomesTarget)),
						h.Span(h.Class("muted small"), g.Text(" "+i18n.T("coverage.week_wechat", f.WeekWeChat)))),
					h.Td(h.Class("num"), num(f.Visits, visitsLink(sc, "days", "30"))),
					h.Td(h.Class("num"), h.A(h.Href(visitsLink(sc, "days", "30", "answer", "confirmed")), g.Text(Percent(f.Confirmed, f.Visits)))),
					h.Td(h.Class("num"), h.A(h.Href(visitsLink(sc, "days", "30", "answer", "rated")), g.Text(f.AverageRating()))),
					h.Td(h.Class("num"), h.A(h.Href(visitsLink(sc, "days", "30", "answer", "denied")), c.Classes{"tag bad": f.Denied > 0}, g.Textf("%d", f.Denied))),
				)
			})),
		))
	}
	var areaDrill func(Row) string
	switch {
	case cov.Scope.Officer != "" || cov.Scope.Community == "":
		areaDrill = func(r Row) string { return "/coverage?" + r.Scope.Values().Encode() }
	case cov.Scope.Grid == "":
		areaDrill = func(r Row) string { return householdsLink(r.Scope, "sort", "last_visited") }
	}
	labels := make([]string, len(cov.Trend))
	vs, met := make([]int, len(cov.Trend)), make([]int, len(cov.Trend))
	for i, d := range cov.Trend {
		labels[i], vs[i], met[i] = d.Day.Format("01-02"), d.Visits, d.Met
	}
	ratings := []int{t.Ratings[1], t.Ratings[2], t.Ratings[3], t.Ratings[4], t.Ratings[5]}
	xlsx := "/coverage.xlsx"
	if q := cov.Scope.Values().Encode(); q != "" {
		xlsx += "?" + q
	}
	return layout(pwa.Page{
		Title:   cov.Title,
		Officer: o,
		Nav:     "/coverage",
		Class:   "office",
		Body: []g.Node{
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(cov.Title)),
					h.Div(h.Class("row no-print"),
						g.If(cov.Scope != (Scope{}), h.A(h.Class("button"), h.Href("/coverage"), g.Text(i18n.T("coverage.back")))),
						h.A(h.Class("button"), h.Href(xlsx), g.Text(i18n.T("coverage.download"))),
					),
				),
				h.P(h.Class("lead"), g.Text(i18n.T("coverage.lead", t.Households, Percent(t.Visited30, t.Households), t.Never, Percent(t.WeChat, t.Households)))),
				h.P(h.Class("small muted"), g.Text(i18n.T("coverage.drill"))),
				table(i18n.T("coverage.total"), []Row{cov.Total}, nil),
			),
			h.Section(h.Class("card"), h.H2(g.Text(i18n.T("coverage.trend"))),
				pwa.BarChart(i18n.T("coverage.trend_title", TrendWeeks), labels,
					pwa.Series{Name: i18n.T("coverage.trend_visits"), Values: vs, Class: "s1"},
					pwa.Series{Name: i18n.T("coverage.trend_met"), Values: met, Class: "s2"})),
			g.If(len(cov.Areas) > 0, h.Section(h.Class("card"), h.H2(g.Text(i18n.T("coverage.by_area"))), table(areaHeader, cov.Areas, areaDrill))),
			g.If(len(cov.Officers) > 0, h.Section(h.Class("card"), h.H2(g.Text(i18n.T("coverage.by_officer"))),
				table(i18n.T("board.officer"), cov.Officers, func(r Row) string { return "/coverage?" + r.Scope.Values().Encode() }))),
			h.Div(h.Class("coverage-grid"),
				h.Section(h.Class("card"), h.ID("satisfaction"),
					h.H2(g.Text(i18n.T("coverage.satisfaction"))),
					h.P(h.Class("lead"), h.Strong(h.Class("figure-big"), h.ID("satisfaction-figure"), g.Text(t.Satisfaction())), g.Text(" "+i18n.T("coverage.satisfaction_label"))),
					h.P(h.Class("small muted"), g.Text(i18n.T("coverage.satisfaction_formula", t.Ratings[4]+t.Ratings[5], t.Rated, t.Denied))),
					h.P(g.Text(i18n.T("coverage.satisfaction_lead", Percent(t.Confirmed, t.Visits), t.AverageRating(), t.Rated))),
					pwa.BarChart(i18n.T("coverage.ratings_title"), []string{"1★", "2★", "3★", "4★", "5★"},
						pwa.Series{Name: i18n.T("coverage.ratings_n"), Values: ratings, Class: "s1"}),
				),
				h.Section(h.Class("card"), h.ID("feed"),
					h.Div(h.Class("spread"), h.H2(g.Text(i18n.T("coverage.feed"))),
						h.A(h.Class("no-print"), h.Href(visitsLink(cov.Scope, "days", "30", "answer", "commented")), g.Text(i18n.T("coverage.feed_all")))),
					g.If(len(cov.Feed) == 0, pwa.EmptyState(i18n.T("coverage.feed_none"))),
					g.If(len(cov.Feed) > 0, h.Ul(h.Class("list"), g.Map(cov.Feed, func(a Answer) g.Node { return answerItem(a, loc) }))),
				),
			),
			h.Section(h.Class("card"), h.ID("flags"),
				h.H2(g.Text(i18n.T("coverage.flags"))),
				h.P(h.Class("small muted"), g.Text(i18n.T("coverage.flags_lead"))),
				g.Map(cov.Flags, func(f Flag) g.Node { return flagBlock(f, loc) }),
			),
			g.Group(extra),
		},
	})
}

func answerItem(a Answer, loc *time.Location) g.Node {
	return h.Li(h.Div(h.Class("item"),
		h.Div(h.Class("spread"),
			h.Span(h.Class("title"), g.If(a.Synced, h.A(h.Href("/visits/"+a.Visit), g.Text(orDash(a.Address)))), g.If(!a.Synced, g.Text(i18n.T("coverage.unsynced_visit")))),
			g.If(a.Denied, h.Span(h.Class("tag bad"), g.Text(i18n.T("book.denied")))),
			g.If(!a.Denied && a.Rating > 0, h.Span(h.Class("tag ok"), g.Text(strings.Repeat("★", a.Rating)))),
		),
		h.Div(h.Class("meta"), g.Text(pwa.DateTime(a.At, loc)+" · "+a.Officer)),
		g.If(a.Comment != "", h.P(g.Text(a.Comment))),
	))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func flagBlock(f Flag, loc *time.Location) g.Node {
	return h.Div(h.Class("flag"), g.Attr("data-flag", f.Key),
		h.H3(g.Text(FlagTitle(f.Key)), g.Text(" "), h.Span(c.Classes{"tag": true, "bad": f.Total > 0}, g.Attr("data-count", strconv.Itoa(f.Total)), g.Textf("%d", f.Total))),
		h.P(h.Class("small muted"), g.Text(i18n.T("flag."+f.Key+"_lead"))),
		g.If(f.Total > len(f.Items), h.P(h.Class("small muted"), g.Text(i18n.T("flag.more", f.Total, len(f.Items))))),
		g.If(len(f.Items) > 0, h.Div(h.Class("table-wrap"), h.Table(
			h.THead(h.Tr(h.Th(g.Text(i18n.T("flag.col.visit"))), h.Th(g.Text(i18n.T("flag.col.officer"))), h.Th(g.Text(i18n.T("flag.col.visited_at"))),
				h.Th(g.Text(i18n.T("flag.col.answered_at"))), h.Th(g.Text(i18n.T("flag.col.answer"))))),
			h.TBody(g.Map(f.Items, func(a Answer) g.Node {
				return h.Tr(
					h.Td(g.If(a.Synced, h.A(h.Href("/visits/"+a.Visit), g.Text(orDash(a.Address)))), g.If(!a.Synced, h.Code(g.Text(a.Visit)))),
					h.Td(g.Text(a.Officer)), h.Td(g.Text(pwa.DateTime(a.VisitedAt, loc))), h.Td(g.Text(pwa.DateTime(a.At, loc))),
					h.Td(g.Text(answerWords(a))),
				)
			})),
		))),
	)
}

func answerWords(a Answer) string {
	var parts []string
	switch {
	case a.Denied:
		parts = append(parts, i18n.T("book.denied"))
	case a.Rating > 0:
		parts = append(parts, i18n.T("book.confirmed")+" "+strings.Repeat("★", a.Rating))
	default:
		parts = append(parts, i18n.T("book.confirmed"))
	}
	if a.PhoneCheck == "mismatched" {
		parts = append(parts, i18n.T("flag.phone_mismatch"))
	}
	if a.Comment != "" {
		parts = append(parts, a.Comment)
	}
	return strings.Join(parts, "；")
}

type coverageStore interface {
	Coverage(ctx context.Context, scope Scope, st station.Settings, now time.Time) (*Coverage, error)
	Flags(ctx context.Context, scope Scope, now time.Time, limit int) ([]Flag, error)
}

// HandleCoverage serves /coverage?community=&grid=&officer= and, with
// xlsx, /coverage.xlsx: every table and list of the page as sheets.
func HandleCoverage(store coverageStore, layout pwa.Layout, settings func() station.Settings, sections CoverageSections, xlsx bool) pwa.Handler {
	return func(ec echo.Context) (g.Node, error) {
		ctx := ec.Request().Context()
		o := station.OfficerFrom(ctx)
		st := settings()
		now := time.Now()
		scope := ScopeOf(ec.QueryParams())
		cov, err := store.Coverage(ctx, scope, st, now)
		if err != nil {
			return nil, err
		}
		if xlsx {
			// The workbook holds every flagged visit, not the page's latest.
			if cov.Flags, err = store.Flags(ctx, scope, now, FlagWorkbook); err != nil {
				return nil, err
			}
			return nil, WriteCoverageXLSX(pwa.XLSX(ec, "coverage.xlsx", cov.Title+"-"+now.In(st.Location()).Format("2006-01-02")+".xlsx"), cov, st.Location())
		}
		var extra []g.Node
		if sections != nil {
			if extra, err = sections(ctx, o, scope, now); err != nil {
				return nil, err
			}
		}
		return CoveragePage(layout, o, cov, extra, st.Location()), nil
	}
}

// WriteCoverageXLSX writes a coverage page as a workbook: the figures of
// the scope, its areas and officers, the trend, the residents' answers and
// each flag with its visits.
func WriteCoverageXLSX(w io.Writer, cov *Coverage, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}}})
	first := true
	sheet := func(name string, widths []float64, header []string, rows [][]any) error {
		if first {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
			first = false
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		hdr := make([]any, len(header))
		for i, k := range header {
			hdr[i] = k
		}
		if err := f.SetSheetRow(name, "A1", &hdr); err != nil {
			return err
		}
		_ = f.SetRowStyle(name, 1, 1, head)
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := f.SetSheetRow(name, cell, &r); err != nil {
				return err
			}
		}
		for i, wd := range widths {
			col, _ := excelize.ColumnNumberToName(i + 1)
			_ = f.SetColWidth(name, col, col, wd)
		}
		return f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	figHeader := []string{i18n.T("coverage.area"), i18n.T("coverage.households"), i18n.T("coverage.v30"), i18n.T("coverage.v90"), i18n.T("coverage.never"),
		i18n.T("coverage.wechat_n"), i18n.T("coverage.week_homes"), i18n.T("coverage.week_target"), i18n.T("coverage.week_wechat_n"),
		i18n.T("coverage.visits30"), i18n.T("coverage.confirmed_n"), i18n.T("coverage.rated_n"), i18n.T("coverage.rating"), i18n.T("coverage.denied"),
		i18n.T("coverage.satisfaction_label")}
	figRows := func(rows []Row) [][]any {
		out := make([][]any, len(rows))
		for i, r := range rows {
			x := r.F
			out[i] = []any{r.Label, x.Households, x.Visited30, x.Visited90, x.Never, x.WeChat, x.WeekHomes, x.WeekHomesTarget, x.WeekWeChat,
				x.Visits, x.Confirmed, x.Rated, x.AverageRating(), x.Denied, x.Satisfaction()}
		}
		return out
	}
	widths := []float64{22, 8, 10, 10, 10, 8, 10, 10, 10, 10, 10, 10, 8, 8, 10}
	if err := sheet(i18n.T("coverage.sheet.total"), widths, figHeader, figRows(append([]Row{cov.Total}, cov.Areas...))); err != nil {
		return err
	}
	if len(cov.Officers) > 0 {
		if err := sheet(i18n.T("coverage.sheet.officers"), widths, figHeader, figRows(cov.Officers)); err != nil {
			return err
		}
	}
	var trend [][]any
	for _, d := range cov.Trend {
		trend = append(trend, []any{d.Day.Format("2006-01-02"), d.Visits, d.Met})
	}
	if err := sheet(i18n.T("coverage.sheet.trend"), []float64{14, 10, 10}, []string{i18n.T("coverage.day"), i18n.T("coverage.trend_visits"), i18n.T("coverage.trend_met")}, trend); err != nil {
		return err
	}
	answerRows := func(as []Answer) [][]any {
		out := make([][]any, len(as))
		for i, a := range as {
			visited := ""
			if !a.VisitedAt.IsZero() {
				visited = a.VisitedAt.In(loc).Format("2006-01-02 15:04")
			}
			out[i] = []any{a.At.In(loc).Format("2006-01-02 15:04"), a.Officer, a.Address, visited, answerWords(a), a.Visit}
		}
		return out
	}
	answerHeader := []string{i18n.T("flag.col.answered_at"), i18n.T("flag.col.officer"), i18n.T("flag.col.visit"), i18n.T("flag.col.visited_at"), i18n.T("flag.col.answer"), i18n.T("coverage.visit_id")}
	answerWidths := []float64{18, 10, 30, 18, 40, 18}
	if err := sheet(i18n.T("coverage.sheet.feed"), answerWidths, answerHeader, answerRows(cov.Feed)); err != nil {
		return err
	}
	for _, fl := range cov.Flags {
		name := []rune(FlagTitle(fl.Key))
		if len(name) > 28 {
			name = name[:28]
		}
		if err := sheet(string(name), answerWidths, answerHeader, answerRows(fl.Items)); err != nil {
			return err
		}
	}
	_, err := f.WriteTo(w)
	return err
}

// fmtRate is used by the visit list's header.
func fmtRate(n, of int) string { return fmt.Sprintf("%d/%d", n, of) }
