package visits_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

func TestCoverage(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	now := time.Now()
	a := apptest.Officer(env.OfficerA)
	h1 := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Grid: env.GridA1, Building: "吴牙街1号"})
	h2 := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Grid: env.GridA1, Building: "吴牙街2号"})
	env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Grid: env.GridA2, Building: "吴牙街3号"})
	env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区1幢"})
	store := visits.NewStore(env.App)
	v1, _, err := store.Save(ctx, a, visits.Input{Household: h1.ID, VisitedAt: now, Outcome: visits.OutcomeMet, WeChatAdded: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	long := now.AddDate(0, 0, -60)
	if _, _, err := store.Save(ctx, a, visits.Input{Household: h2.ID, VisitedAt: long, Outcome: visits.OutcomeMet}, long); err != nil {
		t.Fatal(err)
	}
	v3, _, err := store.Save(ctx, a, visits.Input{Household: h2.ID, VisitedAt: now, Outcome: visits.OutcomeNotHome}, now)
	if err != nil {
		t.Fatal(err)
	}
	confirm := func(visit string, rating int, denied bool) {
		coll, _ := env.App.FindCollectionByNameOrId("confirmations")
		r := core.NewRecord(coll)
		r.Set("visit", visit)
		r.Set("confirmed_at", now)
		r.Set("rating", rating)
		r.Set("denied", denied)
		if err := env.App.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	confirm(v1.ID, 4, false)
	confirm(v3.ID, 0, true)

	cov, err := visits.NewStore(env.App).Coverage(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the station counts households, recent visits, never visited and WeChat", func(t *testing.T) {
		s := cov.Station
		if s.Households != 4 || s.Visited30 != 1 || s.Visited90 != 2 || s.Never != 2 || s.WeChat != 1 {
			t.Fatalf("station %+v", s)
		}
	})
	t.Run("each officer's row covers their communities and their last 30 days", func(t *testing.T) {
		var rowA visits.CoverageRow
		for _, r := range cov.Officers {
			if strings.Contains(r.Label, "李卫东") {
				rowA = r
			}
		}
		if rowA.Households != 3 || rowA.Visits30 != 2 || rowA.Confirmed30 != 1 || rowA.Denied30 != 1 || rowA.Rated != 1 || rowA.RatingSum != 4 {
			t.Fatalf("officer A %+v", rowA)
		}
	})
	t.Run("grids split their community", func(t *testing.T) {
		n := 0
		for _, g := range cov.Grids {
			if g.Community == env.CommunityA {
				n += g.Households
			}
		}
		if n != 3 {
			t.Fatalf("community A's grids hold %d households", n)
		}
	})
	t.Run("the page is the deputy chief's only", func(t *testing.T) {
		res, body := env.SignIn(env.Chief).Get("/coverage")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "全所共 4 户") || !strings.Contains(body, "/households?community=") {
			t.Fatalf("status %d", res.StatusCode)
		}
		if res, _ := env.SignIn(env.OfficerA).Get("/coverage"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("officer: %d", res.StatusCode)
		}
	})
}
