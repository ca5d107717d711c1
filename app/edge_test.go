package app_test

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"zoufang/app"
	"zoufang/app/apptest"
	"zoufang/auth"
)

// signInWith posts the sign-in form with extra headers and returns the
// answer.
func signInWith(c *apptest.Client, badge string, header map[string]string) *http.Response {
	req, _ := http.NewRequest(http.MethodPost, c.Base+"/login", strings.NewReader(url.Values{"identity": {badge}, "password": {apptest.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, _ := c.Do(req)
	return res
}

// TestForwardedHeadersOnlyFromTheTrustedProxy: X-Forwarded-Proto and
// X-Forwarded-For are believed only when the station admin has set
// PocketBase's trusted-proxy header and the request comes from the proxy's
// address; anyone else's make no cookie Secure, no HSTS and no other
// client address.
func TestForwardedHeadersOnlyFromTheTrustedProxy(t *testing.T) {
	t.Parallel()
	https := map[string]string{"X-Forwarded-Proto": "https"}

	t.Run("without a configured proxy a forwarded https is not believed", func(t *testing.T) {
		env := apptest.New(t)
		res := signInWith(env.Anonymous(), env.OfficerA.GetString("badge"), https)
		ck := sessionCookie(res)
		if res.StatusCode != http.StatusSeeOther || ck == nil {
			t.Fatalf("sign-in: %d", res.StatusCode)
		}
		if ck.Secure || res.Header.Get("Strict-Transport-Security") != "" {
			t.Fatalf("cookie Secure=%v, HSTS %q: a client's own header decided the scheme", ck.Secure, res.Header.Get("Strict-Transport-Security"))
		}
	})
	t.Run("from the configured proxy it is", func(t *testing.T) {
		env := apptest.New(t)
		trustProxyHeader(t, env)
		res := signInWith(env.Anonymous(), env.OfficerA.GetString("badge"), https)
		if ck := sessionCookie(res); ck == nil || !ck.Secure || res.Header.Get("Strict-Transport-Security") == "" {
			t.Fatalf("cookie %+v, HSTS %q: want Secure and HSTS behind the TLS proxy", ck, res.Header.Get("Strict-Transport-Security"))
		}
	})
	t.Run("a peer that is not the proxy is not believed even when a proxy is configured", func(t *testing.T) {
		env := apptest.NewWithConfig(t, app.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.9.9.9/32")}})
		trustProxyHeader(t, env)
		res := signInWith(env.Anonymous(), env.OfficerA.GetString("badge"), https)
		if ck := sessionCookie(res); ck == nil || ck.Secure {
			t.Fatalf("cookie %+v: want a plain cookie for a request that did not come through the proxy", ck)
		}
		// Nor does a made-up X-Forwarded-For give a client a fresh count.
		var last int
		for i := range 61 {
			c := env.Anonymous()
			c.Header.Set("X-Forwarded-For", "203.0.113."+string(rune('0'+i%10)))
			last = signIn(c, "nobody"+string(rune('a'+i%26)), "p")
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("61st attempt with invented addresses: %d, want 429", last)
		}
	})
}

type tokenBook struct {
	Tokens []struct {
		URL string `json:"url"`
	} `json:"tokens"`
}

// tokensAt asks for a token book with the given Host header.
func tokensAt(t *testing.T, env *apptest.Env, c *apptest.Client, host string, header map[string]string) tokenBook {
	t.Helper()
	// The cookie by hand: a client's jar files cookies under req.Host.
	session := sessionOf(t, env, c)
	c = env.Anonymous()
	req, _ := http.NewRequest(http.MethodPost, c.Base+"/sync/tokens", strings.NewReader(`{"device":"edgedevice00001","held":[]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Host = host
	req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: session})
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, body := c.Do(req)
	var book tokenBook
	if res.StatusCode != http.StatusOK || jsonDecode(body, &book) != nil || len(book.Tokens) == 0 {
		t.Fatalf("tokens: %d %.200s", res.StatusCode, body)
	}
	return book
}

// TestTokenLinksUseThePublicAddress: QR links are built from the station's
// public address, set on the settings page or by serve --public-url,
// never from the Host a request carried.
func TestTokenLinksUseThePublicAddress(t *testing.T) {
	t.Parallel()
	t.Run("the settings page's address wins over the request's Host", func(t *testing.T) {
		env := apptest.New(t)
		chief := env.SignIn(env.Chief)
		res, _ := chief.PostForm("/settings", url.Values{"station_name": {"长庆派出所"}, "visit_weekdays": {"tue", "thu"},
			"target_homes": {"10"}, "target_wechat": {"10"}, "token_book_size": {"5"}, "public_url": {"https://ZouFang.Example.gov.cn/"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save settings: %d", res.StatusCode)
		}
		book := tokensAt(t, env, env.SignIn(env.OfficerA), "evil.example", nil)
		for _, tk := range book.Tokens {
			if !strings.HasPrefix(tk.URL, "https://zoufang.example.gov.cn/c/") {
				t.Fatalf("token URL %q, want it on the public address", tk.URL)
			}
		}
	})
	t.Run("serve's --public-url wins over the settings page", func(t *testing.T) {
		env := apptest.NewWithConfig(t, app.Config{PublicURL: "https://flag.example"})
		book := tokensAt(t, env, env.SignIn(env.OfficerA), "evil.example", nil)
		if !strings.HasPrefix(book.Tokens[0].URL, "https://flag.example/c/") {
			t.Fatalf("token URL %q", book.Tokens[0].URL)
		}
	})
	t.Run("unset, the link takes no scheme from a client's forwarded header", func(t *testing.T) {
		env := apptest.New(t)
		book := tokensAt(t, env, env.SignIn(env.OfficerA), strings.TrimPrefix(env.URL, "http://"), map[string]string{"X-Forwarded-Proto": "https"})
		if !strings.HasPrefix(book.Tokens[0].URL, env.URL+"/c/") {
			t.Fatalf("token URL %q, want %s/c/…", book.Tokens[0].URL, env.URL)
		}
	})
	t.Run("the settings page refuses an address that is not one", func(t *testing.T) {
		env := apptest.New(t)
		chief := env.SignIn(env.Chief)
		for _, bad := range []string{"zoufang.example", "https://zoufang.example/app", "javascript:alert(1)", "https://user@zoufang.example", "ftp://zoufang.example"} {
			res, body := chief.PostForm("/settings", url.Values{"station_name": {"长庆派出所"}, "visit_weekdays": {"tue"},
				"target_homes": {"10"}, "target_wechat": {"10"}, "token_book_size": {"5"}, "public_url": {bad}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "完整的网址") {
				t.Errorf("%q: status %d, want 422 with the explanation", bad, res.StatusCode)
			}
		}
	})
}

// TestCORSIsClosedOnZoufangsRoutes: PocketBase allows any origin on its
// REST API; zoufang's own pages and JSON answer no cross-origin request.
func TestCORSIsClosedOnZoufangsRoutes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := env.SignIn(env.OfficerA)
	ask := func(method, path string) *http.Response {
		req, _ := http.NewRequest(method, env.URL+path, nil)
		req.Header.Set("Origin", "https://evil.example")
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", "POST")
		}
		res, _ := c.Do(req)
		return res
	}
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/login"}, {http.MethodGet, "/sync/me"}, {http.MethodOptions, "/sync/push"}, {http.MethodGet, "/assets/app.css"},
	} {
		t.Run(tc.method+" "+tc.path+" allows no other origin", func(t *testing.T) {
			if got := ask(tc.method, tc.path).Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Fatalf("Access-Control-Allow-Origin = %q", got)
			}
		})
	}
	t.Run("PocketBase's REST API keeps its own CORS", func(t *testing.T) {
		if got := ask(http.MethodGet, "/api/health").Header.Get("Access-Control-Allow-Origin"); got == "" {
			t.Fatal("the REST API lost its CORS header")
		}
	})
}

func jsonDecode(s string, v any) error { return json.Unmarshal([]byte(s), v) }
