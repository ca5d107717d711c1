package patrols

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// What an apply did, as the sync protocol names it (docs/sync-protocol.md).
const (
	SaveCreated = "created"
	SaveExists  = "exists"  // a retry of what is stored: nothing to do
	SaveUpdated = "updated" // an edit, or a report moved on in its lifecycle
)

// EditWindow is how long after it reached the server the officer who
// recorded a shift or a report may still correct it from their phone (as
// for visits).
const EditWindow = 24 * time.Hour

// MaxAgeDays is how far back a shift or a report may be recorded: the
// paper patrol book of the past year may be typed in, not older.
const MaxAgeDays = 366

// Stale is the conflict of an edit the server refuses (the edit window
// has passed, or someone else's record): Current is the server's copy,
// which stands and which the device keeps.
type Stale struct{ Current any }

func (s *Stale) Error() string { return "the stored copy stands" }

// Current returns the server's copy carried by a conflict, or nil.
func Current(err error) any {
	var s *Stale
	if errors.As(err, &s) {
		return s.Current
	}
	return nil
}

func conflict(key string, current any) error {
	return &station.Error{Code: station.EConflict, Message: i18n.T(key), Err: &Stale{Current: current}}
}

// ShiftQuery filters shifts: by community or team, and from/to days
// (inclusive, 2026-12-01).
type ShiftQuery struct {
	Community, Team string
	From, To        string
	Limit           int
}

// Shifts lists the shifts in o's area, newest first.
func (s *Store) Shifts(ctx context.Context, o *station.Officer, q ShiftQuery) ([]*Shift, error) {
	sq := inArea(s.app.RecordQuery(ShiftsCollection).WithContext(ctx), "community", o)
	if q.Community != "" {
		sq = sq.AndWhere(dbx.HashExp{"community": q.Community})
	}
	if q.Team != "" {
		sq = sq.AndWhere(dbx.HashExp{"team": q.Team})
	}
	if q.From != "" {
		sq = sq.AndWhere(dbx.NewExp("date >= {:from}", dbx.Params{"from": q.From}))
	}
	if q.To != "" {
		sq = sq.AndWhere(dbx.NewExp("date <= {:to}", dbx.Params{"to": q.To}))
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	var recs []*core.Record
	if err := sq.OrderBy("date DESC", "starts DESC", "id DESC").Limit(int64(q.Limit)).All(&recs); err != nil {
		return nil, station.Internal(err, "list shifts")
	}
	out := make([]*Shift, len(recs))
	for i, r := range recs {
		out[i] = ShiftFromRecord(r)
	}
	return out, nil
}

// SaveShift records a shift for o at server time now, in its own
// transaction.
func (s *Store) SaveShift(ctx context.Context, o *station.Officer, in ShiftInput, now time.Time) (sh *Shift, status string, err error) {
	err = s.app.RunInTransaction(func(tx core.App) error {
		var doc any
		doc, status, err = ApplyShift(ctx, tx, o, in, now)
		sh, _ = doc.(*Shift)
		return err
	})
	return sh, status, err
}

// ApplyShift records a shift for officer o within tx at server time now:
// the office form's save and a device's pushed outbox item. It is
// idempotent by the client-minted in.ID: a new id creates the shift
// (SaveCreated); the id of a stored shift with the same content is a retry
// (SaveExists); different content is an edit by its officer within
// EditWindow (SaveUpdated), else a conflict carrying the stored shift
// (Current). The officer is always o. Problems are a *station.Error with
// field errors; doc is the *Shift as stored.
func ApplyShift(ctx context.Context, tx core.App, o *station.Officer, in ShiftInput, now time.Time) (doc any, status string, err error) {
	in.ID = strings.TrimSpace(in.ID)
	rec, err := findByClientID(tx, ShiftsCollection, in.ID)
	if err != nil {
		return nil, "", err
	}
	p := station.Problems{}
	team, err := tx.FindRecordById(TeamsCollection, in.Team)
	switch {
	case strings.TrimSpace(in.Team) == "":
		p.Add("team", "required")
	case err != nil || !o.CoversCommunity(team.GetString("community")):
		p.Add("team", "out_of_area")
		team = nil
	}
	if rec != nil {
		cur := ShiftFromRecord(rec)
		if !o.CoversCommunity(cur.Community) || cur.Officer != o.ID {
			// Someone else's shift: never say whose.
			p := station.Problems{}
			p.Add("id", "id_taken")
			return nil, "", p.Err()
		}
		if team != nil && sameShift(cur, in, team) {
			return cur, SaveExists, nil
		}
		if now.Sub(rec.GetDateTime("created").Time()) > EditWindow {
			return nil, "", conflict("patrols.shift_closed", cur)
		}
	}
	// A day either way of the station's zone does not matter here.
	if d, ok := ParseDay(in.Date); ok && rec == nil && d < now.AddDate(0, 0, -MaxAgeDays).UTC().Format(time.DateOnly) {
		p.Add("date", "record_too_old", MaxAgeDays)
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	status = SaveUpdated
	if rec == nil {
		coll, err := tx.FindCachedCollectionByNameOrId(ShiftsCollection)
		if err != nil {
			return nil, "", station.Internal(err, "shifts collection")
		}
		rec = core.NewRecord(coll)
		if in.ID != "" {
			rec.Id = in.ID
		}
		status = SaveCreated
	}
	rec.Set("team", in.Team)
	rec.Set("grids", in.Grids)
	rec.Set("date", in.Date)
	rec.Set("starts", in.Starts)
	rec.Set("ends", in.Ends)
	rec.Set("volunteers", in.Volunteers)
	rec.Set("notes", in.Notes)
	rec.Set("officer", o.ID)
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, "", station.SaveError(err, "save shift")
	}
	return ShiftFromRecord(rec), status, nil
}

// sameShift reports whether in, normalised as the hooks would store it,
// is what cur holds: a retry whose first answer was lost.
func sameShift(cur *Shift, in ShiftInput, team *core.Record) bool {
	d, _ := ParseDay(in.Date)
	a, _ := ParseClock(in.Starts)
	b, _ := ParseClock(in.Ends)
	grids := in.Grids
	if len(uniq(grids)) == 0 {
		grids = team.GetStringSlice("grids")
	}
	return cur.Team == in.Team && cur.Date == d && cur.Starts == a && cur.Ends == b &&
		sameSet(cur.Grids, grids) && sameSet(cur.Volunteers, in.Volunteers) && cur.Notes == strings.TrimSpace(in.Notes)
}

// findByClientID reads the record of collection a device named by its
// client-minted id: nil when there is none yet, or no id was given; an id
// of the wrong shape is a field error.
func findByClientID(tx core.App, collection, id string) (*core.Record, error) {
	if id == "" {
		return nil, nil
	}
	if !households.IDPattern.MatchString(id) {
		p := station.Problems{}
		p.Add("id", "id_format")
		return nil, p.Err()
	}
	rec, err := tx.FindRecordById(collection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, station.Internal(err, "find "+collection)
	}
	return rec, nil
}
