package patrols

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase/core"
	g "maragu.dev/gomponents"

	"zoufang/households"
	"zoufang/pwa"
	"zoufang/station"
)

// reportStore is what the report pages need of the store.
type reportStore interface {
	Places(ctx context.Context, o *station.Officer) ([]households.Community, error)
	Names(ctx context.Context, o *station.Officer) (Names, error)
	Settings() station.Settings
	Reports(ctx context.Context, o *station.Officer, q ReportQuery) (ReportList, error)
	Report(ctx context.Context, o *station.Officer, id string) (*Report, error)
	SaveReport(ctx context.Context, o *station.Officer, in ReportInput, now time.Time) (*Report, string, error)
	Move(ctx context.Context, o *station.Officer, tr Transition, now time.Time) (*Report, string, error)
	Assignees(ctx context.Context, community string) ([]Assignee, error)
	Volunteers(ctx context.Context, o *station.Officer, q VolunteerQuery) ([]*Volunteer, error)
	Points(ctx context.Context, o *station.Officer, community string) ([]*Point, error)
	Household(ctx context.Context, o *station.Officer, id string) (*households.Household, error)
	Point(ctx context.Context, o *station.Officer, id string) (*Point, error)
}

// ReportPageSize is how many reports a list page shows.
const ReportPageSize = 50

// HandleReports serves /reports.
func HandleReports(store reportStore, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		places, err := store.Places(ctx, o)
		if err != nil {
			return nil, err
		}
		q := ReportQuery{
			Community: communityParam(c, places), Status: c.QueryParam("status"), Kind: c.QueryParam("kind"),
			AssignedTo: c.QueryParam("assigned"), Limit: ReportPageSize,
		}
		q.Offset, _ = strconv.Atoi(c.QueryParam("offset"))
		q.Offset = max(q.Offset, 0)
		list, err := store.Reports(ctx, o, q)
		if err != nil {
			return nil, err
		}
		names, err := store.Names(ctx, o)
		if err != nil {
			return nil, err
		}
		return ReportsPage(layout, ReportsProps{Officer: o, Places: places, Query: q, List: list, Names: names, Loc: store.Settings().Location()}), nil
	}
}

// HandleReportForm serves the new-report form; ?community=, ?household=
// and ?point= fill it in (a household's page or a map point links here).
func HandleReportForm(store reportStore, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		places, err := store.Places(ctx, o)
		if err != nil {
			return nil, err
		}
		in := ReportInput{ID: core.GenerateDefaultRandomId(), Community: communityParam(c, places), Household: c.QueryParam("household"), Point: c.QueryParam("point")}
		if in.Household != "" {
			hh, err := store.Household(ctx, o, in.Household)
			if err != nil {
				return nil, err
			}
			in.Community, in.Grid = hh.Community, hh.Grid
		}
		if in.Community == "" {
			in.Community = onlyCommunity(places)
		}
		at := time.Now().In(store.Settings().Location()).Format("2006-01-02T15:04")
		return reportForm(ctx, store, layout, o, places, in, at, nil)
	}
}

func reportForm(ctx context.Context, store reportStore, layout pwa.Layout, o *station.Officer, places []households.Community, in ReportInput, at string, formErr error) (g.Node, error) {
	p := ReportFormProps{Officer: o, Places: places, Input: in, At: at, Err: formErr}
	if in.Community != "" {
		var err error
		if p.Volunteers, err = store.Volunteers(ctx, o, VolunteerQuery{Community: in.Community}); err != nil {
			return nil, err
		}
		if p.Points, err = store.Points(ctx, o, in.Community); err != nil {
			return nil, err
		}
		if in.Household != "" {
			p.Household, _ = store.Household(ctx, o, in.Household)
		}
	}
	return ReportFormPage(layout, p), formErr
}

// HandleSaveReport saves the new-report form; the form's id (minted when
// it was drawn) makes a double submit one report.
func HandleSaveReport(store reportStore, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		loc := store.Settings().Location()
		at := c.FormValue("reported_at")
		in := ReportInput{
			ID: c.FormValue("id"), Volunteer: c.FormValue("volunteer"), Community: c.FormValue("community"),
			Grid: c.FormValue("grid"), Household: c.FormValue("household"), Point: c.FormValue("point"),
			Place: c.FormValue("place"), Kind: c.FormValue("kind"), Description: c.FormValue("description"),
		}
		var formErr error
		if t, ok := formTime(at, loc); ok {
			in.ReportedAt = t
		} else if at != "" {
			p := station.Problems{}
			p.Add("reported_at", "datetime_local")
			formErr = p.Err()
		}
		var r *Report
		if formErr == nil {
			r, _, formErr = store.SaveReport(ctx, o, in, time.Now())
		}
		if formErr != nil {
			if station.ErrorCode(formErr) != station.EInvalid {
				return nil, formErr
			}
			places, err := store.Places(ctx, o)
			if err != nil {
				return nil, err
			}
			if !hasPlace(places, in.Community) {
				in.Community = "" // back to choosing one
			}
			return reportForm(ctx, store, layout, o, places, in, at, formErr)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/reports/"+r.ID+"?done=report")
	}
}

// HandleReport serves a report's page.
func HandleReport(store reportStore, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		r, err := store.Report(ctx, o, c.Param("id"))
		if err != nil {
			return nil, err
		}
		return reportPage(c, store, layout, r, nil)
	}
}

func reportPage(c echo.Context, store reportStore, layout pwa.Layout, r *Report, moveErr error) (g.Node, error) {
	ctx, o := officerOf(c)
	names, err := store.Names(ctx, o)
	if err != nil {
		return nil, err
	}
	assignees, err := store.Assignees(ctx, r.Community)
	if err != nil {
		return nil, err
	}
	p := ReportProps{Officer: o, Report: r, Names: names, Assignees: assignees, Loc: store.Settings().Location(), Notice: doneNotice(c), Err: moveErr}
	if r.Household != "" {
		p.Household, _ = store.Household(ctx, o, r.Household)
	}
	if r.Point != "" {
		p.Point, _ = store.Point(ctx, o, r.Point)
	}
	return ReportPage(layout, p), moveErr
}

// HandleMove applies a move from a report's page. A refused move shows the
// page again with why (422 for a missing result, 403 for a move that is
// not the officer's to make).
func HandleMove(store reportStore, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		id := c.Param("id")
		note := c.FormValue("note")
		if note == "" {
			note = c.FormValue("remark")
		}
		tr := Transition{Report: id, To: c.FormValue("to"), AssignedTo: c.FormValue("assigned_to"), Result: c.FormValue("result"), Note: note}
		if _, _, err := store.Move(ctx, o, tr, time.Now()); err != nil {
			code := station.ErrorCode(err)
			if code != station.EInvalid && code != station.EForbidden && code != station.EConflict {
				return nil, err
			}
			r, gerr := store.Report(ctx, o, id)
			if gerr != nil {
				return nil, gerr
			}
			return reportPage(c, store, layout, r, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/reports/"+id+"?done=moved#history")
	}
}
