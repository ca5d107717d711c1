package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The station's people (DESIGN §13):
//
//   - handovers: an officer's communities handed to a successor with the
//     WeChat contacts and open work; creating the record performs the move
//     in the same transaction (the people hooks), on every write path.
//   - devices: each officer's phones as the live channel last saw them
//     (app version, unsynced items), for the people pages.
func init() {
	m.Register(func(app core.App) error {
		officers, err := app.FindCollectionByNameOrId("officers")
		if err != nil {
			return err
		}
		communities, err := app.FindCollectionByNameOrId("communities")
		if err != nil {
			return err
		}
		h := core.NewBaseCollection("handovers")
		h.Fields.Add(
			&core.RelationField{Name: "from", Required: true, CollectionId: officers.Id, MaxSelect: 1},
			&core.RelationField{Name: "to", Required: true, CollectionId: officers.Id, MaxSelect: 1},
			&core.RelationField{Name: "communities", Required: true, CollectionId: communities.Id, MaxSelect: 99},
			&core.BoolField{Name: "move_wechat_id"},
			&core.TextField{Name: "note", Max: 1000},
			&core.RelationField{Name: "by", CollectionId: officers.Id, MaxSelect: 1},
			&core.DateField{Name: "at"},
			&core.JSONField{Name: "moved", MaxSize: 4000},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		h.AddIndex("idx_handovers_from", false, "`from`, at", "")
		h.AddIndex("idx_handovers_to", false, "`to`, at", "")
		// The deputy chief reads them; an officer reads their own (both
		// ends). Writes: the people pages, or a superuser (REST, /_/).
		h.ListRule = types.Pointer(ruleOfficer + " && (@request.auth.role = 'deputy_chief' || from = @request.auth.id || to = @request.auth.id)")
		h.ViewRule = h.ListRule
		if err := app.Save(h); err != nil {
			return fmt.Errorf("handovers: %w", err)
		}

		d := core.NewBaseCollection("devices")
		d.Fields.Add(
			&core.RelationField{Name: "officer", Required: true, CollectionId: officers.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "device", Required: true, Max: 40},
			&core.TextField{Name: "app_version", Max: 40},
			&core.NumberField{Name: "pending", OnlyInt: true, Min: types.Pointer(0.0)},
			&core.DateField{Name: "last_seen"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		d.AddIndex("idx_devices_officer_device", true, "officer, device", "")
		d.ListRule = types.Pointer(ruleChief)
		d.ViewRule = d.ListRule
		return app.Save(d)
	}, func(app core.App) error {
		for _, name := range []string{"devices", "handovers"} {
			if c, err := app.FindCollectionByNameOrId(name); err == nil {
				if err := app.Delete(c); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
