package visits

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/station"
	"zoufang/watches"
)

// BindHooks makes the visit log's rules hold on every write path: the
// field push and the forms (through the store), and a superuser's writes
// through the REST API or the admin UI. Whoever saves a visit, it is
// checked against its household and watch, the household is settled (last
// met visit, first WeChat contact) in the same transaction, and a
// resident's answer that arrived first is copied onto it. Whoever saves a
// confirmation, its visit learns the answer in the same transaction.
func BindHooks(app core.App) {
	app.OnRecordCreate(Collection).BindFunc(onCreate)
	app.OnRecordUpdate(Collection).BindFunc(onUpdate)
	app.OnRecordDelete(Collection).BindFunc(onDelete)
	app.OnRecordCreate(ConfirmCollection).BindFunc(onAnswer)
	app.OnRecordUpdate(ConfirmCollection).BindFunc(onAnswer)
}

// typedFields are what an officer records of a visit; the rest is the
// server's (received_at, wechat_new, the resident's answer).
var typedFields = []string{"household", "officer", "visited_at", "kind", "outcome", "concerns", "notes", "wechat_added", "watch", "check_result"}

type checkedKey struct{}

// withChecked marks a save whose visit the store has checked already,
// with the household record it loaded in the same transaction: the hook
// then neither checks nor loads it again (a push of a thousand visits
// pays for each household once).
func withChecked(ctx context.Context, household *core.Record) context.Context {
	return context.WithValue(ctx, checkedKey{}, household)
}

func checkedHousehold(ctx context.Context, id string) *core.Record {
	h, _ := ctx.Value(checkedKey{}).(*core.Record)
	if h != nil && h.Id == id {
		return h
	}
	return nil
}

// checkRecord checks a visit written by any path and returns its
// household's record. A visit dated (newly, or anew) more than ClockSkew
// ahead of the server's clock is refused on every path, as the push
// refuses it: the visits pull counts on no visit being stamped (its sync
// stamp is the time of the write) long before it happened
// (replica/walk.go).
func checkRecord(tx core.App, v *Visit, dated bool) (*core.Record, error) {
	p := station.Problems{}
	v.check(p)
	if dated && v.VisitedAt.After(time.Now().Add(ClockSkew)) {
		p.Add("visited_at", "future")
	}
	var h *core.Record
	if v.Household != "" {
		var err error
		h, err = tx.FindRecordById(households.Collection, v.Household)
		if err != nil {
			p.Add("household", "out_of_area")
			h = nil
		} else {
			checkRefs(tx, v, h, p)
		}
	}
	return h, p.Err()
}

func onCreate(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		rec := e.Record
		if rec.GetDateTime("received_at").IsZero() {
			rec.Set("received_at", time.Now().UTC())
		}
		v := FromRecord(rec)
		hrec := checkedHousehold(e.Context, v.Household)
		if hrec == nil {
			var err error
			if hrec, err = checkRecord(tx, v, true); err != nil {
				return err
			}
			rec.Set("kind", v.Kind)
			rec.Set("concerns", v.Concerns)
			rec.Set("check_result", v.CheckResult)
		}

		// Settle the household as the visit arrives: usually a new visit
		// only moves its last met visit forward or makes its first WeChat
		// contact, decided from the household alone. A WeChat contact older
		// than the recorded one (a phone that was offline for days) needs
		// the full recount.
		recount, changed := false, false
		rec.Set("wechat_new", false)
		if v.WeChatAdded {
			added := hrec.GetDateTime("wechat_added_at").Time()
			switch {
			case hrec.GetString("wechat_contact") == "":
				rec.Set("wechat_new", true)
				hrec.Set("wechat_contact", v.Officer)
				hrec.Set("wechat_added_at", v.VisitedAt)
				changed = true
			case v.VisitedAt.Before(added):
				recount = true
			}
		}
		if v.CountsForHomes() && v.VisitedAt.After(hrec.GetDateTime("last_visited_at").Time()) {
			hrec.Set("last_visited_at", v.VisitedAt)
			hrec.Set("last_visited_by", v.Officer)
			changed = true
		}
		// The resident may have answered before the visit synced.
		if err := copyAnswer(tx, rec); err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		if err := alertIfAbnormal(tx, rec); err != nil {
			return err
		}
		switch {
		case recount:
			// Counted as it stands (not the first contact), then the
			// recount moves the first-contact mark, and each visit's day
			// row with it.
			if err := countNewVisit(e.Context, tx, rec, hrec); err != nil {
				return station.SaveError(err, "count visit day")
			}
			return settleHousehold(e.Context, tx, rec)
		case changed:
			// Server-computed fields only: nothing else to validate.
			if err := tx.SaveNoValidateWithContext(e.Context, hrec); err != nil {
				return station.Internal(err, "update household")
			}
		}
		return station.SaveError(countNewVisit(e.Context, tx, rec, hrec), "count visit day")
	})
}

func onUpdate(e *core.RecordEvent) error {
	rec := e.Record
	orig := rec.Original()
	if !fieldsChanged(orig, rec) {
		// The server's own fields (wechat_new, the answer): only the day's
		// figures follow.
		figures := orig.GetBool("wechat_new") != rec.GetBool("wechat_new") ||
			orig.GetString("resident_answer") != rec.GetString("resident_answer") || orig.GetInt("resident_rating") != rec.GetInt("resident_rating")
		if !figures {
			return e.Next()
		}
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := e.Next(); err != nil {
				return err
			}
			return station.SaveError(shiftDay(e.Context, tx, orig, rec), "shift visit day")
		})
	}
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		v := FromRecord(rec)
		if checkedHousehold(e.Context, v.Household) == nil {
			if _, err := checkRecord(tx, v, !orig.GetDateTime("visited_at").Equal(rec.GetDateTime("visited_at"))); err != nil {
				return err
			}
			rec.Set("kind", v.Kind)
			rec.Set("concerns", v.Concerns)
			rec.Set("check_result", v.CheckResult)
		}
		if err := e.Next(); err != nil {
			return err
		}
		if err := alertIfAbnormal(tx, rec); err != nil {
			return err
		}
		if err := settleHousehold(e.Context, tx, rec); err != nil {
			return err
		}
		if was := orig.GetString("household"); was != rec.GetString("household") {
			// Moved by a superuser: the old household loses the visit.
			if err := settleHouseholdID(e.Context, tx, was, nil, true); err != nil {
				return err
			}
		}
		for _, r := range []*core.Record{orig, rec} {
			if err := refreshDay(e.Context, tx, r.GetString("officer"), r.GetDateTime("visited_at").Time()); err != nil {
				return station.Internal(err, "refresh visit day")
			}
		}
		return nil
	})
}

func onDelete(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := e.Next(); err != nil {
			return err
		}
		// A deleted visit that made the first WeChat contact takes it along:
		// the contact is counted from the visits again.
		if err := settleHouseholdID(e.Context, tx, e.Record.GetString("household"), nil, e.Record.GetBool("wechat_new")); err != nil {
			return err
		}
		return station.SaveError(refreshDay(e.Context, tx, e.Record.GetString("officer"), e.Record.GetDateTime("visited_at").Time()), "refresh visit day")
	})
}

// alertIfAbnormal raises the deputy chief's alert for a holiday check
// that found the home abnormal.
func alertIfAbnormal(tx core.App, rec *core.Record) error {
	if rec.GetString("kind") != KindHolidayCheck || rec.GetString("check_result") != CheckAbnormal {
		return nil
	}
	if err := watches.RaiseAlert(tx, rec); err != nil {
		return station.Internal(err, "raise alert")
	}
	return nil
}

// fieldsChanged reports whether an officer's fields of the visit changed.
func fieldsChanged(a, b *core.Record) bool {
	for _, f := range typedFields {
		switch f {
		case "concerns":
			if !slices.Equal(a.GetStringSlice(f), b.GetStringSlice(f)) {
				return true
			}
		case "wechat_added":
			if a.GetBool(f) != b.GetBool(f) {
				return true
			}
		case "visited_at":
			if !a.GetDateTime(f).Time().Equal(b.GetDateTime(f).Time()) {
				return true
			}
		default:
			if a.GetString(f) != b.GetString(f) {
				return true
			}
		}
	}
	return false
}

// onAnswer copies a confirmation onto its visit, if the visit has synced.
func onAnswer(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := e.Next(); err != nil {
			return err
		}
		v, err := tx.FindRecordById(Collection, e.Record.GetString("visit"))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // it will find the answer when it arrives
		}
		if err != nil {
			return station.Internal(err, "find confirmed visit")
		}
		answer, rating := answerOf(e.Record.GetBool("denied"), e.Record.GetInt("rating"))
		if v.GetString("resident_answer") == answer && v.GetInt("resident_rating") == rating {
			return nil
		}
		v.Set("resident_answer", answer)
		v.Set("resident_rating", rating)
		if err := tx.SaveNoValidateWithContext(e.Context, v); err != nil {
			return station.Internal(err, "record the resident's answer")
		}
		return nil
	})
}

// copyAnswer sets a new visit's resident answer from a confirmation that
// arrived before it.
func copyAnswer(tx core.App, rec *core.Record) error {
	if rec.Id == "" {
		return nil
	}
	var c struct {
		Denied bool `db:"denied"`
		Rating int  `db:"rating"`
	}
	err := station.Prepared(tx, "SELECT [[denied]], [[rating]] FROM "+ConfirmCollection+" WHERE [[visit]] = {:v} LIMIT 1").
		Bind(dbx.Params{"v": rec.Id}).One(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return station.Internal(err, "find confirmation")
	}
	answer, rating := answerOf(c.Denied, c.Rating)
	rec.Set("resident_answer", answer)
	rec.Set("resident_rating", rating)
	return nil
}

// answerOf is what a confirmation says of its visit: a denial carries no
// rating.
func answerOf(denied bool, rating int) (string, int) {
	if denied {
		return AnswerDenied, 0
	}
	return AnswerConfirmed, rating
}

// settleHousehold brings the household of visit rec in line with its
// visits (see settleHouseholdID); rec is kept in step with what it writes.
func settleHousehold(ctx context.Context, tx core.App, rec *core.Record) error {
	return settleHouseholdID(ctx, tx, rec.GetString("household"), rec, false)
}

// settleHouseholdID brings household hid in line with its visits: last
// met visit (at and by), and the first WeChat contact, which is the
// earliest visit that added the resident on WeChat and the only visit with
// wechat_new set. rec, if given, is the caller's copy of a visit being
// saved, kept in step. recount makes the WeChat contact come from the
// visits even when none of them is marked as having made it.
func settleHouseholdID(ctx context.Context, tx core.App, hid string, rec *core.Record, recount bool) error {
	h, err := tx.FindRecordById(households.Collection, hid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return station.Internal(err, "load household")
	}

	last := &core.Record{}
	err = tx.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.HashExp{"household": hid, "outcome": OutcomeMet}).
		AndWhere(dbx.Not(dbx.HashExp{"kind": KindHolidayCheck})).
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
	if recount || h.GetString("wechat_contact") == "" || len(newOnes) > 0 {
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
			if r == rec {
				// The visit the caller is saving, in this transaction: its
				// sync stamp covers the change. Saving it again would run
				// its update hooks as if someone had edited it (and settle
				// the household again); its day's row moves by the mark.
				_, err := tx.DB().Update(Collection, dbx.Params{"wechat_new": on}, dbx.HashExp{"id": r.Id}).WithContext(ctx).Execute()
				if err != nil {
					return err
				}
				was := answerFigures(r)
				was[0] = 1 - was[0]
				return shiftDayBy(ctx, tx, r, was, answerFigures(r))
			}
			return tx.SaveWithContext(ctx, r)
		}
		for _, r := range newOnes {
			if r.Id == firstID {
				continue
			}
			if rec != nil && r.Id == rec.Id {
				r = rec // keep the caller's copy in step
			}
			if err := flag(r, false); err != nil {
				return station.Internal(err, "clear wechat_new")
			}
		}
		if firstID != "" {
			target := first
			if rec != nil && firstID == rec.Id {
				target = rec
			}
			if err := flag(target, true); err != nil {
				return station.Internal(err, "set wechat_new")
			}
		}
	}
	// Server-computed fields only: nothing a person typed to re-check.
	if err := tx.SaveNoValidateWithContext(ctx, h); err != nil {
		return station.Internal(err, "update household")
	}
	return nil
}
