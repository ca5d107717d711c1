package apptest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"zoufang/auth"
)

// Live is a test client's websocket to /ws; its reader forwards every
// message it decodes.
type Live struct {
	Conn *websocket.Conn
	Msgs chan map[string]any
}

// DialLive opens the live channel with c's session, as the field app or the
// board does.
func DialLive(t testing.TB, env *Env, c *Client) *Live {
	t.Helper()
	u, _ := url.Parse(env.URL)
	var session string
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == auth.CookieName {
			session = ck.Value
		}
	}
	if session == "" {
		t.Fatal("dial live: the client holds no session")
	}
	h := http.Header{"Origin": {env.URL}, "Cookie": {auth.CookieName + "=" + session}}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(env.URL, "http")+"/ws", h)
	if err != nil {
		t.Fatalf("dial live: %v", err)
	}
	l := &Live{Conn: conn, Msgs: make(chan map[string]any, 256)}
	go func() {
		defer close(l.Msgs)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil {
				l.Msgs <- m
			}
		}
	}()
	t.Cleanup(func() { _ = conn.Close() })
	return l
}

// Await reads messages until one satisfies ok, failing after d.
func (l *Live) Await(t testing.TB, d time.Duration, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m, open := <-l.Msgs:
			if !open {
				t.Fatal("the live channel closed")
			}
			if ok(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("no matching live message within %v", d)
		}
	}
}
