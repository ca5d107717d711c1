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
		chromedp.WaitVisible("h1", chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Text("main", &body, chromedp.ByQuery),
	)
	if !strings.Contains(body, "已确认") {
		t.Fatalf("page after submit: %q", body)
	}
	recs, err := env.App.FindRecordsByFilter("confirmations", "visit = {:v}", "", 0, 0, map[string]any{"v": id})
	if err != nil || len(recs) != 1 || recs[0].GetInt("rating") != 5 || recs[0].GetString("comment") != "谢谢民警" {
		t.Fatalf("confirmations %v %v", recs, err)
	}
}
