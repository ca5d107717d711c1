package pwa

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/station"
)

// ErrorJSON is the body of every JSON error answer.
type ErrorJSON struct {
	Error struct {
		Code    string                        `json:"code"`
		Message string                        `json:"message"`
		Fields  map[string]station.FieldError `json:"fields,omitempty"`
	} `json:"error"`
}

// WantsJSON reports whether the client expects JSON rather than a page.
func WantsJSON(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/sync/") || r.URL.Path == "/ws" {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// AsError turns any error into a *station.Error: ours as they are, Echo's
// HTTP errors by status, anything else as internal.
func AsError(err error) *station.Error {
	var se *station.Error
	if errors.As(err, &se) {
		return se
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return &station.Error{Code: station.ENotFound, Message: i18n.T("error.not_found")}
		case http.StatusUnauthorized:
			return &station.Error{Code: station.EUnauthorized, Message: i18n.T("error.unauthorized")}
		case http.StatusForbidden:
			return &station.Error{Code: station.EForbidden, Message: i18n.T("error.forbidden")}
		case http.StatusRequestEntityTooLarge:
			return &station.Error{Code: station.ETooLarge, Message: i18n.T("error.too_large")}
		case http.StatusTooManyRequests:
			return &station.Error{Code: station.ETooMany, Message: i18n.T("error.too_many")}
		case http.StatusBadRequest:
			return &station.Error{Code: station.EInvalid, Message: i18n.T("error.bad_request"), Err: err}
		}
	}
	return station.Internal(err, "request")
}

// ErrorHandler is Echo's error handler: the one place an error becomes an
// answer. Internal errors are logged with their cause; people see only the
// catalogue's message.
func ErrorHandler(layout Layout, log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		e := AsError(err)
		if c.Response().Committed {
			// The answer had begun (a download cut short): the client sees
			// a broken file, and the log says why. A client that went away
			// is no fault of ours.
			level := slog.LevelError
			if gone(e.Err) || c.Request().Context().Err() != nil {
				level = slog.LevelWarn
			}
			log.Log(c.Request().Context(), level, "answer cut short", "method", c.Request().Method, "path", c.Request().URL.Path, "code", e.Code, "err", causeOf(e))
			return
		}
		status := station.HTTPStatus(e.Code)
		if e.Code == station.EInternal || station.DiskFull(e.Err) {
			log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", e.Err)
		}
		if WantsJSON(c.Request()) {
			var body ErrorJSON
			body.Error.Code, body.Error.Message, body.Error.Fields = e.Code, e.Message, e.Fields
			_ = c.JSON(status, body)
			return
		}
		if e.Code == station.EUnauthorized && c.Request().Method == http.MethodGet {
			_ = c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(SafeNext(c.Request().URL.RequestURI())))
			return
		}
		_ = Render(c, status, ErrorPage(layout, station.OfficerFrom(c.Request().Context()), e))
	}
}

// ErrorPage is a whole page explaining e.
func ErrorPage(layout Layout, o *station.Officer, e *station.Error) g.Node {
	return layout(Page{
		Title:   i18n.T("error.title." + e.Code),
		Officer: o,
		Body: []g.Node{h.Section(h.Class("card error-page"),
			h.H1(g.Text(i18n.T("error.title."+e.Code))),
			h.P(g.Text(e.Message)),
			h.P(h.A(h.Href("/"), g.Text(i18n.T("error.home")))),
		)},
	})
}

// SafeNext returns p if it is a local path, "/" otherwise: a sign-in link
// must never send an officer to another site.
func SafeNext(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return "/"
	}
	// Browsers drop tabs and newlines from a URL, so "/\t/evil.example"
	// would become "//evil.example": no control characters at all.
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	return p
}

// OfflinePage is shown for an office page while the device is offline.
func OfflinePage(layout Layout) g.Node {
	return layout(Page{
		Title: i18n.T("offline.title"),
		Body: []g.Node{h.Section(h.Class("card error-page"),
			h.H1(g.Text(i18n.T("offline.title"))),
			h.P(g.Text(i18n.T("offline.lead"))),
			h.P(h.A(h.Href("/"), g.Text(i18n.T("offline.field")))),
		)},
	})
}

// causeOf is the cause to log: the wrapped error, else the message.
func causeOf(e *station.Error) any {
	if e.Err != nil {
		return e.Err
	}
	return e.Message
}

// gone reports whether err says the client hung up.
func gone(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}
