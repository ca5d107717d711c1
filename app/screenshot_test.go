package app_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
)

// TestScreenshots drives the demo station in a phone-sized Chromium and
// captures the Today screen and the visit form. With
// ZOUFANG_SCREENSHOTS=docs/screenshots it writes them there (how the
// committed ones were made); otherwise it checks they render.
func TestScreenshots(t *testing.T) {
	env := apptest.NewDemo(t, 600)
	officer, err := env.App.FindFirstRecordByData("officers", "badge", "330101")
	if err != nil {
		t.Fatal(err)
	}
	officer.SetPassword(apptest.Password)
	if err := env.App.Save(officer); err != nil {
		t.Fatal(err)
	}
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
	var form []byte
	run(t, ctx, chromedp.Sleep(300*time.Millisecond), chromedp.CaptureScreenshot(&form))
	run(t, ctx, chromedp.Click("#vf-wechat", chromedp.ByQuery), chromedp.Click("#vf-save", chromedp.ByQuery), chromedp.WaitVisible("#screen-visit", chromedp.ByQuery))
	var visit []byte
	run(t, ctx, chromedp.Sleep(500*time.Millisecond), chromedp.CaptureScreenshot(&visit))
	run(t, ctx, chromedp.Click(`nav.tabs a[href="/"]`, chromedp.ByQuery), chromedp.WaitVisible("#screen-today", chromedp.ByQuery))
	apptest.WaitJS(t, ctx, 5*time.Second, "today's visit", `document.querySelectorAll("#today-visits li").length > 0`)
	var today []byte
	run(t, ctx, chromedp.Sleep(500*time.Millisecond), chromedp.CaptureScreenshot(&today))

	for name, b := range map[string][]byte{"today.png": today, "visit-form.png": form, "visit-qr.png": visit} {
		if len(b) < 10_000 {
			t.Errorf("%s: %d bytes, not a real screenshot", name, len(b))
		}
		if dir := os.Getenv("ZOUFANG_SCREENSHOTS"); dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
