package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
	"zoufang/households"
)

// fieldEnv is a running app with a few households in officer A's area and
// a signed-in field app in a headless Chromium.
func fieldEnv(t *testing.T) (*apptest.Env, context.Context, []*households.Household) {
	t.Helper()
	env := apptest.New(t)
	var hs []*households.Household
	for _, in := range []households.Input{
		{Community: env.CommunityA, Grid: env.GridA1, Building: "柳营巷12号", HeadName: "李秀英", Phones: []string{"138 0013 8000"}, Tags: []string{"独居老人"}},
		{Community: env.CommunityA, Grid: env.GridA1, Building: "贡院小区3幢", Unit: "1", Room: "301", HeadName: "王建华", Phones: []string{"0571-8765 4321"}},
		{Community: env.CommunityA, Grid: env.GridA2, Building: "吴牙街8号", HeadName: "张国强", Phones: []string{"139 0000 1234"}},
	} {
		hs = append(hs, env.Household(env.OfficerA, in))
	}
	ctx := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)
	apptest.Logs(t, ctx)
	env.SignInField(t, ctx, env.OfficerA)
	return env, ctx, hs
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	if err := chromedp.Run(ctx, chromedp.Text(sel, &s, chromedp.ByQuery)); err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// recordVisit goes from Today to a household by search and saves a visit
// with the defaults (见面, 入户走访), all within the field app.
func recordVisit(t *testing.T, ctx context.Context, search, address string) {
	t.Helper()
	run(t, ctx,
		chromedp.Click(`nav.tabs a[href="/households"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#screen-households", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("hh-q").value = ""`, nil),
		chromedp.SendKeys("#hh-q", search, chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the search to find "+address,
		`document.querySelector("#hh-results a") && document.querySelector("#hh-results a").textContent.includes(`+jsString(address)+`)`)
	run(t, ctx,
		chromedp.Click("#hh-results a", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-household", chromedp.ByQuery),
		chromedp.Click("#hd-visit", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-visit-form", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the visit form to show the household", `document.getElementById("vf-address").textContent === `+jsString(address))
	run(t, ctx,
		chromedp.Click("#vf-save", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-visit", chromedp.ByQuery),
	)
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", "\\'") + "'" }

func currentVisitID(t *testing.T, ctx context.Context) string {
	t.Helper()
	var path string
	if err := apptest.Eval(ctx, "location.pathname", &path); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(path, "/visits/")
}

func TestFieldAppOffline(t *testing.T) {
	env, ctx, hs := fieldEnv(t)

	env.Offline(t, ctx)
	recordVisit(t, ctx, "李秀英", hs[0].Address)
	id := currentVisitID(t, ctx)

	t.Run("a visit recorded offline is kept on the phone and waits", func(t *testing.T) {
		if got := text(t, ctx, "#vv-status"); !strings.Contains(got, "已保存在手机上") {
			t.Fatalf("status %q", got)
		}
		if n := env.Count(t, "visits", "", nil); n != 0 {
			t.Fatalf("the server has %d visits while offline", n)
		}
	})

	t.Run("reloading offline brings back the shell, the household and the pending visit", func(t *testing.T) {
		run(t, ctx, chromedp.Reload())
		run(t, ctx, chromedp.WaitVisible("#screen-visit", chromedp.ByQuery))
		apptest.WaitJS(t, ctx, 5*time.Second, "the visit to render from the replica", `document.getElementById("vv-address").textContent === `+jsString(hs[0].Address))
		if got := text(t, ctx, "#vv-status"); !strings.Contains(got, "已保存在手机上") {
			t.Errorf("status after reload %q", got)
		}
		apptest.WaitJS(t, ctx, 5*time.Second, "the sync chip to show one pending", `document.getElementById("sync-status").textContent.includes("待同步 1")`)
		run(t, ctx, chromedp.Click(`a[href="/households/`+hs[0].ID+`"]`, chromedp.ByQuery), chromedp.WaitVisible("#screen-household", chromedp.ByQuery))
		apptest.WaitJS(t, ctx, 5*time.Second, "the household page with its pending visit",
			`document.getElementById("hd-head").textContent === "李秀英" && document.querySelector("#hd-history .pending-mark") !== null`)
	})

	t.Run("back online, the outbox empties and the server holds exactly one copy", func(t *testing.T) {
		env.Online(t, ctx)
		apptest.WaitJS(t, ctx, 10*time.Second, "the outbox to empty", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)
		if n := env.Count(t, "visits", "id = {:id}", map[string]any{"id": id}); n != 1 {
			var dump string
			apptest.Eval(ctx, `import("/assets/js/db.js").then(async (db) => JSON.stringify({o: await db.getAll("outbox"), a: await db.getAll("attention"), v: await db.getAll("visits"), s: await db.meta("sync_state")}))`, &dump)
			t.Fatalf("server has %d copies of %s; device: %s", n, id, dump)
		}
		if n := env.Count(t, "visits", "", nil); n != 1 {
			t.Fatalf("server has %d visits, want 1", n)
		}
	})
}

func TestFieldAppLostResponse(t *testing.T) {
	env, ctx, hs := fieldEnv(t)
	// The server commits the next push, then the connection drops before
	// the answer reaches the phone.
	env.Faults.DropResponses("/sync/push", 1)
	recordVisit(t, ctx, "王建华", hs[1].Address)
	id := currentVisitID(t, ctx)
	apptest.WaitJS(t, ctx, 20*time.Second, "the retried push to empty the outbox", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)
	if n := env.Count(t, "visits", "household = {:h}", map[string]any{"h": hs[1].ID}); n != 1 {
		t.Fatalf("server has %d visits of the household, want exactly 1", n)
	}
	if n := env.Count(t, "visits", "id = {:id}", map[string]any{"id": id}); n != 1 {
		t.Fatalf("visit %s: %d copies", id, n)
	}
	if got := env.Faults.Dropped(); got != 1 {
		t.Fatalf("the server dropped %d answers, want 1: the test did not lose a response", got)
	}
}

func TestFieldAppParksInvalidItems(t *testing.T) {
	env, ctx, hs := fieldEnv(t)
	env.Offline(t, ctx)
	recordVisit(t, ctx, "李秀英", hs[0].Address)
	recordVisit(t, ctx, "张国强", hs[2].Address)
	// Meanwhile the deputy chief archives the second household.
	if _, err := households.NewStore(env.App).SetArchived(context.Background(), apptest.Officer(env.Chief), hs[2].ID, true); err != nil {
		t.Fatal(err)
	}
	env.Online(t, ctx)
	apptest.WaitJS(t, ctx, 10*time.Second, "the outbox to empty", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)

	t.Run("the good visit is saved", func(t *testing.T) {
		if n := env.Count(t, "visits", "household = {:h}", map[string]any{"h": hs[0].ID}); n != 1 {
			t.Fatalf("%d visits of the first household", n)
		}
	})
	t.Run("the refused visit is parked with the server's reason", func(t *testing.T) {
		if n := env.Count(t, "visits", "household = {:h}", map[string]any{"h": hs[2].ID}); n != 0 {
			t.Fatalf("%d visits of the archived household", n)
		}
		run(t, ctx, chromedp.Click(`nav.tabs a[href="/"]`, chromedp.ByQuery), chromedp.WaitVisible("#screen-today", chromedp.ByQuery))
		apptest.WaitJS(t, ctx, 5*time.Second, "the attention list", `!document.getElementById("attention").hidden`)
		got := text(t, ctx, "#attention-list")
		if !strings.Contains(got, "该住户已注销") || !strings.Contains(got, hs[2].Address) {
			t.Fatalf("attention list %q lacks the reason or the address", got)
		}
		if chip := text(t, ctx, "#sync-status"); !strings.Contains(chip, "需处理 1") {
			t.Fatalf("sync chip %q", chip)
		}
	})
}

func TestInstallable(t *testing.T) {
	_, ctx, _ := fieldEnv(t)
	var errs []*page.InstallabilityError
	err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		errs, err = page.GetInstallabilityErrors().Do(ctx)
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("installability error: %s %v", e.ErrorID, e.ErrorArguments)
	}
}
