package apptest

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync"
)

// Faults cuts the network at the server for browser tests, wrapping the
// handler the test server serves (nothing of it is in the binary): it
// refuses the app's requests and closes its websockets (a browser's
// network emulation does not touch an open websocket), or it lets the next
// answers to a path be computed and then lost, as when a phone leaves
// coverage mid-request.
type Faults struct {
	mu       sync.Mutex
	offline  bool
	dropNext map[string]int // path → answers still to lose
	dropped  int
	sockets  map[net.Conn]bool // hijacked connections (websockets)
	spared   map[string]bool   // session cookies the cut leaves alone
}

// Spare leaves the requests carrying session out of the cut: another
// device (the deputy chief's desk) does not lose its network when an
// officer's phone does.
func (f *Faults) Spare(session string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.spared == nil {
		f.spared = map[string]bool{}
	}
	f.spared[session] = true
}

func (f *Faults) sparedLocked(r *http.Request) bool {
	ck, err := r.Cookie(sessionCookie)
	return err == nil && f.spared[ck.Value]
}

// SetOffline switches the server-side cut on or off. Switching it on also
// closes every open websocket.
func (f *Faults) SetOffline(off bool) {
	f.mu.Lock()
	f.offline = off
	var open []net.Conn
	if off {
		for c, spared := range f.sockets {
			if !spared {
				open = append(open, c)
				delete(f.sockets, c)
			}
		}
	}
	f.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
}

// DropResponses makes the next n requests to path run to completion on the
// server and then lose their answer.
func (f *Faults) DropResponses(path string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dropNext == nil {
		f.dropNext = map[string]int{}
	}
	f.dropNext[path] = n
}

// Dropped is how many answers DropResponses has swallowed so far.
func (f *Faults) Dropped() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped
}

// appTraffic: what the server-side cut refuses (everything the field app
// fetches at run time; the sign-in page stays up so tests can proceed).
func appTraffic(path string) bool {
	return strings.HasPrefix(path, "/sync/") || path == "/ws" || path == "/" || strings.HasPrefix(path, "/households") ||
		strings.HasPrefix(path, "/visits") || strings.HasPrefix(path, "/assets/") || path == "/sw.js" || path == "/shell"
}

// Wrap puts the faults in front of next.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		off := f.offline && !f.sparedLocked(r)
		drop := f.dropNext[r.URL.Path] > 0
		if drop {
			f.dropNext[r.URL.Path]--
			f.dropped++
		}
		f.mu.Unlock()
		switch {
		case off && appTraffic(r.URL.Path):
			hangUp(w)
		case drop:
			next.ServeHTTP(&discard{header: http.Header{}}, r)
			hangUp(w)
		default:
			f.mu.Lock()
			spared := f.sparedLocked(r)
			f.mu.Unlock()
			next.ServeHTTP(&tracked{ResponseWriter: w, f: f, spared: spared}, r)
		}
	})
}

// hangUp closes the client's connection without an answer, with a reset,
// as a lost connection looks to the phone.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "offline", http.StatusServiceUnavailable)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// tracked remembers the connections handlers hijack (the websockets), so
// that going offline can close them.
type tracked struct {
	http.ResponseWriter
	f      *Faults
	spared bool
}

func (t *tracked) Unwrap() http.ResponseWriter { return t.ResponseWriter }

func (t *tracked) Flush() { _ = http.NewResponseController(t.ResponseWriter).Flush() }

func (t *tracked) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(t.ResponseWriter).Hijack()
	if err == nil {
		t.f.mu.Lock()
		if t.f.sockets == nil {
			t.f.sockets = map[net.Conn]bool{}
		}
		t.f.sockets[conn] = t.spared
		t.f.mu.Unlock()
	}
	return conn, rw, err
}

// discard is a writer whose answer goes nowhere.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// sessionCookie is the app's session cookie (auth.CookieName).
const sessionCookie = "zf_session"
