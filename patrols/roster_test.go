package patrols_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"zoufang/patrols"
	"zoufang/station"
)

func TestRosterRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	admin := f.Superuser()

	t.Run("a volunteer's phone is stored as E.164 from the form", func(t *testing.T) {
		if f.vols[0].Phone != "+8613800138001" || f.vols[1].Phone != "+8613900001234" || f.vols[2].Phone != "" {
			t.Fatalf("phones %q %q %q", f.vols[0].Phone, f.vols[1].Phone, f.vols[2].Phone)
		}
	})
	t.Run("a volunteer's phone is stored as E.164 through REST, even as a bare number", func(t *testing.T) {
		status, rec, e := restCreate(t, admin, patrols.VolunteersCollection, map[string]any{"name": "钱大姐", "phone": "0571 8765 4321", "community": f.CommunityA, "active": true})
		if status != http.StatusOK || rec["phone"] != "+8657187654321" {
			t.Fatalf("status %d %v %+v", status, rec, e)
		}
	})
	t.Run("a phone registered for another volunteer is refused", func(t *testing.T) {
		_, err := f.store.SaveVolunteer(ctx, f.a, "", patrols.VolunteerInput{Name: "重复", Phone: "13800138001", Community: f.CommunityA, Active: true})
		if codeOf(err, "phone") != "volunteer_phone_taken" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a number that is no phone is refused with the phone rule's code", func(t *testing.T) {
		status, _, e := restCreate(t, admin, patrols.VolunteersCollection, map[string]any{"name": "错号", "phone": "12345", "community": f.CommunityA})
		if status != http.StatusBadRequest || e.Data["phone"].Code != station.PhoneInvalid {
			t.Fatalf("status %d %+v", status, e)
		}
	})
	t.Run("a volunteer sent by a local business keeps the unit", func(t *testing.T) {
		v, err := f.store.SaveVolunteer(ctx, f.a, "", patrols.VolunteerInput{Name: "孙经理", Community: f.CommunityA, Team: f.team.ID, Unit: " 联华超市庆春店 ", Active: true})
		if err != nil || v.Unit != "联华超市庆春店" {
			t.Fatalf("%v %+v", err, v)
		}
	})
	t.Run("a volunteer cannot join another community's team", func(t *testing.T) {
		_, err := f.store.SaveVolunteer(ctx, f.a, "", patrols.VolunteerInput{Name: "错队", Community: f.CommunityA, Team: f.teamB.ID, Active: true})
		if codeOf(err, "team") != "team_mismatch" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("an officer cannot register volunteers of another community", func(t *testing.T) {
		_, err := f.store.SaveVolunteer(ctx, f.b, "", patrols.VolunteerInput{Name: "越界", Community: f.CommunityA, Active: true})
		if codeOf(err, "community") != "out_of_area" {
			t.Fatalf("err %v", err)
		}
		if _, err := f.store.SaveVolunteer(ctx, f.b, f.vols[0].ID, patrols.VolunteerInput{Name: "改名", Community: f.CommunityB, Active: true}); station.ErrorCode(err) != station.ENotFound {
			t.Fatalf("edit of another community's volunteer: %v", err)
		}
	})
	t.Run("a join day in the future is refused", func(t *testing.T) {
		_, err := f.store.SaveVolunteer(ctx, f.a, "", patrols.VolunteerInput{Name: "未来", Community: f.CommunityA, JoinedAt: "2999-01-01", Active: true})
		if codeOf(err, "joined_at") != "day_future" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("two teams of one community cannot share a name", func(t *testing.T) {
		_, err := f.store.SaveTeam(ctx, f.a, "", patrols.TeamInput{Community: f.CommunityA, Name: "吴牙社区平安巡防队"})
		if codeOf(err, "name") != "team_name_taken" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a team's leader is one of its community's volunteers", func(t *testing.T) {
		_, err := f.store.SaveTeam(ctx, f.a, f.team.ID, patrols.TeamInput{Community: f.CommunityA, Name: f.team.Name, Leader: f.volB.ID})
		if codeOf(err, "leader") != "leader_mismatch" {
			t.Fatalf("err %v", err)
		}
		got, err := f.store.SaveTeam(ctx, f.a, f.team.ID, patrols.TeamInput{Community: f.CommunityA, Name: f.team.Name, Leader: f.vols[0].ID, Grids: []string{f.GridA1}})
		if err != nil || got.Leader != f.vols[0].ID {
			t.Fatalf("%v %+v", err, got)
		}
	})
	t.Run("a volunteer who patrolled is not deleted, so the year's person-turns stand", func(t *testing.T) {
		if _, _, err := f.store.SaveShift(ctx, f.a, patrols.ShiftInput{Team: f.team.ID, Date: day(time.Now()), Starts: "00:00", Ends: "00:10", Volunteers: []string{f.vols[2].ID}}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if res := admin.Send(http.MethodDelete, "/api/collections/volunteers/records/"+f.vols[2].ID, nil, nil); res.StatusCode == http.StatusNoContent {
			t.Fatal("deleted")
		}
		if n := f.Count(t, patrols.ShiftsCollection, "person_turns = 1", nil); n != 1 {
			t.Fatalf("%d shifts with one person-turn", n)
		}
		status, rec, _ := restCreate(t, admin, patrols.VolunteersCollection, map[string]any{"name": "没巡过", "community": f.CommunityA})
		if status != http.StatusOK {
			t.Fatal(status)
		}
		if res := admin.Send(http.MethodDelete, "/api/collections/volunteers/records/"+rec["id"].(string), nil, nil); res.StatusCode != http.StatusNoContent {
			t.Fatalf("a volunteer who never patrolled: %d", res.StatusCode)
		}
	})
	t.Run("a team's grid of another community is refused through REST", func(t *testing.T) {
		status, _, e := restCreate(t, admin, patrols.TeamsCollection, map[string]any{"community": f.CommunityA, "name": "第二队", "grids": []string{f.GridB1}})
		if status != http.StatusBadRequest || e.Data["grids"].Code != "grid_mismatch" {
			t.Fatalf("status %d %+v", status, e)
		}
	})
}

func TestDeedAndPointRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	admin := f.Superuser()
	deed := patrols.DeedInput{Volunteer: f.vols[0].ID, Community: f.CommunityA, Date: "2026-03-05", Kind: "honesty", Story: "拾到钱包一个，交还失主。", Consent: true, Published: true}

	t.Run("only the deputy chief keeps good deeds", func(t *testing.T) {
		if _, err := f.store.SaveDeed(ctx, f.a, "", deed); station.ErrorCode(err) != station.EForbidden {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a deed of a volunteer takes their name unless another is given", func(t *testing.T) {
		d, err := f.store.SaveDeed(ctx, f.ch, "", deed)
		if err != nil || d.Name != "张阿姨" {
			t.Fatalf("%v %+v", err, d)
		}
	})
	t.Run("a deed is not published without consent, on every write path", func(t *testing.T) {
		in := deed
		in.Consent = false
		if _, err := f.store.SaveDeed(ctx, f.ch, "", in); codeOf(err, "published") != "deed_no_consent" {
			t.Fatalf("store: %v", err)
		}
		status, _, e := restCreate(t, admin, patrols.DeedsCollection, map[string]any{"name": "某某", "community": f.CommunityA, "date": "2026-03-05", "kind": "kindness", "story": "扶老人过马路", "published": true})
		if status != http.StatusBadRequest || e.Data["published"].Code != "deed_no_consent" {
			t.Fatalf("REST: %d %+v", status, e)
		}
	})
	t.Run("a published deed carries no phone number", func(t *testing.T) {
		in := deed
		in.Story = "热心帮助邻居，联系电话 138 0013 8000。"
		if _, err := f.store.SaveDeed(ctx, f.ch, "", in); codeOf(err, "story") != "deed_has_phone" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a deed's volunteer is of its community", func(t *testing.T) {
		in := deed
		in.Volunteer = f.volB.ID
		if _, err := f.store.SaveDeed(ctx, f.ch, "", in); codeOf(err, "volunteer") != "volunteer_mismatch" {
			t.Fatalf("err %v", err)
		}
	})

	t.Run("a point's position is a fraction of the plan", func(t *testing.T) {
		_, err := f.store.AddPoint(ctx, f.a, patrols.PointInput{Community: f.CommunityA, Kind: "camera", Label: "北口监控", X: 1.2, Y: 0.5})
		if codeOf(err, "x") != "fraction" {
			t.Fatalf("err %v", err)
		}
		status, _, e := restCreate(t, admin, patrols.PointsCollection, map[string]any{"community": f.CommunityA, "kind": "camera", "label": "北口", "x": 0.5, "y": -0.1})
		if status != http.StatusBadRequest || e.Data["y"].Code != "fraction" {
			t.Fatalf("REST: %d %+v", status, e)
		}
	})
	t.Run("a building point's key is the registry's building, however it was written", func(t *testing.T) {
		a, err := f.store.AddPoint(ctx, f.a, patrols.PointInput{Community: f.CommunityA, Kind: "building", Label: "广福里三幢", Building: "广福里三号楼", X: 0.3, Y: 0.4})
		if err != nil {
			t.Fatal(err)
		}
		status, rec, e := restCreate(t, admin, patrols.PointsCollection, map[string]any{"community": f.CommunityA, "kind": "building", "label": "3幢", "building": "广福里３幢", "x": 0.5, "y": 0.5, "building_key": "forged"})
		if status != http.StatusOK || rec["building_key"] != a.BuildingKey || a.BuildingKey != f.CommunityA+"|广福里3" {
			t.Fatalf("keys %q %v (%d %+v)", a.BuildingKey, rec["building_key"], status, e)
		}
	})
	t.Run("an officer places no point in another community", func(t *testing.T) {
		_, err := f.store.AddPoint(ctx, f.b, patrols.PointInput{Community: f.CommunityA, Kind: "hazard", Label: "x", X: 0.1, Y: 0.1})
		if codeOf(err, "community") != "out_of_area" {
			t.Fatalf("err %v", err)
		}
	})
}
