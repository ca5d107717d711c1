package mediation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// Tally counts cases by how they ended. Success rate is settled over
// settled plus failed: a case referred elsewhere or withdrawn by the
// parties was neither settled nor failed by the room, and one still open
// has not ended; they are counted apart.
type Tally struct {
	Cases     int
	Open      int
	Settled   int
	Failed    int
	Referred  int
	Withdrawn int
	// days holds the days to settle of each settled case.
	days []int
}

func (t *Tally) add(r figureRow, loc *time.Location) {
	t.Cases++
	switch r.Status {
	case StatusOpen:
		t.Open++
	case StatusSettled:
		t.Settled++
		if !r.Opened.IsZero() && !r.Closed.IsZero() {
			t.days = append(t.days, max(pwa.DaysBetween(r.Opened, r.Closed, loc), 0))
		}
	case StatusFailed:
		t.Failed++
	case StatusReferred:
		t.Referred++
	case StatusWithdrawn:
		t.Withdrawn++
	}
}

// Rate is the success rate, settled / (settled + failed); ok is false when
// no case was settled or failed (a rate of nothing is not 0 %).
func (t Tally) Rate() (rate float64, ok bool) {
	if t.Settled+t.Failed == 0 {
		return 0, false
	}
	return float64(t.Settled) / float64(t.Settled+t.Failed), true
}

// RateText is the rate as people read it ("99.1%"), "—" without one.
func (t Tally) RateText() string {
	r, ok := t.Rate()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", r*100)
}

// MedianDays is the median of the calendar days from opening to settling
// (0 for a case settled the day it came); ok is false when none settled.
func (t Tally) MedianDays() (days float64, ok bool) {
	if len(t.days) == 0 {
		return 0, false
	}
	d := slices.Clone(t.days)
	sort.Ints(d)
	n := len(d)
	if n%2 == 1 {
		return float64(d[n/2]), true
	}
	return float64(d[n/2-1]+d[n/2]) / 2, true
}

// MedianText is the median days as people read it ("2 天", "1.5 天").
func (t Tally) MedianText() string {
	m, ok := t.MedianDays()
	if !ok {
		return "—"
	}
	if m == float64(int(m)) {
		return i18n.T("dispute_figures.days", fmt.Sprintf("%d", int(m)))
	}
	return i18n.T("dispute_figures.days", fmt.Sprintf("%.1f", m))
}

// FigureRow is one line of a figures table.
type FigureRow struct {
	Key   string // the month ("2026-03"), year, category, room or mediator id
	Label string
	Tally
}

// Figures are the mediation log's numbers for a year (DESIGN §14): cases
// per month, per year across the log, and by category, room and mediator,
// each with its success rate and median days to settle. Cases are counted
// in the year and month they were opened (the year of their number).
type Figures struct {
	Year       int
	Years      []int // the years the log holds, newest first
	Total      Tally // the year's
	Months     []FigureRow
	ByYear     []FigureRow
	ByCategory []FigureRow
	ByRoom     []FigureRow
	ByMediator []FigureRow
	// Cases lists the year's cases for the XLSX (no party details).
	Cases []FigureCase
}

// FigureCase is one case in the figures' case list.
type FigureCase struct {
	Number, Category, Room, Community, Officer, Status string
	Mediators                                          []string
	Opened, Closed                                     time.Time
}

type figureRow struct {
	ID        string `db:"id"`
	Number    string `db:"number"`
	Year      int    `db:"year"`
	Room      string `db:"room"`
	Community string `db:"community"`
	Category  string `db:"category"`
	Officer   string `db:"officer"`
	Mediators string `db:"mediators"`
	Status    string `db:"status"`
	OpenedAt  string `db:"opened_at"`
	ClosedAt  string `db:"closed_at"`
	Opened    time.Time
	Closed    time.Time
}

// Figures computes the figures of year over the disputes o may see (the
// deputy chief: the station's). A year of zero is the current one.
func (s *Store) Figures(ctx context.Context, o *station.Officer, year int) (Figures, error) {
	loc := location(s.app)
	now := nowFrom(ctx)
	if year == 0 {
		year = now.In(loc).Year()
	}
	f := Figures{Year: year}
	q := s.app.DB().Select("id", "number", "year", "room", "community", "category", "officer", "mediators", "status", "opened_at", "closed_at").
		From(Collection).WithContext(ctx)
	if sc := scope(o); sc != nil {
		q = q.Where(sc)
	}
	var rows []figureRow
	if err := q.OrderBy("year ASC", "seq ASC").All(&rows); err != nil {
		return f, station.Internal(err, "dispute figures")
	}
	rooms, err := s.Rooms(ctx)
	if err != nil {
		return f, err
	}
	mediators, err := s.Mediators(ctx, true)
	if err != nil {
		return f, err
	}
	comms, err := s.Communities(ctx, nil)
	if err != nil {
		return f, err
	}
	officers, err := station.OfficerNames(s.app)
	if err != nil {
		return f, station.Internal(err, "officer names")
	}
	roomNames := map[string]string{}
	for _, r := range rooms {
		roomNames[r.ID] = r.Name
	}
	mediatorNames := map[string]string{}
	for _, m := range mediators {
		mediatorNames[m.ID] = m.Name
	}
	commNames := map[string]string{}
	for _, c := range comms {
		commNames[c.ID] = c.Name
	}

	months := make([]FigureRow, 12)
	for i := range months {
		months[i] = FigureRow{Key: fmt.Sprintf("%d-%02d", year, i+1), Label: i18n.T("dispute_figures.month", i+1)}
	}
	byYear := map[int]*FigureRow{}
	byCategory := map[string]*FigureRow{}
	byRoom := map[string]*FigureRow{}
	byMediator := map[string]*FigureRow{}
	bump := func(m map[string]*FigureRow, key, label string, r figureRow) {
		row := m[key]
		if row == nil {
			row = &FigureRow{Key: key, Label: label}
			m[key] = row
		}
		row.add(r, loc)
	}
	for _, r := range rows {
		r.Opened = parseDBTime(r.OpenedAt)
		r.Closed = parseDBTime(r.ClosedAt)
		y := r.Year
		if byYear[y] == nil {
			byYear[y] = &FigureRow{Key: fmt.Sprint(y), Label: i18n.T("dispute_figures.year", y)}
		}
		byYear[y].add(r, loc)
		if y != year {
			continue
		}
		f.Total.add(r, loc)
		if m := int(r.Opened.In(loc).Month()); !r.Opened.IsZero() && r.Opened.In(loc).Year() == year {
			months[m-1].add(r, loc)
		}
		bump(byCategory, r.Category, i18n.T("dispute.category."+r.Category), r)
		bump(byRoom, r.Room, roomNames[r.Room], r)
		var ms []string
		_ = decodeJSONList(r.Mediators, &ms)
		for _, m := range ms {
			bump(byMediator, m, mediatorNames[m], r)
		}
		var msNames []string
		for _, m := range ms {
			msNames = append(msNames, mediatorNames[m])
		}
		f.Cases = append(f.Cases, FigureCase{
			Number: r.Number, Category: i18n.T("dispute.category." + r.Category), Room: roomNames[r.Room], Community: commNames[r.Community],
			Officer: officers[r.Officer], Status: i18n.T("dispute.status." + r.Status), Mediators: msNames, Opened: r.Opened, Closed: r.Closed,
		})
	}
	f.Months = months
	for y, row := range byYear {
		f.Years = append(f.Years, y)
		f.ByYear = append(f.ByYear, *row)
	}
	if !slices.Contains(f.Years, year) {
		f.Years = append(f.Years, year)
	}
	slices.Sort(f.Years)
	slices.Reverse(f.Years)
	slices.SortFunc(f.ByYear, func(a, b FigureRow) int { return compareStrings(b.Key, a.Key) })
	// Categories in the vocabulary's order; rooms and mediators by cases.
	for _, c := range Categories {
		if row := byCategory[c]; row != nil {
			f.ByCategory = append(f.ByCategory, *row)
		}
	}
	f.ByRoom = byCases(byRoom)
	f.ByMediator = byCases(byMediator)
	return f, nil
}

func byCases(m map[string]*FigureRow) []FigureRow {
	out := make([]FigureRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b FigureRow) int {
		if a.Cases != b.Cases {
			return b.Cases - a.Cases
		}
		return compareStrings(a.Label, b.Label)
	})
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseDBTime reads a datetime as PocketBase stores it; zero for "".
func parseDBTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02 15:04:05.000Z07:00", "2006-01-02 15:04:05Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// figureColumns are the columns of every figures table, in order.
var figureColumns = []string{"dispute_figures.cases", "dispute_figures.settled", "dispute_figures.failed", "dispute_figures.rate", "dispute_figures.referred", "dispute_figures.withdrawn", "dispute_figures.open", "dispute_figures.median"}

func (t Tally) cells() []any {
	return []any{t.Cases, t.Settled, t.Failed, t.RateText(), t.Referred, t.Withdrawn, t.Open, t.MedianText()}
}

// WriteFiguresXLSX writes the figures as a workbook: a sheet per table,
// Chinese headers, the formula stated, and the year's cases with full
// dates (no party details).
func WriteFiguresXLSX(w io.Writer, f Figures, stationName string, loc *time.Location) error {
	x := excelize.NewFile()
	defer x.Close()
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}}})
	title, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	table := func(sheet, first string, rows []FigureRow, total *Tally) error {
		if sheet != "Sheet1" {
			if _, err := x.NewSheet(sheet); err != nil {
				return err
			}
		}
		if err := x.SetSheetRow(sheet, "A1", &[]any{i18n.T("dispute_figures.xlsx_title", stationName, f.Year, sheet)}); err != nil {
			return err
		}
		_ = x.SetCellStyle(sheet, "A1", "A1", title)
		if err := x.SetSheetRow(sheet, "A2", &[]any{i18n.T("dispute_figures.formula")}); err != nil {
			return err
		}
		header := []any{i18n.T(first)}
		for _, k := range figureColumns {
			header = append(header, i18n.T(k))
		}
		if err := x.SetSheetRow(sheet, "A4", &header); err != nil {
			return err
		}
		_ = x.SetRowStyle(sheet, 4, 4, head)
		n := 5
		for _, r := range rows {
			if err := x.SetSheetRow(sheet, fmt.Sprintf("A%d", n), &[]any{r.Label}); err != nil {
				return err
			}
			cells := r.cells()
			if err := x.SetSheetRow(sheet, fmt.Sprintf("B%d", n), &cells); err != nil {
				return err
			}
			n++
		}
		if total != nil {
			cells := append([]any{i18n.T("dispute_figures.total")}, total.cells()...)
			if err := x.SetSheetRow(sheet, fmt.Sprintf("A%d", n), &cells); err != nil {
				return err
			}
			_ = x.SetRowStyle(sheet, n, n, head)
		}
		_ = x.SetColWidth(sheet, "A", "A", 24)
		_ = x.SetColWidth(sheet, "B", "I", 11)
		_ = x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 4, TopLeftCell: "A5", ActivePane: "bottomLeft"})
		return nil
	}
	months := i18n.T("dispute_figures.sheet_months")
	if err := x.SetSheetName("Sheet1", months); err != nil {
		return err
	}
	total := f.Total
	if err := table(months, "dispute_figures.col_month", f.Months, &total); err != nil {
		return err
	}
	if err := table(i18n.T("dispute_figures.sheet_years"), "dispute_figures.col_year", f.ByYear, nil); err != nil {
		return err
	}
	if err := table(i18n.T("dispute_figures.sheet_category"), "dispute_figures.col_category", f.ByCategory, &total); err != nil {
		return err
	}
	if err := table(i18n.T("dispute_figures.sheet_room"), "dispute_figures.col_room", f.ByRoom, &total); err != nil {
		return err
	}
	if err := table(i18n.T("dispute_figures.sheet_mediator"), "dispute_figures.col_mediator", f.ByMediator, nil); err != nil {
		return err
	}

	cases := i18n.T("dispute_figures.sheet_cases")
	if _, err := x.NewSheet(cases); err != nil {
		return err
	}
	header := []any{}
	for _, k := range []string{"dispute.number", "dispute.opened_at", "dispute.closed_at", "dispute_figures.days_col", "dispute.category", "dispute.status", "dispute.community", "dispute.room", "dispute.officer", "dispute.mediators"} {
		header = append(header, i18n.T(k))
	}
	if err := x.SetSheetRow(cases, "A1", &header); err != nil {
		return err
	}
	_ = x.SetRowStyle(cases, 1, 1, head)
	for i, c := range f.Cases {
		days := any("")
		if !c.Closed.IsZero() {
			days = max(pwa.DaysBetween(c.Opened, c.Closed, loc), 0)
		}
		row := []any{c.Number, pwa.Date(c.Opened, loc), pwa.Date(c.Closed, loc), days, c.Category, c.Status, c.Community, c.Room, c.Officer, joinNames(c.Mediators)}
		if err := x.SetSheetRow(cases, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 12, "B": 12, "C": 12, "D": 10, "E": 12, "F": 10, "G": 14, "H": 16, "I": 10, "J": 30} {
		_ = x.SetColWidth(cases, col, col, width)
	}
	_ = x.SetPanes(cases, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	_, err := x.WriteTo(w)
	return err
}

// decodeJSONList reads a JSON list of strings as SQLite returns it.
func decodeJSONList(s string, out *[]string) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), out)
}

func joinNames(names []string) string { return strings.Join(names, "、") }
