package households

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// Sync statuses of a household pushed from a device (DESIGN §6).
const (
	SyncCreated   = "created"
	SyncExists    = "exists"
	SyncUpdated   = "updated"
	SyncDuplicate = "duplicate"
	SyncConflict  = "conflict"
	SyncInvalid   = "invalid"
)

// Push is a household as a device pushes it: the fields, and for an edit
// the sync stamp it was based on.
type Push struct {
	Input
	// Op is "create" for a household made at the door, "update" for an
	// edit of one the device pulled.
	Op string `json:"op"`
}

// Applied is what became of one pushed household.
type Applied struct {
	Status string
	Doc    *Household // the server's copy after the push (or the existing one)
	Err    error      // for invalid and conflict
}

// Apply applies one pushed household within tx. It is idempotent by the
// client-minted id: a create whose id exists with the same content is
// "exists", and so is an update whose content is already stored (the answer
// to the first attempt was lost). An edit on an older revision with
// different content is a conflict carrying the server's copy. A household
// created at a door that is registered already is a duplicate naming that
// household, so the device re-links its visits to it; a shared phone, or an
// edit onto another's door, is an input problem to correct.
func Apply(ctx context.Context, tx core.App, o *station.Officer, p Push) Applied {
	if !IDPattern.MatchString(p.ID) {
		pr := station.Problems{}
		pr.Add("id", "id_format")
		return Applied{Status: SyncInvalid, Err: pr.Err()}
	}
	cur, err := Get(ctx, tx, o, p.ID)
	exists := err == nil
	if err != nil && station.ErrorCode(err) != station.ENotFound {
		return Applied{Status: SyncInvalid, Err: err}
	}
	if !exists {
		if p.Op == "update" || recordExists(tx, p.ID) {
			// Gone, or outside the officer's area.
			pr := station.Problems{}
			pr.Add("id", "out_of_area")
			return Applied{Status: SyncInvalid, Err: pr.Err()}
		}
		h, err := Create(ctx, tx, o, p.Input)
		switch d := DuplicateOf(err); {
		case err == nil:
			return Applied{Status: SyncCreated, Doc: h}
		case d != nil && d.By == "address":
			// The same door: the device re-links its visits to this one.
			return Applied{Status: SyncDuplicate, Doc: d.Of, Err: err}
		case d != nil:
			return sharedPhone(d)
		}
		return Applied{Status: SyncInvalid, Err: err}
	}
	if same(cur, p.Input) {
		return Applied{Status: SyncExists, Doc: cur}
	}
	if p.Op == "create" {
		// The id was used for a different household: a client bug or a
		// forged push; never overwrite.
		pr := station.Problems{}
		pr.Add("id", "id_taken")
		return Applied{Status: SyncInvalid, Err: pr.Err()}
	}
	h, err := Update(ctx, tx, o, p.ID, p.Input)
	switch d := DuplicateOf(err); {
	case err == nil:
		return Applied{Status: SyncUpdated, Doc: h}
	case d != nil && d.By == "address":
		// An edit that moves a household onto another's door is a mistake
		// to correct, never a merge: the household and its visits stay.
		pr := station.Problems{}
		pr.Add("building", "duplicate_address_of", d.Of.Address)
		return Applied{Status: SyncInvalid, Err: pr.Err()}
	case d != nil:
		return sharedPhone(d)
	case station.ErrorCode(err) == station.EConflict:
		return Applied{Status: SyncConflict, Doc: cur, Err: err}
	}
	return Applied{Status: SyncInvalid, Err: err}
}

// sharedPhone refuses a phone registered on another household as an input
// problem the officer corrects (a landlord's number on several rented flats
// is not the same door), never as a merge.
func sharedPhone(d *Duplicate) Applied {
	pr := station.Problems{}
	pr.Add("phones", "duplicate_phone_of", d.Of.Address)
	return Applied{Status: SyncInvalid, Err: pr.Err()}
}

func recordExists(tx core.App, id string) bool {
	_, err := tx.FindRecordById(Collection, id)
	return !errors.Is(err, sql.ErrNoRows) && err == nil
}

// same reports whether in, normalised, is what cur already holds.
func same(cur *Household, in Input) bool {
	h, problems := in.normalize()
	if len(problems) > 0 {
		return false
	}
	return h.Community == cur.Community && h.Grid == cur.Grid && h.Address == cur.Address &&
		h.Building == cur.Building && h.Unit == cur.Unit && h.Room == cur.Room &&
		h.HeadName == cur.HeadName && slices.Equal(h.Phones, cur.Phones) && h.Residents == cur.Residents &&
		slices.Equal(sorted(h.Tags), sorted(cur.Tags)) && h.Notes == cur.Notes
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
