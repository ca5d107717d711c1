package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
	"zoufang/mediation"
	"zoufang/station"
)

// TestMediationScreenshots drives the demo station's mediation log in a
// desktop-sized Chromium, as the deputy chief reviews it, and captures the
// list, a case, the agreement and the roster as printed, and the figures. With
// ZOUFANG_SCREENSHOTS=/abs/path/docs/screenshots it writes them there (how
// the committed ones were made); otherwise it checks they render.
func TestMediationScreenshots(t *testing.T) {
	env := apptest.NewDemo(t, 600)
	chief, err := env.App.FindFirstRecordByData("officers", "badge", "330100")
	if err != nil {
		t.Fatal(err)
	}
	chief.SetPassword(apptest.Password)
	if err := env.App.Save(chief); err != nil {
		t.Fatal(err)
	}
	// A settled case with a few sessions and a household: what a case
	// page usually looks like.
	store := mediation.NewStore(env.App)
	bg := context.Background()
	o := station.OfficerFromRecord(chief)
	list, err := store.List(bg, o, mediation.Query{Status: mediation.StatusSettled})
	if err != nil {
		t.Fatal(err)
	}
	var shown *mediation.Dispute
	for _, d := range list.Items {
		sessions, _ := store.Sessions(bg, d.ID)
		if len(sessions) >= 2 && d.Household != "" && len(d.Parties) == 2 && len(d.Mediators) >= 2 {
			shown = d
			break
		}
	}
	if shown == nil {
		t.Fatal("no settled case with sessions in the demo")
	}

	ctx := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)
	desk := emulation.SetDeviceMetricsOverride(1280, 900, 1, false)
	step(t, ctx, "sign in",
		desk,
		chromedp.Navigate(env.URL+"/login?next=/disputes"),
		chromedp.WaitVisible("#identity", chromedp.ByQuery),
		chromedp.SendKeys("#identity", "330100", chromedp.ByQuery),
		chromedp.SendKeys("#password", apptest.Password, chromedp.ByQuery),
		tap("button[type=submit]"),
		chromedp.WaitVisible("table.disputes-table", chromedp.ByQuery),
	)
	fonts := `document.fonts.ready.then(() => document.fonts.status === "loaded")`
	apptest.WaitJS(t, ctx, 10*time.Second, "the fonts", fonts)
	var listPNG, casePNG, agreementPNG, figuresPNG []byte
	step(t, ctx, "capture the list", chromedp.CaptureScreenshot(&listPNG))

	step(t, ctx, "open the figures",
		chromedp.Navigate(env.URL+"/disputes/figures"),
		chromedp.WaitVisible("#mediation-figures table", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 10*time.Second, "the fonts", fonts)
	step(t, ctx, "capture the figures", chromedp.FullScreenshot(&figuresPNG, 100))

	step(t, ctx, "open a case",
		chromedp.Navigate(env.URL+"/disputes/"+shown.ID),
		chromedp.WaitVisible("ol.sessions li.session", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 10*time.Second, "the fonts", fonts)
	step(t, ctx, "capture the case", chromedp.FullScreenshot(&casePNG, 100))

	// The agreement as it prints: print media at the width of A4.
	step(t, ctx, "open the agreement as printed",
		chromedp.Navigate(env.URL+"/disputes/"+shown.ID+"/agreement"),
		chromedp.WaitVisible("#agreement", chromedp.ByQuery),
		emulation.SetDeviceMetricsOverride(794, 1123, 1, false),
		emulation.SetEmulatedMedia().WithMedia("print"),
	)
	apptest.WaitJS(t, ctx, 10*time.Second, "the fonts", fonts)
	step(t, ctx, "capture the agreement", chromedp.FullScreenshot(&agreementPNG, 100))
	t.Run("the demo's agreement prints on one page", func(t *testing.T) {
		if n := pdfPages(printPDF(t, ctx)); n != 1 {
			t.Fatalf("%d pages", n)
		}
	})

	step(t, ctx, "open the roster as printed",
		chromedp.Navigate(env.URL+"/mediators"),
		chromedp.WaitVisible("table.roster-table", chromedp.ByQuery),
	)
	var rosterPNG []byte
	step(t, ctx, "capture the roster", chromedp.FullScreenshot(&rosterPNG, 100))
	t.Run("the roster prints for the wall on one A4 portrait page", func(t *testing.T) {
		pdf := printPDF(t, ctx)
		w, h := pdfPageSize(t, pdf)
		if n := pdfPages(pdf); n != 1 || w > h {
			t.Fatalf("%d pages of %.0f × %.0f pt", n, w, h)
		}
	})

	for name, b := range map[string][]byte{"disputes.png": listPNG, "dispute.png": casePNG, "agreement.png": agreementPNG, "mediation-figures.png": figuresPNG, "roster.png": rosterPNG} {
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
