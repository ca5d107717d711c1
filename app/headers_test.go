package app_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"zoufang/app/apptest"
	"zoufang/households"
)

var inlineScriptRe = regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)

// TestSecurityHeadersOnEveryPageType: every kind of answer zoufang gives —
// the sign-in page, the field shell, an office page, the resident's page,
// an error page, a redirect, JSON, an XLSX download, the PWA's files —
// carries the content security policy (no inline script but the hashed
// import map, no framing), the referrer policy and nosniff; the session
// cookie is HttpOnly and SameSite=Lax, and Secure behind the TLS proxy.
func TestSecurityHeadersOnEveryPageType(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	trustProxyHeader(t, env)
	officer := env.SignIn(env.OfficerA)
	chief := env.SignIn(env.Chief)
	anon := env.Anonymous()
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "头部1号"})

	var book tokenBook
	officer.PostJSON("/sync/tokens", map[string]any{"device": "headersdevice01", "held": []string{}}, &book)
	if len(book.Tokens) == 0 {
		t.Fatal("no token")
	}
	confirm := book.Tokens[0].URL[strings.Index(book.Tokens[0].URL, "/c/"):]
	_, shell := officer.Get("/")
	css := regexp.MustCompile(`/assets/[^"]+\.css`).FindString(shell)
	if css == "" {
		t.Fatal("the shell links no stylesheet")
	}

	pages := []struct {
		name   string
		c      *apptest.Client
		method string
		path   string
		status int
		html   bool
	}{
		{"the sign-in page", anon, http.MethodGet, "/login", http.StatusOK, true},
		{"the field shell", officer, http.MethodGet, "/", http.StatusOK, true},
		{"a field deep link", officer, http.MethodGet, "/households/" + h.ID, http.StatusOK, true},
		{"an office page", chief, http.MethodGet, "/households", http.StatusOK, true},
		{"the board", chief, http.MethodGet, "/board", http.StatusOK, true},
		{"the settings form", chief, http.MethodGet, "/settings", http.StatusOK, true},
		{"the resident's confirmation page", anon, http.MethodGet, confirm, http.StatusOK, true},
		{"a forged confirmation link", anon, http.MethodGet, "/c/aaaaaaaaaaaaaaa.00000000000000000000000000000000", http.StatusNotFound, true},
		{"an unknown page", officer, http.MethodGet, "/no/such/page", http.StatusNotFound, true},
		{"a forbidden office page", officer, http.MethodGet, "/settings", http.StatusForbidden, true},
		{"a redirect to sign in", anon, http.MethodGet, "/visits/book", http.StatusSeeOther, false},
		{"JSON", officer, http.MethodGet, "/sync/me", http.StatusOK, false},
		{"the visit book as XLSX", officer, http.MethodGet, "/visits/book.xlsx", http.StatusOK, false},
		{"a stylesheet", anon, http.MethodGet, css, http.StatusOK, false},
		{"the service worker", anon, http.MethodGet, "/sw.js", http.StatusOK, false},
		{"the manifest", anon, http.MethodGet, "/manifest.webmanifest", http.StatusOK, false},
	}
	for _, p := range pages {
		t.Run(p.name+" carries the security headers", func(t *testing.T) {
			req, _ := http.NewRequest(p.method, env.URL+p.path, nil)
			res, body := p.c.Do(req)
			if res.StatusCode != p.status {
				t.Fatalf("status %d, want %d", res.StatusCode, p.status)
			}
			hd := res.Header
			csp := hd.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			script := ""
			for _, d := range strings.Split(csp, ";") {
				if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src") {
					script = d
				}
			}
			if script == "" || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") || strings.Contains(script, "*") {
				t.Errorf("script-src %q allows more than the site and hashed scripts", script)
			}
			if got := hd.Get("Referrer-Policy"); got != "same-origin" && got != "no-referrer" {
				t.Errorf("Referrer-Policy %q", got)
			}
			if hd.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", hd.Get("X-Content-Type-Options"))
			}
			if hd.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("Access-Control-Allow-Origin %q", hd.Get("Access-Control-Allow-Origin"))
			}
			if !p.html {
				return
			}
			// Every inline script that runs (the import map) is allowed by
			// its hash; no element carries an event handler attribute.
			for _, m := range inlineScriptRe.FindAllStringSubmatch(body, -1) {
				if strings.Contains(m[1], "src=") || strings.Contains(m[1], `type="application/json"`) {
					continue // external, or a data block that never runs
				}
				sum := sha256.Sum256([]byte(m[2]))
				if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(script, hash) {
					t.Errorf("an inline script not allowed by the CSP: %.80s", m[2])
				}
			}
			if regexp.MustCompile(`(?i)\son[a-z]+=`).MatchString(body) {
				t.Error("the page has an inline event handler")
			}
		})
	}

	t.Run("the session cookie is HttpOnly, SameSite=Lax and Secure behind the TLS proxy", func(t *testing.T) {
		res := signInWith(env.Anonymous(), env.OfficerB.GetString("badge"), map[string]string{"X-Forwarded-Proto": "https"})
		ck := sessionCookie(res)
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || !ck.Secure || ck.Path != "/" {
			t.Fatalf("cookie %+v", ck)
		}
		if res.Header.Get("Strict-Transport-Security") == "" {
			t.Fatal("no HSTS over https")
		}
	})
	t.Run("a sign-out clears the cookie with the same flags", func(t *testing.T) {
		res, _ := officer.PostForm("/logout", url.Values{})
		ck := sessionCookie(res)
		if ck == nil || ck.MaxAge >= 0 || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("cookie %+v", ck)
		}
	})
}
