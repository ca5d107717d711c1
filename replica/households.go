package replica

import (
	"context"
	"encoding/json"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/station"
)

// householdItem is one pushed household: the fields as typed, and for an
// edit the revision it was made on.
type householdItem struct {
	id string
	in households.Input
	// op is "create" for a household made at the door, "update" for an
	// edit of one the device pulled.
	op  string
	err error
}

func decodeHousehold(raw json.RawMessage) householdItem {
	it, err := decodeItem(raw)
	if err != nil {
		return householdItem{err: err}
	}
	h := householdItem{id: it.id()}
	p := station.Problems{}
	in := &h.in
	it.fields(p, map[string]any{
		"id": &in.ID, "op": &h.op, "community": &in.Community, "grid": &in.Grid, "address": &in.Address,
		"building": &in.Building, "unit": &in.Unit, "room": &in.Room, "head_name": &in.HeadName,
		"phones": &in.Phones, "residents": &in.Residents, "tags": &in.Tags, "notes": &in.Notes, "base_rev": &in.BaseRev,
	})
	if _, bad := p["op"]; !bad && h.op != "create" && h.op != "update" {
		p.Add("op", "op")
	}
	h.err = p.Err()
	return h
}

// applyHousehold applies one pushed household within tx. It is idempotent
// by the client-minted id: a create whose id exists with the same content
// is "exists", and so is an update whose content is already stored (the
// answer to the first attempt was lost). An edit on an older revision with
// different content is a conflict carrying the server's copy. A household
// created at a door that is registered already is a duplicate naming that
// household, so the device re-links its visits to it; a shared phone, or
// an edit onto another's door, is an input problem to correct.
func applyHousehold(ctx context.Context, tx core.App, o *station.Officer, raw json.RawMessage) Result {
	it := decodeHousehold(raw)
	r := Result{Collection: households.Collection, ID: it.id}
	refuse := func(err error) Result {
		r.Status = Invalid
		describe(&r, err)
		return r
	}
	if it.err != nil {
		return refuse(it.err)
	}
	refuse = func(err error) Result {
		if station.ErrorCode(err) == station.ETooMany {
			// Held back for now (households.ElsewherePerHour): the device
			// keeps the item and tries again later.
			describe(&r, err)
			r.Status = Error
			return r
		}
		r.Status = Invalid
		describe(&r, err)
		return r
	}
	p := it.in
	if !households.IDPattern.MatchString(p.ID) {
		pr := station.Problems{}
		pr.Add("id", "id_format")
		return refuse(pr.Err())
	}
	cur, err := households.Get(ctx, tx, o, p.ID)
	exists := err == nil
	if err != nil && station.ErrorCode(err) != station.ENotFound {
		return refuse(err)
	}
	if !exists {
		if it.op == "update" || recordExists(tx, p.ID) {
			// Gone, or outside the officer's area.
			pr := station.Problems{}
			pr.Add("id", "out_of_area")
			return refuse(pr.Err())
		}
		h, err := households.Create(ctx, tx, o, p)
		switch d := households.DuplicateOf(err); {
		case err == nil:
			r.Status, r.Doc = Created, h
			return r
		case d != nil && d.By == "address":
			// The same door: the device re-links its visits to this one.
			r.Status, r.Doc, r.DuplicateOf = Duplicate, d.Of, d.Of.ID
			describe(&r, err)
			return r
		case d != nil:
			return refuse(sharedPhone(d))
		}
		return refuse(err)
	}
	if p.SameAs(cur) {
		r.Status, r.Doc = Exists, cur
		return r
	}
	if it.op == "create" {
		// The id was used for a different household: a client bug or a
		// forged push; never overwrite.
		pr := station.Problems{}
		pr.Add("id", "id_taken")
		return refuse(pr.Err())
	}
	h, err := households.Update(ctx, tx, o, p.ID, p)
	switch d := households.DuplicateOf(err); {
	case err == nil:
		r.Status, r.Doc = Updated, h
		return r
	case d != nil && d.By == "address":
		// An edit that moves a household onto another's door is a mistake
		// to correct, never a merge: the household and its visits stay.
		pr := station.Problems{}
		pr.Add("building", "duplicate_address_of", d.Of.Address)
		return refuse(pr.Err())
	case d != nil:
		return refuse(sharedPhone(d))
	case station.ErrorCode(err) == station.EConflict:
		r.Status, r.Doc = Conflict, cur
		describe(&r, err)
		return r
	}
	return refuse(err)
}

// sharedPhone refuses a phone registered on another household as an input
// problem the officer corrects (a landlord's number on several rented flats
// is not the same door), never as a merge.
func sharedPhone(d *households.Duplicate) error {
	pr := station.Problems{}
	pr.Add("phones", "duplicate_phone_of", d.Of.Address)
	return pr.Err()
}

func recordExists(tx core.App, id string) bool {
	_, err := tx.FindRecordById(households.Collection, id)
	return err == nil
}
