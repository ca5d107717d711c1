package patrols_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/patrols"
	"zoufang/station"
)

// TestShare: what an officer's phone holds of the patrols, as the pull
// would page it.
func TestShare(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	report := func(o *station.Officer, comm, place string) *patrols.Report {
		r, _, err := f.store.SaveReport(ctx, o, patrols.ReportInput{ReportedAt: now.Add(-time.Hour), Community: comm, Place: place, Kind: "other", Description: "情况"}, now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	open := report(f.a, f.CommunityA, "open")
	assigned := report(f.a, f.CommunityA, "assigned")
	closedRecently := report(f.a, f.CommunityA, "closed")
	closedLongAgo := report(f.a, f.CommunityA, "old")
	elsewhere := report(f.b, f.CommunityB, "elsewhere")
	for _, r := range []*patrols.Report{assigned, closedRecently, closedLongAgo} {
		if _, _, err := f.store.Move(ctx, f.ch, patrols.Transition{Report: r.ID, To: patrols.StatusAssigned, AssignedTo: f.a.ID}, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := f.store.Move(ctx, f.a, patrols.Transition{Report: closedRecently.ID, To: patrols.StatusHandled, Result: "ok"}, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.Move(ctx, f.a, patrols.Transition{Report: closedLongAgo.ID, To: patrols.StatusHandled, Result: "ok"}, now.Add(-40*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	share := func(o *station.Officer, coll string) []string {
		t.Helper()
		var src patrols.Source
		for _, s := range patrols.Sources() {
			if s.Name == coll {
				src = s
			}
		}
		var recs []*core.Record
		if err := src.Scope(f.App.RecordQuery(coll), o, now).All(&recs); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range recs {
			ids = append(ids, r.Id)
		}
		return ids
	}
	t.Run("an officer's phone holds their communities' open and assigned reports, and those closed lately", func(t *testing.T) {
		got := share(f.a, patrols.ReportsCollection)
		for _, want := range []*patrols.Report{open, assigned, closedRecently} {
			if !slices.Contains(got, want.ID) {
				t.Errorf("share lacks %s", want.Place)
			}
		}
		for _, not := range []*patrols.Report{closedLongAgo, elsewhere} {
			if slices.Contains(got, not.ID) {
				t.Errorf("share holds %s", not.Place)
			}
		}
	})
	t.Run("the deputy chief's phone holds the station's", func(t *testing.T) {
		if got := share(f.ch, patrols.ReportsCollection); !slices.Contains(got, elsewhere.ID) || slices.Contains(got, closedLongAgo.ID) {
			t.Fatalf("chief's share %v", got)
		}
	})
	t.Run("the roster travels to the phone of the community's officer only", func(t *testing.T) {
		got := share(f.a, patrols.VolunteersCollection)
		if len(got) != 3 || slices.Contains(got, f.volB.ID) {
			t.Fatalf("volunteers %v", got)
		}
	})
	t.Run("a report document carries its status, assignee and history", func(t *testing.T) {
		rec, _ := f.App.FindRecordById(patrols.ReportsCollection, assigned.ID)
		var doc map[string]any
		b, _ := json.Marshal(patrols.Sources()[3].Doc(rec))
		_ = json.Unmarshal(b, &doc)
		if doc["status"] != "assigned" || doc["assigned_to"] != f.a.ID || len(doc["history"].([]any)) != 2 || doc["updated"] == "" {
			t.Fatalf("doc %v", doc)
		}
	})
}

// TestApplyFromDevice: a shift and a report pushed from the phone with a
// client-minted id, retried, inside the push's transaction.
func TestApplyFromDevice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	apply := func(fn func(tx core.App) (any, string, error)) (any, string, error) {
		var doc any
		var status string
		var err error
		txErr := f.App.RunInTransaction(func(tx core.App) error {
			doc, status, err = fn(tx)
			return nil
		})
		if txErr != nil {
			t.Fatal(txErr)
		}
		return doc, status, err
	}
	in := patrols.ShiftInput{ID: id("devshift"), Team: f.team.ID, Date: day(now), Starts: "00:00", Ends: "00:10", Volunteers: []string{f.vols[0].ID}}
	for i, want := range []string{patrols.SaveCreated, patrols.SaveExists} {
		doc, status, err := apply(func(tx core.App) (any, string, error) { return patrols.ApplyShift(ctx, tx, f.a, in, now) })
		if err != nil || status != want {
			t.Fatalf("push %d: %v %s", i, err, status)
		}
		if sh := doc.(*patrols.Shift); sh.ID != in.ID || sh.PersonTurns != 1 {
			t.Fatalf("doc %+v", sh)
		}
	}
	rin := patrols.ReportInput{ID: id("devreport"), ReportedAt: now.Add(-time.Minute), Community: f.CommunityA, Place: "路口", Kind: "help", Description: "老人迷路"}
	for i, want := range []string{patrols.SaveCreated, patrols.SaveExists} {
		_, status, err := apply(func(tx core.App) (any, string, error) { return patrols.ApplyReport(ctx, tx, f.a, rin, now) })
		if err != nil || status != want {
			t.Fatalf("report push %d: %v %s", i, err, status)
		}
	}
	_, _, err := apply(func(tx core.App) (any, string, error) {
		bad := rin
		bad.ID, bad.Kind = id("devbad"), "fire"
		return patrols.ApplyReport(ctx, tx, f.a, bad, now)
	})
	if station.ErrorCode(err) != station.EInvalid || codeOf(err, "kind") != "choice" {
		t.Fatalf("invalid item: %v", err)
	}
	tr := patrols.Transition{Report: rin.ID, To: patrols.StatusAssigned}
	for i, want := range []string{patrols.SaveUpdated, patrols.SaveExists} {
		_, status, err := apply(func(tx core.App) (any, string, error) { return patrols.ApplyTransition(ctx, tx, f.a, tr, now) })
		if err != nil || status != want {
			t.Fatalf("transition %d: %v %s", i, err, status)
		}
	}
}

func TestParsing(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"2026-12-01", "2026-12-01"}, {"2026/12/1", "2026-12-01"}, {"2026年12月1日", "2026-12-01"}, {"２０２６-１２-０１", "2026-12-01"},
		{"2026-02-30", ""}, {"26-12-01", ""}, {"1999-01-01", ""}, {"", ""},
	} {
		if got, _ := patrols.ParseDay(c.in); got != c.want {
			t.Errorf("ParseDay(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"19:00", "19:00"}, {"7:05", "07:05"}, {"19：00", "19:00"}, {"19点30", "19:30"}, {"24:00", ""}, {"19:60", ""}, {"1900", ""},
	} {
		if got, _ := patrols.ParseClock(c.in); got != c.want {
			t.Errorf("ParseClock(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		a, b string
		want int
	}{{"19:00", "21:00", 120}, {"22:00", "01:30", 210}, {"08:00", "08:00", 1440}} {
		if got := patrols.ShiftMinutes(c.a, c.b); got != c.want {
			t.Errorf("ShiftMinutes(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
