package mediation_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/station"
)

// badInputs are dispute inputs that break one rule each, with the field
// and code the refusal must name. They are checked through the store (the
// office form's path) and through REST (the hooks), so the rules are the
// same on every write path.
func badInputs(f *fixture) []struct {
	name, field, code string
	edit              func(in *mediation.Input)
} {
	return []struct {
		name, field, code string
		edit              func(in *mediation.Input)
	}{
		{"a case needs a room", "room", "required", func(in *mediation.Input) { in.Room = "" }},
		{"the room must exist", "room", "room_unknown", func(in *mediation.Input) { in.Room = "nosuchroom0000" + "1" }},
		{"a case needs a community", "community", "required", func(in *mediation.Input) { in.Community = ""; in.Household = "" }},
		{"the household must be of the case's community", "household", "household_other_community", func(in *mediation.Input) { in.Household = f.HouseB.ID }},
		{"the category is one of the list", "category", "choice", func(in *mediation.Input) { in.Category = "gossip" }},
		{"a case needs a summary", "summary", "required", func(in *mediation.Input) { in.Summary = "   " }},
		{"someone must be on each side", "parties", "parties_sides", func(in *mediation.Input) { in.Parties = in.Parties[:1] }},
		{"a party's phone must be a number", "parties.1.phone", station.PhoneInvalid, func(in *mediation.Input) { in.Parties[1].Phone = "12345" }},
		{"a party needs a name", "parties.0.name", "required", func(in *mediation.Input) { in.Parties[0].Name = "" }},
		{"a party's role is applicant or respondent", "parties.1.role", "choice", func(in *mediation.Input) { in.Parties[1].Role = "witness" }},
		{"a party's household must exist", "parties.1.household", "household_missing", func(in *mediation.Input) { in.Parties[1].Household = "nosuchhouse0001" }},
		{"a case from a visit names the visit", "visit", "dispute_needs_visit", func(in *mediation.Input) { in.Source = mediation.SourceVisit }},
		{"a walk-in names no patrol report", "report", "dispute_source_link", func(in *mediation.Input) { in.Report = "abcdefghij12345" }},
		{"a patrol report is named by its id", "report", "id_format", func(in *mediation.Input) { in.Source = mediation.SourcePatrol; in.Report = "report 7" }},
		{"a case from a patrol names the report", "report", "dispute_needs_report", func(in *mediation.Input) { in.Source = mediation.SourcePatrol }},
		{"the source is one of the list", "source", "choice", func(in *mediation.Input) { in.Source = "rumour" }},
		{"mediators come from the roster", "mediators", "mediator_unknown", func(in *mediation.Input) { in.Mediators = []string{"nosuchperson001"} }},
		{"a case is not opened in the future", "opened_at", "day_future", func(in *mediation.Input) { in.OpenedAt = time.Now().Add(48 * time.Hour) }},
		{"the follow-up is not before the case", "follow_up_at", "follow_up_before_opened", func(in *mediation.Input) {
			in.OpenedAt = time.Now().Add(-24 * time.Hour)
			in.FollowUpAt = time.Now().Add(-30 * 24 * time.Hour)
		}},
	}
}

func TestValidationThroughTheStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := officer(f.OfficerA)
	for _, tc := range badInputs(f) {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.App.CountRecords(mediation.Collection)
			in := f.input()
			tc.edit(&in)
			_, err := f.Store.Create(f.ctx, a, in)
			if got := fieldCode(err, tc.field); got != tc.code {
				t.Fatalf("%s: code %q, want %q (err %v)", tc.field, got, tc.code, err)
			}
			if station.ErrorCode(err) != station.EInvalid {
				t.Fatalf("error code %q, want invalid", station.ErrorCode(err))
			}
			if after, _ := f.App.CountRecords(mediation.Collection); after != before {
				t.Fatalf("disputes %d → %d: a refused case was written", before, after)
			}
		})
	}
	t.Run("an officer cannot open a case in another community led by someone else", func(t *testing.T) {
		in := f.input()
		in.Community, in.Household, in.Room, in.Officer = f.CommunityB, "", f.RoomB, f.OfficerB.Id
		in.Parties[0].Household = ""
		_, err := f.Store.Create(f.ctx, a, in)
		if got := fieldCode(err, "community"); got != "out_of_area" {
			t.Fatalf("community: %q (%v)", got, err)
		}
	})
	t.Run("an officer may open a case in another community that they lead", func(t *testing.T) {
		in := f.input()
		in.Community, in.Household, in.Room = f.CommunityB, "", f.StationRoom
		in.Parties[0].Household = ""
		d := f.create(t, f.OfficerA, in)
		if d.Officer != f.OfficerA.Id {
			t.Fatalf("lead %q, want officer A", d.Officer)
		}
	})
	t.Run("a case led in another community names none of its households", func(t *testing.T) {
		// The case page shows a named household's address: quoting an id
		// of another area must not read it.
		in := f.input()
		in.Community, in.Household, in.Room = f.CommunityB, f.HouseB.ID, f.StationRoom
		in.Parties[0].Household = ""
		if _, err := f.Store.Create(f.ctx, a, in); fieldCode(err, "household") != "out_of_area" {
			t.Fatalf("household: %q (%v)", fieldCode(err, "household"), err)
		}
		in = f.input()
		in.Parties[1].Household = f.HouseB.ID
		if _, err := f.Store.Create(f.ctx, a, in); fieldCode(err, "parties.1.household") != "out_of_area" {
			t.Fatalf("party's household: %q (%v)", fieldCode(err, "parties.1.household"), err)
		}
	})
	t.Run("the lead edits a case whose household the deputy chief named", func(t *testing.T) {
		in := f.input()
		in.Community, in.Household, in.Room, in.Officer = f.CommunityB, f.HouseB.ID, f.StationRoom, f.OfficerA.Id
		in.Parties[0].Household = f.HouseB.ID
		d := f.create(t, f.Chief, in)
		edit := mediation.InputOf(d)
		edit.Summary = "双方同意先由物业查明漏水原因。"
		if _, err := f.Store.Update(f.ctx, a, d.ID, edit); err != nil {
			t.Fatalf("the lead's edit: %v", err)
		}
		other := f.Household(f.OfficerB, households.Input{Community: f.CommunityB, Building: "贡院小区4幢", HeadName: "周二"})
		edit.Parties[1].Household = other.ID
		if _, err := f.Store.Update(f.ctx, a, d.ID, edit); fieldCode(err, "parties.1.household") != "out_of_area" {
			t.Fatalf("a household newly named: %q (%v)", fieldCode(err, "parties.1.household"), err)
		}
	})
	t.Run("an inactive officer cannot be made lead", func(t *testing.T) {
		gone := f.NewOfficer("100099", "退休民警", station.RoleOfficer, f.CommunityA)
		gone.Set("active", false)
		if err := f.App.Save(gone); err != nil {
			t.Fatal(err)
		}
		in := f.input()
		in.Officer = gone.Id
		_, err := f.Store.Create(f.ctx, officer(f.Chief), in)
		if got := fieldCode(err, "officer"); got != "lead_inactive" {
			t.Fatalf("officer: %q (%v)", got, err)
		}
	})
	t.Run("a valid case is stored normalised", func(t *testing.T) {
		in := f.input()
		in.Parties = append(in.Parties, mediation.Party{Role: mediation.RoleRespondent}) // an empty form row
		in.Mediators = []string{f.MedVolunteer, f.MedPolice, f.MedVolunteer}
		d := f.create(t, f.OfficerA, in)
		if len(d.Parties) != 2 || d.Parties[0].Phone != "+8613800001234" || d.Parties[1].Phone != "+8657187654321" {
			t.Fatalf("parties %+v", d.Parties)
		}
		want := []string{f.MedPolice, f.MedVolunteer}
		slices.Sort(want)
		if !slices.Equal(d.Mediators, want) {
			t.Fatalf("mediators %v, want %v", d.Mediators, want)
		}
		if d.Status != mediation.StatusOpen || d.OpenedAt.IsZero() || !d.ClosedAt.IsZero() || d.Number == "" {
			t.Fatalf("dispute %+v", d)
		}
	})
}

func TestNumbering(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	open := func(t *testing.T, when time.Time) *mediation.Dispute {
		t.Helper()
		in := f.input()
		in.OpenedAt = when
		return f.create(t, f.OfficerA, in)
	}

	t.Run("numbers count up within a year", func(t *testing.T) {
		a := open(t, at("2024-03-01 10:00:00"))
		b := open(t, at("2024-03-02 10:00:00"))
		if a.Number != "2024-0001" || b.Number != "2024-0002" {
			t.Fatalf("numbers %s, %s", a.Number, b.Number)
		}
	})
	t.Run("the year is the station's, not UTC's", func(t *testing.T) {
		// 2023-12-31 16:30 UTC is already New Year's Day in Hangzhou.
		d := open(t, at("2024-01-01 00:30:00"))
		if d.Number != "2024-0003" {
			t.Fatalf("number %s, want 2024-0003", d.Number)
		}
		e := open(t, at("2023-12-31 23:30:00"))
		if e.Number != "2023-0001" {
			t.Fatalf("number %s, want 2023-0001", e.Number)
		}
	})
	t.Run("concurrent creation around new year gives every case its own number, gap-free", func(t *testing.T) {
		const n = 24
		var wg sync.WaitGroup
		got := make([]*mediation.Dispute, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := f.input()
				in.OpenedAt = at("2025-12-31 23:59:59").Add(time.Duration(i%2) * 2 * time.Second) // half on each side of midnight
				got[i], errs[i] = f.Store.Create(f.ctx, officer(f.OfficerA), in)
			}()
		}
		wg.Wait()
		byYear := map[string][]string{}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("create %d: %v", i, errs[i])
			}
			byYear[got[i].Number[:4]] = append(byYear[got[i].Number[:4]], got[i].Number)
		}
		for _, year := range []string{"2025", "2026"} {
			nums := byYear[year]
			slices.Sort(nums)
			want := []string{}
			for k := 1; k <= n/2; k++ {
				want = append(want, fmt.Sprintf("%s-%04d", year, k))
			}
			if !slices.Equal(nums, want) {
				t.Errorf("%s numbers %v, want %v", year, nums, want)
			}
		}
	})
	t.Run("a deleted case's number is not handed out again", func(t *testing.T) {
		d := open(t, at("2022-05-01 09:00:00"))
		rec, err := f.App.FindRecordById(mediation.Collection, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.App.Delete(rec); err != nil {
			t.Fatal(err)
		}
		if e := open(t, at("2022-05-02 09:00:00")); e.Number != "2022-0002" {
			t.Fatalf("number %s after deleting %s, want 2022-0002", e.Number, d.Number)
		}
	})
	t.Run("REST cannot choose or change a number", func(t *testing.T) {
		admin := f.Superuser()
		var made struct {
			ID     string `json:"id"`
			Number string `json:"number"`
		}
		body := restBody(f.input())
		body["officer"] = f.OfficerA.Id
		body["number"] = "2026-9999"
		body["opened_at"] = "2021-06-01 02:00:00.000Z"
		if res := admin.PostJSON("/api/collections/disputes/records", body, &made); res.StatusCode != http.StatusOK {
			t.Fatalf("REST create: %d", res.StatusCode)
		}
		if made.Number != "2021-0001" {
			t.Fatalf("REST number %q, want 2021-0001", made.Number)
		}
		var after struct {
			Number string `json:"number"`
		}
		admin.Send(http.MethodPatch, "/api/collections/disputes/records/"+made.ID, map[string]any{"number": "2021-0500", "seq": 500}, &after)
		if after.Number != "2021-0001" {
			t.Fatalf("number after PATCH %q", after.Number)
		}
	})
}

// restBody is in as a REST client writes a dispute.
func restBody(in mediation.Input) map[string]any {
	parties := []map[string]any{}
	for _, p := range in.Parties {
		parties = append(parties, map[string]any{"name": p.Name, "phone": p.Phone, "role": p.Role, "household": p.Household})
	}
	b := map[string]any{
		"room": in.Room, "community": in.Community, "household": in.Household, "category": in.Category,
		"summary": in.Summary, "parties": parties, "source": in.Source, "visit": in.Visit, "report": in.Report,
		"officer": in.Officer, "mediators": in.Mediators, "status": "open",
	}
	if !in.OpenedAt.IsZero() {
		b["opened_at"] = in.OpenedAt.UTC().Format(time.RFC3339)
	}
	if !in.FollowUpAt.IsZero() {
		b["follow_up_at"] = in.FollowUpAt.UTC().Format(time.RFC3339)
	}
	return b
}

func TestStatusTransitions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := officer(f.OfficerA)
	d := f.create(t, f.OfficerA, f.input())

	t.Run("closing requires an outcome", func(t *testing.T) {
		_, err := f.Store.Close(f.ctx, a, d.ID, mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "  "})
		if got := fieldCode(err, "outcome"); got != "required" {
			t.Fatalf("outcome: %q (%v)", got, err)
		}
		if got, _ := f.Store.Get(f.ctx, a, d.ID); got.Status != mediation.StatusOpen {
			t.Fatalf("status %s after a refused close", got.Status)
		}
	})
	t.Run("an agreement is signed only in a settled case", func(t *testing.T) {
		_, err := f.Store.Close(f.ctx, a, d.ID, mediation.CloseInput{Status: mediation.StatusFailed, Outcome: "双方分歧大", AgreementSigned: true})
		if got := fieldCode(err, "agreement_signed"); got != "agreement_needs_settled" {
			t.Fatalf("agreement_signed: %q (%v)", got, err)
		}
	})
	t.Run("a case is closed with its outcome and day", func(t *testing.T) {
		got, err := f.Store.Close(f.ctx, a, d.ID, mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "王小红赔偿张德明修缮费 1200 元，三日内付清。"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != mediation.StatusSettled || got.ClosedAt.IsZero() || got.Outcome == "" {
			t.Fatalf("closed %+v", got)
		}
	})
	t.Run("a closed case cannot be edited, closed again or given a session", func(t *testing.T) {
		in := mediation.InputOf(d)
		in.Summary = "改过的案情"
		if _, err := f.Store.Update(f.ctx, a, d.ID, in); station.ErrorCode(err) != station.EConflict {
			t.Errorf("edit: %v, want a conflict", err)
		}
		if _, err := f.Store.Close(f.ctx, a, d.ID, mediation.CloseInput{Status: mediation.StatusFailed, Outcome: "x"}); station.ErrorCode(err) != station.EConflict {
			t.Errorf("close again: %v, want a conflict", err)
		}
		if _, err := f.Store.AddSession(f.ctx, a, d.ID, mediation.SessionInput{At: time.Now(), Notes: "再谈"}); station.ErrorCode(err) != station.EConflict {
			t.Errorf("session: %v, want a conflict", err)
		}
		got, _ := f.Store.Get(f.ctx, a, d.ID)
		if got.Summary != d.Summary || got.Status != mediation.StatusSettled {
			t.Fatalf("the closed case changed: %+v", got)
		}
	})
	t.Run("the agreement's signature is the one change a closed case takes", func(t *testing.T) {
		got, err := f.Store.MarkSigned(f.ctx, a, d.ID)
		if err != nil || !got.AgreementSigned {
			t.Fatalf("signed %v %v", got, err)
		}
	})
	t.Run("reopening needs a reason", func(t *testing.T) {
		_, err := f.Store.Reopen(f.ctx, a, d.ID, " ")
		if got := fieldCode(err, "reopen_reason"); got != "required" {
			t.Fatalf("reopen_reason: %q (%v)", got, err)
		}
	})
	t.Run("only the lead or the deputy chief reopens", func(t *testing.T) {
		colleague := f.NewOfficer("100011", "同社区民警", station.RoleOfficer, f.CommunityA)
		_, err := f.Store.Reopen(f.ctx, officer(colleague), d.ID, "对方未付款")
		if station.ErrorCode(err) != station.EForbidden {
			t.Fatalf("reopen by a colleague: %v", err)
		}
	})
	t.Run("reopening is recorded with the reason and the outcome that stood", func(t *testing.T) {
		got, err := f.Store.Reopen(f.ctx, a, d.ID, "王小红未按期付款")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != mediation.StatusOpen || got.Outcome != "" || !got.ClosedAt.IsZero() || got.AgreementSigned {
			t.Fatalf("reopened %+v", got)
		}
		hist, err := f.Store.History(f.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range hist {
			kinds = append(kinds, e.Kind)
		}
		want := []string{mediation.EventOpened, mediation.EventClosed, mediation.EventSigned, mediation.EventReopened}
		if !slices.Equal(kinds, want) {
			t.Fatalf("history %v, want %v", kinds, want)
		}
		if hist[1].Note != "王小红赔偿张德明修缮费 1200 元，三日内付清。" || hist[1].Status != mediation.StatusSettled {
			t.Errorf("closed event %+v", hist[1])
		}
		if hist[3].Note != "王小红未按期付款" || hist[3].Officer != f.OfficerA.Id {
			t.Errorf("reopened event %+v", hist[3])
		}
	})
	t.Run("a reopened case is edited and closed again", func(t *testing.T) {
		in := mediation.InputOf(d)
		in.Mediators = []string{f.MedPolice}
		if _, err := f.Store.Update(f.ctx, a, d.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Store.AddSession(f.ctx, a, d.ID, mediation.SessionInput{At: time.Now(), Notes: "民警再次约谈双方", Mediators: []string{f.MedPolice}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Store.Close(f.ctx, a, d.ID, mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "已当面付清。"}); err != nil {
			t.Fatal(err)
		}
		hist, _ := f.Store.History(f.ctx, d.ID)
		last := hist[len(hist)-3:]
		if last[0].Kind != mediation.EventEdited || !slices.Equal(last[0].Fields, []string{"mediators"}) ||
			last[1].Kind != mediation.EventSession || last[2].Kind != mediation.EventClosed {
			t.Fatalf("history tail %+v %+v %+v", last[0], last[1], last[2])
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := officer(f.OfficerA)
	in := f.input()
	in.OpenedAt = time.Now().Add(-72 * time.Hour)
	d := f.create(t, f.OfficerA, in)
	for _, tc := range []struct {
		name, field, code string
		in                mediation.SessionInput
	}{
		{"a session needs a day", "at", "required", mediation.SessionInput{Notes: "x"}},
		{"a session is not in the future", "at", "day_future", mediation.SessionInput{At: time.Now().Add(48 * time.Hour), Notes: "x"}},
		{"a session is not before the case", "at", "session_before_opened", mediation.SessionInput{At: time.Now().Add(-10 * 24 * time.Hour), Notes: "x"}},
		{"a session says what happened", "notes", "required", mediation.SessionInput{At: time.Now()}},
		{"session mediators come from the roster", "mediators", "mediator_unknown", mediation.SessionInput{At: time.Now(), Notes: "x", Mediators: []string{"nosuchperson001"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Store.AddSession(f.ctx, a, d.ID, tc.in)
			if got := fieldCode(err, tc.field); got != tc.code {
				t.Fatalf("%s: %q, want %q (%v)", tc.field, got, tc.code, err)
			}
		})
	}
	t.Run("a session is kept with who recorded it", func(t *testing.T) {
		s, err := f.Store.AddSession(f.ctx, a, d.ID, mediation.SessionInput{At: time.Now(), Notes: "双方到场，各自陈述。", NextStep: "请物业出具漏水鉴定", Mediators: []string{f.MedVolunteer}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.Store.Sessions(f.ctx, d.ID)
		if len(got) != 1 || got[0].ID != s.ID || got[0].Officer != f.OfficerA.Id || got[0].NextStep != "请物业出具漏水鉴定" {
			t.Fatalf("sessions %+v", got)
		}
	})
	t.Run("an officer of another area cannot add one", func(t *testing.T) {
		_, err := f.Store.AddSession(f.ctx, officer(f.OfficerB), d.ID, mediation.SessionInput{At: time.Now(), Notes: "x"})
		if station.ErrorCode(err) != station.ENotFound {
			t.Fatalf("%v, want not found", err)
		}
	})
}

func TestRoster(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	chief := officer(f.Chief)
	t.Run("a mediator's phone is stored in E.164", func(t *testing.T) {
		m, err := f.Store.GetMediator(f.ctx, f.MedPolice)
		if err != nil || m.Phone != "+8613900001111" {
			t.Fatalf("%+v %v", m, err)
		}
	})
	for _, tc := range []struct {
		name, field, code string
		in                mediation.Mediator
	}{
		{"a mediator needs a name", "name", "required", mediation.Mediator{Kind: mediation.KindLawyer}},
		{"the kind is one of the roster's", "kind", "choice", mediation.Mediator{Name: "某某", Kind: "judge"}},
		{"a phone must be a number", "phone", station.PhoneInvalid, mediation.Mediator{Name: "某某", Kind: mediation.KindLawyer, Phone: "12"}},
		{"a fixed line needs its area code", "phone", station.PhoneNoArea, mediation.Mediator{Name: "某某", Kind: mediation.KindLawyer, Phone: "87654321"}},
		{"rooms must exist", "rooms", "room_unknown", mediation.Mediator{Name: "某某", Kind: mediation.KindMedia, Rooms: []string{"nosuchroom00001"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Store.SaveMediator(f.ctx, chief, "", tc.in)
			if got := fieldCode(err, tc.field); got != tc.code {
				t.Fatalf("%s: %q, want %q (%v)", tc.field, got, tc.code, err)
			}
		})
	}
	t.Run("only the deputy chief edits the roster", func(t *testing.T) {
		_, err := f.Store.SaveMediator(f.ctx, officer(f.OfficerA), "", mediation.Mediator{Name: "某某", Kind: mediation.KindLawyer})
		if station.ErrorCode(err) != station.EForbidden {
			t.Fatalf("%v", err)
		}
	})
	t.Run("two rooms cannot share a name", func(t *testing.T) {
		_, err := f.Store.SaveRoom(f.ctx, chief, "", mediation.Room{Name: " 六心工作室 "})
		if got := fieldCode(err, "name"); got != "room_taken" {
			t.Fatalf("name: %q (%v)", got, err)
		}
	})
	t.Run("the roster lists active mediators in the wall's order", func(t *testing.T) {
		ms, err := f.Store.Mediators(f.ctx, false)
		if err != nil || len(ms) != 2 || ms[0].Kind != mediation.KindPolice || ms[1].Kind != mediation.KindVolunteer {
			t.Fatalf("%v %v", ms, err)
		}
	})
	_ = apptest.Password
}
