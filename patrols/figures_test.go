package patrols_test

import (
	"context"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/patrols"
	"zoufang/station"
)

// TestFigures counts person-turns, shifts, reports found and handled and
// good deeds per community and year, with the year's edges in station
// time.
func TestFigures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	loc := station.DefaultSettings().Location()
	save := func(o *station.Officer, team string, date string, vols ...string) {
		t.Helper()
		// Shifts of past years are written as the demo and an import
		// would: through ApplyShift at that time.
		at, _ := time.ParseInLocation(time.DateOnly, date, loc)
		err := f.App.RunInTransaction(func(tx core.App) error {
			_, _, err := patrols.ApplyShift(ctx, tx, o, patrols.ShiftInput{Team: team, Date: date, Starts: "19:00", Ends: "21:00", Volunteers: vols}, at.Add(22*time.Hour))
			return err
		})
		if err != nil {
			t.Fatalf("shift %s: %v", date, err)
		}
	}
	a0, a1, a2 := f.vols[0].ID, f.vols[1].ID, f.vols[2].ID
	save(f.a, f.team.ID, "2025-12-31", a0, a1, a2)
	save(f.a, f.team.ID, "2025-06-01", a0)
	save(f.a, f.team.ID, "2026-01-01", a0, a1)
	save(f.b, f.teamB.ID, "2025-03-03", f.volB.ID)

	report := func(o *station.Officer, comm string, at time.Time) *patrols.Report {
		t.Helper()
		var r *patrols.Report
		err := f.App.RunInTransaction(func(tx core.App) error {
			doc, _, err := patrols.ApplyReport(ctx, tx, o, patrols.ReportInput{ReportedAt: at, Community: comm, Place: "某处", Kind: "other", Description: "情况"}, at)
			r, _ = doc.(*patrols.Report)
			return err
		})
		if err != nil {
			t.Fatalf("report: %v", err)
		}
		return r
	}
	move := func(r *patrols.Report, tr patrols.Transition, at time.Time) {
		t.Helper()
		tr.Report = r.ID
		err := f.App.RunInTransaction(func(tx core.App) error {
			_, _, err := patrols.ApplyTransition(ctx, tx, f.ch, tr, at)
			return err
		})
		if err != nil {
			t.Fatalf("move: %v", err)
		}
	}
	lateNYE := time.Date(2025, 12, 31, 23, 30, 0, 0, loc) // 15:30 UTC: still 2025 in Hangzhou
	r1 := report(f.a, f.CommunityA, lateNYE)
	move(r1, patrols.Transition{To: patrols.StatusAssigned, AssignedTo: f.a.ID}, lateNYE.Add(10*time.Minute))
	move(r1, patrols.Transition{To: patrols.StatusHandled, Result: "已处理"}, lateNYE.Add(time.Hour)) // closed in 2026
	r2 := report(f.a, f.CommunityA, time.Date(2025, 5, 1, 10, 0, 0, 0, loc))
	move(r2, patrols.Transition{To: patrols.StatusAssigned, AssignedTo: f.a.ID}, time.Date(2025, 5, 1, 11, 0, 0, 0, loc))
	move(r2, patrols.Transition{To: patrols.StatusDismissed, Result: "误报"}, time.Date(2025, 5, 2, 11, 0, 0, 0, loc))
	report(f.b, f.CommunityB, time.Date(2025, 8, 1, 10, 0, 0, 0, loc))
	for _, d := range []patrols.DeedInput{
		{Name: "张阿姨", Community: f.CommunityA, Date: "2025-07-01", Kind: "kindness", Story: "帮扶", Consent: true, Published: true},
		{Name: "王师傅", Community: f.CommunityA, Date: "2025-08-01", Kind: "patrol", Story: "巡防"},
	} {
		if _, err := f.store.SaveDeed(ctx, f.ch, "", d); err != nil {
			t.Fatal(err)
		}
	}

	row := func(fs patrols.Figures, comm string) patrols.FigureRow {
		for _, r := range fs.Rows {
			if r.Community == comm {
				return r
			}
		}
		t.Fatalf("no row for %s", comm)
		return patrols.FigureRow{}
	}
	f25, err := f.store.Figures(ctx, f.ch, 2025)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("person-turns are the volunteers present summed over the year's shifts", func(t *testing.T) {
		a := row(f25, f.CommunityA)
		if a.PersonTurns != 4 || a.Shifts != 2 {
			t.Fatalf("2025 A: %+v", a)
		}
		if b := row(f25, f.CommunityB); b.PersonTurns != 1 || b.Shifts != 1 {
			t.Fatalf("2025 B: %+v", b)
		}
		if f25.Total.PersonTurns != 5 || f25.Total.Shifts != 3 {
			t.Fatalf("total %+v", f25.Total)
		}
	})
	t.Run("a report belongs to the station-local year it was found, and to the year it was closed for handling", func(t *testing.T) {
		a := row(f25, f.CommunityA)
		if a.Reports != 2 || a.Handled != 0 || a.Dismissed != 1 {
			t.Fatalf("2025 A: %+v", a)
		}
		f26, err := f.store.Figures(ctx, f.ch, 2026)
		if err != nil {
			t.Fatal(err)
		}
		a26 := row(f26, f.CommunityA)
		if a26.Reports != 0 || a26.Handled != 1 || a26.PersonTurns != 2 {
			t.Fatalf("2026 A: %+v", a26)
		}
	})
	t.Run("good deeds count all of the year's, and those on the board", func(t *testing.T) {
		if a := row(f25, f.CommunityA); a.Deeds != 2 || a.Published != 1 {
			t.Fatalf("2025 A: %+v", a)
		}
	})
	t.Run("an officer's figures are their communities' only", func(t *testing.T) {
		fa, err := f.store.Figures(ctx, f.a, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if len(fa.Rows) != 1 || fa.Rows[0].Community != f.CommunityA || fa.Total.PersonTurns != 4 {
			t.Fatalf("officer A: %+v", fa)
		}
	})
	t.Run("an empty year is zeros, not an error", func(t *testing.T) {
		f20, err := f.store.Figures(ctx, f.ch, 2020)
		if err != nil || f20.Total.PersonTurns != 0 || f20.Total.Reports != 0 || len(f20.Rows) != 2 {
			t.Fatalf("%+v %v", f20, err)
		}
	})
}
