// Package pwa is the app's page shell: the gomponents layout and shared
// components, the static assets under content-hashed names, the manifest
// and the generated service worker.
package pwa

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/station"
)

// Page describes one page for the layout.
type Page struct {
	Title   string
	Officer *station.Officer // nil on sign-in and resident pages
	Nav     string           // the current nav item's path
	// Field marks a field-app page: it registers the service worker and
	// loads the field app module, which renders from the local replica.
	Field bool
	// Scripts are further modules by plain name ("js/board.js").
	Scripts []string
	// Class is added to <body> (e.g. "print" for the visit book).
	Class string
	Body  []g.Node
}

// Layout renders a Page as a whole HTML document. Views receive it rather
// than importing a global, so a test may render a view with any layout.
type Layout func(p Page) g.Node

// Shell builds the layout around the loaded assets.
type Shell struct {
	Assets *Assets
	// Station names the station in the header; a func, so a renamed
	// station shows at once.
	Station func() string
	strings []byte
}

// NewShell returns the page shell for assets.
func NewShell(a *Assets, stationName func() string) *Shell {
	strs, _ := json.Marshal(i18n.Subset(i18n.PagePrefixes...))
	return &Shell{Assets: a, Station: stationName, strings: strs}
}

// ImportMapHash is the CSP hash of the inline import map, the only inline
// script the pages carry.
func (s *Shell) ImportMapHash() string {
	sum := sha256.Sum256([]byte(s.Assets.ImportMap()))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Layout is the site's layout function.
func (s *Shell) Layout(p Page) g.Node {
	title := i18n.T("app.short_name")
	if p.Title != "" {
		title = p.Title + " · " + title
	}
	var scripts []g.Node
	if p.Field {
		// Preload the field app's whole module graph, so the browser fetches
		// it in one round trip instead of discovering imports level by level.
		for _, u := range s.Assets.Modules("js/app.js", "js/board.js", "js/map.js") {
			scripts = append(scripts, h.Link(h.Rel("modulepreload"), h.Href(u)))
		}
		scripts = append(scripts, h.Script(h.Type("module"), h.Src(s.Assets.URL("js/app.js"))))
	}
	for _, name := range p.Scripts {
		scripts = append(scripts, h.Script(h.Type("module"), h.Src(s.Assets.URL(name))))
	}
	return c.HTML5(c.HTML5Props{
		Title:    title,
		Language: i18n.Lang,
		Head: []g.Node{
			h.Meta(h.Name("viewport"), h.Content("width=device-width, initial-scale=1, viewport-fit=cover")),
			h.Meta(h.Name("theme-color"), h.Content(ThemeColor)),
			h.Meta(h.Name("format-detection"), h.Content("telephone=no")),
			h.Link(h.Rel("stylesheet"), h.Href(s.Assets.URL("app.css"))),
			h.Link(h.Rel("manifest"), h.Href("/manifest.webmanifest")),
			h.Link(h.Rel("icon"), h.Href(s.Assets.URL("icons/icon-192.png")), h.Type("image/png")),
			h.Link(h.Rel("apple-touch-icon"), h.Href(s.Assets.URL("icons/icon-192.png"))),
			g.If(p.Field || len(p.Scripts) > 0, g.Group{
				// Our own JSON, not user data: safe to embed as is.
				h.Script(h.Type("importmap"), g.Raw(s.Assets.ImportMap())),
				h.Script(h.Type("application/json"), h.ID("zf-strings"), g.Raw(string(s.strings))),
				g.If(p.Field, h.Script(h.Type("application/json"), h.ID("zf-screens"), g.Raw(s.Assets.ScreensJSON()))),
			}),
			g.Group(scripts),
		},
		Body: []g.Node{
			g.If(p.Class != "", h.Class(p.Class)),
			g.If(p.Field, g.Attr("data-field", "1")),
			s.header(p),
			// The navigation comes right after the header: on a desk it is
			// the row under it (a month's visit book is 20,000 px tall); on a
			// phone the stylesheet pins it to the bottom of the screen.
			g.Iff(p.Officer != nil, func() g.Node { return s.nav(p) }),
			h.Main(h.ID("main"), g.Group(p.Body)),
			g.Iff(p.Officer != nil, func() g.Node { return footer() }),
		},
	})
}

func (s *Shell) header(p Page) g.Node {
	return h.Header(h.Class("top"),
		h.A(h.Class("brand"), h.Href("/"), g.Text(i18n.T("app.short_name"))),
		g.Iff(s.Station != nil && s.Station() != "", func() g.Node { return h.Span(h.Class("station"), g.Text(s.Station())) }),
		g.If(p.Field, g.El("output", h.ID("sync-status"), h.Class("sync-chip"), g.Attr("aria-live", "polite"))),
		g.Iff(p.Officer != nil, func() g.Node {
			return h.Div(h.Class("who"),
				h.Span(g.Text(officerLabel(p.Officer))),
				h.Form(h.Method("post"), h.Action("/logout"), h.Class("logout"), h.ID("logout-form"),
					h.Button(h.Type("submit"), h.Class("link"), g.Text(i18n.T("nav.logout"))),
				),
			)
		}),
	)
}

// footer offers "sign out on every device", for a phone that was lost.
func footer() g.Node {
	return h.Footer(h.Class("foot no-print"),
		h.Form(h.Method("post"), h.Action("/logout"), h.Class("logout"),
			h.Input(h.Type("hidden"), h.Name("everywhere"), h.Value("1")),
			h.Button(h.Type("submit"), h.Class("link"), g.Text(i18n.T("nav.logout_everywhere"))),
		),
	)
}

func officerLabel(o *station.Officer) string {
	return o.Name + " · " + i18n.T("label.badge_short") + o.Badge
}

// navItem is one destination of the navigation bar.
type navItem struct{ path, key string }

func (s *Shell) nav(p Page) g.Node {
	items := []navItem{{"/", "nav.today"}, {"/households", "nav.households"}, {"/watches", "nav.watches"}, {"/patrols", "nav.patrols"},
		{"/disputes", "nav.disputes"}, {"/visits/book", "nav.book"}}
	if p.Officer.IsChief() {
		items = []navItem{{"/coverage", "nav.coverage"}, {"/board", "nav.board"}, {"/households", "nav.households"}, {"/watches", "nav.watches"},
			{"/patrols", "nav.patrols"}, {"/disputes", "nav.disputes"}, {"/visits/book", "nav.book"}, {"/officers", "nav.officers"}, {"/settings", "nav.settings"}}
	}
	return h.Nav(h.Class("tabs"), g.Attr("aria-label", i18n.T("nav.label")),
		g.Map(items, func(it navItem) g.Node {
			return h.A(h.Href(it.path), g.If(it.path == p.Nav, g.Attr("aria-current", "page")), g.Text(i18n.T(it.key)))
		}),
	)
}

// Render writes n as an HTML answer with status.
func Render(ctx echo.Context, status int, n g.Node) error {
	var buf bytes.Buffer
	if err := n.Render(&buf); err != nil {
		return err
	}
	return ctx.HTMLBlob(status, buf.Bytes())
}

// RenderOK writes n as a 200 HTML answer.
func RenderOK(ctx echo.Context, n g.Node) error { return Render(ctx, http.StatusOK, n) }
