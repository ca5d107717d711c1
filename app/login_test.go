package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zoufang/app/apptest"
	"zoufang/auth"
)

func sessionCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == auth.CookieName {
			return c
		}
	}
	return nil
}

func TestHealthAndLoginPage(t *testing.T) {
	env := apptest.New(t)
	c := env.Anonymous()

	t.Run("PocketBase answers its health check", func(t *testing.T) {
		res, _ := c.Get("/api/health")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status = %d, want 200", res.StatusCode)
		}
	})
	t.Run("the sign-in page is in Chinese", func(t *testing.T) {
		res, body := c.Get("/login")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status = %d", res.StatusCode)
		}
		for _, want := range []string{`lang="zh-CN"`, "民警登录", "警号或邮箱", "密码", `name="identity"`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
	t.Run("a signed-out visitor to a field page is sent to sign in", func(t *testing.T) {
		res, _ := c.Get("/")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Fatalf("status %d location %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
		}
	})
	t.Run("an unknown page is a Chinese 404", func(t *testing.T) {
		res, body := env.SignIn(env.OfficerA).Get("/no/such/page")
		if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "没有找到") {
			t.Fatalf("status %d, body lacks the explanation", res.StatusCode)
		}
	})
	t.Run("JSON clients get JSON errors with a stable code", func(t *testing.T) {
		var body struct {
			Error struct{ Code, Message string }
		}
		res := c.GetJSON("/households", &body)
		if res.StatusCode != http.StatusUnauthorized || body.Error.Code != "unauthorized" || body.Error.Message == "" {
			t.Fatalf("status %d, error %+v", res.StatusCode, body.Error)
		}
	})
}

func TestLogin(t *testing.T) {
	env := apptest.New(t)
	badge := env.OfficerA.GetString("badge")

	t.Run("the right badge and password start a session and land on Today", func(t *testing.T) {
		c := env.Anonymous()
		res, _ := c.PostForm("/login", url.Values{"identity": {badge}, "password": {apptest.Password}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("status %d location %q", res.StatusCode, res.Header.Get("Location"))
		}
		ck := sessionCookie(res)
		if ck == nil || ck.Value == "" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie = %+v, want an HttpOnly SameSite=Lax token", ck)
		}
		res, body := c.Get("/")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "今日走访") || !strings.Contains(body, "李卫东") {
			t.Fatalf("Today page: status %d", res.StatusCode)
		}
	})
	t.Run("email works as well as the badge", func(t *testing.T) {
		c := env.Anonymous()
		res, _ := c.PostForm("/login", url.Values{"identity": {env.OfficerA.Email()}, "password": {apptest.Password}})
		if res.StatusCode != http.StatusSeeOther || sessionCookie(res) == nil {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("the sign-in returns to where the officer was going, never off-site", func(t *testing.T) {
		for next, want := range map[string]string{"/households?q=3": "/households?q=3", "//evil.example/x": "/", "https://evil.example": "/"} {
			c := env.Anonymous()
			res, _ := c.PostForm("/login", url.Values{"identity": {badge}, "password": {apptest.Password}, "next": {next}})
			if got := res.Header.Get("Location"); got != want {
				t.Errorf("next %q: location %q, want %q", next, got, want)
			}
		}
	})

	bad := []struct {
		name, identity, password string
		status                   int
		want                     string
	}{
		{"a wrong password", badge, "nope", http.StatusUnauthorized, "警号/邮箱或密码不正确"},
		{"an unknown badge gets the same answer", "999999", apptest.Password, http.StatusUnauthorized, "警号/邮箱或密码不正确"},
		{"a missing badge", "", apptest.Password, http.StatusUnprocessableEntity, "此项为必填"},
		{"a missing password", badge, "", http.StatusUnprocessableEntity, "此项为必填"},
	}
	for _, tc := range bad {
		t.Run(tc.name+" is refused with a Chinese message and no cookie", func(t *testing.T) {
			c := env.Anonymous()
			res, body := c.PostForm("/login", url.Values{"identity": {tc.identity}, "password": {tc.password}})
			if res.StatusCode != tc.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tc.status)
			}
			if !strings.Contains(body, tc.want) {
				t.Errorf("body lacks %q", tc.want)
			}
			if ck := sessionCookie(res); ck != nil && ck.Value != "" {
				t.Errorf("a session cookie was set: %+v", ck)
			}
		})
	}

	t.Run("an inactive officer cannot sign in", func(t *testing.T) {
		rec := env.NewOfficer("100077", "停用", "officer", env.CommunityA)
		rec.Set("active", false)
		if err := env.App.Save(rec); err != nil {
			t.Fatal(err)
		}
		res, _ := env.Anonymous().PostForm("/login", url.Values{"identity": {"100077"}, "password": {apptest.Password}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", res.StatusCode)
		}
	})

	t.Run("ten failures lock the identity even against the right password", func(t *testing.T) {
		target := env.OfficerB.GetString("badge")
		c := env.Anonymous()
		for i := 0; i < 10; i++ {
			res, _ := c.PostForm("/login", url.Values{"identity": {target}, "password": {"wrong"}})
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d", i+1, res.StatusCode)
			}
		}
		res, body := c.PostForm("/login", url.Values{"identity": {target}, "password": {apptest.Password}})
		if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "尝试次数过多") || res.Header.Get("Retry-After") == "" {
			t.Fatalf("status %d, want 429 with an explanation and Retry-After", res.StatusCode)
		}
		if ck := sessionCookie(res); ck != nil && ck.Value != "" {
			t.Fatal("a locked identity got a session")
		}
		// Another officer is not affected.
		if res, _ := env.Anonymous().PostForm("/login", url.Values{"identity": {badge}, "password": {apptest.Password}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("another identity was locked too: %d", res.StatusCode)
		}
	})

	t.Run("one client may not try more than 60 times a minute", func(t *testing.T) {
		env := apptest.New(t)
		c := env.Anonymous()
		var last int
		for i := 0; i < 61; i++ {
			res, _ := c.PostForm("/login", url.Values{"identity": {"u" + strings.Repeat("x", i%7+1)}, "password": {"p"}})
			last = res.StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("61st attempt: status %d, want 429", last)
		}
	})

	t.Run("logout ends the session", func(t *testing.T) {
		c := env.SignIn(env.OfficerA)
		res, _ := c.PostForm("/logout", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		if res, _ := c.Get("/"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after logout / answered %d, want a redirect to sign in", res.StatusCode)
		}
	})

	t.Run("signing out everywhere invalidates the other devices' sessions", func(t *testing.T) {
		phone := env.SignIn(env.OfficerA)
		desk := env.SignIn(env.OfficerA)
		desk.PostForm("/logout", url.Values{"everywhere": {"1"}})
		if res, _ := phone.Get("/"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the phone is still signed in: %d", res.StatusCode)
		}
	})

	t.Run("a cross-site form post is refused", func(t *testing.T) {
		c := env.SignIn(env.OfficerA)
		c.Header.Set("Origin", "https://evil.example")
		res, body := c.PostForm("/logout", nil)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "来源不明") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}
