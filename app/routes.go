package app

import (
	"context"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/auth"
	"zoufang/households"
	"zoufang/i18n"
	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/people"
	"zoufang/pwa"
	"zoufang/ratelimit"
	"zoufang/replica"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

// Public endpoint limits per client (DESIGN §4): sign-in 60 a minute, the
// resident's confirmation page 30.
const (
	signInPerMinute  = 60
	confirmPerMinute = 30
	praisePerMinute  = 60
)

// fieldScreens are the field app's screens: the paths the server answers
// with the shell for an officer, that js/app.js draws from the replica, and
// that the service worker serves from its cache when offline. This list is
// their one source: the worker's field paths and the app's router are
// generated from it.
var fieldScreens = []pwa.Screen{
	{Path: "/", Name: "today"},
	{Path: "/households", Name: "households"},
	{Path: "/households/new", Name: "household-form"},
	{Path: "/households/:id/edit", Name: "household-form"},
	{Path: "/households/:id", Name: "household"},
	{Path: "/visits/new", Name: "visit-form"},
	{Path: "/visits/:id", Name: "visit"},
	{Path: "/watches/new", Name: "watch-form"},
	{Path: "/watches/:id/edit", Name: "watch-form"},
	{Path: "/watches/:id", Name: "watch"},
	{Path: patrols.FieldShiftPath, Name: "shift-form"},
	{Path: patrols.FieldReportPath, Name: "report-form"},
}

// routes lists every path zoufang serves and the middleware in front of it.
func (s *Server) routes(e *echo.Echo) {
	e.Use(middleware.Recover())
	e.Use(securityHeaders(s.Shell.ImportMapHash()))
	e.Use(bodyLimit)
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		MinLength: 1024,
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			return strings.HasPrefix(p, "/assets/") || p == "/ws" || p == "/sw.js" || p == "/manifest.webmanifest" ||
				strings.HasPrefix(p, "/patrols/plan/") // images, served with ranges
		},
	}))
	e.Use(s.Sessions.Middleware)
	e.Use(s.noteAddress)
	e.Use(sameOrigin)
	page, json := pwa.Adapt, pwa.AdaptJSON

	// The PWA's files.
	e.GET("/assets/*", s.Assets.HandleAsset)
	e.GET("/sw.js", s.Assets.HandleServiceWorker)
	e.GET("/manifest.webmanifest", s.Assets.HandleManifest)

	// Signing in and out.
	e.GET("/login", s.Login.HandleForm)
	e.POST("/login", s.Login.HandleSubmit, ratelimit.Middleware(ratelimit.New(signInPerMinute, time.Minute)))
	e.POST("/logout", s.Login.HandleLogout)

	// Officers and the deputy chief. (No empty-prefix Echo groups: each
	// would claim every unknown path for its middleware.)
	officer, chief := auth.RequireOfficer, auth.RequireChief

	// The field app: one shell for every field screen; an officer's screens
	// are drawn from the device's replica. The deputy chief gets the office
	// pages at the same paths, where there are any.
	reg, layout, env := s.Households, s.Shell.Layout, s.stationEnv()
	history := s.householdSections(env)
	baseURL := func(c echo.Context) string { return visits.BaseURL(c, s.Settings()) }
	wenv := watches.Env{Settings: s.Settings, BaseURL: baseURL}
	office := map[string]echo.HandlerFunc{
		"/":                    s.handleChiefHome,
		"/households":          page(households.HandleSearch(reg, layout, env)),
		"/households/new":      page(households.HandleNew(reg, layout)),
		"/households/:id":      page(households.HandleDetail(reg, layout, env, history)),
		"/households/:id/edit": page(households.HandleEdit(reg, layout)),
		"/visits/:id":          page(visits.HandleOfficeVisit(s.Visits, layout, s.Settings)),
		"/watches/new":         page(watches.HandleNew(s.Watches, layout, wenv)),
		"/watches/:id":         page(watches.HandleDetail(s.Watches, layout, wenv)),
		"/watches/:id/edit":    page(watches.HandleEdit(s.Watches, layout, wenv)),
		// The deputy chief records at a desk, on the office forms.
		patrols.FieldShiftPath:  redirectTo("/patrols/shifts/new"),
		patrols.FieldReportPath: redirectTo("/reports/new"),
	}
	inArea := map[string]echo.HandlerFunc{"/households/:id": s.inArea, "/households/:id/edit": s.inArea,
		"/watches/:id": s.watchInArea, "/watches/:id/edit": s.watchInArea}
	for _, sc := range fieldScreens {
		var check []echo.HandlerFunc
		if f := inArea[sc.Path]; f != nil {
			check = append(check, f)
		}
		e.GET(sc.Path, s.fieldOr(office[sc.Path], check...), officer)
	}
	e.GET(pwa.ShellPath, s.handleShell, officer)
	e.GET(pwa.OfflinePath, s.handleOffline)

	// The registry's office pages (forms post here from both roles).
	e.POST("/households", page(households.HandleCreate(reg, layout)), officer)
	e.POST("/households/:id", page(households.HandleUpdate(reg, layout)), officer)
	e.POST("/households/:id/archive", page(households.HandleArchive(reg, layout, env, history)), officer)
	e.GET("/households/import", page(households.HandleImportForm(layout)), chief)
	e.POST("/households/import", page(households.HandleImportCheck(reg, layout, s.importPlans)), chief)
	e.POST("/households/import/commit", page(households.HandleImportCommit(reg, layout, s.importPlans)), chief)

	// The holiday house-watch (DESIGN §9): the office pages (the phone's
	// screens are the field shell's, above), and the resident's summary.
	e.GET("/watches", page(watches.HandleList(s.Watches, layout, wenv)), officer)
	e.POST("/watches", page(watches.HandleCreate(s.Watches, layout, wenv)), officer)
	e.POST("/watches/:id", page(watches.HandleUpdate(s.Watches, layout, wenv)), officer)
	e.POST("/watches/:id/cancel", page(watches.HandleCancel(s.Watches, layout, wenv)), officer)
	e.POST("/watches/:id/link", page(watches.HandleNewLink(s.Watches, layout, wenv)), officer)
	e.POST("/watches/alerts/:id/ack", page(watches.HandleAck(s.Watches)), chief)

	// The station's people and the handover (DESIGN §13): the deputy
	// chief's.
	penv := people.Env{Settings: s.Settings, Places: s.places}
	e.GET("/officers", page(people.HandleList(s.People, layout, penv)), chief)
	e.GET("/officers/new", page(people.HandleNew(layout, penv)), chief)
	e.POST("/officers", page(people.HandleCreate(s.People, layout, penv)), chief)
	e.GET("/officers/:id", page(people.HandleDetail(s.People, layout, penv)), chief)
	e.GET("/officers/:id/edit", page(people.HandleEdit(s.People, layout, penv)), chief)
	e.POST("/officers/:id", page(people.HandleUpdate(s.People, layout, penv)), chief)
	e.POST("/officers/:id/password", page(people.HandleResetPassword(s.People, layout, penv)), chief)
	e.POST("/officers/:id/active", page(people.HandleSetActive(s.People)), chief)
	e.GET("/handover", page(people.HandleHandoverForm(s.People, layout, penv)), chief)
	e.POST("/handover", page(people.HandleHandoverPreview(s.People, layout, penv)), chief)
	e.POST("/handover/confirm", page(people.HandleHandoverConfirm(s.People, layout, penv)), chief)

	// The sync protocol (DESIGN §6, §7).
	e.GET("/sync/me", json(replica.HandleMe(s.Visits, reg, s.handoversOf, s.Settings, env.Officers, s.Assets.Version)), officer)
	e.GET("/sync/pull", json(replica.HandlePull(s.Replica)), officer)
	e.POST("/sync/push", json(replica.HandlePush(s.Replica, baseURL, s.Log)), officer)
	e.POST("/sync/tokens", json(visits.HandleTokens(s.Tokens, s.Settings)), officer)

	// The visit book and the station's settings.
	e.GET("/visits/book", page(visits.HandleBook(s.Visits, layout, s.Settings, false)), officer)
	// A city's book and visit list are tens of megabytes in the making.
	large := releaseAfterLarge(largeAnswer, debug.FreeOSMemory)
	e.GET("/visits/book.xlsx", page(visits.HandleBook(s.Visits, layout, s.Settings, true)), officer, large)
	e.GET("/coverage", page(visits.HandleCoverage(s.Visits, layout, s.Settings, s.coverageSections, false)), chief)
	e.GET("/coverage.xlsx", page(visits.HandleCoverage(s.Visits, layout, s.Settings, nil, true)), chief)
	e.GET("/coverage/visits", page(visits.HandleVisitList(s.Visits, layout, s.Settings, s.names, false)), chief)
	e.GET("/coverage/visits.xlsx", page(visits.HandleVisitList(s.Visits, layout, s.Settings, s.names, true)), chief, large)
	e.GET("/households.xlsx", page(households.HandleExport(reg, env)), chief)
	e.GET("/settings", page(visits.HandleSettings(layout, s.Settings)), chief)
	e.POST("/settings", page(visits.HandleSaveSettings(s.Visits, layout)), chief)

	// The resident's confirmation: no account, no JavaScript, rate-limited.
	confirm := ratelimit.Middleware(ratelimit.New(confirmPerMinute, time.Minute))
	e.GET("/c/:token", page(visits.HandleConfirm(s.Confirmations, layout, s.Settings)), confirm)
	e.POST("/c/:token", page(visits.HandleConfirm(s.Confirmations, layout, s.Settings)), confirm)
	e.GET("/w/:token", page(watches.HandleSummary(s.Watches, layout, wenv)), ratelimit.Middleware(ratelimit.New(confirmPerMinute, time.Minute)))

	// The live channel and the deputy chief's board.
	e.GET("/ws", s.Hub.Handle, officer)
	e.GET("/board", page(visits.HandleBoard(s.Visits, s.Watches, layout, s.Settings, s.presence)), chief)

	// Volunteer patrols, their reports, the patrol map and the praise
	// board (DESIGN §15). Officers work in their communities, the deputy
	// chief in all; the store checks which, the record hooks the rules.
	s.Patrols = patrols.NewStore(s.App, s.Households, s.Settings)
	pat := s.Patrols
	e.GET("/patrols", page(patrols.HandleOverview(pat, layout)), officer)
	e.GET("/patrols/figures.xlsx", page(patrols.HandleFiguresXLSX(pat)), officer)
	e.GET("/patrols/teams/new", page(patrols.HandleTeamForm(pat, layout)), officer)
	e.POST("/patrols/teams", page(patrols.HandleSaveTeam(pat, layout)), officer)
	e.GET("/patrols/teams/:id", page(patrols.HandleTeamForm(pat, layout)), officer)
	e.POST("/patrols/teams/:id", page(patrols.HandleSaveTeam(pat, layout)), officer)
	e.GET("/patrols/volunteers/new", page(patrols.HandleVolunteerForm(pat, layout)), officer)
	e.POST("/patrols/volunteers", page(patrols.HandleSaveVolunteer(pat, layout)), officer)
	e.GET("/patrols/volunteers/:id", page(patrols.HandleVolunteerForm(pat, layout)), officer)
	e.POST("/patrols/volunteers/:id", page(patrols.HandleSaveVolunteer(pat, layout)), officer)
	e.GET("/patrols/shifts/new", page(patrols.HandleShiftForm(pat, layout)), officer)
	e.POST("/patrols/shifts", page(patrols.HandleSaveShift(pat, layout)), officer)
	e.GET("/patrols/map", page(patrols.HandleMap(pat, layout)), officer)
	e.POST("/patrols/map/points", page(patrols.HandleAddPoint(pat, layout)), officer)
	e.POST("/patrols/map/points/:id/delete", page(patrols.HandleDeletePoint(pat)), officer)
	e.POST("/patrols/map/plan", page(patrols.HandleUploadPlan(pat, layout)), chief)
	e.GET("/patrols/plan/:community/:file", patrols.HandlePlanImage(pat), officer)
	e.GET("/reports", page(patrols.HandleReports(pat, layout)), officer)
	e.GET("/reports/new", page(patrols.HandleReportForm(pat, layout)), officer)
	e.POST("/reports", page(patrols.HandleSaveReport(pat, layout)), officer)
	e.GET("/reports/:id", page(patrols.HandleReport(pat, layout)), officer)
	e.POST("/reports/:id/move", page(patrols.HandleMove(pat, layout)), officer)
	e.GET("/praise", page(patrols.HandlePraise(pat, layout)), ratelimit.Middleware(ratelimit.New(praisePerMinute, time.Minute)))
	e.GET("/praise/deeds", page(patrols.HandleDeeds(pat, layout)), chief)
	e.GET("/praise/deeds/new", page(patrols.HandleDeedForm(pat, layout)), chief)
	e.POST("/praise/deeds", page(patrols.HandleSaveDeed(pat, layout)), chief)
	e.GET("/praise/deeds/:id", page(patrols.HandleDeedForm(pat, layout)), chief)
	e.POST("/praise/deeds/:id", page(patrols.HandleSaveDeed(pat, layout)), chief)

	// The mediation log (DESIGN §14): officers see their communities' cases
	// and those they lead, the deputy chief all; the roster is the chief's
	// to edit. A dispute opens from a visit (?visit=) or a patrol report
	// (?report=) as well as empty.
	s.Mediation = mediation.NewStore(s.App)
	med, menv := s.Mediation, mediation.Env{Settings: s.Settings}
	msrc := mediation.Lookups{Visit: s.visitFacts, Report: s.reportFacts}
	e.GET("/disputes", page(mediation.HandleList(med, layout, menv)), officer)
	e.GET("/disputes/new", page(mediation.HandleNew(med, layout, menv, msrc)), officer)
	e.POST("/disputes", page(mediation.HandleCreate(med, layout, menv, msrc)), officer)
	e.GET("/disputes/figures", page(mediation.HandleFigures(med, layout, menv, false)), officer)
	e.GET("/disputes/figures.xlsx", page(mediation.HandleFigures(med, layout, menv, true)), officer)
	e.GET("/disputes/:id", page(mediation.HandleCase(med, layout, menv)), officer)
	e.POST("/disputes/:id", page(mediation.HandleUpdate(med, layout, menv)), officer)
	e.GET("/disputes/:id/edit", page(mediation.HandleEdit(med, layout, menv)), officer)
	e.POST("/disputes/:id/sessions", page(mediation.HandleSession(med, layout, menv)), officer)
	e.POST("/disputes/:id/close", page(mediation.HandleClose(med, layout, menv)), officer)
	e.POST("/disputes/:id/reopen", page(mediation.HandleReopen(med, layout, menv)), officer)
	e.POST("/disputes/:id/signed", page(mediation.HandleSigned(med, layout, menv)), officer)
	e.GET("/disputes/:id/agreement", page(mediation.HandleAgreement(med, layout, menv)), officer)
	e.GET("/mediators", page(mediation.HandleRoster(med, layout)), officer)
	e.GET("/mediators/new", page(mediation.HandleMediatorForm(med, layout)), chief)
	e.POST("/mediators", page(mediation.HandleMediatorSave(med, layout)), chief)
	e.POST("/mediators/rooms", page(mediation.HandleRoomSave(med, layout)), chief)
	e.GET("/mediators/:id/edit", page(mediation.HandleMediatorForm(med, layout)), chief)
	e.POST("/mediators/:id", page(mediation.HandleMediatorSave(med, layout)), chief)
}

// householdSections are what the features above the registry show on a
// household's office page: its holiday watches, then its visits.
func (s *Server) householdSections(env households.Env) households.HistoryFunc {
	visitHistory := visits.History(s.Visits, env)
	return func(ctx context.Context, o *station.Officer, hh *households.Household) (g.Node, error) {
		ws, err := s.Watches.ForHousehold(ctx, o, hh.ID)
		if err != nil {
			return nil, err
		}
		vs, err := visitHistory(ctx, o, hh)
		if err != nil {
			return nil, err
		}
		hs, err := s.People.Handovers(ctx, "", hh.Community)
		if err != nil {
			return nil, err
		}
		ds, err := s.Mediation.ForHousehold(ctx, o, hh.ID)
		if err != nil {
			return nil, err
		}
		loc := s.Settings().Location()
		return g.Group{watches.HouseholdCard(ws, hh, watches.DayOf(time.Now(), loc)), disputesCard(ds, hh, loc), vs, handoverCard(people.HistoryLines(hs, loc))}, nil
	}
}

// disputesCard lists a household's mediation cases on its office page,
// with the two ways a desk opens something new about it: a dispute and a
// patrol finding.
func disputesCard(ds []*mediation.Dispute, hh *households.Household, loc *time.Location) g.Node {
	return h.Section(h.Class("card"), h.ID("disputes"),
		h.Div(h.Class("spread"),
			h.H2(g.Text(i18n.T("dispute.list_title"))),
			h.Div(h.Class("row no-print"),
				h.A(h.Class("button"), h.Href("/disputes/new?household="+hh.ID), g.Text(i18n.T("dispute.new"))),
				h.A(h.Class("button"), h.Href("/reports/new?household="+hh.ID), g.Text(i18n.T("patrols.report_new"))),
			),
		),
		g.If(len(ds) == 0, pwa.EmptyState(i18n.T("js.household_no_disputes"))),
		g.If(len(ds) > 0, h.Ul(h.Class("list"), g.Map(ds, func(d *mediation.Dispute) g.Node {
			return h.Li(h.A(h.Class("item"), h.Href("/disputes/"+d.ID),
				h.Div(h.Class("spread"), h.Span(h.Class("title"), g.Text(d.Number+" "+d.Summary)),
					h.Span(c.Classes{"tag": true, "ok": d.Status == mediation.StatusSettled, "warn": d.Status == mediation.StatusOpen}, g.Text(i18n.T("dispute.status."+d.Status)))),
				h.Div(h.Class("meta"), g.Text(pwa.Date(d.OpenedAt, loc))),
			))
		}))),
	)
}

// handoverCard lists the handovers of a household's community on its page.
func handoverCard(lines []string) g.Node {
	if len(lines) == 0 {
		return nil
	}
	return h.Section(h.Class("card"), h.ID("handovers"),
		h.H2(g.Text(i18n.T("people.handovers"))),
		h.Ul(h.Class("list"), g.Map(lines, func(l string) g.Node { return h.Li(h.Div(h.Class("item"), g.Text(l))) })),
	)
}

// handoversOf lists the handovers of the communities an officer covers or
// handed over, for their phone.
func (s *Server) handoversOf(ctx context.Context, o *station.Officer) ([]replica.Handover, error) {
	cs := slices.Clone(o.Communities)
	for _, a := range o.FormerAreas {
		cs = append(cs, a.Community)
	}
	out := []replica.Handover{}
	for _, c := range cs {
		hs, err := s.People.Handovers(ctx, "", c)
		if err != nil {
			return nil, err
		}
		for _, ho := range hs {
			out = append(out, replica.Handover{Community: c, At: ho.At, From: ho.From, To: ho.To})
		}
	}
	return out, nil
}

// places names the station's communities, for the people pages.
func (s *Server) places(ctx context.Context) ([]people.Place, error) {
	cs, err := s.Households.Places(ctx, &station.Officer{Role: station.RoleDeputyChief})
	if err != nil {
		return nil, err
	}
	out := make([]people.Place, len(cs))
	for i, c := range cs {
		out[i] = people.Place{ID: c.ID, Name: c.Name}
	}
	return out, nil
}

// reportFacts is what a dispute opened from a patrol finding takes from
// it, for a report the officer may see.
func (s *Server) reportFacts(ctx context.Context, o *station.Officer, id string) (*mediation.ReportFacts, error) {
	r, err := s.Patrols.Report(ctx, o, id)
	if err != nil {
		return nil, err
	}
	return &mediation.ReportFacts{ID: r.ID, Community: r.Community, Household: r.Household, Description: r.Place + "：" + r.Description}, nil
}

// visitFacts is what a dispute opened from a visit takes from it, for a
// visit the officer may see.
func (s *Server) visitFacts(ctx context.Context, o *station.Officer, id string) (*mediation.VisitFacts, error) {
	v, err := s.Visits.Get(ctx, o, id)
	if err != nil {
		return nil, err
	}
	return &mediation.VisitFacts{ID: v.ID, Household: v.Household, Officer: v.Officer, Notes: v.Notes, Concerns: v.Concerns, VisitedAt: v.VisitedAt}, nil
}

// fieldOr serves the field shell to an officer and office (if any) to a
// deputy chief; check, if given, must pass first (an officer asking for a
// household outside their area gets 404, not a shell).
func (s *Server) fieldOr(office echo.HandlerFunc, check ...echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if office != nil && station.OfficerFrom(c.Request().Context()).IsChief() {
			return office(c)
		}
		for _, ch := range check {
			if err := ch(c); err != nil {
				return err
			}
		}
		return s.handleShell(c)
	}
}

// inArea refuses a household of another officer's area. One the server
// does not know may be on the officer's phone only (registered at a door,
// not yet synced): its page is the shell's to show.
func (s *Server) inArea(c echo.Context) error {
	o := station.OfficerFrom(c.Request().Context())
	rec, err := s.App.FindRecordById(households.Collection, c.Param("id"))
	if err == nil && !o.CoversCommunity(rec.GetString("community")) {
		return &station.Error{Code: station.ENotFound, Message: i18n.T("household.not_found")}
	}
	return nil
}

// watchInArea refuses a watch of another officer's area, as inArea does a
// household.
func (s *Server) watchInArea(c echo.Context) error {
	o := station.OfficerFrom(c.Request().Context())
	rec, err := s.App.FindRecordById(watches.Collection, c.Param("id"))
	if err != nil {
		return nil // perhaps registered on the phone and not yet synced
	}
	h, err := s.App.FindRecordById(households.Collection, rec.GetString("household"))
	if err != nil || !o.CoversCommunity(h.GetString("community")) {
		return &station.Error{Code: station.ENotFound, Message: i18n.T("watch.not_found")}
	}
	return nil
}

// handleShell serves the field app's shell document.
func (s *Server) handleShell(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return pwa.RenderOK(c, visits.FieldShell(s.Shell.Layout, station.OfficerFrom(c.Request().Context()), s.Settings(),
		[]g.Node{mediation.TodayCard(), patrols.TodayCard()},
		[]g.Node{patrols.FieldShiftScreen(), patrols.FieldReportScreen()}))
}

// redirectTo sends a request to path, with its query.
func redirectTo(path string) echo.HandlerFunc {
	return func(c echo.Context) error {
		to := path
		if q := c.QueryString(); q != "" {
			to += "?" + q
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
}

// handleChiefHome sends the deputy chief to the live board.
func (s *Server) handleChiefHome(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, "/board")
}

// handleOffline is the page the service worker shows for an office page
// while offline.
func (s *Server) handleOffline(c echo.Context) error {
	return pwa.RenderOK(c, pwa.OfflinePage(s.Shell.Layout))
}

// stationEnv is what every page needs to know of the station.
func (s *Server) stationEnv() households.Env {
	return households.Env{
		Settings: s.Settings,
		Officers: func() (map[string]string, error) { return station.OfficerNames(s.App) },
		Communities: func(officerID string) ([]string, error) {
			rec, err := s.App.FindRecordById("officers", officerID)
			if err != nil {
				return nil, &station.Error{Code: station.ENotFound, Message: i18n.T("people.not_found")}
			}
			return rec.GetStringSlice("communities"), nil
		},
	}
}

// names maps community, grid and officer ids to names (list titles).
func (s *Server) names() (map[string]string, error) {
	out, err := station.OfficerNames(s.App)
	if err != nil {
		return nil, err
	}
	for _, coll := range []string{"communities", "grids"} {
		var rows []struct {
			ID   string `db:"id"`
			Name string `db:"name"`
		}
		if err := s.App.DB().Select("id", "name").From(coll).All(&rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r.Name
		}
	}
	return out, nil
}

// coverageSections are what the features above the visit log add to the
// coverage page.
// The patrols' and the mediation room's figures are the year's, station
// wide (the deputy chief's page); their own pages split them by community.
func (s *Server) coverageSections(ctx context.Context, o *station.Officer, scope visits.Scope, now time.Time) ([]g.Node, error) {
	year := now.In(s.Settings().Location()).Year()
	pf, err := s.Patrols.Figures(ctx, o, year)
	if err != nil {
		return nil, err
	}
	mf, err := s.Mediation.Figures(ctx, o, year)
	if err != nil {
		return nil, err
	}
	return []g.Node{mediation.FiguresSection(mf), patrols.FiguresSection(pf)}, nil
}
