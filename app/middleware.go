package app

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/patrols"
	"zoufang/replica"
	"zoufang/station"
)

// securityHeaders sets the content security policy and friends. The one
// inline script allowed is the import map, by its hash.
func securityHeaders(importMapHash string) echo.MiddlewareFunc {
	csp := strings.Join([]string{
		"default-src 'self'",
		"script-src 'self' " + importMapHash,
		"style-src 'self'",
		"img-src 'self' data:",
		"connect-src 'self'",
		"manifest-src 'self'",
		"worker-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", csp)
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
			if c.Scheme() == "https" {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return next(c)
		}
	}
}

// sameOrigin refuses state-changing requests that a browser says came from
// another site (Sec-Fetch-Site), or whose Origin is not this host. Requests
// without either header come from non-browser clients, which carry no
// victim's cookies.
func sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if !SameOriginRequest(r) {
			return station.Errorf(station.EForbidden, "%s", i18n.T("error.cross_site"))
		}
		return next(c)
	}
}

// SameOriginRequest reports whether r came from this site's own pages.
func SameOriginRequest(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	return true
}

// noteAddress records, hashed, the address an officer's session came from
// (once per officer, address and day), for the coverage review's flag on
// confirmations made from the officer's own address.
func (s *Server) noteAddress(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if o := station.OfficerFrom(ctx); o != nil && !o.IsChief() {
			if err := s.Addresses.Seen(ctx, o.ID, station.ClientIP(ctx), s.Settings(), time.Now()); err != nil {
				s.Log.Error("note officer address", "officer", o.ID, "err", err)
			}
		}
		return next(c)
	}
}

// Request body limits: a form or JSON call is small; a push and a
// registry import are the two large bodies (DESIGN §6, operations.md).
const defaultBodyLimit = 1 << 20

// bodyLimits are the routes allowed more than defaultBodyLimit.
var bodyLimits = map[string]int64{
	"/sync/push":         replica.MaxPushBytes + 1, // one byte over, so the push says itself that it is too large
	"/households/import": households.MaxImportBytes + 1<<20,
	"/patrols/map/plan":  patrols.PlanMaxBytes + 1<<20, // the page itself says the image is too large
}

// bodyLimit refuses a body over its route's limit before reading a byte
// of it when the request declares its length, and stops reading one that
// does not (or lies) at the limit.
func bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		limit, ok := bodyLimits[r.URL.Path]
		if !ok {
			limit = defaultBodyLimit
		}
		if r.ContentLength > limit {
			return station.Errorf(station.ETooLarge, "%s", i18n.T("error.body_too_large", max(limit>>20, 1)))
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		}
		return next(c)
	}
}

// largeAnswer is the size from which releaseAfterLarge gives memory back.
const largeAnswer = 8 << 20

// releaseAfterLarge hands back to the system, once a large answer is sent,
// the memory that making it took: Go returns freed memory only down to
// the heap's next goal, so a city's server stayed at its peak for the rest
// of the day after one month's book. An answer of at least min bytes (a
// city's workbook; a district's are a tenth of it) starts release, one at
// a time, after the answer, so nobody waits for it.
func releaseAfterLarge(min int64, release func()) echo.MiddlewareFunc {
	var running atomic.Bool
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if c.Response().Size >= min && running.CompareAndSwap(false, true) {
				go func() {
					defer running.Store(false)
					release()
				}()
			}
			return err
		}
	}
}
