package visits

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
	"zoufang/xlsx"
)

// Book is the monthly visit book (走访本): one page per officer, with the
// paper notebook's columns. A month of a whole district is tens of
// thousands of visits (hundreds of thousands in a city), so the book of all
// officers comes in parts of whole officers, each part at most about
// BookPartVisits visits (an officer with more is a part alone): every part
// renders in one page, and the XLSX holds them all, written officer by
// officer.
type Book struct {
	Station string
	Month   time.Time // the first instant of the month, station-local
	Pages   []BookPage
	// Part is which part this is (1-based) of Parts; Officers and Visits
	// count the whole book.
	Part, Parts      int
	Officers, Visits int
}

// BookPartVisits is about how many visits one part of the book shows.
const BookPartVisits = 4000

// BookPage is one officer's month.
type BookPage struct {
	OfficerID, Name, Badge string
	Entries                []BookEntry
	Met, WeChatNew         int
}

// BookEntry is one line of the book.
type BookEntry struct {
	Visit    *Visit
	Address  string
	HeadName string
}

// A printed page of the book (A4 landscape, 12 mm margins, 9.5 pt) holds
// sheetLines lines of its table; a row takes the lines of its tallest
// cell, each column wrapping at its width in characters (a CJK character
// is the widest there is, so the count is never short), plus its padding.
// The budget is kept a little under what fits so that the page count the
// screen states is the count the printer prints (a browser test prints it).
const (
	sheetLines   = 38.0
	rowPadding   = 0.5
	addressChars = 13
	notesChars   = 25
	headChars    = 5
	answerChars  = 9
)

// lines is how many printed lines e takes.
func (e BookEntry) lines() float64 {
	c := e.cells(time.UTC) // the date column does not wrap, whatever its zone
	n := 1
	for i, w := range map[int]int{1: addressChars, 2: headChars, 4: notesChars, 7: answerChars} {
		n = max(n, (utf8.RuneCountInString(c[i])+w-1)/w)
	}
	return float64(n) + rowPadding
}

// Sheets splits the officer's month into printed pages.
func (p BookPage) Sheets() [][]BookEntry {
	var out [][]BookEntry
	var cur []BookEntry
	used := 0.0
	for _, e := range p.Entries {
		l := e.lines()
		if len(cur) > 0 && used+l > sheetLines {
			out, cur, used = append(out, cur), nil, 0
		}
		cur, used = append(cur, e), used+l
	}
	return append(out, cur)
}

// Sheets is how many pages the whole book prints on.
func (b Book) Sheets() int {
	n := 0
	for _, p := range b.Pages {
		n += len(p.Sheets())
	}
	return n
}

// ParseMonth reads "YYYY-MM" in the station's zone; empty means this month.
func ParseMonth(s string, st station.Settings, now time.Time) (time.Time, error) {
	loc := st.Location()
	if s == "" {
		n := now.In(loc)
		return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc), nil
	}
	t, err := time.ParseInLocation("2006-01", s, loc)
	if err != nil {
		p := station.Problems{}
		p.Add("month", "month_format")
		return time.Time{}, p.Err()
	}
	return t, nil
}

// bookOfficer is an officer with visits in the month.
type bookOfficer struct {
	ID, Name, Badge string
	Visits          int
}

// bookOfficers are the officers with visits in [from, to), by badge, with
// how many, from the running figures (visit_days: the month's rows, a range
// of its key); or officerID alone (whose book may be empty).
func (s *Store) bookOfficers(ctx context.Context, from, to time.Time, officerID string, st station.Settings) ([]bookOfficer, error) {
	var counts []struct {
		Officer string `db:"officer"`
		Visits  int    `db:"visits"`
	}
	err := s.app.DB().Select("officer", "SUM(visits) AS visits").From(daysTable).
		Where(dbx.NewExp("day >= {:from} AND day < {:to}", dbx.Params{"from": st.DayString(from), "to": st.DayString(to)})).
		GroupBy("officer").WithContext(ctx).All(&counts)
	if err != nil {
		return nil, station.Internal(err, "book officers")
	}
	n := map[string]int{}
	var ids []string
	for _, c := range counts {
		if c.Visits > 0 && (officerID == "" || c.Officer == officerID) {
			n[c.Officer] = c.Visits
			ids = append(ids, c.Officer)
		}
	}
	if officerID != "" && len(ids) == 0 {
		ids = append(ids, officerID) // an empty month still has its page
	}
	offs, err := s.app.FindRecordsByIds("officers", ids)
	if err != nil {
		return nil, station.Internal(err, "book officers")
	}
	out := make([]bookOfficer, len(offs))
	for i, r := range offs {
		out[i] = bookOfficer{ID: r.Id, Name: r.GetString("name"), Badge: r.GetString("badge"), Visits: n[r.Id]}
	}
	slices.SortFunc(out, func(a, c bookOfficer) int { return strings.Compare(a.Badge, c.Badge) })
	return out, nil
}

// bookParts groups officers into the book's parts: whole officers, about
// BookPartVisits visits a part.
func bookParts(offs []bookOfficer) [][]bookOfficer {
	var parts [][]bookOfficer
	var cur []bookOfficer
	n := 0
	for _, o := range offs {
		if len(cur) > 0 && n+o.Visits > BookPartVisits {
			parts, cur, n = append(parts, cur), nil, 0
		}
		cur, n = append(cur, o), n+o.Visits
	}
	return append(parts, cur)
}

// bookPage reads one officer's month: their visits by (officer,
// visited_at), each joined to its household.
func (s *Store) bookPage(ctx context.Context, o bookOfficer, from, to time.Time) (BookPage, error) {
	p := BookPage{OfficerID: o.ID, Name: o.Name, Badge: o.Badge}
	var rows []bookRow
	err := s.app.DB().Select("v.id", "v.household", "v.officer", "v.visited_at", "v.received_at", "v.kind", "v.outcome", "v.concerns",
		"v.notes", "v.wechat_added", "v.wechat_new", "v.watch", "v.resident_answer", "v.resident_rating",
		"COALESCE(h.address, '') AS address", "COALESCE(h.head_name, '') AS head_name").
		From(Collection+" v").LeftJoin(households.Collection+" h", dbx.NewExp("h.id = v.household")).
		Where(dbx.NewExp("v.officer = {:o} AND v.visited_at >= {:from} AND v.visited_at < {:to}", dbx.Params{"o": o.ID, "from": station.DBTime(from), "to": station.DBTime(to)})).
		OrderBy("v.visited_at ASC", "v.id ASC").WithContext(ctx).All(&rows)
	if err != nil {
		return p, station.Internal(err, "book visits")
	}
	p.Entries = make([]BookEntry, len(rows))
	for i, r := range rows {
		e := BookEntry{Visit: r.visit(), Address: r.Address, HeadName: r.HeadName}
		p.Entries[i] = e
		if e.Visit.Outcome == OutcomeMet {
			p.Met++
		}
		if e.Visit.WeChatNew {
			p.WeChatNew++
		}
	}
	return p, nil
}

// Book gathers part (1-based; out of range reads as the nearest) of the
// month's book: officerID's visits, or every officer's with visits that
// month when officerID is empty. An officer may only open their own book;
// the deputy chief any.
func (s *Store) Book(ctx context.Context, o *station.Officer, month time.Time, officerID string, part int, st station.Settings) (Book, error) {
	if !o.IsChief() {
		officerID = o.ID
	}
	b := Book{Station: st.StationName, Month: month}
	from, to := month, month.AddDate(0, 1, 0)
	offs, err := s.bookOfficers(ctx, from, to, officerID, st)
	if err != nil {
		return b, err
	}
	parts := bookParts(offs)
	b.Parts, b.Officers = len(parts), len(offs)
	for _, of := range offs {
		b.Visits += of.Visits
	}
	b.Part = min(max(part, 1), b.Parts)
	if len(offs) == 0 {
		return b, nil
	}
	for _, of := range parts[b.Part-1] {
		p, err := s.bookPage(ctx, of, from, to)
		if err != nil {
			return b, err
		}
		b.Pages = append(b.Pages, p)
	}
	return b, nil
}

// EachBookPage calls fn with each officer's page of the whole month's book
// in turn (the XLSX): one officer's month in memory at a time.
func (s *Store) EachBookPage(ctx context.Context, o *station.Officer, month time.Time, officerID string, st station.Settings, fn func(BookPage) error) error {
	if !o.IsChief() {
		officerID = o.ID
	}
	from, to := month, month.AddDate(0, 1, 0)
	offs, err := s.bookOfficers(ctx, from, to, officerID, st)
	if err != nil {
		return err
	}
	for _, of := range offs {
		p, err := s.bookPage(ctx, of, from, to)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// bookRow is a visit with its household's address, as the book reads it.
type bookRow struct {
	ID             string `db:"id"`
	Household      string `db:"household"`
	Officer        string `db:"officer"`
	VisitedAt      string `db:"visited_at"`
	ReceivedAt     string `db:"received_at"`
	Kind           string `db:"kind"`
	Outcome        string `db:"outcome"`
	Concerns       string `db:"concerns"`
	Notes          string `db:"notes"`
	WeChatAdded    bool   `db:"wechat_added"`
	WeChatNew      bool   `db:"wechat_new"`
	Watch          string `db:"watch"`
	ResidentAnswer string `db:"resident_answer"`
	ResidentRating int    `db:"resident_rating"`
	Address        string `db:"address"`
	HeadName       string `db:"head_name"`
}

func (r bookRow) visit() *Visit {
	v := &Visit{ID: r.ID, Household: r.Household, Officer: r.Officer, Kind: r.Kind, Outcome: r.Outcome, Notes: r.Notes,
		WeChatAdded: r.WeChatAdded, WeChatNew: r.WeChatNew, Watch: r.Watch, ResidentAnswer: r.ResidentAnswer, ResidentRating: r.ResidentRating}
	if t, err := types.ParseDateTime(r.VisitedAt); err == nil {
		v.VisitedAt = t.Time()
	}
	if t, err := types.ParseDateTime(r.ReceivedAt); err == nil {
		v.ReceivedAt = t.Time()
	}
	_ = json.Unmarshal([]byte(r.Concerns), &v.Concerns)
	if v.Concerns == nil {
		v.Concerns = []string{}
	}
	return v
}

// bookColumns are the paper notebook's columns.
var bookColumns = []string{"book.col.date", "book.col.address", "book.col.head", "book.col.kind", "book.col.notes", "book.col.outcome", "book.col.wechat", "book.col.confirmed"}

// cells is one entry as the book's columns say it.
func (e BookEntry) cells(loc *time.Location) []string {
	v := e.Visit
	situation := strings.Join(v.Concerns, "、")
	if v.Notes != "" {
		if situation != "" {
			situation += "；"
		}
		situation += v.Notes
	}
	wechat := ""
	switch {
	case v.WeChatNew:
		wechat = i18n.T("book.wechat_new")
	case v.WeChatAdded:
		wechat = i18n.T("book.wechat_again")
	}
	confirmed := AnswerText(v)
	return []string{
		v.VisitedAt.In(loc).Format("01-02 15:04"),
		e.Address, e.HeadName,
		i18n.T("kind." + v.Kind),
		situation,
		i18n.T("outcome." + v.Outcome),
		wechat, confirmed,
	}
}

func monthLabel(m time.Time) string { return fmt.Sprintf("%d年%d月", m.Year(), m.Month()) }

// BookPageView is the printable book: one A4 landscape page per officer.
func BookPageView(layout pwa.Layout, o *station.Officer, b Book, officers []officerOption, selected string, loc *time.Location) g.Node {
	xlsx := "/visits/book.xlsx?month=" + b.Month.Format("2006-01")
	if selected != "" {
		xlsx += "&officer=" + url.QueryEscape(selected)
	}
	return layout(pwa.Page{
		Title:   i18n.T("book.title"),
		Officer: o,
		Nav:     "/visits/book",
		Class:   "book",
		Body: []g.Node{
			h.Section(h.Class("card no-print"),
				h.H1(g.Text(i18n.T("book.title"))),
				h.Form(h.Method("get"), h.Action("/visits/book"), h.Class("filters"),
					h.Div(h.Class("field"),
						h.Label(h.For("month"), g.Text(i18n.T("book.month"))),
						h.Input(h.Type("month"), h.ID("month"), h.Name("month"), h.Value(b.Month.Format("2006-01"))),
					),
					g.If(o.IsChief(), h.Div(h.Class("field"),
						h.Label(h.For("officer"), g.Text(i18n.T("book.officer"))),
						h.Select(h.ID("officer"), h.Name("officer"),
							h.Option(h.Value(""), g.Text(i18n.T("book.all_officers"))),
							g.Map(officers, func(op officerOption) g.Node {
								return h.Option(h.Value(op.ID), g.If(op.ID == selected, h.Selected()), g.Text(op.Name+" "+op.Badge))
							}),
						),
					)),
					h.Div(h.Class("field"), h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("book.show")))),
				),
				h.P(h.Class("row"),
					h.A(h.Class("button"), h.Href(xlsx), g.Text(i18n.T("book.download"))),
					h.Span(h.Class("muted small"), h.ID("book-sheets"), g.Attr("data-sheets", strconv.Itoa(b.Sheets())), g.Text(i18n.T("book.print_hint", b.Sheets()))),
				),
				g.If(b.Parts > 1, bookPager(b, selected)),
			),
			g.If(len(b.Pages) == 0, h.Section(h.Class("card"), pwa.EmptyState(i18n.T("book.empty")))),
			g.Map(b.Pages, func(p BookPage) g.Node {
				sheets := p.Sheets()
				nodes := make([]g.Node, len(sheets))
				for i := range sheets {
					nodes[i] = h.Section(h.Class("card book-page"), g.Attr("data-sheet", fmt.Sprintf("%d/%d", i+1, len(sheets))), g.Attr("data-officer", p.OfficerID),
						h.Div(h.Class("spread"),
							h.H2(g.Text(i18n.T("book.page_title", b.Station, p.Name, p.Badge, monthLabel(b.Month)))),
							h.Span(h.Class("muted sheet-no"), g.Text(i18n.T("book.sheet", i+1, len(sheets)))),
						),
						g.If(i == 0, h.P(h.Class("muted"), g.Text(i18n.T("book.totals", len(p.Entries), p.Met, p.WeChatNew)))),
						g.If(len(sheets[i]) > 0, h.Div(h.Class("table-wrap"), h.Table(h.Class("book"),
							h.ColGroup(g.Map(bookColumns, func(k string) g.Node { return h.Col(h.Class("c-" + strings.TrimPrefix(k, "book.col."))) })),
							h.THead(h.Tr(g.Map(bookColumns, func(k string) g.Node { return h.Th(g.Text(i18n.T(k))) }))),
							h.TBody(g.Map(sheets[i], func(e BookEntry) g.Node {
								return h.Tr(g.Map(e.cells(loc), func(c string) g.Node { return h.Td(g.Text(c)) }))
							})),
						))),
						g.If(len(p.Entries) == 0, pwa.EmptyState(i18n.T("book.empty"))),
					)
				}
				return g.Group(nodes)
			}),
		},
	})
}

// bookPager says which part of a long book this is and leads to the others.
func bookPager(b Book, selected string) g.Node {
	link := func(part int) string {
		v := url.Values{"month": {b.Month.Format("2006-01")}, "part": {strconv.Itoa(part)}}
		if selected != "" {
			v.Set("officer", selected)
		}
		return "/visits/book?" + v.Encode()
	}
	return h.Nav(h.Class("pager"), h.ID("book-parts"), g.Attr("data-part", strconv.Itoa(b.Part)), g.Attr("data-parts", strconv.Itoa(b.Parts)),
		h.Span(h.Class("muted small"), g.Text(i18n.T("book.part", b.Parts, b.Officers, b.Visits, b.Part))),
		g.If(b.Part > 1, h.A(h.Class("button"), h.Href(link(b.Part-1)), g.Text(i18n.T("household.prev")))),
		g.If(b.Part < b.Parts, h.A(h.Class("button"), h.Href(link(b.Part+1)), g.Text(i18n.T("household.next")))),
	)
}

// WriteBookXLSX writes the book as a workbook: one sheet per officer, the
// same columns as the printed page. each calls its function with every
// officer's page in turn; each row goes out as it is written (package
// xlsx), so the workbook of a city's month costs the memory of one page.
func WriteBookXLSX(w io.Writer, station string, month time.Time, each func(func(BookPage) error) error, loc *time.Location) error {
	b := xlsx.New(w)
	header := make([]string, len(bookColumns))
	for i, k := range bookColumns {
		header[i] = i18n.T(k)
	}
	used := map[string]bool{}
	pages := 0
	err := each(func(p BookPage) error {
		pages++
		if err := b.Sheet(xlsx.SafeName(p.Name+" "+p.Badge, used), xlsx.SheetOptions{Widths: []float64{12, 28, 10, 10, 40, 9, 8, 12}, Freeze: 2}); err != nil {
			return err
		}
		if err := b.Row(xlsx.Plain, i18n.T("book.page_title", station, p.Name, p.Badge, monthLabel(month))); err != nil {
			return err
		}
		if err := b.Row(xlsx.Header, header...); err != nil {
			return err
		}
		for _, e := range p.Entries {
			if err := b.Row(xlsx.Plain, e.cells(loc)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if pages == 0 { // no pages: still a valid workbook that says so
		if err := b.Sheet("Sheet1", xlsx.SheetOptions{}); err != nil {
			return err
		}
		if err := b.Row(xlsx.Plain, i18n.T("book.empty")); err != nil {
			return err
		}
	}
	return b.Close()
}

type officerOption struct{ ID, Name, Badge string }

// OfficerOptions lists the community officers for the book's picker (the
// deputy chief keeps no book of their own).
func (s *Store) OfficerOptions(ctx context.Context) ([]officerOption, error) {
	var recs []*core.Record
	err := s.app.RecordQuery("officers").WithContext(ctx).AndWhere(dbx.HashExp{"role": station.RoleOfficer}).OrderBy("badge ASC").All(&recs)
	if err != nil {
		return nil, station.Internal(err, "officers")
	}
	out := make([]officerOption, len(recs))
	for i, r := range recs {
		out[i] = officerOption{r.Id, r.GetString("name"), r.GetString("badge")}
	}
	return out, nil
}

// bookStore is what the book pages need.
type bookStore interface {
	Book(ctx context.Context, o *station.Officer, month time.Time, officerID string, part int, st station.Settings) (Book, error)
	EachBookPage(ctx context.Context, o *station.Officer, month time.Time, officerID string, st station.Settings, fn func(BookPage) error) error
	OfficerOptions(ctx context.Context) ([]officerOption, error)
}

// HandleBook serves /visits/book (the printable page, one part of it) and,
// with xlsx set, /visits/book.xlsx (the whole month).
func HandleBook(store bookStore, layout pwa.Layout, settings func() station.Settings, xlsx bool) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		st := settings()
		month, err := ParseMonth(c.QueryParam("month"), st, time.Now())
		if err != nil {
			return nil, err
		}
		officerID := c.QueryParam("officer")
		if !o.IsChief() {
			officerID = o.ID
		}
		if xlsx {
			name := "走访本-" + month.Format("2006-01")
			if officerID != "" {
				offs, err := store.OfficerOptions(ctx)
				if err != nil {
					return nil, err
				}
				for _, op := range offs {
					if op.ID == officerID {
						name += "-" + op.Name
					}
				}
			}
			each := func(fn func(BookPage) error) error { return store.EachBookPage(ctx, o, month, officerID, st, fn) }
			return nil, WriteBookXLSX(pwa.XLSX(c, "zoufang-"+month.Format("2006-01")+".xlsx", name+".xlsx"), st.StationName, month, each, st.Location())
		}
		part, _ := strconv.Atoi(c.QueryParam("part"))
		b, err := store.Book(ctx, o, month, officerID, part, st)
		if err != nil {
			return nil, err
		}
		var opts []officerOption
		if o.IsChief() {
			if opts, err = store.OfficerOptions(ctx); err != nil {
				return nil, err
			}
		}
		return BookPageView(layout, o, b, opts, officerID, st.Location()), nil
	}
}
