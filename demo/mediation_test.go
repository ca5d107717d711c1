package demo_test

import (
	"context"
	"testing"
	"time"

	"zoufang/demo"
	"zoufang/mediation"
	"zoufang/station"
)

// TestSeedMediation: the demo's mediation room looks like the real one:
// three rooms, a roster of about fifteen, about one dispute per working
// day over a year, a success rate near 99 %, and some follow-ups owed.
func TestSeedMediation(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	a := fresh(t)
	start := time.Now()
	res, err := demo.Seed(a, demo.Options{Households: 300, Weeks: 2, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d disputes in %v", res.Disputes, time.Since(start))
	store := mediation.NewStore(a)
	ctx := mediation.AsOf(context.Background(), now)
	chief := &station.Officer{Role: station.RoleDeputyChief}

	t.Run("the station room, 六心工作室, 三合工作室 and a roster of about fifteen", func(t *testing.T) {
		rooms, _ := store.Rooms(ctx)
		if len(rooms) != 3 || rooms[0].Name != "警民联调工作室" {
			t.Fatalf("rooms %+v", rooms)
		}
		ms, _ := store.Mediators(ctx, false)
		if len(ms) < 12 || len(ms) > 18 {
			t.Fatalf("%d mediators", len(ms))
		}
	})
	t.Run("about 250 disputes in a year, nearly all settled", func(t *testing.T) {
		if res.Disputes < 220 || res.Disputes > 290 {
			t.Fatalf("%d disputes", res.Disputes)
		}
		var settled, failed, cases int
		for _, y := range []int{2025, 2026} {
			f, err := store.Figures(ctx, chief, y)
			if err != nil {
				t.Fatal(err)
			}
			settled, failed, cases = settled+f.Total.Settled, failed+f.Total.Failed, cases+f.Total.Cases
		}
		rate := float64(settled) / float64(settled+failed)
		t.Logf("%d cases, %d settled, %d failed: %.1f%%", cases, settled, failed, rate*100)
		if cases != res.Disputes || rate < 0.97 || rate >= 1 {
			t.Fatalf("%d cases, rate %.3f", cases, rate)
		}
	})
	t.Run("some follow-ups are owed, a few overdue, and older ones were made", func(t *testing.T) {
		all, _ := store.List(ctx, chief, mediation.Query{Now: now})
		overdue, _ := store.List(ctx, chief, mediation.Query{Overdue: true, Now: now})
		made := 0
		for _, d := range all.Items {
			if !d.FollowedUpAt.IsZero() {
				made++
			}
		}
		t.Logf("%d follow-ups overdue, %d made", overdue.Total, made)
		if overdue.Total == 0 || overdue.Total > 20 || made == 0 {
			t.Fatalf("%d overdue, %d made", overdue.Total, made)
		}
	})
	t.Run("the same seed gives the same cases", func(t *testing.T) {
		b := fresh(t)
		if _, err := demo.Seed(b, demo.Options{Households: 300, Weeks: 2, Now: now}); err != nil {
			t.Fatal(err)
		}
		x, _ := mediation.NewStore(b).List(ctx, chief, mediation.Query{})
		y, _ := store.List(ctx, chief, mediation.Query{})
		if x.Total != y.Total {
			t.Fatalf("%d vs %d", x.Total, y.Total)
		}
		for i := range x.Items {
			if x.Items[i].Number != y.Items[i].Number || x.Items[i].Summary != y.Items[i].Summary || x.Items[i].Status != y.Items[i].Status {
				t.Fatalf("case %d differs: %s %s", i, x.Items[i].Number, y.Items[i].Number)
			}
		}
	})
}
