package replica_test

import (
	"net/http"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/replica"
)

// TestPushAnswersItemByItem: a push mixing items that decode with items
// that do not answers each on its own; none blocks the others.
func TestPushAnswersItemByItem(t *testing.T) {
	env := apptest.New(t)
	a := env.SignIn(env.OfficerA)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街1号"})
	now := time.Now().UTC()
	pbForm := now.Add(-time.Minute).Format("2006-01-02 15:04:05.000Z")
	good := visit(id("good"), h.ID, now)
	ans := push(t, a, map[string]any{
		"households": []any{
			map[string]any{"id": id("hmerge"), "op": "merge", "community": env.CommunityA, "building": "吴牙街2号"},
			map[string]any{"id": id("hnum"), "op": "create", "community": env.CommunityA, "building": 12},
			map[string]any{"id": id("hok"), "op": "create", "community": env.CommunityA, "building": "吴牙街3号", "residents": 2},
		},
		"visits": []any{
			good,
			map[string]any{"id": id("outcome5"), "household": h.ID, "visited_at": now.Format(time.RFC3339), "outcome": 5},
			map[string]any{"id": id("year10000"), "household": h.ID, "visited_at": "10000-01-01T00:00:00Z", "outcome": "met"},
			map[string]any{"id": id("pbform"), "household": h.ID, "visited_at": pbForm, "outcome": "met"},
			"not an object",
			map[string]any{"id": id("both"), "household": 7, "visited_at": true, "outcome": "met"},
		},
	})
	type want struct {
		status string
		field  string // a field error the answer must name
	}
	wants := map[string]want{
		id("hmerge"):    {"invalid", "op"},
		id("hnum"):      {"invalid", "building"},
		id("hok"):       {"created", ""},
		id("good"):      {"created", ""},
		id("outcome5"):  {"invalid", "outcome"},
		id("year10000"): {"invalid", "visited_at"},
		id("pbform"):    {"created", ""},
	}
	if len(ans.Results) != 9 {
		t.Fatalf("%d results for 9 items: %+v", len(ans.Results), ans.Results)
	}
	for _, r := range ans.Results {
		if r.ID == "" {
			if r.Status != "invalid" || r.Message == "" {
				t.Errorf("the item that is no object: %s %q", r.Status, r.Message)
			}
			continue
		}
		if r.ID == id("both") {
			if r.Status != "invalid" || r.Errors["household"] == nil || r.Errors["visited_at"] == nil {
				t.Errorf("both fields wrong: %s %v", r.Status, r.Errors)
			}
			continue
		}
		w, ok := wants[r.ID]
		if !ok {
			t.Errorf("an answer for %q", r.ID)
			continue
		}
		if r.Status != w.status || (w.field != "" && r.Errors[w.field] == nil) {
			t.Errorf("%s: %s %v, want %s naming %q", r.ID, r.Status, r.Errors, w.status, w.field)
		}
	}
	t.Run("what was good is saved, what was not is not", func(t *testing.T) {
		for vid, w := range wants {
			coll := "visits"
			if vid[0] == 'h' {
				coll = "households"
			}
			_, err := env.App.FindRecordById(coll, vid)
			if saved := err == nil; saved != (w.status == "created") {
				t.Errorf("%s saved=%v, want %v", vid, saved, w.status == "created")
			}
		}
	})
	t.Run("an envelope whose lists are no lists is refused whole with the field named", func(t *testing.T) {
		var e struct {
			Error struct {
				Code   string         `json:"code"`
				Fields map[string]any `json:"fields"`
			} `json:"error"`
		}
		res := a.PostJSON("/sync/push", map[string]any{"visits": "x"}, &e)
		if res.StatusCode != http.StatusUnprocessableEntity || e.Error.Code != "invalid" || e.Error.Fields["visits"] == nil {
			t.Fatalf("status %d %+v", res.StatusCode, e)
		}
	})
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2026-12-01T07:00:00Z", true},
		{"2026-12-01T15:00:00.123+08:00", true},
		{"2026-12-01 07:00:00.000Z", true},
		{"2026-12-01 07:00:00Z", true},
		{"10000-01-01T00:00:00Z", false},
		{"2026-13-01T00:00:00Z", false},
		{"yesterday", false},
		{"", false},
	} {
		if _, ok := replica.ParseTime(tc.in); ok != tc.ok {
			t.Errorf("ParseTime(%q) ok=%v, want %v", tc.in, ok, tc.ok)
		}
	}
}
