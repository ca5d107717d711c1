package households

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// registry is what the household pages need of the store.
type registry interface {
	Search(ctx context.Context, o *station.Officer, q Query) (Result, error)
	Places(ctx context.Context, o *station.Officer) ([]Community, error)
	Get(ctx context.Context, o *station.Officer, id string) (*Household, error)
	Create(ctx context.Context, o *station.Officer, in Input) (*Household, error)
	Update(ctx context.Context, o *station.Officer, id string, in Input) (*Household, error)
	SetArchived(ctx context.Context, o *station.Officer, id string, archived bool) (*Household, error)
}

// Env is the station context every page shows: its zone and officers.
type Env struct {
	Settings func() station.Settings
	Officers func() (map[string]string, error)
	// Communities is an officer's communities (the search by officer).
	Communities func(officerID string) ([]string, error)
}

// query reads the search of the request, resolving an officer filter to
// their communities.
func (env Env) query(c echo.Context) (Query, error) {
	q := QueryOf(c.QueryParams())
	q.Now = time.Now()
	if q.Officer != "" && env.Communities != nil {
		cs, err := env.Communities(q.Officer)
		if err != nil {
			return q, err
		}
		q.Communities = cs
	}
	return q, nil
}

// HistoryFunc renders a household's visit history (the visit log owns it).
type HistoryFunc func(ctx context.Context, o *station.Officer, h *Household) (g.Node, error)

// PageSize is how many households a search page lists.
const PageSize = 50

// HandleSearch serves the registry search.
func HandleSearch(reg registry, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		q, err := env.query(c)
		if err != nil {
			return nil, err
		}
		q.Limit = PageSize
		places, err := reg.Places(ctx, o)
		if err != nil {
			return nil, err
		}
		res, err := reg.Search(ctx, o, q)
		if err != nil {
			return nil, err
		}
		officers, err := env.Officers()
		if err != nil {
			return nil, station.Internal(err, "officer names")
		}
		return SearchPage(layout, SearchProps{
			Officer: o, Query: q, Places: places, Result: res, Officers: officers,
			Loc: env.Settings().Location(), Now: q.Now, Notice: notice(c),
		}), nil
	}
}

func notice(c echo.Context) string {
	switch c.QueryParam("done") {
	case "saved":
		return i18n.T("household.saved")
	case "archived":
		return i18n.T("household.archived_done")
	case "restored":
		return i18n.T("household.restored_done")
	}
	return ""
}

// HandleDetail serves one household with its visit history.
func HandleDetail(reg registry, layout pwa.Layout, env Env, history HistoryFunc) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		hh, err := reg.Get(ctx, o, c.Param("id"))
		if err != nil {
			return nil, err
		}
		return detail(c, reg, layout, env, history, hh, nil)
	}
}

// detail is a household's page; pageErr, if any, is shown on it and
// decides its status.
func detail(c echo.Context, reg registry, layout pwa.Layout, env Env, history HistoryFunc, hh *Household, pageErr error) (g.Node, error) {
	ctx := c.Request().Context()
	o := station.OfficerFrom(ctx)
	places, err := reg.Places(ctx, o)
	if err != nil {
		return nil, err
	}
	officers, err := env.Officers()
	if err != nil {
		return nil, station.Internal(err, "officer names")
	}
	hist, err := history(ctx, o, hh)
	if err != nil {
		return nil, err
	}
	return DetailPage(layout, DetailProps{
		Officer: o, Household: hh, Places: places, Officers: officers,
		Loc: env.Settings().Location(), Now: time.Now(), Notice: notice(c), History: hist, Err: pageErr,
	}), pageErr
}

// HandleNew serves the empty create form.
func HandleNew(reg registry, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		places, err := reg.Places(ctx, o)
		if err != nil {
			return nil, err
		}
		in := Input{Community: c.QueryParam("community")}
		if in.Community == "" && len(places) == 1 {
			in.Community = places[0].ID
		}
		return FormPage(layout, FormProps{Officer: o, Places: places, Input: in}), nil
	}
}

// HandleCreate saves the create form; problems re-show it with each field's
// message, a duplicate links to the household that exists.
func HandleCreate(reg registry, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		in := inputFromForm(c)
		hh, err := reg.Create(ctx, o, in)
		if err != nil {
			return reshowForm(c, reg, layout, in, nil, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/households/"+hh.ID+"?done=saved")
	}
}

// HandleEdit serves the edit form filled with the household.
func HandleEdit(reg registry, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		hh, err := reg.Get(ctx, o, c.Param("id"))
		if err != nil {
			return nil, err
		}
		if hh.Archived {
			return nil, &station.Error{Code: station.EConflict, Message: i18n.T("household.archived")}
		}
		places, err := reg.Places(ctx, o)
		if err != nil {
			return nil, err
		}
		return FormPage(layout, FormProps{Officer: o, Places: places, Input: InputOf(hh), Editing: hh}), nil
	}
}

// InputOf is the form input that describes hh as it is.
func InputOf(hh *Household) Input {
	return Input{
		Community: hh.Community, Grid: hh.Grid, Address: hh.Address, Building: hh.Building, Unit: hh.Unit, Room: hh.Room,
		HeadName: hh.HeadName, Phones: hh.PhonesDisplay, Residents: hh.Residents, Tags: hh.Tags, Notes: hh.Notes,
		BaseRev: hh.Rev,
	}
}

// HandleUpdate saves the edit form. An edit made on a copy someone else
// changed meanwhile is refused, so nobody's change is silently lost.
func HandleUpdate(reg registry, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		id := c.Param("id")
		cur, err := reg.Get(ctx, o, id)
		if err != nil {
			return nil, err
		}
		in := inputFromForm(c)
		if _, err := reg.Update(ctx, o, id, in); err != nil {
			return reshowForm(c, reg, layout, in, cur, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/households/"+id+"?done=saved")
	}
}

// reshowForm shows the form again with err's problems: the adapter answers
// with err's status (422 for invalid input, 409 for a duplicate or a stale
// copy).
func reshowForm(c echo.Context, reg registry, layout pwa.Layout, in Input, editing *Household, err error) (g.Node, error) {
	code := station.ErrorCode(err)
	if code != station.EInvalid && code != station.EConflict {
		return nil, err
	}
	ctx := c.Request().Context()
	o := station.OfficerFrom(ctx)
	places, perr := reg.Places(ctx, o)
	if perr != nil {
		return nil, perr
	}
	return FormPage(layout, FormProps{Officer: o, Places: places, Input: in, Editing: editing, Err: err}), err
}

// HandleArchive archives (archived=1) or restores (archived=0) a household.
func HandleArchive(reg registry, layout pwa.Layout, env Env, history HistoryFunc) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		archive := c.FormValue("archived") != "0"
		hh, err := reg.SetArchived(ctx, o, c.Param("id"), archive)
		if err != nil {
			if station.ErrorCode(err) == station.EConflict {
				cur, gerr := reg.Get(ctx, o, c.Param("id"))
				if gerr != nil {
					return nil, gerr
				}
				return detail(c, reg, layout, env, history, cur, err)
			}
			return nil, err
		}
		done := "archived"
		if !archive {
			done = "restored"
		}
		return nil, c.Redirect(http.StatusSeeOther, "/households/"+hh.ID+"?done="+done)
	}
}

// inputFromForm reads the household form as typed.
func inputFromForm(c echo.Context) Input {
	in := Input{
		Community: c.FormValue("community"),
		Grid:      c.FormValue("grid"),
		Address:   c.FormValue("address"),
		Building:  c.FormValue("building"),
		Unit:      c.FormValue("unit"),
		Room:      c.FormValue("room"),
		HeadName:  c.FormValue("head_name"),
		Notes:     c.FormValue("notes"),
		BaseRev:   c.FormValue("base_rev"),
	}
	if p := strings.TrimSpace(c.FormValue("phones")); p != "" {
		in.Phones = []string{p}
	}
	if r := strings.TrimSpace(c.FormValue("residents")); r != "" {
		n, err := strconv.Atoi(r)
		if err != nil {
			n = -1 // reported as out of range
		}
		in.Residents = n
	}
	if form, err := c.FormParams(); err == nil {
		in.Tags = form["tags"]
	}
	return in
}
