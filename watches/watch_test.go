package watches_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/watches"
)

func TestCloseWatches(t *testing.T) {
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街5号"})
	now := time.Now()
	coll, _ := env.App.FindCollectionByNameOrId("holiday_watches")
	watch := func(status string, from, to time.Time) *core.Record {
		w := core.NewRecord(coll)
		w.Set("household", h.ID)
		w.Set("from", from)
		w.Set("to", to)
		w.Set("status", status)
		w.Set("contact_name", "王女士")
		w.Set("contact_phone", "+8613900001111")
		w.Set("key_holder", "邻居302")
		w.Set("interval_days", 2)
		if err := env.App.Save(w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	running := watch("active", now.AddDate(0, 0, -3), now.AddDate(0, 0, 3))
	justOver := watch("active", now.AddDate(0, 0, -10), now.AddDate(0, 0, -1))
	longOver := watch("ended", now.AddDate(0, 0, -60), now.AddDate(0, 0, -40))

	ended, purged, err := watches.CloseWatches(env.App, now)
	if err != nil || ended != 1 || purged != 1 {
		t.Fatalf("ended %d purged %d err %v, want 1 and 1", ended, purged, err)
	}
	get := func(w *core.Record) *core.Record {
		r, err := env.App.FindRecordById("holiday_watches", w.Id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("a watch in its window stays active with its contacts", func(t *testing.T) {
		if r := get(running); r.GetString("status") != "active" || r.GetString("contact_phone") == "" {
			t.Fatalf("%v", r)
		}
	})
	t.Run("a watch past its window ends but keeps its contacts for 30 days", func(t *testing.T) {
		if r := get(justOver); r.GetString("status") != "ended" || r.GetString("contact_name") != "王女士" {
			t.Fatalf("%v", r)
		}
	})
	t.Run("30 days after it ended, who to call and who has the key are erased", func(t *testing.T) {
		r := get(longOver)
		if r.GetString("contact_name") != "" || r.GetString("contact_phone") != "" || r.GetString("key_holder") != "" {
			t.Fatalf("%v", r)
		}
		if r.GetString("household") != h.ID {
			t.Fatal("the watch itself must stay")
		}
	})
	t.Run("running it again changes nothing", func(t *testing.T) {
		ended, purged, err := watches.CloseWatches(env.App, now)
		if err != nil || ended+purged != 0 {
			t.Fatalf("ended %d purged %d err %v", ended, purged, err)
		}
	})
}
