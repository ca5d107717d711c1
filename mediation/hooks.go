package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/station"
)

// visitsCollection is the visit log's collection: a follow-up visit (回访)
// names the dispute it follows up, and the dispute's history hears of it.
const visitsCollection = "visits"

// visitKindFollowUp is the visit log's kind of a follow-up visit.
const visitKindFollowUp = "follow_up"

// Event kinds of a dispute's history.
const (
	EventOpened   = "opened"
	EventEdited   = "edited"
	EventSession  = "session"
	EventClosed   = "closed"
	EventReopened = "reopened"
	EventSigned   = "signed"
	EventFollowUp = "follow_up"
	EventHandover = "handover"
)

// BindHooks makes the mediation log's rules hold on every write path: the
// office pages (through the store), and a superuser's writes through the
// REST API or the admin UI. Whoever saves a dispute, the server numbers it
// (2026-0143, in the save's transaction), normalises its parties' phones
// to E.164, requires someone on each side, an outcome to close and a
// reason to reopen, refuses edits to a closed case, keeps its follow-up
// state and writes its history. Sessions are refused on a closed case;
// mediators' phones are E.164; a follow-up visit must name a dispute its
// officer may see, and its dispute learns of it.
func BindHooks(app core.App) {
	app.OnRecordCreate(Collection).BindFunc(onDisputeCreate)
	app.OnRecordUpdate(Collection).BindFunc(onDisputeUpdate)
	app.OnRecordCreate(SessionsCollection).BindFunc(onSessionSave)
	app.OnRecordUpdate(SessionsCollection).BindFunc(onSessionSave)
	app.OnRecordCreate(MediatorsCollection).BindFunc(onMediatorSave)
	app.OnRecordUpdate(MediatorsCollection).BindFunc(onMediatorSave)
	app.OnRecordCreate(RoomsCollection).BindFunc(onRoomSave)
	app.OnRecordUpdate(RoomsCollection).BindFunc(onRoomSave)
	app.OnRecordCreate(visitsCollection).BindFunc(onVisitSave)
	app.OnRecordUpdate(visitsCollection).BindFunc(onVisitSave)
	app.OnRecordDelete(visitsCollection).BindFunc(onVisitDelete)
}

// txRefs looks references up in the save's transaction.
type txRefs struct {
	ctx context.Context
	tx  core.App
}

func (r txRefs) exists(collection, id string) bool {
	if !idPattern(id) {
		return false
	}
	_, err := r.tx.FindRecordById(collection, id)
	return err == nil
}

func (r txRefs) roomExists(id string) bool      { return r.exists(RoomsCollection, id) }
func (r txRefs) communityExists(id string) bool { return r.exists("communities", id) }
func (r txRefs) mediatorExists(id string) bool  { return r.exists(MediatorsCollection, id) }

func (r txRefs) householdCommunity(id string) (string, bool) {
	h, err := households.Get(r.ctx, r.tx, stationWide, id)
	if err != nil {
		return "", false
	}
	return h.Community, true
}

func (r txRefs) officerActive(id string) bool {
	if !idPattern(id) {
		return false
	}
	o, err := r.tx.FindRecordById("officers", id)
	return err == nil && o.GetBool("active")
}

// stationWide looks at records without an officer's area: the hooks guard
// the data's own rules; who may write where is the store's to check.
var stationWide = &station.Officer{Role: station.RoleDeputyChief}

// location is the station's zone, read in the transaction: the year a
// case is numbered in is the station's. Only the zone's name is read (the
// whole settings row took a tenth of a save), and zones are loaded once.
func location(tx core.App) *time.Location {
	var name string
	err := tx.DB().Select("timezone").From(station.SettingsCollection).OrderBy("created ASC").Limit(1).Row(&name)
	if err != nil || name == "" {
		return station.DefaultSettings().Location()
	}
	loc, err := station.LoadLocation(name)
	if err != nil {
		return station.DefaultSettings().Location()
	}
	return loc
}

// actor is the officer whose request made a change, "" for a superuser
// or the server itself.
func actor(ctx context.Context) string {
	if o := station.OfficerFrom(ctx); o != nil {
		return o.ID
	}
	return ""
}

// serverKey marks a save by the mediation package itself of what no
// person writes: the follow-up state after a follow-up visit, or the lead
// moved by a handover. Such a save skips the checks of a person's edit
// (it may touch a closed case) and records the change named, if any. From
// anyone else the follow-up state is kept as it was.
type serverKey struct{}

type serverChange struct {
	kind string // the event to record, "" for none
	note string
}

func withServerChange(ctx context.Context, kind, note string) context.Context {
	return context.WithValue(ctx, serverKey{}, serverChange{kind, note})
}

func onDisputeCreate(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		rec := e.Record
		now := nowFrom(e.Context)
		loc := location(tx)
		d := FromRecord(rec)
		p := station.Problems{}
		parties, err := readParties(rec.GetRaw("parties"))
		if err != nil {
			p.Add("parties", "parties_format")
		}
		d.Parties = parties
		d.FollowedUpAt = time.Time{}
		check(d, txRefs{e.Context, tx}, now, loc, true, p)
		if err := p.Err(); err != nil {
			return err
		}
		write(rec, d)
		setTime(rec, "followed_up_at", time.Time{})
		rec.Set("follow_up_pending", d.FollowUpPending)
		rec.Set("reopen_reason", "")
		year := d.OpenedAt.In(loc).Year()
		seq, err := nextNumber(tx, year)
		if err != nil {
			return station.Internal(err, "number dispute")
		}
		rec.Set("year", year)
		rec.Set("seq", seq)
		rec.Set("number", FormatNumber(year, seq))
		if err := e.Next(); err != nil {
			return err
		}
		by := actor(e.Context)
		if err := addEvent(tx, event{Dispute: rec.Id, At: now, Kind: EventOpened, Officer: by, Status: StatusOpen}); err != nil {
			return err
		}
		if d.Closed() {
			// Entered closed (a paper case typed in afterwards).
			return addEvent(tx, event{Dispute: rec.Id, At: now.Add(time.Millisecond), Kind: EventClosed, Officer: by, Status: d.Status, Note: d.Outcome})
		}
		return nil
	})
}

// nextNumber hands out the next number of year inside the caller's
// transaction. PocketBase runs one write transaction at a time, so two
// disputes created at once read and bump the counter one after the other;
// the unique indexes on number and (year, seq) are the backstop. A counter
// row that is missing (a database from before it) starts after the
// highest number in use.
func nextNumber(tx core.App, year int) (int, error) {
	var seq int
	err := tx.DB().NewQuery(`INSERT INTO ` + counterTable + ` (year, last)
		VALUES ({:year}, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ` + Collection + ` WHERE year = {:year}))
		ON CONFLICT (year) DO UPDATE SET last = last + 1
		RETURNING last`).Bind(dbx.Params{"year": year}).Row(&seq)
	if err != nil {
		return 0, fmt.Errorf("bump dispute counter: %w", err)
	}
	return seq, nil
}

func onDisputeUpdate(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		rec := e.Record
		orig := rec.Original()
		now := nowFrom(e.Context)
		loc := location(tx)
		// The number and the follow-up state are the server's.
		for _, f := range []string{"number", "year", "seq"} {
			rec.Set(f, orig.Get(f))
		}
		if sc, ok := e.Context.Value(serverKey{}).(serverChange); ok {
			rec.Set("follow_up_pending", followUpPending(FromRecord(rec)))
			if err := e.Next(); err != nil {
				return err
			}
			if sc.kind == "" {
				return nil
			}
			return addEvent(tx, event{Dispute: rec.Id, At: now, Kind: sc.kind, Officer: actor(e.Context), Status: rec.GetString("status"), Note: sc.note})
		}
		rec.Set("followed_up_at", orig.Get("followed_up_at"))
		reason := strings.TrimSpace(rec.GetString("reopen_reason"))
		rec.Set("reopen_reason", "")

		was := FromRecord(orig)
		d := FromRecord(rec)
		p := station.Problems{}
		parties, err := readParties(rec.GetRaw("parties"))
		if err != nil {
			p.Add("parties", "parties_format")
		}
		d.Parties = parties
		reopening := was.Closed() && d.Status == StatusOpen
		if reopening {
			// The outcome and agreement belonged to the closing being
			// undone; the history keeps them.
			d.Outcome, d.AgreementSigned, d.ClosedAt = "", false, time.Time{}
		}
		check(d, txRefs{e.Context, tx}, now, loc, d.Officer != was.Officer, p)
		changed := changedFields(was, d)

		by := actor(e.Context)
		var ev *event
		switch {
		case reopening:
			if extra := without(changed, "status", "closed_at", "outcome", "agreement_signed"); len(extra) > 0 {
				return closedError(extra[0])
			}
			if reason == "" {
				p.Add("reopen_reason", "required")
			} else if utf8.RuneCountInString(reason) > MaxReason {
				p.Add("reopen_reason", "too_long", MaxReason)
			}
			ev = &event{Kind: EventReopened, Status: StatusOpen, Note: reason}
		case was.Closed():
			if slices.Equal(changed, []string{"agreement_signed"}) && d.AgreementSigned && d.Status == StatusSettled {
				ev = &event{Kind: EventSigned, Status: d.Status}
			} else if len(changed) > 0 {
				return closedError(changed[0])
			}
		case d.Closed():
			ev = &event{Kind: EventClosed, Status: d.Status, Note: d.Outcome}
		case len(changed) > 0:
			ev = &event{Kind: EventEdited, Status: d.Status, Fields: changed}
		}
		if err := p.Err(); err != nil {
			return err
		}
		write(rec, d)
		d.FollowedUpAt = rec.GetDateTime("followed_up_at").Time()
		rec.Set("follow_up_pending", followUpPending(d))
		if err := e.Next(); err != nil {
			return err
		}
		if ev == nil {
			return nil
		}
		ev.Dispute, ev.At, ev.Officer = rec.Id, now, by
		return addEvent(tx, *ev)
	})
}

// closedError refuses a change to a closed case, under the field changed.
func closedError(field string) error {
	if strings.HasPrefix(field, "parties") {
		field = "parties"
	}
	p := station.Problems{}
	p.Add(field, "dispute_closed")
	p.Add("status", "dispute_closed")
	return p.Err()
}

func without(list []string, drop ...string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

// changedFields lists what a person changed between a and b, in the
// order of the form.
func changedFields(a, b *Dispute) []string {
	var out []string
	add := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	sameTime := func(x, y time.Time) bool { return x.Truncate(time.Millisecond).Equal(y.Truncate(time.Millisecond)) }
	add("room", a.Room == b.Room)
	add("community", a.Community == b.Community)
	add("household", a.Household == b.Household)
	add("category", a.Category == b.Category)
	add("summary", a.Summary == b.Summary)
	add("parties", slices.Equal(a.Parties, b.Parties))
	add("source", a.Source == b.Source)
	add("visit", a.Visit == b.Visit)
	add("report", a.Report == b.Report)
	add("officer", a.Officer == b.Officer)
	add("mediators", slices.Equal(a.Mediators, b.Mediators))
	add("status", a.Status == b.Status)
	add("opened_at", sameTime(a.OpenedAt, b.OpenedAt))
	add("closed_at", sameTime(a.ClosedAt, b.ClosedAt))
	add("outcome", a.Outcome == b.Outcome)
	add("agreement_signed", a.AgreementSigned == b.AgreementSigned)
	add("follow_up_at", sameTime(a.FollowUpAt, b.FollowUpAt))
	return out
}

// event is one entry of a dispute's history.
type event struct {
	Dispute string
	At      time.Time
	Kind    string
	Officer string
	Status  string
	Note    string
	Fields  []string
	Visit   string
	Session string
}

func addEvent(tx core.App, ev event) error {
	coll, err := tx.FindCachedCollectionByNameOrId(EventsCollection)
	if err != nil {
		return station.Internal(err, "dispute events collection")
	}
	rec := core.NewRecord(coll)
	rec.Set("dispute", ev.Dispute)
	rec.Set("at", ev.At.UTC())
	rec.Set("kind", ev.Kind)
	rec.Set("officer", ev.Officer)
	rec.Set("status", ev.Status)
	if r := []rune(ev.Note); len(r) > MaxNotes {
		ev.Note = string(r[:MaxNotes])
	}
	rec.Set("note", ev.Note)
	if ev.Fields == nil {
		ev.Fields = []string{}
	}
	rec.Set("fields", ev.Fields)
	rec.Set("visit", ev.Visit)
	rec.Set("session", ev.Session)
	// Written by the server from a checked save: nothing to validate.
	if err := tx.SaveNoValidate(rec); err != nil {
		return station.Internal(err, "record dispute history")
	}
	return nil
}

func onSessionSave(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		rec := e.Record
		now := nowFrom(e.Context)
		loc := location(tx)
		if !rec.IsNew() {
			// A session stays with its dispute.
			rec.Set("dispute", rec.Original().Get("dispute"))
		}
		p := station.Problems{}
		s := sessionFromRecord(rec)
		drec, err := tx.FindRecordById(Collection, s.Dispute)
		var d *Dispute
		switch {
		case s.Dispute == "":
			p.Add("dispute", "required")
		case err != nil:
			p.Add("dispute", "dispute_unknown")
		default:
			d = FromRecord(drec)
			if d.Closed() {
				p.Add("dispute", "dispute_closed")
			}
		}
		checkSession(s, d, txRefs{e.Context, tx}, now, loc, p)
		if err := p.Err(); err != nil {
			return err
		}
		rec.Set("at", s.At.UTC())
		rec.Set("mediators", s.Mediators)
		rec.Set("notes", s.Notes)
		rec.Set("next_step", s.NextStep)
		if rec.IsNew() {
			rec.Set("officer", actor(e.Context))
		}
		isNew := rec.IsNew()
		if err := e.Next(); err != nil {
			return err
		}
		if !isNew {
			return nil
		}
		return addEvent(tx, event{Dispute: s.Dispute, At: now, Kind: EventSession, Officer: actor(e.Context), Status: d.Status, Session: rec.Id})
	})
}

// checkSession normalises a session and adds its problems to p; d is its
// dispute, nil if unknown.
func checkSession(s *Session, d *Dispute, r refs, now time.Time, loc *time.Location, p station.Problems) {
	switch {
	case s.At.IsZero():
		p.Add("at", "required")
	case s.At.After(now.Add(ClockSkew)):
		p.Add("at", "day_future")
	case d != nil && dayOf(s.At, loc).Before(dayOf(d.OpenedAt, loc)):
		p.Add("at", "session_before_opened")
	}
	s.Notes, s.NextStep = strings.TrimSpace(s.Notes), strings.TrimSpace(s.NextStep)
	switch {
	case s.Notes == "":
		p.Add("notes", "required")
	case utf8.RuneCountInString(s.Notes) > MaxNotes:
		p.Add("notes", "too_long", MaxNotes)
	}
	if utf8.RuneCountInString(s.NextStep) > MaxNextStep {
		p.Add("next_step", "too_long", MaxNextStep)
	}
	s.Mediators = checkMediators(s.Mediators, r, p)
}

func onMediatorSave(e *core.RecordEvent) error {
	m := mediatorFromRecord(e.Record)
	p := station.Problems{}
	m.check(txRefs{e.Context, e.App}, p)
	if err := p.Err(); err != nil {
		return err
	}
	m.write(e.Record)
	return e.Next()
}

func onRoomSave(e *core.RecordEvent) error {
	rec := e.Record
	p := station.Problems{}
	name := strings.TrimSpace(rec.GetString("name"))
	switch {
	case name == "":
		p.Add("name", "required")
	case utf8.RuneCountInString(name) > MaxRoomName:
		p.Add("name", "too_long", MaxRoomName)
	default:
		other, err := e.App.FindFirstRecordByData(RoomsCollection, "name", name)
		if err == nil && other.Id != rec.Id {
			p.Add("name", "room_taken")
		}
	}
	if c := rec.GetString("community"); c != "" && !(txRefs{e.Context, e.App}).communityExists(c) {
		p.Add("community", "community_unknown")
	}
	if err := p.Err(); err != nil {
		return err
	}
	rec.Set("name", name)
	return e.Next()
}

// onVisitSave checks a visit that names a dispute: it must be a follow-up
// (回访) of a dispute its officer may see. After the save the dispute's
// history holds the follow-up and its follow-up state is brought up to
// date, in the visit's transaction. A visit written by the field push,
// the forms or a superuser goes through here alike.
func onVisitSave(e *core.RecordEvent) error {
	rec := e.Record
	var before string
	if !rec.IsNew() {
		before = rec.Original().GetString("dispute")
	}
	id := rec.GetString("dispute")
	if id == "" && before == "" {
		return e.Next()
	}
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if id != "" {
			p := station.Problems{}
			if rec.GetString("kind") != visitKindFollowUp {
				p.Add("dispute", "visit_not_follow_up")
			}
			drec, err := tx.FindRecordById(Collection, id)
			if err != nil {
				p.Add("dispute", "dispute_unknown")
			} else if !visibleTo(tx, rec.GetString("officer"), FromRecord(drec)) {
				// Not named: the officer may not see that dispute.
				p.Add("dispute", "dispute_unknown")
			}
			if err := p.Err(); err != nil {
				return err
			}
		}
		if err := e.Next(); err != nil {
			return err
		}
		if _, err := tx.DB().Delete(EventsCollection, dbx.HashExp{"visit": rec.Id, "kind": EventFollowUp}).Execute(); err != nil {
			return station.Internal(err, "drop follow-up history")
		}
		if id != "" {
			err := addEvent(tx, event{Dispute: id, At: rec.GetDateTime("visited_at").Time(), Kind: EventFollowUp,
				Officer: rec.GetString("officer"), Note: rec.GetString("notes"), Visit: rec.Id})
			if err != nil {
				return err
			}
			if err := settleFollowUp(e.Context, tx, id); err != nil {
				return err
			}
		}
		if before != "" && before != id {
			return settleFollowUp(e.Context, tx, before)
		}
		return nil
	})
}

func onVisitDelete(e *core.RecordEvent) error {
	id := e.Record.GetString("dispute")
	if id == "" {
		return e.Next()
	}
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := e.Next(); err != nil {
			return err
		}
		if _, err := tx.DB().Delete(EventsCollection, dbx.HashExp{"visit": e.Record.Id, "kind": EventFollowUp}).Execute(); err != nil {
			return station.Internal(err, "drop follow-up history")
		}
		return settleFollowUp(e.Context, tx, id)
	})
}

// visibleTo reports whether officer officerID may see d.
func visibleTo(tx core.App, officerID string, d *Dispute) bool {
	if !idPattern(officerID) {
		return false
	}
	orec, err := tx.FindRecordById("officers", officerID)
	if err != nil {
		return false
	}
	return CanSee(station.OfficerFromRecord(orec), d)
}

// CanSee reports whether o may see d: the deputy chief every dispute, an
// officer those of their communities and those they lead.
func CanSee(o *station.Officer, d *Dispute) bool {
	return o != nil && (o.IsChief() || d.Officer == o.ID || o.CoversCommunity(d.Community))
}

// settleFollowUp sets a dispute's last follow-up from its history (the
// follow-up visits it heard of) and whether one is still owed.
func settleFollowUp(ctx context.Context, tx core.App, disputeID string) error {
	drec, err := tx.FindRecordById(Collection, disputeID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return station.Internal(err, "load dispute")
	}
	var last struct {
		At sql.NullString `db:"at"`
	}
	err = tx.DB().Select("MAX(at) AS at").From(EventsCollection).
		Where(dbx.HashExp{"dispute": disputeID, "kind": EventFollowUp}).One(&last)
	if err != nil {
		return station.Internal(err, "last follow-up")
	}
	drec.Set("followed_up_at", last.At.String)
	d := FromRecord(drec)
	pending := followUpPending(d)
	if drec.GetString("followed_up_at") == drec.Original().GetString("followed_up_at") && pending == drec.GetBool("follow_up_pending") {
		return nil
	}
	if err := tx.SaveNoValidateWithContext(withServerChange(ctx, "", ""), drec); err != nil {
		return station.SaveError(err, "settle follow-up")
	}
	return nil
}
