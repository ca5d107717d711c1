package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/auth"
	"zoufang/ratelimit"
	"zoufang/station"
)

// trustProxyHeader tells PocketBase that a proxy sets X-Forwarded-For, so
// that test clients can stand for different addresses (the test server's
// peer is loopback, the default trusted proxy).
func trustProxyHeader(t *testing.T, env *apptest.Env) {
	t.Helper()
	s := env.App.Settings()
	s.TrustedProxy.Headers = []string{"X-Forwarded-For"}
	if err := env.App.Save(s); err != nil {
		t.Fatal(err)
	}
}

// from returns an anonymous client that the proxy says is at ip.
func from(env *apptest.Env, ip string) *apptest.Client {
	c := env.Anonymous()
	c.Header.Set("X-Forwarded-For", ip)
	return c
}

func signIn(c *apptest.Client, identity, password string) int {
	res, _ := c.PostForm("/login", url.Values{"identity": {identity}, "password": {password}})
	return res.StatusCode
}

// TestSignInTimingTellsNothing: a badge or email that no officer has is
// refused as slowly as a wrong password for one that exists, so timing
// does not tell which badges exist.
func TestSignInTimingTellsNothing(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	known := env.NewOfficer("200001", "计时", station.RoleOfficer, env.CommunityA)
	median := func(identity string) time.Duration {
		var ds []time.Duration
		for i := 0; i < 5; i++ {
			c := env.Anonymous()
			start := time.Now()
			if got := signIn(c, identity, "wrong-password"); got != http.StatusUnauthorized {
				t.Fatalf("%s: status %d, want 401", identity, got)
			}
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	for _, tc := range []struct{ name, known, unknown string }{
		{"by badge", known.GetString("badge"), "299999"},
		{"by email", known.Email(), "nobody@test.example"},
	} {
		t.Run("an unknown identity is refused as slowly as a wrong password "+tc.name, func(t *testing.T) {
			k, u := median(tc.known), median(tc.unknown)
			t.Logf("known %v, unknown %v", k, u)
			if u < k/2 {
				t.Fatalf("unknown %s refused in %v, a wrong password for a known one in %v: the timing tells", tc.name, u, k)
			}
		})
	}
}

// TestSignInLimits: failures are counted per officer record and reserved
// before the password is checked; a stranger's failures lock out only the
// stranger; REST sign-in and token refresh are closed to officers.
func TestSignInLimits(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	trustProxyHeader(t, env)

	t.Run("thirty parallel attempts get no more than ten password checks", func(t *testing.T) {
		o := env.NewOfficer("200010", "并发", station.RoleOfficer, env.CommunityA)
		c := from(env, "203.0.113.10")
		var mu sync.Mutex
		counts := map[int]int{}
		var wg sync.WaitGroup
		for range 30 {
			wg.Go(func() {
				got := signIn(c, o.GetString("badge"), "wrong-password")
				mu.Lock()
				counts[got]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if counts[http.StatusUnauthorized] > auth.FailuresPerClient || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 30 {
			t.Fatalf("answers %v: want at most %d password checks (401) and the rest 429", counts, auth.FailuresPerClient)
		}
	})

	t.Run("switching from the badge to the email gives no more tries", func(t *testing.T) {
		o := env.NewOfficer("200011", "换号", station.RoleOfficer, env.CommunityA)
		c := from(env, "203.0.113.11")
		for i := range auth.FailuresPerClient {
			if got := signIn(c, o.GetString("badge"), "wrong-password"); got != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, got)
			}
		}
		if got := signIn(c, o.Email(), "wrong-password"); got != http.StatusTooManyRequests {
			t.Fatalf("by email after ten failures by badge: %d, want 429", got)
		}
		if got := signIn(c, strings.ToLower(" "+o.GetString("badge")), apptest.Password); got != http.StatusTooManyRequests {
			t.Fatalf("the right password from the locked client: %d, want 429", got)
		}
	})

	t.Run("a stranger's failures do not lock the officer out", func(t *testing.T) {
		o := env.NewOfficer("200012", "被锁", station.RoleOfficer, env.CommunityA)
		stranger := from(env, "203.0.113.66")
		for range auth.FailuresPerClient + 2 {
			signIn(stranger, o.GetString("badge"), "guess")
		}
		if got := signIn(stranger, o.GetString("badge"), "guess"); got != http.StatusTooManyRequests {
			t.Fatalf("the stranger's next guess: %d, want 429", got)
		}
		if got := signIn(from(env, "198.51.100.9"), o.GetString("badge"), apptest.Password); got != http.StatusSeeOther {
			t.Fatalf("the officer on their own phone: %d, want 303 (signed in)", got)
		}
	})

	t.Run("a right password gives its reservation back", func(t *testing.T) {
		o := env.NewOfficer("200013", "常登", station.RoleOfficer, env.CommunityA)
		c := from(env, "203.0.113.13")
		for i := range 3 * auth.FailuresPerClient {
			if got := signIn(c, o.GetString("badge"), apptest.Password); got != http.StatusSeeOther {
				t.Fatalf("sign-in %d: %d", i+1, got)
			}
		}
	})

	t.Run("guessing spread over many clients meets the account's own limit", func(t *testing.T) {
		env := apptest.New(t)
		trustProxyHeader(t, env)
		env.Server.Login.AccountFailures = ratelimit.New(15, time.Hour)
		o := env.NewOfficer("200014", "分布", station.RoleOfficer, env.CommunityA)
		for _, ip := range []string{"203.0.113.1", "203.0.113.2"} {
			for range auth.FailuresPerClient {
				signIn(from(env, ip), o.GetString("badge"), "guess")
			}
		}
		if got := signIn(from(env, "203.0.113.3"), o.GetString("badge"), "guess"); got != http.StatusTooManyRequests {
			t.Fatalf("a third client after 20 failures against a limit of 15: %d, want 429", got)
		}
	})

	t.Run("PocketBase's REST sign-in is closed to officers", func(t *testing.T) {
		var body map[string]any
		res := env.Anonymous().PostJSON("/api/collections/officers/auth-with-password",
			map[string]any{"identity": env.OfficerA.GetString("badge"), "password": apptest.Password}, &body)
		if res.StatusCode != http.StatusForbidden || body["token"] != nil {
			t.Fatalf("status %d, body %v: want 403 and no token", res.StatusCode, body)
		}
	})

	t.Run("a token cannot be renewed through auth-refresh", func(t *testing.T) {
		var body map[string]any
		res := env.Anonymous().WithToken(env.Token(env.OfficerA)).PostJSON("/api/collections/officers/auth-refresh", nil, &body)
		if res.StatusCode != http.StatusForbidden || body["token"] != nil {
			t.Fatalf("status %d, body %v: want 403 and no token", res.StatusCode, body)
		}
	})
}

// TestRealtimeIsClosedToOfficers: PocketBase's realtime channel would keep
// sending an officer records after "sign out everywhere"; an officer
// cannot subscribe at all (the field app uses /ws), a superuser can.
func TestRealtimeIsClosedToOfficers(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	subscribe := func(t *testing.T, token string) int {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, env.URL+"/api/realtime", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var clientID string
		sc := bufio.NewScanner(res.Body)
		for clientID == "" && sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
				var m struct {
					ClientID string `json:"clientId"`
				}
				if json.Unmarshal([]byte(data), &m) == nil {
					clientID = m.ClientID
				}
			}
		}
		if clientID == "" {
			t.Fatalf("no PB_CONNECT event: %v", sc.Err())
		}
		r := env.Anonymous().WithToken(token).PostJSON("/api/realtime", map[string]any{"clientId": clientID, "subscriptions": []string{"households", "visits"}}, nil)
		return r.StatusCode
	}
	t.Run("an officer's subscription is refused", func(t *testing.T) {
		if got := subscribe(t, env.Token(env.OfficerA)); got != http.StatusForbidden {
			t.Fatalf("status %d, want 403", got)
		}
	})
	t.Run("a superuser's is not (the admin UI needs it)", func(t *testing.T) {
		admin := env.Superuser()
		if got := subscribe(t, admin.Header.Get("Authorization")); got != http.StatusNoContent {
			t.Fatalf("status %d, want 204", got)
		}
	})
}

// TestSignOutRevokesTheToken: a plain sign-out on one device leaves a
// token that opens nothing, neither the app nor PocketBase's REST API.
func TestSignOutRevokesTheToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	phone := env.SignIn(env.OfficerA)
	token := sessionOf(t, env, phone)
	rest := env.Anonymous().WithToken(token)
	if res := rest.GetJSON("/api/collections/officers/records/"+env.OfficerA.Id, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("before sign-out the token reads its officer: %d", res.StatusCode)
	}
	other := env.SignIn(env.OfficerA) // another device stays signed in
	if res, _ := phone.PostForm("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	t.Run("the old cookie opens no page", func(t *testing.T) {
		c := env.Anonymous()
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/sync/me", nil)
		req.Header.Set("Accept", "application/json")
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: token})
		if res, _ := c.Do(req); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", res.StatusCode)
		}
	})
	t.Run("the old token reads nothing through REST", func(t *testing.T) {
		if res := rest.GetJSON("/api/collections/officers/records/"+env.OfficerA.Id, nil); res.StatusCode == http.StatusOK {
			t.Fatalf("status %d: the signed-out token still reads", res.StatusCode)
		}
	})
	t.Run("the officer's other device is still signed in", func(t *testing.T) {
		if res := other.GetJSON("/sync/me", nil); res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}
