package visits

import (
	"context"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// VisitDetail is one visit as the deputy chief reviews it: where, who, what
// was found, and what the resident answered.
type VisitDetail struct {
	*Visit
	Address, HeadName, Officer, Badge string
	Comment, PhoneCheck               string
	AnsweredAt                        time.Time
}

// Detail loads a visit for the office page.
func (s *Store) Detail(ctx context.Context, o *station.Officer, id string) (*VisitDetail, error) {
	v, err := s.Get(ctx, o, id)
	if err != nil {
		return nil, err
	}
	d := &VisitDetail{Visit: v}
	if hh, err := s.app.FindRecordById("households", v.Household); err == nil {
		d.Address, d.HeadName = hh.GetString("address"), hh.GetString("head_name")
	}
	if off, err := s.app.FindRecordById("officers", v.Officer); err == nil {
		d.Officer, d.Badge = off.GetString("name"), off.GetString("badge")
	}
	if c, err := s.app.FindFirstRecordByData(ConfirmCollection, "visit", v.ID); err == nil {
		d.Comment, d.PhoneCheck, d.AnsweredAt = c.GetString("comment"), c.GetString("phone_check"), c.GetDateTime("confirmed_at").Time()
	}
	return d, nil
}

type visitDetailer interface {
	Detail(ctx context.Context, o *station.Officer, id string) (*VisitDetail, error)
}

// HandleOfficeVisit serves /visits/{id} to the deputy chief (an officer's
// phone draws the same path from its replica).
func HandleOfficeVisit(store visitDetailer, layout pwa.Layout, settings func() station.Settings) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		d, err := store.Detail(ctx, o, c.Param("id"))
		if err != nil {
			return nil, err
		}
		loc := settings().Location()
		fact := func(k string, v ...g.Node) g.Node { return g.Group{h.Dt(g.Text(i18n.T(k))), h.Dd(v...)} }
		return layout(pwa.Page{
			Title:   i18n.T("visit.office_title", d.Address),
			Officer: o,
			Nav:     "/coverage",
			Body: []g.Node{h.Section(h.Class("card"),
				h.H1(g.Text(i18n.T("visit.office_title", d.Address))),
				h.Dl(h.Class("facts"),
					fact("book.col.address", h.A(h.Href("/households/"+d.Household), g.Text(d.Address))),
					fact("book.col.head", g.Text(d.HeadName)),
					fact("book.officer", h.A(h.Href("/coverage?officer="+d.Officer), g.Text(d.Officer+" "+d.Badge))),
					fact("book.col.date", g.Text(pwa.DateTime(d.VisitedAt, loc))),
					fact("visit.received", g.Text(pwa.DateTime(d.ReceivedAt, loc))),
					fact("book.col.kind", g.Text(i18n.T("kind."+d.Kind))),
					fact("book.col.outcome", g.Text(i18n.T("outcome."+d.Outcome)), g.If(d.CheckResult != "", g.Text(" · "+i18n.T("check."+d.CheckResult)))),
					fact("book.col.wechat", g.If(d.WeChatNew, g.Text(i18n.T("book.wechat_new"))), g.If(!d.WeChatNew && d.WeChatAdded, g.Text(i18n.T("book.wechat_again")))),
					fact("field.concerns", g.Text(strings.Join(d.Concerns, "、"))),
					fact("field.notes", g.Text(d.Notes)),
					fact("book.col.confirmed", g.Text(AnswerText(d.Visit)), g.If(!d.AnsweredAt.IsZero(), g.Text(" · "+pwa.DateTime(d.AnsweredAt, loc)))),
					g.If(d.Comment != "", fact("confirm.comment", g.Text(d.Comment))),
					g.If(d.PhoneCheck != "", fact("visit.phone_check", g.Text(i18n.T("visit.phone_check."+d.PhoneCheck)))),
				),
			)},
		}), nil
	}
}
