package app

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"zoufang/auth"
	"zoufang/households"
	"zoufang/i18n"
	"zoufang/mediation"
	"zoufang/pwa"
	"zoufang/ratelimit"
	"zoufang/replica"
	"zoufang/station"
	"zoufang/visits"
)

// Public endpoint limits per client (DESIGN §4): sign-in 60 a minute, the
// resident's confirmation page 30.
const (
	signInPerMinute  = 60
	confirmPerMinute = 30
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
}

// routes lists every path zoufang serves and the middleware in front of it.
func (s *Server) routes(e *echo.Echo) {
	e.Use(middleware.Recover())
	e.Use(securityHeaders(s.Shell.ImportMapHash()))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		MinLength: 1024,
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			return strings.HasPrefix(p, "/assets/") || p == "/ws" || p == "/sw.js" || p == "/manifest.webmanifest"
		},
	}))
	e.Use(s.Sessions.Middleware)
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
	history := visits.History(s.Visits, env)
	office := map[string]echo.HandlerFunc{
		"/":                    s.handleChiefHome,
		"/households":          page(households.HandleSearch(reg, layout, env)),
		"/households/new":      page(households.HandleNew(reg, layout)),
		"/households/:id":      page(households.HandleDetail(reg, layout, env, history)),
		"/households/:id/edit": page(households.HandleEdit(reg, layout)),
	}
	inArea := map[string]bool{"/households/:id": true, "/households/:id/edit": true}
	for _, sc := range fieldScreens {
		var check []echo.HandlerFunc
		if inArea[sc.Path] {
			check = append(check, s.inArea)
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

	// The sync protocol (DESIGN §6, §7).
	e.GET("/sync/me", json(replica.HandleMe(s.Visits, reg, s.Settings, env.Officers, s.Assets.Version)), officer)
	e.GET("/sync/pull", json(replica.HandlePull(s.Replica)), officer)
	e.POST("/sync/push", json(replica.HandlePush(s.Replica, s.Log)), officer)
	e.POST("/sync/tokens", json(visits.HandleTokens(s.Tokens, s.Settings)), officer)

	// The visit book and the station's settings.
	e.GET("/visits/book", page(visits.HandleBook(s.Visits, layout, s.Settings, false)), officer)
	e.GET("/visits/book.xlsx", page(visits.HandleBook(s.Visits, layout, s.Settings, true)), officer)
	e.GET("/coverage", page(visits.HandleCoverage(s.Visits, layout)), chief)
	e.GET("/settings", page(visits.HandleSettings(layout, s.Settings)), chief)
	e.POST("/settings", page(visits.HandleSaveSettings(s.Visits, layout)), chief)

	// The resident's confirmation: no account, no JavaScript, rate-limited.
	confirm := ratelimit.Middleware(ratelimit.New(confirmPerMinute, time.Minute))
	e.GET("/c/:token", page(visits.HandleConfirm(s.Confirmations, layout, s.Settings)), confirm)
	e.POST("/c/:token", page(visits.HandleConfirm(s.Confirmations, layout, s.Settings)), confirm)

	// The live channel and the deputy chief's board.
	e.GET("/ws", s.Hub.Handle, officer)
	e.GET("/board", page(visits.HandleBoard(s.Visits, layout, s.Settings, s.presence)), chief)

	// The mediation log (DESIGN §14): officers see their communities' cases
	// and those they lead, the deputy chief all; the roster is the chief's
	// to edit. A dispute opens from a visit (?visit=) or a patrol report
	// (?report=) as well as empty.
	med, menv := mediation.NewStore(s.App), mediation.Env{Settings: s.Settings}
	msrc := mediation.Lookups{Visit: s.visitFacts}
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

// handleShell serves the field app's shell document.
func (s *Server) handleShell(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return pwa.RenderOK(c, visits.FieldShell(s.Shell.Layout, station.OfficerFrom(c.Request().Context()), s.Settings()))
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
	}
}
