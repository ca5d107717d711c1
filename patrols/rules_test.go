package patrols_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/patrols"
)

type listAnswer struct {
	TotalItems int `json:"totalItems"`
	Items      []struct {
		ID        string `json:"id"`
		Community string `json:"community"`
	} `json:"items"`
}

// TestAPIRules checks what each kind of client reads of the patrols
// through PocketBase's REST API, and that none but a superuser writes.
func TestAPIRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	if _, _, err := f.store.SaveShift(ctx, f.a, patrols.ShiftInput{Team: f.team.ID, Date: day(now), Starts: "07:00", Ends: "08:00", Volunteers: []string{f.vols[0].ID}}, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.SaveShift(ctx, f.b, patrols.ShiftInput{Team: f.teamB.ID, Date: day(now), Starts: "07:00", Ends: "08:00", Volunteers: []string{f.volB.ID}}, now); err != nil {
		t.Fatal(err)
	}
	for _, o := range []struct {
		c    string
		self bool
	}{{f.CommunityA, true}, {f.CommunityB, false}} {
		off := f.a
		if !o.self {
			off = f.b
		}
		if _, _, err := f.store.SaveReport(ctx, off, patrols.ReportInput{ReportedAt: now.Add(-time.Minute), Community: o.c, Place: "路口", Kind: "other", Description: "情况"}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.AddPoint(ctx, off, patrols.PointInput{Community: o.c, Kind: "camera", Label: "监控", X: 0.5, Y: 0.5}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.SaveDeed(ctx, f.ch, "", patrols.DeedInput{Name: "张阿姨", Community: f.CommunityA, Date: "2026-03-05", Kind: "kindness", Story: "帮邻居修水管"}); err != nil {
		t.Fatal(err)
	}
	area := []string{patrols.TeamsCollection, patrols.VolunteersCollection, patrols.ShiftsCollection, patrols.ReportsCollection, patrols.PointsCollection}

	list := func(t *testing.T, c *apptest.Client, coll string) listAnswer {
		t.Helper()
		var ans listAnswer
		if res := c.GetJSON("/api/collections/"+coll+"/records?perPage=200", &ans); res.StatusCode != http.StatusOK {
			t.Fatalf("list %s: %d", coll, res.StatusCode)
		}
		return ans
	}
	t.Run("an anonymous client reads nothing of the patrols", func(t *testing.T) {
		for _, coll := range append(area, patrols.DeedsCollection, patrols.MapsCollection) {
			if got := list(t, f.Anonymous(), coll); got.TotalItems != 0 {
				t.Errorf("%s: %d items", coll, got.TotalItems)
			}
		}
	})
	t.Run("an officer reads their own communities' teams, volunteers, shifts, reports and points only", func(t *testing.T) {
		b := f.Anonymous().WithToken(f.Token(f.OfficerB))
		for _, coll := range area {
			got := list(t, b, coll)
			if got.TotalItems == 0 {
				t.Errorf("%s: officer B sees nothing of their own", coll)
			}
			for _, it := range got.Items {
				if it.Community != f.CommunityB {
					t.Errorf("%s: officer B sees %s of community %s", coll, it.ID, it.Community)
				}
			}
		}
	})
	t.Run("the deputy chief reads every community's", func(t *testing.T) {
		ch := f.Anonymous().WithToken(f.Token(f.Chief))
		for _, coll := range area {
			seen := map[string]bool{}
			for _, it := range list(t, ch, coll).Items {
				seen[it.Community] = true
			}
			if !seen[f.CommunityA] || !seen[f.CommunityB] {
				t.Errorf("%s: chief sees %v", coll, seen)
			}
		}
	})
	t.Run("every officer reads good deeds", func(t *testing.T) {
		if got := list(t, f.Anonymous().WithToken(f.Token(f.OfficerB)), patrols.DeedsCollection); got.TotalItems != 1 {
			t.Fatalf("officer B sees %d deeds", got.TotalItems)
		}
	})
	t.Run("no officer writes through REST, not even the deputy chief", func(t *testing.T) {
		for _, rec := range []struct {
			c *apptest.Client
		}{{f.Anonymous().WithToken(f.Token(f.OfficerA))}, {f.Anonymous().WithToken(f.Token(f.Chief))}} {
			for _, coll := range append(area, patrols.DeedsCollection, patrols.MapsCollection) {
				status, _, _ := restCreate(t, rec.c, coll, map[string]any{"community": f.CommunityA, "name": "x", "label": "x"})
				if status != http.StatusForbidden {
					t.Errorf("create %s: %d", coll, status)
				}
			}
			first := list(t, f.Anonymous().WithToken(f.Token(f.OfficerA)), patrols.ReportsCollection).Items[0].ID
			if res := rec.c.Send(http.MethodPatch, "/api/collections/patrol_reports/records/"+first, map[string]any{"status": "dismissed", "result": "x"}, nil); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
				t.Errorf("patch report: %d", res.StatusCode)
			}
			if res := rec.c.Send(http.MethodDelete, "/api/collections/patrol_reports/records/"+first, nil, nil); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
				t.Errorf("delete report: %d", res.StatusCode)
			}
		}
	})
}

// TestSelectValues: the collections' select values are the package's.
func TestSelectValues(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for coll, fields := range map[string]map[string][]string{
		patrols.ReportsCollection: {"kind": patrols.ReportKinds, "status": patrols.ReportStatuses},
		patrols.DeedsCollection:   {"kind": patrols.DeedKinds},
		patrols.PointsCollection:  {"kind": patrols.PointKinds},
	} {
		c, err := f.App.FindCollectionByNameOrId(coll)
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range fields {
			sel, ok := c.Fields.GetByName(name).(*core.SelectField)
			if !ok || !slices.Equal(sel.Values, want) {
				t.Errorf("%s.%s: collection %v, package %v", coll, name, sel, want)
			}
		}
	}
}
