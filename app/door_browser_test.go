package app_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
)

// TestHouseholdAtTheDoor: offline, an officer registers a household at the
// door that turns out to be one the registry already has (written
// differently), records a visit for it, and cannot sign out while that is
// unsynced. Back online the server answers "duplicate", the phone re-links
// the visit to the existing household, and sign-out then works and clears
// the phone.
func TestHouseholdAtTheDoor(t *testing.T) {
	env, ctx, hs := fieldEnv(t)
	existing := hs[1] // 贡院小区3幢1单元301室

	var mu sync.Mutex
	var dialogs []string
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			dialogs = append(dialogs, e.Message)
			mu.Unlock()
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		}
	})

	env.Offline(t, ctx)
	run(t, ctx,
		chromedp.Click(`nav.tabs a[href="/households"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#screen-households", chromedp.ByQuery),
		chromedp.Click(`#screen-households a[href="/households/new"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#screen-household-form", chromedp.ByQuery),
		chromedp.SendKeys("#hf-building", "贡院小区三幢", chromedp.ByQuery),
		chromedp.SendKeys("#hf-unit", "一", chromedp.ByQuery),
		chromedp.SendKeys("#hf-room", "301室", chromedp.ByQuery),
		chromedp.SendKeys("#hf-head_name", "新来的", chromedp.ByQuery),
		chromedp.Click(`#hf button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#screen-household", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the new household's page", `document.getElementById("hd-head").textContent === "新来的"`)
	var localID string
	if err := apptest.Eval(ctx, `location.pathname.split("/")[2]`, &localID); err != nil {
		t.Fatal(err)
	}
	run(t, ctx,
		chromedp.Click("#hd-visit", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-visit-form", chromedp.ByQuery),
		chromedp.Click("#vf-save", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-visit", chromedp.ByQuery),
	)
	visitID := currentVisitID(t, ctx)

	t.Run("sign-out is refused while anything is unsynced, and says why", func(t *testing.T) {
		run(t, ctx, chromedp.Click(`#logout-form button`, chromedp.ByQuery))
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			n := len(dialogs)
			mu.Unlock()
			if n > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(dialogs) == 0 || !strings.Contains(dialogs[0], "2 条记录没有同步") {
			t.Fatalf("dialogs %q, want the refusal naming 2 unsynced records", dialogs)
		}
		var path string
		apptest.Eval(ctx, "location.pathname", &path)
		if path == "/login" {
			t.Fatal("signed out with unsynced records")
		}
	})

	env.Online(t, ctx)
	apptest.WaitJS(t, ctx, 15*time.Second, "the outbox to empty", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)

	t.Run("the duplicate household was not created and the visit went to the existing one", func(t *testing.T) {
		if n := env.Count(t, "households", "head_name = '新来的'", nil); n != 0 {
			t.Fatalf("%d copies of the door's household on the server", n)
		}
		recs, err := env.App.FindRecordsByFilter("visits", "id = {:id}", "", 0, 0, map[string]any{"id": visitID})
		if err != nil || len(recs) != 1 || recs[0].GetString("household") != existing.ID {
			t.Fatalf("visit %v (%v), want it on %s", recs, err, existing.ID)
		}
		var gone bool
		apptest.Eval(ctx, `import("/assets/js/db.js").then(async (db) => !(await db.get("households", "`+localID+`")))`, &gone)
		if !gone {
			t.Fatal("the phone still has the door's duplicate household")
		}
	})

	t.Run("with everything synced, sign-out works and clears the phone", func(t *testing.T) {
		run(t, ctx, chromedp.Click(`#logout-form button`, chromedp.ByQuery), chromedp.WaitVisible("#identity", chromedp.ByQuery))
		var left int
		if err := apptest.Eval(ctx, `new Promise((ok) => { const r = indexedDB.open("zoufang"); r.onsuccess = () => { const db = r.result; const t = db.transaction("households"); const c = t.objectStore("households").count(); c.onsuccess = () => ok(c.result); }; })`, &left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Fatalf("%d households left on the phone after sign-out", left)
		}
	})
}
