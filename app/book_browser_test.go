package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

// TestVisitBookPrintsThePagesItStates: the visit book says how many A4
// pages it prints on, and Chromium's print-to-PDF prints exactly that many,
// long notes and addresses included; on a desk its columns are readable
// (the address and notes columns are not crushed).
func TestVisitBookPrintsThePagesItStates(t *testing.T) {
	env := apptest.New(t)
	bg := context.Background()
	a := apptest.Officer(env.OfficerA)
	store := visits.NewStore(env.App)
	loc := env.Server.Settings().Location()
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, loc)
	var hh []*households.Household
	for i := range 8 {
		hh = append(hh, env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "浙大御跸小区" + strconv.Itoa(i+1) + "幢",
			Unit: "2", Room: strconv.Itoa(301 + i), HeadName: "李秀英"}))
	}
	long := strings.Repeat("老人反映楼道灯坏了很久，已联系物业；", 9)
	for i := range 57 {
		at := month.AddDate(0, 0, i/3).Add(14*time.Hour + time.Duration(i%3)*40*time.Minute)
		notes := "入户了解情况，宣传反诈。"
		if i%5 == 0 {
			notes = long // a long note every fifth visit
		}
		in := visits.Input{Household: hh[i%len(hh)].ID, VisitedAt: at, Outcome: visits.OutcomeMet, Notes: notes, Concerns: []string{"诈骗风险"}}
		if _, _, err := store.Save(bg, a, in, at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}

	desk := chiefDesk(t, apptest.Timeout(t, apptest.Browser(t), 90*time.Second), env, env.Chief)
	run(t, desk,
		chromedp.Navigate(env.URL+"/visits/book?month=2026-11&officer="+env.OfficerA.Id),
		chromedp.WaitVisible("#book-sheets", chromedp.ByQuery),
	)
	var stated int
	if err := apptest.Eval(desk, `Number(document.getElementById("book-sheets").dataset.sheets)`, &stated); err != nil || stated < 3 {
		t.Fatalf("the book states %d pages (%v): 57 visits with long notes need several", stated, err)
	}
	t.Run("on a desk no column is crushed", func(t *testing.T) {
		var widths []float64
		if err := apptest.Eval(desk, `[...document.querySelector("table.book tbody tr").querySelectorAll("td")].map((td) => td.getBoundingClientRect().width)`, &widths); err != nil || len(widths) != 8 {
			t.Fatalf("widths %v (%v)", widths, err)
		}
		if widths[1] < 150 || widths[4] < 220 {
			t.Fatalf("address %.0f px, notes %.0f px", widths[1], widths[4])
		}
	})
	t.Run("the printout has exactly the stated pages, on A4 landscape", func(t *testing.T) {
		pdf := printPDF(t, desk)
		if n := pdfPages(pdf); n != stated {
			t.Fatalf("printed %d pages, the book says %d", n, stated)
		}
		if w, h := pdfPageSize(t, pdf); w < h {
			t.Fatalf("page %.0f×%.0f pt is not landscape", w, h)
		}
	})
}
