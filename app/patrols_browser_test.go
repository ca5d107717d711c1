package app_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/demo"
	"zoufang/patrols"
	"zoufang/station"
)

// signInBrowser signs rec in through the real form with password and waits
// for the page it lands on to have loaded.
func signInBrowser(t *testing.T, ctx context.Context, env *apptest.Env, rec *core.Record, password string) {
	t.Helper()
	run(t, ctx,
		apptest.SignIn(env.URL, rec.GetString("badge"), password, ""),
		chromedp.WaitNotPresent("#password", chromedp.ByQuery),
	)
}

// TestPraiseWithoutJavaScript: a resident opens the praise board with
// scripts off (WeChat's browser as some have it): it shows the deeds, and
// prints as an A4 portrait poster (A3 when asked).
func TestPraiseWithoutJavaScript(t *testing.T) {
	env := apptest.New(t)
	store := patrols.NewStore(env.App, env.Server.Households, env.Server.Settings)
	if _, err := store.SaveDeed(context.Background(), apptest.Officer(env.Chief), "", patrols.DeedInput{
		Name: "张阿姨", Community: env.CommunityA, Date: "2026-03-05", Kind: "honesty", Story: "拾到钱包一个，当晚交还失主。", Consent: true, Published: true,
	}); err != nil {
		t.Fatal(err)
	}
	browser := apptest.Timeout(t, apptest.Browser(t), 60*time.Second)
	resident := apptest.NewTab(t, browser, true)
	var board string
	run(t, resident,
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Navigate(env.URL+"/praise"),
		chromedp.WaitVisible(".praise-card", chromedp.ByQuery),
		chromedp.Text("main", &board, chromedp.ByQuery),
	)
	t.Run("the board shows the deed with scripts off", func(t *testing.T) {
		if !strings.Contains(board, "张阿姨") || !strings.Contains(board, "拾到钱包一个") || !strings.Contains(board, "累计受表扬 1 次") {
			t.Fatalf("board %q", board)
		}
	})
	pageSize := func(t *testing.T, path string) [2]float64 {
		t.Helper()
		var pdf []byte
		run(t, resident,
			chromedp.Navigate(env.URL+path),
			chromedp.WaitVisible(".praise-card", chromedp.ByQuery),
			chromedp.ActionFunc(func(ctx context.Context) error {
				var err error
				pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
				return err
			}),
		)
		m := regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`).FindSubmatch(pdf)
		if m == nil {
			t.Fatal("no page size in the PDF")
		}
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		return [2]float64{w, h}
	}
	near := func(got [2]float64, w, h float64) bool { return math.Abs(got[0]-w) < 3 && math.Abs(got[1]-h) < 3 }
	// In PDF points: A4 is 595×842, A3 842×1191 (portrait).
	t.Run("it prints as an A4 portrait poster", func(t *testing.T) {
		if got := pageSize(t, "/praise"); !near(got, 595, 842) {
			t.Fatalf("page %v", got)
		}
	})
	t.Run("and as an A3 one when asked", func(t *testing.T) {
		if got := pageSize(t, "/praise?paper=a3"); !near(got, 842, 1191) {
			t.Fatalf("page %v", got)
		}
	})
}

// TestMapTapToPlace: on the patrol map an officer taps where a point goes;
// js/map.js fills in its position and the plain form saves it.
func TestMapTapToPlace(t *testing.T) {
	env := apptest.New(t)
	browser := apptest.Timeout(t, apptest.Browser(t), 60*time.Second)
	ctx := apptest.NewTab(t, browser, true)
	apptest.Logs(t, ctx)
	signInBrowser(t, ctx, env, env.Chief, apptest.Password)
	run(t, ctx,
		emulation.SetDeviceMetricsOverride(1200, 900, 1, false),
		chromedp.Navigate(env.URL+"/patrols/map?community="+env.CommunityA),
		chromedp.WaitVisible("#map-svg", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "map.js to run", `!document.getElementById("map-tap-hint").hidden`)
	// Tap at three quarters across and a quarter down the sheet.
	var box []float64
	if err := apptest.Eval(ctx, `(() => { const r = document.getElementById("map-svg").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`, &box); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.MouseClickXY(box[0]+0.75*box[2], box[1]+0.25*box[3]))
	apptest.WaitJS(t, ctx, 5*time.Second, "the position to be filled in", `document.querySelector("#point-form [name=x]").value !== ""`)
	var x, y string
	apptest.Eval(ctx, `document.querySelector("#point-form [name=x]").value`, &x)
	apptest.Eval(ctx, `document.querySelector("#point-form [name=y]").value`, &y)
	t.Run("the tap fills in where it landed, as fractions of the map", func(t *testing.T) {
		if !strings.HasPrefix(x, "0.7") || !strings.HasPrefix(y, "0.2") {
			t.Fatalf("x %s y %s", x, y)
		}
		var shown bool
		apptest.Eval(ctx, `!document.getElementById("map-preview").hasAttribute("hidden")`, &shown)
		if !shown {
			t.Fatal("no preview of the new point")
		}
	})
	run(t, ctx,
		chromedp.SetValue("#point-form [name=kind]", "camera", chromedp.ByQuery),
		chromedp.SendKeys("#point-form [name=label]", "北口监控", chromedp.ByQuery),
		chromedp.Submit("#point-form", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the map again after the save", `location.search.includes("done=point") && document.readyState === "complete"`)
	t.Run("the form saves the point, and the map draws it", func(t *testing.T) {
		recs, err := env.App.FindRecordsByFilter(patrols.PointsCollection, "label = '北口监控'", "", 0, 0)
		if err != nil || len(recs) != 1 || recs[0].GetFloat("x") < 0.74 || recs[0].GetFloat("x") > 0.76 || recs[0].GetString("kind") != "camera" {
			t.Fatalf("points %v %v", recs, err)
		}
		apptest.WaitJS(t, ctx, 5*time.Second, "the new point on the map", `!!document.getElementById("pt-`+recs[0].Id+`")`)
	})
}

// TestPatrolScreenshots captures the patrol map of the demo's 吴牙社区 and
// the praise board in a desktop-sized Chromium. With
// ZOUFANG_SCREENSHOTS=<dir> it writes them there (docs/screenshots holds
// the committed ones); otherwise it checks they render.
func TestPatrolScreenshots(t *testing.T) {
	env := apptest.NewDemo(t, 600)
	wuya, err := env.App.FindFirstRecordByData("communities", "code", "wuya")
	if err != nil {
		t.Fatal(err)
	}
	chief, err := env.App.FindFirstRecordByData("officers", "role", station.RoleDeputyChief)
	if err != nil {
		t.Fatal(err)
	}
	browser := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)
	ctx := apptest.NewTab(t, browser, true)
	apptest.Logs(t, ctx)
	signInBrowser(t, ctx, env, chief, demo.Password)
	run(t, ctx,
		emulation.SetDeviceMetricsOverride(1280, 900, 1, false),
		chromedp.Navigate(env.URL+"/patrols/map?community="+wuya.Id),
		chromedp.WaitVisible("#map-svg", chromedp.ByQuery),
	)
	// Wait for what the picture shows: the plan decoded, the fonts in.
	apptest.WaitJS(t, ctx, 10*time.Second, "the plan image", `(() => { const i = document.getElementById("map-plan"); return i && i.complete && i.naturalWidth > 0; })()`)
	apptest.WaitJS(t, ctx, 10*time.Second, "the fonts", `document.fonts.ready.then(() => document.fonts.status === "loaded")`)
	var marks int
	apptest.Eval(ctx, `document.querySelectorAll("#map-svg .points .pt").length`, &marks)
	if marks < 20 {
		t.Fatalf("%d points on the map", marks)
	}
	var mapShot []byte
	fitHeight(t, ctx, 1280)
	run(t, ctx, chromedp.Screenshot(`section.card:has(#map)`, &mapShot, chromedp.ByQuery))

	run(t, ctx,
		emulation.SetDeviceMetricsOverride(900, 1200, 1, false),
		chromedp.Navigate(env.URL+"/praise"),
		chromedp.WaitVisible(".praise-card", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 10*time.Second, "the fonts", `document.fonts.ready.then(() => document.fonts.status === "loaded")`)
	var praiseShot []byte
	fitHeight(t, ctx, 900)
	run(t, ctx, chromedp.Screenshot(`section.praise`, &praiseShot, chromedp.ByQuery))

	for name, b := range map[string][]byte{"patrol-map.png": mapShot, "praise-board.png": praiseShot} {
		if len(b) < 20_000 {
			t.Errorf("%s: %d bytes, not a real screenshot", name, len(b))
		}
		if dir := os.Getenv("ZOUFANG_SCREENSHOTS"); dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fitHeight makes the window as tall as the page, so an element shot
// needs no scrolling: a scrollbar that disappears while the shot is taken
// would narrow the page under it.
func fitHeight(t *testing.T, ctx context.Context, width int64) {
	t.Helper()
	var h int64
	if err := apptest.Eval(ctx, `document.documentElement.scrollHeight`, &h); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, emulation.SetDeviceMetricsOverride(width, h, 1, false))
	apptest.WaitJS(t, ctx, 5*time.Second, "the page to fit the window", `document.documentElement.clientWidth === `+strconv.FormatInt(width, 10))
}
