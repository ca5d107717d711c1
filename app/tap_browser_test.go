package app_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
)

// TestSaveTappedTheInstantTheFormAppears: the officer taps 保存 (twice,
// as a thumb does) in the very frame the visit form becomes visible. The
// form must already be wired then: exactly one visit is saved, and the
// form is never submitted natively (which would put the fields in the URL
// and save nothing).
func TestSaveTappedTheInstantTheFormAppears(t *testing.T) {
	env, ctx, hs := fieldEnv(t)
	run(t, ctx,
		chromedp.Click(`nav.tabs a[href="/households"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#screen-households", chromedp.ByQuery),
		chromedp.Click(`#hh-results a[href="/households/`+hs[2].ID+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#hd-visit", chromedp.ByQuery),
	)
	// Watch the form's screen: the moment it is shown, tap save twice, in
	// the same task (no chance for anything to run in between).
	var armed bool
	err := apptest.Eval(ctx, `(() => {
		const screen = document.getElementById("screen-visit-form");
		window.__taps = [];
		new MutationObserver(() => {
			if (screen.hidden || window.__taps.length) return;
			const save = document.getElementById("vf-save");
			window.__taps.push(save.disabled);
			save.click();
			save.click();
		}).observe(screen, { attributes: true, attributeFilter: ["hidden"] });
		return true;
	})()`, &armed)
	if err != nil || !armed {
		t.Fatalf("arm the tap: %v", err)
	}
	run(t, ctx, chromedp.Click("#hd-visit", chromedp.ByQuery))
	apptest.WaitJS(t, ctx, 10*time.Second, "the saved visit's screen", `location.pathname.startsWith("/visits/") && !document.getElementById("screen-visit").hidden`)
	apptest.WaitJS(t, ctx, 10*time.Second, "the outbox to empty", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)

	var disabledAtTap bool
	if err := apptest.Eval(ctx, `window.__taps[0]`, &disabledAtTap); err != nil {
		t.Fatal(err)
	}
	if disabledAtTap {
		t.Fatal("the form was shown with save still disabled: the tap was lost")
	}
	var search string
	apptest.Eval(ctx, "location.search", &search)
	if search != "" {
		t.Fatalf("the form was submitted natively: %q", search)
	}
	if n := env.Count(t, "visits", "household = {:h}", map[string]any{"h": hs[2].ID}); n != 1 {
		t.Fatalf("%d visits saved, want exactly 1", n)
	}
}
