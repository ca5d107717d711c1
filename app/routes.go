package app

import (
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/auth"
	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/ratelimit"
	"zoufang/station"
	"zoufang/visits"
)

// Public endpoint limits per client (DESIGN §4): sign-in 60 a minute.
const (
	signInPerMinute = 60
)

// routes lists every path zoufang serves and the middleware in front of it.
func (s *Server) routes(e *echo.Echo) {
	e.Use(middleware.Recover())
	e.Use(s.faultMiddleware)
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
	e.GET("/", s.handleToday, officer)

	// The household registry.
	reg, layout, env := s.Households, s.Shell.Layout, s.stationEnv()
	history := visits.History(s.Visits, env)
	e.GET("/households", households.HandleSearch(reg, layout, env), officer)
	e.GET("/households/new", households.HandleNew(reg, layout), officer)
	e.POST("/households", households.HandleCreate(reg, layout), officer)
	e.GET("/households/:id", households.HandleDetail(reg, layout, env, history), officer)
	e.GET("/households/:id/edit", households.HandleEdit(reg, layout), officer)
	e.POST("/households/:id", households.HandleUpdate(reg, layout), officer)
	e.POST("/households/:id/archive", households.HandleArchive(reg, layout, env, history), officer)
	e.GET("/households/import", households.HandleImportForm(layout), chief)
	e.POST("/households/import", households.HandleImportCheck(s.Households, layout, s.importPlans), chief)
	e.POST("/households/import/commit", households.HandleImportCommit(s.Households, layout, s.importPlans), chief)
}

// stationEnv is what every page needs to know of the station.
func (s *Server) stationEnv() households.Env {
	return households.Env{
		Settings: s.Settings,
		Officers: func() (map[string]string, error) { return station.OfficerNames(s.App) },
	}
}

// handleToday is the field screen's placeholder until the visit log lands.
func (s *Server) handleToday(c echo.Context) error {
	o := station.OfficerFrom(c.Request().Context())
	st := s.Settings()
	now := time.Now()
	return pwa.RenderOK(c, s.Shell.Layout(pwa.Page{
		Title:   i18n.T("today.title"),
		Officer: o,
		Nav:     "/",
		Body: []g.Node{h.Section(h.Class("card"),
			h.H1(g.Text(i18n.T("today.title"))),
			h.P(g.Text(i18n.T("today.greeting", o.Name))),
			h.Div(h.Class("rings"),
				pwa.Ring("ring-homes", i18n.T("today.homes"), 0, st.TargetHomes),
				pwa.Ring("ring-wechat", i18n.T("today.wechat"), 0, st.TargetWeChat),
			),
			g.If(st.IsVisitDay(now), h.P(h.Class("badge-visit-day"), g.Text(i18n.T("today.visit_day")))),
		)},
	}))
}
