package visits_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

// TestBoardAgreesWithTargets: the board counts in SQL what ComputeTargets
// counts in Go; an officer must see the same numbers on their rings as the
// deputy chief sees on the board.
func TestBoardAgreesWithTargets(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	store := visits.NewStore(env.App)
	st := env.Server.Settings()
	now := time.Now()
	a, b := apptest.Officer(env.OfficerA), apptest.Officer(env.OfficerB)
	h1 := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街1号"})
	h2 := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街2号"})
	h3 := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区1幢"})
	start, _ := st.DayBounds(now)
	early := start.Add(time.Minute) // today, whatever the hour
	saves := []struct {
		officer bool // true: A
		in      visits.Input
	}{
		{true, visits.Input{Household: h1.ID, VisitedAt: early, Outcome: visits.OutcomeMet, WeChatAdded: true}},
		{true, visits.Input{Household: h1.ID, VisitedAt: early.Add(time.Minute), Outcome: visits.OutcomeMet, WeChatAdded: true}},
		{true, visits.Input{Household: h2.ID, VisitedAt: early.Add(2 * time.Minute), Outcome: visits.OutcomeNotHome}},
		{true, visits.Input{Household: h2.ID, VisitedAt: start.Add(-time.Hour), Outcome: visits.OutcomeMet}}, // yesterday
		{false, visits.Input{Household: h3.ID, VisitedAt: early, Outcome: visits.OutcomeMet}},
	}
	for _, s := range saves {
		o := b
		if s.officer {
			o = a
		}
		if _, _, err := store.Save(ctx, o, s.in, now); err != nil {
			t.Fatal(err)
		}
	}
	board, err := visits.NewStore(env.App).Board(ctx, st, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(board.Officers) != 2 {
		t.Fatalf("%d officers on the board", len(board.Officers))
	}
	for _, row := range board.Officers {
		tg, err := store.Targets(ctx, row.ID, st, now)
		if err != nil {
			t.Fatal(err)
		}
		if row.Homes != tg.Homes || row.WeChat != tg.WeChat {
			t.Errorf("%s: board %d/%d, targets %d/%d", row.Name, row.Homes, row.WeChat, tg.Homes, tg.WeChat)
		}
		if row.ID == env.OfficerA.Id && (row.Homes != 1 || row.WeChat != 1) {
			t.Errorf("officer A: %d homes %d wechat, want 1 and 1", row.Homes, row.WeChat)
		}
	}
	t.Run("each row links to the officer's day: their visits today and no others", func(t *testing.T) {
		chief := env.SignIn(env.Chief)
		_, body := chief.Get("/board")
		m := regexp.MustCompile(`<a href="(/coverage/visits\?[^"]*officer=` + env.OfficerA.Id + `[^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no link to officer A's day on the board")
		}
		res, list := chief.Get(html.UnescapeString(m[1]))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		tbody := list[strings.Index(list, "<tbody>"):strings.Index(list, "</tbody>")]
		if n := strings.Count(tbody, "<tr"); n != 3 || strings.Contains(tbody, "贡院") {
			t.Fatalf("%d visits listed, want officer A's 3 of today", n)
		}
	})
}
