package station_test

import (
	"errors"
	"testing"

	"zoufang/app/apptest"
	"zoufang/station"

	"github.com/pocketbase/pocketbase/core"
)

// TestSettingsCacheFollowsTheRow: settings read through the cache follow
// every change of the row, made by the settings form's store or straight
// through the record API (as the admin UI does), and a change that fails
// leaves the row as it was read.
func TestSettingsCacheFollowsTheRow(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	first, err := station.LoadSettings(env.App)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := station.LoadSettings(env.App)
	if again.StationName != first.StationName || again.TargetHomes != first.TargetHomes {
		t.Fatalf("a second read differs: %+v, %+v", first, again)
	}
	rec, err := env.App.FindRecordById(station.SettingsCollection, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("target_homes", first.TargetHomes+7)
	rec.Set("station_name", "缓存测试派出所")
	if err := env.App.Save(rec); err != nil {
		t.Fatal(err)
	}
	got, _ := station.LoadSettings(env.App)
	if got.TargetHomes != first.TargetHomes+7 || got.StationName != "缓存测试派出所" {
		t.Fatalf("after the save the cache says %+v", got)
	}
	// Inside a transaction that changes the row and then fails: the new
	// row is seen within it, the old one after.
	_ = env.App.RunInTransaction(func(tx core.App) error {
		r, _ := tx.FindRecordById(station.SettingsCollection, first.ID)
		r.Set("target_homes", 99)
		if err := tx.Save(r); err != nil {
			t.Fatal(err)
		}
		if in, _ := station.LoadSettings(tx); in.TargetHomes != 99 {
			t.Errorf("within the transaction the cache says %d", in.TargetHomes)
		}
		return errors.New("rolled back")
	})
	if after, _ := station.LoadSettings(env.App); after.TargetHomes != first.TargetHomes+7 {
		t.Fatalf("after the rollback the cache says %d, want %d", after.TargetHomes, first.TargetHomes+7)
	}
	// A caller changing its copy does not change the cache.
	got.VisitWeekdays[0] = 6
	if again, _ := station.LoadSettings(env.App); again.VisitWeekdays[0] == 6 {
		t.Fatal("a caller's copy shares the cache's weekdays")
	}
}
