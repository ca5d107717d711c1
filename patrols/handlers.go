package patrols

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase/core"
	g "maragu.dev/gomponents"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// roster is what the patrols pages need of the store.
type roster interface {
	Places(ctx context.Context, o *station.Officer) ([]households.Community, error)
	Names(ctx context.Context, o *station.Officer) (Names, error)
	Settings() station.Settings
	Teams(ctx context.Context, o *station.Officer, community string) ([]*Team, error)
	Team(ctx context.Context, o *station.Officer, id string) (*Team, error)
	SaveTeam(ctx context.Context, o *station.Officer, id string, in TeamInput) (*Team, error)
	Volunteers(ctx context.Context, o *station.Officer, q VolunteerQuery) ([]*Volunteer, error)
	Volunteer(ctx context.Context, o *station.Officer, id string) (*Volunteer, error)
	SaveVolunteer(ctx context.Context, o *station.Officer, id string, in VolunteerInput) (*Volunteer, error)
	Shifts(ctx context.Context, o *station.Officer, q ShiftQuery) ([]*Shift, error)
	SaveShift(ctx context.Context, o *station.Officer, in ShiftInput, now time.Time) (*Shift, string, error)
	Figures(ctx context.Context, o *station.Officer, year int) (Figures, error)
}

func officerOf(c echo.Context) (context.Context, *station.Officer) {
	ctx := c.Request().Context()
	return ctx, station.OfficerFrom(ctx)
}

// communityParam is the community a page is asked for: one in the area,
// or "" (all of them, or the officer's only one where a page needs one).
func communityParam(c echo.Context, places []households.Community) string {
	id := c.QueryParam("community")
	if hasPlace(places, id) {
		return id
	}
	return ""
}

// yearParam is the year asked for, this year (station-local) by default.
func yearParam(c echo.Context, st station.Settings) int {
	if y, err := strconv.Atoi(c.QueryParam("year")); err == nil && y >= 2000 && y <= 9999 {
		return y
	}
	return time.Now().In(st.Location()).Year()
}

// HandleOverview serves /patrols.
func HandleOverview(store roster, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		places, err := store.Places(ctx, o)
		if err != nil {
			return nil, err
		}
		comm := communityParam(c, places)
		teams, err := store.Teams(ctx, o, comm)
		if err != nil {
			return nil, err
		}
		vols, err := store.Volunteers(ctx, o, VolunteerQuery{Community: comm})
		if err != nil {
			return nil, err
		}
		shifts, err := store.Shifts(ctx, o, ShiftQuery{Community: comm, Limit: 30})
		if err != nil {
			return nil, err
		}
		figs, err := store.Figures(ctx, o, yearParam(c, store.Settings()))
		if err != nil {
			return nil, err
		}
		names, err := store.Names(ctx, o)
		if err != nil {
			return nil, err
		}
		return OverviewPage(layout, OverviewProps{
			Officer: o, Places: places, Community: comm, Teams: teams, Volunteers: vols, Shifts: shifts,
			Figures: figs, Names: names, Notice: doneNotice(c),
		}), nil
	}
}

func doneNotice(c echo.Context) string {
	if d := c.QueryParam("done"); d != "" && i18n.Has("patrols.done_"+d) {
		return i18n.T("patrols.done_" + d)
	}
	return ""
}

// HandleFiguresXLSX serves /patrols/figures.xlsx?year=.
func HandleFiguresXLSX(store roster) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		figs, err := store.Figures(ctx, o, yearParam(c, store.Settings()))
		if err != nil {
			return nil, err
		}
		name := i18n.T("patrols.figures_file", figs.Year)
		return nil, WriteFiguresXLSX(pwa.XLSX(c, "patrols-"+strconv.Itoa(figs.Year)+".xlsx", name), figs)
	}
}

// HandleTeamForm serves the new-team form (id "") or a team's edit form.
func HandleTeamForm(store roster, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		places, err := store.Places(ctx, o)
		if err != nil {
			return nil, err
		}
		var team *Team
		in := TeamInput{Community: communityParam(c, places)}
		if in.Community == "" {
			in.Community = onlyCommunity(places)
		}
		if id := c.Param("id"); id != "" {
			if team, err = store.Team(ctx, o, id); err != nil {
				return nil, err
			}
			in = TeamInput{Community: team.Community, Name: team.Name, Leader: team.Leader, Grids: team.Grids, Notes: team.Notes}
		}
		return teamForm(ctx, store, layout, o, places, team, in, nil)
	}
}

func teamForm(ctx context.Context, store roster, layout pwa.Layout, o *station.Officer, places []households.Community, team *Team, in TeamInput, formErr error) (g.Node, error) {
	vols, err := store.Volunteers(ctx, o, VolunteerQuery{Community: in.Community})
	if err != nil {
		return nil, err
	}
	return TeamFormPage(layout, TeamFormProps{Officer: o, Places: places, Team: team, Input: in, Volunteers: vols, Err: formErr}), formErr
}

// HandleSaveTeam saves the team form.
func HandleSaveTeam(store roster, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		form, _ := c.FormParams()
		in := TeamInput{Community: c.FormValue("community"), Name: c.FormValue("name"), Leader: c.FormValue("leader"), Grids: form["grids"], Notes: c.FormValue("notes")}
		id := c.Param("id")
		var team *Team
		if id != "" {
			var err error
			if team, err = store.Team(ctx, o, id); err != nil {
				return nil, err
			}
		}
		if _, err := store.SaveTeam(ctx, o, id, in); err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			places, perr := store.Places(ctx, o)
			if perr != nil {
				return nil, perr
			}
			return teamForm(ctx, store, layout, o, places, team, in, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/patrols?community="+url.QueryEscape(in.Community)+"&done=team")
	}
}

// HandleVolunteerForm serves the new-volunteer form (id "") or a
// volunteer's edit form.
func HandleVolunteerForm(store roster, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		places, err := store.Places(ctx, o)
		if err != nil {
			return nil, err
		}
		var v *Volunteer
		in := VolunteerInput{Community: communityParam(c, places), Active: true, JoinedAt: store.Settings().DayString(time.Now())}
		if in.Community == "" {
			in.Community = onlyCommunity(places)
		}
		if id := c.Param("id"); id != "" {
			if v, err = store.Volunteer(ctx, o, id); err != nil {
				return nil, err
			}
			phone := v.PhoneDisplay
			in = VolunteerInput{Name: v.Name, Phone: phone, Community: v.Community, Team: v.Team, Unit: v.Unit, PartyMember: v.PartyMember, JoinedAt: v.JoinedAt, Active: v.Active}
		}
		return volunteerForm(ctx, store, layout, o, places, v, in, nil)
	}
}

func volunteerForm(ctx context.Context, store roster, layout pwa.Layout, o *station.Officer, places []households.Community, v *Volunteer, in VolunteerInput, formErr error) (g.Node, error) {
	teams, err := store.Teams(ctx, o, "")
	if err != nil {
		return nil, err
	}
	return VolunteerFormPage(layout, VolunteerFormProps{Officer: o, Places: places, Volunteer: v, Input: in, Teams: teams, Err: formErr}), formErr
}

// HandleSaveVolunteer saves the volunteer form.
func HandleSaveVolunteer(store roster, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		in := VolunteerInput{
			Name: c.FormValue("name"), Phone: c.FormValue("phone"), Community: c.FormValue("community"), Team: c.FormValue("team"),
			Unit: c.FormValue("unit"), PartyMember: c.FormValue("party_member") == "1", JoinedAt: c.FormValue("joined_at"),
			Active: c.FormValue("active") == "1",
		}
		id := c.Param("id")
		var v *Volunteer
		if id != "" {
			var err error
			if v, err = store.Volunteer(ctx, o, id); err != nil {
				return nil, err
			}
		}
		if _, err := store.SaveVolunteer(ctx, o, id, in); err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			places, perr := store.Places(ctx, o)
			if perr != nil {
				return nil, perr
			}
			return volunteerForm(ctx, store, layout, o, places, v, in, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/patrols?community="+url.QueryEscape(in.Community)+"&done=volunteer#volunteers")
	}
}

// HandleShiftForm serves the shift form: a team picker first, then the
// shift of ?team=.
func HandleShiftForm(store roster, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		st := store.Settings()
		now := time.Now().In(st.Location())
		in := ShiftInput{Team: c.QueryParam("team"), Date: st.DayString(now), Starts: now.Add(-2 * time.Hour).Format("15:04"), Ends: now.Format("15:04")}
		if in.Team == "" {
			places, err := store.Places(ctx, o)
			if err != nil {
				return nil, err
			}
			comm := communityParam(c, places)
			teams, err := store.Teams(ctx, o, comm)
			if err != nil {
				return nil, err
			}
			if len(teams) == 1 {
				in.Team = teams[0].ID
			} else {
				return ShiftFormPage(layout, ShiftFormProps{Officer: o, Places: places, Teams: teams}), nil
			}
		}
		return shiftForm(ctx, store, layout, o, in, nil)
	}
}

func shiftForm(ctx context.Context, store roster, layout pwa.Layout, o *station.Officer, in ShiftInput, formErr error) (g.Node, error) {
	places, err := store.Places(ctx, o)
	if err != nil {
		return nil, err
	}
	team, err := store.Team(ctx, o, in.Team)
	if err != nil {
		return nil, err
	}
	if len(in.Grids) == 0 && formErr == nil {
		in.Grids = team.Grids
	}
	if in.ID == "" {
		in.ID = core.GenerateDefaultRandomId()
	}
	vols, err := store.Volunteers(ctx, o, VolunteerQuery{Community: team.Community})
	if err != nil {
		return nil, err
	}
	return ShiftFormPage(layout, ShiftFormProps{Officer: o, Places: places, Team: team, Volunteers: vols, Input: in, Err: formErr}), formErr
}

// HandleSaveShift saves the shift form. The form carries an id minted when
// it was drawn, so a double-tapped save records one shift.
func HandleSaveShift(store roster, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx, o := officerOf(c)
		form, _ := c.FormParams()
		in := ShiftInput{
			ID: c.FormValue("id"), Team: c.FormValue("team"), Grids: form["grids"], Date: c.FormValue("date"),
			Starts: c.FormValue("starts"), Ends: c.FormValue("ends"), Volunteers: form["volunteers"], Notes: c.FormValue("notes"),
		}
		sh, _, err := store.SaveShift(ctx, o, in, time.Now())
		if err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			if _, terr := store.Team(ctx, o, in.Team); terr != nil {
				return nil, err // no team to show the form of: the error alone
			}
			return shiftForm(ctx, store, layout, o, in, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/patrols?community="+url.QueryEscape(sh.Community)+"&done=shift#shifts")
	}
}

// formTime reads a datetime-local value ("2026-12-01T19:30") in loc.
func formTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, f := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(f, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
