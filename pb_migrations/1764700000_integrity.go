package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The integrity round:
//
//   - households.address_key is derived by the record hooks on every write
//     path, so it is no longer required of whoever writes (a superuser in
//     the admin UI types the address parts, never the key).
//   - visits carry the resident's answer (confirmed or denied, and the
//     rating), copied from the confirmation in the same transaction, so
//     the officer's phone pulls it like any change and the visit book
//     never reads a denial as a confirmation.
//   - QR tokens belong to a device: signing out on it revokes its unused
//     tokens, and the book is filled per device.
func init() {
	m.Register(func(app core.App) error {
		h, err := app.FindCollectionByNameOrId("households")
		if err != nil {
			return err
		}
		if f, ok := h.Fields.GetByName("address_key").(*core.TextField); ok {
			f.Required = false
		}
		if err := app.Save(h); err != nil {
			return err
		}

		v, err := app.FindCollectionByNameOrId("visits")
		if err != nil {
			return err
		}
		v.Fields.Add(
			&core.SelectField{Name: "resident_answer", Values: []string{"confirmed", "denied"}, MaxSelect: 1},
			&core.NumberField{Name: "resident_rating", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(5.0)},
		)
		if err := app.Save(v); err != nil {
			return err
		}
		// Answers that arrived before this migration move onto their visits.
		if _, err := app.DB().NewQuery(`UPDATE visits SET
			resident_answer = (SELECT CASE WHEN c.denied THEN 'denied' ELSE 'confirmed' END FROM confirmations c WHERE c.visit = visits.id),
			resident_rating = COALESCE((SELECT CASE WHEN c.denied THEN 0 ELSE c.rating END FROM confirmations c WHERE c.visit = visits.id), 0)
			WHERE id IN (SELECT visit FROM confirmations)`).Execute(); err != nil {
			return err
		}
		// Badges are stored as sign-in looks them up: upper case.
		if _, err := app.DB().NewQuery("UPDATE officers SET badge = UPPER(TRIM(badge)) WHERE badge != UPPER(TRIM(badge))").Execute(); err != nil {
			return err
		}

		t, err := app.FindCollectionByNameOrId("visit_tokens")
		if err != nil {
			return err
		}
		t.Fields.Add(&core.TextField{Name: "device", Max: 40})
		t.AddIndex("idx_tokens_officer_device", false, "officer, device", "")
		return app.Save(t)
	}, func(app core.App) error {
		t, err := app.FindCollectionByNameOrId("visit_tokens")
		if err != nil {
			return err
		}
		t.RemoveIndex("idx_tokens_officer_device")
		t.Fields.RemoveByName("device")
		if err := app.Save(t); err != nil {
			return err
		}
		v, err := app.FindCollectionByNameOrId("visits")
		if err != nil {
			return err
		}
		v.Fields.RemoveByName("resident_answer")
		v.Fields.RemoveByName("resident_rating")
		if err := app.Save(v); err != nil {
			return err
		}
		h, err := app.FindCollectionByNameOrId("households")
		if err != nil {
			return err
		}
		if f, ok := h.Fields.GetByName("address_key").(*core.TextField); ok {
			f.Required = true
		}
		return app.Save(h)
	})
}
