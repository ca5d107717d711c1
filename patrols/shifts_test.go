package patrols_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"zoufang/patrols"
	"zoufang/station"
)

func TestShifts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	yesterday := day(now.AddDate(0, 0, -1))
	ids := func(vs ...*patrols.Volunteer) []string {
		out := []string{}
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}
	shift := func(vid string, vols []string) patrols.ShiftInput {
		return patrols.ShiftInput{ID: vid, Team: f.team.ID, Date: yesterday, Starts: "19:00", Ends: "21:00", Volunteers: vols}
	}

	first, status, err := f.store.SaveShift(ctx, f.a, shift(id("shift1"), ids(f.vols...)), now)
	if err != nil || status != patrols.SaveCreated {
		t.Fatalf("save: %v %s", err, status)
	}
	t.Run("person-turns are the volunteers present, and the shift takes its team's community and grids", func(t *testing.T) {
		if first.PersonTurns != 3 || first.Community != f.CommunityA || len(first.Grids) != 2 || first.Officer != f.a.ID {
			t.Fatalf("shift %+v", first)
		}
	})
	t.Run("a retried shift is the same shift", func(t *testing.T) {
		in := shift(id("shift1"), []string{f.vols[2].ID, f.vols[0].ID, f.vols[1].ID, f.vols[0].ID}) // another order, a repeat
		in.Starts = "19：00"
		got, status, err := f.store.SaveShift(ctx, f.a, in, now.Add(48*time.Hour))
		if err != nil || status != patrols.SaveExists || got.ID != first.ID {
			t.Fatalf("retry: %v %s", err, status)
		}
		if n := f.Count(t, patrols.ShiftsCollection, "", nil); n != 1 {
			t.Fatalf("%d shifts", n)
		}
	})
	t.Run("its officer corrects it within 24 hours", func(t *testing.T) {
		got, status, err := f.store.SaveShift(ctx, f.a, shift(id("shift1"), ids(f.vols[:2]...)), now.Add(time.Hour))
		if err != nil || status != patrols.SaveUpdated || got.PersonTurns != 2 {
			t.Fatalf("edit: %v %s %+v", err, status, got)
		}
	})
	t.Run("after 24 hours the stored shift stands and comes back", func(t *testing.T) {
		_, _, err := f.store.SaveShift(ctx, f.a, shift(id("shift1"), ids(f.vols[:1]...)), now.Add(25*time.Hour))
		if station.ErrorCode(err) != station.EConflict {
			t.Fatalf("late edit: %v", err)
		}
		if cur, ok := patrols.Current(err).(*patrols.Shift); !ok || cur.PersonTurns != 2 {
			t.Fatalf("current %+v", patrols.Current(err))
		}
	})
	t.Run("another officer cannot take the id", func(t *testing.T) {
		_, _, err := f.store.SaveShift(ctx, f.ch, shift(id("shift1"), ids(f.vols...)), now)
		if codeOf(err, "id") != "id_taken" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("an officer of another community cannot record the team's shift", func(t *testing.T) {
		_, _, err := f.store.SaveShift(ctx, f.b, shift(id("shiftb"), ids(f.vols...)), now)
		if codeOf(err, "team") != "out_of_area" {
			t.Fatalf("err %v", err)
		}
	})

	refusals := []struct {
		name, field, code string
		edit              func(in *patrols.ShiftInput)
	}{
		{"a shift with nobody present", "volunteers", "present_required", func(in *patrols.ShiftInput) { in.Volunteers = nil }},
		{"a volunteer of another community", "volunteers", "volunteer_mismatch", func(in *patrols.ShiftInput) { in.Volunteers = append(in.Volunteers, f.volB.ID) }},
		{"a day that is no day", "date", "day_format", func(in *patrols.ShiftInput) { in.Date = "2026-02-30" }},
		{"a day after today", "date", "day_future", func(in *patrols.ShiftInput) { in.Date = day(now.AddDate(0, 0, 2)) }},
		{"a day more than a year ago", "date", "record_too_old", func(in *patrols.ShiftInput) { in.Date = day(now.AddDate(-2, 0, 0)) }},
		{"a time that is no time", "starts", "clock_format", func(in *patrols.ShiftInput) { in.Starts = "25:00" }},
		{"a shift of more than twelve hours", "ends", "shift_too_long", func(in *patrols.ShiftInput) { in.Starts, in.Ends = "06:00", "22:00" }},
		{"a grid of another community", "grids", "grid_mismatch", func(in *patrols.ShiftInput) { in.Grids = []string{f.GridB1} }},
		{"notes that are too long", "notes", "too_long", func(in *patrols.ShiftInput) { in.Notes = strings.Repeat("巡", 1001) }},
		{"an id that is no id", "id", "id_format", func(in *patrols.ShiftInput) { in.ID = "x" }},
	}
	for _, r := range refusals {
		t.Run(r.name+" is refused on "+r.field, func(t *testing.T) {
			in := shift("", ids(f.vols...))
			r.edit(&in)
			before := f.Count(t, patrols.ShiftsCollection, "", nil)
			_, _, err := f.store.SaveShift(ctx, f.a, in, now)
			if station.ErrorCode(err) != station.EInvalid || codeOf(err, r.field) != r.code {
				t.Fatalf("err %v, want %s on %s", err, r.code, r.field)
			}
			if msg := station.FieldsOf(err)[r.field].Message; msg == "" || msg == "field."+r.code {
				t.Fatalf("message %q", msg)
			}
			if after := f.Count(t, patrols.ShiftsCollection, "", nil); after != before {
				t.Fatalf("a refused shift was saved")
			}
		})
	}
	t.Run("a night patrol past midnight is one shift", func(t *testing.T) {
		in := shift("", ids(f.vols...))
		in.Starts, in.Ends = "22:00", "01:30"
		if _, _, err := f.store.SaveShift(ctx, f.a, in, now); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a volunteer who left cannot join a new shift, but stays on the old ones", func(t *testing.T) {
		left := f.vols[1]
		if _, err := f.store.SaveVolunteer(ctx, f.a, left.ID, patrols.VolunteerInput{Name: left.Name, Community: f.CommunityA, Team: f.team.ID, Active: false}); err != nil {
			t.Fatal(err)
		}
		_, _, err := f.store.SaveShift(ctx, f.a, shift("", ids(f.vols...)), now)
		if codeOf(err, "volunteers") != "volunteer_inactive" {
			t.Fatalf("err %v", err)
		}
		// The first shift, edited again within its window, keeps them.
		if _, status, err := f.store.SaveShift(ctx, f.a, patrols.ShiftInput{ID: id("shift1"), Team: f.team.ID, Date: yesterday, Starts: "19:00", Ends: "21:30", Volunteers: ids(f.vols[:2]...)}, now.Add(2*time.Hour)); err != nil || status != patrols.SaveUpdated {
			t.Fatalf("old shift: %v %s", err, status)
		}
	})

	admin := f.Superuser()
	t.Run("through REST the hooks count person-turns and copy the community", func(t *testing.T) {
		status, rec, e := restCreate(t, admin, patrols.ShiftsCollection, map[string]any{
			"team": f.team.ID, "date": yesterday, "starts": "8:00", "ends": "10:00", "officer": f.a.ID,
			"volunteers": []string{f.vols[0].ID, f.vols[2].ID}, "person_turns": 99, "community": f.CommunityB,
		})
		if status != http.StatusOK {
			t.Fatalf("status %d %+v", status, e)
		}
		if rec["person_turns"].(float64) != 2 || rec["community"] != f.CommunityA || rec["starts"] != "08:00" {
			t.Fatalf("record %v", rec)
		}
	})
	t.Run("through REST a shift without volunteers, or led by an officer of another community, is refused", func(t *testing.T) {
		status, _, e := restCreate(t, admin, patrols.ShiftsCollection, map[string]any{"team": f.team.ID, "date": yesterday, "starts": "8:00", "ends": "10:00", "officer": f.b.ID})
		if status != http.StatusBadRequest || e.Data["volunteers"].Code != "present_required" || e.Data["officer"].Code != "officer_not_area" {
			t.Fatalf("status %d %+v", status, e)
		}
	})
	t.Run("officers cannot write shifts through REST", func(t *testing.T) {
		c := f.Anonymous().WithToken(f.Token(f.OfficerA))
		status, _, _ := restCreate(t, c, patrols.ShiftsCollection, map[string]any{"team": f.team.ID, "date": yesterday, "starts": "8:00", "ends": "10:00", "officer": f.a.ID, "volunteers": []string{f.vols[0].ID}})
		if status != http.StatusForbidden {
			t.Fatalf("status %d", status)
		}
	})
}
