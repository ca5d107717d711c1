package apptest

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// ChromiumPath finds Debian's Chromium, "" if it is not installed.
func ChromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts a headless Chromium for the test and returns a context for
// its first tab. Without Chromium the test is skipped with the command that
// installs it, unless ZOUFANG_REQUIRE_BROWSER=1 (CI), where it fails.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		if os.Getenv("ZOUFANG_REQUIRE_BROWSER") == "1" {
			t.Fatal("Chromium is required (ZOUFANG_REQUIRE_BROWSER=1) but not installed: apt-get install -y chromium")
		}
		t.Skip("browser test skipped: Chromium is not installed (apt-get update && apt-get install -y chromium)")
	}
	// Not t.TempDir: Chromium may still be writing to its profile when the
	// test ends, and a failed removal would fail the test.
	profile, err := os.MkdirTemp("", "zoufang-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(412, 915), // a mid-range Android phone
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	// Start the browser now so a broken install fails here, clearly.
	if err := chromedp.Run(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return ctx
}

// NewTab opens another tab. With isolated set it lives in its own browser
// context: no shared cookies, storage or service workers (a second device).
// The target is created in a new window: headless Chromium refuses a tab
// in a context that has no window ("no browser is open").
func NewTab(t testing.TB, browser context.Context, isolated bool) context.Context {
	t.Helper()
	if !isolated {
		ctx, cancel := chromedp.NewContext(browser)
		if err := chromedp.Run(ctx); err != nil {
			t.Fatalf("new tab: %v", err)
		}
		t.Cleanup(cancel)
		return ctx
	}
	c := chromedp.FromContext(browser)
	if c == nil || c.Browser == nil {
		t.Fatal("new tab: no browser in context")
	}
	exec := cdp.WithExecutor(browser, c.Browser)
	bctx, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(exec)
	if err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	tid, err := target.CreateTarget("about:blank").WithBrowserContextID(bctx).WithNewWindow(true).Do(exec)
	if err != nil {
		t.Fatalf("new tab: %v", err)
	}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithTargetID(tid))
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("attach tab: %v", err)
	}
	t.Cleanup(cancel)
	return ctx
}

// Timeout bounds ctx for one step of a browser test.
func Timeout(t testing.TB, ctx context.Context, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(ctx, d)
	t.Cleanup(cancel)
	return ctx
}

// SignIn is the sign-in form filled in and sent, as a person does it, on
// baseURL's /login (then next, if given, as the form's ?next=). What the
// landing page shows is the caller's to wait for.
func SignIn(baseURL, badge, password, next string) chromedp.Tasks {
	u := baseURL + "/login"
	if next != "" {
		u += "?next=" + url.QueryEscape(next)
	}
	return chromedp.Tasks{
		chromedp.Navigate(u),
		chromedp.WaitVisible("#identity", chromedp.ByQuery),
		chromedp.SendKeys("#identity", badge, chromedp.ByQuery),
		chromedp.SendKeys("#password", password, chromedp.ByQuery),
		chromedp.Click("button[type=submit]", chromedp.ByQuery),
	}
}
