package visits

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"
	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
	"zoufang/watches"
)

// Presence is what the live channel knows of an officer's devices.
type Presence struct {
	Online  bool
	Pending int
}

// BoardRow is one officer on the deputy chief's board.
type BoardRow struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Badge       string     `json:"badge"`
	Homes       int        `json:"homes"`
	WeChat      int        `json:"wechat"`
	Online      bool       `json:"online"`
	Pending     int        `json:"pending"`
	LastVisitAt *time.Time `json:"last_visit_at"`
	// Behind is how many homes and contacts short of today's targets.
	Behind int `json:"behind"`
}

// Board is the station's day, officer by officer, furthest behind first
// on a visit day.
type Board struct {
	Type         string     `json:"type"` // "board" on the live channel
	Date         string     `json:"date"`
	VisitDay     bool       `json:"visit_day"`
	HomesTarget  int        `json:"homes_target"`
	WeChatTarget int        `json:"wechat_target"`
	Officers     []BoardRow `json:"officers"`
}

// ComputeBoard counts today's progress of every active community officer.
func (s *Store) Board(ctx context.Context, st station.Settings, now time.Time, presence map[string]Presence) (Board, error) {
	app := s.app
	b := Board{Type: "board", Date: st.DayString(now), VisitDay: st.IsVisitDay(now), HomesTarget: st.TargetHomes, WeChatTarget: st.TargetWeChat, Officers: []BoardRow{}}
	// The three columns the board shows, not whole records: a record
	// decodes every field (an officer's communities are a JSON list), and
	// the board is recomputed as visits arrive.
	var offs []struct {
		ID    string `db:"id"`
		Name  string `db:"name"`
		Badge string `db:"badge"`
	}
	err := app.DB().Select("id", "name", "badge").From("officers").WithContext(ctx).
		Where(dbx.HashExp{"role": station.RoleOfficer, "active": true}).OrderBy("badge ASC").All(&offs)
	if err != nil {
		return b, station.Internal(err, "board officers")
	}
	// Today's figures and the last visit of each officer, from the running
	// figures (visit_days, days.go) by (officer, day): a few index seeks an
	// officer, whatever the history. Homes are the distinct households met
	// (each counted once a day in its row) and contacts the visits that
	// made a first WeChat contact, as ComputeTargets counts them; the last
	// visit is the latest of the officer's latest day.
	var figs []struct {
		Officer string `db:"officer"`
		Homes   int    `db:"homes"`
		WeChat  int    `db:"wechat"`
		Last    string `db:"last"`
	}
	err = app.DB().NewQuery(`SELECT o.id AS officer,
		COALESCE((SELECT SUM(d.homes) FROM ` + daysTable + ` d WHERE d.officer = o.id AND d.day = {:today}), 0) AS homes,
		COALESCE((SELECT SUM(d.wechat_new) FROM ` + daysTable + ` d WHERE d.officer = o.id AND d.day = {:today}), 0) AS wechat,
		COALESCE((SELECT MAX(d.last_at) FROM ` + daysTable + ` d WHERE d.officer = o.id
			AND d.day = (SELECT MAX(x.day) FROM ` + daysTable + ` x WHERE x.officer = o.id)), '') AS last
		FROM officers o WHERE o.role = {:role} AND o.active = TRUE`).
		Bind(dbx.Params{"today": st.DayString(now), "role": station.RoleOfficer}).WithContext(ctx).All(&figs)
	if err != nil {
		return b, station.Internal(err, "board figures")
	}
	today := map[string][2]int{}
	lastBy := map[string]time.Time{}
	for _, f := range figs {
		today[f.Officer] = [2]int{f.Homes, f.WeChat}
		if d, err := types.ParseDateTime(f.Last); err == nil && !d.IsZero() {
			lastBy[f.Officer] = d.Time()
		}
	}
	for _, o := range offs {
		homes, wechat := today[o.ID][0], today[o.ID][1]
		row := BoardRow{ID: o.ID, Name: o.Name, Badge: o.Badge, Homes: homes, WeChat: wechat,
			Online: presence[o.ID].Online, Pending: presence[o.ID].Pending,
			Behind: max(st.TargetHomes-homes, 0) + max(st.TargetWeChat-wechat, 0)}
		if l, ok := lastBy[o.ID]; ok {
			row.LastVisitAt = &l
		}
		b.Officers = append(b.Officers, row)
	}
	if b.VisitDay {
		slices.SortStableFunc(b.Officers, func(x, y BoardRow) int { return y.Behind - x.Behind })
	}
	return b, nil
}

// BoardPage is the deputy chief's live board: server-rendered, kept current
// by js/board.js over the live channel. Abnormal holiday checks stand above
// it until acknowledged.
func BoardPage(layout pwa.Layout, o *station.Officer, b Board, alerts []watches.Alert, loc *time.Location, now time.Time) g.Node {
	return layout(pwa.Page{
		Title:   i18n.T("board.title"),
		Officer: o,
		Nav:     "/board",
		Scripts: []string{"js/board.js"},
		Body: []g.Node{h.Section(h.ID("alerts"), h.Class("card alertbox"), g.If(len(alerts) == 0, h.Hidden("hidden")), h.Role("alert"),
			h.H2(g.Text(i18n.T("watch.alert_title"))),
			h.Ul(h.ID("alert-list"), h.Class("list"), g.Map(alerts, func(a watches.Alert) g.Node { return alertItem(a, loc) })),
			h.Template(h.ID("tpl-alert"), alertItem(watches.Alert{}, loc)),
		), h.Section(h.Class("card"),
			h.Div(h.Class("spread"),
				h.H1(g.Text(i18n.T("board.title"))),
				h.Span(h.ID("board-date"), g.Text(b.Date+" "), g.If(b.VisitDay, h.Span(h.Class("badge-visit-day"), g.Text(i18n.T("today.visit_day")))),
					g.If(!b.VisitDay, h.Span(h.Class("badge-rest-day"), g.Text(i18n.T("board.rest_day"))))),
			),
			h.P(h.Class("small muted"), h.ID("board-live"), g.Text(i18n.T("board.lead", b.HomesTarget, b.WeChatTarget))),
			h.Div(h.Class("table-wrap"), h.Table(h.ID("board"), g.Attr("data-homes-target", strconv.Itoa(b.HomesTarget)), g.Attr("data-wechat-target", strconv.Itoa(b.WeChatTarget)),
				h.THead(h.Tr(
					h.Th(g.Text(i18n.T("board.officer"))),
					h.Th(h.Class("num"), g.Text(i18n.T("today.homes"))),
					h.Th(h.Class("num"), g.Text(i18n.T("today.wechat"))),
					h.Th(g.Text(i18n.T("board.online"))),
					h.Th(h.Class("num"), g.Text(i18n.T("board.pending"))),
					h.Th(g.Text(i18n.T("board.last_visit"))),
				)),
				h.TBody(h.ID("board-rows"), g.Map(b.Officers, func(r BoardRow) g.Node { return boardRow(r, b, loc, now) })),
			)),
			h.Template(h.ID("tpl-board-row"), boardRow(BoardRow{}, b, loc, now)),
		)},
	})
}

// alertItem is one abnormal check on the board: where, who, what, and the
// button that acknowledges it (a plain form: the board works without its
// script too).
func alertItem(a watches.Alert, loc *time.Location) g.Node {
	at := ""
	if !a.RaisedAt.IsZero() {
		at = pwa.DateTime(a.RaisedAt, loc)
	}
	return h.Li(g.Attr("data-id", a.ID), h.Div(h.Class("item spread"),
		h.Span(h.A(h.Href("/watches/"+a.Watch), g.Attr("data-f", "address"), g.Text(a.Address)), g.Text(" "),
			h.Span(h.Class("small"), g.Attr("data-f", "line"), g.Text(strings.TrimSpace(at+" "+a.Officer+" "+a.Notes)))),
		h.Form(h.Method("post"), h.Action("/watches/alerts/"+a.ID+"/ack"),
			h.Button(h.Type("submit"), g.Text(i18n.T("watch.alert_ack")))),
	))
}

func boardRow(r BoardRow, b Board, loc *time.Location, now time.Time) g.Node {
	last := ""
	if r.LastVisitAt != nil {
		last = pwa.DateTime(*r.LastVisitAt, loc)
	}
	online := i18n.T("board.offline")
	if r.Online {
		online = i18n.T("board.is_online")
	}
	return h.Tr(g.Attr("data-id", r.ID), c.Classes{"behind": b.VisitDay && r.Behind > 0},
		h.Td(h.A(h.Href(DayLink(r.ID, b.Date)), g.Attr("data-f", "name"), g.Text(strings.TrimSpace(r.Name+" "+r.Badge)))),
		h.Td(h.Class("num"), g.Attr("data-f", "homes"), g.Textf("%d/%d", r.Homes, b.HomesTarget)),
		h.Td(h.Class("num"), g.Attr("data-f", "wechat"), g.Textf("%d/%d", r.WeChat, b.WeChatTarget)),
		h.Td(g.Attr("data-f", "online"), g.Text(online)),
		h.Td(h.Class("num"), g.Attr("data-f", "pending"), g.Textf("%d", r.Pending)),
		h.Td(g.Attr("data-f", "last"), g.Text(last)),
	)
}

// DayLink is the list of an officer's visits on one station-local day.
func DayLink(officerID, date string) string {
	return "/coverage/visits?" + url.Values{"officer": {officerID}, "date": {date}}.Encode()
}

type boardStore interface {
	Board(ctx context.Context, st station.Settings, now time.Time, presence map[string]Presence) (Board, error)
}

type alertLister interface {
	OpenAlerts(ctx context.Context) ([]watches.Alert, error)
}

// HandleBoard serves the deputy chief's board page.
func HandleBoard(store boardStore, alerts alertLister, layout pwa.Layout, settings func() station.Settings, presence func() map[string]Presence) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		st := settings()
		now := time.Now()
		b, err := store.Board(ctx, st, now, presence())
		if err != nil {
			return nil, err
		}
		open, err := alerts.OpenAlerts(ctx)
		if err != nil {
			return nil, err
		}
		return BoardPage(layout, station.OfficerFrom(ctx), b, open, st.Location(), now), nil
	}
}
