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
	"zoufang/watches"
)

// Save statuses: what a save did, as the sync protocol names it.
const (
	StatusCreated = "created"
	StatusExists  = "exists"  // a retry of what is stored: nothing to do
	StatusUpdated = "updated" // an edit within the edit window
)

// Store reads and writes visits.
type Store struct {
	app      core.App
	registry *households.Store // optional: the coverage review counts from its search index
}

// NewStore returns the visits store of app.
func NewStore(app core.App) *Store { return &Store{app: app} }

// WithRegistry has the coverage review count households from the
// registry's in-memory search index rather than a pass over the table.
func (s *Store) WithRegistry(r *households.Store) *Store {
	s.registry = r
	return s
}

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

// save is Save, with what the caller already knows of in.ID.
func save(ctx context.Context, tx core.App, o *station.Officer, in Input, now time.Time, known *IDFacts) (*Visit, string, error) {
	var existing *core.Record
	if (known == nil || known.Stored) && in.ID != "" && households.IDPattern.MatchString(in.ID) {
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
	hrec := inArea(tx, o, v, p)
	if hrec != nil {
		checkRefs(tx, v, hrec, p)
	}
	// A QR token's id is its officer's: a visit under another officer's
	// token would show that officer to the resident who confirms it.
	foreign := known != nil && known.ForeignToken
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
	write(rec, v)
	rec.Set("officer", o.ID)
	rec.Set("received_at", now.UTC())
	// The store has checked every rule the hooks and PocketBase's
	// validation would (it says so through the context, with the household
	// it loaded); the hooks settle the household in this transaction.
	if err := tx.SaveNoValidateWithContext(withChecked(ctx, hrec), rec); err != nil {
		return nil, "", station.SaveError(err, "save visit")
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
	if cur.ResidentAnswer != "" {
		return nil, "", &station.Error{Code: station.EConflict, Message: i18n.T("visit.answered"), Err: &Closed{Current: cur}}
	}
	if !cur.Editable(now) {
		return nil, "", &station.Error{Code: station.EConflict, Message: i18n.T("visit.closed"), Err: &Closed{Current: cur}}
	}
	delete(p, "visited_at") // the visit is stored; its age no longer matters
	if v.VisitedAt.IsZero() {
		p.Add("visited_at", "required")
	} else if v.VisitedAt.After(now.Add(ClockSkew)) {
		p.Add("visited_at", "future")
	}
	if v.Household != cur.Household {
		p.Add("household", "immutable")
	}
	if hrec := inArea(tx, o, v, p); hrec != nil {
		checkRefs(tx, v, hrec, p)
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	write(rec, v)
	// The hooks re-settle the household (last visit, first WeChat contact).
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, "", station.SaveError(err, "update visit")
	}
	return FromRecord(rec), StatusUpdated, nil
}

// inArea returns the visit's household if it is one the officer may
// visit, else notes why not. A community the officer handed over (交接) is
// still theirs for what they did there before the handover (a visit
// recorded offline that syncs afterwards); after it, the visit is refused
// saying when and to whom.
func inArea(tx core.App, o *station.Officer, v *Visit, p station.Problems) *core.Record {
	if v.Household == "" {
		return nil
	}
	h, err := station.FindRecord(tx, households.Collection, v.Household)
	if err != nil {
		p.Add("household", "out_of_area")
		return nil
	}
	c := h.GetString("community")
	if o.CoversCommunity(c) {
		return h
	}
	if a, ok := o.HandedOver(c); ok {
		if v.VisitedAt.Before(a.Until) {
			return h
		}
		p.Add("household", "handed_over", a.Until.In(station.DefaultSettings().Location()).Format("2006-01-02 15:04"), a.To)
		return nil
	}
	p.Add("household", "out_of_area")
	return nil
}

// checkRefs is the rule every visit keeps with what it points at: its
// household is not archived, and a holiday check's watch is of that
// household.
func checkRefs(tx core.App, v *Visit, h *core.Record, p station.Problems) {
	if h.GetBool("archived") {
		p.Add("household", "household_archived")
	}
	if v.Watch != "" {
		w, err := tx.FindRecordById("holiday_watches", v.Watch)
		if err != nil || w.GetString("household") != v.Household {
			p.Add("watch", "watch_mismatch")
		}
	}
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
	rec.Set("check_result", v.CheckResult)
	rec.Set("dispute", v.Dispute)
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
		AndWhere(dbx.NewExp("visited_at >= {:from} AND visited_at < {:to}", dbx.Params{"from": station.DBTime(from), "to": station.DBTime(to)})).
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

// ChecksOf lists the holiday checks of each watch, newest first, with the
// officer who made them (the watches pages and the resident's summary).
func (s *Store) ChecksOf(ctx context.Context, watchIDs []string) (map[string][]watches.Check, error) {
	out := map[string][]watches.Check{}
	if len(watchIDs) == 0 {
		return out, nil
	}
	ids := make([]any, len(watchIDs))
	for i, id := range watchIDs {
		ids[i] = id
	}
	var rows []struct {
		ID        string `db:"id"`
		Watch     string `db:"watch"`
		Household string `db:"household"`
		At        string `db:"visited_at"`
		Result    string `db:"check_result"`
		Outcome   string `db:"outcome"`
		Notes     string `db:"notes"`
		Name      string `db:"name"`
		Badge     string `db:"badge"`
	}
	err := s.app.DB().Select("v.id", "v.watch", "v.household", "v.visited_at", "v.check_result", "v.outcome", "v.notes",
		"COALESCE(o.name, '') AS name", "COALESCE(o.badge, '') AS badge").
		From(Collection+" v").LeftJoin("officers o", dbx.NewExp("o.id = v.officer")).
		Where(dbx.In("v.watch", ids...)).AndWhere(dbx.HashExp{"v.kind": KindHolidayCheck}).
		OrderBy("v.visited_at DESC").WithContext(ctx).All(&rows)
	if err != nil {
		return nil, station.Internal(err, "watch checks")
	}
	for _, r := range rows {
		at, _ := types.ParseDateTime(r.At)
		out[r.Watch] = append(out[r.Watch], watches.Check{Visit: r.ID, At: at.Time(), Officer: r.Name, Badge: r.Badge,
			Result: r.Result, Outcome: r.Outcome, Notes: r.Notes, Household: r.Household})
	}
	return out, nil
}
