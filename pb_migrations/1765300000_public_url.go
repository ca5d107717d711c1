package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The station's public address: QR and watch links are built from it, not
// from whatever Host a request carried (docs/security.md).
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.TextField{Name: "public_url", Max: 200})
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("public_url")
		return app.Save(c)
	})
}
