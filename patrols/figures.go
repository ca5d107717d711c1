package patrols

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/xuri/excelize/v2"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/station"
)

// FigureRow is one community's year of patrols (or the total).
type FigureRow struct {
	Community   string // id; "" for the total
	Name        string
	Volunteers  int // active volunteers now
	PersonTurns int // 人次: volunteers present, summed over the year's shifts
	Shifts      int
	Reports     int // reports found (reported) in the year
	Handled     int // reports closed as handled in the year
	Dismissed   int // reports dismissed in the year
	Deeds       int // good deeds of the year
	Published   int // of those, on the praise board
}

func (r *FigureRow) add(o FigureRow) {
	r.Volunteers += o.Volunteers
	r.PersonTurns += o.PersonTurns
	r.Shifts += o.Shifts
	r.Reports += o.Reports
	r.Handled += o.Handled
	r.Dismissed += o.Dismissed
	r.Deeds += o.Deeds
	r.Published += o.Published
}

// Figures are the patrols' figures of one year, per community in the
// officer's area and in total (DESIGN §15).
type Figures struct {
	Year  int
	Rows  []FigureRow
	Total FigureRow
}

// Figures counts year's patrols in o's area. Days are station-local: a
// report made at 23:30 on 31 December belongs to that year. A report is
// found in the year it was reported and handled in the year it was closed.
func (s *Store) Figures(ctx context.Context, o *station.Officer, year int) (Figures, error) {
	f := Figures{Year: year, Total: FigureRow{Name: i18n.T("patrols.figures_total")}}
	places, err := s.Places(ctx, o)
	if err != nil {
		return f, err
	}
	rows := map[string]*FigureRow{}
	for _, c := range places {
		f.Rows = append(f.Rows, FigureRow{Community: c.ID, Name: c.Name})
	}
	for i := range f.Rows {
		rows[f.Rows[i].Community] = &f.Rows[i]
	}
	loc := s.settings().Location()
	from := station.DBTime(timeOfYear(year, loc))
	to := station.DBTime(timeOfYear(year+1, loc))
	y0, y1 := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1)
	type count struct {
		Community string `db:"community"`
		A         int    `db:"a"`
		B         int    `db:"b"`
	}
	run := func(what string, q *dbx.SelectQuery, set func(r *FigureRow, c count)) error {
		var cs []count
		if err := inArea(q, "community", o).GroupBy("community").WithContext(ctx).All(&cs); err != nil {
			return station.Internal(err, "figures: "+what)
		}
		for _, c := range cs {
			if r := rows[c.Community]; r != nil {
				set(r, c)
			}
		}
		return nil
	}
	db := s.app.DB()
	steps := []struct {
		what string
		q    *dbx.SelectQuery
		set  func(r *FigureRow, c count)
	}{
		{"shifts", db.Select("community", "COALESCE(SUM(person_turns), 0) AS a", "COUNT(*) AS b").From(ShiftsCollection).
			Where(dbx.NewExp("date >= {:y0} AND date < {:y1}", dbx.Params{"y0": y0, "y1": y1})),
			func(r *FigureRow, c count) { r.PersonTurns, r.Shifts = c.A, c.B }},
		{"reports found", db.Select("community", "COUNT(*) AS a", "(0) AS b").From(ReportsCollection).
			Where(dbx.NewExp("reported_at >= {:from} AND reported_at < {:to}", dbx.Params{"from": from, "to": to})),
			func(r *FigureRow, c count) { r.Reports = c.A }},
		{"reports closed", db.Select("community", "COALESCE(SUM(status = 'handled'), 0) AS a", "COALESCE(SUM(status = 'dismissed'), 0) AS b").From(ReportsCollection).
			Where(dbx.NewExp("closed_at >= {:from} AND closed_at < {:to}", dbx.Params{"from": from, "to": to})),
			func(r *FigureRow, c count) { r.Handled, r.Dismissed = c.A, c.B }},
		{"deeds", db.Select("community", "COUNT(*) AS a", "COALESCE(SUM(published AND consent), 0) AS b").From(DeedsCollection).
			Where(dbx.NewExp("date >= {:y0} AND date < {:y1}", dbx.Params{"y0": y0, "y1": y1})),
			func(r *FigureRow, c count) { r.Deeds, r.Published = c.A, c.B }},
		{"volunteers", db.Select("community", "COUNT(*) AS a", "(0) AS b").From(VolunteersCollection).
			Where(dbx.HashExp{"active": true}),
			func(r *FigureRow, c count) { r.Volunteers = c.A }},
	}
	for _, st := range steps {
		if err := run(st.what, st.q, st.set); err != nil {
			return f, err
		}
	}
	for _, r := range f.Rows {
		f.Total.add(r)
	}
	return f, nil
}

// figureColumns are the figures' columns, in the page's and the
// workbook's order.
var figureColumns = []string{
	"patrols.col_community", "patrols.col_volunteers", "patrols.col_person_turns", "patrols.col_shifts",
	"patrols.col_reports", "patrols.col_handled", "patrols.col_dismissed", "patrols.col_deeds", "patrols.col_published",
}

func (r FigureRow) cells() []int {
	return []int{r.Volunteers, r.PersonTurns, r.Shifts, r.Reports, r.Handled, r.Dismissed, r.Deeds, r.Published}
}

// FiguresSection is the year's figures as a card, for the patrols page and
// the coverage review. It needs no script and prints as it shows.
func FiguresSection(f Figures) g.Node {
	row := func(r FigureRow, total bool) g.Node {
		return h.Tr(g.If(total, h.Class("total")),
			h.Td(g.Text(r.Name)),
			g.Map(r.cells(), func(n int) g.Node { return h.Td(h.Class("num"), g.Text(strconv.Itoa(n))) }),
		)
	}
	return h.Section(h.Class("card"), h.ID("patrol-figures"),
		h.Div(h.Class("spread"),
			h.H2(g.Text(i18n.T("patrols.figures_title", f.Year))),
			h.A(h.Class("button no-print"), h.Href(fmt.Sprintf("/patrols/figures.xlsx?year=%d", f.Year)), g.Text(i18n.T("patrols.figures_xlsx"))),
		),
		h.P(h.Class("small muted"), g.Text(i18n.T("patrols.figures_lead"))),
		h.Div(h.Class("table-wrap"), h.Table(
			h.THead(h.Tr(g.Map(figureColumns, func(k string) g.Node {
				return h.Th(g.If(k != "patrols.col_community", h.Class("num")), g.Text(i18n.T(k)))
			}))),
			h.TBody(
				g.Map(f.Rows, func(r FigureRow) g.Node { return row(r, false) }),
				row(f.Total, true),
			),
		)),
	)
}

// WriteFiguresXLSX writes the year's figures as a workbook with Chinese
// headers: one row per community and the total.
func WriteFiguresXLSX(w io.Writer, f Figures) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := i18n.T("patrols.figures_sheet", f.Year)
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	if err := x.SetSheetRow(sheet, "A1", &[]any{i18n.T("patrols.figures_title", f.Year)}); err != nil {
		return err
	}
	head := make([]any, len(figureColumns))
	for i, k := range figureColumns {
		head[i] = i18n.T(k)
	}
	if err := x.SetSheetRow(sheet, "A2", &head); err != nil {
		return err
	}
	if style, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}}}); err == nil {
		_ = x.SetRowStyle(sheet, 2, 2, style)
	}
	for i, r := range append(append([]FigureRow{}, f.Rows...), f.Total) {
		cells := []any{r.Name}
		for _, n := range r.cells() {
			cells = append(cells, n)
		}
		if err := x.SetSheetRow(sheet, fmt.Sprintf("A%d", i+3), &cells); err != nil {
			return err
		}
	}
	_ = x.SetColWidth(sheet, "A", "A", 16)
	_ = x.SetColWidth(sheet, "B", "I", 12)
	_, err := x.WriteTo(w)
	return err
}

// timeOfYear is the first instant of year in loc.
func timeOfYear(year int, loc *time.Location) time.Time {
	return time.Date(year, time.January, 1, 0, 0, 0, 0, loc)
}
