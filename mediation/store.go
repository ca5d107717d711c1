package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// Store reads and writes the mediation log within an officer's scope: the
// deputy chief sees every dispute, an officer those of their communities
// and those they lead. It is the only code that touches the mediation
// collections; the hooks keep the data's own rules whoever writes.
type Store struct {
	app core.App
}

// NewStore returns the mediation store of app.
func NewStore(app core.App) *Store { return &Store{app: app} }

type clockKey struct{}

// AsOf returns ctx under which the mediation log records what is saved as
// happening at t, not now: its history's times and the checks against
// "the future". The demo backfills a year of cases with it, as an import
// of the room's paper records would; no request can set it.
func AsOf(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, clockKey{}, t)
}

// nowFrom is the time of ctx (see AsOf), else the clock's.
func nowFrom(ctx context.Context) time.Time {
	if t, ok := ctx.Value(clockKey{}).(time.Time); ok {
		return t
	}
	return time.Now()
}

func notFound() error {
	return &station.Error{Code: station.ENotFound, Message: i18n.T("dispute.not_found")}
}

// Input is what the dispute form (or a caller of the store) says of a
// case, as typed: phones as people write them.
type Input struct {
	Room       string    `json:"room"`
	Community  string    `json:"community"`
	Household  string    `json:"household"`
	Category   string    `json:"category"`
	Summary    string    `json:"summary"`
	Parties    []Party   `json:"parties"`
	Source     string    `json:"source"`
	Visit      string    `json:"visit"`
	Report     string    `json:"report"`
	Officer    string    `json:"officer"` // the lead; empty is the signed-in officer
	Mediators  []string  `json:"mediators"`
	OpenedAt   time.Time `json:"opened_at"`
	FollowUpAt time.Time `json:"follow_up_at"`
}

// InputOf is the form input that describes d as it is.
func InputOf(d *Dispute) Input {
	return Input{
		Room: d.Room, Community: d.Community, Household: d.Household, Category: d.Category, Summary: d.Summary,
		Parties: slices.Clone(d.Parties), Source: d.Source, Visit: d.Visit, Report: d.Report, Officer: d.Officer,
		Mediators: slices.Clone(d.Mediators), OpenedAt: d.OpenedAt, FollowUpAt: d.FollowUpAt,
	}
}

func (in Input) apply(d *Dispute) {
	d.Room, d.Community, d.Household, d.Category = strings.TrimSpace(in.Room), strings.TrimSpace(in.Community), strings.TrimSpace(in.Household), in.Category
	d.Summary, d.Parties, d.Source = in.Summary, slices.Clone(in.Parties), in.Source
	d.Visit, d.Report, d.Officer = strings.TrimSpace(in.Visit), strings.TrimSpace(in.Report), strings.TrimSpace(in.Officer)
	d.Mediators, d.OpenedAt, d.FollowUpAt = slices.Clone(in.Mediators), in.OpenedAt, in.FollowUpAt
}

// Taken is the conflict of opening a second dispute from the same visit or
// patrol report: Dispute is the first.
type Taken struct{ Dispute *Dispute }

func (t *Taken) Error() string { return "a dispute was opened from this already: " + t.Dispute.Number }

// TakenBy returns the dispute err says was opened from the same source.
func TakenBy(err error) *Dispute {
	var t *Taken
	if errors.As(err, &t) {
		return t.Dispute
	}
	return nil
}

// Get returns a dispute the officer may see; one outside their scope is
// "not found", exactly like one that does not exist.
func (s *Store) Get(ctx context.Context, o *station.Officer, id string) (*Dispute, error) {
	return get(ctx, s.app, o, id)
}

func get(ctx context.Context, app core.App, o *station.Officer, id string) (*Dispute, error) {
	rec, err := findDispute(ctx, app, o, id)
	if err != nil {
		return nil, err
	}
	return FromRecord(rec), nil
}

func findDispute(_ context.Context, app core.App, o *station.Officer, id string) (*core.Record, error) {
	if !idPattern(id) {
		return nil, notFound()
	}
	rec, err := app.FindRecordById(Collection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, station.Internal(err, "find dispute")
	}
	if !CanSee(o, FromRecord(rec)) {
		return nil, notFound()
	}
	return rec, nil
}

// scope narrows a query over disputes to what o may see.
func scope(o *station.Officer) dbx.Expression {
	if o.IsChief() {
		return nil
	}
	lead := dbx.HashExp{Collection + ".officer": o.ID}
	if len(o.Communities) == 0 {
		return lead
	}
	ids := make([]any, len(o.Communities))
	for i, c := range o.Communities {
		ids[i] = c
	}
	return dbx.Or(lead, dbx.In(Collection+".community", ids...))
}

// Create opens a dispute. The lead is the signed-in officer unless the
// input names another; an officer may open one only where they would see
// it (their communities, or a case they lead). The hooks number it.
func (s *Store) Create(ctx context.Context, o *station.Officer, in Input) (*Dispute, error) {
	var out *Dispute
	err := s.app.RunInTransaction(func(tx core.App) error {
		d := &Dispute{Status: StatusOpen}
		in.apply(d)
		if d.Officer == "" {
			d.Officer = o.ID
		}
		if err := s.validate(ctx, tx, o, d, nil); err != nil {
			return err
		}
		coll, err := tx.FindCachedCollectionByNameOrId(Collection)
		if err != nil {
			return station.Internal(err, "disputes collection")
		}
		rec := core.NewRecord(coll)
		write(rec, d)
		if err := tx.SaveWithContext(station.WithOfficer(ctx, o), rec); err != nil {
			return station.SaveError(err, "save dispute")
		}
		out = FromRecord(rec)
		return nil
	})
	return out, err
}

// validate checks d as o would save it: the data's rules, o's scope, and
// one dispute per visit or report. was is the stored case of an edit.
func (s *Store) validate(ctx context.Context, tx core.App, o *station.Officer, d *Dispute, was *Dispute) error {
	p := station.Problems{}
	leadChanged := was == nil || was.Officer != d.Officer
	refs := txRefs{ctx, tx}
	householdsInArea(refs, o, d, was, p)
	check(d, refs, nowFrom(ctx), location(tx), leadChanged, p)
	if d.Community != "" && !CanSee(o, d) {
		p.Add("community", "out_of_area")
	}
	if err := p.Err(); err != nil {
		return err
	}
	for field, id := range map[string]string{"visit": d.Visit, "report": d.Report} {
		if id == "" || (was != nil && ((field == "visit" && was.Visit == id) || (field == "report" && was.Report == id))) {
			continue
		}
		other := &core.Record{}
		err := tx.RecordQuery(Collection).WithContext(ctx).AndWhere(dbx.HashExp{field: id}).Limit(1).One(other)
		switch {
		case err == nil:
			t := FromRecord(other)
			return &station.Error{Code: station.EConflict, Message: i18n.T("dispute.taken", t.Number), Err: &Taken{Dispute: t}}
		case !errors.Is(err, sql.ErrNoRows):
			return station.Internal(err, "find dispute by source")
		}
	}
	return nil
}

// householdsInArea refuses a household the case names anew, its own or
// a party's, outside o's area: the case page shows their addresses, so an
// officer leading a case in another community (or quoting an id from
// another area) would read addresses they may not see. A household
// already on the case (the deputy chief named it) stays when the lead
// edits it.
func householdsInArea(r refs, o *station.Officer, d, was *Dispute, p station.Problems) {
	if o.IsChief() {
		return
	}
	named := map[string]bool{}
	if was != nil {
		named[was.Household] = true
		for _, x := range was.Parties {
			named[x.Household] = true
		}
	}
	inArea := func(id string) bool {
		id = strings.TrimSpace(id)
		if id == "" || named[id] {
			return true
		}
		c, ok := r.householdCommunity(id)
		return !ok || o.CoversCommunity(c) // a missing household is check's to report
	}
	// (A household of another community than the case's is check's to
	// refuse.)
	if c, ok := r.householdCommunity(strings.TrimSpace(d.Household)); ok && c == d.Community && !inArea(d.Household) {
		p.Add("household", "out_of_area")
	}
	for i, x := range d.Parties {
		if !inArea(x.Household) {
			p.Add(fmt.Sprintf("parties.%d.household", i), "out_of_area")
			p.Add("parties", "out_of_area")
		}
	}
}

// Update edits an open dispute. A closed case cannot be edited; reopen it
// first.
func (s *Store) Update(ctx context.Context, o *station.Officer, id string, in Input) (*Dispute, error) {
	return s.change(ctx, o, id, func(tx core.App, rec *core.Record, was *Dispute) error {
		if was.Closed() {
			return closedConflict()
		}
		d := FromRecord(rec)
		in.apply(d)
		if d.Officer == "" {
			d.Officer = was.Officer
		}
		if err := s.validate(ctx, tx, o, d, was); err != nil {
			return err
		}
		write(rec, d)
		return nil
	})
}

func closedConflict() error {
	return &station.Error{Code: station.EConflict, Message: i18n.T("dispute.closed_locked")}
}

// change loads a dispute o may see, lets edit change the record and saves
// it, all in one transaction.
func (s *Store) change(ctx context.Context, o *station.Officer, id string, edit func(tx core.App, rec *core.Record, was *Dispute) error) (*Dispute, error) {
	var out *Dispute
	err := s.app.RunInTransaction(func(tx core.App) error {
		rec, err := findDispute(ctx, tx, o, id)
		if err != nil {
			return err
		}
		if err := edit(tx, rec, FromRecord(rec)); err != nil {
			return err
		}
		if err := tx.SaveWithContext(station.WithOfficer(ctx, o), rec); err != nil {
			return station.SaveError(err, "save dispute")
		}
		out = FromRecord(rec)
		return nil
	})
	return out, err
}

// CloseInput is how a case ends: its status, what was agreed or why not,
// whether the agreement was signed, the day, and when to follow up.
type CloseInput struct {
	Status          string
	Outcome         string
	AgreementSigned bool
	ClosedAt        time.Time // zero is now
	FollowUpAt      time.Time
}

// Close closes an open case. An outcome is required (the hooks say so on
// every write path).
func (s *Store) Close(ctx context.Context, o *station.Officer, id string, in CloseInput) (*Dispute, error) {
	return s.change(ctx, o, id, func(tx core.App, rec *core.Record, was *Dispute) error {
		if was.Closed() {
			return closedConflict()
		}
		if !slices.Contains(ClosedStatuses, in.Status) {
			p := station.Problems{}
			p.Add("status", "choice")
			return p.Err()
		}
		rec.Set("status", in.Status)
		rec.Set("outcome", in.Outcome)
		rec.Set("agreement_signed", in.AgreementSigned)
		setTime(rec, "closed_at", in.ClosedAt)
		setTime(rec, "follow_up_at", in.FollowUpAt)
		return nil
	})
}

// Reopen reopens a closed case with a reason, which the history keeps
// with the outcome that stood. Only its lead and the deputy chief may.
func (s *Store) Reopen(ctx context.Context, o *station.Officer, id, reason string) (*Dispute, error) {
	return s.change(ctx, o, id, func(tx core.App, rec *core.Record, was *Dispute) error {
		if !was.Closed() {
			return &station.Error{Code: station.EConflict, Message: i18n.T("dispute.not_closed")}
		}
		if !o.IsChief() && was.Officer != o.ID {
			return &station.Error{Code: station.EForbidden, Message: i18n.T("dispute.reopen_forbidden")}
		}
		rec.Set("status", StatusOpen)
		rec.Set("reopen_reason", reason)
		return nil
	})
}

// MarkSigned records that the parties signed the printed agreement of a
// settled case: the one change a closed case takes.
func (s *Store) MarkSigned(ctx context.Context, o *station.Officer, id string) (*Dispute, error) {
	return s.change(ctx, o, id, func(tx core.App, rec *core.Record, was *Dispute) error {
		if was.Status != StatusSettled {
			return &station.Error{Code: station.EConflict, Message: i18n.T("dispute.sign_needs_settled")}
		}
		rec.Set("agreement_signed", true)
		return nil
	})
}

// SessionInput is one sitting as the form says it.
type SessionInput struct {
	At        time.Time
	Mediators []string
	Notes     string
	NextStep  string
}

// AddSession records a sitting of an open case.
func (s *Store) AddSession(ctx context.Context, o *station.Officer, id string, in SessionInput) (*Session, error) {
	var out *Session
	err := s.app.RunInTransaction(func(tx core.App) error {
		drec, err := findDispute(ctx, tx, o, id)
		if err != nil {
			return err
		}
		d := FromRecord(drec)
		if d.Closed() {
			return closedConflict()
		}
		sess := &Session{Dispute: id, At: in.At, Mediators: slices.Clone(in.Mediators), Notes: in.Notes, NextStep: in.NextStep}
		p := station.Problems{}
		checkSession(sess, d, txRefs{ctx, tx}, nowFrom(ctx), location(tx), p)
		if err := p.Err(); err != nil {
			return err
		}
		coll, err := tx.FindCachedCollectionByNameOrId(SessionsCollection)
		if err != nil {
			return station.Internal(err, "sessions collection")
		}
		rec := core.NewRecord(coll)
		rec.Set("dispute", id)
		rec.Set("at", sess.At.UTC())
		rec.Set("mediators", sess.Mediators)
		rec.Set("notes", sess.Notes)
		rec.Set("next_step", sess.NextStep)
		if err := tx.SaveWithContext(station.WithOfficer(ctx, o), rec); err != nil {
			return station.SaveError(err, "save session")
		}
		out = sessionFromRecord(rec)
		return nil
	})
	return out, err
}

// Sessions lists a dispute's sittings, oldest first. The caller has
// checked the dispute is one the officer may see.
func (s *Store) Sessions(ctx context.Context, disputeID string) ([]*Session, error) {
	var recs []*core.Record
	err := s.app.RecordQuery(SessionsCollection).WithContext(ctx).
		AndWhere(dbx.HashExp{"dispute": disputeID}).OrderBy("at ASC", "created ASC").All(&recs)
	if err != nil {
		return nil, station.Internal(err, "dispute sessions")
	}
	out := make([]*Session, len(recs))
	for i, r := range recs {
		out[i] = sessionFromRecord(r)
	}
	return out, nil
}

// History lists a dispute's events in the order they were recorded. An
// event's At is when it happened: for a follow-up visit recorded offline,
// the visit's time, which may be before the events recorded meanwhile.
func (s *Store) History(ctx context.Context, disputeID string) ([]*Event, error) {
	var recs []*core.Record
	err := s.app.RecordQuery(EventsCollection).WithContext(ctx).
		AndWhere(dbx.HashExp{"dispute": disputeID}).OrderBy("created ASC", "at ASC").All(&recs)
	if err != nil {
		return nil, station.Internal(err, "dispute history")
	}
	out := make([]*Event, len(recs))
	for i, r := range recs {
		out[i] = eventFromRecord(r)
	}
	return out, nil
}

// BySource returns the dispute opened from a visit or a patrol report
// (field "visit" or "report"), if o may see it; nil if there is none.
func (s *Store) BySource(ctx context.Context, o *station.Officer, field, id string) (*Dispute, error) {
	if (field != "visit" && field != "report") || !idPattern(id) {
		return nil, nil
	}
	rec := &core.Record{}
	err := s.app.RecordQuery(Collection).WithContext(ctx).AndWhere(dbx.HashExp{field: id}).Limit(1).One(rec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, station.Internal(err, "find dispute by source")
	}
	d := FromRecord(rec)
	if !CanSee(o, d) {
		return nil, nil
	}
	return d, nil
}

// ForHousehold lists the disputes a household is part of (as the case's
// household or a party's) that o may see, newest first.
func (s *Store) ForHousehold(ctx context.Context, o *station.Officer, householdID string) ([]*Dispute, error) {
	if !idPattern(householdID) {
		return nil, nil
	}
	var recs []*core.Record
	q := s.app.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.Or(dbx.HashExp{"household": householdID}, dbx.Like("parties", `"household":"`+householdID+`"`)))
	if sc := scope(o); sc != nil {
		q = q.AndWhere(sc)
	}
	if err := q.OrderBy("opened_at DESC").Limit(100).All(&recs); err != nil {
		return nil, station.Internal(err, "household disputes")
	}
	return fromRecords(recs), nil
}

func fromRecords(recs []*core.Record) []*Dispute {
	out := make([]*Dispute, len(recs))
	for i, r := range recs {
		out[i] = FromRecord(r)
	}
	return out
}

// Query is a search of the mediation log.
type Query struct {
	Status    string // one status, or "closed" for every closed one
	Room      string
	Category  string
	Officer   string // the lead
	Community string
	// Overdue keeps cases whose follow-up day has passed without one.
	Overdue       bool
	Text          string // a number, or words of the summary or a party's name
	Limit, Offset int
	Now           time.Time
}

// ListResult is one page of a search.
type ListResult struct {
	Items []*Dispute
	Total int
}

// List searches the disputes o may see, newest first.
func (s *Store) List(ctx context.Context, o *station.Officer, q Query) (ListResult, error) {
	var res ListResult
	conds := []dbx.Expression{}
	if sc := scope(o); sc != nil {
		conds = append(conds, sc)
	}
	switch {
	case q.Status == "closed":
		conds = append(conds, dbx.Not(dbx.HashExp{"status": StatusOpen}))
	case slices.Contains(Statuses, q.Status):
		conds = append(conds, dbx.HashExp{"status": q.Status})
	}
	for field, v := range map[string]string{"room": q.Room, "category": q.Category, "officer": q.Officer, "community": q.Community} {
		if v != "" {
			conds = append(conds, dbx.HashExp{Collection + "." + field: v})
		}
	}
	if q.Overdue {
		if q.Now.IsZero() {
			q.Now = nowFrom(ctx)
		}
		today := dayOf(q.Now, location(s.app))
		conds = append(conds, dbx.HashExp{"follow_up_pending": true},
			dbx.NewExp("follow_up_at < {:today}", dbx.Params{"today": station.DBTime(today)}))
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		conds = append(conds, dbx.Or(
			dbx.Like("number", t), dbx.Like("summary", t), dbx.Like("parties", t),
		))
	}
	where := dbx.And(conds...)
	var n int
	if err := s.app.DB().Select("COUNT(*)").From(Collection).Where(where).WithContext(ctx).Row(&n); err != nil {
		return res, station.Internal(err, "count disputes")
	}
	res.Total = n
	var recs []*core.Record
	qq := s.app.RecordQuery(Collection).WithContext(ctx).Where(where).OrderBy("opened_at DESC", "seq DESC")
	if q.Limit > 0 {
		qq = qq.Limit(int64(q.Limit)).Offset(int64(q.Offset))
	}
	if err := qq.All(&recs); err != nil {
		return res, station.Internal(err, "list disputes")
	}
	res.Items = fromRecords(recs)
	return res, nil
}

// Rooms lists the mediation rooms, the station's own first.
func (s *Store) Rooms(ctx context.Context) ([]Room, error) {
	var recs []*core.Record
	if err := s.app.RecordQuery(RoomsCollection).WithContext(ctx).OrderBy("name ASC").All(&recs); err != nil {
		return nil, station.Internal(err, "mediation rooms")
	}
	out := make([]Room, len(recs))
	for i, r := range recs {
		out[i] = Room{ID: r.Id, Name: r.GetString("name"), Community: r.GetString("community")}
	}
	slices.SortStableFunc(out, func(a, b Room) int {
		switch {
		case a.Community == "" && b.Community != "":
			return -1
		case a.Community != "" && b.Community == "":
			return 1
		}
		return 0
	})
	return out, nil
}

// DefaultRoom is the room a new case of community goes to: the
// community's own room if it has one, else the station's.
func DefaultRoom(rooms []Room, community string) string {
	for _, r := range rooms {
		if community != "" && r.Community == community {
			return r.ID
		}
	}
	for _, r := range rooms {
		if r.Community == "" {
			return r.ID
		}
	}
	if len(rooms) > 0 {
		return rooms[0].ID
	}
	return ""
}

// SaveRoom creates (id "") or renames a room. Deputy chief only.
func (s *Store) SaveRoom(ctx context.Context, o *station.Officer, id string, in Room) (*Room, error) {
	if !o.IsChief() {
		return nil, &station.Error{Code: station.EForbidden, Message: i18n.T("error.forbidden")}
	}
	var rec *core.Record
	if id == "" {
		coll, err := s.app.FindCachedCollectionByNameOrId(RoomsCollection)
		if err != nil {
			return nil, station.Internal(err, "rooms collection")
		}
		rec = core.NewRecord(coll)
	} else {
		var err error
		if rec, err = s.app.FindRecordById(RoomsCollection, id); err != nil {
			return nil, &station.Error{Code: station.ENotFound, Message: i18n.T("mediation.room_not_found")}
		}
	}
	rec.Set("name", in.Name)
	rec.Set("community", strings.TrimSpace(in.Community))
	if err := s.app.SaveWithContext(station.WithOfficer(ctx, o), rec); err != nil {
		return nil, station.SaveError(err, "save room")
	}
	return &Room{ID: rec.Id, Name: rec.GetString("name"), Community: rec.GetString("community")}, nil
}

// Mediators lists the roster by kind and name; inactive ones only with
// all set.
func (s *Store) Mediators(ctx context.Context, all bool) ([]*Mediator, error) {
	var recs []*core.Record
	q := s.app.RecordQuery(MediatorsCollection).WithContext(ctx).OrderBy("kind ASC", "name ASC")
	if !all {
		q = q.AndWhere(dbx.HashExp{"active": true})
	}
	if err := q.All(&recs); err != nil {
		return nil, station.Internal(err, "mediators")
	}
	out := make([]*Mediator, len(recs))
	for i, r := range recs {
		out[i] = mediatorFromRecord(r)
	}
	slices.SortStableFunc(out, func(a, b *Mediator) int {
		return slices.Index(MediatorKinds, a.Kind) - slices.Index(MediatorKinds, b.Kind)
	})
	return out, nil
}

// GetMediator returns one name of the roster.
func (s *Store) GetMediator(ctx context.Context, id string) (*Mediator, error) {
	if !idPattern(id) {
		return nil, &station.Error{Code: station.ENotFound, Message: i18n.T("mediator.not_found")}
	}
	rec, err := s.app.FindRecordById(MediatorsCollection, id)
	if err != nil {
		return nil, &station.Error{Code: station.ENotFound, Message: i18n.T("mediator.not_found")}
	}
	return mediatorFromRecord(rec), nil
}

// SaveMediator adds (id "") or edits a name of the roster. Deputy chief
// only: the roster is the station's.
func (s *Store) SaveMediator(ctx context.Context, o *station.Officer, id string, in Mediator) (*Mediator, error) {
	if !o.IsChief() {
		return nil, &station.Error{Code: station.EForbidden, Message: i18n.T("error.forbidden")}
	}
	var rec *core.Record
	if id == "" {
		coll, err := s.app.FindCachedCollectionByNameOrId(MediatorsCollection)
		if err != nil {
			return nil, station.Internal(err, "mediators collection")
		}
		rec = core.NewRecord(coll)
	} else {
		var err error
		if rec, err = s.app.FindRecordById(MediatorsCollection, id); err != nil {
			return nil, &station.Error{Code: station.ENotFound, Message: i18n.T("mediator.not_found")}
		}
	}
	m := in
	p := station.Problems{}
	m.check(txRefs{ctx, s.app}, p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	m.write(rec)
	if err := s.app.SaveWithContext(station.WithOfficer(ctx, o), rec); err != nil {
		return nil, station.SaveError(err, "save mediator")
	}
	return mediatorFromRecord(rec), nil
}

// Place is a community by name.
type Place struct {
	ID, Name string
}

// Communities lists the station's communities by name; with o, only those
// in o's area.
func (s *Store) Communities(ctx context.Context, o *station.Officer) ([]Place, error) {
	var recs []*core.Record
	if err := s.app.RecordQuery("communities").WithContext(ctx).OrderBy("name ASC").All(&recs); err != nil {
		return nil, station.Internal(err, "communities")
	}
	var out []Place
	for _, r := range recs {
		if o == nil || o.CoversCommunity(r.Id) {
			out = append(out, Place{r.Id, r.GetString("name")})
		}
	}
	return out, nil
}

// OfficerOption is an officer who may lead a case.
type OfficerOption struct {
	ID, Name, Badge string
	Active          bool
}

// Officers lists the station's officers by badge, for the lead picker and
// the list's filter.
func (s *Store) Officers(ctx context.Context) ([]OfficerOption, error) {
	var recs []*core.Record
	if err := s.app.RecordQuery("officers").WithContext(ctx).OrderBy("badge ASC").All(&recs); err != nil {
		return nil, station.Internal(err, "officers")
	}
	out := make([]OfficerOption, len(recs))
	for i, r := range recs {
		out[i] = OfficerOption{r.Id, r.GetString("name"), r.GetString("badge"), r.GetBool("active")}
	}
	return out, nil
}

// VisitFacts is what a dispute opened from a visit takes from it; the
// visit log fills it (mediation does not read visits).
type VisitFacts struct {
	ID        string
	Household string
	Officer   string
	Notes     string
	Concerns  []string
	VisitedAt time.Time
}

// ReportFacts is what a dispute opened from a patrol report (巡防发现)
// takes from it; the patrols feature fills it.
type ReportFacts struct {
	ID          string
	Community   string
	Household   string
	Description string
}

// Prefill is the new-dispute form filled from what the officer opened it
// from: a visit (household, community, the head of household as the
// applicant, the visit's notes as the summary), a patrol report, or a
// household. Any of them may be nil.
func (s *Store) Prefill(ctx context.Context, o *station.Officer, v *VisitFacts, r *ReportFacts, householdID string) (Input, error) {
	in := Input{Source: SourceWalkIn, Officer: o.ID, Parties: []Party{{Role: RoleApplicant}, {Role: RoleRespondent}}}
	switch {
	case v != nil:
		in.Source, in.Visit, in.Summary, householdID = SourceVisit, v.ID, strings.TrimSpace(v.Notes), v.Household
	case r != nil:
		in.Source, in.Report, in.Summary, in.Community = SourcePatrol, r.ID, strings.TrimSpace(r.Description), r.Community
		if householdID == "" {
			householdID = r.Household
		}
	}
	if householdID != "" {
		h, err := households.Get(ctx, s.app, o, householdID)
		if err != nil {
			return in, err
		}
		in.Household, in.Community = h.ID, h.Community
		applicant := Party{Name: h.HeadName, Role: RoleApplicant, Household: h.ID}
		if len(h.Phones) > 0 {
			applicant.Phone = station.DisplayPhone(h.Phones[0])
		}
		in.Parties[0] = applicant
	}
	if in.Community == "" && len(o.Communities) > 0 {
		in.Community = o.Communities[0]
	}
	rooms, err := s.Rooms(ctx)
	if err != nil {
		return in, err
	}
	in.Room = DefaultRoom(rooms, in.Community)
	return in, nil
}
