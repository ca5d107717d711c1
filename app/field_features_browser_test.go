package app_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/visits"
)

const outboxEmpty = `import("/assets/js/db.js").then(async (db) => (await db.count("outbox")) === 0)`

// TestPatrolShiftAndReportOffline: in a stairwell with no signal the
// officer records a patrol shift and a hazard found on the round (a
// finding at a household, from its page); nothing reaches the server until
// the signal is back, then each arrives exactly once, and the finding is
// marked on the patrol map at the household's building.
func TestPatrolShiftAndReportOffline(t *testing.T) {
	env := apptest.New(t)
	bg := context.Background()
	a := apptest.Officer(env.OfficerA)
	pat := patrols.NewStore(env.App, env.Server.Households, env.Server.Settings)
	team, err := pat.SaveTeam(bg, a, "", patrols.TeamInput{Community: env.CommunityA, Name: "吴牙社区平安巡防队", Grids: []string{env.GridA1, env.GridA2}})
	if err != nil {
		t.Fatal(err)
	}
	var vols []*patrols.Volunteer
	for _, name := range []string{"张阿姨", "王师傅", "李建华"} {
		v, err := pat.SaveVolunteer(bg, a, "", patrols.VolunteerInput{Name: name, Community: env.CommunityA, Team: team.ID, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		vols = append(vols, v)
	}
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Grid: env.GridA1, Building: "吴牙街12号", HeadName: "张国强"})
	point, err := pat.AddPoint(bg, a, patrols.PointInput{Community: env.CommunityA, Kind: "building", Label: "吴牙街12号", X: 0.4, Y: 0.5, Building: "吴牙街12号"})
	if err != nil {
		t.Fatal(err)
	}

	ctx := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)
	apptest.Logs(t, ctx)
	env.SignInField(t, ctx, env.OfficerA)
	apptest.WaitJS(t, ctx, 15*time.Second, "the team and its roster on the phone",
		`import("/assets/js/db.js").then(async (db) => (await db.count("patrol_teams")) === 1 && (await db.count("volunteers")) === 3)`)

	env.Offline(t, ctx)
	run(t, ctx,
		tap(`#patrols-today a[href="/patrols/shift"]`),
		chromedp.WaitVisible("#screen-shift-form", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the shift form to offer the team's members", `document.querySelectorAll('#sf-volunteers input').length === 3 && !document.getElementById("sf-save").disabled`)
	t.Run("a shift with nobody present is refused on the phone", func(t *testing.T) {
		run(t, ctx, tap("#sf-save"))
		apptest.WaitJS(t, ctx, 5*time.Second, "the volunteers' error", `!document.querySelector('#sf [data-error-for="volunteers"]').hidden`)
	})
	run(t, ctx,
		tap(`#sf-volunteers input[value="`+vols[0].ID+`"]`),
		tap(`#sf-volunteers input[value="`+vols[2].ID+`"]`),
		setValue("#sf-starts", "19:00"),
		setValue("#sf-ends", "20:30"),
		tap("#sf-save"),
		chromedp.WaitVisible("#screen-today", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the saved notice", `document.getElementById("today-saved").textContent.includes("巡防记录已保存")`)

	// The finding, from the household's page.
	run(t, ctx,
		chromedp.Navigate(env.URL+"/households/"+h.ID),
		chromedp.WaitVisible("#hd-report", chromedp.ByQuery),
		tap("#hd-report"),
		chromedp.WaitVisible("#screen-report-form", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the finding form", `document.getElementById("rf-household").textContent.includes("吴牙街12号") && !document.getElementById("rf-save").disabled`)
	run(t, ctx,
		tap(`#rf input[name="kind"][value="fire_hazard"]`),
		setValue("#rf-description", "楼道内三辆电瓶车飞线充电。"),
		setValue("#rf-volunteer", vols[1].ID),
		tap("#rf-save"),
		chromedp.WaitVisible("#screen-household", chromedp.ByQuery),
	)
	t.Run("offline, both wait on the phone and nothing is on the server", func(t *testing.T) {
		var n int
		if err := apptest.Eval(ctx, `import("/assets/js/db.js").then((db) => db.count("outbox"))`, &n); err != nil || n != 2 {
			t.Fatalf("%d items in the outbox (%v)", n, err)
		}
		if s, r := env.Count(t, patrols.ShiftsCollection, "", nil), env.Count(t, patrols.ReportsCollection, "", nil); s+r != 0 {
			t.Fatalf("the server has %d shifts and %d reports while the phone is offline", s, r)
		}
	})

	env.Online(t, ctx)
	apptest.WaitJS(t, ctx, 20*time.Second, "the outbox to empty", outboxEmpty)
	t.Run("back online each arrives exactly once, as recorded", func(t *testing.T) {
		if n := env.Count(t, patrols.ShiftsCollection, "team = {:t} && person_turns = 2 && starts = '19:00' && ends = '20:30' && officer = {:o}",
			map[string]any{"t": team.ID, "o": env.OfficerA.Id}); n != 1 || env.Count(t, patrols.ShiftsCollection, "", nil) != 1 {
			t.Fatalf("%d matching shifts, %d in all", n, env.Count(t, patrols.ShiftsCollection, "", nil))
		}
		if n := env.Count(t, patrols.ReportsCollection, "household = {:h} && kind = 'fire_hazard' && volunteer = {:v} && status = 'open'",
			map[string]any{"h": h.ID, "v": vols[1].ID}); n != 1 || env.Count(t, patrols.ReportsCollection, "", nil) != 1 {
			t.Fatalf("%d matching reports, %d in all", n, env.Count(t, patrols.ReportsCollection, "", nil))
		}
	})
	t.Run("assigned to the officer, the finding appears on their Today", func(t *testing.T) {
		recs, err := env.App.FindRecordsByFilter(patrols.ReportsCollection, "", "", 1, 0)
		if err != nil || len(recs) != 1 {
			t.Fatalf("reports: %v", err)
		}
		if err := env.App.RunInTransaction(func(tx core.App) error {
			_, _, err := patrols.ApplyTransition(bg, tx, apptest.Officer(env.Chief), patrols.Transition{Report: recs[0].Id, To: patrols.StatusAssigned, AssignedTo: env.OfficerA.Id}, time.Now())
			return err
		}); err != nil {
			t.Fatalf("assign: %v", err)
		}
		run(t, ctx, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible("#screen-today", chromedp.ByQuery))
		apptest.WaitJS(t, ctx, 15*time.Second, "the assigned finding on Today",
			`!document.getElementById("reports-due").hidden && document.querySelector('#reports-list a[href="/reports/`+recs[0].Id+`"]') !== null`)
	})
	t.Run("the finding is marked on the map at the household's building", func(t *testing.T) {
		_, body := env.SignIn(env.Chief).Get("/patrols/map?community=" + env.CommunityA)
		mark := regexp.MustCompile(`<g class="pt kind-building [^"]*has-reports" id="pt-` + point.ID + `" data-id="` + point.ID + `"><title>[^<]*1 条`)
		if !mark.MatchString(body) {
			t.Fatalf("the building's point is not marked with the report")
		}
	})
}

// TestDisputeFromVisitAndFollowUpOnToday: a visit that found a dispute
// offers 登记纠纷 once it is on the server, opening the case form
// prefilled from the visit; a settled case's follow-up shows on the lead
// officer's Today when it is due (not before), and recorded offline it
// marks the follow-up made once it syncs.
func TestDisputeFromVisitAndFollowUpOnToday(t *testing.T) {
	env, ctx, hs := fieldEnv(t)
	h := hs[0]
	bg := context.Background()
	a, chief := apptest.Officer(env.OfficerA), apptest.Officer(env.Chief)
	med := mediation.NewStore(env.App)
	room, err := med.SaveRoom(bg, chief, "", mediation.Room{Name: "六心工作室", Community: env.CommunityA})
	if err != nil {
		t.Fatal(err)
	}

	// The visit, on the phone: 矛盾纠纷 ticked.
	run(t, ctx,
		chromedp.Navigate(env.URL+"/visits/new?household="+h.ID),
		chromedp.WaitVisible("#screen-visit-form", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the form", `!document.getElementById("vf-save").disabled`)
	run(t, ctx,
		tap(`#vf input[name="concerns"][value="矛盾纠纷"]`),
		setValue("#vf-notes", "楼上装修噪音大，双方多次争吵。"),
		tap("#vf-save"),
		chromedp.WaitVisible("#screen-visit", chromedp.ByQuery),
	)
	visitID := currentVisitID(t, ctx)
	apptest.WaitJS(t, ctx, 15*time.Second, "登记纠纷 once the visit is on the server", `!document.getElementById("vv-dispute").hidden`)
	run(t, ctx, tap("#vv-dispute"), chromedp.WaitVisible(".dispute-form", chromedp.ByQuery))
	t.Run("the case form comes prefilled from the visit", func(t *testing.T) {
		var summary string
		if err := apptest.Eval(ctx, `document.querySelector('.dispute-form [name="summary"]').value`, &summary); err != nil || !strings.Contains(summary, "装修噪音") {
			t.Fatalf("summary %q (%v)", summary, err)
		}
	})

	// Two settled cases this officer leads: one due for its follow-up
	// today, one next week.
	st := env.Server.Settings()
	now := time.Now()
	settled := func(summary, visit string, followUp time.Time) *mediation.Dispute {
		src := mediation.SourceWalkIn
		if visit != "" {
			src = mediation.SourceVisit
		}
		d, err := med.Create(bg, a, mediation.Input{Room: room.ID, Community: env.CommunityA, Household: h.ID, Category: mediation.CategoryNeighbour,
			Summary: summary, Source: src, Visit: visit, Parties: []mediation.Party{
				{Name: "李秀英", Role: mediation.RoleApplicant, Household: h.ID}, {Name: "王小红", Role: mediation.RoleRespondent}}})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if _, err := med.Close(bg, a, d.ID, mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "双方约定施工时间。", FollowUpAt: followUp}); err != nil {
			t.Fatalf("settle: %v", err)
		}
		return d
	}
	start, _ := st.DayBounds(now)
	due := settled("装修噪音纠纷", visitID, start.Add(time.Hour))
	later := settled("停车位纠纷", "", start.AddDate(0, 0, 7))

	run(t, ctx, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible("#screen-today", chromedp.ByQuery))
	apptest.WaitJS(t, ctx, 15*time.Second, "the follow-up due on Today", `!document.getElementById("followups-due").hidden && document.getElementById("followups-list").textContent.includes("装修噪音纠纷")`)
	t.Run("a follow-up not yet due is not on Today", func(t *testing.T) {
		var list string
		apptest.Eval(ctx, `document.getElementById("followups-list").textContent`, &list)
		if strings.Contains(list, "停车位纠纷") {
			t.Fatalf("Today lists the follow-up of %s, due next week", later.Number)
		}
	})

	env.Offline(t, ctx)
	run(t, ctx,
		tap(`#followups-list a[href*="dispute=`+due.ID+`"]`),
		chromedp.WaitVisible("#vf-dispute", chromedp.ByQuery),
	)
	apptest.WaitJS(t, ctx, 5*time.Second, "the follow-up form", `document.querySelector('#vf input[name="kind"][value="follow_up"]').checked && !document.getElementById("vf-save").disabled`)
	run(t, ctx,
		setValue("#vf-notes", "双方已按约定施工，矛盾化解。"),
		tap("#vf-save"),
		chromedp.WaitVisible("#screen-visit", chromedp.ByQuery),
	)
	followUp := currentVisitID(t, ctx)
	env.Online(t, ctx)
	apptest.WaitJS(t, ctx, 20*time.Second, "the outbox to empty", outboxEmpty)
	t.Run("synced, the follow-up is made and leaves Today", func(t *testing.T) {
		if n := env.Count(t, visits.Collection, "id = {:id} && kind = 'follow_up' && dispute = {:d}", map[string]any{"id": followUp, "d": due.ID}); n != 1 {
			t.Fatalf("%d follow-up visits on the server", n)
		}
		if n := env.Count(t, mediation.Collection, "id = {:id} && follow_up_pending = false", map[string]any{"id": due.ID}); n != 1 {
			t.Fatal("the case still owes its follow-up")
		}
		run(t, ctx, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible("#screen-today", chromedp.ByQuery))
		apptest.WaitJS(t, ctx, 15*time.Second, "the follow-up to leave Today", `document.getElementById("followups-due").hidden`)
	})
}

// TestPatrolMapOffline: the field app keeps the patrol map of the
// officer's community and its plan image; in a stairwell with no signal
// the map opens from the phone with the plan drawn.
func TestPatrolMapOffline(t *testing.T) {
	env := apptest.New(t)
	bg := context.Background()
	pat := patrols.NewStore(env.App, env.Server.Households, env.Server.Settings)
	img := image.NewRGBA(image.Rect(0, 0, 800, 560))
	for x := range 800 {
		for y := range 560 {
			img.Set(x, y, color.RGBA{uint8(x / 4), uint8(y / 3), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	f, err := filesystem.NewFileFromBytes(buf.Bytes(), "wuya.png")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pat.SavePlan(bg, apptest.Officer(env.Chief), env.CommunityA, f); err != nil {
		t.Fatalf("plan: %v", err)
	}
	if _, err := pat.AddPoint(bg, apptest.Officer(env.OfficerA), patrols.PointInput{Community: env.CommunityA, Kind: "entrance", Label: "吴牙街北口", X: 0.2, Y: 0.3}); err != nil {
		t.Fatal(err)
	}

	ctx := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)
	apptest.Logs(t, ctx)
	env.SignInField(t, ctx, env.OfficerA)
	apptest.WaitJS(t, ctx, 20*time.Second, "the map and its plan kept on the phone",
		`Promise.all([caches.open("zf-plans").then((c) => c.keys()), caches.open("zf-pages").then((c) => c.keys())]).then(([p, m]) => p.length === 1 && m.length === 1)`)

	env.Offline(t, ctx)
	run(t, ctx, chromedp.Navigate(env.URL+"/patrols/map?community="+env.CommunityA), chromedp.WaitVisible("#map-svg", chromedp.ByQuery))
	apptest.WaitJS(t, ctx, 10*time.Second, "the plan drawn from the phone", `(() => { const i = document.querySelector(".map-stack img"); return !!i && i.complete && i.naturalWidth === 800; })()`)
	var page string
	apptest.Eval(ctx, `document.body.textContent`, &page)
	if !strings.Contains(page, "吴牙街北口") {
		t.Fatal("the offline map lacks its point")
	}
}
