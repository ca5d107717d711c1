package households_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
)

// TestAreaCountsFromTheIndexEqualSQL: the coverage review's household
// counts read from the search index equal the pass over the table, as
// households are added, visited, put on WeChat, archived and deleted (a
// deleted household is in no count and no search).
func TestAreaCountsFromTheIndexEqualSQL(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 2026))
	chief := apptest.Officer(env.Chief)
	store := households.NewStore(env.App)
	places := []struct{ community, grid string }{
		{env.CommunityA, ""}, {env.CommunityA, env.GridA1}, {env.CommunityA, env.GridA2},
		{env.CommunityB, ""}, {env.CommunityB, env.GridB1},
	}
	var ids []string
	add := func(i int) {
		p := places[rng.IntN(len(places))]
		h, err := store.Create(ctx, chief, households.Input{Community: p.community, Grid: p.grid, Building: fmt.Sprintf("计数路%d号", i), HeadName: "户主"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID)
	}
	now := time.Now()
	touch := func(id string) {
		rec, err := env.App.FindRecordById(households.Collection, id)
		if err != nil {
			return // deleted
		}
		switch rng.IntN(5) {
		case 0, 1:
			// Around the cuts, to the millisecond.
			days := []time.Duration{0, 29, 30, 31, 89, 90, 91, 200}[rng.IntN(8)]
			rec.Set("last_visited_at", now.Add(-days*24*time.Hour+time.Duration(rng.IntN(5)-2)*time.Millisecond))
		case 2:
			rec.Set("last_visited_at", "")
		case 3:
			rec.Set("wechat_contact", []string{"", env.OfficerA.Id}[rng.IntN(2)])
		case 4:
			rec.Set("archived", rng.IntN(3) == 0)
		}
		if err := env.App.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 60 {
		add(i)
	}
	if err := store.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	sorted := func(cs []households.AreaCount) []households.AreaCount {
		slices.SortFunc(cs, func(a, b households.AreaCount) int {
			return cmp.Or(cmp.Compare(a.Community, b.Community), cmp.Compare(a.Grid, b.Grid))
		})
		return cs
	}
	for round := range 12 {
		for range 15 {
			touch(ids[rng.IntN(len(ids))])
		}
		add(100 + round)
		if round%4 == 3 {
			i := rng.IntN(len(ids))
			if rec, err := env.App.FindRecordById(households.Collection, ids[i]); err == nil {
				if err := env.App.Delete(rec); err != nil {
					t.Fatal(err)
				}
				// Nor does a search find it.
				res, err := store.Search(ctx, chief, households.Query{Text: rec.GetString("building"), Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Items {
					if h.ID == rec.Id {
						t.Fatalf("round %d: a deleted household is found by search", round)
					}
				}
				if res.Total != len(res.Items) {
					t.Fatalf("round %d: the search counts %d households and lists %d", round, res.Total, len(res.Items))
				}
			}
		}
		recent, long := households.Since(now, 30), households.Since(now, 90)
		got, err := store.CountAreas(ctx, recent, long)
		if err != nil {
			t.Fatal(err)
		}
		want, err := households.CountAreasSQL(ctx, env.App, recent, long)
		if err != nil {
			t.Fatal(err)
		}
		if !store.IndexReady() {
			t.Fatal("the index is not built: the comparison is of SQL with itself")
		}
		if g, w := sorted(got), sorted(want); !slices.Equal(g, w) {
			t.Fatalf("round %d: from the index %+v, from SQL %+v", round, g, w)
		}
	}
}
