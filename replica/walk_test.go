package replica_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/pb_migrations"
	"zoufang/replica"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

// saveVisit writes a visit as a superuser's REST write would: a record
// through the hooks, at any date, by any officer.
func saveVisit(t *testing.T, env *apptest.Env, officer, household string, at time.Time, outcome string) *core.Record {
	t.Helper()
	coll, _ := env.App.FindCachedCollectionByNameOrId(visits.Collection)
	r := core.NewRecord(coll)
	r.Set("household", household)
	r.Set("officer", officer)
	r.Set("visited_at", at.UTC())
	r.Set("kind", visits.KindRoutine)
	r.Set("outcome", outcome)
	if err := env.App.Save(r); err != nil {
		t.Fatalf("visit at %v: %v", at, err)
	}
	return r
}

// walkStation seeds every synced collection of both communities, with
// visits on both sides of the window's edge, an officer's visits outside
// their area, tombstones, and shifts and reports in and out of their
// windows.
func walkStation(t *testing.T, env *apptest.Env) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	a, b, chief := apptest.Officer(env.OfficerA), apptest.Officer(env.OfficerB), apptest.Officer(env.Chief)
	var hA, hB []*households.Household
	for i := 0; i < 8; i++ {
		grid := env.GridA1
		if i%2 == 1 {
			grid = env.GridA2
		}
		hA = append(hA, env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Grid: grid, Building: fmt.Sprintf("吴牙街%d号", i+1)}))
	}
	for i := 0; i < 5; i++ {
		hB = append(hB, env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: fmt.Sprintf("贡院小区%d幢", i+1)}))
	}
	edge := now.Add(-replica.Window)
	for _, set := range []struct {
		hs      []*households.Household
		officer string
	}{{hA, env.OfficerA.Id}, {hB, env.OfficerB.Id}} {
		for i, h := range set.hs {
			for _, at := range []time.Time{edge.Add(-time.Hour), edge.Add(time.Hour), now.Add(-10 * 24 * time.Hour), now.Add(-time.Duration(i+1) * time.Hour)} {
				saveVisit(t, env, set.officer, h.ID, at, visits.OutcomeMet)
			}
		}
	}
	// Officer A's visits in B's area (a community A handed over, say),
	// and B's in A's.
	saveVisit(t, env, env.OfficerA.Id, hB[0].ID, now.Add(-2*24*time.Hour), visits.OutcomeNotHome)
	saveVisit(t, env, env.OfficerA.Id, hB[1].ID, edge.Add(-time.Minute), visits.OutcomeMet)
	saveVisit(t, env, env.OfficerB.Id, hA[0].ID, now.Add(-3*24*time.Hour), visits.OutcomeMet)
	if _, err := households.NewStore(env.App).SetArchived(ctx, chief, hA[7].ID, true); err != nil {
		t.Fatal(err)
	}

	day := func(d int) string {
		return now.AddDate(0, 0, d).In(env.Server.Settings().Location()).Format(time.DateOnly)
	}
	for i, w := range []struct {
		o *station.Officer
		h *households.Household
	}{{a, hA[1]}, {a, hA[2]}, {b, hB[2]}} {
		in := watches.Input{ID: fmt.Sprintf("watch%010d", i), Household: w.h.ID, From: day(1), To: day(8), ContactName: "邻居", ContactPhone: "13800138000"}
		if _, _, _, err := watches.Save(ctx, env.App, w.o, in); err != nil {
			t.Fatalf("watch: %v", err)
		}
		if i == 1 {
			in.Status, in.CancelReason = watches.StatusCancelled, "提前回来"
			if _, _, _, err := watches.Save(ctx, env.App, w.o, in); err != nil {
				t.Fatalf("cancel watch: %v", err)
			}
		}
	}

	pat := patrols.NewStore(env.App, env.Server.Households, env.Server.Settings)
	for _, o := range []struct {
		o    *station.Officer
		comm string
		grid string
		h    *households.Household
	}{{a, env.CommunityA, env.GridA1, hA[3]}, {b, env.CommunityB, env.GridB1, hB[3]}} {
		team, err := pat.SaveTeam(ctx, o.o, "", patrols.TeamInput{Community: o.comm, Name: o.o.Name + "巡防队", Grids: []string{o.grid}})
		if err != nil {
			t.Fatal(err)
		}
		vol, err := pat.SaveVolunteer(ctx, o.o, "", patrols.VolunteerInput{Name: o.o.Name + "的志愿者", Community: o.comm, Team: team.ID, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range []int{0, -3, -40} {
			in := patrols.ShiftInput{ID: fmt.Sprintf("sh%s%d", o.comm[:12], i), Team: team.ID, Grids: []string{o.grid}, Date: day(d), Starts: "19:00", Ends: "21:00", Volunteers: []string{vol.ID}}
			if _, _, err := pat.SaveShift(ctx, o.o, in, now); err != nil {
				t.Fatalf("shift: %v", err)
			}
		}
		for i := 0; i < 3; i++ {
			r, _, err := pat.SaveReport(ctx, o.o, patrols.ReportInput{ID: fmt.Sprintf("rp%s%d", o.comm[:12], i), ReportedAt: now.Add(-time.Hour), Community: o.comm,
				Household: o.h.ID, Place: "楼道", Kind: "fire_hazard", Description: "电动车在楼道充电。"}, now)
			if err != nil {
				t.Fatalf("report: %v", err)
			}
			if i > 0 {
				if _, _, err := pat.Move(ctx, o.o, patrols.Transition{Report: r.ID, To: patrols.StatusAssigned, AssignedTo: o.o.ID}, now); err != nil {
					t.Fatalf("assign report: %v", err)
				}
				if _, _, err := pat.Move(ctx, o.o, patrols.Transition{Report: r.ID, To: patrols.StatusHandled, Result: "已劝离。"}, now); err != nil {
					t.Fatalf("close report: %v", err)
				}
			}
			if i == 2 { // closed long ago: out of the share
				if _, err := env.App.DB().NewQuery("UPDATE patrol_reports SET closed_at = {:at} WHERE id = {:id}").
					Bind(map[string]any{"at": station.DBTime(now.Add(-60 * 24 * time.Hour)), "id": r.ID}).Execute(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	med := mediation.NewStore(env.App)
	room, err := med.SaveRoom(ctx, chief, "", mediation.Room{Name: "警民联调工作室"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		o    *station.Officer
		comm string
		h    *households.Household
	}{{a, env.CommunityA, hA[4]}, {a, env.CommunityA, hA[5]}, {b, env.CommunityB, hB[4]}, {chief, env.CommunityB, hB[4]}} {
		if _, err := med.Create(ctx, d.o, mediation.Input{Room: room.ID, Community: d.comm, Household: d.h.ID, Category: mediation.CategoryNeighbour,
			Summary: "楼上漏水。", Source: mediation.SourceWalkIn, Parties: []mediation.Party{
				{Name: "张德明", Role: mediation.RoleApplicant}, {Name: "王小红", Role: mediation.RoleRespondent}}}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTheTwoWalksAgree: a pull may read the stamps from its checkpoint on
// or the scope's own indexes (replica/walk.go); from every checkpoint, for
// every synced collection and every kind of scope, both give the same page,
// the same checkpoint and the same "more".
func TestTheTwoWalksAgree(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	walkStation(t, env)
	store := env.Server.Replica
	now := time.Now()
	for _, rec := range []*core.Record{env.OfficerA, env.OfficerB, env.Chief} {
		o := apptest.Officer(rec)
		for _, coll := range replica.Collections() {
			// Every checkpoint a device can hold: none, each record's, and
			// points between two records.
			all, _, _, err := store.PullBy(o, coll, replica.Checkpoint{}, 10000, now, replica.StampWalk)
			if err != nil {
				t.Fatalf("%s %s: %v", o.Name, coll, err)
			}
			if len(all) == 0 {
				t.Fatalf("%s %s: nothing to pull; the case tests nothing", o.Name, coll)
			}
			cps := []replica.Checkpoint{{}}
			for _, id := range all {
				r, err := env.App.FindRecordById(coll, id)
				if err != nil {
					t.Fatal(err)
				}
				cps = append(cps, replica.Checkpoint{Updated: r.GetString("updated"), ID: r.Id},
					replica.Checkpoint{Updated: r.GetString("updated"), ID: ""}, replica.Checkpoint{Updated: r.GetString("updated"), ID: r.Id + "~"})
			}
			for _, cp := range cps {
				for _, limit := range []int{1, 3, 1000} {
					ids1, cp1, more1, err1 := store.PullBy(o, coll, cp, limit, now, replica.StampWalk)
					ids2, cp2, more2, err2 := store.PullBy(o, coll, cp, limit, now, replica.ScopeWalk)
					if err1 != nil || err2 != nil {
						t.Fatalf("%s %s: %v / %v", o.Name, coll, err1, err2)
					}
					if !slices.Equal(ids1, ids2) || cp1 != cp2 || more1 != more2 {
						t.Fatalf("%s %s after %+v, %d: stamps give %v %+v %v, the scope %v %+v %v", o.Name, coll, cp, limit, ids1, cp1, more1, ids2, cp2, more2)
					}
				}
			}
		}
	}
	t.Run("the visits of the window and the scope, and no others", func(t *testing.T) {
		o := apptest.Officer(env.OfficerA)
		got, _, _, err := store.PullBy(o, visits.Collection, replica.Checkpoint{}, 10000, now, replica.ScopeWalk)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		recs, _ := env.App.FindAllRecords(visits.Collection)
		for _, r := range recs {
			h, _ := env.App.FindRecordById(households.Collection, r.GetString("household"))
			mine := r.GetString("officer") == o.ID || h.GetString("community") == env.CommunityA
			if mine && !r.GetDateTime("visited_at").Time().Before(now.Add(-replica.Window)) {
				want = append(want, r.Id)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("officer A pulls %d visits, want %d", len(got), len(want))
		}
	})
}

// TestPullOverTheWindowAndConcurrentWrites: a device pulls its visits in
// small pages — the scope walk while its checkpoint is far back, the stamp
// walk once it has caught up — over a history that reaches past the window,
// while both officers push new visits and edit theirs and a superuser edits
// old ones. Pages come in (updated, id) order, no version of a visit
// arrives twice, and at the end the device holds exactly the visits of its
// scope and window, each as the server has it.
func TestPullOverTheWindowAndConcurrentWrites(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	walkStation(t, env)
	a := env.SignIn(env.OfficerA)
	b := env.SignIn(env.OfficerB)
	var hA, hB []string
	recs, _ := env.App.FindAllRecords(households.Collection)
	for _, r := range recs {
		if r.GetBool("archived") {
			continue
		}
		if r.GetString("community") == env.CommunityA {
			hA = append(hA, r.Id)
		} else {
			hB = append(hB, r.Id)
		}
	}
	// Enough history before the window's edge and in it that the first
	// pages take the scope walk.
	now := time.Now()
	for i := 0; i < 60; i++ {
		at := now.Add(-replica.Window + time.Duration(i-30)*time.Hour)
		saveVisit(t, env, env.OfficerA.Id, hA[i%len(hA)], at, visits.OutcomeNotHome)
	}
	var old []*core.Record
	all, _ := env.App.FindAllRecords(visits.Collection)
	for _, r := range all {
		if slices.Contains(hA, r.GetString("household")) || slices.Contains(hB, r.GetString("household")) {
			old = append(old, r) // not an archived household's: those are closed
		}
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	writer := func(c *apptest.Client, hs []string, seed uint64, tag string) {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(seed, 1))
		var mine []map[string]any
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var v map[string]any
			if len(mine) > 0 && rng.IntN(3) == 0 { // an edit within the window
				v = mine[rng.IntN(len(mine))]
				v["notes"] = fmt.Sprintf("改%d", i)
			} else {
				v = visit(fmt.Sprintf("%s%013d", tag, i), hs[rng.IntN(len(hs))], time.Now().Add(-time.Duration(rng.IntN(6*24))*time.Hour))
				mine = append(mine, v)
			}
			var ans pushAnswer
			if res := c.PostJSON("/sync/push", map[string]any{"visits": []any{v}}, &ans); res.StatusCode != http.StatusOK {
				t.Errorf("push: %d", res.StatusCode)
				return
			}
			if st := ans.Results[0].Status; st != "created" && st != "updated" && st != "exists" {
				t.Errorf("push: %s %s", st, ans.Results[0].Message)
				return
			}
		}
	}
	wg.Add(3)
	go writer(a, hA, 1, "wa")
	go writer(b, hB, 2, "wb")
	go func() { // a superuser edits old visits in /_/: their stamps move on
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r := old[i%len(old)]
			r.Set("notes", fmt.Sprintf("核对%d", i))
			if err := env.App.Save(r); err != nil {
				t.Errorf("edit: %v", err)
				return
			}
		}
	}()

	type version struct{ updated, id string }
	local := map[string]string{} // id → updated
	seen := map[version]bool{}
	var last version
	var cp replica.Checkpoint
	pull := func() bool {
		t.Helper()
		var ans pullAnswer
		res := a.GetJSON(fmt.Sprintf("/sync/pull?collection=visits&updated=%s&id=%s&limit=5", urlq(cp.Updated), cp.ID), &ans)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("pull: %d", res.StatusCode)
		}
		for _, d := range ans.Docs {
			v := version{d["updated"].(string), d["id"].(string)}
			if v.updated < last.updated || (v.updated == last.updated && v.id <= last.id) {
				t.Fatalf("%+v pulled after %+v: out of order", v, last)
			}
			if seen[v] {
				t.Fatalf("version %+v pulled twice", v)
			}
			seen[v], last = true, v
			local[v.id] = v.updated
		}
		cp = replica.Checkpoint{Updated: ans.Checkpoint.Updated, ID: ans.Checkpoint.ID}
		return ans.More
	}
	// Pull while the writers run until the device has caught up with them
	// several times over (it then pulls by stamps) and has seen a few
	// hundred versions, or for at most 20 s.
	caughtUp := 0
	for deadline := time.Now().Add(20 * time.Second); (caughtUp < 5 || len(seen) < 300) && time.Now().Before(deadline); {
		if !pull() {
			caughtUp++
		}
	}
	close(stop)
	wg.Wait()
	for pull() {
	}
	if caughtUp == 0 {
		t.Fatal("the device never caught up with the writers")
	}

	now = time.Now()
	all, _ = env.App.FindAllRecords(visits.Collection)
	want := map[string]bool{}
	for _, r := range all {
		h, _ := env.App.FindRecordById(households.Collection, r.GetString("household"))
		mine := r.GetString("officer") == env.OfficerA.Id || h.GetString("community") == env.CommunityA
		if mine && !r.GetDateTime("visited_at").Time().Before(now.Add(-replica.Window)) {
			want[r.Id] = true
		}
	}
	for id := range want {
		if _, ok := local[id]; !ok {
			t.Errorf("visit %s never reached the device", id)
		}
	}
	for id := range local {
		if !want[id] {
			t.Errorf("visit %s is not the device's", id)
		}
	}
	for id := range want {
		r, _ := env.App.FindRecordById(visits.Collection, id)
		if local[id] != r.GetString("updated") {
			t.Errorf("visit %s: the device has the version of %s, the server %s", id, local[id], r.GetString("updated"))
		}
	}
	t.Logf("%d visits of the scope pulled over %d versions; %d in the station", len(want), len(seen), len(all))
}

// TestRestampFutureVisits: a visit written (by an older version) with a
// stamp long before its date is stamped again, above every other stamp,
// so the pull's walk from the window's floor reaches it.
func TestRestampFutureVisits(t *testing.T) {
	t.Parallel()
	if replica.Window > pb_migrations.RestampDays*24*time.Hour {
		t.Fatalf("the replica window (%v) reaches past what the migration restamps (%d days)", replica.Window, pb_migrations.RestampDays)
	}
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街1号"})
	now := time.Now()
	v := saveVisit(t, env, env.OfficerA.Id, h.ID, now.Add(-time.Hour), visits.OutcomeMet)
	fine := saveVisit(t, env, env.OfficerA.Id, h.ID, now.Add(-2*time.Hour), visits.OutcomeMet)
	// As an old version could have left it: dated ahead of its stamp.
	if _, err := env.App.DB().NewQuery("UPDATE visits SET updated = {:u} WHERE id = {:id}").
		Bind(map[string]any{"u": station.DBTime(now.Add(-200 * 24 * time.Hour)), "id": v.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if err := pb_migrations.RestampFutureVisits(env.App, now); err != nil {
		t.Fatal(err)
	}
	got, _ := env.App.FindRecordById(visits.Collection, v.Id)
	kept, _ := env.App.FindRecordById(visits.Collection, fine.Id)
	if got.GetString("updated") <= kept.GetString("updated") {
		t.Fatalf("restamped %s, the newest other %s", got.GetString("updated"), kept.GetString("updated"))
	}
	if kept.GetString("updated") != fine.GetString("updated") {
		t.Fatal("a visit that needed no new stamp got one")
	}
	t.Run("no write path stores a visit dated ahead of the clock", func(t *testing.T) {
		coll, _ := env.App.FindCachedCollectionByNameOrId(visits.Collection)
		r := core.NewRecord(coll)
		r.Set("household", h.ID)
		r.Set("officer", env.OfficerA.Id)
		r.Set("visited_at", now.Add(time.Hour).UTC())
		r.Set("outcome", visits.OutcomeMet)
		if err := env.App.Save(r); err == nil {
			t.Fatal("a visit an hour ahead was saved")
		}
	})
}
