package app

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"zoufang/i18n"
	"zoufang/pwa"
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

// faults lets browser tests cut the network at the server: refuse the app's
// requests and close its websockets, or commit a push and then drop the
// connection before the answer leaves. Off unless a test switches it on.
type faults struct {
	mu        sync.Mutex
	offline   bool
	dropNext  map[string]int // path → responses still to drop
	dropped   int            // responses dropped so far
	onOffline []func()
}

// SetOffline switches the server-side network cut on or off.
func (s *Server) SetOffline(off bool) {
	s.faults.mu.Lock()
	s.faults.offline = off
	hooks := s.faults.onOffline
	s.faults.mu.Unlock()
	if off {
		for _, f := range hooks {
			f()
		}
	}
}

// DropResponses makes the next n requests to path run to completion on the
// server and then lose their answer, as when a phone leaves coverage
// mid-request.
func (s *Server) DropResponses(path string, n int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.dropNext == nil {
		s.faults.dropNext = map[string]int{}
	}
	s.faults.dropNext[path] = n
}

// Dropped is how many answers DropResponses has swallowed so far.
func (s *Server) Dropped() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.dropped
}

func (s *Server) onOffline(f func()) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.onOffline = append(s.faults.onOffline, f)
}

func (s *Server) faultMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		path := c.Request().URL.Path
		s.faults.mu.Lock()
		off := s.faults.offline
		drop := s.faults.dropNext[path] > 0
		if drop {
			s.faults.dropNext[path]--
			s.faults.dropped++
		}
		s.faults.mu.Unlock()
		if off && isAppTraffic(path) {
			return hangUp(c)
		}
		if !drop {
			return next(c)
		}
		// Run the handler against a throwaway writer, then hang up.
		rec := &discardWriter{header: http.Header{}}
		orig := c.Response().Writer
		c.Response().Writer = rec
		err := next(c)
		c.Response().Writer = orig
		_ = err
		return hangUp(c)
	}
}

// isAppTraffic: the paths the server-side cut refuses (everything the field
// app fetches at run time; the sign-in page stays up so tests can proceed).
func isAppTraffic(path string) bool {
	return strings.HasPrefix(path, "/sync/") || path == "/ws" || path == "/" || strings.HasPrefix(path, "/households") ||
		strings.HasPrefix(path, "/visits") || strings.HasPrefix(path, "/assets/") || path == "/sw.js" || path == pwa.ShellPath
}

// hangUp closes the client's connection without an answer.
func hangUp(c echo.Context) error {
	rc := http.NewResponseController(c.Response().Writer)
	conn, _, err := rc.Hijack()
	if err != nil {
		return station.Errorf(station.EUnavailable, "offline")
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // reset, as a lost connection looks to the phone
	}
	return conn.Close()
}

type discardWriter struct {
	header http.Header
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, http.ErrNotSupported
}
