package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/auth"
)

// stalledBody sends prefix and then nothing until the test ends: a server
// that waits to read the rest before it answers never answers.
type stalledBody struct {
	prefix io.Reader
	done   <-chan struct{}
}

func (b *stalledBody) Read(p []byte) (int, error) {
	if n, err := b.prefix.Read(p); n > 0 || err != io.EOF {
		return n, err
	}
	<-b.done
	return 0, io.EOF
}

// TestOversizedAndDeepBodiesAreRefusedEarly: a body declared larger than
// its route takes is refused before the server reads it; a push nested
// absurdly deep is refused before it is parsed, each with a message that
// says why.
func TestOversizedAndDeepBodiesAreRefusedEarly(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := env.SignIn(env.OfficerA)
	session := sessionOf(t, env, a)

	declared := func(t *testing.T, path, contentType string, size int64) (*http.Response, string) {
		t.Helper()
		done := make(chan struct{})
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+path, &stalledBody{prefix: strings.NewReader(strings.Repeat(" ", 1024)), done: done})
		req.ContentLength = size
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Accept", "application/json")
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: session})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: no answer before the body was sent: %v", path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	t.Run("a push declared at 20 MiB is refused without being read", func(t *testing.T) {
		res, body := declared(t, "/sync/push", "application/json", 20<<20)
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "太大") {
			t.Fatalf("status %d %s", res.StatusCode, body)
		}
	})
	t.Run("a sign-in form declared at 5 MiB is refused without being read", func(t *testing.T) {
		res, body := declared(t, "/login", "application/x-www-form-urlencoded", 5<<20)
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "太大") {
			t.Fatalf("status %d %s", res.StatusCode, body)
		}
	})
	t.Run("a body that lies about its length is cut at the limit", func(t *testing.T) {
		big := url.Values{"identity": {strings.Repeat("x", 2<<20)}, "password": {"p"}}
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/login", io.MultiReader(strings.NewReader(big.Encode())))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.ContentLength = -1 // chunked: no length declared
		// Its own connection: what the server leaves unread must not reach
		// the next test's request on a shared one.
		c := env.Anonymous()
		c.HTTP.Transport = &http.Transport{DisableKeepAlives: true}
		res, _ := c.Do(req)
		if res.StatusCode == http.StatusSeeOther || res.StatusCode >= 500 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	deep := func(inner string) string {
		return `{"visits":[` + strings.Repeat("[", 50000) + inner + strings.Repeat("]", 50000) + `]}`
	}
	for name, body := range map[string]string{
		"a push of nested lists":               deep(""),
		"a push whose item holds nested lists": `{"visits":[{"id":"aaaaaaaaaaaaaaa","notes":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}]}`,
		"a push of nested objects":             `{"households":[` + strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000) + `]}`,
	} {
		t.Run(name+" is refused before it is parsed, saying why", func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, env.URL+"/sync/push", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			res, text := a.Do(req)
			var e struct {
				Error struct{ Code, Message string }
			}
			_ = json.Unmarshal([]byte(text), &e)
			if res.StatusCode != http.StatusUnprocessableEntity || e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, "层级") {
				t.Fatalf("status %d %+v %.300s", res.StatusCode, e.Error, text)
			}
		})
	}
	t.Run("an honest push nests shallowly and passes", func(t *testing.T) {
		var ans struct{ Results []struct{ Status string } }
		res := a.PostJSON("/sync/push", map[string]any{"households": []any{map[string]any{"id": "deepokhouse0001", "op": "create", "community": env.CommunityA,
			"building": "深度1号", "phones": []string{"13800138123"}, "tags": []string{"出租房"}}}}, &ans)
		if res.StatusCode != http.StatusOK || len(ans.Results) != 1 || ans.Results[0].Status != "created" {
			t.Fatalf("status %d %+v", res.StatusCode, ans)
		}
	})
}
