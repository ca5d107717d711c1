package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"zoufang/app"
	"zoufang/demo"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

func fresh(t *testing.T) core.App {
	t.Helper()
	ta, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ta.Cleanup)
	app.Bind(ta, app.Config{})
	return ta
}

func addresses(t *testing.T, a core.App) []string {
	t.Helper()
	recs, err := a.FindAllRecords("households")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.GetString("address")+"|"+r.GetString("head_name"))
	}
	slices.Sort(out)
	return out
}

func TestSeed(t *testing.T) {
	now := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	opt := demo.Options{Households: 300, Weeks: 2, Now: now}
	a := fresh(t)
	res, err := demo.Seed(a, opt)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("an empty database gets the demo station", func(t *testing.T) {
		if !res.Seeded || res.Station != "长庆派出所" || res.Communities != 6 || res.Households != 300 || res.Visits == 0 {
			t.Fatalf("result %+v", res)
		}
		for _, name := range []string{"吴牙社区", "浙大御跸社区"} {
			if _, err := a.FindFirstRecordByData("communities", "name", name); err != nil {
				t.Errorf("no %s", name)
			}
		}
		n, _ := a.CountRecords("officers")
		if n != 8 || len(res.Logins) != 8 {
			t.Fatalf("%d officers, %d logins", n, len(res.Logins))
		}
		o, err := a.FindFirstRecordByData("officers", "badge", res.Logins[1].Badge)
		if err != nil || !o.ValidatePassword(demo.Password) {
			t.Fatal("a printed login does not work")
		}
	})
	t.Run("a second start seeds nothing and duplicates nothing", func(t *testing.T) {
		before := addresses(t, a)
		again, err := demo.Seed(a, opt)
		if err != nil || again.Seeded {
			t.Fatalf("second seed: %+v %v", again, err)
		}
		if got := addresses(t, a); !slices.Equal(got, before) {
			t.Fatalf("%d households after, %d before", len(got), len(before))
		}
		if len(again.Logins) != 8 {
			t.Fatal("the demo logins should still be shown on a demo database")
		}
	})
	t.Run("the same seed gives the same station", func(t *testing.T) {
		b := fresh(t)
		if _, err := demo.Seed(b, opt); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(addresses(t, a), addresses(t, b)) {
			t.Fatal("two seeds of the same options differ")
		}
	})
	t.Run("a database holding someone else's data is left alone and no logins are advertised", func(t *testing.T) {
		c := fresh(t)
		coll, _ := c.FindCollectionByNameOrId("communities")
		r := core.NewRecord(coll)
		r.Set("name", "别的社区")
		r.Set("code", "other")
		if err := c.Save(r); err != nil {
			t.Fatal(err)
		}
		res, err := demo.Seed(c, opt)
		if err != nil || res.Seeded || len(res.Logins) != 0 {
			t.Fatalf("%+v %v", res, err)
		}
	})
	t.Run("visits fall on the station's visit days in the afternoon", func(t *testing.T) {
		recs, _ := a.FindRecordsByFilter("visits", "kind != 'holiday_check'", "", 0, 0)
		loc, _ := time.LoadLocation("Asia/Shanghai")
		for _, r := range recs {
			at := r.GetDateTime("visited_at").Time().In(loc)
			if wd := at.Weekday(); wd != time.Tuesday && wd != time.Thursday || at.Hour() < 14 || at.Hour() > 18 {
				t.Fatalf("a visit at %v", at)
			}
		}
	})
	t.Run("holiday watches are in progress, one with a check overdue and one with an abnormal result", func(t *testing.T) {
		active, _ := a.FindRecordsByFilter("holiday_watches", "status = 'active'", "", 0, 0)
		alerts, _ := a.FindRecordsByFilter("watch_alerts", "acked_at = ''", "", 0, 0)
		if len(active) < 5 || len(alerts) != 1 || res.Watches < 6 {
			t.Fatalf("%d active watches, %d open alerts, %d seeded", len(active), len(alerts), res.Watches)
		}
		store := watches.NewStore(a, visits.NewStore(a), station.DefaultSettings)
		vs, err := store.List(context.Background(), &station.Officer{Role: station.RoleDeputyChief}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		overdue := 0
		for _, v := range vs {
			if len(v.Progress.Overdue) > 0 {
				overdue++
			}
		}
		if overdue == 0 {
			t.Fatal("no watch has an overdue check")
		}
	})
	t.Run("residents answered, and every fraud flag has its case", func(t *testing.T) {
		flags, err := visits.NewStore(a).Flags(context.Background(), visits.Scope{}, now, visits.FlagShown)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range flags {
			if len(f.Items) == 0 {
				t.Errorf("no case for flag %s", f.Key)
			}
		}
		rated, _ := a.FindRecordsByFilter("visits", "resident_answer = 'confirmed' && resident_rating > 0", "", 0, 0)
		commented, _ := a.FindRecordsByFilter("confirmations", "comment != ''", "", 0, 0)
		if res.Answers < 50 || len(rated) < res.Answers/2 || len(commented) == 0 {
			t.Fatalf("%d answers, %d rated visits, %d comments", res.Answers, len(rated), len(commented))
		}
	})
	t.Run("one community changed hands halfway through, its history intact", func(t *testing.T) {
		hs, err := a.FindAllRecords("handovers")
		if err != nil || len(hs) != 1 {
			t.Fatalf("%d handovers %v", len(hs), err)
		}
		from := hs[0].GetString("from")
		if n, _ := a.FindRecordsByFilter("visits", "officer = {:o}", "", 0, 0, map[string]any{"o": from}); len(n) == 0 {
			t.Fatal("the former officer has no visits left in his history")
		}
		former, _ := a.FindRecordById("officers", from)
		if len(former.GetStringSlice("communities")) != 0 {
			t.Fatal("the former officer still holds the community")
		}
	})
}
