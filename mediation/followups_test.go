package mediation_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/mediation"
	"zoufang/station"
)

// followUpVisit saves a visit naming dispute the way any write path does
// (app.Save runs the visit log's hooks and the mediation hooks).
func (f *fixture) followUpVisit(t *testing.T, rec *core.Record, household, dispute, kind string, at time.Time) (*core.Record, error) {
	t.Helper()
	coll, err := f.App.FindCollectionByNameOrId("visits")
	if err != nil {
		t.Fatal(err)
	}
	v := core.NewRecord(coll)
	v.Set("household", household)
	v.Set("officer", rec.Id)
	v.Set("visited_at", at.UTC())
	v.Set("received_at", time.Now().UTC())
	v.Set("kind", kind)
	v.Set("outcome", "met")
	v.Set("notes", "回访：双方已按协议履行，关系缓和。")
	v.Set("dispute", dispute)
	return v, f.App.Save(v)
}

func TestFollowUps(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := officer(f.OfficerA)
	day := 24 * time.Hour
	in := f.input()
	in.OpenedAt = time.Now().Add(-20 * day)
	d := f.create(t, f.OfficerA, in)
	if _, err := f.Store.Close(f.ctx, a, d.ID, mediation.CloseInput{
		Status: mediation.StatusSettled, Outcome: "赔偿 800 元", ClosedAt: time.Now().Add(-18 * day), FollowUpAt: time.Now().Add(-3 * day),
	}); err != nil {
		t.Fatal(err)
	}
	endOfToday := time.Now().Add(day)
	loc, _ := time.LoadLocation("Asia/Shanghai")

	t.Run("a due follow-up is owed by the lead and overdue once its day passed", func(t *testing.T) {
		got, err := f.Store.FollowUps(f.ctx, f.OfficerA.Id, endOfToday)
		if err != nil || len(got) != 1 || got[0].Dispute != d.ID || !got[0].Pending || got[0].Household != f.HouseA.ID {
			t.Fatalf("follow-ups %+v %v", got, err)
		}
		cur, _ := f.Store.Get(f.ctx, a, d.ID)
		if !cur.FollowUpOverdue(time.Now(), loc) {
			t.Fatal("not overdue")
		}
		if other, _ := f.Store.FollowUps(f.ctx, f.OfficerB.Id, endOfToday); len(other) != 0 {
			t.Fatalf("officer B owes %+v", other)
		}
	})
	t.Run("a routine visit cannot name a dispute", func(t *testing.T) {
		_, err := f.followUpVisit(t, f.OfficerA, f.HouseA.ID, d.ID, "routine", time.Now().Add(-time.Hour))
		if got := fieldCode(err, "dispute"); got != "visit_not_follow_up" {
			t.Fatalf("dispute: %q (%v)", got, err)
		}
	})
	t.Run("an officer cannot follow up a dispute they may not see", func(t *testing.T) {
		_, err := f.followUpVisit(t, f.OfficerB, f.HouseB.ID, d.ID, "follow_up", time.Now().Add(-time.Hour))
		if got := fieldCode(err, "dispute"); got != "dispute_unknown" {
			t.Fatalf("dispute: %q (%v)", got, err)
		}
	})
	t.Run("a follow-up visit long before the day does not count", func(t *testing.T) {
		if _, err := f.followUpVisit(t, f.OfficerA, f.HouseA.ID, d.ID, "follow_up", time.Now().Add(-12*day)); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.Store.FollowUps(f.ctx, f.OfficerA.Id, endOfToday); len(got) != 1 {
			t.Fatalf("follow-ups %+v", got)
		}
	})
	var visit *core.Record
	t.Run("a follow-up visit settles the follow-up, on a closed case too, and joins its history", func(t *testing.T) {
		var err error
		if visit, err = f.followUpVisit(t, f.OfficerA, f.HouseA.ID, d.ID, "follow_up", time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.Store.FollowUps(f.ctx, f.OfficerA.Id, endOfToday); len(got) != 0 {
			t.Fatalf("still owed: %+v", got)
		}
		cur, _ := f.Store.Get(f.ctx, a, d.ID)
		if cur.FollowUpPending || cur.FollowedUpAt.IsZero() || cur.Status != mediation.StatusSettled {
			t.Fatalf("dispute %+v", cur)
		}
		hist, _ := f.Store.History(f.ctx, d.ID)
		last := hist[len(hist)-1]
		if last.Kind != mediation.EventFollowUp || last.Visit != visit.Id || last.Officer != f.OfficerA.Id {
			t.Fatalf("last event %+v", last)
		}
	})
	t.Run("deleting the follow-up visit makes it owed again", func(t *testing.T) {
		if err := f.App.Delete(visit); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.Store.FollowUps(f.ctx, f.OfficerA.Id, endOfToday); len(got) != 1 {
			t.Fatalf("follow-ups %+v", got)
		}
	})
	t.Run("a follow-up visit written through REST counts the same", func(t *testing.T) {
		var v struct {
			ID string `json:"id"`
		}
		res := f.Superuser().PostJSON("/api/collections/visits/records", map[string]any{
			"household": f.HouseA.ID, "officer": f.OfficerA.Id, "visited_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
			"kind": "follow_up", "outcome": "met", "dispute": d.ID,
		}, &v)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("REST visit: %d", res.StatusCode)
		}
		if got, _ := f.Store.FollowUps(f.ctx, f.OfficerA.Id, endOfToday); len(got) != 0 {
			t.Fatalf("still owed: %+v", got)
		}
	})
	t.Run("the lead's device holds the cases they lead", func(t *testing.T) {
		var recs []*core.Record
		if err := f.App.RecordQuery(mediation.Collection).AndWhere(mediation.ReplicaScope(a)).All(&recs); err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 {
			t.Fatalf("%d records", len(recs))
		}
		doc := mediation.ReplicaDoc(recs[0]).(mediation.FollowUp)
		if doc.Dispute != d.ID || doc.Number != d.Number || doc.Pending || len(doc.Parties) != 2 {
			t.Fatalf("doc %+v", doc)
		}
	})
}

func TestHandOver(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := officer(f.OfficerA)
	successor := f.NewOfficer("100021", "周永杰", station.RoleOfficer, f.CommunityA)
	open := f.create(t, f.OfficerA, f.input())
	owed := f.create(t, f.OfficerA, f.input())
	if _, err := f.Store.Close(f.ctx, a, owed.ID, mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "和解", FollowUpAt: time.Now().Add(7 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	done := f.create(t, f.OfficerA, f.input())
	if _, err := f.Store.Close(f.ctx, a, done.ID, mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "和解"}); err != nil {
		t.Fatal(err)
	}
	var moved int
	err := f.App.RunInTransaction(func(tx core.App) error {
		var err error
		moved, err = mediation.HandOver(station.WithOfficer(f.ctx, officer(f.Chief)), tx, f.OfficerA.Id, successor.Id, []string{f.CommunityA})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("open cases and owed follow-ups move to the successor", func(t *testing.T) {
		if moved != 2 {
			t.Fatalf("moved %d, want 2", moved)
		}
		for id, want := range map[string]string{open.ID: successor.Id, owed.ID: successor.Id, done.ID: f.OfficerA.Id} {
			got, _ := f.Store.Get(f.ctx, officer(f.Chief), id)
			if got.Officer != want {
				t.Errorf("%s lead %s, want %s", got.Number, got.Officer, want)
			}
		}
	})
	t.Run("each moved case's history records the handover", func(t *testing.T) {
		hist, _ := f.Store.History(f.ctx, owed.ID)
		last := hist[len(hist)-1]
		if last.Kind != mediation.EventHandover || last.Officer != f.Chief.Id || last.Note != "李卫东 → 周永杰" {
			t.Fatalf("last event %+v", last)
		}
	})
}
