package app_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
)

// searchFinds is a JS condition: the officer's household search (over the
// phone's replica) finds the address.
func searchFinds(address string) string {
	return `import("/assets/js/db.js").then(async (db) => (await db.getAll("households")).some((h) => !h.archived && h.address === ` + jsString(address) + `))`
}

// TestHandoverReachesBothPhones: two officers have their phones open; the
// deputy chief hands officer A's community to officer C; within seconds
// C's phone holds the community's households and A's no longer does, and
// the visit A saved offline before the handover reaches the server once,
// as A's.
func TestHandoverReachesBothPhones(t *testing.T) {
	env, ctx, hs := fieldEnv(t)
	successor := env.NewOfficer("100009", "周永杰", "officer", env.CommunityB)
	cTab := apptest.NewTab(t, ctx, true)
	env.SignInField(t, cTab, successor)
	env.SpareTab(t, cTab)

	env.Offline(t, ctx)
	recordVisit(t, ctx, "李秀英", hs[0].Address)
	visitID := currentVisitID(t, ctx)

	res, _ := env.SignIn(env.Chief).PostForm("/handover/confirm", url.Values{"from": {env.OfficerA.Id}, "to": {successor.Id}, "communities": {env.CommunityA}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("handover: %d", res.StatusCode)
	}
	handed := time.Now()

	t.Run("within seconds the successor's phone holds the community's households", func(t *testing.T) {
		apptest.WaitJS(t, cTab, 10*time.Second, "the successor's replica to gain the area", searchFinds(hs[1].Address))
		t.Logf("the successor's phone had the area %v after the handover", time.Since(handed).Round(10*time.Millisecond))
		run(t, cTab,
			chromedp.Click(`nav.tabs a[href="/households"]`, chromedp.ByQuery),
			chromedp.WaitVisible("#screen-households", chromedp.ByQuery),
			chromedp.SendKeys("#hh-q", "王建华", chromedp.ByQuery),
		)
		apptest.WaitJS(t, cTab, 5*time.Second, "the successor's search to find it", `document.getElementById("hh-results").textContent.includes(`+jsString(hs[1].Address)+`)`)
	})

	env.Online(t, ctx)
	t.Run("the predecessor's phone sends the visit made before the handover, once, as theirs", func(t *testing.T) {
		apptest.WaitJS(t, ctx, 15*time.Second, "the outbox to empty", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0 && (await db.count("attention")) === 0)`)
		recs, err := env.App.FindRecordsByFilter("visits", "id = {:id}", "", 0, 0, map[string]any{"id": visitID})
		if err != nil || len(recs) != 1 || recs[0].GetString("officer") != env.OfficerA.Id {
			t.Fatalf("visits %v %v", recs, err)
		}
	})
	t.Run("and then no longer holds the area", func(t *testing.T) {
		apptest.WaitJS(t, ctx, 10*time.Second, "the predecessor's replica to drop the area", `(async () => !(await (`+searchFinds(hs[1].Address)+`)))()`)
	})
}
