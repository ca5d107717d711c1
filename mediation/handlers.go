package mediation

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// Env is the station context the pages need.
type Env struct {
	Settings func() station.Settings
}

// Lookups find what a dispute may be opened from, as the officer may
// see it. The visit log fills Visit and the patrols feature Report (nil
// until it exists: a report's id is then taken as it is). Mediation reads
// neither collection itself.
type Lookups struct {
	Visit  func(ctx context.Context, o *station.Officer, id string) (*VisitFacts, error)
	Report func(ctx context.Context, o *station.Officer, id string) (*ReportFacts, error)
}

// mediationLog is what the pages need of the store.
type mediationLog interface {
	Get(ctx context.Context, o *station.Officer, id string) (*Dispute, error)
	List(ctx context.Context, o *station.Officer, q Query) (ListResult, error)
	Create(ctx context.Context, o *station.Officer, in Input) (*Dispute, error)
	Update(ctx context.Context, o *station.Officer, id string, in Input) (*Dispute, error)
	Close(ctx context.Context, o *station.Officer, id string, in CloseInput) (*Dispute, error)
	Reopen(ctx context.Context, o *station.Officer, id, reason string) (*Dispute, error)
	MarkSigned(ctx context.Context, o *station.Officer, id string) (*Dispute, error)
	AddSession(ctx context.Context, o *station.Officer, id string, in SessionInput) (*Session, error)
	Sessions(ctx context.Context, disputeID string) ([]*Session, error)
	History(ctx context.Context, disputeID string) ([]*Event, error)
	BySource(ctx context.Context, o *station.Officer, field, id string) (*Dispute, error)
	Prefill(ctx context.Context, o *station.Officer, v *VisitFacts, r *ReportFacts, householdID string) (Input, error)
	Figures(ctx context.Context, o *station.Officer, year int) (Figures, error)
	Rooms(ctx context.Context) ([]Room, error)
	SaveRoom(ctx context.Context, o *station.Officer, id string, in Room) (*Room, error)
	Mediators(ctx context.Context, all bool) ([]*Mediator, error)
	GetMediator(ctx context.Context, id string) (*Mediator, error)
	SaveMediator(ctx context.Context, o *station.Officer, id string, in Mediator) (*Mediator, error)
	Communities(ctx context.Context, o *station.Officer) ([]Place, error)
	Officers(ctx context.Context) ([]OfficerOption, error)
	Addresses(ctx context.Context, ids []string) (map[string]string, error)
	Visible(ctx context.Context, o *station.Officer, ids []string) ([]string, error)
}

// names loads what the pages show for ids, and the addresses of the
// households named.
func names(ctx context.Context, st mediationLog, households ...string) (Names, error) {
	n := Names{Rooms: map[string]string{}, Communities: map[string]string{}, Officers: map[string]string{}, Mediators: map[string]*Mediator{}}
	var err error
	if n.RoomList, err = st.Rooms(ctx); err != nil {
		return n, err
	}
	for _, r := range n.RoomList {
		n.Rooms[r.ID] = r.Name
	}
	all, err := st.Communities(ctx, nil)
	if err != nil {
		return n, err
	}
	// Every community is offered: the station's room takes walk-ins from
	// anywhere, and an officer may open a case outside their area that they
	// lead (the store refuses one they would not see).
	for _, c := range all {
		n.Communities[c.ID] = c.Name
	}
	n.Places = all
	if n.OfficerList, err = st.Officers(ctx); err != nil {
		return n, err
	}
	for _, op := range n.OfficerList {
		n.Officers[op.ID] = op.Name
	}
	ms, err := st.Mediators(ctx, true)
	if err != nil {
		return n, err
	}
	for _, m := range ms {
		n.Mediators[m.ID] = m
		if m.Active {
			n.Roster = append(n.Roster, m)
		}
	}
	if n.Addresses, err = st.Addresses(ctx, households); err != nil {
		return n, err
	}
	return n, nil
}

// householdsOf lists the households a dispute or input names.
func householdsOf(household string, parties []Party) []string {
	var out []string
	if household != "" {
		out = append(out, household)
	}
	for _, p := range parties {
		if p.Household != "" {
			out = append(out, p.Household)
		}
	}
	return out
}

// Addresses maps household ids to their display address. Shown on the
// pages of a case the officer may see, even for a party's household in
// another area.
func (s *Store) Addresses(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		h, err := households.Get(ctx, s.app, stationWide, id)
		if err != nil {
			if station.ErrorCode(err) == station.ENotFound {
				continue
			}
			return nil, err
		}
		out[id] = h.Address
	}
	return out, nil
}

// Visible keeps the households of ids that o may see.
func (s *Store) Visible(ctx context.Context, o *station.Officer, ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		_, err := households.Get(ctx, s.app, o, id)
		switch {
		case err == nil:
			out = append(out, id)
		case station.ErrorCode(err) != station.ENotFound:
			return nil, err
		}
	}
	return out, nil
}

func notice(c echo.Context) string {
	switch c.QueryParam("done") {
	case "saved":
		return i18n.T("dispute.saved")
	case "session":
		return i18n.T("dispute.session_saved")
	case "closed":
		return i18n.T("dispute.closed_done")
	case "reopened":
		return i18n.T("dispute.reopened_done")
	case "signed":
		return i18n.T("dispute.signed_done")
	case "mediator":
		return i18n.T("mediator.saved")
	case "room":
		return i18n.T("mediation.room_saved")
	}
	return ""
}

// HandleList serves /disputes.
func HandleList(st mediationLog, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		q := Query{
			Status: c.QueryParam("status"), Room: c.QueryParam("room"), Category: c.QueryParam("category"),
			Officer: c.QueryParam("officer"), Overdue: c.QueryParam("overdue") == "1",
			Text: strings.TrimSpace(c.QueryParam("q")), Limit: ListPageSize, Now: time.Now(),
		}
		q.Offset, _ = strconv.Atoi(c.QueryParam("offset"))
		q.Offset = max(q.Offset, 0)
		res, err := st.List(ctx, o, q)
		if err != nil {
			return nil, err
		}
		n, err := names(ctx, st)
		if err != nil {
			return nil, err
		}
		return ListPage(layout, ListProps{Officer: o, Query: q, Result: res, Names: n, Loc: env.Settings().Location(), Now: q.Now, Notice: notice(c)}), nil
	}
}

// HandleNew serves /disputes/new, empty or opened from ?visit=ID (a visit
// with the concern 矛盾纠纷), ?report=ID (a patrol report) or
// ?household=ID. A visit or report that opened a dispute already sends
// the officer to it.
func HandleNew(st mediationLog, layout pwa.Layout, env Env, src Lookups) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		var v *VisitFacts
		var r *ReportFacts
		for field, id := range map[string]string{"visit": c.QueryParam("visit"), "report": c.QueryParam("report")} {
			if id == "" {
				continue
			}
			taken, err := st.BySource(ctx, o, field, id)
			if err != nil {
				return nil, err
			}
			if taken != nil {
				return nil, c.Redirect(http.StatusSeeOther, "/disputes/"+taken.ID)
			}
		}
		var err error
		if id := c.QueryParam("visit"); id != "" {
			if v, err = lookVisit(ctx, src, o, id); err != nil {
				return nil, err
			}
		}
		if id := c.QueryParam("report"); id != "" {
			if r, err = lookReport(ctx, src, o, id); err != nil {
				return nil, err
			}
		}
		in, err := st.Prefill(ctx, o, v, r, c.QueryParam("household"))
		if err != nil {
			return nil, err
		}
		return form(c, st, layout, env, in, nil, nil)
	}
}

func lookVisit(ctx context.Context, src Lookups, o *station.Officer, id string) (*VisitFacts, error) {
	if src.Visit == nil {
		return nil, &station.Error{Code: station.ENotFound, Message: i18n.T("dispute.visit_not_found")}
	}
	return src.Visit(ctx, o, id)
}

func lookReport(ctx context.Context, src Lookups, o *station.Officer, id string) (*ReportFacts, error) {
	if !idPattern(id) {
		return nil, &station.Error{Code: station.ENotFound, Message: i18n.T("dispute.report_not_found")}
	}
	if src.Report == nil {
		return &ReportFacts{ID: id}, nil
	}
	return src.Report(ctx, o, id)
}

// form renders the new or edit form; err (if any) is shown on it and
// decides its status.
func form(c echo.Context, st mediationLog, layout pwa.Layout, env Env, in Input, editing *Dispute, pageErr error) (g.Node, error) {
	ctx := c.Request().Context()
	o := station.OfficerFrom(ctx)
	// The form shows the address of each household it names: the stored
	// case's, and of those only typed (a re-shown form, a party added) the
	// ones the officer may see, so that quoting an id reads no address.
	var onCase []string
	if editing != nil {
		onCase = householdsOf(editing.Household, editing.Parties)
	}
	var shown, typed []string
	for _, id := range householdsOf(in.Household, in.Parties) {
		if slices.Contains(onCase, id) {
			shown = append(shown, id)
		} else {
			typed = append(typed, id)
		}
	}
	visible, err := st.Visible(ctx, o, typed)
	if err != nil {
		return nil, err
	}
	n, err := names(ctx, st, append(shown, visible...)...)
	if err != nil {
		return nil, err
	}
	return FormPage(layout, FormProps{Officer: o, Input: in, Editing: editing, Names: n, Loc: env.Settings().Location(), Now: time.Now(), Err: pageErr}), pageErr
}

// HandleCreate saves the new-dispute form. "Add a party" re-shows it with
// one more row; problems re-show it with each field's message.
func HandleCreate(st mediationLog, layout pwa.Layout, env Env, src Lookups) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		loc := env.Settings().Location()
		in, perr := inputFromForm(c, loc, time.Now())
		if c.FormValue("add_party") != "" {
			in.Parties = append(in.Parties, Party{Role: RoleRespondent})
			return form(c, st, layout, env, in, nil, nil)
		}
		if perr != nil {
			return reshow(c, st, layout, env, in, nil, perr)
		}
		// The visit or report must be one the officer may see.
		if in.Visit != "" {
			if _, err := lookVisit(ctx, src, o, in.Visit); err != nil {
				return nil, err
			}
		}
		if in.Report != "" {
			if _, err := lookReport(ctx, src, o, in.Report); err != nil {
				return nil, err
			}
		}
		d, err := st.Create(ctx, o, in)
		if err != nil {
			return reshow(c, st, layout, env, in, nil, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/disputes/"+d.ID+"?done=saved")
	}
}

// reshow shows the form again with err's problems (422 for invalid input,
// 409 for a conflict such as a second dispute from the same visit).
func reshow(c echo.Context, st mediationLog, layout pwa.Layout, env Env, in Input, editing *Dispute, err error) (g.Node, error) {
	code := station.ErrorCode(err)
	if code != station.EInvalid && code != station.EConflict {
		return nil, err
	}
	return form(c, st, layout, env, in, editing, err)
}

// HandleEdit serves /disputes/{id}/edit for an open case.
func HandleEdit(st mediationLog, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		d, err := st.Get(ctx, station.OfficerFrom(ctx), c.Param("id"))
		if err != nil {
			return nil, err
		}
		if d.Closed() {
			return nil, closedConflict()
		}
		return form(c, st, layout, env, InputOf(d), d, nil)
	}
}

// HandleUpdate saves the edit form.
func HandleUpdate(st mediationLog, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		d, err := st.Get(ctx, o, c.Param("id"))
		if err != nil {
			return nil, err
		}
		in, perr := inputFromForm(c, env.Settings().Location(), time.Now())
		// What the edit form does not carry stays as it is, and so does the
		// moment of opening while its day is unchanged (the form has days).
		in.Visit, in.Report = d.Visit, d.Report
		if loc := env.Settings().Location(); !in.OpenedAt.IsZero() && dayOf(in.OpenedAt, loc).Equal(dayOf(d.OpenedAt, loc)) {
			in.OpenedAt = d.OpenedAt
		}
		if c.FormValue("add_party") != "" {
			in.Parties = append(in.Parties, Party{Role: RoleRespondent})
			return form(c, st, layout, env, in, d, nil)
		}
		if perr != nil {
			return reshow(c, st, layout, env, in, d, perr)
		}
		if _, err := st.Update(ctx, o, d.ID, in); err != nil {
			if station.ErrorCode(err) == station.EConflict && TakenBy(err) == nil {
				return casePage(c, st, layout, env, d.ID, "", err, nil)
			}
			return reshow(c, st, layout, env, in, d, err)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/disputes/"+d.ID+"?done=saved")
	}
}

// HandleCase serves /disputes/{id}.
func HandleCase(st mediationLog, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		return casePage(c, st, layout, env, c.Param("id"), "", nil, nil)
	}
}

// casePage renders a case; pageErr, if any, belongs to the form named
// (or to the page) and decides the status; fill re-shows the form's
// values.
func casePage(c echo.Context, st mediationLog, layout pwa.Layout, env Env, id, formName string, pageErr error, fill func(*CaseProps)) (g.Node, error) {
	ctx := c.Request().Context()
	o := station.OfficerFrom(ctx)
	d, err := st.Get(ctx, o, id)
	if err != nil {
		return nil, err
	}
	sessions, err := st.Sessions(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	history, err := st.History(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	n, err := names(ctx, st, householdsOf(d.Household, d.Parties)...)
	if err != nil {
		return nil, err
	}
	p := CaseProps{Officer: o, Dispute: d, Sessions: sessions, History: history, Names: n, Loc: env.Settings().Location(),
		Now: time.Now(), Notice: notice(c), Err: pageErr, Form: formName}
	if fill != nil {
		fill(&p)
	}
	return CasePage(layout, p), pageErr
}

// formProblem re-shows the case with a form's problems, or passes on an
// error that is not about the input.
func formProblem(c echo.Context, st mediationLog, layout pwa.Layout, env Env, formName string, err error, fill func(*CaseProps)) (g.Node, error) {
	switch station.ErrorCode(err) {
	case station.EInvalid:
		return casePage(c, st, layout, env, c.Param("id"), formName, err, fill)
	case station.EConflict:
		return casePage(c, st, layout, env, c.Param("id"), "", err, nil)
	}
	return nil, err
}

// HandleSession records a sitting from the case page.
func HandleSession(st mediationLog, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		p := station.Problems{}
		in := SessionInput{Notes: c.FormValue("notes"), NextStep: c.FormValue("next_step"), Mediators: formList(c, "mediators")}
		in.At = formDate(c.FormValue("at"), "at", env.Settings().Location(), time.Now(), true, p)
		fill := func(cp *CaseProps) { cp.Session = in }
		if err := p.Err(); err != nil {
			return formProblem(c, st, layout, env, FormSession, err, fill)
		}
		if _, err := st.AddSession(ctx, o, c.Param("id"), in); err != nil {
			return formProblem(c, st, layout, env, FormSession, err, fill)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/disputes/"+c.Param("id")+"?done=session#sessions")
	}
}

// HandleClose closes a case from the case page.
func HandleClose(st mediationLog, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		loc := env.Settings().Location()
		p := station.Problems{}
		in := CloseInput{Status: c.FormValue("status"), Outcome: c.FormValue("outcome"), AgreementSigned: c.FormValue("agreement_signed") == "1"}
		in.ClosedAt = formDate(c.FormValue("closed_at"), "closed_at", loc, time.Now(), false, p)
		in.FollowUpAt = formDay(c.FormValue("follow_up_at"), "follow_up_at", loc, p)
		fill := func(cp *CaseProps) { cp.Closing = in }
		if in.Status == "" {
			p.Add("status", "choose_one")
		}
		if err := p.Err(); err != nil {
			return formProblem(c, st, layout, env, FormClose, err, fill)
		}
		if _, err := st.Close(ctx, o, c.Param("id"), in); err != nil {
			return formProblem(c, st, layout, env, FormClose, err, fill)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/disputes/"+c.Param("id")+"?done=closed")
	}
}

// HandleReopen reopens a closed case with a reason.
func HandleReopen(st mediationLog, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		reason := c.FormValue("reopen_reason")
		if _, err := st.Reopen(ctx, station.OfficerFrom(ctx), c.Param("id"), reason); err != nil {
			return formProblem(c, st, layout, env, FormReopen, err, func(cp *CaseProps) { cp.Reason = reason })
		}
		return nil, c.Redirect(http.StatusSeeOther, "/disputes/"+c.Param("id")+"?done=reopened")
	}
}

// HandleSigned records that the printed agreement was signed.
func HandleSigned(st mediationLog, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		if _, err := st.MarkSigned(ctx, station.OfficerFrom(ctx), c.Param("id")); err != nil {
			return formProblem(c, st, layout, env, "", err, nil)
		}
		return nil, c.Redirect(http.StatusSeeOther, "/disputes/"+c.Param("id")+"?done=signed")
	}
}

// HandleAgreement serves the printable 调解协议书 of a settled case.
func HandleAgreement(st mediationLog, layout pwa.Layout, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		d, err := st.Get(ctx, o, c.Param("id"))
		if err != nil {
			return nil, err
		}
		if d.Status != StatusSettled {
			return nil, &station.Error{Code: station.EConflict, Message: i18n.T("agreement.needs_settled")}
		}
		n, err := names(ctx, st, householdsOf(d.Household, d.Parties)...)
		if err != nil {
			return nil, err
		}
		s := env.Settings()
		return AgreementPage(layout, AgreementProps{Officer: o, Dispute: d, Names: n, StationName: s.StationName, Loc: s.Location()}), nil
	}
}

// HandleFigures serves /disputes/figures and, with xlsx set,
// /disputes/figures.xlsx, for ?year=YYYY (default this year).
func HandleFigures(st mediationLog, layout pwa.Layout, env Env, xlsx bool) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		year := 0
		if y := c.QueryParam("year"); y != "" {
			n, err := strconv.Atoi(y)
			if err != nil || n < 2000 || n > 2999 {
				return nil, &station.Error{Code: station.EInvalid, Message: i18n.T("dispute_figures.bad_year")}
			}
			year = n
		}
		f, err := st.Figures(ctx, o, year)
		if err != nil {
			return nil, err
		}
		s := env.Settings()
		if xlsx {
			name := fmt.Sprintf("调解统计-%d.xlsx", f.Year)
			return nil, WriteFiguresXLSX(pwa.XLSX(c, fmt.Sprintf("mediation-%d.xlsx", f.Year), name), f, s.StationName, s.Location())
		}
		return FiguresPage(layout, FiguresProps{Officer: o, Figures: f}), nil
	}
}

// HandleRoster serves /mediators, the roster to print for the wall.
func HandleRoster(st mediationLog, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		return roster(c, st, layout, nil, Room{})
	}
}

func roster(c echo.Context, st mediationLog, layout pwa.Layout, roomErr error, room Room) (g.Node, error) {
	ctx := c.Request().Context()
	o := station.OfficerFrom(ctx)
	all := o.IsChief() && c.QueryParam("all") == "1"
	ms, err := st.Mediators(ctx, all)
	if err != nil {
		return nil, err
	}
	n, err := names(ctx, st)
	if err != nil {
		return nil, err
	}
	return RosterPage(layout, RosterProps{Officer: o, Mediators: ms, Names: n, ShowAll: all, Notice: notice(c), RoomErr: roomErr, Room: room}), roomErr
}

// HandleRoomSave adds a mediation room from the roster page.
func HandleRoomSave(st mediationLog, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		in := Room{Name: c.FormValue("name"), Community: c.FormValue("community")}
		if _, err := st.SaveRoom(ctx, station.OfficerFrom(ctx), c.Param("id"), in); err != nil {
			if station.ErrorCode(err) == station.EInvalid {
				return roster(c, st, layout, err, in)
			}
			return nil, err
		}
		return nil, c.Redirect(http.StatusSeeOther, "/mediators?done=room")
	}
}

// HandleMediatorForm serves /mediators/new and /mediators/{id}/edit.
func HandleMediatorForm(st mediationLog, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		in := Mediator{Kind: KindVolunteer, Active: true}
		var editing *Mediator
		if id := c.Param("id"); id != "" {
			m, err := st.GetMediator(ctx, id)
			if err != nil {
				return nil, err
			}
			in, editing = *m, m
		}
		return mediatorForm(c, st, layout, in, editing, nil)
	}
}

func mediatorForm(c echo.Context, st mediationLog, layout pwa.Layout, in Mediator, editing *Mediator, pageErr error) (g.Node, error) {
	ctx := c.Request().Context()
	o := station.OfficerFrom(ctx)
	n, err := names(ctx, st)
	if err != nil {
		return nil, err
	}
	return MediatorFormPage(layout, MediatorFormProps{Officer: o, Input: in, Editing: editing, Names: n, Err: pageErr}), pageErr
}

// HandleMediatorSave saves the roster form.
func HandleMediatorSave(st mediationLog, layout pwa.Layout) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		id := c.Param("id")
		var editing *Mediator
		if id != "" {
			m, err := st.GetMediator(ctx, id)
			if err != nil {
				return nil, err
			}
			editing = m
		}
		in := Mediator{
			Name: c.FormValue("name"), Kind: c.FormValue("kind"), Organisation: c.FormValue("organisation"),
			Phone: c.FormValue("phone"), Rooms: formList(c, "rooms"), Active: c.FormValue("active") == "1",
		}
		if _, err := st.SaveMediator(ctx, station.OfficerFrom(ctx), id, in); err != nil {
			if station.ErrorCode(err) == station.EInvalid {
				return mediatorForm(c, st, layout, in, editing, err)
			}
			return nil, err
		}
		return nil, c.Redirect(http.StatusSeeOther, "/mediators?done=mediator")
	}
}

var partyField = regexp.MustCompile(`^parties\.(\d{1,2})\.(name|phone|role|household)$`)

// inputFromForm reads the dispute form as typed. Dates that do not parse
// come back as problems beside the input.
func inputFromForm(c echo.Context, loc *time.Location, now time.Time) (Input, error) {
	in := Input{
		Room: c.FormValue("room"), Community: c.FormValue("community"), Household: c.FormValue("household"),
		Category: c.FormValue("category"), Summary: c.FormValue("summary"), Source: c.FormValue("source"),
		Visit: c.FormValue("visit"), Report: c.FormValue("report"), Officer: c.FormValue("officer"),
		Mediators: formList(c, "mediators"),
	}
	p := station.Problems{}
	in.OpenedAt = formDate(c.FormValue("opened_at"), "opened_at", loc, now, false, p)
	in.FollowUpAt = formDay(c.FormValue("follow_up_at"), "follow_up_at", loc, p)
	form, _ := c.FormParams()
	rows := map[int]*Party{}
	highest := -1
	for key, vs := range form {
		m := partyField.FindStringSubmatch(key)
		if m == nil || len(vs) == 0 {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if rows[i] == nil {
			rows[i] = &Party{}
		}
		switch m[2] {
		case "name":
			rows[i].Name = vs[0]
		case "phone":
			rows[i].Phone = vs[0]
		case "role":
			rows[i].Role = vs[0]
		case "household":
			rows[i].Household = vs[0]
		}
		highest = max(highest, i)
	}
	// Rows keep their numbers, so each problem shows under its own row.
	for i := 0; i <= highest; i++ {
		if r := rows[i]; r != nil {
			in.Parties = append(in.Parties, *r)
		} else {
			in.Parties = append(in.Parties, Party{})
		}
	}
	return in, p.Err()
}

func formList(c echo.Context, name string) []string {
	form, err := c.FormParams()
	if err != nil {
		return nil
	}
	return form[name]
}

// formDate reads a date field (2026-03-01) as the moment it stands for:
// now if it is today (so the history keeps the order of the day), else
// noon of that day in the station's zone. Empty is zero, or a problem if
// required.
func formDate(s, field string, loc *time.Location, now time.Time, required bool, p station.Problems) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			p.Add(field, "required")
		}
		return time.Time{}
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		p.Add(field, "day_unreadable")
		return time.Time{}
	}
	if d.Equal(dayOf(now, loc)) {
		return now
	}
	return d.Add(12 * time.Hour)
}

// formDay reads a date field as the start of that day in the station's
// zone (a follow-up is due on a day, not at a moment).
func formDay(s, field string, loc *time.Location, p station.Problems) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		p.Add(field, "day_unreadable")
		return time.Time{}
	}
	return d
}
