package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
)

// TestPhoneProbingIsThrottled: "this phone is registered in another area"
// tells an officer about households they may not see. One push of
// hundreds of made-up numbers must not map another community's phones:
// the answer comes at most households.ElsewherePerHour times an hour, each
// is logged, and afterwards every new phone is held back alike, registered
// elsewhere or not.
func TestPhoneProbingIsThrottled(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	// The test app starts with PocketBase's request log off; a station
	// keeps 14 days of it (the first migration).
	st := env.App.Settings()
	st.Logs.MaxDays = 14
	if err := env.App.Save(st); err != nil {
		t.Fatal(err)
	}
	elsewhere := map[string]bool{}
	for i := range 30 {
		p := fmt.Sprintf("1390000%04d", i)
		env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: fmt.Sprintf("贡院小区%d幢", i+1), Phones: []string{p}})
		elsewhere[p] = true
	}
	var items []any
	phoneOf := map[string]string{}
	for i := range 300 {
		p := fmt.Sprintf("1370000%04d", i)
		if i%10 == 0 {
			p = fmt.Sprintf("1390000%04d", i/10)
		}
		hid := fmt.Sprintf("probe%010d", i)
		phoneOf[hid] = p
		items = append(items, map[string]any{"id": hid, "op": "create", "community": env.CommunityA, "building": fmt.Sprintf("吴牙街%d号", i+1), "phones": []string{p}})
	}
	var ans struct {
		Results []struct {
			ID      string
			Status  string
			Message string
			Errors  map[string]struct{ Code string }
		}
	}
	res := env.SignIn(env.OfficerA).PostJSON("/sync/push", map[string]any{"households": items}, &ans)
	if res.StatusCode != http.StatusOK || len(ans.Results) != len(items) {
		t.Fatalf("push: %d, %d results", res.StatusCode, len(ans.Results))
	}
	told, tripped := 0, -1
	for i, r := range ans.Results {
		if r.Errors["phones"].Code == "duplicate_elsewhere_phone" {
			told++
			if told == households.ElsewherePerHour {
				tripped = i
			}
		}
	}
	t.Run("the officer is told of at most the hourly number of phones registered elsewhere", func(t *testing.T) {
		if told != households.ElsewherePerHour {
			t.Fatalf("told %d times, want %d", told, households.ElsewherePerHour)
		}
	})
	t.Run("after that every new phone is held back alike, so the refusal tells nothing", func(t *testing.T) {
		for _, r := range ans.Results[tripped+1:] {
			if r.Status != "error" || r.Message == "" {
				t.Fatalf("%s (%s, elsewhere %v): %s %q, want every later item held back with the reason", r.ID, phoneOf[r.ID], elsewhere[phoneOf[r.ID]], r.Status, r.Message)
			}
		}
		if n := env.Count(t, "households", "community = {:c}", map[string]any{"c": env.CommunityA}); n != tripped+1-told {
			t.Fatalf("%d households saved in A, want the %d before the limit", n, tripped+1-told)
		}
	})
	t.Run("each answer is logged for the station admin", func(t *testing.T) {
		deadline := time.Now().Add(15 * time.Second)
		for {
			var n int
			err := env.App.AuxDB().NewQuery("SELECT COUNT(*) FROM _logs WHERE message LIKE 'household write:%'").Row(&n)
			if err == nil && n == households.ElsewherePerHour {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d log entries (err %v), want %d", n, err, households.ElsewherePerHour)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
