package visits_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

// dayRows is the visit_days table as text, row by row.
func dayRows(t *testing.T, env *apptest.Env) string {
	t.Helper()
	var rows []struct {
		Day, Officer, Community, Grid                                string
		Visits, Met, Homes, WeChatNew, Confirmed, Denied, Rated, Sum int
		R1, R2, R3, R4, R5                                           int
		Last                                                         string
	}
	err := env.App.DB().NewQuery(`SELECT day, officer, community, grid, visits, met, homes, wechat_new AS wechatnew, confirmed, denied, rated,
		rating_sum AS sum, r1, r2, r3, r4, r5, last_at AS last FROM visit_days WHERE visits > 0 ORDER BY day, officer, community, grid`).All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%+v\n", r)
	}
	return b.String()
}

// TestRunningFiguresEqualARecount: after random pushes, edits, deletions
// and residents' answers through every path, the running figures kept in
// the visits' transactions are exactly what a recount from the visits gives.
func TestRunningFiguresEqualARecount(t *testing.T) {
	env := apptest.New(t)
	rng := rand.New(rand.NewPCG(7, 11))
	var hs []*households.Household
	for i := 0; i < 6; i++ {
		comm, grid, o := env.CommunityA, env.GridA1, env.OfficerA
		if i%3 == 2 {
			comm, grid, o = env.CommunityB, env.GridB1, env.OfficerB
		} else if i%3 == 1 {
			grid = env.GridA2
		}
		hs = append(hs, env.Household(o, households.Input{Community: comm, Grid: grid, Building: fmt.Sprintf("吴牙街%d号", i+1)}))
	}
	a, b := env.SignIn(env.OfficerA), env.SignIn(env.OfficerB)
	admin := env.Superuser()
	now := time.Now()
	var book tokensAnswer
	a.PostJSON("/sync/tokens", map[string]any{"device": id("phonea"), "held": []string{}}, &book)
	var ids []string
	for i := 0; i < 60; i++ {
		h := hs[rng.IntN(len(hs))]
		c := a
		if h.Community == env.CommunityB {
			c = b
		}
		vid := fmt.Sprintf("v%014d", i)
		if c == a && i < len(book.Tokens) {
			vid = book.Tokens[i].VisitID
		}
		v := visit(vid, h.ID, now.Add(-time.Duration(rng.IntN(6*24))*time.Hour))
		v["outcome"] = []string{"met", "met", "not_home", "refused"}[rng.IntN(4)]
		v["wechat_added"] = v["outcome"] == "met" && rng.IntN(3) == 0
		push(t, c, map[string]any{"visits": []any{v}})
		ids = append(ids, vid)
		switch rng.IntN(6) {
		case 0: // an edit within the window
			v["outcome"] = "met"
			v["notes"] = "改"
			push(t, c, map[string]any{"visits": []any{v}})
		case 1: // a superuser deletes it in /_/
			admin.Send(http.MethodDelete, "/api/collections/visits/records/"+vid, nil, nil)
		}
	}
	// Residents answer some of the officer's QR tokens.
	for i, tk := range book.Tokens[:20] {
		form := url.Values{"visited": {"yes"}, "rating": {fmt.Sprint(1 + i%5)}}
		if i%4 == 0 {
			form = url.Values{"visited": {"no"}}
		}
		env.Anonymous().PostForm(strings.TrimPrefix(tk.URL, env.URL), form)
	}
	running := dayRows(t, env)
	if !strings.Contains(running, "Denied:1") || strings.Count(running, "Confirmed:0") == strings.Count(running, "Confirmed:") {
		t.Fatalf("the case has no answers to count:\n%s", running)
	}
	if err := visits.RebuildDays(context.Background(), env.App); err != nil {
		t.Fatal(err)
	}
	if recount := dayRows(t, env); recount != running {
		t.Fatalf("running figures differ from the recount\nrunning:\n%s\nrecount:\n%s", running, recount)
	}
}
