package mediation_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/station"
)

type listAnswer struct {
	TotalItems int `json:"totalItems"`
	Items      []struct {
		ID string `json:"id"`
	} `json:"items"`
}

// TestScope checks what each role gets back, from the pages and from
// REST: an officer the disputes of their communities and those they lead,
// the deputy chief all, anyone else nothing.
func TestScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	inA := f.input()
	dA := f.create(t, f.OfficerA, inA) // community A, led by A
	inB := f.input()
	inB.Community, inB.Household, inB.Room = f.CommunityB, "", f.RoomB
	inB.Parties = []mediation.Party{{Name: "孙建平", Phone: "13900009999", Role: mediation.RoleApplicant}, {Name: "钱立新", Role: mediation.RoleRespondent}}
	dB := f.create(t, f.OfficerB, inB) // community B, led by B
	inAB := inB
	inAB.Room = f.StationRoom
	inAB.Parties = []mediation.Party{{Name: "周海燕", Role: mediation.RoleApplicant}, {Name: "吴国华", Role: mediation.RoleRespondent}}
	dAB := f.create(t, f.OfficerA, inAB) // community B, led by A (a walk-in at the station)
	for _, d := range []*mediation.Dispute{dA, dB, dAB} {
		if _, err := f.Store.AddSession(f.ctx, officer(f.Chief), d.ID, mediation.SessionInput{At: time.Now(), Notes: "第一次调解"}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]map[string]bool{
		"officer A":    {dA.ID: true, dAB.ID: true},
		"officer B":    {dB.ID: true, dAB.ID: true},
		"deputy chief": {dA.ID: true, dB.ID: true, dAB.ID: true},
	}
	who := map[string]*apptest.Client{"officer A": f.SignIn(f.OfficerA), "officer B": f.SignIn(f.OfficerB), "deputy chief": f.SignIn(f.Chief)}
	tokens := map[string]string{"officer A": f.Token(f.OfficerA), "officer B": f.Token(f.OfficerB), "deputy chief": f.Token(f.Chief)}
	all := []*mediation.Dispute{dA, dB, dAB}

	for role, c := range who {
		t.Run(role+" lists exactly their cases on the page", func(t *testing.T) {
			res, body := c.Get("/disputes")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			for _, d := range all {
				if got := strings.Contains(body, "/disputes/"+d.ID+`"`); got != want[role][d.ID] {
					t.Errorf("%s listed = %v, want %v", d.Number, got, want[role][d.ID])
				}
			}
		})
		t.Run(role+" opens exactly their cases", func(t *testing.T) {
			for _, d := range all {
				res, body := c.Get("/disputes/" + d.ID)
				wantStatus := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[want[role][d.ID]]
				if res.StatusCode != wantStatus {
					t.Errorf("%s: status %d, want %d", d.Number, res.StatusCode, wantStatus)
				}
				if !want[role][d.ID] && strings.Contains(body, d.Parties[0].Name) {
					t.Errorf("%s: the refusal shows a party", d.Number)
				}
				res, _ = c.Get("/disputes/" + d.ID + "/agreement")
				if !want[role][d.ID] && res.StatusCode != http.StatusNotFound {
					t.Errorf("%s agreement: status %d", d.Number, res.StatusCode)
				}
			}
		})
		t.Run(role+" gets exactly their cases, sessions and history from REST", func(t *testing.T) {
			api := f.Anonymous().WithToken(tokens[role])
			for _, coll := range []string{"disputes", "dispute_sessions", "dispute_events"} {
				var ans listAnswer
				res := api.GetJSON("/api/collections/"+coll+"/records?perPage=200&fields=id,dispute", &ans)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d", coll, res.StatusCode)
				}
				n := 0
				for _, d := range all {
					if want[role][d.ID] {
						n++
					}
				}
				perCase := map[string]int{"disputes": 1, "dispute_sessions": 1, "dispute_events": 2}[coll]
				if ans.TotalItems != n*perCase {
					t.Errorf("%s: %d items, want %d", coll, ans.TotalItems, n*perCase)
				}
			}
			for _, d := range all {
				res := api.GetJSON("/api/collections/disputes/records/"+d.ID, nil)
				if (res.StatusCode == http.StatusOK) != want[role][d.ID] {
					t.Errorf("view %s: status %d", d.Number, res.StatusCode)
				}
			}
		})
	}
	t.Run("an officer cannot act on a case outside their scope", func(t *testing.T) {
		a := who["officer A"]
		for path, form := range map[string]url.Values{
			"/disputes/" + dB.ID:               {"summary": {"改"}},
			"/disputes/" + dB.ID + "/sessions": {"at": {time.Now().Format("2006-01-02")}, "notes": {"x"}},
			"/disputes/" + dB.ID + "/close":    {"status": {"settled"}, "outcome": {"x"}},
			"/disputes/" + dB.ID + "/reopen":   {"reopen_reason": {"x"}},
		} {
			if res, _ := a.PostForm(path, form); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
		if got, _ := f.Store.Get(f.ctx, officer(f.Chief), dB.ID); got.Status != mediation.StatusOpen || got.Summary != dB.Summary {
			t.Fatalf("case B changed: %+v", got)
		}
	})
	t.Run("no one signed out sees a case or a party", func(t *testing.T) {
		anon := f.Anonymous()
		for _, p := range []string{"/disputes", "/disputes/" + dA.ID, "/disputes/" + dA.ID + "/agreement", "/disputes/figures", "/disputes/figures.xlsx", "/mediators", "/disputes/new"} {
			res, body := anon.Get(p)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") || strings.Contains(body, "张德明") {
				t.Errorf("%s: status %d → %s", p, res.StatusCode, res.Header.Get("Location"))
			}
		}
		for _, coll := range []string{"disputes", "dispute_sessions", "dispute_events", "mediators", "mediation_rooms"} {
			var ans listAnswer
			anon.GetJSON("/api/collections/"+coll+"/records", &ans)
			if ans.TotalItems != 0 {
				t.Errorf("%s: %d items for no one", coll, ans.TotalItems)
			}
		}
		// The resident's pages know nothing of disputes.
		_, body := anon.Get("/c/" + strings.Repeat("a", 15) + ".secret")
		if strings.Contains(body, "张德明") || strings.Contains(body, "纠纷") {
			t.Error("the resident page mentions the dispute")
		}
	})
}

var hiddenVisit = regexp.MustCompile(`name="visit" value="([a-z0-9]*)"`)

// TestOpenFromVisit: a visit with the concern 矛盾纠纷 opens a dispute
// prefilled from the household and the visit's notes, linked to it.
func TestOpenFromVisit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.visit(t, f.OfficerA, f.HouseA.ID, []string{"矛盾纠纷"}, "张德明反映楼上装修噪音，双方多次争吵。")
	a := f.SignIn(f.OfficerA)

	t.Run("the form is prefilled from the visit and its household", func(t *testing.T) {
		res, body := a.Get("/disputes/new?visit=" + v.ID)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, want := range []string{"张德明反映楼上装修噪音", `value="张德明"`, `value="138 0000 1234"`, "吴牙街12号", `value="visit" selected`, `value="` + f.RoomA + `" selected`} {
			if !strings.Contains(body, want) {
				t.Errorf("form lacks %s", want)
			}
		}
		if m := hiddenVisit.FindStringSubmatch(body); m == nil || m[1] != v.ID {
			t.Errorf("hidden visit %v", m)
		}
	})
	t.Run("another area's visit is not found", func(t *testing.T) {
		vb := f.visit(t, f.OfficerB, f.HouseB.ID, []string{"矛盾纠纷"}, "x")
		if res, body := a.Get("/disputes/new?visit=" + vb.ID); res.StatusCode != http.StatusNotFound || strings.Contains(body, "李秀英") {
			t.Fatalf("status %d", res.StatusCode)
		}
		form := url.Values{"visit": {vb.ID}, "source": {"visit"}, "community": {f.CommunityA}, "room": {f.RoomA}, "category": {"neighbour"}, "summary": {"x"},
			"parties.0.name": {"甲"}, "parties.0.role": {"applicant"}, "parties.1.name": {"乙"}, "parties.1.role": {"respondent"}}
		if res, _ := a.PostForm("/disputes", form); res.StatusCode != http.StatusNotFound {
			t.Fatalf("post with another area's visit: %d", res.StatusCode)
		}
	})
	var id string
	t.Run("saving the form opens the dispute linked to the visit", func(t *testing.T) {
		form := url.Values{
			"visit": {v.ID}, "source": {"visit"}, "community": {f.CommunityA}, "household": {f.HouseA.ID}, "room": {f.RoomA}, "category": {"neighbour"},
			"summary":        {"张德明反映楼上装修噪音，双方多次争吵。"},
			"parties.0.role": {"applicant"}, "parties.0.name": {"张德明"}, "parties.0.phone": {"138 0000 1234"}, "parties.0.household": {f.HouseA.ID},
			"parties.1.role": {"respondent"}, "parties.1.name": {"楼上住户刘先生"}, "parties.1.phone": {""},
			"officer": {f.OfficerA.Id}, "mediators": {f.MedVolunteer}, "opened_at": {time.Now().Format("2006-01-02")},
		}
		res, _ := a.PostForm("/disputes", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		id = strings.TrimSuffix(strings.TrimPrefix(res.Header.Get("Location"), "/disputes/"), "?done=saved")
		d, err := f.Store.Get(f.ctx, officer(f.OfficerA), id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Source != mediation.SourceVisit || d.Visit != v.ID || d.Household != f.HouseA.ID || d.Parties[0].Phone != "+8613800001234" || d.Officer != f.OfficerA.Id {
			t.Fatalf("dispute %+v", d)
		}
	})
	t.Run("the same visit opens the dispute it already opened", func(t *testing.T) {
		res, _ := a.Get("/disputes/new?visit=" + v.ID)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/disputes/"+id {
			t.Fatalf("status %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		_, err := f.Store.Create(f.ctx, officer(f.OfficerA), mediation.Input{Source: mediation.SourceVisit, Visit: v.ID, Room: f.RoomA, Community: f.CommunityA,
			Category: "neighbour", Summary: "x", Parties: []mediation.Party{{Name: "甲", Role: "applicant"}, {Name: "乙", Role: "respondent"}}})
		if mediation.TakenBy(err) == nil || mediation.TakenBy(err).ID != id {
			t.Fatalf("second dispute from the visit: %v", err)
		}
	})
	t.Run("a patrol report opens a dispute prefilled from it", func(t *testing.T) {
		pat := patrols.NewStore(f.App, households.NewStore(f.App), station.DefaultSettings)
		now := time.Now()
		r, _, err := pat.SaveReport(f.ctx, officer(f.OfficerA), patrols.ReportInput{ID: "abcdefghij12345", ReportedAt: now.Add(-time.Hour),
			Community: f.CommunityA, Place: "吴牙街12号", Kind: "dispute", Description: "两户因楼道堆物争吵。"}, now)
		if err != nil {
			t.Fatal(err)
		}
		res, body := a.Get("/disputes/new?report=" + r.ID)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="report" value="abcdefghij12345"`) || !strings.Contains(body, `value="patrol" selected`) ||
			!strings.Contains(body, "两户因楼道堆物争吵") {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, id := range []string{"bad", "zzzzzzzzzzzzzzz"} {
			if res, _ := a.Get("/disputes/new?report=" + id); res.StatusCode != http.StatusNotFound {
				t.Fatalf("report %s: %d", id, res.StatusCode)
			}
		}
	})
}

func TestFormsShowNoAddressOfAnotherArea(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.SignIn(f.OfficerA)
	// HouseB's address is 贡院小区3幢1单元301; officer A covers only A.
	base := func() url.Values {
		return url.Values{"source": {"walk_in"}, "community": {f.CommunityB}, "room": {f.StationRoom}, "category": {"neighbour"}, "summary": {"x"},
			"parties.0.role": {"applicant"}, "parties.0.name": {"甲"}, "parties.1.role": {"respondent"}, "parties.1.name": {"乙"},
			"opened_at": {time.Now().Format("2006-01-02")}}
	}
	for name, edit := range map[string]func(url.Values){
		"the case's household, the form re-shown for a party more": func(v url.Values) { v.Set("household", f.HouseB.ID); v.Set("add_party", "1") },
		"the case's household, the form refused":                   func(v url.Values) { v.Set("household", f.HouseB.ID) },
		"a party's household, the form refused":                    func(v url.Values) { v.Set("parties.1.household", f.HouseB.ID) },
	} {
		t.Run(name, func(t *testing.T) {
			v := base()
			edit(v)
			res, body := a.PostForm("/disputes", v)
			if strings.Contains(body, "贡院小区3幢") {
				t.Fatalf("the answer (%d) shows another area's address", res.StatusCode)
			}
			if n, _ := f.App.CountRecords(mediation.Collection); n != 0 {
				t.Fatalf("%d disputes written", n)
			}
		})
	}
}

func TestForms(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.SignIn(f.OfficerA)
	base := func() url.Values {
		return url.Values{
			"source": {"walk_in"}, "community": {f.CommunityA}, "room": {f.RoomA}, "category": {"family"}, "summary": {"兄弟二人因赡养老人费用分担起争执。"},
			"parties.0.role": {"applicant"}, "parties.0.name": {"陈大伟"}, "parties.0.phone": {"13512345678"},
			"parties.1.role": {"respondent"}, "parties.1.name": {"陈小伟"}, "parties.1.phone": {"13612345678"},
			"opened_at": {time.Now().Format("2006-01-02")},
		}
	}
	t.Run("a form with problems comes back with each one under its field and nothing saved", func(t *testing.T) {
		form := base()
		form.Set("parties.1.phone", "123")
		form.Set("summary", "")
		form.Set("opened_at", "01/12/2026")
		res, body := a.PostForm("/disputes", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "日期格式不正确") {
			t.Fatalf("status %d", res.StatusCode)
		}
		form.Set("opened_at", time.Now().Format("2006-01-02"))
		res, body = a.PostForm("/disputes", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "电话号码“123”无效") || !strings.Contains(body, "此项为必填") ||
			!strings.Contains(body, `id="parties.1.phone-error"`) {
			t.Fatalf("status %d", res.StatusCode)
		}
		if !strings.Contains(body, `value="陈大伟"`) {
			t.Error("the form lost what was typed")
		}
		if n, _ := f.App.CountRecords(mediation.Collection); n != 0 {
			t.Fatalf("%d disputes written", n)
		}
	})
	t.Run("adding a party re-shows the form with another row, saving nothing", func(t *testing.T) {
		form := base()
		form.Set("add_party", "1")
		res, body := a.PostForm("/disputes", form)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="parties.2.name"`) || !strings.Contains(body, `value="陈小伟"`) {
			t.Fatalf("status %d", res.StatusCode)
		}
		if n, _ := f.App.CountRecords(mediation.Collection); n != 0 {
			t.Fatalf("%d disputes written", n)
		}
	})
	var id string
	t.Run("a good form opens the case", func(t *testing.T) {
		res, _ := a.PostForm("/disputes", base())
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		id = strings.TrimSuffix(strings.TrimPrefix(res.Header.Get("Location"), "/disputes/"), "?done=saved")
	})
	t.Run("an open case is edited from its form, and the history says what changed", func(t *testing.T) {
		res, body := a.Get("/disputes/" + id + "/edit")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `value="135 1234 5678"`) {
			t.Fatalf("edit form %d", res.StatusCode)
		}
		form := base()
		form.Set("summary", "兄弟二人因赡养老人费用和照料分工起争执。")
		form.Set("parties.1.phone", "")
		if res, _ := a.PostForm("/disputes/"+id, form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		hist, _ := f.Store.History(f.ctx, id)
		last := hist[len(hist)-1]
		if last.Kind != mediation.EventEdited || strings.Join(last.Fields, ",") != "summary,parties" {
			t.Fatalf("last event %+v", last)
		}
		_, body = a.Get("/disputes/" + id)
		if !strings.Contains(body, "改了：纠纷情况、当事人") {
			t.Fatal("the history does not name the changed fields")
		}
	})
	t.Run("a household's disputes are found by the case's and the parties' households", func(t *testing.T) {
		in := f.input()
		in.Household = ""
		d := f.create(t, f.OfficerA, in) // the party's household only
		got, err := f.Store.ForHousehold(f.ctx, officer(f.OfficerA), f.HouseA.ID)
		if err != nil || len(got) != 1 || got[0].ID != d.ID {
			t.Fatalf("%+v %v", got, err)
		}
		if none, _ := f.Store.ForHousehold(f.ctx, officer(f.OfficerB), f.HouseA.ID); len(none) != 0 {
			t.Fatalf("officer B sees %+v", none)
		}
	})
	t.Run("a session without notes is refused on the case page", func(t *testing.T) {
		res, body := a.PostForm("/disputes/"+id+"/sessions", url.Values{"at": {time.Now().Format("2006-01-02")}, "next_step": {"下周再约"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "此项为必填") || !strings.Contains(body, `value="下周再约"`) {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("closing without an outcome is refused and the case stays open", func(t *testing.T) {
		res, body := a.PostForm("/disputes/"+id+"/close", url.Values{"status": {"settled"}, "closed_at": {time.Now().Format("2006-01-02")}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "此项为必填") {
			t.Fatalf("status %d", res.StatusCode)
		}
		if d, _ := f.Store.Get(f.ctx, officer(f.OfficerA), id); d.Status != mediation.StatusOpen {
			t.Fatalf("status %s", d.Status)
		}
	})
	t.Run("closing without a result asks for one", func(t *testing.T) {
		res, _ := a.PostForm("/disputes/"+id+"/close", url.Values{"outcome": {"x"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("the agreement is printed only for a settled case", func(t *testing.T) {
		if res, _ := a.Get("/disputes/" + id + "/agreement"); res.StatusCode != http.StatusConflict {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("a settled case prints its agreement with the parties, the facts, the terms and signature lines", func(t *testing.T) {
		res, _ := a.PostForm("/disputes/"+id+"/close", url.Values{"status": {"settled"}, "outcome": {"陈小伟每月承担赡养费 800 元。"}, "closed_at": {time.Now().Format("2006-01-02")}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d", res.StatusCode)
		}
		res, body := a.Get("/disputes/" + id + "/agreement")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, want := range []string{"调解协议书", "申请人：", "陈大伟", "135 1234 5678", "兄弟二人因赡养老人费用", "陈小伟每月承担赡养费 800 元", "陈大伟（签名）", "主办民警 李卫东（签名）", `class="agreement"`} {
			if !strings.Contains(body, want) {
				t.Errorf("agreement lacks %s", want)
			}
		}
	})
	t.Run("a closed case's edit form is refused", func(t *testing.T) {
		if res, _ := a.Get("/disputes/" + id + "/edit"); res.StatusCode != http.StatusConflict {
			t.Fatalf("status %d", res.StatusCode)
		}
		if res, _ := a.PostForm("/disputes/"+id, base()); res.StatusCode != http.StatusConflict {
			t.Fatalf("post: status %d", res.StatusCode)
		}
	})
	t.Run("reopening from the page needs a reason", func(t *testing.T) {
		if res, _ := a.PostForm("/disputes/"+id+"/reopen", url.Values{}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", res.StatusCode)
		}
		if res, _ := a.PostForm("/disputes/"+id+"/reopen", url.Values{"reopen_reason": {"未按月支付"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		_, body := a.Get("/disputes/" + id)
		if !strings.Contains(body, "重新开启") || !strings.Contains(body, "未按月支付") || !strings.Contains(body, "陈小伟每月承担赡养费 800 元") {
			t.Fatal("the history does not show the reopening and the outcome that stood")
		}
	})
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := officer(f.OfficerA)
	day := 24 * time.Hour
	mk := func(category, room string, openedDaysAgo int) *mediation.Dispute {
		in := f.input()
		in.Category, in.Room, in.OpenedAt = category, room, time.Now().Add(-time.Duration(openedDaysAgo)*day)
		return f.create(t, f.OfficerA, in)
	}
	overdue := mk(mediation.CategoryNeighbour, f.RoomA, 30)
	if _, err := f.Store.Close(f.ctx, a, overdue.ID, mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "和解", ClosedAt: time.Now().Add(-25 * day), FollowUpAt: time.Now().Add(-5 * day)}); err != nil {
		t.Fatal(err)
	}
	upcoming := mk(mediation.CategoryTenancy, f.StationRoom, 10)
	if _, err := f.Store.Close(f.ctx, a, upcoming.ID, mediation.CloseInput{Status: mediation.StatusFailed, Outcome: "未达成", FollowUpAt: time.Now().Add(5 * day)}); err != nil {
		t.Fatal(err)
	}
	open := mk(mediation.CategoryFamily, f.RoomA, 1)
	c := f.SignIn(f.OfficerA)
	listed := func(t *testing.T, query string) map[string]bool {
		t.Helper()
		res, body := c.Get("/disputes?" + query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		got := map[string]bool{}
		for _, d := range []*mediation.Dispute{overdue, upcoming, open} {
			got[d.Number] = strings.Contains(body, "/disputes/"+d.ID+`"`)
		}
		return got
	}
	for _, tc := range []struct {
		name, query string
		want        []*mediation.Dispute
	}{
		{"by status", "status=open", []*mediation.Dispute{open}},
		{"every closed case", "status=closed", []*mediation.Dispute{overdue, upcoming}},
		{"by room", "room=" + f.StationRoom, []*mediation.Dispute{upcoming}},
		{"by category", "category=neighbour", []*mediation.Dispute{overdue}},
		{"by lead", "officer=" + f.OfficerA.Id, []*mediation.Dispute{overdue, upcoming, open}},
		{"by another lead", "officer=" + f.OfficerB.Id, nil},
		{"overdue follow-ups only", "overdue=1", []*mediation.Dispute{overdue}},
		{"by number", "q=" + open.Number, []*mediation.Dispute{open}},
	} {
		t.Run("the list filters "+tc.name, func(t *testing.T) {
			got := listed(t, tc.query)
			for _, d := range []*mediation.Dispute{overdue, upcoming, open} {
				want := false
				for _, w := range tc.want {
					want = want || w.ID == d.ID
				}
				if got[d.Number] != want {
					t.Errorf("%s listed = %v, want %v", d.Number, got[d.Number], want)
				}
			}
		})
	}
	t.Run("an overdue follow-up stands out", func(t *testing.T) {
		_, body := c.Get("/disputes")
		row := regexp.MustCompile(`<tr class="overdue"><td><a href="/disputes/([a-z0-9]+)"`).FindAllStringSubmatch(body, -1)
		if len(row) != 1 || row[0][1] != overdue.ID {
			t.Fatalf("overdue rows %v", row)
		}
		_, body = c.Get("/disputes/" + overdue.ID)
		if !strings.Contains(body, "回访已逾期") {
			t.Fatal("the case page does not say the follow-up is overdue")
		}
	})
}

func TestRosterPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t.Run("an officer reads the roster but cannot change it", func(t *testing.T) {
		a := f.SignIn(f.OfficerA)
		res, body := a.Get("/mediators")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "赵智勇") || !strings.Contains(body, "139 0000 1111") || strings.Contains(body, "/mediators/new") {
			t.Fatalf("status %d", res.StatusCode)
		}
		if res, _ := a.PostForm("/mediators", url.Values{"name": {"某某"}, "kind": {"lawyer"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("post: %d", res.StatusCode)
		}
	})
	t.Run("the deputy chief adds a mediator, the phone as typed stored in E.164", func(t *testing.T) {
		chief := f.SignIn(f.Chief)
		res, body := chief.PostForm("/mediators", url.Values{"name": {"方志远"}, "kind": {"lawyer"}, "organisation": {"浙江庆春律师事务所"}, "phone": {"0571-8765 0000"}, "rooms": {f.StationRoom}, "active": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d %s", res.StatusCode, body)
		}
		ms, _ := f.Store.Mediators(f.ctx, false)
		var found bool
		for _, m := range ms {
			found = found || (m.Name == "方志远" && m.Phone == "+8657187650000")
		}
		if !found {
			t.Fatalf("roster %+v", ms)
		}
		res, body = chief.PostForm("/mediators", url.Values{"name": {""}, "kind": {"lawyer"}, "phone": {"12"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "此项为必填") || !strings.Contains(body, "电话号码“12”无效") {
			t.Fatalf("bad form: %d", res.StatusCode)
		}
	})
	t.Run("the deputy chief adds a room", func(t *testing.T) {
		chief := f.SignIn(f.Chief)
		if res, _ := chief.PostForm("/mediators/rooms", url.Values{"name": {"青春坊工作室"}, "community": {f.CommunityA}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		if res, body := chief.PostForm("/mediators/rooms", url.Values{"name": {"青春坊工作室"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "已有同名的调解室") {
			t.Fatalf("duplicate room: %d", res.StatusCode)
		}
	})
}
