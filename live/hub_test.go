package live

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"zoufang/station"
)

// testHub is a hub behind a tiny Echo that signs every request in as the
// officer named by the query (?officer=ID&role=R&community=C), the way the
// app's session middleware does.
type testHub struct {
	hub          *Hub
	srv          *httptest.Server
	targetsCalls atomic.Int64
	boardCalls   atomic.Int64
	handlersDone atomic.Int64 // /ws handlers that have returned
}

func newTestHub(t *testing.T) *testHub {
	t.Helper()
	th := &testHub{}
	th.hub = NewHub(Sources{
		Targets: func(officerID string) (any, error) {
			n := th.targetsCalls.Add(1)
			return map[string]any{"type": "targets", "officer": officerID, "n": n}, nil
		},
		Board: func(p map[string]Presence) (any, error) {
			th.boardCalls.Add(1)
			return map[string]any{"type": "board", "presence": p}, nil
		},
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if !c.Response().Committed {
			_ = c.NoContent(station.HTTPStatus(station.ErrorCode(err)))
		}
	}
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			q := c.Request().URL.Query()
			if id := q.Get("officer"); id != "" {
				o := &station.Officer{ID: id, Role: q.Get("role"), Communities: q["community"], Session: q.Get("session")}
				r := c.Request()
				c.SetRequest(r.WithContext(station.WithOfficer(r.Context(), o)))
			}
			return next(c)
		}
	})
	e.GET("/ws", func(c echo.Context) error {
		err := th.hub.Handle(c)
		th.handlersDone.Add(1)
		return err
	})
	th.srv = httptest.NewServer(e)
	t.Cleanup(func() {
		th.hub.Close()
		th.srv.Close()
	})
	return th
}

// received is one message a test client read, when it arrived.
type received struct {
	Type string
	Raw  []byte
	At   time.Time
}

// testConn is a websocket client whose reader goroutine forwards every
// message to Msgs and closes Closed when the connection ends.
type testConn struct {
	*websocket.Conn
	Msgs   chan received
	Closed chan struct{}
}

func (th *testHub) dial(t *testing.T, officer, role string, communities ...string) *testConn {
	t.Helper()
	return th.dialQuery(t, url.Values{"officer": {officer}, "role": {role}, "community": communities})
}

// dialQuery connects as the officer q describes (officer, role, community,
// session).
func (th *testHub) dialQuery(t *testing.T, q url.Values) *testConn {
	t.Helper()
	officer := q.Get("officer")
	u := "ws" + strings.TrimPrefix(th.srv.URL, "http") + "/ws?" + q.Encode()
	conn, res, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {th.srv.URL}})
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial as %s: %v (status %d)", officer, err, status)
	}
	tc := &testConn{Conn: conn, Msgs: make(chan received, 1024), Closed: make(chan struct{})}
	go func() {
		defer close(tc.Closed)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var m struct {
				Type string `json:"type"`
			}
			_ = json.Unmarshal(data, &m)
			select {
			case tc.Msgs <- received{Type: m.Type, Raw: data, At: time.Now()}:
			default: // a test that stopped listening
			}
		}
	}()
	t.Cleanup(func() { _ = conn.Close() })
	return tc
}

// next waits up to d for the next message of type typ, skipping others.
func (tc *testConn) next(t *testing.T, typ string, d time.Duration) received {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m := <-tc.Msgs:
			if m.Type == typ {
				return m
			}
		case <-tc.Closed:
			t.Fatalf("connection closed while waiting for %q", typ)
		case <-deadline:
			t.Fatalf("no %q message within %v", typ, d)
		}
	}
}

// collect gathers every message that arrives within d.
func (tc *testConn) collect(d time.Duration) []received {
	var out []received
	deadline := time.After(d)
	for {
		select {
		case m := <-tc.Msgs:
			out = append(out, m)
		case <-deadline:
			return out
		}
	}
}

func (tc *testConn) waitClosed(t *testing.T, d time.Duration, what string) {
	t.Helper()
	select {
	case <-tc.Closed:
	case <-time.After(d):
		t.Fatalf("%s: still open after %v", what, d)
	}
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func countOfType(ms []received, typ string) int {
	n := 0
	for _, m := range ms {
		if m.Type == typ {
			n++
		}
	}
	return n
}

func TestHubClose(t *testing.T) {
	before := runtime.NumGoroutine()
	th := newTestHub(t)
	conns := []*testConn{
		th.dial(t, "o1", station.RoleOfficer, "c1"),
		th.dial(t, "o1", station.RoleOfficer, "c1"),
		th.dial(t, "o2", station.RoleOfficer, "c2"),
		th.dial(t, "chief", station.RoleDeputyChief),
	}
	waitFor(t, 2*time.Second, "four connections", func() bool { return th.hub.Count() == 4 })
	during := runtime.NumGoroutine()

	t.Run("Close returns promptly and closes every connection", func(t *testing.T) {
		done := make(chan struct{})
		go func() {
			th.hub.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not return within 5 s")
		}
		for i, c := range conns {
			c.waitClosed(t, 2*time.Second, "connection "+string(rune('0'+i)))
		}
		if got := th.hub.Count(); got != 0 {
			t.Fatalf("Count() = %d after Close, want 0", got)
		}
	})

	t.Run("a connection after Close is refused with 503", func(t *testing.T) {
		u := "ws" + strings.TrimPrefix(th.srv.URL, "http") + "/ws?officer=o1&role=officer"
		_, res, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {th.srv.URL}})
		if err == nil {
			t.Fatal("dial succeeded after Close")
		}
		if res == nil || res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("got %v, want status 503", res)
		}
	})

	t.Run("Close leaves no goroutine behind", func(t *testing.T) {
		th.srv.Close()
		const tolerance = 2
		deadline := time.Now().Add(3 * time.Second)
		got := runtime.NumGoroutine()
		for got > before+tolerance && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			got = runtime.NumGoroutine()
		}
		if got > before+tolerance {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: got %d, want <= %d (before the hub %d, with 4 connections %d)\n%s",
				got, before+tolerance, before, during, buf[:runtime.Stack(buf, true)])
		}
		t.Logf("goroutines: before the hub %d, with 4 connections %d, after Close %d", before, during, got)
	})

	t.Run("Close twice is harmless", func(t *testing.T) {
		th.hub.Close()
	})
}

// TestHubCloseWhileConnecting races Close against connections being opened:
// whatever wins, Close returns and no connection outlives the hub.
func TestHubCloseWhileConnecting(t *testing.T) {
	for round := 0; round < 40; round++ {
		th := newTestHub(t)
		u := "ws" + strings.TrimPrefix(th.srv.URL, "http") + "/ws?officer=o1&role=officer"
		var (
			mu    sync.Mutex
			conns []*websocket.Conn
			wg    sync.WaitGroup
		)
		start := make(chan struct{})
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, _, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {th.srv.URL}})
				if err == nil {
					mu.Lock()
					conns = append(conns, c)
					mu.Unlock()
				}
			}()
		}
		close(start)
		time.Sleep(time.Duration(round%8) * 250 * time.Microsecond)
		done := make(chan struct{})
		go func() {
			th.hub.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: Close did not return within 5 s", round)
		}
		wg.Wait()
		for _, c := range conns {
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
						t.Fatalf("round %d: a connection opened while the hub closed is still open (hub counts %d)", round, th.hub.Count())
					}
					break
				}
			}
			_ = c.Close()
		}
		if n := th.hub.Count(); n != 0 {
			t.Fatalf("round %d: Count() = %d after Close", round, n)
		}
		th.srv.Close()
	}
}

func TestHubDropOfficer(t *testing.T) {
	th := newTestHub(t)
	chief := th.dial(t, "chief", station.RoleDeputyChief)
	a1 := th.dial(t, "o1", station.RoleOfficer, "c1")
	a2 := th.dial(t, "o1", station.RoleOfficer, "c1")
	b := th.dial(t, "o2", station.RoleOfficer, "c2")
	waitFor(t, 2*time.Second, "four connections", func() bool { return th.hub.Count() == 4 })
	b.next(t, "targets", time.Second) // the greeting

	th.hub.DropOfficer("o1")

	t.Run("both of the officer's connections are closed", func(t *testing.T) {
		a1.waitClosed(t, 2*time.Second, "o1's first device")
		a2.waitClosed(t, 2*time.Second, "o1's second device")
		waitFor(t, 2*time.Second, "the hub to count two connections", func() bool { return th.hub.Count() == 2 })
	})
	t.Run("the others stay connected and keep receiving", func(t *testing.T) {
		th.hub.VisitsChanged("o2")
		var got struct {
			Officer string `json:"officer"`
		}
		if err := json.Unmarshal(b.next(t, "targets", time.Second).Raw, &got); err != nil || got.Officer != "o2" {
			t.Fatalf("o2 got targets for %q (%v), want o2", got.Officer, err)
		}
	})
	t.Run("the chief's board no longer shows the officer online", func(t *testing.T) {
		deadline := time.Now().Add(2 * time.Second)
		for {
			var bd struct {
				Presence map[string]Presence `json:"presence"`
			}
			m := chief.next(t, "board", time.Until(deadline))
			if err := json.Unmarshal(m.Raw, &bd); err != nil {
				t.Fatal(err)
			}
			if bd.Presence["o1"].Devices == 0 && bd.Presence["o2"].Devices == 1 {
				return
			}
		}
	})
}

func TestHubCoalescesBursts(t *testing.T) {
	th := newTestHub(t)
	c := th.dial(t, "o1", station.RoleOfficer, "c1")
	c.next(t, "targets", time.Second) // the greeting
	_ = c.collect(300 * time.Millisecond)
	callsBefore := th.targetsCalls.Load()

	start := time.Now()
	for i := 0; i < 100; i++ {
		th.hub.VisitsChanged("o1")
		th.hub.CollectionChanged("c1", "households")
	}
	burst := time.Since(start)
	got := c.collect(700 * time.Millisecond)

	t.Run("100 changes in a burst make at most a few targets messages", func(t *testing.T) {
		n := countOfType(got, "targets")
		if n < 1 || n > 3 {
			t.Fatalf("got %d targets messages for a %v burst of 100 changes, want 1 to 3", n, burst)
		}
		if calls := th.targetsCalls.Load() - callsBefore; calls > 3 {
			t.Fatalf("Targets computed %d times for the burst, want at most 3", calls)
		}
	})
	t.Run("and at most a few changed messages", func(t *testing.T) {
		n := countOfType(got, "changed")
		if n < 1 || n > 3 {
			t.Fatalf("got %d changed messages, want 1 to 3", n)
		}
		var ch struct {
			Collections []string `json:"collections"`
		}
		for _, m := range got {
			if m.Type == "changed" {
				_ = json.Unmarshal(m.Raw, &ch)
				break
			}
		}
		if strings.Join(ch.Collections, ",") != "households,visits" {
			t.Fatalf("changed collections %v, want [households visits]", ch.Collections)
		}
	})
	t.Run("the message arrives within a flush interval or two", func(t *testing.T) {
		for _, m := range got {
			if m.Type == "targets" {
				if d := m.At.Sub(start); d > 500*time.Millisecond {
					t.Fatalf("first targets %v after the burst began, want < 500ms", d)
				}
				return
			}
		}
	})
}

// TestHubDropsSlowClient: a chief that stops reading while big boards keep
// coming is dropped, and a reading chief keeps getting every board.
func TestHubDropsSlowClient(t *testing.T) {
	th := newTestHub(t)
	big := strings.Repeat("x", 1<<20)
	th.hub.src.Board = func(p map[string]Presence) (any, error) {
		return map[string]any{"type": "board", "pad": big}, nil
	}
	u := "ws" + strings.TrimPrefix(th.srv.URL, "http") + "/ws?officer=slow&role=" + station.RoleDeputyChief
	slow, _, err := (&websocket.Dialer{ReadBufferSize: 256}).Dial(u, http.Header{"Origin": {th.srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fast := th.dial(t, "fast", station.RoleDeputyChief)
	fast.next(t, "board", 2*time.Second)
	waitFor(t, time.Second, "two connections", func() bool { return th.hub.Count() == 2 })

	var worst time.Duration
	for i := 0; i < 200 && th.hub.Count() == 2; i++ {
		sent := time.Now()
		th.hub.BoardChanged()
		m := fast.next(t, "board", 2*time.Second)
		worst = max(worst, m.At.Sub(sent))
	}
	if th.hub.Count() != 1 {
		t.Fatalf("the slow chief was not dropped after 200 boards of 1 MiB (Count %d)", th.hub.Count())
	}
	if worst > time.Second { // a writer blocked on the slow chief would hold it 10 s
		t.Fatalf("the reading chief waited up to %v for a board, want < 1s", worst)
	}
	t.Logf("slow chief dropped; the reading chief's worst board delay was %v", worst)
}

func TestHubBelievesNoClient(t *testing.T) {
	th := newTestHub(t)
	session := url.Values{"officer": {"o1"}, "role": {station.RoleOfficer}, "community": {"c1"}, "session": {"s1"}}
	var conns []*testConn
	for i := range MaxPerSession + 2 {
		conns = append(conns, th.dialQuery(t, session))
		// Each one registered before the next is opened, so "oldest" is
		// well defined: up to the cap the count grows, past it the oldest
		// socket closes as the new one registers.
		if i < MaxPerSession {
			waitFor(t, 2*time.Second, "the connection to register", func() bool { return th.hub.Count() == i+1 })
		} else {
			conns[i-MaxPerSession].waitClosed(t, 2*time.Second, "the oldest socket of the session")
		}
	}

	t.Run("one session holds at most MaxPerSession sockets; the oldest go", func(t *testing.T) {
		waitFor(t, 2*time.Second, "the hub to keep the newest three", func() bool { return th.hub.Count() == MaxPerSession })
		select {
		case <-conns[len(conns)-1].Closed:
			t.Fatal("the newest socket was closed")
		default:
		}
	})
	t.Run("an officer's sessions together hold at most MaxPerOfficer sockets", func(t *testing.T) {
		for i := range MaxPerOfficer + 1 {
			q := url.Values{"officer": {"o2"}, "role": {station.RoleOfficer}, "community": {"c1"}, "session": {fmt.Sprint("s", i)}}
			th.dialQuery(t, q)
		}
		waitFor(t, 2*time.Second, "o2's sockets to be capped", func() bool { return th.hub.Presence()["o2"].Devices == MaxPerOfficer })
	})
	t.Run("a device's reported outbox is clamped, never taken as it comes", func(t *testing.T) {
		c := conns[len(conns)-1]
		if err := c.WriteJSON(map[string]any{"type": "status", "device": strings.Repeat("x", 500), "pending": 999999999}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 2*time.Second, "the report to arrive", func() bool { return th.hub.Presence()["o1"].Pending > 0 })
		if got := th.hub.Presence()["o1"].Pending; got != MaxPending {
			t.Fatalf("pending %d, want it clamped to %d", got, MaxPending)
		}
		if err := c.WriteJSON(map[string]any{"type": "status", "pending": -5}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 2*time.Second, "a negative report to read as none", func() bool { return th.hub.Presence()["o1"].Pending == 0 })
	})
}

// TestHubNeverWaitsForTheBoard: a board that takes long (a big station, a
// busy database) holds up only the next board: officers' targets and
// "changed" messages keep flowing meanwhile, and the changes that arrive
// while a board is computed make one more board, not one each.
func TestHubNeverWaitsForTheBoard(t *testing.T) {
	t.Parallel()
	th := newTestHub(t)
	release := make(chan struct{})
	var calls atomic.Int64
	th.hub.src.Board = func(p map[string]Presence) (any, error) {
		if calls.Add(1) > 1 { // the chief's greeting is quick; the rest wait
			<-release
		}
		return map[string]any{"type": "board"}, nil
	}
	chief := th.dial(t, "chief", station.RoleDeputyChief)
	chief.next(t, "board", 2*time.Second)
	o := th.dial(t, "o1", station.RoleOfficer, "c1")
	o.next(t, "targets", 2*time.Second)
	waitFor(t, 2*time.Second, "a board being computed", func() bool { return calls.Load() == 2 })

	t.Run("targets and changes arrive while a board is being computed", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			sent := time.Now()
			th.hub.VisitsChanged("o1")
			th.hub.CollectionChanged("c1", "households")
			o.next(t, "targets", time.Second)
			if d := time.Since(sent); d > 500*time.Millisecond {
				t.Fatalf("targets took %v behind a slow board", d)
			}
		}
	})
	t.Run("the changes meanwhile make one more board", func(t *testing.T) {
		close(release)
		chief.next(t, "board", 2*time.Second)
		chief.next(t, "board", 2*time.Second)
		_ = chief.collect(400 * time.Millisecond)
		if n := calls.Load(); n != 3 {
			t.Fatalf("%d boards computed for a greeting, one slow board and the changes meanwhile, want 3", n)
		}
	})
}

// TestHubFlushesPromptly: a lone change goes out once changes pause, not a
// whole flush interval later, and a client hears its messages in order.
func TestHubFlushesPromptly(t *testing.T) {
	th := newTestHub(t)
	c := th.dial(t, "o1", station.RoleOfficer, "c1")
	c.next(t, "targets", time.Second) // the greeting

	t.Run("a lone change arrives sooner than flushEvery", func(t *testing.T) {
		best := time.Hour
		for i := 0; i < 5; i++ {
			_ = c.collect(50 * time.Millisecond)
			sent := time.Now()
			th.hub.CollectionChanged("c1", "households")
			best = min(best, c.next(t, "changed", time.Second).At.Sub(sent))
		}
		if best >= flushEvery {
			t.Fatalf("the fastest of 5 lone changes took %v, want < %v (quietFor is %v)", best, flushEvery, quietFor)
		}
	})
	t.Run("changes that keep coming still go out every flushEvery", func(t *testing.T) {
		_ = c.collect(50 * time.Millisecond)
		stop := time.Now().Add(350 * time.Millisecond)
		go func() {
			for time.Now().Before(stop) {
				th.hub.CollectionChanged("c1", "households")
				time.Sleep(quietFor / 4)
			}
		}()
		got := countOfType(c.collect(500*time.Millisecond), "changed")
		if most := int(350*time.Millisecond/flushEvery) + 2; got < 2 || got > most {
			t.Fatalf("%d changed messages while changes kept coming for 350ms, want 2 to %d (flushes are %v apart)", got, most, flushEvery)
		}
	})
	t.Run("targets arrive in the order they were computed", func(t *testing.T) {
		_ = c.collect(50 * time.Millisecond)
		last := int64(0)
		for i := 0; i < 20; i++ {
			th.hub.VisitsChanged("o1")
			time.Sleep(quietFor + 5*time.Millisecond)
		}
		for _, m := range c.collect(500 * time.Millisecond) {
			if m.Type != "targets" {
				continue
			}
			var tg struct{ N int64 }
			if err := json.Unmarshal(m.Raw, &tg); err != nil {
				t.Fatal(err)
			}
			if tg.N <= last {
				t.Fatalf("targets %d arrived after %d", tg.N, last)
			}
			last = tg.N
		}
		if last == 0 {
			t.Fatal("no targets arrived")
		}
	})
}

// TestHubReadsOffTheRequest: the handler returns once the socket is
// open (net/http frees the request's buffers and goroutine), and the
// connection lives on.
func TestHubReadsOffTheRequest(t *testing.T) {
	th := newTestHub(t)
	c := th.dial(t, "o1", station.RoleOfficer, "c1")
	c.next(t, "targets", time.Second)
	waitFor(t, 2*time.Second, "the /ws handler to return", func() bool { return th.handlersDone.Load() == 1 })
	if err := c.WriteJSON(map[string]any{"type": "status", "device": "d1", "pending": 7}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the device's status to be read", func() bool { return th.hub.Presence()["o1"].Pending == 7 })
	th.hub.VisitsChanged("o1")
	c.next(t, "targets", time.Second)
	if n := th.hub.Count(); n != 1 {
		t.Fatalf("Count %d after the handler returned, want 1", n)
	}
}

// TestHubSpacesBoards: however often the board changes, the boarder rests
// boardRest times as long as a board took before the next, and the last
// change still makes a board.
func TestHubSpacesBoards(t *testing.T) {
	const took = 40 * time.Millisecond
	th := newTestHub(t)
	var calls atomic.Int64
	th.hub.src.Board = func(p map[string]Presence) (any, error) {
		calls.Add(1)
		time.Sleep(took)
		return map[string]any{"type": "board"}, nil
	}
	chief := th.dial(t, "chief", station.RoleDeputyChief)
	chief.next(t, "board", time.Second) // the greeting, not held back
	_ = chief.collect(took * (boardRest + 1))
	before := calls.Load()

	start := time.Now()
	var lastChange time.Time
	for time.Since(start) < time.Second {
		th.hub.BoardChanged()
		lastChange = time.Now()
		time.Sleep(5 * time.Millisecond)
	}
	got := chief.collect(took*(boardRest+1) + 300*time.Millisecond)
	// A board and its rest last took*(boardRest+1), 400ms: a few boards,
	// not one for each of the 200 changes (nor 25 back to back).
	if boards := calls.Load() - before; boards < 2 || boards > 6 {
		t.Fatalf("%d boards of %v each for a second of changes every 5ms, want 2 to 7 (one per %v)", boards, took, took*(boardRest+1))
	}
	if !slices.ContainsFunc(got, func(m received) bool { return m.Type == "board" && m.At.After(lastChange) }) {
		t.Fatal("no board after the last change")
	}
}

// TestAnIdleConnectionHoldsOnlyItsReader: between messages a connection
// has one goroutine, its reader; the writer lives only while there is
// something to write (2,000 parked writers were 2,000 stacks).
func TestAnIdleConnectionHoldsOnlyItsReader(t *testing.T) {
	th := newTestHub(t)
	const n = 10
	var cs []*testConn
	for i := range n {
		c := th.dial(t, fmt.Sprintf("o%d", i), station.RoleOfficer, "c1")
		c.next(t, "targets", time.Second)
		cs = append(cs, c)
	}
	// goroutines counts the goroutines with frame in their stack.
	goroutines := func(frame string) int {
		buf := make([]byte, 4<<20)
		k := 0
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if strings.Contains(g, frame) {
				k++
			}
		}
		return k
	}
	settled := func() bool { return goroutines("live.(*client).") == n && goroutines("live.(*client).reader(") == n }
	waitFor(t, 2*time.Second, "every connection to hold just its reader", settled)
	th.hub.CollectionChanged("c1", "visits")
	for _, c := range cs {
		c.next(t, "changed", time.Second)
	}
	waitFor(t, 2*time.Second, "the writers to end once the message is out", settled)
}
