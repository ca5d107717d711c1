package app_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"zoufang/app/apptest"
	"zoufang/auth"
	"zoufang/households"
	"zoufang/station"
)

// liveMsg is one message a test websocket read, stamped when it arrived.
type liveMsg struct {
	Type string
	Raw  []byte
	At   time.Time
}

// liveTargets is the part of a "targets" message the tests look at.
type liveTargets struct {
	Homes       int `json:"homes"`
	HomesTarget int `json:"homes_target"`
}

// liveBoard is the part of a "board" message the tests look at.
type liveBoard struct {
	Officers []boardRow `json:"officers"`
}

type boardRow struct {
	ID      string `json:"id"`
	Homes   int    `json:"homes"`
	Online  bool   `json:"online"`
	Pending int    `json:"pending"`
}

func (b liveBoard) row(id string) (boardRow, bool) {
	for _, r := range b.Officers {
		if r.ID == id {
			return r, true
		}
	}
	return boardRow{}, false
}

// liveConn is a websocket to /ws whose reader goroutine stamps and forwards
// every message.
type liveConn struct {
	conn   *websocket.Conn
	msgs   chan liveMsg
	closed chan struct{}
}

func wsURL(env *apptest.Env) string { return "ws" + strings.TrimPrefix(env.URL, "http") + "/ws" }

// sessionOf is the session cookie a signed-in client holds.
func sessionOf(t *testing.T, env *apptest.Env, c *apptest.Client) string {
	t.Helper()
	u, _ := url.Parse(env.URL)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == auth.CookieName {
			return ck.Value
		}
	}
	t.Fatal("the client holds no session cookie")
	return ""
}

// wsHeader is what a browser on the site sends with the handshake.
func wsHeader(env *apptest.Env, session string) http.Header {
	h := http.Header{"Origin": {env.URL}}
	if session != "" {
		h.Set("Cookie", auth.CookieName+"="+session)
	}
	return h
}

// dialLive opens the live channel as the signed-in client c.
func dialLive(t *testing.T, env *apptest.Env, c *apptest.Client) *liveConn {
	t.Helper()
	conn, res, err := websocket.DefaultDialer.Dial(wsURL(env), wsHeader(env, sessionOf(t, env, c)))
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("open the live channel: %v (status %d)", err, status)
	}
	lc := &liveConn{conn: conn, msgs: make(chan liveMsg, 4096), closed: make(chan struct{})}
	go func() {
		defer close(lc.closed)
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
			case lc.msgs <- liveMsg{Type: m.Type, Raw: data, At: time.Now()}:
			default:
			}
		}
	}()
	t.Cleanup(func() { _ = conn.Close() })
	return lc
}

func (lc *liveConn) send(t *testing.T, v any) {
	t.Helper()
	if err := lc.conn.WriteJSON(v); err != nil {
		t.Fatalf("send %v: %v", v, err)
	}
}

// await reads until a message of type typ for which ok (given the decoded
// message in out) holds, and returns when it arrived.
func (lc *liveConn) await(t *testing.T, d time.Duration, typ, what string, out any, ok func() bool) time.Time {
	t.Helper()
	deadline := time.After(d)
	var last string
	for {
		select {
		case m := <-lc.msgs:
			if m.Type != typ {
				continue
			}
			last = string(m.Raw)
			if err := json.Unmarshal(m.Raw, out); err != nil {
				t.Fatalf("decode %s: %v", typ, err)
			}
			if ok() {
				return m.At
			}
		case <-lc.closed:
			t.Fatalf("the connection closed while waiting for %s", what)
		case <-deadline:
			t.Fatalf("waited %v for %s; last %s message: %.300s", d, what, typ, last)
		}
	}
}

// collect gathers every message that arrives within d.
func (lc *liveConn) collect(d time.Duration) []liveMsg {
	var out []liveMsg
	deadline := time.After(d)
	for {
		select {
		case m := <-lc.msgs:
			out = append(out, m)
		case <-deadline:
			return out
		}
	}
}

func newID() string {
	return security.RandomStringWithAlphabet(15, "abcdefghijklmnopqrstuvwxyz0123456789")
}

// pushVisit pushes one met visit of household as c, the way the field app's
// outbox does, and returns when the answer was received.
func pushVisit(t *testing.T, c *apptest.Client, household string) time.Time {
	t.Helper()
	var ans struct {
		Results []struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"results"`
	}
	body := map[string]any{"visits": []any{map[string]any{
		"id": newID(), "household": household, "visited_at": time.Now().UTC().Format(time.RFC3339Nano),
		"kind": "routine", "outcome": "met",
	}}}
	res := c.PostJSON("/sync/push", body, &ans)
	answered := time.Now()
	if res.StatusCode != http.StatusOK || len(ans.Results) != 1 || ans.Results[0].Status != "created" {
		t.Fatalf("push: status %d, results %+v", res.StatusCode, ans.Results)
	}
	return answered
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLive(t *testing.T) {
	env := apptest.New(t)
	hub := env.Server.Hub
	var hsA []string
	for i := 0; i < 3; i++ {
		hsA = append(hsA, env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: fmt.Sprintf("吴牙街%d号", i+1)}).ID)
	}
	phoneA, tabletA := env.SignIn(env.OfficerA), env.SignIn(env.OfficerA)
	chief := env.SignIn(env.Chief)
	a := apptest.Officer(env.OfficerA)

	t.Run("a pushed visit reaches the officer's other device and the chief's board within a second", func(t *testing.T) {
		phoneWS, tabletWS, chiefWS := dialLive(t, env, phoneA), dialLive(t, env, tabletA), dialLive(t, env, chief)
		var tg liveTargets
		var bd liveBoard
		// The first messages are the current state.
		tabletWS.await(t, 2*time.Second, "targets", "the tablet's first targets", &tg, func() bool { return true })
		phoneWS.await(t, 2*time.Second, "targets", "the phone's first targets", &tg, func() bool { return true })
		if tg.Homes != 0 {
			t.Fatalf("homes before any visit = %d, want 0", tg.Homes)
		}
		chiefWS.await(t, 2*time.Second, "board", "the chief's first board", &bd, func() bool { _, ok := bd.row(a.ID); return ok })

		answered := pushVisit(t, phoneA, hsA[0])

		at := tabletWS.await(t, 3*time.Second, "targets", "the tablet's targets with 1 home", &tg, func() bool { return tg.Homes == 1 })
		if d := at.Sub(answered); d >= time.Second {
			t.Errorf("the tablet's targets came %v after the push answer, want < 1s", d)
		} else {
			t.Logf("tablet targets: %v after the push answer", d)
		}
		at = phoneWS.await(t, 3*time.Second, "targets", "the phone's targets with 1 home", &tg, func() bool { return tg.Homes == 1 })
		if d := at.Sub(answered); d >= time.Second {
			t.Errorf("the pushing phone's targets came %v after the push answer, want < 1s", d)
		}
		at = chiefWS.await(t, 3*time.Second, "board", "the board with 1 home for officer A", &bd, func() bool {
			r, _ := bd.row(a.ID)
			return r.Homes == 1
		})
		if d := at.Sub(answered); d >= time.Second {
			t.Errorf("the chief's board came %v after the push answer, want < 1s", d)
		} else {
			t.Logf("chief's board: %v after the push answer", d)
		}
	})

	t.Run("an officer hears nothing of another officer's visits", func(t *testing.T) {
		phoneWS := dialLive(t, env, phoneA)
		bWS := dialLive(t, env, env.SignIn(env.OfficerB))
		var tg liveTargets
		phoneWS.await(t, 2*time.Second, "targets", "A's first targets", &tg, func() bool { return true })
		bWS.await(t, 2*time.Second, "targets", "B's first targets", &tg, func() bool { return true })
		_ = bWS.collect(300 * time.Millisecond) // anything B's own arrival set off

		pushVisit(t, phoneA, hsA[1])
		// A hears of it, so the silence on B's side means something.
		phoneWS.await(t, 2*time.Second, "targets", "A's targets with 2 homes", &tg, func() bool { return tg.Homes == 2 })
		got := bWS.collect(1500 * time.Millisecond)
		for _, m := range got {
			switch m.Type {
			case "targets":
				t.Errorf("officer B received targets after A's visit: %s", m.Raw)
			case "board":
				t.Errorf("officer B received a board: %.200s", m.Raw)
			case "changed":
				t.Errorf("officer B was told to pull after a visit outside B's area: %s", m.Raw)
			default:
				t.Errorf("officer B received %s", m.Raw)
			}
		}
	})

	t.Run("a handshake without a valid session is refused with 401 and no upgrade", func(t *testing.T) {
		for name, session := range map[string]string{"no cookie": "", "a forged cookie": "not-a-token"} {
			conn, res, err := websocket.DefaultDialer.Dial(wsURL(env), wsHeader(env, session))
			if err == nil {
				conn.Close()
				t.Fatalf("%s: upgraded", name)
			}
			if !errors.Is(err, websocket.ErrBadHandshake) || res == nil {
				t.Fatalf("%s: %v, want a refused handshake", name, err)
			}
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", name, res.StatusCode)
			}
		}
	})

	t.Run("a handshake from another site is refused with 403", func(t *testing.T) {
		h := wsHeader(env, sessionOf(t, env, phoneA))
		h.Set("Origin", "https://evil.example")
		conn, res, err := websocket.DefaultDialer.Dial(wsURL(env), h)
		if err == nil {
			conn.Close()
			t.Fatal("upgraded a cross-site handshake")
		}
		if res == nil || res.StatusCode != http.StatusForbidden {
			t.Fatalf("got %v (%v), want status 403", res, err)
		}
	})

	t.Run("a device's reported outbox shows on the board, and going offline shows too", func(t *testing.T) {
		// Earlier subtests' connections are closed by now.
		waitUntil(t, 2*time.Second, "the earlier connections to close", func() bool { return hub.Count() == 0 })
		chiefWS := dialLive(t, env, chief)
		var bd liveBoard
		chiefWS.await(t, 2*time.Second, "board", "the first board, A offline", &bd, func() bool {
			r, _ := bd.row(a.ID)
			return !r.Online
		})
		phoneWS := dialLive(t, env, phoneA)
		phoneWS.send(t, map[string]any{"type": "hello", "device": "phone-1", "app_version": "test", "pending": 3})
		chiefWS.await(t, 2*time.Second, "board", "A online with 3 pending", &bd, func() bool {
			r, _ := bd.row(a.ID)
			return r.Online && r.Pending == 3
		})
		phoneWS.send(t, map[string]any{"type": "status", "device": "phone-1", "pending": 1})
		chiefWS.await(t, 2*time.Second, "board", "A online with 1 pending", &bd, func() bool {
			r, _ := bd.row(a.ID)
			return r.Online && r.Pending == 1
		})
		_ = phoneWS.conn.Close()
		chiefWS.await(t, 2*time.Second, "board", "A offline after the phone disconnects", &bd, func() bool {
			r, _ := bd.row(a.ID)
			return !r.Online && r.Pending == 0
		})
	})
}

// manyOfficers adds n active community officers of community, with long
// names (so the board is big), without hashing n passwords.
func manyOfficers(t *testing.T, env *apptest.Env, n int, community string) {
	t.Helper()
	coll, err := env.App.FindCachedCollectionByNameOrId("officers")
	if err != nil {
		t.Fatal(err)
	}
	proto := core.NewRecord(coll)
	proto.SetPassword(apptest.Password)
	hash := proto.GetString("password:hash")
	err = env.App.RunInTransaction(func(tx core.App) error {
		for i := 0; i < n; i++ {
			r := core.NewRecord(coll)
			r.Set("badge", fmt.Sprintf("9%05d", i))
			r.Set("name", strings.Repeat("警", 45)+fmt.Sprintf("%05d", i))
			r.Set("role", station.RoleOfficer)
			r.Set("communities", []string{community})
			r.Set("active", true)
			r.SetRaw("password", &core.PasswordFieldValue{Hash: hash})
			r.RefreshTokenKey()
			if err := tx.Save(r); err != nil {
				return fmt.Errorf("officer %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLiveDropsSlowClient(t *testing.T) {
	env := apptest.New(t)
	hub := env.Server.Hub
	manyOfficers(t, env, 600, env.CommunityA) // a board of ~170 KiB

	chief := env.SignIn(env.Chief)
	// The slow chief never reads: the socket buffers fill (they do not grow
	// while nothing is read), then the hub's queue.
	dialer := websocket.Dialer{ReadBufferSize: 256}
	slow, _, err := dialer.Dial(wsURL(env), wsHeader(env, sessionOf(t, env, chief)))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fast := dialLive(t, env, chief)
	officer := dialLive(t, env, env.SignIn(env.OfficerA))
	var bd liveBoard
	var tg liveTargets
	fast.await(t, 3*time.Second, "board", "the reading chief's first board", &bd, func() bool { return true })
	officer.await(t, 2*time.Second, "targets", "the officer's first targets", &tg, func() bool { return true })
	t.Logf("board size: %d officers", len(bd.Officers))
	waitUntil(t, 2*time.Second, "three connections", func() bool { return hub.Count() == 3 })

	var worstBoard, worstTargets time.Duration
	rounds := 0
	for ; rounds < 150 && hub.Count() == 3; rounds++ {
		sent := time.Now()
		hub.VisitsChanged(env.OfficerA.Id) // a targets for A, a board for both chiefs
		at := officer.await(t, 2*time.Second, "targets", "the officer's targets", &tg, func() bool { return true })
		worstTargets = max(worstTargets, at.Sub(sent))
		at = fast.await(t, 2*time.Second, "board", "the reading chief's board", &bd, func() bool { return true })
		worstBoard = max(worstBoard, at.Sub(sent))
	}

	t.Run("the chief that stopped reading is dropped", func(t *testing.T) {
		if hub.Count() != 2 {
			t.Fatalf("after %d boards the hub still counts %d connections, want 2", rounds, hub.Count())
		}
		// What was buffered drains, then the server's close shows as EOF.
		nc := slow.NetConn()
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := io.Copy(io.Discard, nc)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the slow connection is still open after %d bytes", n)
		}
		t.Logf("dropped after %d boards; %d bytes were still in flight to it", rounds, n)
	})
	t.Run("the others got every message promptly meanwhile", func(t *testing.T) {
		if worstTargets > time.Second || worstBoard > time.Second { // a writer blocked on the slow chief would hold them 10 s
			t.Fatalf("worst delays: targets %v, board %v; want < 1s", worstTargets, worstBoard)
		}
		t.Logf("worst delays over %d rounds: targets %v, board %v", rounds, worstTargets, worstBoard)
	})
	t.Run("and they are still connected", func(t *testing.T) {
		hub.VisitsChanged(env.OfficerA.Id)
		officer.await(t, 2*time.Second, "targets", "the officer's targets", &tg, func() bool { return true })
		fast.await(t, 2*time.Second, "board", "the reading chief's board", &bd, func() bool { return true })
	})
}
