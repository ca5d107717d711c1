package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/station"
)

type pulled struct {
	Docs []map[string]any `json:"docs"`
}

type pushAnswer struct {
	Results []struct {
		Collection string                        `json:"collection"`
		ID         string                        `json:"id"`
		Status     string                        `json:"status"`
		Errors     map[string]station.FieldError `json:"errors"`
	} `json:"results"`
}

func cid(s string) string { return (s + "000000000000000")[:15] }

// TestFeaturesSync: the patrols and the mediation log travel by the same
// protocol as the visit log (DESIGN §6): an officer's phone pulls their
// communities' teams, roster, shifts and reports and the disputes they
// lead, and pushes shifts, reports and follow-up visits, each idempotent
// by its client-minted id, one bad item never blocking the others.
func TestFeaturesSync(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	now := time.Now()
	st := env.Server.Settings()
	a, chief := apptest.Officer(env.OfficerA), apptest.Officer(env.Chief)
	pat := patrols.NewStore(env.App, env.Server.Households, env.Server.Settings)
	team, err := pat.SaveTeam(ctx, a, "", patrols.TeamInput{Community: env.CommunityA, Name: "吴牙社区平安巡防队", Grids: []string{env.GridA1}})
	if err != nil {
		t.Fatal(err)
	}
	vol, err := pat.SaveVolunteer(ctx, a, "", patrols.VolunteerInput{Name: "张阿姨", Community: env.CommunityA, Team: team.ID, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	teamB, err := pat.SaveTeam(ctx, apptest.Officer(env.OfficerB), "", patrols.TeamInput{Community: env.CommunityB, Name: "贡院巡防队"})
	if err != nil {
		t.Fatal(err)
	}
	hh := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街12号"})
	med := mediation.NewStore(env.App)
	room, err := med.SaveRoom(ctx, chief, "", mediation.Room{Name: "警民联调工作室"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := med.Create(ctx, a, mediation.Input{Room: room.ID, Community: env.CommunityA, Household: hh.ID, Category: mediation.CategoryNeighbour,
		Summary: "楼上漏水。", Source: mediation.SourceWalkIn, Parties: []mediation.Party{
			{Name: "张德明", Role: mediation.RoleApplicant}, {Name: "王小红", Role: mediation.RoleRespondent}}})
	if err != nil {
		t.Fatal(err)
	}
	// The follow-up is due today: an hour ago was yesterday in the
	// station's zone for the first hour after its midnight, before the
	// day the case was opened, and refused.
	if _, err := med.Close(ctx, a, d.ID, mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "双方达成赔偿协议。", FollowUpAt: now}); err != nil {
		t.Fatalf("settle: %v", err)
	}

	phone := env.SignIn(env.OfficerA)
	pull := func(collection string) []map[string]any {
		t.Helper()
		var p pulled
		phone.GetJSON("/sync/pull?collection="+collection, &p)
		return p.Docs
	}
	t.Run("the phone pulls its area's teams and roster and the disputes it leads", func(t *testing.T) {
		teams := pull(patrols.TeamsCollection)
		if len(teams) != 1 || teams[0]["id"] != team.ID {
			t.Fatalf("teams %v (team B is %s)", teams, teamB.ID)
		}
		if vs := pull(patrols.VolunteersCollection); len(vs) != 1 || vs[0]["id"] != vol.ID {
			t.Fatalf("volunteers %v", vs)
		}
		ds := pull(mediation.Collection)
		if len(ds) != 1 || ds[0]["id"] != d.ID || ds[0]["pending"] != true {
			t.Fatalf("disputes %v", ds)
		}
	})

	shift := map[string]any{"id": cid("shift1"), "team": team.ID, "grids": []string{env.GridA1}, "date": st.DayString(now),
		"starts": "19:00", "ends": "21:00", "volunteers": []string{vol.ID}}
	report := map[string]any{"id": cid("report1"), "reported_at": now.Add(-time.Hour).UTC().Format(time.RFC3339), "community": env.CommunityA,
		"household": hh.ID, "place": "吴牙街12号楼道", "kind": "fire_hazard", "description": "电动车在楼道充电。"}
	followUp := map[string]any{"id": cid("followup1"), "household": hh.ID, "visited_at": now.Add(-10 * time.Minute).UTC().Format(time.RFC3339),
		"kind": "follow_up", "outcome": "met", "dispute": d.ID, "notes": "双方已按协议履行。"}
	bad := map[string]any{"id": cid("shift2"), "team": team.ID, "date": "明天", "starts": "19:00", "ends": "21:00"}
	body := map[string]any{"officer": env.OfficerA.Id, "patrol_shifts": []any{bad, shift}, "patrol_reports": []any{report}, "visits": []any{followUp}}
	for round, want := range []string{"created", "exists"} {
		var ans pushAnswer
		phone.PostJSON("/sync/push", body, &ans)
		got := map[string]string{}
		for _, r := range ans.Results {
			got[r.ID] = r.Status
		}
		if got[cid("shift1")] != want || got[cid("report1")] != want || got[cid("followup1")] != want || got[cid("shift2")] != "invalid" {
			t.Fatalf("round %d: %v", round+1, ans.Results)
		}
	}
	t.Run("each is stored once and the follow-up is marked made", func(t *testing.T) {
		if n := env.Count(t, patrols.ShiftsCollection, "", nil); n != 1 {
			t.Errorf("%d shifts", n)
		}
		if n := env.Count(t, patrols.ReportsCollection, "", nil); n != 1 {
			t.Errorf("%d reports", n)
		}
		ds := pull(mediation.Collection)
		if len(ds) != 1 || ds[0]["pending"] != false {
			t.Fatalf("the dispute after its follow-up: %v", ds)
		}
	})
	t.Run("the pushed report is on the phone and on the area's map", func(t *testing.T) {
		rs := pull(patrols.ReportsCollection)
		if len(rs) != 1 || rs[0]["id"] != cid("report1") || rs[0]["status"] != patrols.StatusOpen {
			t.Fatalf("reports %v", rs)
		}
	})
	t.Run("the chief's coverage page carries the year's patrol and mediation figures", func(t *testing.T) {
		_, body := env.SignIn(env.Chief).Get("/coverage")
		year := strconv.Itoa(now.In(st.Location()).Year())
		for _, want := range []string{year + " 年巡防工作统计", year + " 年矛盾纠纷调解统计"} {
			if !strings.Contains(body, want) {
				t.Errorf("coverage lacks %q", want)
			}
		}
	})
	t.Run("the household's office page lists its case and opens a new one or a finding", func(t *testing.T) {
		_, body := env.SignIn(env.Chief).Get("/households/" + hh.ID)
		for _, want := range []string{d.Number, `href="/disputes/` + d.ID + `"`, `href="/disputes/new?household=` + hh.ID + `"`, `href="/reports/new?household=` + hh.ID + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("household page lacks %q", want)
			}
		}
	})
	t.Run("a dispute opened from the finding comes prefilled from it", func(t *testing.T) {
		_, body := phone.Get("/disputes/new?report=" + cid("report1"))
		if !strings.Contains(body, "电动车在楼道充电") {
			t.Fatal("the dispute form does not carry the finding")
		}
	})
}
