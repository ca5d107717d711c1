// Package apptest starts the whole zoufang app for tests: a real PocketBase
// on a temp dir with the migrations applied, OnServe triggered so the Echo
// routes are mounted, and a real HTTP server from httptest. It also seeds a
// small station (two communities, an officer for each, a deputy chief) and
// gives signed-in HTTP clients.
package apptest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"zoufang/app"
	"zoufang/demo"
	"zoufang/households"
	"zoufang/station"
)

// Password is every fixture officer's password.
const Password = "pass-1234"

// Env is one running app.
type Env struct {
	T      testing.TB
	App    *tests.TestApp
	Server *app.Server
	HTTP   *httptest.Server
	URL    string
	// Faults cuts the network at the server (browser tests).
	Faults *Faults

	// The fixture station.
	CommunityA, CommunityB string // community ids
	GridA1, GridA2, GridB1 string
	OfficerA, OfficerB     *core.Record // community officers of A and B
	Chief                  *core.Record // deputy chief, sees both
}

// New starts the app with the fixture station.
func New(t testing.TB) *Env {
	t.Helper()
	return start(t, app.Config{}, t.TempDir(), (*Env).seed)
}

// NewWithConfig starts the app with the fixture station and cfg (serve's
// flags: the public address, the trusted proxies).
func NewWithConfig(t testing.TB, cfg app.Config) *Env {
	t.Helper()
	return start(t, cfg, t.TempDir(), (*Env).seed)
}

// Open starts the app on a copy of an existing data dir (a generated
// district, say), migrated and seeded with nothing; the fixture fields stay
// empty.
func Open(t testing.TB, dir string) *Env {
	t.Helper()
	return start(t, app.Config{}, dir, func(*Env) {})
}

// NewDemo starts the app on the demo station (长庆派出所), seeded as
// `serve --demo` does but with fewer households, for screenshots.
func NewDemo(t testing.TB, households int) *Env {
	t.Helper()
	return NewDemoWeeks(t, households, 3)
}

// NewDemoWeeks is NewDemo with weeks of visit history (the coverage
// review's trend spans twelve).
func NewDemoWeeks(t testing.TB, households, weeks int) *Env {
	t.Helper()
	return start(t, app.Config{}, t.TempDir(), func(env *Env) {
		if _, err := demo.Seed(env.App, demo.Options{Households: households, Weeks: weeks}); err != nil {
			t.Fatalf("demo: %v", err)
		}
	})
}

// start runs the app on a copy of dataDir (tests.NewTestApp clones it).
func start(t testing.TB, cfg app.Config, dataDir string, seed func(*Env)) *Env {
	t.Helper()
	ta, err := tests.NewTestApp(dataDir)
	if err != nil {
		t.Fatalf("test app: %v", err)
	}
	env := &Env{T: t, App: ta, Faults: &Faults{}}
	env.Server = app.Bind(ta, cfg)
	seed(env)

	router, err := apis.NewRouter(ta)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	// What `serve` adds to the router beside NewRouter's middlewares: the
	// CORS middleware with its default origins.
	router.Bind(apis.CORS(apis.CORSConfig{
		AllowOrigins: []string{"*"},
		AllowMethods: []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodPost, http.MethodDelete},
	}))
	se := &core.ServeEvent{App: ta, Router: router, Server: &http.Server{}}
	err = ta.OnServe().Trigger(se, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		if err != nil {
			return err
		}
		env.HTTP = httptest.NewServer(env.Faults.Wrap(mux))
		return nil
	})
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	env.URL = env.HTTP.URL
	t.Cleanup(func() {
		env.HTTP.CloseClientConnections()
		env.HTTP.Close()
		env.Server.Close()
		ta.Cleanup()
	})
	return env
}

func (env *Env) seed() {
	t := env.T
	t.Helper()
	save := func(r *core.Record) {
		t.Helper()
		if err := env.App.Save(r); err != nil {
			t.Fatalf("seed %s: %v", r.Collection().Name, err)
		}
	}
	community := func(name, code string) string {
		c := core.NewRecord(env.collection("communities"))
		c.Set("name", name)
		c.Set("code", code)
		save(c)
		return c.Id
	}
	grid := func(comm, name string) string {
		g := core.NewRecord(env.collection("grids"))
		g.Set("community", comm)
		g.Set("name", name)
		save(g)
		return g.Id
	}
	env.CommunityA = community("吴牙社区", "wuya")
	env.CommunityB = community("贡院社区", "gongyuan")
	env.GridA1 = grid(env.CommunityA, "第一网格")
	env.GridA2 = grid(env.CommunityA, "第二网格")
	env.GridB1 = grid(env.CommunityB, "第一网格")
	env.OfficerA = env.NewOfficer("100001", "李卫东", station.RoleOfficer, env.CommunityA)
	env.OfficerB = env.NewOfficer("100002", "陈晓峰", station.RoleOfficer, env.CommunityB)
	env.Chief = env.NewOfficer("100000", "王建国", station.RoleDeputyChief, env.CommunityA, env.CommunityB)
}

func (env *Env) collection(name string) *core.Collection {
	c, err := env.App.FindCachedCollectionByNameOrId(name)
	if err != nil {
		env.T.Fatalf("collection %s: %v", name, err)
	}
	return c
}

// NewOfficer creates an active officer with Password.
func (env *Env) NewOfficer(badge, name, role string, communities ...string) *core.Record {
	env.T.Helper()
	r := core.NewRecord(env.collection("officers"))
	r.Set("badge", badge)
	r.Set("name", name)
	r.Set("role", role)
	r.Set("communities", communities)
	r.Set("email", badge+"@test.example")
	r.Set("active", true)
	r.SetPassword(Password)
	if err := env.App.Save(r); err != nil {
		env.T.Fatalf("officer %s: %v", badge, err)
	}
	return r
}

// Officer is rec as the signed-in officer type.
func Officer(rec *core.Record) *station.Officer { return station.OfficerFromRecord(rec) }

// Household creates a household through the real store as officer rec.
func (env *Env) Household(rec *core.Record, in households.Input) *households.Household {
	env.T.Helper()
	h, err := households.NewStore(env.App).Create(context.Background(), Officer(rec), in)
	if err != nil {
		env.T.Fatalf("household %+v: %v", in, err)
	}
	return h
}

// Token is a PocketBase auth token for rec, for the REST API.
func (env *Env) Token(rec *core.Record) string {
	env.T.Helper()
	tok, err := rec.NewAuthToken()
	if err != nil {
		env.T.Fatalf("token: %v", err)
	}
	return tok
}

// Client is an HTTP client with its own cookie jar.
type Client struct {
	T    testing.TB
	Base string
	HTTP *http.Client
	// Header is sent with every request.
	Header http.Header
}

// Anonymous returns a client that is not signed in.
func (env *Env) Anonymous() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{T: env.T, Base: env.URL, Header: http.Header{},
		HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn returns a client signed in as rec through the real /login form.
func (env *Env) SignIn(rec *core.Record) *Client {
	env.T.Helper()
	c := env.Anonymous()
	res, _ := c.PostForm("/login", url.Values{"identity": {rec.GetString("badge")}, "password": {Password}})
	if res.StatusCode != http.StatusSeeOther {
		env.T.Fatalf("sign in %s: status %d", rec.GetString("badge"), res.StatusCode)
	}
	return c
}

// Do sends a request and returns the response with its body read.
func (c *Client) Do(req *http.Request) (*http.Response, string) {
	c.T.Helper()
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// Get fetches path.
func (c *Client) Get(path string) (*http.Response, string) {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base+path, nil)
	return c.Do(req)
}

// PostForm posts form values to path.
func (c *Client) PostForm(path string, v url.Values) (*http.Response, string) {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// PostJSON posts body as JSON to path and decodes a JSON answer into out
// (when out is not nil).
func (c *Client) PostJSON(path string, body any, out any) *http.Response {
	c.T.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		c.T.Fatalf("encode: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, text := c.Do(req)
	if out != nil {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			c.T.Fatalf("decode %s answer (%d): %v\n%s", path, res.StatusCode, err, text)
		}
	}
	return res
}

// GetJSON fetches path and decodes the JSON answer into out.
func (c *Client) GetJSON(path string, out any) *http.Response {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base+path, nil)
	req.Header.Set("Accept", "application/json")
	res, text := c.Do(req)
	if out != nil {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			c.T.Fatalf("decode %s answer (%d): %v\n%s", path, res.StatusCode, err, text)
		}
	}
	return res
}

// WithToken returns a copy of c sending a PocketBase Authorization header.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.Header = c.Header.Clone()
	cp.Header.Set("Authorization", token)
	return &cp
}

// Superuser returns a client signed in to PocketBase's REST API as a
// station admin (what /_/ does on their behalf).
func (env *Env) Superuser() *Client {
	env.T.Helper()
	su := core.NewRecord(env.collection(core.CollectionNameSuperusers))
	su.SetEmail("admin-" + core.GenerateDefaultRandomId() + "@test.example")
	su.SetPassword("admin-password-1")
	if err := env.App.Save(su); err != nil {
		env.T.Fatalf("superuser: %v", err)
	}
	return env.Anonymous().WithToken(env.Token(su))
}

// Send sends a JSON request (PATCH, DELETE …) and decodes a JSON answer
// into out (when out is not nil).
func (c *Client) Send(method, path string, body any, out any) *http.Response {
	c.T.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.T.Fatalf("encode: %v", err)
		}
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, c.Base+path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, text := c.Do(req)
	if out != nil && text != "" {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			c.T.Fatalf("decode %s answer (%d): %v\n%s", path, res.StatusCode, err, text)
		}
	}
	return res
}
