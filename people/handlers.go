package people

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// Env is what the people pages need besides the store.
type Env struct {
	Settings func() station.Settings
	Places   func(ctx context.Context) ([]Place, error)
}

type store interface {
	List(ctx context.Context) ([]*Officer, error)
	Get(ctx context.Context, id string) (*Officer, error)
	Create(ctx context.Context, in Input) (*Officer, string, error)
	Update(ctx context.Context, id string, in Input) (*Officer, error)
	ResetPassword(ctx context.Context, id string) (string, error)
	SetActive(ctx context.Context, id string, active bool) error
	Handovers(ctx context.Context, officerID, community string) ([]*Handover, error)
	Preview(ctx context.Context, in HandoverInput) (*Plan, error)
	Hand(ctx context.Context, by *station.Officer, in HandoverInput) (*Handover, error)
}

func inputFromForm(c echo.Context) Input {
	form, _ := c.FormParams()
	return Input{Badge: c.FormValue("badge"), Name: c.FormValue("name"), Role: c.FormValue("role"), Communities: form["communities"],
		WeChat: c.FormValue("wechat"), Phone: c.FormValue("phone"), Email: c.FormValue("email")}
}

// HandleList serves /officers.
func HandleList(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		os, err := st.List(ctx)
		if err != nil {
			return nil, err
		}
		places, err := env.Places(ctx)
		if err != nil {
			return nil, err
		}
		return ListPage(layout, station.OfficerFrom(ctx), os, places, env.Settings().Location()), nil
	}
}

// HandleNew serves the empty officer form.
func HandleNew(layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		places, err := env.Places(ctx)
		if err != nil {
			return nil, err
		}
		return FormPage(layout, FormProps{Me: station.OfficerFrom(ctx), Input: Input{Role: station.RoleOfficer}, Places: places}), nil
	}
}

func detail(c echo.Context, st store, layout pwa.Layout, env Env, id, password, notice string) (g.Node, error) {
	ctx := c.Request().Context()
	o, err := st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	places, err := env.Places(ctx)
	if err != nil {
		return nil, err
	}
	hs, err := st.Handovers(ctx, id, "")
	if err != nil {
		return nil, err
	}
	return DetailPage(layout, DetailProps{Me: station.OfficerFrom(ctx), Officer: o, Places: places, Handovers: hs,
		Loc: env.Settings().Location(), Password: password, Notice: notice}), nil
}

// HandleCreate adds an officer and shows their password, once (so the
// answer is the page, not a redirect).
func HandleCreate(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		in := inputFromForm(c)
		o, password, err := st.Create(ctx, in)
		if err != nil {
			return reshow(c, layout, env, in, nil, err)
		}
		return detail(c, st, layout, env, o.ID, password, i18n.T("people.saved"))
	}
}

func reshow(c echo.Context, layout pwa.Layout, env Env, in Input, editing *Officer, err error) (g.Node, error) {
	if station.ErrorCode(err) != station.EInvalid {
		return nil, err
	}
	ctx := c.Request().Context()
	places, perr := env.Places(ctx)
	if perr != nil {
		return nil, perr
	}
	return FormPage(layout, FormProps{Me: station.OfficerFrom(ctx), Input: in, Places: places, Editing: editing, Err: err}), err
}

// HandleDetail serves /officers/{id}.
func HandleDetail(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		notice := map[string]string{"saved": i18n.T("people.saved"), "deactivated": i18n.T("people.deactivated"),
			"reactivated": i18n.T("people.reactivated"), "handover": i18n.T("people.handover_done")}[c.QueryParam("done")]
		return detail(c, st, layout, env, c.Param("id"), "", notice)
	}
}

// HandleEdit serves an officer's edit form.
func HandleEdit(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o, err := st.Get(ctx, c.Param("id"))
		if err != nil {
			return nil, err
		}
		places, err := env.Places(ctx)
		if err != nil {
			return nil, err
		}
		in := Input{Badge: o.Badge, Name: o.Name, Role: o.Role, Communities: o.Communities, WeChat: o.WeChat, Email: o.Email}
		if o.Phone != "" {
			in.Phone = station.DisplayPhone(o.Phone)
		}
		return FormPage(layout, FormProps{Me: station.OfficerFrom(ctx), Input: in, Places: places, Editing: o}), nil
	}
}

// HandleUpdate saves an officer's edit form.
func HandleUpdate(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		id := c.Param("id")
		cur, err := st.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		in := inputFromForm(c)
		if _, err := st.Update(ctx, id, in); err != nil {
			return reshow(c, layout, env, in, cur, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/officers/"+id+"?done=saved")
	}
}

// HandleResetPassword gives an officer a new password, shown once.
func HandleResetPassword(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		password, err := st.ResetPassword(c.Request().Context(), c.Param("id"))
		if err != nil {
			return nil, err
		}
		return detail(c, st, layout, env, c.Param("id"), password, "")
	}
}

// HandleSetActive deactivates (active=0) or brings back (active=1).
func HandleSetActive(st store) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		active := c.FormValue("active") == "1"
		if err := st.SetActive(c.Request().Context(), c.Param("id"), active); err != nil {
			return nil, err
		}
		done := "deactivated"
		if active {
			done = "reactivated"
		}
		return nil, c.Redirect(http.StatusSeeOther, "/officers/"+c.Param("id")+"?done="+done)
	}
}

func handoverFromForm(c echo.Context) HandoverInput {
	form, _ := c.FormParams()
	return HandoverInput{From: c.FormValue("from"), To: c.FormValue("to"), Communities: form["communities"],
		MoveWeChatID: c.FormValue("move_wechat_id") == "1", Note: c.FormValue("note")}
}

func handoverForm(c echo.Context, st store, layout pwa.Layout, env Env, in HandoverInput, pageErr error) (g.Node, error) {
	ctx := c.Request().Context()
	all, err := st.List(ctx)
	if err != nil {
		return nil, err
	}
	var officers []*Officer
	for _, o := range all {
		// Handovers are between community officers in post; the deputy
		// chief is no one's predecessor or successor.
		if o.Role == station.RoleOfficer && o.Active {
			officers = append(officers, o)
		}
	}
	places, err := env.Places(ctx)
	if err != nil {
		return nil, err
	}
	return HandoverPage(layout, HandoverProps{Me: station.OfficerFrom(ctx), Officers: officers, Places: places, Input: in, Err: pageErr}), pageErr
}

// HandleHandoverForm serves /handover (?from=ID preselects).
func HandleHandoverForm(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		return handoverForm(c, st, layout, env, HandoverInput{From: c.QueryParam("from")}, nil)
	}
}

// HandleHandoverPreview counts what the handover would move.
func HandleHandoverPreview(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		in := handoverFromForm(c)
		plan, err := st.Preview(c.Request().Context(), in)
		if err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			return handoverForm(c, st, layout, env, in, err)
		}
		return PreviewPage(layout, station.OfficerFrom(c.Request().Context()), plan), nil
	}
}

// HandleHandoverConfirm performs the handover, in one transaction.
func HandleHandoverConfirm(st store, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		in := handoverFromForm(c)
		if _, err := st.Hand(ctx, station.OfficerFrom(ctx), in); err != nil {
			code := station.ErrorCode(err)
			if code != station.EInvalid && code != station.EConflict {
				return nil, err
			}
			return handoverForm(c, st, layout, env, in, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/officers/"+in.To+"?done=handover")
	}
}

// HistoryLines are a household's handover lines ("2026-12-01 由 李卫东 交接给
// 周永杰"), for its page.
func HistoryLines(hs []*Handover, loc *time.Location) []string {
	out := make([]string, len(hs))
	for i, ho := range hs {
		out[i] = i18n.T("people.history_line", pwa.Date(ho.At, loc), ho.From, ho.To)
	}
	return out
}
