package watches

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// Collection is the PocketBase collection of holiday watches.
const Collection = "holiday_watches"

// BindHooks makes a watch's rules hold on every write path: the phone's
// push and the office forms (through the store), the nightly job, and a
// superuser's writes through the REST API or the admin UI.
func BindHooks(app core.App) {
	app.OnRecordCreate(Collection).BindFunc(onSave)
	app.OnRecordUpdate(Collection).BindFunc(onSave)
}

// closedChanges are what may still change on an ended or cancelled watch:
// the family's contacts erased, the resident's link revoked, the purge
// noted. The watch itself is part of the record.
var closedChanges = []string{"contact_name", "contact_phone", "key_holder", "summary_hash", "purged_at"}

func onSave(e *core.RecordEvent) error {
	st, err := station.LoadSettings(e.App)
	if err != nil {
		return err
	}
	loc := st.Location()
	now := time.Now()
	today := DayOf(now, loc)
	rec := e.Record
	orig := rec.Original()
	p := station.Problems{}

	switch {
	case !rec.IsNew() && orig.GetString("status") != StatusActive:
		for _, f := range rec.Collection().Fields.FieldNames() {
			if f == "updated" || f == "created" || isOneOf(f, closedChanges) {
				continue
			}
			if fmt.Sprint(orig.Get(f)) != fmt.Sprint(rec.Get(f)) {
				p.Add("status", "watch_closed")
				break
			}
		}
		for _, f := range closedChanges[:3] {
			if rec.GetString(f) != "" && rec.GetString(f) != orig.GetString(f) {
				p.Add(f, "watch_closed")
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		return e.Next()

	case !rec.IsNew() && rec.GetString("status") == StatusEnded:
		// The nightly job ends a watch whose window has passed (a station
		// admin may end one early in /_/; a cancellation needs a reason).
		if rec.GetDateTime("ended_at").IsZero() {
			rec.Set("ended_at", now)
		}
		return e.Next()
	}

	in := inputOf(rec, loc)
	fresh := rec.IsNew() || !orig.GetDateTime("from").Time().Equal(rec.GetDateTime("from").Time()) ||
		!orig.GetDateTime("to").Time().Equal(rec.GetDateTime("to").Time())
	w, p := in.normalize(loc, today, fresh)
	if rec.IsNew() && w.status != StatusActive {
		p.Add("status", "choice")
	}
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if w.household != "" {
			h, err := tx.FindRecordById("households", w.household)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				p.Add("household", "out_of_area")
			case err != nil:
				return fmt.Errorf("watch household: %w", err)
			case h.GetBool("archived") && rec.IsNew():
				p.Add("household", "household_archived")
			}
		}
		if _, bad := p["to"]; !bad && w.status == StatusActive && w.household != "" {
			// One watch of a home at a time: two overlapping windows would
			// double its checks.
			var n int
			err := tx.DB().Select("COUNT(*)").From(Collection).Where(dbx.HashExp{"household": w.household, "status": StatusActive}).
				AndWhere(dbx.Not(dbx.HashExp{"id": rec.Id})).
				AndWhere(dbx.NewExp("[[from]] < {:to} AND [[to]] > {:from}", dbx.Params{"from": station.DBTime(w.from), "to": station.DBTime(w.to)})).
				Row(&n)
			if err != nil {
				return fmt.Errorf("overlapping watches: %w", err)
			}
			if n > 0 {
				p.Add("from", "watch_overlaps")
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		w.write(rec)
		if w.status == StatusCancelled && rec.GetDateTime("ended_at").IsZero() {
			rec.Set("ended_at", now)
		}
		return e.Next()
	})
}

func isOneOf(s string, set []string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}
