package patrols_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"zoufang/households"
	"zoufang/patrols"
	"zoufang/station"
)

func TestReportLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	hh := f.Household(f.OfficerA, households.Input{Community: f.CommunityA, Grid: f.GridA1, Building: "吴牙街12号"})
	report := func(rid string) patrols.ReportInput {
		return patrols.ReportInput{ID: rid, ReportedAt: now.Add(-time.Hour), Volunteer: f.vols[0].ID, Community: f.CommunityA, Grid: f.GridA1,
			Household: hh.ID, Place: "吴牙街12号楼道", Kind: patrols.KindEBike, Description: "楼道内三辆电瓶车飞线充电"}
	}
	r, status, err := f.store.SaveReport(ctx, f.a, report(id("rep1")), now)
	if err != nil || status != patrols.SaveCreated {
		t.Fatalf("save: %v %s", err, status)
	}
	move := func(o *station.Officer, tr patrols.Transition) (*patrols.Report, string, error) {
		tr.Report = r.ID
		return f.store.Move(ctx, o, tr, time.Now())
	}

	t.Run("a new report is open, recorded by the officer, and its history says so", func(t *testing.T) {
		if r.Status != patrols.StatusOpen || r.Officer != f.a.ID || len(r.History) != 1 || r.History[0].To != patrols.StatusOpen || r.History[0].By != f.a.ID {
			t.Fatalf("report %+v", r)
		}
	})
	t.Run("a retried report is the same report", func(t *testing.T) {
		got, status, err := f.store.SaveReport(ctx, f.a, report(id("rep1")), now.Add(time.Minute))
		if err != nil || status != patrols.SaveExists || got.ID != r.ID {
			t.Fatalf("retry: %v %s", err, status)
		}
	})
	t.Run("an open report cannot be closed before someone has it", func(t *testing.T) {
		_, _, err := move(f.ch, patrols.Transition{To: patrols.StatusHandled, Result: "已处理"})
		if codeOf(err, "status") != "report_assign_first" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("it cannot go to an officer outside its community", func(t *testing.T) {
		_, _, err := move(f.ch, patrols.Transition{To: patrols.StatusAssigned, AssignedTo: f.b.ID})
		if codeOf(err, "assigned_to") != "assignee_not_area" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("an officer may take it, but not hand it to someone else", func(t *testing.T) {
		_, _, err := move(f.a, patrols.Transition{To: patrols.StatusAssigned, AssignedTo: f.ch.ID})
		if station.ErrorCode(err) != station.EForbidden {
			t.Fatalf("err %v", err)
		}
		got, status, err := move(f.a, patrols.Transition{To: patrols.StatusAssigned, Note: "今晚去看"})
		if err != nil || status != patrols.SaveUpdated || got.Status != patrols.StatusAssigned || got.AssignedTo != f.a.ID {
			t.Fatalf("take: %v %+v", err, got)
		}
		last := got.History[len(got.History)-1]
		if last.From != patrols.StatusOpen || last.To != patrols.StatusAssigned || last.AssignedTo != f.a.ID || last.Note != "今晚去看" {
			t.Fatalf("step %+v", last)
		}
		rec, _ := f.App.FindRecordById(patrols.ReportsCollection, r.ID)
		if rec.GetString("note") != "" {
			t.Fatal("the note stays on the report instead of moving into the history")
		}
	})
	t.Run("asking again for what it is is a retry", func(t *testing.T) {
		got, status, err := move(f.a, patrols.Transition{To: patrols.StatusAssigned})
		if err != nil || status != patrols.SaveExists || len(got.History) != 2 {
			t.Fatalf("retry: %v %s %d steps", err, status, len(got.History))
		}
	})
	t.Run("only the deputy chief reassigns", func(t *testing.T) {
		if _, _, err := move(f.a, patrols.Transition{To: patrols.StatusAssigned, AssignedTo: f.ch.ID}); station.ErrorCode(err) != station.EForbidden {
			t.Fatalf("officer reassigning: %v", err)
		}
	})
	t.Run("closing needs a result", func(t *testing.T) {
		_, _, err := move(f.a, patrols.Transition{To: patrols.StatusHandled})
		if codeOf(err, "result") != "report_needs_result" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("only the assignee or the deputy chief closes it", func(t *testing.T) {
		other := f.NewOfficer("100009", "周永杰", station.RoleOfficer, f.CommunityA)
		_, _, err := move(station.OfficerFromRecord(other), patrols.Transition{To: patrols.StatusHandled, Result: "已处理"})
		if station.ErrorCode(err) != station.EForbidden {
			t.Fatalf("err %v", err)
		}
	})
	var closedAt time.Time
	t.Run("the assignee closes it with the result", func(t *testing.T) {
		got, _, err := move(f.a, patrols.Transition{To: patrols.StatusHandled, Result: "已督促房东清理，电瓶车全部移出"})
		if err != nil || got.Status != patrols.StatusHandled || got.ClosedAt.IsZero() || got.Result == "" {
			t.Fatalf("close: %v %+v", err, got)
		}
		closedAt = got.ClosedAt
		if last := got.History[len(got.History)-1]; last.Result != got.Result || last.To != patrols.StatusHandled {
			t.Fatalf("step %+v", last)
		}
	})
	t.Run("a handled report is not dismissed afterwards without reopening", func(t *testing.T) {
		_, _, err := move(f.ch, patrols.Transition{To: patrols.StatusDismissed, Result: "误报"})
		if codeOf(err, "status") != "report_bad_transition" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("reopening needs a reason; the old result stays in the history", func(t *testing.T) {
		if _, _, err := move(f.a, patrols.Transition{To: patrols.StatusAssigned}); codeOf(err, "note") != "reopen_needs_note" {
			t.Fatalf("err %v", err)
		}
		got, _, err := move(f.a, patrols.Transition{To: patrols.StatusAssigned, Note: "居民反映电瓶车又搬回楼道"})
		if err != nil || got.Status != patrols.StatusAssigned || got.Result != "" || !got.ClosedAt.IsZero() {
			t.Fatalf("reopen: %v %+v", err, got)
		}
		var sawResult bool
		for _, st := range got.History {
			sawResult = sawResult || st.Result == "已督促房东清理，电瓶车全部移出"
		}
		last := got.History[len(got.History)-1]
		if !sawResult || last.From != patrols.StatusHandled || last.Note == "" || closedAt.IsZero() {
			t.Fatalf("history %+v", got.History)
		}
	})
	t.Run("an officer of another community sees no such report", func(t *testing.T) {
		if _, err := f.store.Report(ctx, f.b, r.ID); station.ErrorCode(err) != station.ENotFound {
			t.Fatalf("err %v", err)
		}
		if _, _, err := move(f.b, patrols.Transition{To: patrols.StatusHandled, Result: "x"}); station.ErrorCode(err) != station.ENotFound {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("the recording officer corrects an open report from the phone, not one in hand", func(t *testing.T) {
		in := report(id("rep2"))
		if _, _, err := f.store.SaveReport(ctx, f.a, in, now); err != nil {
			t.Fatal(err)
		}
		in.Description = "楼道内五辆电瓶车飞线充电"
		if _, status, err := f.store.SaveReport(ctx, f.a, in, now.Add(time.Hour)); err != nil || status != patrols.SaveUpdated {
			t.Fatalf("correct: %v %s", err, status)
		}
		// rep1 is in hand by now: a retry is still a retry, a change is not.
		if _, status, err := f.store.SaveReport(ctx, f.a, report(id("rep1")), now); err != nil || status != patrols.SaveExists {
			t.Fatalf("retry of a report in hand: %v %s", err, status)
		}
		changed := report(id("rep1"))
		changed.Description = "改了"
		if _, _, err := f.store.SaveReport(ctx, f.a, changed, now); station.ErrorCode(err) != station.EConflict || patrols.Current(err) == nil {
			t.Fatalf("edit of a report in hand: %v", err)
		}
	})

	refusals := []struct {
		name, field, code string
		edit              func(in *patrols.ReportInput)
	}{
		{"a report without a place", "place", "required", func(in *patrols.ReportInput) { in.Place = " " }},
		{"a kind that is not one", "kind", "choice", func(in *patrols.ReportInput) { in.Kind = "fire" }},
		{"a report in the future", "reported_at", "report_future", func(in *patrols.ReportInput) { in.ReportedAt = now.Add(time.Hour) }},
		{"a volunteer of another community", "volunteer", "volunteer_mismatch", func(in *patrols.ReportInput) { in.Volunteer = f.volB.ID }},
		{"a grid of another community", "grid", "grid_mismatch", func(in *patrols.ReportInput) { in.Grid = f.GridB1 }},
		{"a community outside the officer's area", "community", "out_of_area", func(in *patrols.ReportInput) {
			in.Community = f.CommunityB
			in.Grid = ""
			in.Household = ""
			in.Volunteer = ""
		}},
	}
	for _, rf := range refusals {
		t.Run(rf.name+" is refused on "+rf.field, func(t *testing.T) {
			in := report("")
			rf.edit(&in)
			before := f.Count(t, patrols.ReportsCollection, "", nil)
			_, _, err := f.store.SaveReport(ctx, f.a, in, now)
			if codeOf(err, rf.field) != rf.code {
				t.Fatalf("err %v, want %s on %s", err, rf.code, rf.field)
			}
			if f.Count(t, patrols.ReportsCollection, "", nil) != before {
				t.Fatal("a refused report was saved")
			}
		})
	}

	admin := f.Superuser()
	rest := func(t *testing.T, body map[string]any) (int, map[string]any, apiError) {
		t.Helper()
		base := map[string]any{"reported_at": now.Add(-time.Hour).UTC().Format(time.RFC3339), "officer": f.a.ID, "community": f.CommunityA,
			"place": "长庆街口", "kind": "fire_hazard", "description": "灭火器过期"}
		for k, v := range body {
			base[k] = v
		}
		return restCreate(t, admin, patrols.ReportsCollection, base)
	}
	t.Run("through REST a new report is open with its first step, whatever history was sent", func(t *testing.T) {
		status, rec, e := rest(t, map[string]any{"history": []map[string]any{{"to": "handled", "by": "forged"}}})
		if status != http.StatusOK {
			t.Fatalf("status %d %+v", status, e)
		}
		got, _ := f.store.Report(ctx, f.ch, rec["id"].(string))
		if got.Status != patrols.StatusOpen || len(got.History) != 1 || got.History[0].By != "" || got.History[0].To != patrols.StatusOpen {
			t.Fatalf("report %+v", got)
		}
	})
	t.Run("through REST a report cannot be born handled", func(t *testing.T) {
		status, _, e := rest(t, map[string]any{"status": "handled", "result": "x"})
		if status != http.StatusBadRequest || e.Data["status"].Code != "report_new_status" {
			t.Fatalf("status %d %+v", status, e)
		}
	})
	t.Run("through REST closing an assigned report without a result is refused, with one it is recorded", func(t *testing.T) {
		_, rec, _ := rest(t, map[string]any{"assigned_to": f.a.ID})
		rid := rec["id"].(string)
		if rec["status"] != "assigned" {
			t.Fatalf("naming an assignee did not assign: %v", rec)
		}
		var e apiError
		res := admin.Send(http.MethodPatch, "/api/collections/patrol_reports/records/"+rid, map[string]any{"status": "dismissed"}, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data["result"].Code != "report_needs_result" {
			t.Fatalf("status %d %+v", res.StatusCode, e)
		}
		res = admin.Send(http.MethodPatch, "/api/collections/patrol_reports/records/"+rid, map[string]any{"status": "dismissed", "result": "经核实为误报", "closed_at": "2001-01-01 00:00:00.000Z"}, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("close: %d", res.StatusCode)
		}
		got, _ := f.store.Report(ctx, f.ch, rid)
		if got.Status != patrols.StatusDismissed || got.ClosedAt.Year() < 2020 || len(got.History) != 2 {
			t.Fatalf("report %+v", got)
		}
	})
	t.Run("through REST an officer who is no reporter and no volunteer is refused", func(t *testing.T) {
		status, _, e := rest(t, map[string]any{"officer": ""})
		if status != http.StatusBadRequest || e.Data["volunteer"].Code != "reporter_required" {
			t.Fatalf("status %d %+v", status, e)
		}
	})
}
