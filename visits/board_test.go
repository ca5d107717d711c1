package visits_test

import (
	"context"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
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

// TestBoardEqualsARecount: the board reads the running figures kept in the
// visits' transactions (visit_days). After random pushes (today and on
// other days), edits within the edit window (outcome, WeChat, the time
// moved across midnight), edits refused once the window has closed,
// deletions in /_/, every officer's homes, new contacts and last visit on
// the board are what a recount from the visits gives, an officer with no
// visit included.
func TestBoardEqualsARecount(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 5))
	var hs []*households.Household
	for i := 0; i < 7; i++ {
		comm, o := env.CommunityA, env.OfficerA
		if i%2 == 1 {
			comm, o = env.CommunityB, env.OfficerB
		}
		hs = append(hs, env.Household(o, households.Input{Community: comm, Building: fmt.Sprintf("吴牙街%d号", i+1)}))
	}
	idle := env.NewOfficer("100009", "赵空闲", station.RoleOfficer, env.CommunityA)
	a, b := env.SignIn(env.OfficerA), env.SignIn(env.OfficerB)
	admin := env.Superuser()
	st := env.Server.Settings()
	now := time.Now()
	start, _ := st.DayBounds(now)
	when := func() time.Time {
		if rng.IntN(2) == 0 && now.Sub(start) > time.Minute {
			return start.Add(time.Duration(rng.Int64N(int64(now.Sub(start)))))
		}
		return now.Add(-time.Duration(1+rng.IntN(72)) * time.Hour)
	}
	refused := 0
	for i := 0; i < 80; i++ {
		h := hs[rng.IntN(len(hs))]
		c := a
		if h.Community == env.CommunityB {
			c = b
		}
		vid := fmt.Sprintf("b%014d", i)
		v := visit(vid, h.ID, when())
		v["outcome"] = []string{"met", "met", "not_home", "refused"}[rng.IntN(4)]
		v["wechat_added"] = v["outcome"] == "met" && rng.IntN(3) == 0
		push(t, c, map[string]any{"visits": []any{v}})
		switch rng.IntN(6) {
		case 0: // an edit within the window, perhaps to another day
			v["outcome"] = "met"
			v["wechat_added"] = rng.IntN(2) == 0
			v["visited_at"] = when().UTC().Format(time.RFC3339Nano)
			push(t, c, map[string]any{"visits": []any{v}})
		case 1: // the window closes; a later edit is refused
			rec, err := env.App.FindRecordById(visits.Collection, vid)
			if err != nil {
				t.Fatal(err)
			}
			rec.Set("received_at", now.Add(-visits.EditWindow-time.Hour))
			if err := env.App.Save(rec); err != nil {
				t.Fatal(err)
			}
			v["notes"] = "窗口关闭后再改"
			if got := push(t, c, map[string]any{"visits": []any{v}}).Results[0].Status; got != "conflict" {
				t.Fatalf("an edit after the window: %s", got)
			}
			refused++
		case 2: // a superuser deletes it in /_/
			admin.Send(http.MethodDelete, "/api/collections/visits/records/"+vid, nil, nil)
		}
	}
	if refused == 0 {
		t.Fatal("no edit was refused: the case tests less than it says")
	}
	board, err := visits.NewStore(env.App).Board(ctx, st, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	end := start.AddDate(0, 0, 1)
	type figures struct {
		Homes, WeChat int
		Last          string
	}
	if len(board.Officers) != 3 {
		t.Fatalf("%d officers on the board, want 3", len(board.Officers))
	}
	for _, row := range board.Officers {
		var want figures
		err := env.App.DB().NewQuery(`SELECT
			COUNT(DISTINCT CASE WHEN outcome = 'met' AND kind != 'holiday_check' AND visited_at >= {:from} AND visited_at < {:to} THEN household END) AS homes,
			COALESCE(SUM(CASE WHEN visited_at >= {:from} AND visited_at < {:to} THEN wechat_new END), 0) AS wechat,
			COALESCE(MAX(visited_at), '') AS last FROM visits WHERE officer = {:o}`).
			Bind(map[string]any{"from": station.DBTime(start), "to": station.DBTime(end), "o": row.ID}).Row(&want.Homes, &want.WeChat, &want.Last)
		if err != nil {
			t.Fatal(err)
		}
		got := figures{Homes: row.Homes, WeChat: row.WeChat}
		if row.LastVisitAt != nil {
			got.Last = station.DBTime(*row.LastVisitAt)
		}
		if got != want {
			t.Errorf("%s: board %+v, recount %+v", row.Name, got, want)
		}
		if row.ID == idle.Id && (got != figures{}) {
			t.Errorf("the officer with no visit shows %+v", got)
		}
	}
}
