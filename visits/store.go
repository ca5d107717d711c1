package visits

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// Save statuses: what a save did, as the sync protocol names it.
const (
	StatusCreated = "created"
	StatusExists  = "exists"  // a retry of what is stored: nothing to do
	StatusUpdated = "updated" // an edit within the edit window
)

// Store reads and writes visits.
type Store struct {
	app core.App
}

// NewStore returns the visits store of app.
func NewStore(app core.App) *Store { return &Store{app: app} }

// Closed is the conflict of an edit after the edit window: Current is the
// stored visit, which stands.
type Closed struct{ Current *Visit }

func (c *Closed) Error() string { return "visit " + c.Current.ID + " is closed for edits" }

// ClosedVisit returns the stored visit of an edit-window conflict.
func ClosedVisit(err error) *Visit {
	var c *Closed
	if errors.As(err, &c) {
		return c.Current
	}
	return nil
}

// Save records a visit for the signed-in officer, in its own transaction.
func (s *Store) Save(ctx context.Context, o *station.Officer, in Input, now time.Time) (v *Visit, status string, err error) {
	err = s.app.RunInTransaction(func(tx core.App) error {
		v, status, err = Save(ctx, tx, o, in, now)
		return err
	})
	return v, status, err
}

// Save records in for officer o within tx at server time now. A new id
// creates the visit; the id of a stored visit is a retry (same content:
// StatusExists) or an edit (StatusUpdated within EditWindow, else a conflict
// carrying the stored visit). The household's last visit and first WeChat
// contact are updated in the same transaction.
func Save(ctx context.Context, tx core.App, o *station.Officer, in Input, now time.Time) (*Visit, string, error) {
	return save(ctx, tx, o, in, now, nil)
}

// idFacts is what a push has already learned about a visit's id in its
// batched lookups (lookUpIDs); nil makes save look the id up itself.
type idFacts struct {
	stored       bool // a visit with this id is stored
	foreignToken bool // the id is a QR token issued to another officer
}

// save is Save, with what the caller already knows of in.ID.
func save(ctx context.Context, tx core.App, o *station.Officer, in Input, now time.Time, known *idFacts) (*Visit, string, error) {
	var existing *core.Record
	if (known == nil || known.stored) && in.ID != "" && households.IDPattern.MatchString(in.ID) {
		rec, err := tx.FindRecordById(Collection, in.ID)
		switch {
		case err == nil:
			existing = rec
		case !errors.Is(err, sql.ErrNoRows):
			return nil, "", station.Internal(err, "find visit")
		}
	}
	if existing != nil {
		return edit(ctx, tx, o, existing, in, now)
	}

	v, p := in.normalize(o, now)
	hrec := checkRefs(ctx, tx, o, v, p)
	// A QR token's id is its officer's: a visit under another officer's
	// token would show that officer to the resident who confirms it.
	foreign := known != nil && known.foreignToken
	if known == nil && v.ID != "" {
		tk, err := tx.FindRecordById(TokenCollection, v.ID)
		foreign = err == nil && tk.GetString("officer") != o.ID
	}
	if foreign {
		p.Add("id", "id_taken")
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	coll, err := tx.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, "", station.Internal(err, "visits collection")
	}
	rec := core.NewRecord(coll)
	if v.ID != "" {
		rec.Id = v.ID
	}
	v.ReceivedAt = now.UTC()

	// Settle the household as the visit arrives: usually a new visit only
	// moves its last met visit forward or makes its first WeChat contact,
	// decided from the household alone. A WeChat contact older than the
	// recorded one (a phone that was offline for days) needs the full
	// recount.
	recount := false
	changed := false
	if v.WeChatAdded {
		added := hrec.GetDateTime("wechat_added_at").Time()
		switch {
		case hrec.GetString("wechat_contact") == "":
			v.WeChatNew = true
			hrec.Set("wechat_contact", o.ID)
			hrec.Set("wechat_added_at", v.VisitedAt)
			changed = true
		case v.VisitedAt.Before(added):
			recount = true
		}
	}
	if v.Outcome == OutcomeMet && v.VisitedAt.After(hrec.GetDateTime("last_visited_at").Time()) {
		hrec.Set("last_visited_at", v.VisitedAt)
		hrec.Set("last_visited_by", o.ID)
		changed = true
	}
	write(rec, v)
	rec.Set("officer", o.ID)
	rec.Set("received_at", v.ReceivedAt)
	rec.Set("wechat_new", v.WeChatNew)
	// normalize and checkRefs have checked every field PocketBase's
	// validation would (choices, lengths, the household, the watch; the
	// officer is the session's), so the insert skips the second pass.
	if err := tx.SaveNoValidateWithContext(ctx, rec); err != nil {
		return nil, "", station.Internal(err, "save visit")
	}
	switch {
	case recount:
		if err := settleHousehold(ctx, tx, rec); err != nil {
			return nil, "", err
		}
	case changed:
		// Server-computed fields only: no need to re-validate the rest.
		if err := tx.SaveNoValidateWithContext(ctx, hrec); err != nil {
			return nil, "", station.Internal(err, "update household")
		}
	}
	return FromRecord(rec), StatusCreated, nil
}

// edit applies in to the stored visit rec.
func edit(ctx context.Context, tx core.App, o *station.Officer, rec *core.Record, in Input, now time.Time) (*Visit, string, error) {
	cur := FromRecord(rec)
	if cur.Officer != o.ID {
		p := station.Problems{}
		p.Add("id", "id_taken")
		return nil, "", p.Err()
	}
	// A retry is judged before validation: a visit stored last week is
	// still "exists" when a device retries it today.
	v, p := in.normalize(o, now)
	v.ID = cur.ID
	if v.sameContent(cur) {
		return cur, StatusExists, nil
	}
	if !cur.Editable(now) {
		return nil, "", &station.Error{Code: station.EConflict, Message: i18n.T("visit.closed"), Err: &Closed{Current: cur}}
	}
	delete(p, "visited_at") // the visit is stored; its age no longer matters
	if v.VisitedAt.After(now.Add(ClockSkew)) {
		p.Add("visited_at", "future")
	}
	if v.Household != cur.Household {
		p.Add("household", "immutable")
	}
	checkRefs(ctx, tx, o, v, p)
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	write(rec, v)
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, "", station.Internal(err, "update visit")
	}
	if err := settleHousehold(ctx, tx, rec); err != nil {
		return nil, "", err
	}
	return FromRecord(rec), StatusUpdated, nil
}

// checkRefs checks the household (in the officer's area, not archived)
// and the holiday watch, and returns the household's record (nil when it
// is not one the officer may use).
func checkRefs(ctx context.Context, tx core.App, o *station.Officer, v *Visit, p station.Problems) *core.Record {
	if v.Household == "" {
		return nil
	}
	h, err := tx.FindRecordById(households.Collection, v.Household)
	if err != nil || !o.CoversCommunity(h.GetString("community")) {
		p.Add("household", "out_of_area")
		return nil
	}
	if h.GetBool("archived") {
		p.Add("household", "household_archived")
	}
	if v.Watch != "" {
		w, err := tx.FindRecordById("holiday_watches", v.Watch)
		if err != nil || w.GetString("household") != v.Household {
			p.Add("watch", "watch_mismatch")
		}
	}
	return h
}

func write(rec *core.Record, v *Visit) {
	rec.Set("household", v.Household)
	rec.Set("visited_at", v.VisitedAt)
	rec.Set("kind", v.Kind)
	rec.Set("outcome", v.Outcome)
	rec.Set("concerns", v.Concerns)
	rec.Set("notes", v.Notes)
	rec.Set("wechat_added", v.WeChatAdded)
	rec.Set("watch", v.Watch)
}

// settleHousehold brings the household of visit rec in line with its
// visits: last met visit (at and by), and the first WeChat contact, which
// is the earliest visit that added the resident on WeChat and the only
// visit with wechat_new set.
func settleHousehold(ctx context.Context, tx core.App, rec *core.Record) error {
	hid := rec.GetString("household")
	h, err := tx.FindRecordById(households.Collection, hid)
	if err != nil {
		return station.Internal(err, "load household")
	}

	last := &core.Record{}
	err = tx.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.HashExp{"household": hid, "outcome": OutcomeMet}).
		OrderBy("visited_at DESC").Limit(1).One(last)
	switch {
	case err == nil:
		h.Set("last_visited_at", last.GetDateTime("visited_at"))
		h.Set("last_visited_by", last.GetString("officer"))
	case errors.Is(err, sql.ErrNoRows):
		h.Set("last_visited_at", "")
		h.Set("last_visited_by", "")
	default:
		return station.Internal(err, "last visit")
	}

	// The WeChat contact is derived from visits only when a visit made it;
	// a contact recorded some other way (the registry) is left alone.
	var newOnes []*core.Record
	err = tx.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.HashExp{"household": hid, "wechat_new": true}).All(&newOnes)
	if err != nil {
		return station.Internal(err, "wechat visits")
	}
	if h.GetString("wechat_contact") == "" || len(newOnes) > 0 {
		first := &core.Record{}
		err = tx.RecordQuery(Collection).WithContext(ctx).
			AndWhere(dbx.HashExp{"household": hid, "wechat_added": true}).
			OrderBy("visited_at ASC", "id ASC").Limit(1).One(first)
		firstID := ""
		switch {
		case err == nil:
			firstID = first.Id
			h.Set("wechat_contact", first.GetString("officer"))
			h.Set("wechat_added_at", first.GetDateTime("visited_at"))
		case errors.Is(err, sql.ErrNoRows):
			h.Set("wechat_contact", "")
			h.Set("wechat_added_at", "")
		default:
			return station.Internal(err, "first wechat visit")
		}
		flag := func(r *core.Record, on bool) error {
			if r.GetBool("wechat_new") == on {
				return nil
			}
			r.Set("wechat_new", on)
			return tx.SaveWithContext(ctx, r)
		}
		for _, r := range newOnes {
			if r.Id == firstID {
				continue
			}
			if r.Id == rec.Id {
				r = rec // keep the caller's copy in step
			}
			if err := flag(r, false); err != nil {
				return station.Internal(err, "clear wechat_new")
			}
		}
		if firstID != "" {
			target := first
			if firstID == rec.Id {
				target = rec
			}
			if err := flag(target, true); err != nil {
				return station.Internal(err, "set wechat_new")
			}
		}
	}
	if err := tx.SaveWithContext(ctx, h); err != nil {
		return station.Internal(err, "update household")
	}
	return nil
}

// Get returns a visit the officer may see: their own, or any visit of a
// household in their area.
func (s *Store) Get(ctx context.Context, o *station.Officer, id string) (*Visit, error) {
	nf := &station.Error{Code: station.ENotFound, Message: i18n.T("visit.not_found")}
	if !households.IDPattern.MatchString(id) {
		return nil, nf
	}
	rec, err := s.app.FindRecordById(Collection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nf
	}
	if err != nil {
		return nil, station.Internal(err, "find visit")
	}
	v := FromRecord(rec)
	if v.Officer == o.ID || o.IsChief() {
		return v, nil
	}
	if _, err := households.Get(ctx, s.app, o, v.Household); err != nil {
		return nil, nf
	}
	return v, nil
}

// ForHousehold lists a household's visits, newest first.
func (s *Store) ForHousehold(ctx context.Context, householdID string, limit int) ([]*Visit, error) {
	var recs []*core.Record
	err := s.app.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.HashExp{"household": householdID}).
		OrderBy("visited_at DESC").Limit(int64(limit)).All(&recs)
	if err != nil {
		return nil, station.Internal(err, "household visits")
	}
	return fromRecords(recs), nil
}

// ForOfficer lists an officer's visits with visited_at in [from, to),
// oldest first.
func (s *Store) ForOfficer(ctx context.Context, officerID string, from, to time.Time) ([]*Visit, error) {
	var recs []*core.Record
	err := s.app.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.HashExp{"officer": officerID}).
		AndWhere(dbx.NewExp("visited_at >= {:from} AND visited_at < {:to}", dbx.Params{"from": dbTime(from), "to": dbTime(to)})).
		OrderBy("visited_at ASC", "id ASC").All(&recs)
	if err != nil {
		return nil, station.Internal(err, "officer visits")
	}
	return fromRecords(recs), nil
}

func fromRecords(recs []*core.Record) []*Visit {
	out := make([]*Visit, len(recs))
	for i, r := range recs {
		out[i] = FromRecord(r)
	}
	return out
}

// dbTime formats t as PocketBase stores dates, for range comparisons.
func dbTime(t time.Time) string {
	d, _ := types.ParseDateTime(t.UTC())
	return d.String()
}
