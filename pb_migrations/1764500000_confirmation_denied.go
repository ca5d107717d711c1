package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// A resident may also say the officer did not visit: that answer is the
// strongest fraud flag, so it is kept, not dropped.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("confirmations")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.BoolField{Name: "denied"})
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("confirmations")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("denied")
		return app.Save(c)
	})
}
