package app_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
)

// Screenshots: these tests drive the demo station in real Chromium and
// capture what people would rather look at than read. With
// ZOUFANG_SCREENSHOTS=1 they write them to docs/screenshots/ (how the
// committed ones were made); otherwise they check each renders.

// shoot captures the page once it has settled (fonts loaded, two frames
// drawn), the whole page when full, and keeps it if asked to.
func shoot(t *testing.T, ctx context.Context, name string, full bool) {
	t.Helper()
	apptest.WaitJS(t, ctx, 10*time.Second, "the page to settle before "+name,
		`document.fonts.ready.then(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(document.fonts.status === "loaded")))))`)
	capture(t, ctx, name, full)
}

// capture takes the screenshot (a page with scripts off cannot be asked
// whether it has settled; a page with no scripts has nothing left to do
// once it is ready).
func capture(t *testing.T, ctx context.Context, name string, full bool) {
	t.Helper()
	var b []byte
	action := chromedp.CaptureScreenshot(&b)
	if full {
		action = chromedp.FullScreenshot(&b, 100)
	}
	run(t, ctx, action)
	keep(t, name, b)
}

// keep checks a screenshot is one and writes it when asked to.
func keep(t *testing.T, name string, b []byte) {
	t.Helper()
	if len(b) < 10_000 {
		t.Errorf("%s: %d bytes, not a real screenshot", name, len(b))
	}
	if os.Getenv("ZOUFANG_SCREENSHOTS") == "1" {
		if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// demoOfficer is the demo's first community officer with the test password.
func demoOfficer(t *testing.T, env *apptest.Env, badge string) *core.Record {
	t.Helper()
	rec, err := env.App.FindFirstRecordByData("officers", "badge", badge)
	if err != nil {
		t.Fatal(err)
	}
	rec.SetPassword(apptest.Password)
	if err := env.App.Save(rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestScreenshots(t *testing.T) {
	env := apptest.NewDemo(t, 600)
	officer := demoOfficer(t, env, "330101")
	ctx := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)
	env.SignInField(t, ctx, officer)
	var hh []*core.Record
	if err := env.App.RecordQuery("households").AndWhere(dbx.HashExp{"community": officer.GetStringSlice("communities")[0]}).
		AndWhere(dbx.NewExp("tags LIKE '%独居老人%'")).Limit(1).All(&hh); err != nil || len(hh) == 0 {
		t.Fatalf("a household to visit: %v", err)
	}
	// Record a visit so Today shows one, then open the form for another.
	run(t, ctx, chromedp.Navigate(env.URL+"/visits/new?household="+hh[0].Id), chromedp.WaitVisible("#screen-visit-form", chromedp.ByQuery))
	apptest.WaitJS(t, ctx, 5*time.Second, "the form", `document.getElementById("vf-address").textContent !== ""`)
	shoot(t, ctx, "visit-form.png", false)
	run(t, ctx, chromedp.Click("#vf-wechat", chromedp.ByQuery), chromedp.Click("#vf-save", chromedp.ByQuery), chromedp.WaitVisible("#vv-qr svg", chromedp.ByQuery))
	shoot(t, ctx, "visit-qr.png", false)
	run(t, ctx, chromedp.Click(`nav.tabs a[href="/"]`, chromedp.ByQuery), chromedp.WaitVisible("#screen-today", chromedp.ByQuery))
	apptest.WaitJS(t, ctx, 5*time.Second, "today's visit", `document.querySelectorAll("#today-visits li").length > 0`)
	shoot(t, ctx, "today.png", false)
}

// TestWatchScreenshots: the deputy chief's /watches on a desk, and a
// resident's summary on their phone with scripts off (as in WeChat).
func TestWatchScreenshots(t *testing.T) {
	env := apptest.NewDemo(t, 600)
	chief := demoOfficer(t, env, "330100")
	browser := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)
	desk := chiefDesk(t, browser, env, chief)
	run(t, desk,
		chromedp.Navigate(env.URL+"/watches"),
		chromedp.WaitVisible("table", chromedp.ByQuery),
	)
	shoot(t, desk, "watches.png", true)

	// A new link for one of the watches, opened by the resident.
	var ws []*core.Record
	if err := env.App.RecordQuery("holiday_watches").AndWhere(dbx.HashExp{"status": "active"}).OrderBy("[[from]] ASC").Limit(1).All(&ws); err != nil || len(ws) == 0 {
		t.Fatalf("a watch: %v", err)
	}
	var page string
	run(t, desk,
		chromedp.Navigate(env.URL+"/watches/"+ws[0].Id),
		chromedp.WaitVisible(`form[action$="/link"] button`, chromedp.ByQuery),
		chromedp.Click(`form[action$="/link"] button`, chromedp.ByQuery),
		chromedp.WaitVisible("#summary-link", chromedp.ByQuery),
		chromedp.OuterHTML("#summary-link", &page, chromedp.ByQuery),
	)
	link := regexp.MustCompile(`/w/[a-z0-9]{15}\.[0-9a-f]{32}`).FindString(page)
	if link == "" {
		t.Fatal("no link on the page")
	}
	phone := apptest.NewTab(t, browser, true)
	run(t, phone,
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Navigate(env.URL+link),
		chromedp.WaitVisible("h1", chromedp.ByQuery),
	)
	capture(t, phone, "watch-summary.png", true)
}

// TestPeopleScreenshots: the deputy chief's /officers and a handover's
// preview, on a desk.
func TestPeopleScreenshots(t *testing.T) {
	env := apptest.NewDemo(t, 600)
	chief := demoOfficer(t, env, "330100")
	from := demoOfficer(t, env, "330101")
	to := demoOfficer(t, env, "330102")
	desk := chiefDesk(t, apptest.Timeout(t, apptest.Browser(t), 90*time.Second), env, chief)
	run(t, desk,
		chromedp.Navigate(env.URL+"/officers"),
		chromedp.WaitVisible("table", chromedp.ByQuery),
	)
	shoot(t, desk, "officers.png", true)
	run(t, desk,
		chromedp.Navigate(env.URL+"/handover?from="+from.Id),
		chromedp.WaitVisible("#to", chromedp.ByQuery),
		chromedp.SetValue("#to", to.Id, chromedp.ByQuery),
		chromedp.Click(`input[name="communities"]`, chromedp.ByQuery),
		chromedp.Click("#move_wechat_id", chromedp.ByQuery),
		chromedp.SendKeys("#note", "李卫东借调市局，吴牙社区交陈晓峰。", chromedp.ByQuery),
		chromedp.Click(`form[action="/handover"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#handover-preview", chromedp.ByQuery),
	)
	shoot(t, desk, "handover-preview.png", true)
}

// TestCoverageScreenshots: the deputy chief's coverage review with its
// trend chart, and its fraud flags, on a desk.
func TestCoverageScreenshots(t *testing.T) {
	env := apptest.NewDemoWeeks(t, 900, 12)
	chief := demoOfficer(t, env, "330100")
	desk := chiefDesk(t, apptest.Timeout(t, apptest.Browser(t), 90*time.Second), env, chief)
	run(t, desk,
		chromedp.Navigate(env.URL+"/coverage"),
		chromedp.WaitVisible("svg.chart", chromedp.ByQuery),
	)
	var bars int
	if err := apptest.Eval(desk, `document.querySelectorAll("svg.chart rect.bar.s1[height]:not([height='0.0'])").length`, &bars); err != nil || bars < 20 {
		t.Fatalf("%d bars with a height on the chart (%v)", bars, err)
	}
	shoot(t, desk, "coverage.png", true)
	// The sticky header would sit on top of a section scrolled to.
	var b []byte
	run(t, desk, chromedp.Evaluate(`document.querySelector("header.top").style.position = "static"`, nil),
		chromedp.Screenshot("#flags", &b, chromedp.ByQuery))
	keep(t, "coverage-flags.png", b)
}

// chiefDesk is a desk-sized tab (1280×900) of browser with the deputy
// chief chief signed in through the form, on the board.
func chiefDesk(t *testing.T, browser context.Context, env *apptest.Env, chief *core.Record) context.Context {
	t.Helper()
	desk := apptest.NewTab(t, browser, true)
	run(t, desk,
		emulation.SetDeviceMetricsOverride(1280, 900, 1, false),
		apptest.SignIn(env.URL, chief.GetString("badge"), apptest.Password, ""),
		chromedp.WaitVisible("#board-rows", chromedp.ByQuery),
	)
	return desk
}
