package app_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
)

// TestRefusedDoorCanBeCorrected: a household registered at the door with a
// mistyped phone is refused; its visit waits instead of being refused too;
// the officer corrects the phone, and both reach the server.
func TestRefusedDoorCanBeCorrected(t *testing.T) {
	env, ctx, _ := fieldEnv(t)
	env.Offline(t, ctx)
	run(t, ctx,
		chromedp.Navigate(env.URL+"/households/new"),
		chromedp.WaitVisible("#screen-household-form", chromedp.ByQuery),
		chromedp.SendKeys("#hf-building", "菜市桥小区2幢", chromedp.ByQuery),
		chromedp.SendKeys("#hf-room", "402", chromedp.ByQuery),
		chromedp.SendKeys("#hf-head_name", "赵新", chromedp.ByQuery),
		chromedp.SendKeys("#hf-phones", "1380013800", chromedp.ByQuery), // ten digits: a typo
		chromedp.Click(`#hf button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#screen-household", chromedp.ByQuery),
		chromedp.Click("#hd-visit", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-visit-form", chromedp.ByQuery),
		chromedp.Click("#vf-save", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-visit", chromedp.ByQuery),
	)
	visitID := currentVisitID(t, ctx)
	env.Online(t, ctx)
	apptest.WaitJS(t, ctx, 10*time.Second, "the household to be refused", `import("/assets/js/db.js").then(async (db) => (await db.getAll("attention")).some((a) => a.collection === "households" && a.kind === "invalid"))`)

	t.Run("the visit waits for its household instead of being refused", func(t *testing.T) {
		var waiting bool
		apptest.Eval(ctx, `import("/assets/js/db.js").then(async (db) => !!(await db.get("outbox", "visits:`+visitID+`")) && !(await db.get("attention", "visits:`+visitID+`")))`, &waiting)
		if !waiting {
			t.Fatal("the visit was pushed ahead of its household or parked")
		}
	})
	t.Run("correcting the phone sends the household and then its visit", func(t *testing.T) {
		var hid string
		apptest.Eval(ctx, `import("/assets/js/db.js").then(async (db) => (await db.getAll("attention")).find((a) => a.collection === "households").id)`, &hid)
		run(t, ctx,
			chromedp.Navigate(env.URL+"/households/"+hid+"/edit"),
			chromedp.WaitVisible("#screen-household-form", chromedp.ByQuery),
		)
		apptest.WaitJS(t, ctx, 5*time.Second, "the form filled", `document.getElementById("hf-head_name").value === "赵新"`)
		run(t, ctx,
			chromedp.Evaluate(`document.getElementById("hf-phones").value = ""`, nil),
			chromedp.SendKeys("#hf-phones", "13700137000", chromedp.ByQuery),
			chromedp.Click(`#hf button[type="submit"]`, chromedp.ByQuery),
			chromedp.WaitVisible("#screen-household", chromedp.ByQuery),
		)
		apptest.WaitJS(t, ctx, 10*time.Second, "the outbox to empty", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)
		h, err := env.App.FindRecordById("households", hid)
		if err != nil || h.GetString("head_name") != "赵新" {
			t.Fatalf("household %v %v", h, err)
		}
		v, err := env.App.FindRecordById("visits", visitID)
		if err != nil || v.GetString("household") != hid {
			t.Fatalf("visit %v %v", v, err)
		}
	})
}
