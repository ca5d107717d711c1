package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Signed-out sessions (auth.RevokedTable): a plain sign-out revokes its
// token, which PocketBase alone cannot do. Not a collection: only the
// server reads it.
func init() {
	m.Register(func(app core.App) error {
		_, err := app.DB().NewQuery("CREATE TABLE IF NOT EXISTS revoked_sessions (session TEXT PRIMARY KEY NOT NULL, expires TEXT NOT NULL) WITHOUT ROWID").Execute()
		return err
	}, func(app core.App) error {
		_, err := app.DB().NewQuery("DROP TABLE IF EXISTS revoked_sessions").Execute()
		return err
	})
}
