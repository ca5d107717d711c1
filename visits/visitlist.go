package visits

import (
	"context"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/dbx"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
	"zoufang/xlsx"
)

// VisitQuery is a list of visits the coverage review links to: exactly the
// visits one of its figures counts.
type VisitQuery struct {
	Scope
	From, To time.Time // visited_at in [From, To); zero: no bound
	Days     int       // the last Days days (instead of From/To)
	Date     string    // one station-local day, "2026-12-01"
	Answer   string    // confirmed | denied | rated | commented | "" (any)
	Met      bool      // met visits that count as homes
	Offset   int
}

// Values is q as the list's URL says it.
func (q VisitQuery) Values() url.Values {
	v := q.Scope.Values()
	if q.Days > 0 {
		v.Set("days", strconv.Itoa(q.Days))
	}
	if !q.From.IsZero() && q.Date == "" && q.Days == 0 {
		v.Set("from", q.From.Format(time.DateOnly))
	}
	if q.Date != "" {
		v.Set("date", q.Date)
	}
	if q.Answer != "" {
		v.Set("answer", q.Answer)
	}
	if q.Met {
		v.Set("met", "1")
	}
	return v
}

// VisitQueryOf reads a visit list from its URL values, in the station's
// zone, at now.
func VisitQueryOf(v url.Values, st station.Settings, now time.Time) VisitQuery {
	q := VisitQuery{Scope: ScopeOf(v), Answer: v.Get("answer"), Met: v.Get("met") == "1"}
	q.Offset, _ = strconv.Atoi(v.Get("offset"))
	q.Offset = max(q.Offset, 0)
	loc := st.Location()
	if n, _ := strconv.Atoi(v.Get("days")); n > 0 {
		// The same days the coverage figures sum: today and the 29 before.
		start, _ := st.DayBounds(now)
		q.Days, q.From = n, start.AddDate(0, 0, -n+1)
	}
	if d, err := time.ParseInLocation(time.DateOnly, v.Get("from"), loc); err == nil && q.Days == 0 {
		q.From = d
	}
	if d, err := time.ParseInLocation(time.DateOnly, v.Get("date"), loc); err == nil {
		q.Date, q.From, q.To = v.Get("date"), d, d.AddDate(0, 0, 1)
	}
	return q
}

// ListedVisit is one visit of a list, with where and who.
type ListedVisit struct {
	*Visit
	Address    string
	OfficerN   string
	Comment    string
	PhoneCheck string
}

// VisitsPage is the maximum a page of the visit list holds.
const VisitsPage = 100

// ListVisits lists the visits of q, newest first, limit of them from q's
// offset, and how many there are.
func (s *Store) ListVisits(ctx context.Context, q VisitQuery, limit int) ([]ListedVisit, int, error) {
	var total int
	if err := s.visitQuery(ctx, q).Select("COUNT(*)").Row(&total); err != nil {
		return nil, 0, station.Internal(err, "count visits")
	}
	var rows []listedRow
	if err := s.listQuery(ctx, q).Offset(int64(q.Offset)).Limit(int64(limit)).All(&rows); err != nil {
		return nil, 0, station.Internal(err, "list visits")
	}
	out := make([]ListedVisit, len(rows))
	for i, r := range rows {
		out[i] = r.listed()
	}
	return out, total, nil
}

// EachVisit calls fn with every visit of q, newest first, a page of
// exportPage at a time: an export of any length holds one page, and each
// page is its own short read, so a slow download never holds a read
// transaction open (which would keep SQLite from checkpointing its WAL).
func (s *Store) EachVisit(ctx context.Context, q VisitQuery, fn func(ListedVisit) error) error {
	return s.eachVisit(ctx, q, exportPage, fn)
}

func (s *Store) eachVisit(ctx context.Context, q VisitQuery, page int, fn func(ListedVisit) error) error {
	var after *listedRow
	for {
		lq := s.listQuery(ctx, q)
		if after != nil {
			lq = lq.AndWhere(dbx.NewExp("(v.visited_at, v.id) < ({:at}, {:id})", dbx.Params{"at": after.VisitedAt, "id": after.ID}))
		}
		var rows []listedRow
		if err := lq.Limit(int64(page)).All(&rows); err != nil {
			return station.Internal(err, "list visits")
		}
		for _, r := range rows {
			if err := fn(r.listed()); err != nil {
				return err
			}
		}
		if len(rows) < page {
			return nil
		}
		after = &rows[len(rows)-1]
	}
}

// exportPage is how many visits an export reads at a time.
const exportPage = 5000

type listedRow struct {
	bookRow
	Officer2   string `db:"officer_name"`
	Comment    string `db:"comment"`
	PhoneCheck string `db:"phone_check"`
}

func (r listedRow) listed() ListedVisit {
	return ListedVisit{Visit: r.visit(), Address: r.Address, OfficerN: r.Officer2, Comment: r.Comment, PhoneCheck: r.PhoneCheck}
}

// visitQuery selects from the visits of q (as v, their households as h).
func (s *Store) visitQuery(ctx context.Context, q VisitQuery) *dbx.SelectQuery {
	cond := []dbx.Expression{}
	if !q.From.IsZero() {
		cond = append(cond, dbx.NewExp("v.visited_at >= {:from}", dbx.Params{"from": station.DBTime(q.From)}))
	}
	if !q.To.IsZero() {
		cond = append(cond, dbx.NewExp("v.visited_at < {:to}", dbx.Params{"to": station.DBTime(q.To)}))
	}
	if q.Officer != "" {
		cond = append(cond, dbx.HashExp{"v.officer": q.Officer})
	}
	if q.Community != "" {
		cond = append(cond, dbx.HashExp{"h.community": q.Community})
	}
	if q.Grid != "" {
		cond = append(cond, dbx.HashExp{"h.grid": q.Grid})
	}
	switch q.Answer {
	case AnswerConfirmed, AnswerDenied:
		cond = append(cond, dbx.HashExp{"v.resident_answer": q.Answer})
	case "rated":
		cond = append(cond, dbx.NewExp("v.resident_answer = 'confirmed' AND v.resident_rating > 0"))
	case "commented":
		cond = append(cond, dbx.NewExp("EXISTS (SELECT 1 FROM "+ConfirmCollection+" c2 WHERE c2.visit = v.id AND c2.comment != '')"))
	}
	if q.Met {
		cond = append(cond, dbx.NewExp("v.outcome = 'met' AND v.kind != 'holiday_check'"))
	}
	return s.app.DB().Select().From(Collection+" v").LeftJoin("households h", dbx.NewExp("h.id = v.household")).Where(dbx.And(cond...)).WithContext(ctx)
}

// listQuery is the listed visits of q, newest first.
func (s *Store) listQuery(ctx context.Context, q VisitQuery) *dbx.SelectQuery {
	return s.visitQuery(ctx, q).Select("v.id", "v.household", "v.officer", "v.visited_at", "v.received_at", "v.kind", "v.outcome", "v.concerns",
		"v.notes", "v.wechat_added", "v.wechat_new", "v.watch", "v.resident_answer", "v.resident_rating",
		"COALESCE(h.address, '') AS address", "COALESCE(h.head_name, '') AS head_name",
		"COALESCE(o.name, '') AS officer_name", "COALESCE(c.comment, '') AS comment", "COALESCE(c.phone_check, '') AS phone_check").
		LeftJoin("officers o", dbx.NewExp("o.id = v.officer")).
		LeftJoin(ConfirmCollection+" c", dbx.NewExp("c.visit = v.id")).
		OrderBy("v.visited_at DESC", "v.id DESC")
}

func visitCells(v ListedVisit, loc *time.Location) []string {
	situation := strings.Join(v.Concerns, "、")
	if v.Notes != "" {
		if situation != "" {
			situation += "；"
		}
		situation += v.Notes
	}
	answer := AnswerText(v.Visit)
	if v.Comment != "" {
		answer = strings.TrimSpace(answer + " " + v.Comment)
	}
	return []string{v.VisitedAt.In(loc).Format("2006-01-02 15:04"), v.Address, v.OfficerN, i18n.T("kind." + v.Kind), i18n.T("outcome." + v.Outcome), situation, answer}
}

var visitColumns = []string{"book.col.date", "book.col.address", "book.officer", "book.col.kind", "book.col.outcome", "book.col.notes", "book.col.confirmed"}

// VisitListPage lists visits with a link to each and the way to the next
// page and to the export.
func VisitListPage(layout pwa.Layout, o *station.Officer, q VisitQuery, title string, vs []ListedVisit, total int, loc *time.Location) g.Node {
	link := func(offset int) string {
		v := q.Values()
		v.Set("offset", strconv.Itoa(offset))
		return "/coverage/visits?" + v.Encode()
	}
	return layout(pwa.Page{
		Title:   title,
		Officer: o,
		Nav:     "/coverage",
		Class:   "office",
		Body: []g.Node{h.Section(h.Class("card"),
			h.Div(h.Class("spread"),
				h.H1(g.Text(title)),
				h.A(h.Class("button no-print"), h.Href("/coverage/visits.xlsx?"+q.Values().Encode()), g.Text(i18n.T("coverage.download"))),
			),
			h.P(h.Class("muted"), h.ID("visit-count"), g.Attr("data-total", strconv.Itoa(total)), g.Text(i18n.T("coverage.visits_count", total))),
			g.If(total == 0, pwa.EmptyState(i18n.T("coverage.visits_none"))),
			g.If(total > 0, h.Div(h.Class("table-wrap"), h.Table(h.Class("visits"),
				h.THead(h.Tr(g.Map(visitColumns, func(k string) g.Node { return h.Th(g.Text(i18n.T(k))) }))),
				h.TBody(g.Map(vs, func(v ListedVisit) g.Node {
					cells := visitCells(v, loc)
					return h.Tr(h.Td(h.A(h.Href("/visits/"+v.ID), g.Text(cells[0]))), g.Map(cells[1:], func(c string) g.Node { return h.Td(g.Text(c)) }))
				})),
			))),
			pwa.Pager(q.Offset, VisitsPage, total, link),
		)},
	})
}

type visitLister interface {
	ListVisits(ctx context.Context, q VisitQuery, limit int) ([]ListedVisit, int, error)
	EachVisit(ctx context.Context, q VisitQuery, fn func(ListedVisit) error) error
}

// visitListTitle says what a list holds.
func visitListTitle(q VisitQuery, names map[string]string) string {
	var parts []string
	for _, id := range []string{q.Officer, q.Community, q.Grid} {
		if names[id] != "" {
			parts = append(parts, names[id])
		}
	}
	switch {
	case q.Date != "":
		parts = append(parts, q.Date)
	case q.Days > 0:
		parts = append(parts, i18n.T("coverage.last_days", q.Days))
	case !q.From.IsZero():
		parts = append(parts, i18n.T("coverage.since", q.From.Format(time.DateOnly)))
	}
	if q.Answer != "" {
		parts = append(parts, i18n.T("coverage.answer."+q.Answer))
	}
	if q.Met {
		parts = append(parts, i18n.T("coverage.met_only"))
	}
	return i18n.T("coverage.visits_title") + "：" + strings.Join(parts, " · ")
}

// HandleVisitList serves /coverage/visits (and, with xlsx, its export).
func HandleVisitList(store visitLister, layout pwa.Layout, settings func() station.Settings, names func() (map[string]string, error), asXLSX bool) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		st := settings()
		q := VisitQueryOf(c.QueryParams(), st, time.Now())
		n, err := names()
		if err != nil {
			return nil, station.Internal(err, "names")
		}
		title := visitListTitle(q, n)
		if asXLSX {
			q.Offset = 0
			return nil, writeVisitsXLSX(pwa.XLSX(c, "visits.xlsx", title+".xlsx"), func(fn func(ListedVisit) error) error { return store.EachVisit(ctx, q, fn) }, st.Location())
		}
		vs, total, err := store.ListVisits(ctx, q, VisitsPage)
		if err != nil {
			return nil, err
		}
		return VisitListPage(layout, station.OfficerFrom(ctx), q, title, vs, total, st.Location()), nil
	}
}

// writeVisitsXLSX writes every visit each gives, row by row; past a
// sheet's million rows it goes on in the next sheet.
func writeVisitsXLSX(w io.Writer, each func(func(ListedVisit) error) error, loc *time.Location) error {
	b := xlsx.New(w)
	hdr := make([]string, len(visitColumns))
	for i, k := range visitColumns {
		hdr[i] = i18n.T(k)
	}
	sheets, rows := 0, 0
	next := func() error {
		sheets++
		name := "Sheet1"
		if sheets > 1 {
			name = i18n.T("coverage.visits_sheet_more", sheets)
		}
		if err := b.Sheet(name, xlsx.SheetOptions{Widths: []float64{18, 30, 10, 10, 9, 40, 24}, Freeze: 1}); err != nil {
			return err
		}
		rows = 1
		return b.Row(xlsx.Header, hdr...)
	}
	if err := next(); err != nil {
		return err
	}
	err := each(func(v ListedVisit) error {
		if rows == xlsx.MaxRows {
			if err := next(); err != nil {
				return err
			}
		}
		rows++
		return b.Row(xlsx.Plain, visitCells(v, loc)...)
	})
	if err != nil {
		return err
	}
	return b.Close()
}
