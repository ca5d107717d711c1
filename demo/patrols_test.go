package demo_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/demo"
	"zoufang/patrols"
)

// patrolFigures sums what the demo's patrols hold.
func patrolFigures(t *testing.T, a core.App) (teams, shifts, turns, reports, open, deeds, published int) {
	t.Helper()
	count := func(coll, filter string) int {
		recs, err := a.FindRecordsByFilter(coll, filter, "", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	var sum struct {
		N int `db:"n"`
	}
	if err := a.DB().NewQuery("SELECT COALESCE(SUM(person_turns), 0) AS n FROM patrol_shifts").One(&sum); err != nil {
		t.Fatal(err)
	}
	return count(patrols.TeamsCollection, ""), count(patrols.ShiftsCollection, ""), sum.N,
		count(patrols.ReportsCollection, ""), count(patrols.ReportsCollection, "status = 'open' || status = 'assigned'"),
		count(patrols.DeedsCollection, ""), count(patrols.DeedsCollection, "published = true && consent = true")
}

func TestSeedPatrols(t *testing.T) {
	t.Parallel()
	now := time.Now().Add(-time.Hour)
	opt := demo.Options{Households: 300, Weeks: 1, Now: now}
	a := fresh(t)
	began := time.Now()
	if _, err := demo.Seed(a, opt); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %v", time.Since(began).Round(time.Millisecond))
	teams, shifts, turns, reports, open, deeds, published := patrolFigures(t, a)
	t.Logf("teams %d, shifts %d, person-turns %d, reports %d (%d open or assigned), deeds %d (%d on the board)", teams, shifts, turns, reports, open, deeds, published)

	t.Run("every community has a team and a year of patrols, more than 5,000 person-turns in all", func(t *testing.T) {
		if teams != 6 || shifts < 6*360 || turns <= 5000 {
			t.Fatalf("teams %d shifts %d person-turns %d", teams, shifts, turns)
		}
	})
	t.Run("about 200 reports, some still open, and about 30 good deeds", func(t *testing.T) {
		if reports < 180 || reports > 230 || open == 0 || deeds < 25 || deeds > 40 || published == 0 || published == deeds {
			t.Fatalf("reports %d open %d deeds %d published %d", reports, open, deeds, published)
		}
	})
	t.Run("吴牙社区 has fifteen residents on its team, local businesses' members, and a plan with points", func(t *testing.T) {
		wuya, err := a.FindFirstRecordByData("communities", "code", "wuya")
		if err != nil {
			t.Fatal(err)
		}
		residents, _ := a.FindRecordsByFilter(patrols.VolunteersCollection, "community = {:c} && unit = ''", "", 0, 0, map[string]any{"c": wuya.Id})
		units, _ := a.FindRecordsByFilter(patrols.VolunteersCollection, "community = {:c} && unit != ''", "", 0, 0, map[string]any{"c": wuya.Id})
		if len(residents) < 14 || len(units) < 5 {
			t.Fatalf("%d residents, %d from units", len(residents), len(units))
		}
		plan, err := a.FindFirstRecordByData(patrols.MapsCollection, "community", wuya.Id)
		if err != nil || plan.GetInt("width") != 1400 || plan.GetInt("height") != 1000 {
			t.Fatalf("plan %v %v", plan, err)
		}
		points, _ := a.FindRecordsByFilter(patrols.PointsCollection, "community = {:c}", "", 0, 0, map[string]any{"c": wuya.Id})
		linked, _ := a.FindRecordsByFilter(patrols.PointsCollection, "community = {:c} && building_key != ''", "", 0, 0, map[string]any{"c": wuya.Id})
		if len(points) < 20 || len(linked) < 10 {
			t.Fatalf("%d points, %d linked to buildings", len(points), len(linked))
		}
	})
	t.Run("the same seed gives the same patrols", func(t *testing.T) {
		b := fresh(t)
		if _, err := demo.Seed(b, opt); err != nil {
			t.Fatal(err)
		}
		t2, s2, p2, r2, o2, d2, pub2 := patrolFigures(t, b)
		if t2 != teams || s2 != shifts || p2 != turns || r2 != reports || o2 != open || d2 != deeds || pub2 != published {
			t.Fatal("two seeds of the same options differ")
		}
	})
}
