package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
)

// setValue sets a form control's value as a person would (date inputs
// take no typed text portably) and tells the page.
func setValue(sel, value string) chromedp.Action {
	return chromedp.Evaluate(`(() => { const el = document.querySelector(`+jsString(sel)+`); el.value = `+jsString(value)+`;
		el.dispatchEvent(new Event("input", { bubbles: true })); el.dispatchEvent(new Event("change", { bubbles: true })); return true; })()`, nil)
}

// TestHolidayWatchOffline: the officer registers a holiday watch at the
// door with no signal; it syncs exactly once; its first check is due on
// Today; the officer records an abnormal check offline; back online, the
// deputy chief's board shows the alert and the watch's page the check.
func TestHolidayWatchOffline(t *testing.T) {
	env, ctx, hs := fieldEnv(t)
	h := hs[1] // 贡院小区3幢1单元301室
	var today, yesterday, back string
	if err := apptest.Eval(ctx, `import("/assets/js/util.js").then((u) => [u.day(Date.now()), u.day(Date.now() - 86400000), u.day(Date.now() + 5 * 86400000)])`, &[]*string{&today, &yesterday, &back}); err != nil {
		t.Fatal(err)
	}

	// The deputy chief's board, in a browser context of its own.
	chiefTab := apptest.NewTab(t, ctx, true)
	run(t, chiefTab,
		apptest.SignIn(env.URL, env.Chief.GetString("badge"), apptest.Password, ""),
		chromedp.WaitVisible("#board-rows", chromedp.ByQuery),
	)
	env.SpareTab(t, chiefTab)

	env.Offline(t, ctx)
	run(t, ctx,
		chromedp.Click(`nav.tabs a[href="/households"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#screen-households", chromedp.ByQuery),
		chromedp.Click(`#hh-results a[href="/households/`+h.ID+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#hd-watch-new", chromedp.ByQuery),
		chromedp.Click("#hd-watch-new", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-watch-form", chromedp.ByQuery),
		setValue("#wf-from", yesterday),
		setValue("#wf-to", back),
		setValue("#wf-contact_name", "王小华"),
		setValue("#wf-contact_phone", "139 0000 5678"),
		setValue("#wf-key_holder", "对门李阿姨"),
		chromedp.Click("#wf-save", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-watch", chromedp.ByQuery),
	)
	var watchID string
	apptest.Eval(ctx, `location.pathname.split("/")[2]`, &watchID)

	t.Run("offline, the watch is kept on the phone with the resident's link to copy", func(t *testing.T) {
		apptest.WaitJS(t, ctx, 5*time.Second, "the watch screen", `document.getElementById("wv-window").textContent.includes(`+jsString(back)+`)`)
		var link string
		apptest.Eval(ctx, `document.getElementById("wv-link").value`, &link)
		if !strings.Contains(link, "/w/"+watchID+".") {
			t.Fatalf("link %q", link)
		}
		if n := env.Count(t, "holiday_watches", "", nil); n != 0 {
			t.Fatalf("the server has %d watches while the phone is offline", n)
		}
	})

	env.Online(t, ctx)
	apptest.WaitJS(t, ctx, 15*time.Second, "the outbox to empty", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)
	t.Run("back online it syncs exactly once, and the link's QR appears", func(t *testing.T) {
		if n := env.Count(t, "holiday_watches", "id = {:id}", map[string]any{"id": watchID}); n != 1 {
			t.Fatalf("%d copies on the server", n)
		}
		if n := env.Count(t, "holiday_watches", "", nil); n != 1 {
			t.Fatalf("%d watches on the server", n)
		}
		apptest.WaitJS(t, ctx, 5*time.Second, "the link's QR", `document.querySelector("#wv-qr svg") !== null`)
	})

	t.Run("its first check is due today on Today", func(t *testing.T) {
		run(t, ctx, chromedp.Click(`nav.tabs a[href="/"]`, chromedp.ByQuery), chromedp.WaitVisible("#screen-today", chromedp.ByQuery))
		apptest.WaitJS(t, ctx, 5*time.Second, "the check due on Today", `!document.getElementById("watch-due").hidden && document.getElementById("watch-list").textContent.includes("今天该查")`)
	})

	env.Offline(t, ctx)
	run(t, ctx,
		chromedp.Click(`#watch-list a[href*="watch=`+watchID+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#vf-watch", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the check form to show the contact", `document.getElementById("vf-watch-contact").textContent.includes("王小华") && document.querySelector('#vf-watch-contact a[href^="tel:"]') !== null`)
	run(t, ctx, tap(`input[name="check_result"][value="abnormal"]`), chromedp.Click("#vf-save", chromedp.ByQuery))
	t.Run("an abnormal check without a note is refused on the phone", func(t *testing.T) {
		apptest.WaitJS(t, ctx, 5*time.Second, "the note's error", `!document.querySelector('#vf [data-error-for="notes"]').hidden`)
	})
	run(t, ctx,
		tap("#vf-notes"),
		chromedp.SendKeys("#vf-notes", "门锁有撬痕，已联系家属", chromedp.ByQuery),
		chromedp.Click("#vf-save", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-visit", chromedp.ByQuery),
	)
	checkID := currentVisitID(t, ctx)
	env.Online(t, ctx)
	apptest.WaitJS(t, ctx, 15*time.Second, "the outbox to empty", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)

	t.Run("the board shows the alert", func(t *testing.T) {
		apptest.WaitJS(t, chiefTab, 5*time.Second, "the alert banner", `!document.getElementById("alerts").hidden && document.getElementById("alert-list").textContent.includes("门锁有撬痕")`)
	})
	t.Run("the watch's page shows the check", func(t *testing.T) {
		_, body := env.SignIn(env.Chief).Get("/watches/" + watchID)
		if !strings.Contains(body, "门锁有撬痕") || !strings.Contains(body, "异常") {
			t.Fatal("the check is not on the watch's page")
		}
		if n := env.Count(t, "visits", "id = {:id} && watch = {:w} && check_result = 'abnormal'", map[string]any{"id": checkID, "w": watchID}); n != 1 {
			t.Fatalf("%d checks on the server", n)
		}
	})
}
