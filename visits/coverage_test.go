package visits_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/xuri/excelize/v2"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
	"zoufang/visits"
)

// coverageStation is a hand-built station whose figures are counted by
// hand below.
type coverageStation struct {
	env      *apptest.Env
	officerC *core.Record
	weekHome map[string]int // officer → homes met this week (by hand)
}

func at(days int) time.Time { return time.Now().Add(-time.Duration(days)*24*time.Hour - time.Hour) }

func newCoverageStation(t *testing.T) *coverageStation {
	t.Helper()
	env := apptest.New(t)
	cs := &coverageStation{env: env, weekHome: map[string]int{}}
	ctx := context.Background()
	st := station.DefaultSettings()
	start, _ := st.DayBounds(time.Now())
	weekStart := start.AddDate(0, 0, -((int(start.In(st.Location()).Weekday()) + 6) % 7))
	n := 0
	hh := func(o *core.Record, comm, grid, building string) *households.Household {
		n++
		return env.Household(o, households.Input{Community: comm, Grid: grid, Building: building, Phones: []string{"1380013" + strconv.Itoa(8000+n)}})
	}
	h1 := hh(env.OfficerA, env.CommunityA, env.GridA1, "吴牙街1号")
	h2 := hh(env.OfficerA, env.CommunityA, env.GridA1, "吴牙街2号")
	h3 := hh(env.OfficerA, env.CommunityA, env.GridA1, "吴牙街3号")
	h4 := hh(env.OfficerA, env.CommunityA, env.GridA1, "吴牙街44号")
	h5 := hh(env.OfficerA, env.CommunityA, env.GridA2, "吴牙街555号")
	hh(env.OfficerA, env.CommunityA, env.GridA2, "吴牙街6666号") // h6: never visited
	h7 := hh(env.OfficerB, env.CommunityB, env.GridB1, "贡院小区7幢")
	h8 := hh(env.OfficerB, env.CommunityB, env.GridB1, "贡院小区8幢8")
	cs.officerC = env.NewOfficer("100003", "张丽华", station.RoleOfficer, env.CommunityB)

	a, b := env.SignIn(env.OfficerA), env.SignIn(env.OfficerB)
	var bookA, bookB tokensAnswer
	a.PostJSON("/sync/tokens", map[string]any{"device": id("phonea"), "held": []string{}}, &bookA)
	b.PostJSON("/sync/tokens", map[string]any{"device": id("phoneb"), "held": []string{}}, &bookB)
	pushed := func(c *apptest.Client, tk visits.Token, h *households.Household, when time.Time, outcome string, wechat bool) visits.Token {
		v := visit(tk.VisitID, h.ID, when)
		v["outcome"], v["wechat_added"] = outcome, wechat
		if r := push(t, c, map[string]any{"visits": []any{v}}).Results[0]; r.Status != "created" {
			t.Fatalf("push: %+v", r)
		}
		return tk
	}
	old := func(o *core.Record, h *households.Household, when time.Time, outcome string) {
		if _, _, err := visits.NewStore(env.App).Save(ctx, apptest.Officer(o), visits.Input{Household: h.ID, VisitedAt: when, Outcome: outcome}, when.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	countWeek := func(o *core.Record, when time.Time) {
		if !when.Before(weekStart) {
			cs.weekHome[o.Id]++
		}
	}
	resident := func(tk visits.Token, form url.Values) {
		if res, _ := env.Anonymous().PostForm(strings.TrimPrefix(tk.URL, env.URL), form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer: %d", res.StatusCode)
		}
	}
	// Officer A.
	resident(pushed(a, bookA.Tokens[0], h1, at(5), "met", true), url.Values{"visited": {"yes"}, "rating": {"5"}})
	countWeek(env.OfficerA, at(5))
	old(env.OfficerA, h2, at(45), "met")
	pushed(a, bookA.Tokens[1], h3, at(3), "met", false)
	countWeek(env.OfficerA, at(3))
	resident(pushed(a, bookA.Tokens[2], h4, at(2), "not_home", false), url.Values{"visited": {"no"}})
	old(env.OfficerA, h5, at(100), "met")
	// Officer B.
	resident(pushed(b, bookB.Tokens[0], h7, at(1), "met", true), url.Values{"visited": {"yes"}, "rating": {"3"}})
	countWeek(env.OfficerB, at(1))
	pushed(b, bookB.Tokens[1], h8, at(0), "refused", false)
	// Officer C met h8 ten days ago, then moved to community A.
	old(cs.officerC, h8, at(10), "met")
	cs.officerC.Set("communities", []string{env.CommunityA})
	if err := env.App.Save(cs.officerC); err != nil {
		t.Fatal(err)
	}
	// h3 is archived: it leaves the registry's figures, its visit stays A's.
	if _, err := households.NewStore(env.App).SetArchived(ctx, apptest.Officer(env.Chief), h3.ID, true); err != nil {
		t.Fatal(err)
	}
	return cs
}

type want struct {
	households, v30, v90, never, wechat int
	visits, confirmed, denied, rated    int
	avg                                 string
}

func check(t *testing.T, label string, f visits.Figures, w want) {
	t.Helper()
	got := want{f.Households, f.Visited30, f.Visited90, f.Never, f.WeChat, f.Visits, f.Confirmed, f.Denied, f.Rated, f.AverageRating()}
	if got != w {
		t.Errorf("%s:\n got %+v\nwant %+v", label, got, w)
	}
}

func TestCoverageFigures(t *testing.T) {
	cs := newCoverageStation(t)
	env := cs.env
	store := visits.NewStore(env.App)
	st := station.DefaultSettings()
	ctx := context.Background()
	cov, err := store.Coverage(ctx, visits.Scope{}, st, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the station counts active households only and the last 30 days' visits of everyone", func(t *testing.T) {
		check(t, "station", cov.Total.F, want{households: 7, v30: 3, v90: 4, never: 2, wechat: 2, visits: 6, confirmed: 2, denied: 1, rated: 2, avg: "4.0"})
		if got := cov.Total.F.Satisfaction(); got != "33%" {
			t.Errorf("群众满意度 %s, want 1 of (2 rated + 1 denied) = 33%%", got)
		}
	})
	t.Run("each community counts its own households and the visits to them", func(t *testing.T) {
		byLabel := map[string]visits.Figures{}
		for _, r := range cov.Areas {
			byLabel[r.Label] = r.F
		}
		check(t, "吴牙社区", byLabel["吴牙社区"], want{households: 5, v30: 1, v90: 2, never: 2, wechat: 1, visits: 3, confirmed: 1, denied: 1, rated: 1, avg: "5.0"})
		check(t, "贡院社区", byLabel["贡院社区"], want{households: 2, v30: 2, v90: 2, never: 0, wechat: 1, visits: 3, confirmed: 1, denied: 0, rated: 1, avg: "3.0"})
	})
	t.Run("each officer counts their communities' households and their own visits", func(t *testing.T) {
		byID := map[string]visits.Row{}
		for _, r := range cov.Officers {
			byID[r.Scope.Officer] = r
		}
		check(t, "A", byID[env.OfficerA.Id].F, want{households: 5, v30: 1, v90: 2, never: 2, wechat: 1, visits: 3, confirmed: 1, denied: 1, rated: 1, avg: "5.0"})
		check(t, "B", byID[env.OfficerB.Id].F, want{households: 2, v30: 2, v90: 2, never: 0, wechat: 1, visits: 2, confirmed: 1, denied: 0, rated: 1, avg: "3.0"})
		// C moved to community A: A's households, and C's own visit in B.
		check(t, "C", byID[cs.officerC.Id].F, want{households: 5, v30: 1, v90: 2, never: 2, wechat: 1, visits: 1, confirmed: 0, denied: 0, rated: 0, avg: "—"})
		if byID[env.Chief.Id].Label != "" {
			t.Error("the deputy chief is listed as an officer")
		}
	})
	t.Run("this week's homes are counted against the visit days' targets", func(t *testing.T) {
		for _, r := range cov.Officers {
			if r.F.WeekHomes != cs.weekHome[r.Scope.Officer] {
				t.Errorf("%s: %d homes this week, want %d", r.Label, r.F.WeekHomes, cs.weekHome[r.Scope.Officer])
			}
		}
	})
	t.Run("a community's grids split it", func(t *testing.T) {
		c, err := store.Coverage(ctx, visits.Scope{Community: env.CommunityA}, st, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		byLabel := map[string]visits.Figures{}
		for _, r := range c.Areas {
			byLabel[r.Label] = r.F
		}
		check(t, "第一网格", byLabel["第一网格"], want{households: 3, v30: 1, v90: 2, never: 1, wechat: 1, visits: 3, confirmed: 1, denied: 1, rated: 1, avg: "5.0"})
		check(t, "第二网格", byLabel["第二网格"], want{households: 2, v30: 0, v90: 0, never: 1, wechat: 0, visits: 0, avg: "—"})
		if len(c.Officers) != 2 { // A, and C who moved in
			t.Errorf("%d officers cover 吴牙社区, want 2", len(c.Officers))
		}
	})
}

// TestEveryNumberLinksToWhatItCounts follows each number of the coverage
// page's rows to the list it links to and checks the list holds exactly
// that many households or visits.
func TestEveryNumberLinksToWhatItCounts(t *testing.T) {
	cs := newCoverageStation(t)
	chief := cs.env.SignIn(cs.env.Chief)
	for _, page := range []string{"/coverage", "/coverage?community=" + cs.env.CommunityA, "/coverage?officer=" + cs.env.OfficerA.Id} {
		_, body := chief.Get(page)
		links := regexp.MustCompile(`<a href="(/(?:households|coverage/visits)\?[^"]+)">(\d+)</a>`).FindAllStringSubmatch(body, -1)
		if len(links) < 10 {
			t.Fatalf("%s: %d numbers with links", page, len(links))
		}
		for _, l := range links {
			href := strings.ReplaceAll(l[1], "&amp;", "&")
			_, list := chief.Get(href)
			m := regexp.MustCompile(`data-total="(\d+)"`).FindStringSubmatch(list)
			if m == nil {
				t.Errorf("%s → %s: the list says no total", page, href)
				continue
			}
			if m[1] != l[2] {
				t.Errorf("%s: the number %s links to %s, which lists %s", page, l[2], href, m[1])
			}
			// The list's export holds the same visits, row by row.
			if rest, ok := strings.CutPrefix(href, "/coverage/visits?"); ok {
				res, file := chief.Get("/coverage/visits.xlsx?" + rest)
				f, err := excelize.OpenReader(strings.NewReader(file))
				if res.StatusCode != http.StatusOK || err != nil {
					t.Errorf("%s.xlsx: status %d, %v", href, res.StatusCode, err)
					continue
				}
				rows, _ := f.GetRows("Sheet1")
				if got := strconv.Itoa(len(rows) - 1); got != m[1] {
					t.Errorf("%s: the list holds %s visits, its workbook %s", href, m[1], got)
				}
			}
		}
	}
}

func TestCoverageOfAnEmptyStation(t *testing.T) {
	env := apptest.New(t)
	cov, err := visits.NewStore(env.App).Coverage(context.Background(), visits.Scope{}, station.DefaultSettings(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	check(t, "empty station", cov.Total.F, want{avg: "—"})
	if cov.Total.F.Satisfaction() != "—" || len(cov.Trend) == 0 {
		t.Fatalf("satisfaction %s, %d trend days", cov.Total.F.Satisfaction(), len(cov.Trend))
	}
	for _, f := range cov.Flags {
		if len(f.Items) != 0 {
			t.Errorf("flag %s raised on an empty station", f.Key)
		}
	}
	chief := env.SignIn(env.Chief)
	for _, p := range []string{"/coverage", "/coverage.xlsx", "/coverage?community=" + env.CommunityA, "/coverage?officer=" + env.OfficerA.Id, "/coverage/visits?days=30"} {
		if res, _ := chief.Get(p); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	if res, _ := env.SignIn(env.OfficerA).Get("/coverage"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an officer opened /coverage: %d", res.StatusCode)
	}
}

// TestAnExportReadsEveryVisitPageByPage: the visit list's export reads a
// page at a time, each page after the last visit of the one before; with
// pages of 1 to 7 it gives every visit the list holds, in the list's order,
// once.
func TestAnExportReadsEveryVisitPageByPage(t *testing.T) {
	cs := newCoverageStation(t)
	store := visits.NewStore(cs.env.App)
	ctx := context.Background()
	// Visits made at the same instant: a page may end inside them.
	same := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	for i := range 5 {
		h := cs.env.Household(cs.env.OfficerA, households.Input{Community: cs.env.CommunityA, Grid: cs.env.GridA2, Building: fmt.Sprintf("同时楼%d号", i+1)})
		if _, _, err := store.Save(ctx, apptest.Officer(cs.env.OfficerA), visits.Input{Household: h.ID, VisitedAt: same, Outcome: visits.OutcomeMet}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []visits.VisitQuery{{}, {Scope: visits.Scope{Officer: cs.env.OfficerA.Id}}, {Scope: visits.Scope{Community: cs.env.CommunityB}}} {
		all, total, err := store.ListVisits(ctx, q, 100000)
		if err != nil || total < 3 {
			t.Fatalf("%+v: %d visits (%v): too few to page", q, total, err)
		}
		for page := 1; page <= 7; page++ {
			var got []string
			err := store.EachVisitBy(ctx, q, page, func(v visits.ListedVisit) error { got = append(got, v.ID); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(all) {
				t.Fatalf("%+v, pages of %d: %d visits, the list has %d", q, page, len(got), len(all))
			}
			for i := range all {
				if got[i] != all[i].ID {
					t.Fatalf("%+v, pages of %d: visit %d is %s, the list's is %s", q, page, i, got[i], all[i].ID)
				}
			}
		}
	}
}
