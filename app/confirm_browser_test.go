package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
)

// TestResidentConfirmsWithoutJavaScript: the officer records a visit and
// shows its QR; the resident opens the link in a second browser (its own
// context, JavaScript off, as in WeChat with scripts disabled) and confirms.
func TestResidentConfirmsWithoutJavaScript(t *testing.T) {
	env, ctx, hs := fieldEnv(t)
	run(t, ctx, chromedp.Navigate(env.URL+"/visits/new?household="+hs[0].ID), chromedp.WaitVisible("#screen-visit-form", chromedp.ByQuery))
	apptest.WaitJS(t, ctx, 5*time.Second, "the form", `document.getElementById("vf-address").textContent !== ""`)
	run(t, ctx, chromedp.Click("#vf-save", chromedp.ByQuery), chromedp.WaitVisible("#vv-qr svg", chromedp.ByQuery))
	id := currentVisitID(t, ctx)
	var link string
	if err := apptest.Eval(ctx, `import("/assets/js/db.js").then((db) => db.get("tokens", "`+id+`")).then((tk) => tk.url)`, &link); err != nil || !strings.Contains(link, "/c/"+id+".") {
		t.Fatalf("token link %q: %v", link, err)
	}
	apptest.WaitJS(t, ctx, 10*time.Second, "the visit to sync", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)

	phone := apptest.NewTab(t, ctx, true)
	var body string
	run(t, phone,
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Navigate(link),
		chromedp.WaitVisible(`input[name="visited"][value="yes"]`, chromedp.ByQuery),
		chromedp.Click(`input[name="visited"][value="yes"]`, chromedp.ByQuery),
		chromedp.Click(`input[name="rating"][value="5"]`, chromedp.ByQuery),
		chromedp.SendKeys("#comment", "谢谢民警", chromedp.ByQuery),
		chromedp.Click(`button[type="submit"]`, chromedp.ByQuery),
		// The answer page replaces the form (no script: a plain redirect).
		chromedp.WaitNotPresent(`input[name="visited"]`, chromedp.ByQuery),
		chromedp.Text("main", &body, chromedp.ByQuery),
	)
	if !strings.Contains(body, "已确认") {
		t.Fatalf("page after submit: %q", body)
	}
	recs, err := env.App.FindRecordsByFilter("confirmations", "visit = {:v}", "", 0, 0, map[string]any{"v": id})
	if err != nil || len(recs) != 1 || recs[0].GetInt("rating") != 5 || recs[0].GetString("comment") != "谢谢民警" {
		t.Fatalf("confirmations %v %v", recs, err)
	}

	t.Run("the officer's screen shows the answer, drops the QR and no longer offers to edit", func(t *testing.T) {
		apptest.WaitJS(t, ctx, 10*time.Second, "the answer on the officer's visit screen",
			`!document.getElementById("vv-answer").hidden && document.getElementById("vv-answer").textContent.includes("居民已扫码确认")`)
		var qrShown, editShown bool
		apptest.Eval(ctx, `!document.getElementById("vv-qr-card").hidden`, &qrShown)
		apptest.Eval(ctx, `!document.getElementById("vv-edit").hidden`, &editShown)
		if qrShown || editShown {
			t.Fatalf("after the answer: QR shown %v, edit offered %v", qrShown, editShown)
		}
	})
}
