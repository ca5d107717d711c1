package app_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/i18n"
)

// TestBoardLiveInBrowser: the deputy chief watches the board in one
// browser while an officer records a visit in the field app in another;
// the officer's row moves without a reload.
func TestBoardLiveInBrowser(t *testing.T) {
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Grid: env.GridA1, Building: "柳营巷12号", HeadName: "李秀英"})
	browser := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)

	// The deputy chief's board, in a browser context of its own.
	chiefTab := apptest.NewTab(t, browser, true)
	apptest.Logs(t, chiefTab)
	run(t, chiefTab,
		apptest.SignIn(env.URL, env.Chief.GetString("badge"), apptest.Password, ""),
		chromedp.WaitVisible("#board-rows", chromedp.ByQuery),
	)
	homes := `document.querySelector('#board-rows tr[data-id="` + env.OfficerA.Id + `"] [data-f="homes"]')`
	apptest.WaitJS(t, chiefTab, 5*time.Second, "the board's live channel to open", `document.getElementById("board-live").textContent === `+jsString(i18n.T("board.live")))
	if got := text(t, chiefTab, `#board-rows tr[data-id="`+env.OfficerA.Id+`"] [data-f="homes"]`); got != "0/10" {
		t.Fatalf("officer A's homes before the visit: %q, want 0/10", got)
	}
	// A mark that a reload would wipe.
	run(t, chiefTab, chromedp.Evaluate(`window.notReloaded = true`, nil))

	// The officer's phone, in another.
	officerTab := apptest.NewTab(t, browser, true)
	apptest.Logs(t, officerTab)
	env.SignInField(t, officerTab, env.OfficerA)
	run(t, officerTab,
		chromedp.Navigate(env.URL+"/visits/new?household="+h.ID),
		chromedp.WaitVisible("#vf-save", chromedp.ByQuery),
	)
	apptest.WaitJS(t, officerTab, 5*time.Second, "the visit form to show the household", `document.getElementById("vf-address").textContent === `+jsString(h.Address))
	run(t, officerTab,
		chromedp.Click("#vf-save", chromedp.ByQuery),
		chromedp.WaitVisible("#screen-visit", chromedp.ByQuery),
	)
	saved := time.Now()

	t.Run("the officer's row on the board shows the visit without a reload", func(t *testing.T) {
		apptest.WaitJS(t, chiefTab, 5*time.Second, "officer A's row to show 1/10", homes+` && `+homes+`.textContent === "1/10"`)
		t.Logf("the board showed the visit %v after the field app saved it", time.Since(saved).Round(10*time.Millisecond))
		var same bool
		if err := apptest.Eval(chiefTab, `window.notReloaded === true`, &same); err != nil || !same {
			t.Fatalf("the board page was reloaded (%v)", err)
		}
	})
	t.Run("and shows the officer online", func(t *testing.T) {
		apptest.WaitJS(t, chiefTab, 5*time.Second, "officer A online",
			`document.querySelector('#board-rows tr[data-id="`+env.OfficerA.Id+`"] [data-f="online"]').textContent === `+jsString(i18n.T("board.is_online")))
	})
}
