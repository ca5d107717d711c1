package pwa

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed static sw.js
var embedded embed.FS

// Assets are the PWA's static files, each served under a content-hashed name
// with immutable caching, plus the generated service worker and manifest.
type Assets struct {
	byURL   map[string]*asset // "/assets/app.1a2b3c4d5e.css" → file
	byName  map[string]string // "app.css" → "/assets/app.1a2b3c4d5e.css"
	Version string            // changes whenever any asset changes
	sw      *asset
	mf      *asset
	// importMap maps each module's plain URL to its hashed one, so that
	// modules import each other by plain relative names.
	importMap []byte
	// screens is the field app's router, as JSON for the shell page.
	screens []byte
}

type asset struct {
	body  []byte
	gz    []byte
	ctype string
}

// LoadAssets hashes the embedded files and generates the icons, the
// manifest and the service worker, whose field paths are those of screens.
// It runs once at start-up.
func LoadAssets(screens []Screen) (*Assets, error) {
	screens = compileScreens(screens)
	a := &Assets{byURL: map[string]*asset{}, byName: map[string]string{}}
	err := fs.WalkDir(embedded, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		a.add(strings.TrimPrefix(p, "static/"), body)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assets: %w", err)
	}
	for _, ic := range appIcons {
		a.add(ic.name, ic.draw())
	}

	names := make([]string, 0, len(a.byName))
	for n := range a.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	imports := map[string]string{}
	for _, n := range names {
		h.Write([]byte(a.byName[n]))
		if strings.HasSuffix(n, ".js") {
			imports["/assets/"+n] = a.byName[n]
		}
	}
	swTemplate, err := embedded.ReadFile("sw.js")
	if err != nil {
		return nil, fmt.Errorf("load sw.js: %w", err)
	}
	h.Write(swTemplate)
	a.screens, err = json.Marshal(screens)
	if err != nil {
		return nil, err
	}
	h.Write(a.screens)
	a.Version = hex.EncodeToString(h.Sum(nil))[:12]

	a.importMap, err = json.Marshal(map[string]any{"imports": imports})
	if err != nil {
		return nil, err
	}
	a.mf = newAsset("application/manifest+json", a.manifest())
	a.sw = newAsset("text/javascript; charset=utf-8", a.serviceWorker(swTemplate, names, screens))
	return a, nil
}

func (a *Assets) add(name string, body []byte) {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	hashed := "/assets/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
	ctype := mime.TypeByExtension(ext)
	if ext == ".js" {
		ctype = "text/javascript; charset=utf-8"
	}
	a.byURL[hashed] = newAsset(ctype, body)
	a.byName[name] = hashed
}

func newAsset(ctype string, body []byte) *asset {
	a := &asset{body: body, ctype: ctype}
	if !strings.HasPrefix(ctype, "image/png") {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body) {
			a.gz = buf.Bytes()
		}
	}
	return a
}

// URL returns the hashed URL of a static file by its plain name ("app.css",
// "js/app.js"). An unknown name panics: it is a programming error caught by
// any test that renders the page.
func (a *Assets) URL(name string) string {
	u, ok := a.byName[name]
	if !ok {
		panic("pwa: unknown asset " + name)
	}
	return u
}

// URLs lists every hashed asset URL (the service worker precaches them).
func (a *Assets) URLs() []string {
	out := make([]string, 0, len(a.byURL))
	for u := range a.byURL {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// Modules lists the hashed URLs of the JavaScript modules, except those
// named (an entry module needs no preload; another page's entry is not
// this page's).
func (a *Assets) Modules(except ...string) []string {
	var out []string
	for n, u := range a.byName {
		if strings.HasSuffix(n, ".js") && !slices.Contains(except, n) {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}

// ImportMap is the JSON of the page's <script type="importmap">.
func (a *Assets) ImportMap() string { return string(a.importMap) }

// ScreensJSON is the field app's router: each screen's name and pattern.
func (a *Assets) ScreensJSON() string { return string(a.screens) }

// HandleAsset serves /assets/* by hashed name, cached for a year.
func (a *Assets) HandleAsset(c echo.Context) error {
	f, ok := a.byURL[c.Request().URL.Path]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return f.serve(c)
}

// HandleServiceWorker serves the generated /sw.js; never cached, so that a
// new version is found on the next visit.
func (a *Assets) HandleServiceWorker(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	c.Response().Header().Set("Service-Worker-Allowed", "/")
	return a.sw.serve(c)
}

// HandleManifest serves /manifest.webmanifest.
func (a *Assets) HandleManifest(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return a.mf.serve(c)
}

func (f *asset) serve(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Content-Type", f.ctype)
	h.Add("Vary", "Accept-Encoding")
	if f.gz != nil && strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, f.ctype, f.gz)
	}
	return c.Blob(http.StatusOK, f.ctype, f.body)
}

// Body returns an asset's bytes and gzip size by plain name (benchmarks).
func (a *Assets) Body(name string) (plain []byte, gzipped int) {
	f := a.byURL[a.URL(name)]
	if f.gz == nil {
		return f.body, len(f.body)
	}
	return f.body, len(f.gz)
}
