package mediation_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/mediation"
	"zoufang/station"
)

// apiError is PocketBase's REST error body.
type apiError struct {
	Status int `json:"status"`
	Data   map[string]struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"data"`
}

type apiDispute struct {
	ID              string            `json:"id"`
	Number          string            `json:"number"`
	Status          string            `json:"status"`
	Parties         []mediation.Party `json:"parties"`
	Outcome         string            `json:"outcome"`
	ReopenReason    string            `json:"reopen_reason"`
	FollowedUpAt    string            `json:"followed_up_at"`
	FollowUpPending bool              `json:"follow_up_pending"`
}

// TestRESTKeepsTheRules: a superuser writing through PocketBase's REST API
// (what the admin UI at /_/ calls) meets the same rules as the office
// pages, with the same field codes.
func TestRESTKeepsTheRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.Superuser()
	post := func(t *testing.T, body map[string]any) (*http.Response, apiError) {
		t.Helper()
		var e apiError
		res := admin.PostJSON("/api/collections/disputes/records", body, &e)
		return res, e
	}
	valid := func() map[string]any {
		b := restBody(f.input())
		b["officer"] = f.OfficerA.Id
		return b
	}

	for _, tc := range badInputs(f) {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.App.CountRecords(mediation.Collection)
			in := f.input()
			tc.edit(&in)
			body := restBody(in)
			body["officer"] = f.OfficerA.Id
			res, e := post(t, body)
			if res.StatusCode != http.StatusBadRequest || e.Data[tc.field].Code != tc.code {
				t.Fatalf("status %d, %s: %+v, want %s", res.StatusCode, tc.field, e.Data, tc.code)
			}
			if e.Data[tc.field].Message == "" {
				t.Errorf("no message under %s", tc.field)
			}
			if after, _ := f.App.CountRecords(mediation.Collection); after != before {
				t.Fatalf("disputes %d → %d", before, after)
			}
		})
	}
	t.Run("a REST case needs a lead", func(t *testing.T) {
		b := valid()
		delete(b, "officer")
		if res, e := post(t, b); res.StatusCode != http.StatusBadRequest || e.Data["officer"].Code != "required" {
			t.Fatalf("status %d %+v", res.StatusCode, e.Data)
		}
	})
	t.Run("parties that are not a list are refused", func(t *testing.T) {
		b := valid()
		b["parties"] = "张三和李四"
		if res, e := post(t, b); res.StatusCode != http.StatusBadRequest || e.Data["parties"].Code == "" {
			t.Fatalf("status %d %+v", res.StatusCode, e.Data)
		}
	})

	var made apiDispute
	t.Run("phones typed any way, even as JSON numbers, are stored in E.164", func(t *testing.T) {
		b := valid()
		b["parties"] = []map[string]any{
			{"name": "张德明", "phone": 13800001234, "role": "applicant"},
			{"name": "王小红", "phone": "(0571) 8765-4321", "role": "respondent"},
		}
		if res := admin.PostJSON("/api/collections/disputes/records", b, &made); res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if len(made.Parties) != 2 || made.Parties[0].Phone != "+8613800001234" || made.Parties[1].Phone != "+8657187654321" {
			t.Fatalf("parties %+v", made.Parties)
		}
	})
	path := "/api/collections/disputes/records/"
	t.Run("closing through REST needs an outcome", func(t *testing.T) {
		var e apiError
		res := admin.Send(http.MethodPatch, path+made.ID, map[string]any{"status": "settled"}, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data["outcome"].Code != "required" {
			t.Fatalf("status %d %+v", res.StatusCode, e.Data)
		}
		var d apiDispute
		if res := admin.Send(http.MethodPatch, path+made.ID, map[string]any{"status": "settled", "outcome": "双方和解"}, &d); res.StatusCode != http.StatusOK || d.Status != "settled" {
			t.Fatalf("close: %d %+v", res.StatusCode, d)
		}
	})
	t.Run("a closed case cannot be edited through REST", func(t *testing.T) {
		var e apiError
		res := admin.Send(http.MethodPatch, path+made.ID, map[string]any{"summary": "改过"}, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data["summary"].Code != "dispute_closed" {
			t.Fatalf("status %d %+v", res.StatusCode, e.Data)
		}
		res = admin.Send(http.MethodPatch, path+made.ID, map[string]any{"status": "failed"}, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data["status"].Code != "dispute_closed" {
			t.Fatalf("status change: %d %+v", res.StatusCode, e.Data)
		}
	})
	t.Run("a session on a closed case is refused through REST", func(t *testing.T) {
		var e apiError
		res := admin.PostJSON("/api/collections/dispute_sessions/records", map[string]any{"dispute": made.ID, "at": time.Now().UTC().Format(time.RFC3339), "notes": "补记"}, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data["dispute"].Code != "dispute_closed" {
			t.Fatalf("status %d %+v", res.StatusCode, e.Data)
		}
	})
	t.Run("reopening through REST needs a reason, which the history keeps", func(t *testing.T) {
		var e apiError
		res := admin.Send(http.MethodPatch, path+made.ID, map[string]any{"status": "open"}, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data["reopen_reason"].Code != "required" {
			t.Fatalf("status %d %+v", res.StatusCode, e.Data)
		}
		var d apiDispute
		res = admin.Send(http.MethodPatch, path+made.ID, map[string]any{"status": "open", "reopen_reason": "当事人反映协议未履行"}, &d)
		if res.StatusCode != http.StatusOK || d.Status != "open" || d.Outcome != "" || d.ReopenReason != "" {
			t.Fatalf("reopen: %d %+v", res.StatusCode, d)
		}
		hist, err := f.Store.History(f.ctx, made.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := hist[len(hist)-1]
		if last.Kind != mediation.EventReopened || last.Note != "当事人反映协议未履行" || last.Officer != "" {
			t.Fatalf("last event %+v", last)
		}
	})
	t.Run("the follow-up state is the server's", func(t *testing.T) {
		var d apiDispute
		admin.Send(http.MethodPatch, path+made.ID, map[string]any{"follow_up_at": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)}, &d)
		if !d.FollowUpPending {
			t.Fatalf("a follow-up date should make one owed: %+v", d)
		}
		admin.Send(http.MethodPatch, path+made.ID, map[string]any{"followed_up_at": time.Now().UTC().Format(time.RFC3339), "follow_up_pending": false}, &d)
		if !d.FollowUpPending || d.FollowedUpAt != "" {
			t.Fatalf("REST set the follow-up state: %+v", d)
		}
	})
	t.Run("officers cannot write through REST", func(t *testing.T) {
		a := f.Anonymous().WithToken(f.Token(f.OfficerA))
		if res := a.PostJSON("/api/collections/disputes/records", valid(), nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("create: %d", res.StatusCode)
		}
		if res := a.Send(http.MethodPatch, path+made.ID, map[string]any{"summary": "x"}, nil); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
			t.Errorf("update: %d", res.StatusCode)
		}
		if res := a.PostJSON("/api/collections/mediators/records", map[string]any{"name": "x", "kind": "lawyer"}, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("mediator: %d", res.StatusCode)
		}
	})
	t.Run("a mediator written through REST has an E.164 phone", func(t *testing.T) {
		var m struct {
			Phone string `json:"phone"`
		}
		if res := admin.PostJSON("/api/collections/mediators/records", map[string]any{"name": "沈静", "kind": "lawyer", "phone": "0571 8888 1234", "active": true}, &m); res.StatusCode != http.StatusOK || m.Phone != "+8657188881234" {
			t.Fatalf("%d %+v", res.StatusCode, m)
		}
		var e apiError
		if res := admin.PostJSON("/api/collections/mediators/records", map[string]any{"name": "沈静", "kind": "lawyer", "phone": "8888"}, &e); res.StatusCode != http.StatusBadRequest || e.Data["phone"].Code != station.PhoneInvalid {
			t.Fatalf("%d %+v", res.StatusCode, e.Data)
		}
	})
}

// TestCollectionsSpeakTheVocabulary: the select values the migration wrote
// are the Go vocabularies the pages and hooks use.
func TestCollectionsSpeakTheVocabulary(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	values := func(collection, field string) []string {
		t.Helper()
		c, err := f.App.FindCollectionByNameOrId(collection)
		if err != nil {
			t.Fatal(err)
		}
		sf, ok := c.Fields.GetByName(field).(*core.SelectField)
		if !ok {
			t.Fatalf("%s.%s is not a select", collection, field)
		}
		return sf.Values
	}
	for _, tc := range []struct {
		collection, field string
		want              []string
	}{
		{mediation.Collection, "category", mediation.Categories},
		{mediation.Collection, "source", mediation.Sources},
		{mediation.Collection, "status", mediation.Statuses},
		{mediation.MediatorsCollection, "kind", mediation.MediatorKinds},
		{mediation.EventsCollection, "kind", []string{mediation.EventOpened, mediation.EventEdited, mediation.EventSession, mediation.EventClosed, mediation.EventReopened, mediation.EventSigned, mediation.EventFollowUp, mediation.EventHandover}},
	} {
		if got := values(tc.collection, tc.field); !slices.Equal(got, tc.want) {
			t.Errorf("%s.%s = %v, want %v", tc.collection, tc.field, got, tc.want)
		}
	}
}

// TestClosedCasesKeepTheirReferences: a mediator or visit a closed case
// names cannot be deleted from under it; deactivate a mediator instead.
func TestClosedCasesKeepTheirReferences(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.create(t, f.OfficerA, f.input())
	if _, err := f.Store.Close(f.ctx, officer(f.OfficerA), d.ID, mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "和解"}); err != nil {
		t.Fatal(err)
	}
	rec, err := f.App.FindRecordById(mediation.MediatorsCollection, f.MedVolunteer)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.App.Delete(rec); err == nil {
		t.Fatal("a mediator of a closed case was deleted")
	}
	got, _ := f.Store.Get(f.ctx, officer(f.Chief), d.ID)
	if len(got.Mediators) != 1 {
		t.Fatalf("mediators %v", got.Mediators)
	}
}
