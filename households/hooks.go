package households

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"zoufang/station"
)

// phoneIndexTable maps each active household's phone numbers to it.
const phoneIndexTable = "household_phones"

// BindHooks makes the registry's rules hold on every write path: the
// office forms and the field push (through the store), the importer, and a
// superuser's writes through the REST API or the admin UI (/_/). Whoever
// saves a household, the server derives what no caller types (the address
// key, E.164 phones, the display address, the search text, the revision),
// refuses a duplicate door or phone with a field error, and keeps the phone
// index, all in the save's transaction.
func BindHooks(app core.App) {
	app.OnRecordCreate(Collection).BindFunc(onSave)
	app.OnRecordUpdate(Collection).BindFunc(onSave)
	app.OnRecordDelete(Collection).BindFunc(func(e *core.RecordEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := e.Next(); err != nil {
				return err
			}
			if _, err := tx.DB().Delete(phoneIndexTable, dbx.HashExp{"household": e.Record.Id}).Execute(); err != nil {
				return fmt.Errorf("clear phone index: %w", err)
			}
			return nil
		})
	})
}

// typedFields are what a person writes of a household; the rest is derived
// or kept by the visit log (last visit, WeChat contact).
var typedFields = []string{"community", "grid", "address", "building", "unit", "room", "head_name", "phones", "residents", "tags", "notes"}

func onSave(e *core.RecordEvent) error {
	rec := e.Record
	orig := rec.Original()
	typed := rec.IsNew() || changed(orig, rec, typedFields...)
	archivedChanged := rec.IsNew() || orig.GetBool("archived") != rec.GetBool("archived")
	if !typed && !archivedChanged {
		// Most saves (a visit moving last_visited_at) touch nothing a
		// person typed: nothing to derive, check or reindex.
		return e.Next()
	}
	var h *Household
	if typed {
		var err error
		if h, err = derive(e.App, rec); err != nil {
			return err
		}
	} else {
		h = FromRecord(rec)
	}
	door := rec.IsNew() || changed(orig, rec, "address_key", "phones") || (archivedChanged && !rec.GetBool("archived"))
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if door && !rec.GetBool("archived") {
			dup, err := FindDuplicate(e.Context, tx, h, rec.Id)
			if err != nil {
				return fmt.Errorf("check duplicates: %w", err)
			}
			if dup != nil {
				return refuseDuplicate(dup)
			}
		}
		if err := e.Next(); err != nil {
			return err
		}
		if rec.IsNew() || changed(orig, rec, "phones") || archivedChanged {
			return indexPhones(tx, rec)
		}
		return nil
	})
}

// derive normalises what the record holds as typed and writes back every
// derived field. Problems come back as field errors (Chinese messages,
// stable codes), which the REST API and the admin UI show under the field.
func derive(app core.App, rec *core.Record) (*Household, error) {
	in := Input{
		Community: rec.GetString("community"),
		Grid:      rec.GetString("grid"),
		Address:   rec.GetString("address"),
		Building:  rec.GetString("building"),
		Unit:      rec.GetString("unit"),
		Room:      rec.GetString("room"),
		HeadName:  rec.GetString("head_name"),
		Phones:    rawPhones(rec.GetRaw("phones")),
		Residents: rec.GetInt("residents"),
		Tags:      rec.GetStringSlice("tags"),
		Notes:     rec.GetString("notes"),
	}
	h, p := Derive(in)
	checkPlace(dbPlaces{app}, stationWide, h, p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	rec.Set("address", h.Address)
	rec.Set("building", h.Building)
	rec.Set("unit", h.Unit)
	rec.Set("room", h.Room)
	rec.Set("head_name", h.HeadName)
	rec.Set("notes", h.Notes)
	rec.Set("phones", h.Phones)
	rec.Set("tags", h.Tags)
	rec.Set("address_key", h.AddressKey)
	rec.Set("search", h.Search)
	// Compared once normalised: "138 0013 8000" typed again over
	// +8613800138000 is no edit.
	if rec.IsNew() || changed(rec.Original(), rec, typedFields...) {
		rec.Set("rev", core.GenerateDefaultRandomId())
	}
	h.ID = rec.Id
	return h, nil
}

// stationWide checks places without an officer's area: the hooks guard the
// registry's own rules; who may write where is the store's to check.
var stationWide = &station.Officer{Role: station.RoleDeputyChief}

// rawPhones reads the phones field as whoever wrote it did: a JSON array
// of strings or numbers (the store, a REST client), one string holding
// several numbers, or a bare number (the admin UI's JSON editor).
func rawPhones(v any) []string {
	var x any
	switch raw := v.(type) {
	case nil:
		return nil
	case []string:
		return raw
	case types.JSONRaw:
		if len(raw) == 0 {
			return nil
		}
		if err := json.Unmarshal(raw, &x); err != nil {
			return []string{string(raw)}
		}
	default:
		b, err := json.Marshal(raw)
		if err != nil {
			return nil
		}
		if err := json.Unmarshal(b, &x); err != nil {
			return nil
		}
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			out = append(out, t)
		case float64:
			out = append(out, strconv.FormatFloat(t, 'f', -1, 64))
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(x)
	return out
}

// changed reports whether any of fields differs between a and b.
func changed(a, b *core.Record, fields ...string) bool {
	for _, f := range fields {
		switch f {
		case "phones":
			if string(jsonRaw(a.GetRaw(f))) != string(jsonRaw(b.GetRaw(f))) {
				return true
			}
		case "tags":
			if !slices.Equal(a.GetStringSlice(f), b.GetStringSlice(f)) {
				return true
			}
		case "residents":
			if a.GetInt(f) != b.GetInt(f) {
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

// refuseDuplicate is a hook's refusal of a duplicate door or phone: a field
// error for the REST API and admin UI, carrying the Duplicate for the store
// (which words it for the officer's area).
func refuseDuplicate(d *Duplicate) error {
	field, code := "building", "duplicate_address_of"
	if d.By == "phone" {
		field, code = "phones", "duplicate_phone_of"
	}
	p := station.Problems{}
	p.Add(field, code, d.Of.Address)
	err := p.Err().(*station.Error)
	err.Code = station.EConflict
	err.Err = d
	return err
}

// jsonRaw is a JSON field's stored form, however it was set.
func jsonRaw(v any) types.JSONRaw {
	switch x := v.(type) {
	case types.JSONRaw:
		return x
	case nil:
		return nil
	default:
		b, _ := json.Marshal(x)
		return b
	}
}

func indexPhones(tx core.App, rec *core.Record) error {
	if _, err := tx.DB().Delete(phoneIndexTable, dbx.HashExp{"household": rec.Id}).Execute(); err != nil {
		return fmt.Errorf("clear phone index: %w", err)
	}
	if rec.GetBool("archived") {
		return nil // an archived household blocks no one
	}
	var phones []string
	_ = rec.UnmarshalJSONField("phones", &phones)
	for _, p := range phones {
		_, err := tx.DB().NewQuery("INSERT OR IGNORE INTO " + phoneIndexTable + " (phone, household) VALUES ({:p}, {:h})").
			Bind(dbx.Params{"p": p, "h": rec.Id}).Execute()
		if err != nil {
			return fmt.Errorf("index phone: %w", err)
		}
	}
	return nil
}
