package app_test

import (
	"context"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/people"
	"zoufang/station"

	"github.com/pocketbase/pocketbase/core"
)

// TestHandoverMovesCasesAndReports: a handover hands the successor the
// features' open work too, not only the registry's: the open disputes the
// officer leads and the patrol reports assigned to them, each with the
// handover in its history; the preview counts them first, and what lies
// in another community stays.
func TestHandoverMovesCasesAndReports(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	now := time.Now()
	a, chief := apptest.Officer(env.OfficerA), apptest.Officer(env.Chief)
	// Officer A covers community B too, for now: the case there stays.
	env.OfficerA.Set("communities", []string{env.CommunityA, env.CommunityB})
	if err := env.App.Save(env.OfficerA); err != nil {
		t.Fatal(err)
	}
	a = apptest.Officer(env.OfficerA)
	succ := env.NewOfficer("100009", "柳营", station.RoleOfficer, env.CommunityB)

	med := mediation.NewStore(env.App)
	room, err := med.SaveRoom(ctx, chief, "", mediation.Room{Name: "警民联调工作室"})
	if err != nil {
		t.Fatal(err)
	}
	hh := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街12号"})
	dispute := func(community string) *mediation.Dispute {
		d, err := med.Create(ctx, a, mediation.Input{Room: room.ID, Community: community, Category: mediation.CategoryNeighbour,
			Summary: "楼上漏水。", Source: mediation.SourceWalkIn, Parties: []mediation.Party{
				{Name: "张德明", Role: mediation.RoleApplicant}, {Name: "王小红", Role: mediation.RoleRespondent}}})
		if err != nil {
			t.Fatalf("dispute: %v", err)
		}
		return d
	}
	moving, staying := dispute(env.CommunityA), dispute(env.CommunityB)

	pat := patrols.NewStore(env.App, env.Server.Households, env.Server.Settings)
	report, _, err := pat.SaveReport(ctx, a, patrols.ReportInput{ID: "rep000000000001", ReportedAt: now.Add(-time.Hour), Community: env.CommunityA,
		Household: hh.ID, Place: "吴牙街12号楼道", Kind: "fire_hazard", Description: "电动车在楼道充电。"}, now)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if err := env.App.RunInTransaction(func(tx core.App) error {
		_, _, err := patrols.ApplyTransition(ctx, tx, a, patrols.Transition{Report: report.ID, To: patrols.StatusAssigned}, now)
		return err
	}); err != nil {
		t.Fatalf("assign: %v", err)
	}

	in := people.HandoverInput{From: env.OfficerA.Id, To: succ.Id, Communities: []string{env.CommunityA}}
	t.Run("the preview counts the case and the report", func(t *testing.T) {
		plan, err := env.Server.People.Preview(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if plan.Counts["open_disputes"] != 1 || plan.Counts["open_reports"] != 1 {
			t.Fatalf("counts %v", plan.Counts)
		}
	})
	ho, err := env.Server.People.Hand(ctx, chief, in)
	if err != nil {
		t.Fatalf("hand over: %v", err)
	}
	if ho.Moved["open_disputes"] != 1 || ho.Moved["open_reports"] != 1 {
		t.Fatalf("moved %v", ho.Moved)
	}
	lead := func(id string) string {
		rec, err := env.App.FindRecordById(mediation.Collection, id)
		if err != nil {
			t.Fatal(err)
		}
		return rec.GetString("officer")
	}
	if got := lead(moving.ID); got != succ.Id {
		t.Errorf("the case in community A is led by %s, want the successor", got)
	}
	if got := lead(staying.ID); got != env.OfficerA.Id {
		t.Errorf("the case in community B moved to %s", got)
	}
	rec, err := env.App.FindRecordById(patrols.ReportsCollection, report.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := patrols.ReportFromRecord(rec); r.AssignedTo != succ.Id || r.Status != patrols.StatusAssigned || len(r.History) == 0 {
		t.Fatalf("report assigned to %s (%s), history %+v", r.AssignedTo, r.Status, r.History)
	}
}
