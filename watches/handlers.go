package watches

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// Env is what the watch pages need besides the store: the station's
// settings and the site's public address (for the resident's link).
type Env struct {
	Settings func() station.Settings
	BaseURL  func(c echo.Context) string
}

// store is what the watch pages need of the store.
type store interface {
	List(ctx context.Context, o *station.Officer, now time.Time) ([]*View, error)
	Get(ctx context.Context, o *station.Officer, id string) (*View, error)
	Create(ctx context.Context, o *station.Officer, in Input) (*HolidayWatch, string, error)
	Update(ctx context.Context, o *station.Officer, id string, in Input) (*HolidayWatch, error)
	Cancel(ctx context.Context, o *station.Officer, id, reason string) (*HolidayWatch, error)
	NewLink(ctx context.Context, o *station.Officer, id string) (string, error)
	Summary(ctx context.Context, id, secret string) (*Summary, error)
	Household(ctx context.Context, o *station.Officer, id string) (*households.Household, error)
	Ack(ctx context.Context, o *station.Officer, id string) error
}

// Household is a household the officer may register a watch for.
func (s *Store) Household(ctx context.Context, o *station.Officer, id string) (*households.Household, error) {
	return households.Get(ctx, s.app, o, id)
}

func today(env Env) Day { return DayOf(time.Now(), env.Settings().Location()) }

// HandleList serves /watches.
func HandleList(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		o := station.OfficerFrom(c.Request().Context())
		vs, err := st.List(c.Request().Context(), o, time.Now())
		if err != nil {
			return nil, err
		}
		return ListPage(layout, o, vs, today(env)), nil
	}
}

// HandleNew serves the registration form for ?household=ID.
func HandleNew(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		hh, err := st.Household(ctx, o, c.QueryParam("household"))
		if err != nil {
			return nil, err
		}
		d := today(env)
		in := Input{Household: hh.ID, From: d.Format(time.DateOnly), To: d.AddDate(0, 0, 7).Format(time.DateOnly), IntervalDays: DefaultInterval}
		if len(hh.Phones) > 0 {
			in.ContactName, in.ContactPhone = hh.HeadName, station.DisplayPhone(hh.Phones[0])
		}
		return FormPage(layout, FormProps{Officer: o, Address: hh.Address, Input: in}), nil
	}
}

func inputFromForm(c echo.Context) Input {
	n, err := strconv.Atoi(c.FormValue("interval_days"))
	if err != nil {
		n = -1 // out of range, said so
	}
	return Input{
		Household: c.FormValue("household"), From: c.FormValue("from"), To: c.FormValue("to"),
		ContactName: c.FormValue("contact_name"), ContactPhone: c.FormValue("contact_phone"), KeyHolder: c.FormValue("key_holder"),
		IntervalDays: n, Camera: c.FormValue("camera") == "1", Notes: c.FormValue("notes"),
	}
}

// HandleCreate registers a watch from the form and shows it with the
// resident's link, once (which is why it answers with the page rather than
// a redirect: the secret is in no URL and never shown again).
func HandleCreate(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		in := inputFromForm(c)
		w, secret, err := st.Create(ctx, o, in)
		if err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			hh, herr := st.Household(ctx, o, in.Household)
			if herr != nil {
				return nil, herr
			}
			return FormPage(layout, FormProps{Officer: o, Address: hh.Address, Input: in, Err: err}), err
		}
		return detail(c, st, layout, env, w.ID, env.BaseURL(c)+SummaryPath(w.ID, secret), i18n.T("watch.saved"), nil)
	}
}

func detail(c echo.Context, st store, layout pwa.Layout, env Env, id, link, notice string, pageErr error) (g.Node, error) {
	ctx := c.Request().Context()
	o := station.OfficerFrom(ctx)
	v, err := st.Get(ctx, o, id)
	if err != nil {
		return nil, err
	}
	return DetailPage(layout, DetailProps{Officer: o, View: v, Today: today(env), Loc: env.Settings().Location(), Link: link, Notice: notice, Err: pageErr}), pageErr
}

// HandleDetail serves /watches/{id}.
func HandleDetail(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		notice := ""
		switch c.QueryParam("done") {
		case "saved":
			notice = i18n.T("watch.saved")
		case "cancelled":
			notice = i18n.T("watch.cancelled")
		}
		return detail(c, st, layout, env, c.Param("id"), "", notice, nil)
	}
}

// HandleEdit serves the edit form of an active watch.
func HandleEdit(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		v, err := st.Get(ctx, o, c.Param("id"))
		if err != nil {
			return nil, err
		}
		if v.Status != StatusActive {
			return nil, &station.Error{Code: station.EConflict, Message: i18n.T("watch.closed")}
		}
		in := Input{ID: v.ID, Household: v.Household, From: v.From, To: v.To, ContactName: v.ContactName,
			ContactPhone: station.DisplayPhone(v.ContactPhone), KeyHolder: v.KeyHolder, IntervalDays: v.IntervalDays, Camera: v.Camera, Notes: v.Notes}
		return FormPage(layout, FormProps{Officer: o, Address: v.Address, Input: in, Editing: true}), nil
	}
}

// HandleUpdate saves the edit form: the schedule follows the new window.
func HandleUpdate(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		id := c.Param("id")
		in := inputFromForm(c)
		if _, err := st.Update(ctx, o, id, in); err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			v, gerr := st.Get(ctx, o, id)
			if gerr != nil {
				return nil, gerr
			}
			in.ID, in.Household = id, v.Household
			return FormPage(layout, FormProps{Officer: o, Address: v.Address, Input: in, Editing: true, Err: err}), err
		}
		return nil, c.Redirect(http.StatusSeeOther, "/watches/"+id+"?done=saved")
	}
}

// HandleCancel cancels an active watch with a reason.
func HandleCancel(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		id := c.Param("id")
		if _, err := st.Cancel(ctx, o, id, c.FormValue("cancel_reason")); err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			return detail(c, st, layout, env, id, "", "", err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/watches/"+id+"?done=cancelled")
	}
}

// HandleNewLink makes a new resident link (the old one stops working) and
// shows it once.
func HandleNewLink(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		id := c.Param("id")
		secret, err := st.NewLink(ctx, o, id)
		if err != nil {
			return nil, err
		}
		return detail(c, st, layout, env, id, env.BaseURL(c)+SummaryPath(id, secret), i18n.T("watch.link_replaced"), nil)
	}
}

// HandleSummary serves the resident's /w/{id}.{secret}: no account, no
// JavaScript; a wrong or revoked link gets a 404 that reveals nothing.
func HandleSummary(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		c.Response().Header().Set("Cache-Control", "no-store")
		gone := station.Errorf(station.ENotFound, "%s", i18n.T("watch.summary_bad"))
		id, secret, ok := ParseLink(c.Param("token"))
		if !ok {
			return SummaryGone(layout), gone
		}
		s, err := st.Summary(c.Request().Context(), id, secret)
		if station.ErrorCode(err) == station.ENotFound {
			return SummaryGone(layout), gone
		}
		if err != nil {
			return nil, err
		}
		return SummaryPage(layout, s, env.Settings().Location()), nil
	}
}

// HandleAck acknowledges an abnormal-check alert from the board.
func HandleAck(st store) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		if err := st.Ack(ctx, station.OfficerFrom(ctx), c.Param("id")); err != nil {
			return nil, err
		}
		return nil, c.Redirect(http.StatusSeeOther, "/board")
	}
}
