package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"zoufang/app/apptest"
)

// TestSharedPhone: a station phone changes hands. Officer A records a visit
// offline; A's session is gone (the phone was handed over) and officer C,
// who shares A's community, signs in. A's visit must not be pushed under
// C's name (the server would accept it: the household is in C's area); C is
// told whose it is; when A signs in again it goes up as A's.
func TestSharedPhone(t *testing.T) {
	env, ctx, hs := fieldEnv(t)
	env.Offline(t, ctx)
	recordVisit(t, ctx, "李秀英", hs[0].Address)
	visitID := currentVisitID(t, ctx)
	// The session is gone before the phone is back online (the phone was
	// handed over): its drain is refused as signed out, nothing is pushed.
	run(t, ctx, network.ClearBrowserCookies())
	env.Online(t, ctx)
	apptest.WaitJS(t, ctx, 10*time.Second, "the phone to learn it is signed out", `document.getElementById("sync-status").textContent.includes("登录已过期")`)
	colleague := env.NewOfficer("100003", "张丽华", "officer", env.CommunityA)
	var before float64
	if err := apptest.Eval(ctx, "Date.now()", &before); err != nil {
		t.Fatal(err)
	}
	env.SignInField(t, ctx, colleague)

	t.Run("the other officer's visit is not pushed under the colleague's name", func(t *testing.T) {
		// A drain under the colleague has run to its end.
		apptest.WaitJS(t, ctx, 10*time.Second, "a drain under the colleague", `import("/assets/js/db.js").then(async (db) => {
			const st = await db.meta("sync_state");
			return st && st.last_ok && Date.parse(st.last_ok) > `+fmt.Sprint(int64(before))+`;
		})`)
		if n := env.Count(t, "visits", "", nil); n != 0 {
			t.Fatalf("%d visits on the server", n)
		}
		apptest.WaitJS(t, ctx, 5*time.Second, "Today to say whose records wait", `document.getElementById("attention-list").textContent.includes("李卫东")`)
		var aTokens int
		apptest.Eval(ctx, `import("/assets/js/db.js").then(async (db) => (await db.getAll("tokens")).filter((tk) => tk.url.includes("/c/`+visitID+`.")).length)`, &aTokens)
		if aTokens != 0 {
			t.Fatal("the colleague's phone still holds A's token book")
		}
	})
	t.Run("when A signs in again the visit goes up as A's", func(t *testing.T) {
		run(t, ctx, network.ClearBrowserCookies())
		env.SignInField(t, ctx, env.OfficerA)
		apptest.WaitJS(t, ctx, 10*time.Second, "the outbox to empty", `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`)
		recs, err := env.App.FindRecordsByFilter("visits", "id = {:id}", "", 0, 0, map[string]any{"id": visitID})
		if err != nil || len(recs) != 1 || recs[0].GetString("officer") != env.OfficerA.Id {
			t.Fatalf("visits %v %v", recs, err)
		}
	})
}
