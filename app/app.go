// Package app wires zoufang together: it builds PocketBase, binds the record
// hooks, mounts Echo as the catch-all router in OnServe and lists every
// route in routes.go. It is the only package that knows URLs.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/dbx"
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
	"zoufang/mediation"
	"zoufang/patrols"
	_ "zoufang/pb_migrations" // registers the migrations
	"zoufang/people"
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
	// PublicURL, when set (serve --public-url), is the station's public
	// address and wins over the settings page's.
	PublicURL string
	// TrustedProxies are the peer addresses whose forwarded headers
	// (X-Forwarded-For, X-Forwarded-Proto …) are believed, and only when
	// PocketBase's trusted-proxy header is set in the admin UI. Empty
	// means loopback only: the reverse proxy on the same machine.
	TrustedProxies []netip.Prefix
	// Logger receives structured logs. By default they go to PocketBase's
	// log (the admin UI's Logs) and, from warnings up, to stderr as well,
	// so that a failure that cannot be written to the database (a full
	// disk) is still seen.
	Logger *slog.Logger
}

// SQLite's page cache is per connection, and PocketBase keeps up to 15
// idle connections of 32 MB each: at a city's size that is most of the
// server's memory, and it buys little, since the file's pages stay in the
// kernel's cache. zoufang keeps fewer idle connections with a smaller cache
// each (docs/benchmarks.md: memory at district and city scale).
const (
	dataIdleConns = 6
	pageCacheKiB  = 8000
)

// connectDB opens the data and auxiliary databases as PocketBase does, with
// the smaller page cache.
func connectDB(dbPath string) (*dbx.DB, error) {
	pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-" + strconv.Itoa(pageCacheKiB) + ")"
	db, err := dbx.Open("sqlite", dbPath+pragmas)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(dbPath), err)
	}
	return db, nil
}

// defaultMemoryLimit (MiB) is the heap's soft limit: Go's collector lets
// the heap grow to twice what is live before collecting, and returns freed
// memory to the system slowly, so a city's server (the search index of a
// million households is about 210 MB live) sat above 600 MB idle, and
// above a gigabyte after one large export. Near the limit the collector
// runs sooner and gives memory back; an export that needs more still gets
// it.
const defaultMemoryLimit int64 = 400

// gcPercent is how far the heap grows past what is live before the
// collector runs (Go's default is 100: twice the live heap). A station's
// server is mostly idle and its live heap is mostly the search index, so
// the slack was the largest thing it held: with 2,000 officers' sockets
// open on a district it sat at 137–147 MiB with 100, 123 MiB with 50, and
// neither the broadcasts' CPU time nor their delivery times moved
// (docs/benchmarks.md, "The live channel").
const gcPercent = 50

// New builds the zoufang command: PocketBase's serve (with --demo) and
// superuser commands, migrate, and zoufang's own commands.
func New() *pocketbase.PocketBase {
	pb := pocketbase.NewWithConfig(pocketbase.Config{DBConnect: connectDB, DataMaxIdleConns: dataIdleConns})
	migratecmd.MustRegister(pb, pb.RootCmd, migratecmd.Config{Dir: "pb_migrations"})

	var seedDemo bool
	var publicURL, trustedProxies string
	memoryLimit := defaultMemoryLimit
	srv := Bind(pb, Config{})
	pb.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Priority: -100, // before Bind's handler builds the server
		Func: func(se *core.ServeEvent) error {
			// GOMEMLIMIT and GOGC, if set, are the operator's and win.
			if _, set := os.LookupEnv("GOMEMLIMIT"); !set && memoryLimit > 0 {
				debug.SetMemoryLimit(memoryLimit << 20)
			}
			if _, set := os.LookupEnv("GOGC"); !set {
				debug.SetGCPercent(gcPercent)
			}
			if publicURL != "" {
				u, code := station.ParsePublicURL(publicURL)
				if code != "" {
					return fmt.Errorf("--public-url %q: want an http(s) address without a path, e.g. https://zoufang.example.gov.cn", publicURL)
				}
				srv.Config.PublicURL = u
			}
			proxies, err := ParsePrefixes(trustedProxies)
			if err != nil {
				return fmt.Errorf("--trusted-proxies: %w", err)
			}
			srv.Config.TrustedProxies = proxies
			if seedDemo {
				res, err := demo.Seed(se.App, demo.Options{})
				if err != nil {
					return fmt.Errorf("seed demo station: %w", err)
				}
				printDemo(os.Stdout, res, se.Server.Addr)
			}
			if err := se.Next(); err != nil {
				return err
			}
			go srv.releaseWarmUp()
			return nil
		},
	})

	serve := pbcmd.NewServeCommand(pb, true)
	serve.Flags().BoolVar(&seedDemo, "demo", false, "seed the demo station (长庆派出所) into an empty database and print its logins")
	serve.Flags().StringVar(&publicURL, "public-url", "", "the station's public address for QR and watch links, e.g. https://zoufang.example.gov.cn (wins over the settings page)")
	serve.Flags().Int64Var(&memoryLimit, "memory-limit", defaultMemoryLimit, "MiB the Go heap aims to stay under (a soft limit: the collector works harder near it, nothing fails over it); 0 for none; GOMEMLIMIT wins")
	serve.Flags().StringVar(&trustedProxies, "trusted-proxies", "127.0.0.0/8,::1/128", "addresses (CIDR) of the reverse proxy whose X-Forwarded-* headers are believed")
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
	Watches       *watches.Store
	Patrols       *patrols.Store   // set when the routes are built
	Mediation     *mediation.Store // set when the routes are built
	People        *people.Store
	Tokens        *visits.TokenBook
	Addresses     *visits.Addresses
	Confirmations *visits.Confirmations

	importPlans *households.ImportPlans
	Hub         *live.Hub
	// warmed is closed when the search index's warm-up has finished;
	// Close waits for it, so it never reads a database already closed.
	warmed chan struct{}

	settings    atomic.Pointer[station.Settings]
	communities sync.Map // household id → community id, for announcements
	seen        sync.Map // officer|device → seenDevice
}

// Bind registers zoufang's hooks on app and returns the Server that is
// filled in when app serves. Tests call it on a PocketBase test app.
func Bind(app core.App, cfg Config) *Server {
	s := &Server{App: app, Config: cfg}
	station.BindSettingsCache(app)
	bindRecordHooks(app, s)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := s.build(se.App); err != nil {
			return fmt.Errorf("build zoufang server: %w", err)
		}
		// zoufang's own routes answer no cross-origin request: PocketBase's
		// CORS middleware (Access-Control-Allow-Origin: * by default) is
		// for its REST API only.
		se.Router.Any("/{path...}", func(re *core.RequestEvent) error {
			s.Echo.ServeHTTP(re.Response, s.edgeRequest(re))
			return nil
		}).Bind(apis.SkipSuccessActivityLog()).Unbind(apis.DefaultCorsMiddlewareId)
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
	s.Visits = visits.NewStore(app).WithRegistry(s.Households)
	s.Replica = replica.NewStore(app, s.Settings)
	s.Watches = watches.NewStore(app, s.Visits, s.Settings)
	s.People = people.NewStore(app, s.movers())
	s.Tokens = visits.NewTokenBook(app)
	s.Addresses = visits.NewAddresses(app)
	// The running figures of a database written before they existed (or
	// by the district generator) are counted once, before serving.
	if err := visits.EnsureDays(context.Background(), app); err != nil {
		return err
	}
	s.Confirmations = visits.NewConfirmations(app)
	s.Sessions = &auth.Sessions{App: app, Secure: s.Config.SecureCookies, Log: s.Log}
	s.Login = auth.NewLogin(s.Sessions, s.Shell.Layout, s.Tokens)
	s.importPlans = households.NewImportPlans()
	s.warmed = make(chan struct{})
	go func() {
		defer close(s.warmed)
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
		Seen: s.deviceSeen,
		Alerts: func() ([]any, error) {
			open, err := s.Watches.OpenAlerts(context.Background())
			out := make([]any, len(open))
			for i, a := range open {
				out[i] = a.Message()
			}
			return out, err
		},
	}, s.Log)

	// Daily: end holiday watches whose window passed, and erase their
	// contacts 30 days later (DESIGN §9). PocketBase's cron runs in UTC:
	// 19:20 UTC is 03:20 in Beijing.
	app.Cron().MustAdd("zoufang_watches", "20 19 * * *", func() {
		ended, purged, err := watches.CloseWatches(app, time.Now())
		if err != nil {
			s.Log.Error("close holiday watches", "err", err)
			return
		}
		if ended+purged > 0 {
			s.Log.Info("holiday watches closed", "ended", ended, "purged", purged)
		}
	})

	// Daily: forget signed-out sessions whose tokens have expired.
	app.Cron().MustAdd("zoufang_revoked_sessions", "40 19 * * *", func() {
		if _, err := auth.PurgeRevoked(app, time.Now()); err != nil {
			s.Log.Error("purge revoked sessions", "err", err)
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

// movers are the parts of a handover (DESIGN §13): the registry's and the
// watches', and those of the features above them.
func (s *Server) movers() []people.Mover {
	return append(people.Movers(),
		people.Mover{Name: "open_disputes",
			Count: func(ctx context.Context, tx core.App, from string, cs []string) (int, error) {
				return mediation.HandOverCount(ctx, tx, from, cs)
			},
			Move: mediation.HandOver},
		people.Mover{Name: "open_reports",
			Count: func(ctx context.Context, tx core.App, from string, cs []string) (int, error) {
				return patrols.MoveAssigned(ctx, tx, from, "", cs, true)
			},
			Move: func(ctx context.Context, tx core.App, from, to string, cs []string) (int, error) {
				return patrols.MoveAssigned(ctx, tx, from, to, cs, false)
			}},
	)
}

// deviceSeen keeps each officer's devices for the people pages, from the
// live channel's hello and status messages: at most once a minute per
// device unless its outbox changed.
func (s *Server) deviceSeen(officerID, device, version string, pending int) {
	if !visits.DevicePattern.MatchString(device) {
		return // not the field app's id for itself
	}
	key := officerID + "|" + device
	now := time.Now()
	if v, ok := s.seen.Load(key); ok {
		last := v.(seenDevice)
		if last.pending == pending && last.version == version && now.Sub(last.at) < time.Minute {
			return
		}
	}
	s.seen.Store(key, seenDevice{at: now, pending: pending, version: version})
	if err := s.People.SeeDevice(context.Background(), officerID, device, version, pending, now); err != nil {
		s.Log.Error("record device", "officer", officerID, "err", err)
	}
}

type seenDevice struct {
	at      time.Time
	pending int
	version string
}

// Settings are the station's current settings (with serve's
// --public-url, if given, over the stored address).
func (s *Server) Settings() station.Settings {
	st := station.DefaultSettings()
	if p := s.settings.Load(); p != nil {
		st = *p
	}
	if s.Config.PublicURL != "" {
		st.PublicURL = s.Config.PublicURL
	}
	return st
}

func (s *Server) reloadSettings() error {
	st, err := station.LoadSettings(s.App)
	if err != nil {
		return err
	}
	s.settings.Store(&st)
	return nil
}

// Close stops the server's background work (the live hub, the search
// index's warm-up).
func (s *Server) Close() {
	if s.Hub != nil {
		s.Hub.Close()
	}
	if s.warmed != nil {
		<-s.warmed
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

// releaseWarmUp gives the system back, once the search index is built,
// the memory its build used and left: Go returns freed memory slowly, and
// a district's server kept about 30 MiB of the build's garbage through an
// idle day (docs/benchmarks.md, "The live channel"). serve only; tests
// start hundreds of servers and need no forced collections.
func (s *Server) releaseWarmUp() {
	if s.warmed == nil {
		return
	}
	<-s.warmed
	debug.FreeOSMemory()
}
