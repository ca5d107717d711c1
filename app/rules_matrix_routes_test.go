package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/auth"
	"zoufang/i18n"
	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

// routeRows: every route zoufang's Echo serves, keyed "METHOD path" as
// registered in routes.go. Requests with an id in the path name A's
// record; those that change their target for good (archive, cancel,
// close, delete …) get a fresh one of A's for each role (matrix.spare).
var routeRows = map[string]routeRow{
	// The PWA's files and the sign-in page: everyone's.
	"GET /assets/*": {url: func(m *matrix, _ role) string { return m.Server.Assets.URL("app.css") },
		shows: []shown{seeText("zoufang: one stylesheet", everyone)}},
	"GET /sw.js":                {shows: []shown{seeText("addEventListener", everyone)}},
	"GET /manifest.webmanifest": {shows: []shown{seeText(`"start_url"`, everyone)}},
	// A signed-in officer is sent on to the app.
	"GET /login":   {shows: []shown{seeText(`name="identity"`, onlyAnon)}},
	"GET /offline": {shows: []shown{seeText(i18n.T("offline.lead"), everyone)}},
	"POST /login":  {check: checkLogin},
	"POST /logout": {check: checkLogout},

	// The field app's shell and screens: an officer gets the shell (the
	// screen is drawn from the phone's replica), the deputy chief the
	// office page where there is one; another area's household or watch is
	// not found.
	"GET /shell":      {shows: []shown{seeText(shellMark, signedIn)}},
	"GET /":           {shows: []shown{shell}},
	"GET /households": {shows: concat([]shown{shell}, chiefSeesAll("head", "address", "householdPhone"))},
	// The shell carries every field screen's form.
	"GET /households/new": {shows: []shown{shell, seeText(`name="building"`, signedIn)}},
	"GET /households/:id": {url: idOf(func(s *side) string { return "/households/" + s.household.ID }),
		shows: concat([]shown{seeText(shellMark, onlyA)}, chiefSees("head", "address", "householdNotes", "householdPhone", "visitNotes", "openVisitNotes", "checkNotes", "summary"))},
	"GET /households/:id/edit": {url: idOf(func(s *side) string { return "/households/" + s.household.ID + "/edit" }),
		shows: concat([]shown{seeText(shellMark, onlyA)}, chiefSees("head", "address", "householdNotes", "householdPhone"))},
	"GET /visits/new": {url: func(m *matrix, _ role) string { return "/visits/new?household=" + m.a.household.ID },
		shows: []shown{seeText(shellMark, signedIn)}},
	"GET /visits/:id": {url: idOf(func(s *side) string { return "/visits/" + s.visit.ID }),
		shows: concat([]shown{shell}, chiefSees("visitNotes", "address", "head", "comment"))},
	// The patrol screens of the field app: an officer gets the shell, the
	// deputy chief is sent to the office form.
	"GET /patrols/shift":  {shows: []shown{shell}},
	"GET /patrols/report": {shows: []shown{shell}},
	"GET /watches/new": {url: func(m *matrix, _ role) string { return "/watches/new?household=" + m.a.household.ID },
		shows: concat([]shown{shell}, chiefSees("address", "head", "householdPhone"))},
	"GET /watches/:id": {url: idOf(func(s *side) string { return "/watches/" + s.watch.ID }),
		shows: concat([]shown{seeText(shellMark, onlyA)}, chiefSees("address", "watchContact", "watchPhone", "keyHolder", "watchNotes", "checkNotes"))},
	"GET /watches/:id/edit": {url: idOf(func(s *side) string { return "/watches/" + s.watch.ID + "/edit" }),
		shows: concat([]shown{seeText(shellMark, onlyA)}, chiefSees("address", "watchContact", "watchPhone", "keyHolder", "watchNotes"))},

	// The resident's pages: no account; only with a valid link, and
	// nothing of the household but what the page is about.
	"GET /c/:token": {url: func(m *matrix, _ role) string { return "/c/" + m.a.openToken },
		shows: []shown{seeText("李卫东", everyone)}},
	"POST /c/:token": {url: func(m *matrix, r role) string {
		return "/c/" + m.spare("confirm", r, func(int) string {
			toks, err := m.Server.Tokens.Issue(m.ctx, m.officer(m.a.officer), visits.Holding{Device: deviceID(90 + int(r))}, 1, matrixPublicURL, time.Now())
			m.check(err, "token")
			return toks[0].VisitID + "." + toks[0].Secret
		})
	}, body: func(*matrix, role) payload {
		return payload{form: form("visited", "yes", "rating", "4", "comment", "矩住户留言")}
	}, changes: everyone},
	"GET /w/:token": {url: func(m *matrix, _ role) string { return watches.SummaryPath(m.a.watch.ID, m.a.watchSecret) },
		shows: []shown{seeText("检查民警：李卫东", everyone)}},

	// The registry's office pages.
	"POST /households": {body: func(m *matrix, r role) payload {
		return payload{form: form("community", m.a.community, "building", fmt.Sprintf("矩新建路%d号", r), "head_name", "矩新户主")}
	}, changes: areaA},
	"POST /households/:id": {url: idOf(func(s *side) string { return "/households/" + s.household.ID }), body: func(m *matrix, r role) payload {
		h, err := m.Server.Households.Get(m.ctx, m.officer(m.Chief), m.a.household.ID)
		m.check(err, "household")
		return payload{form: form("community", h.Community, "grid", h.Grid, "building", h.Building, "head_name", h.HeadName,
			"phones", m.a.householdPhone, "notes", m.a.mark("住户备注")+"·"+r.String(), "base_rev", h.Rev)}
	}, changes: areaA},
	"POST /households/:id/archive": {url: func(m *matrix, r role) string {
		return "/households/" + m.spare("archive", r, func(n int) string { return m.spareHousehold(n).ID }) + "/archive"
	}, body: func(*matrix, role) payload { return payload{form: form("archived", "1")} }, changes: areaA},
	"GET /households/import": {shows: []shown{seeText(`name="file"`, onlyChief)}},
	"POST /households/import": {body: func(m *matrix, r role) payload { return importFile(fmt.Sprintf("矩导入路%d号", r)) },
		shows: []shown{seeText("矩导入户主", onlyChief)}},
	"POST /households/import/commit": {body: func(m *matrix, r role) payload {
		// The deputy chief's dry run hands out the plan's token; each role
		// tries to commit it.
		f := importFile(fmt.Sprintf("矩提交路%d号", r))
		_, text := send(m.t, m.clients[chief], http.MethodPost, "/households/import", f)
		tok := between(text, `name="token" value="`, `"`)
		if tok == "" {
			m.t.Fatal("the dry run gave no token")
		}
		return payload{form: form("token", tok)}
	}, changes: onlyChief},
	"GET /households.xlsx": {shows: chiefSeesAll("head", "address", "householdPhone")},

	// The holiday house-watch's office pages.
	"GET /watches": {shows: seeArea("address")},
	"POST /watches": {body: func(m *matrix, r role) payload {
		h := m.spare("watch household", r, func(n int) string { return m.spareHousehold(n).ID })
		return payload{form: form("household", h, "from", m.dayOffset(0), "to", m.dayOffset(3), "contact_name", "矩新联系人",
			"contact_phone", "13900001111", "interval_days", "2")}
	}, changes: areaA},
	"POST /watches/:id": {url: idOf(func(s *side) string { return "/watches/" + s.watch.ID }), body: func(m *matrix, r role) payload {
		w := m.a.watch
		return payload{form: form("household", w.Household, "from", w.From, "to", w.To, "contact_name", m.a.mark("联系人"), "contact_phone", m.a.watchPhone,
			"key_holder", m.a.mark("钥匙人"), "interval_days", "2", "notes", m.a.mark("照看备注")+"·"+r.String())}
	}, changes: areaA},
	"POST /watches/:id/cancel": {url: func(m *matrix, r role) string { return "/watches/" + m.spareWatch("cancel", r) + "/cancel" },
		body: func(*matrix, role) payload { return payload{form: form("cancel_reason", "矩提前回家")} }, changes: areaA},
	"POST /watches/:id/link": {url: func(m *matrix, r role) string { return "/watches/" + m.spareWatch("link", r) + "/link" }, changes: areaA},
	"POST /watches/alerts/:id/ack": {url: func(m *matrix, r role) string {
		return "/watches/alerts/" + m.spare("alert", r, func(int) string {
			w := m.spareWatch("alert watch", r)
			v, _, err := m.Server.Visits.Save(m.ctx, m.officer(m.a.officer), visits.Input{ID: core.GenerateDefaultRandomId(), Household: m.watchHousehold(w),
				VisitedAt: time.Now().Add(-time.Minute), Kind: "holiday_check", Outcome: "not_home", Watch: w, CheckResult: "abnormal", Notes: "矩门未锁"}, time.Now())
			m.check(err, "abnormal check")
			rec, err := m.App.FindFirstRecordByData(watches.AlertCollection, "visit", v.ID)
			m.check(err, "alert")
			return rec.Id
		}) + "/ack"
	}, changes: onlyChief},

	// The station's people and the handover.
	"GET /officers":     {shows: append(chiefSeesAll("wechat"), seeText("矩甲接任警员", onlyChief))},
	"GET /officers/new": {shows: []shown{seeText(`name="badge"`, onlyChief)}},
	"GET /officers/:id": {url: idOf(func(s *side) string { return "/officers/" + s.officer.Id }),
		shows: chiefSees("wechat", "handoverNote", "appVersion")},
	"GET /officers/:id/edit": {url: idOf(func(s *side) string { return "/officers/" + s.officer.Id + "/edit" }), shows: chiefSees("wechat")},
	"POST /officers": {body: func(m *matrix, r role) payload {
		return payload{form: form("badge", fmt.Sprintf("20000%d", r), "name", "矩新警员", "role", "officer", "communities", m.a.community)}
	}, changes: onlyChief},
	"POST /officers/:id": {url: func(m *matrix, _ role) string { return "/officers/" + m.spareOfficer("edit", 0) }, body: func(m *matrix, r role) payload {
		rec := mustRecord(m.t, m.Env, "officers", m.spareOfficer("edit", 0))
		return payload{form: form("badge", rec.GetString("badge"), "name", "矩备用警员"+r.String(), "role", "officer", "communities", m.a.community)}
	}, changes: onlyChief},
	"POST /officers/:id/password": {url: func(m *matrix, _ role) string { return "/officers/" + m.spareOfficer("password", 0) + "/password" }, changes: onlyChief},
	"POST /officers/:id/active": {url: func(m *matrix, r role) string { return "/officers/" + m.spareOfficer("active", r) + "/active" },
		body: func(*matrix, role) payload { return payload{form: form("active", "0")} }, changes: onlyChief},
	"GET /handover": {shows: []shown{seeText("矩甲接任警员", onlyChief)}},
	"POST /handover": {body: func(m *matrix, _ role) payload {
		return payload{form: form("from", m.a.officer.Id, "to", m.a.successor.Id, "communities", m.a.community)}
	}, shows: []shown{seeText("矩甲接任警员", onlyChief)}},
	"POST /handover/confirm": {body: func(m *matrix, r role) payload {
		from, to, comm := m.spareHandover(r)
		return payload{form: form("from", from, "to", to, "communities", comm)}
	}, changes: onlyChief},

	// The sync protocol.
	"GET /sync/me": {shows: []shown{see('A', "wechat", onlyA), see('B', "wechat", onlyB)}},
	"GET /sync/pull": {url: at("/sync/pull?collection=households"),
		shows: concat(seeArea("head"), seeArea("address"), seeArea("householdPhone"), seeArea("householdNotes"))},
	"POST /sync/push": {body: func(m *matrix, r role) payload {
		return payload{json: map[string]any{"visits": []any{map[string]any{"id": core.GenerateDefaultRandomId(), "household": m.a.household.ID,
			"visited_at": time.Now().Add(-10 * time.Minute).UTC().Format(time.RFC3339), "kind": "routine", "outcome": "met", "notes": "矩推送走访"}}}}
	}, changes: areaA},
	"POST /sync/tokens": {body: func(_ *matrix, r role) payload {
		return payload{json: map[string]any{"device": deviceID(80 + int(r)), "held": []string{}, "usable": 0}}
	}, changes: signedIn},
	"GET /ws": {check: checkLive},

	// The visit book, coverage and settings.
	// Asked for A's book, B's officer gets their own.
	"GET /visits/book": {url: func(m *matrix, _ role) string { return "/visits/book?month=" + m.month + "&officer=" + m.a.officer.Id },
		shows: bookShows},
	"GET /visits/book.xlsx": {url: func(m *matrix, _ role) string {
		return "/visits/book.xlsx?month=" + m.month + "&officer=" + m.a.officer.Id
	},
		shows: bookShows},
	"GET /coverage":             {shows: chiefSeesAll("comment", "address")},
	"GET /coverage.xlsx":        {shows: chiefSeesAll("comment", "address")},
	"GET /coverage/visits":      {shows: chiefSeesAll("address", "visitNotes", "openVisitNotes", "checkNotes", "comment")},
	"GET /coverage/visits.xlsx": {shows: chiefSeesAll("address", "visitNotes", "openVisitNotes", "checkNotes", "comment")},
	"GET /settings":             {shows: []shown{seeText(matrixPublicURL, onlyChief)}},
	"POST /settings": {body: func(m *matrix, r role) payload {
		v := form("station_name", "矩阵派出所", "target_homes", fmt.Sprint(10+int(r)), "target_wechat", "10", "token_book_size", "30", "public_url", matrixPublicURL)
		v["visit_weekdays"] = []string{"tue", "thu"}
		return payload{form: v}
	}, changes: onlyChief},
	"GET /board": {shows: chiefSeesAll("address", "checkNotes")},

	// Patrols, reports, the map and the praise board.
	"GET /patrols":              {shows: concat(seeArea("team"), seeArea("volunteer"), seeArea("volunteerPhone"), seeArea("unit"), seeArea("shiftNotes"))},
	"GET /patrols/figures.xlsx": {shows: []shown{seeText("<worksheet", signedIn)}},
	// A new team's form offers the officer's own volunteers as leader
	// (the deputy chief's, none until a community is chosen).
	"GET /patrols/teams/new": {shows: []shown{seeText(`name="name"`, signedIn), see('A', "volunteer", onlyA), see('B', "volunteer", onlyB)}},
	"GET /patrols/teams/:id": {url: idOf(func(s *side) string { return "/patrols/teams/" + s.team }), shows: []shown{see('A', "team", areaA), see('A', "volunteer", areaA)}},
	"POST /patrols/teams": {body: func(m *matrix, r role) payload {
		return payload{form: form("community", m.a.community, "name", fmt.Sprintf("矩新队%d", r))}
	}, changes: areaA},
	"POST /patrols/teams/:id": {url: idOf(func(s *side) string { return "/patrols/teams/" + s.team }), body: func(m *matrix, r role) payload {
		return payload{form: form("community", m.a.community, "name", m.a.mark("巡防队"), "grids", m.a.grid, "notes", "矩队备注"+r.String())}
	}, changes: areaA},
	"GET /patrols/volunteers/new": {shows: seeArea("team")},
	"GET /patrols/volunteers/:id": {url: idOf(func(s *side) string { return "/patrols/volunteers/" + s.volunteer }),
		shows: []shown{see('A', "volunteer", areaA), see('A', "volunteerPhone", areaA), see('A', "unit", areaA), see('A', "team", areaA)}},
	"POST /patrols/volunteers": {body: func(m *matrix, r role) payload {
		return payload{form: form("name", fmt.Sprintf("矩新队员%d", r), "community", m.a.community, "active", "1")}
	}, changes: areaA},
	"POST /patrols/volunteers/:id": {url: idOf(func(s *side) string { return "/patrols/volunteers/" + s.volunteer }), body: func(m *matrix, r role) payload {
		return payload{form: form("name", m.a.mark("队员"), "phone", m.a.volunteerPhone, "community", m.a.community, "team", m.a.team,
			"unit", m.a.mark("单位")+r.String(), "active", "1")}
	}, changes: areaA},
	// The shift form lists the first team's volunteers: the officer's own
	// (the deputy chief's, none until a team is chosen).
	"GET /patrols/shifts/new": {shows: concat(seeArea("team"), []shown{see('A', "volunteer", onlyA), see('B', "volunteer", onlyB), see('A', "unit", onlyA), see('B', "unit", onlyB)})},
	"POST /patrols/shifts": {body: func(m *matrix, r role) payload {
		return payload{form: form("id", core.GenerateDefaultRandomId(), "team", m.a.team, "date", m.day, "starts", "01:00", "ends", "02:00",
			"volunteers", m.a.volunteer, "notes", "矩新巡逻"+r.String())}
	}, changes: areaA},
	"GET /patrols/map": {url: func(m *matrix, _ role) string { return "/patrols/map?community=" + m.a.community },
		shows: []shown{see('A', "point", areaA), see('A', "place", areaA)}},
	"POST /patrols/map/points": {body: func(m *matrix, r role) payload {
		return payload{form: form("community", m.a.community, "kind", "hazard", "label", fmt.Sprintf("矩新点%d", r), "x", "0.3", "y", "0.3")}
	}, changes: areaA},
	"POST /patrols/map/points/:id/delete": {url: func(m *matrix, r role) string {
		return "/patrols/map/points/" + m.spare("point", r, func(n int) string {
			p, err := m.pat.AddPoint(m.ctx, m.officer(m.a.officer), patrols.PointInput{Community: m.a.community, Kind: "camera", Label: fmt.Sprintf("矩备用点%d", n), X: 0.1, Y: 0.1})
			m.check(err, "point")
			return p.ID
		}) + "/delete"
	}, changes: areaA},
	"POST /patrols/map/plan": {body: func(m *matrix, r role) payload {
		return payload{form: form("community", m.a.community), field: "image", name: "plan.png", file: pngImage(m.t, 70+int(r), 50)}
	}, changes: onlyChief},
	"GET /patrols/plan/:community/:file": {url: idOf(func(s *side) string { return patrols.PlanURL(s.community, s.planFile) }),
		shows: []shown{see('A', "plan", areaA)}},
	"GET /reports": {shows: seeArea("place")},
	// Asked for a report on A's household, B's officer gets nothing.
	"GET /reports/new": {url: func(m *matrix, _ role) string {
		return "/reports/new?community=" + m.a.community + "&household=" + m.a.household.ID
	},
		shows: []shown{see('A', "volunteer", areaA), see('A', "point", areaA), see('A', "address", areaA)}},
	"GET /reports/:id": {url: idOf(func(s *side) string { return "/reports/" + s.report }),
		shows: []shown{see('A', "place", areaA), see('A', "finding", areaA), see('A', "volunteer", areaA)}},
	"POST /reports": {body: func(m *matrix, r role) payload {
		at := time.Now().Add(-10 * time.Minute).In(m.Server.Settings().Location()).Format("2006-01-02T15:04")
		return payload{form: form("id", core.GenerateDefaultRandomId(), "community", m.a.community, "kind", "other", "place", "矩新地点",
			"description", fmt.Sprintf("矩新发现%d", r), "reported_at", at, "household", m.a.household.ID)}
	}, changes: areaA},
	"POST /reports/:id/move": {url: func(m *matrix, r role) string {
		return "/reports/" + m.spare("report", r, func(n int) string {
			rp, _, err := m.pat.SaveReport(m.ctx, m.officer(m.a.officer), patrols.ReportInput{ID: core.GenerateDefaultRandomId(), ReportedAt: time.Now().Add(-time.Minute),
				Community: m.a.community, Place: "矩备用地点", Kind: "other", Description: fmt.Sprintf("矩备用发现%d", n)}, time.Now())
			m.check(err, "report")
			return rp.ID
		}) + "/move"
	}, body: func(m *matrix, _ role) payload {
		return payload{form: form("to", "assigned", "assigned_to", m.a.officer.Id)}
	}, changes: areaA},
	"GET /praise":       {shows: concat(seeAll("deedName", everyone), seeAll("deedStory", everyone))},
	"GET /praise/deeds": {shows: chiefSeesAll("deedName", "deedStory", "hiddenName", "hiddenStory")},
	// The deed form offers the station's volunteers as who did it.
	"GET /praise/deeds/new": {shows: append(chiefSeesAll("volunteer"), seeText(`name="story"`, onlyChief))},
	"GET /praise/deeds/:id": {url: idOf(func(s *side) string { return "/praise/deeds/" + s.deed }),
		shows: append(chiefSees("deedName", "deedStory"), chiefSeesAll("volunteer")...)},
	"POST /praise/deeds": {body: func(m *matrix, r role) payload {
		return payload{form: form("community", m.a.community, "name", "矩新善者", "date", m.day, "kind", "kindness", "story", fmt.Sprintf("矩新事迹%d", r), "consent", "1")}
	}, changes: onlyChief},
	"POST /praise/deeds/:id": {url: idOf(func(s *side) string { return "/praise/deeds/" + s.deed }), body: func(m *matrix, r role) payload {
		return payload{form: form("volunteer", m.a.volunteer, "name", m.a.mark("善者"), "community", m.a.community, "date", m.day, "kind", "kindness",
			"story", m.a.mark("拾金事迹")+r.String(), "consent", "1", "published", "1")}
	}, changes: onlyChief},

	// The mediation log.
	"GET /disputes": {shows: concat(seeArea("applicant"), seeArea("respondent"))},
	"GET /disputes/new": {url: func(m *matrix, _ role) string { return "/disputes/new?household=" + m.a.household.ID },
		shows: []shown{seeText(`name="summary"`, areaA), see('A', "head", areaA), see('A', "address", areaA), see('A', "householdPhone", areaA)}},
	// An officer may open a case they lead in another community, but not
	// name its households (the case page would show their addresses): B's
	// request, naming A's household, is refused.
	"POST /disputes": {body: func(m *matrix, r role) payload {
		v := disputeForm(m, fmt.Sprintf("矩新纠纷%d", r))
		v.Set("household", m.a.household.ID)
		return payload{form: v}
	}, changes: areaA},
	"GET /disputes/figures":      {shows: []shown{seeText(`id="mediation-figures"`, signedIn)}},
	"GET /disputes/figures.xlsx": {shows: []shown{seeText("<worksheet", signedIn)}},
	"GET /disputes/:id": {url: idOf(func(s *side) string { return "/disputes/" + s.dispute.ID }),
		shows: areaSees("summary", "applicant", "respondent", "partyPhone", "sessionNotes", "nextStep", "address")},
	"GET /disputes/:id/edit": {url: idOf(func(s *side) string { return "/disputes/" + s.dispute.ID + "/edit" }),
		shows: areaSees("summary", "applicant", "respondent", "partyPhone", "address")},
	// The agreement of a settled case (an open one has none).
	"GET /disputes/:id/agreement": {url: func(m *matrix, _ role) string {
		return "/disputes/" + m.spareDispute("agreement", anon, "settled") + "/agreement"
	},
		shows: []shown{seeText("矩备甲", areaA), seeText("矩结果", areaA)}},
	"POST /disputes/:id": {url: idOf(func(s *side) string { return "/disputes/" + s.dispute.ID }), body: func(m *matrix, r role) payload {
		v := disputeForm(m, m.a.mark("纠纷概要")+r.String())
		v.Set("household", m.a.household.ID)
		v.Set("parties.0.name", m.a.mark("申请人"))
		v.Set("parties.0.phone", m.a.partyPhone)
		v.Set("parties.1.name", m.a.mark("被申请人"))
		v.Set("mediators", m.a.mediator)
		return payload{form: v}
	}, changes: areaA},
	"POST /disputes/:id/sessions": {url: idOf(func(s *side) string { return "/disputes/" + s.dispute.ID + "/sessions" }), body: func(m *matrix, r role) payload {
		return payload{form: form("at", m.day, "notes", fmt.Sprintf("矩新调解%d", r), "next_step", "矩再约")}
	}, changes: areaA},
	"POST /disputes/:id/close": {url: func(m *matrix, r role) string { return "/disputes/" + m.spareDispute("close", r, "") + "/close" },
		body: func(m *matrix, _ role) payload {
			return payload{form: form("status", "settled", "outcome", "矩调解成功", "closed_at", m.day)}
		}, changes: areaA},
	"POST /disputes/:id/reopen": {url: func(m *matrix, r role) string {
		return "/disputes/" + m.spareDispute("reopen", r, "failed") + "/reopen"
	},
		body: func(*matrix, role) payload { return payload{form: form("reopen_reason", "矩未履行")} }, changes: areaA},
	"POST /disputes/:id/signed": {url: func(m *matrix, r role) string {
		return "/disputes/" + m.spareDispute("signed", r, "settled") + "/signed"
	},
		changes: areaA},
	"GET /mediators":          {shows: concat(seeAll("mediator", signedIn), seeAll("mediatorPhone", signedIn))},
	"GET /mediators/new":      {shows: []shown{seeText(`name="organisation"`, onlyChief)}},
	"GET /mediators/:id/edit": {url: idOf(func(s *side) string { return "/mediators/" + s.mediator + "/edit" }), shows: chiefSees("mediator", "mediatorPhone")},
	"POST /mediators": {body: func(_ *matrix, r role) payload {
		return payload{form: form("name", fmt.Sprintf("矩新调解员%d", r), "kind", "lawyer", "active", "1")}
	}, changes: onlyChief},
	"POST /mediators/rooms": {body: func(m *matrix, r role) payload {
		return payload{form: form("name", fmt.Sprintf("矩新工作室%d", r), "community", m.a.community)}
	}, changes: onlyChief},
	"POST /mediators/:id": {url: idOf(func(s *side) string { return "/mediators/" + s.mediator }), body: func(m *matrix, r role) payload {
		return payload{form: form("name", m.a.mark("调解员"), "kind", "volunteer", "phone", m.a.mediatorPhone, "rooms", m.a.room, "organisation", "矩机构"+r.String(), "active", "1")}
	}, changes: onlyChief},
}

// bookShows: a visit book shows its officer's visits with their
// households.
var bookShows = []shown{
	see('A', "address", areaA), see('A', "head", areaA), see('A', "visitNotes", areaA), see('A', "openVisitNotes", areaA), see('A', "checkNotes", areaA),
	see('B', "address", onlyB), see('B', "head", onlyB), see('B', "visitNotes", onlyB), see('B', "openVisitNotes", onlyB), see('B', "checkNotes", onlyB),
}

// idOf is a path naming A's record.
func idOf(f func(s *side) string) func(*matrix, role) string {
	return func(m *matrix, _ role) string { return f(m.a) }
}

// chiefSees: A's marker keys are shown to the deputy chief only (an
// office page; the officer gets the shell, or a refusal).
func chiefSees(keys ...string) []shown {
	var out []shown
	for _, k := range keys {
		out = append(out, see('A', k, onlyChief))
	}
	return out
}

// areaSees: A's marker keys are shown to A's officer and the deputy
// chief.
func areaSees(keys ...string) []shown {
	var out []shown
	for _, k := range keys {
		out = append(out, see('A', k, areaA))
	}
	return out
}

// chiefSeesAll: both communities' marker keys are shown to the deputy
// chief only.
func chiefSeesAll(keys ...string) []shown {
	var out []shown
	for _, k := range keys {
		out = append(out, seeAll(k, onlyChief)...)
	}
	return out
}

func concat(ss ...[]shown) []shown {
	var out []shown
	for _, s := range ss {
		out = append(out, s...)
	}
	return out
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

// importFile is a registry with one household of community A.
func importFile(building string) payload {
	csv := "社区,网格,楼幢,单元,室,户主,电话,人数,标签,备注\n吴牙社区,第一网格," + building + ",,,矩导入户主,,1,,\n"
	return payload{field: "file", name: "名册.csv", file: []byte(csv)}
}

func disputeForm(m *matrix, summary string) url.Values {
	return form("source", "walk_in", "community", m.a.community, "room", m.a.room, "category", "neighbour", "summary", summary,
		"parties.0.role", "applicant", "parties.0.name", "矩甲方", "parties.1.role", "respondent", "parties.1.name", "矩乙方", "opened_at", m.day)
}

// spareWatch is a new active watch of a new household of A, for role r.
func (m *matrix) spareWatch(key string, r role) string {
	return m.spare("watch "+key, r, func(n int) string {
		h := m.spareHousehold(n)
		w, _, err := m.Server.Watches.Create(m.ctx, m.officer(m.a.officer), watches.Input{Household: h.ID, From: m.dayOffset(-1), To: m.dayOffset(4),
			ContactName: "矩备用联系人", ContactPhone: "13900002222", IntervalDays: 2})
		m.check(err, "spare watch")
		return w.ID
	})
}

func (m *matrix) watchHousehold(id string) string {
	rec, err := m.App.FindRecordById(watches.Collection, id)
	m.check(err, "watch")
	return rec.GetString("household")
}

// spareOfficer is a new officer of community A.
func (m *matrix) spareOfficer(key string, r role) string {
	return m.spare("officer "+key, r, func(n int) string {
		return m.NewOfficer(fmt.Sprintf("3%05d", n), "矩备用警员", station.RoleOfficer, m.a.community).Id
	})
}

// spareHandover is a new community held by a new officer, and a
// successor, for role r.
func (m *matrix) spareHandover(r role) (from, to, community string) {
	key := m.spare("handover", r, func(n int) string {
		c := core.NewRecord(mustCollection(m.t, m.Env, "communities"))
		c.Set("name", fmt.Sprintf("矩交接社区%d", n))
		c.Set("code", fmt.Sprintf("handover%d", n))
		m.check(m.App.Save(c), "handover community")
		from := m.NewOfficer(fmt.Sprintf("4%05d", n), "矩交出警员", station.RoleOfficer, c.Id)
		to := m.NewOfficer(fmt.Sprintf("5%05d", n), "矩接手警员", station.RoleOfficer, m.b.community)
		return from.Id + " " + to.Id + " " + c.Id
	})
	parts := strings.Fields(key)
	return parts[0], parts[1], parts[2]
}

// spareDispute is a new dispute of A led by A's officer, closed with
// status if not "".
func (m *matrix) spareDispute(key string, r role, status string) string {
	return m.spare("dispute "+key, r, func(n int) string {
		o := m.officer(m.a.officer)
		d, err := m.med.Create(m.ctx, o, mediation.Input{Room: m.a.room, Community: m.a.community, Category: mediation.CategoryFamily,
			Summary: fmt.Sprintf("矩备用纠纷%d", n), Source: mediation.SourceCall,
			Parties: []mediation.Party{{Name: "矩备甲", Role: mediation.RoleApplicant}, {Name: "矩备乙", Role: mediation.RoleRespondent}}})
		m.check(err, "spare dispute")
		if status != "" {
			_, err := m.med.Close(m.ctx, o, d.ID, mediation.CloseInput{Status: status, Outcome: "矩结果"})
			m.check(err, "close spare dispute")
		}
		return d.ID
	})
}

// checkLogin: the sign-in form signs in whoever gives their own badge and
// password, and no one with a wrong one; it stores nothing.
func checkLogin(t *testing.T, m *matrix, r role) {
	badge, password := m.a.officer.GetString("badge"), "wrong-password"
	switch r {
	case offA:
		badge, password = m.a.officer.GetString("badge"), apptest.Password
	case offB:
		badge, password = m.b.officer.GetString("badge"), apptest.Password
	case chief:
		badge, password = m.Chief.GetString("badge"), apptest.Password
	}
	c := m.Anonymous()
	before := m.state()
	c.PostForm("/login", url.Values{"identity": {badge}, "password": {password}})
	if m.state() != before {
		t.Error("signing in changed what the app stores")
	}
	_, body := c.Get("/shell")
	if got, want := strings.Contains(body, shellMark), r != anon; got != want {
		t.Errorf("signed in: %v, want %v", got, want)
	}
}

// checkLogout: signing out revokes the session (stored until it would
// expire); anonymous has nothing to sign out.
func checkLogout(t *testing.T, m *matrix, r role) {
	c := m.Anonymous()
	switch r {
	case offA:
		c = m.SignIn(m.a.officer)
	case offB:
		c = m.SignIn(m.b.officer)
	case chief:
		c = m.SignIn(m.Chief)
	}
	before := m.state()
	c.PostForm("/logout", nil)
	if changed, want := m.state() != before, r != anon; changed != want {
		t.Errorf("signing out changed what the app stores: %v, want %v", changed, want)
	}
	if _, body := c.Get("/shell"); strings.Contains(body, shellMark) {
		t.Error("the session still opens the app")
	}
}

// checkLive: the live channel opens for officers with a session (their
// first message is their own: targets, or the deputy chief's board) and
// for no one else; it stores nothing.
func checkLive(t *testing.T, m *matrix, r role) {
	before := m.state()
	defer func() {
		if m.state() != before {
			t.Error("the live channel changed what the app stores")
		}
	}()
	if r == anon {
		h := http.Header{"Origin": {m.URL}}
		conn, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(m.URL, "http")+"/ws", h)
		if err == nil {
			conn.Close()
			t.Fatal("an anonymous client opened the live channel")
		}
		if res != nil && res.StatusCode == http.StatusSwitchingProtocols {
			t.Fatal("upgraded")
		}
		return
	}
	l := apptest.DialLive(t, m.Env, m.clients[r])
	want := "targets"
	if r == chief {
		want = "board"
	}
	msg := l.Await(t, 5*time.Second, func(msg map[string]any) bool { return msg["type"] == want })
	text := fmt.Sprint(msg)
	for _, k := range []string{"head", "address", "householdPhone"} {
		for _, s := range []*side{m.a, m.b} {
			if containsAny(text, markerKeys[k](m, s)) {
				t.Errorf("the %s message carries %s's %s", want, s.name, k)
			}
		}
	}
	_ = l.Conn.Close()
	_ = auth.CookieName
}
