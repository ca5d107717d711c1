package pwa_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/pwa"
	"zoufang/station"
)

var testScreens = []pwa.Screen{{Path: "/", Name: "today"}, {Path: "/households/:id", Name: "household"}}

func TestAssets(t *testing.T) {
	a, err := pwa.LoadAssets(testScreens)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	get := func(path string, handler echo.HandlerFunc, gzip bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if gzip {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		if err := handler(e.NewContext(req, rec)); err != nil {
			e.HTTPErrorHandler(err, e.NewContext(req, rec))
		}
		return rec
	}

	t.Run("assets are served under content-hashed names, cached for good", func(t *testing.T) {
		u := a.URL("app.css")
		if !regexp.MustCompile(`^/assets/app\.[0-9a-f]{10}\.css$`).MatchString(u) {
			t.Fatalf("css url %s", u)
		}
		rec := get(u, a.HandleAsset, true)
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("status %d headers %v", rec.Code, rec.Header())
		}
		if rec := get("/assets/app.0000000000.css", a.HandleAsset, false); rec.Code != 404 {
			t.Fatalf("an unknown hash answered %d", rec.Code)
		}
	})
	t.Run("the service worker lists every asset and the shell, with the assets' version, uncached", func(t *testing.T) {
		rec := get("/sw.js", a.HandleServiceWorker, false)
		body := rec.Body.String()
		if rec.Header().Get("Cache-Control") != "no-cache" || !strings.Contains(body, `const VERSION = "`+a.Version+`"`) {
			t.Fatal("version or caching wrong")
		}
		for _, u := range append(a.URLs(), pwa.ShellPath, pwa.OfflinePath) {
			if !strings.Contains(body, `"`+u+`"`) {
				t.Errorf("precache lacks %s", u)
			}
		}
	})
	t.Run("the worker's field paths are the route list's, as patterns", func(t *testing.T) {
		body := get("/sw.js", a.HandleServiceWorker, false).Body.String()
		if !strings.Contains(body, `const FIELD_PATHS = ["^/$","^/households/([a-z0-9]{15})$"]`) {
			t.Fatalf("field paths not generated from the screens:\n%s", body[:min(len(body), 800)])
		}
		if strings.Contains(body, "__FIELD_PATHS__") || strings.Contains(body, "__PRECACHE__") || strings.Contains(body, "__VERSION__") {
			t.Fatal("a placeholder is left in the worker")
		}
	})
	t.Run("the manifest makes the app installable", func(t *testing.T) {
		var m struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			StartURL   string `json:"start_url"`
			Display    string `json:"display"`
			ThemeColor string `json:"theme_color"`
			Lang       string `json:"lang"`
			Icons      []struct {
				Src, Sizes, Purpose string
			} `json:"icons"`
		}
		rec := get("/manifest.webmanifest", a.HandleManifest, false)
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if m.ID != "/" || m.StartURL != "/" || m.Display != "standalone" || m.Lang != "zh-CN" || !strings.Contains(m.Name, "走访") || m.ThemeColor == "" {
			t.Fatalf("manifest %+v", m)
		}
		sizes := map[string]bool{}
		for _, ic := range m.Icons {
			sizes[ic.Sizes+" "+ic.Purpose] = true
		}
		for _, want := range []string{"192x192 any", "512x512 any", "512x512 maskable"} {
			if !sizes[want] {
				t.Errorf("no %s icon", want)
			}
		}
	})
}

func TestLayoutEscapesUserData(t *testing.T) {
	a, _ := pwa.LoadAssets(testScreens)
	shell := pwa.NewShell(a, func() string { return `派出所<script>` })
	o := &station.Officer{ID: "x", Name: `<img src=x onerror=alert(1)>`, Badge: "1", Role: station.RoleOfficer}
	var b strings.Builder
	if err := shell.Layout(pwa.Page{Title: `"><script>alert(1)</script>`, Officer: o, Body: []g.Node{h.P(g.Text("<b>hi</b>"))}}).Render(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<img src=x", "<script>alert", "<b>hi</b>", "派出所<script>"} {
		if strings.Contains(out, bad) {
			t.Errorf("unescaped %q in the page", bad)
		}
	}
}

func TestSafeNext(t *testing.T) {
	cases := map[string]string{"/households?q=1": "/households?q=1", "": "/", "//evil": "/", "https://evil": "/", "/\\evil": "/", "/a\r\nSet-Cookie: x": "/"}
	for in, want := range cases {
		if got := pwa.SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeNextControlCharacters(t *testing.T) {
	for _, in := range []string{"/\t/evil.example", "/\n/evil.example", "/\x7f", "/a\\b"} {
		if got := pwa.SafeNext(in); got != "/" {
			t.Errorf("SafeNext(%q) = %q, want /", in, got)
		}
	}
}
