// Package app wires zoufang together: it builds PocketBase, binds the record
// hooks, mounts Echo as the catch-all router in OnServe and lists every
// route in routes.go. It is the only package that knows URLs.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	pbcmd "github.com/pocketbase/pocketbase/cmd"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/hook"

	"zoufang/auth"
	"zoufang/demo"
	"zoufang/households"
	"zoufang/live"
	_ "zoufang/pb_migrations" // registers the migrations
	"zoufang/pwa"
	"zoufang/replica"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

// Config tunes the server for a deployment or a test.
type Config struct {
	// SecureCookies marks the session cookie Secure (set behind TLS).
	SecureCookies bool
	// Logger receives structured logs. By default they go to PocketBase's
	// log (the admin UI's Logs) and, from warnings up, to stderr as well,
	// so that a failure that cannot be written to the database (a full
	// disk) is still seen.
	Logger *slog.Logger
}

// New builds the zoufang command: PocketBase's serve (with --demo) and
// superuser commands, migrate, and zoufang's own commands.
func New() *pocketbase.PocketBase {
	pb := pocketbase.NewWithConfig(pocketbase.Config{})
	migratecmd.MustRegister(pb, pb.RootCmd, migratecmd.Config{Dir: "pb_migrations"})

	var seedDemo bool
	Bind(pb, Config{})
	pb.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Priority: -100, // before Bind's handler builds the server
		Func: func(se *core.ServeEvent) error {
			if !seedDemo {
				return se.Next()
			}
			res, err := demo.Seed(se.App, demo.Options{})
			if err != nil {
				return fmt.Errorf("seed demo station: %w", err)
			}
			printDemo(os.Stdout, res, se.Server.Addr)
			return se.Next()
		},
	})

	serve := pbcmd.NewServeCommand(pb, true)
	serve.Flags().BoolVar(&seedDemo, "demo", false, "seed the demo station (长庆派出所) into an empty database and print its logins")
	pb.RootCmd.AddCommand(serve)
	pb.RootCmd.AddCommand(pbcmd.NewSuperuserCommand(pb))
	pb.RootCmd.AddCommand(importCommand(pb))
	pb.RootCmd.AddCommand(genCommand(pb))
	pb.RootCmd.Use = "zoufang"
	pb.RootCmd.Short = "zoufang (走访): the community police household-visit app"
	return pb
}

// Server is zoufang's web side, built when PocketBase starts serving.
type Server struct {
	App      core.App
	Config   Config
	Echo     *echo.Echo
	Assets   *pwa.Assets
	Shell    *pwa.Shell
	Sessions *auth.Sessions
	Login    *auth.Login
	Log      *slog.Logger

	Households    *households.Store
	Visits        *visits.Store
	Replica       *replica.Store
	Tokens        *visits.TokenBook
	Confirmations *visits.Confirmations

	importPlans *households.ImportPlans
	Hub         *live.Hub

	settings    atomic.Pointer[station.Settings]
	communities sync.Map // household id → community id, for announcements
}

// Bind registers zoufang's hooks on app and returns the Server that is
// filled in when app serves. Tests call it on a PocketBase test app.
func Bind(app core.App, cfg Config) *Server {
	s := &Server{App: app, Config: cfg}
	bindRecordHooks(app, s)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := s.build(se.App); err != nil {
			return fmt.Errorf("build zoufang server: %w", err)
		}
		se.Router.Any("/{path...}", func(re *core.RequestEvent) error {
			r := re.Request.WithContext(station.WithClientIP(re.Request.Context(), re.RealIP()))
			s.Echo.ServeHTTP(re.Response, r)
			return nil
		}).Bind(apis.SkipSuccessActivityLog())
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
		s.Close()
		return te.Next()
	})
	return s
}

// build loads the assets and settings and mounts the routes.
func (s *Server) build(app core.App) error {
	s.App = app
	s.Log = s.Config.Logger
	if s.Log == nil {
		s.Log = slog.New(teeHandler{app.Logger().Handler(), slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})})
	}
	if err := s.reloadSettings(); err != nil {
		return err
	}
	assets, err := pwa.LoadAssets(fieldScreens)
	if err != nil {
		return err
	}
	s.Assets = assets
	s.Shell = pwa.NewShell(assets, func() string { return s.Settings().StationName })
	s.Households = households.NewStore(app)
	s.Visits = visits.NewStore(app)
	s.Replica = replica.NewStore(app)
	s.Tokens = visits.NewTokenBook(app)
	s.Confirmations = visits.NewConfirmations(app)
	s.Sessions = &auth.Sessions{App: app, Secure: s.Config.SecureCookies, Log: s.Log}
	s.Login = auth.NewLogin(s.Sessions, s.Shell.Layout, s.Tokens)
	s.importPlans = households.NewImportPlans()
	go func() {
		// The first search should not wait for the index.
		if err := s.Households.Warm(context.Background()); err != nil {
			s.Log.Error("warm the household search index", "err", err)
		}
	}()
	s.Hub = live.NewHub(live.Sources{
		Targets: func(officerID string) (any, error) {
			return s.Visits.Targets(context.Background(), officerID, s.Settings(), time.Now())
		},
		Board: func(p map[string]live.Presence) (any, error) {
			return s.Visits.Board(context.Background(), s.Settings(), time.Now(), presenceOf(p))
		},
	}, s.Log)

	// Daily: end holiday watches whose window passed, and erase their
	// contacts 30 days later (DESIGN §9).
	app.Cron().MustAdd("zoufang_watches", "20 3 * * *", func() {
		ended, purged, err := watches.CloseWatches(app, time.Now())
		if err != nil {
			s.Log.Error("close holiday watches", "err", err)
			return
		}
		if ended+purged > 0 {
			s.Log.Info("holiday watches closed", "ended", ended, "purged", purged)
		}
	})

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = pwa.ErrorHandler(s.Shell.Layout, s.Log)
	s.Echo = e
	s.routes(e)
	return nil
}

// reloadSettingsOrLog reloads the settings after a change was committed;
// a failure keeps the previous settings and is logged.
func (s *Server) reloadSettingsOrLog() {
	if err := s.reloadSettings(); err != nil && s.Log != nil {
		s.Log.Error("reload station settings", "err", err)
	}
}

// Settings are the station's current settings.
func (s *Server) Settings() station.Settings {
	if p := s.settings.Load(); p != nil {
		return *p
	}
	return station.DefaultSettings()
}

func (s *Server) reloadSettings() error {
	st, err := station.LoadSettings(s.App)
	if err != nil {
		return err
	}
	s.settings.Store(&st)
	return nil
}

// Close stops the server's background work (the live hub).
func (s *Server) Close() {
	if s.Hub != nil {
		s.Hub.Close()
	}
}

// presence is who is online now, for the board.
func (s *Server) presence() map[string]visits.Presence {
	if s.Hub == nil {
		return nil
	}
	return presenceOf(s.Hub.Presence())
}

func presenceOf(p map[string]live.Presence) map[string]visits.Presence {
	out := make(map[string]visits.Presence, len(p))
	for id, pr := range p {
		out[id] = visits.Presence{Online: pr.Devices > 0, Pending: pr.Pending}
	}
	return out
}

// printDemo tells the operator what --demo did and how to sign in.
func printDemo(w io.Writer, res demo.Result, addr string) {
	if !res.Seeded {
		fmt.Fprintln(w, "zoufang --demo: the database already holds data; nothing was seeded.")
	} else {
		fmt.Fprintf(w, "zoufang --demo: seeded %s: %d communities, %d households, %d visits.\n",
			res.Station, res.Communities, res.Households, res.Visits)
	}
	fmt.Fprintln(w, "Demo logins (警号 badge / 密码 password):")
	for _, l := range res.Logins {
		fmt.Fprintf(w, "  %-8s %-12s %s (%s)\n", l.Badge, l.Password, l.Name, l.Role)
	}
	if addr != "" {
		fmt.Fprintf(w, "Open http://%s/login\n", addr)
	}
}
