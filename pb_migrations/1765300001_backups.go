package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Scheduled backups on by default (DESIGN §10): PocketBase zips pb_data
// every night and keeps the last seven. Its cron runs in UTC: 19:00 UTC is
// 03:00 in Beijing, when no officer is working. A station that has set its
// own schedule in the admin UI keeps it.
const (
	BackupCron    = "0 19 * * *"
	BackupMaxKeep = 7
)

func init() {
	m.Register(func(app core.App) error {
		s := app.Settings()
		if s.Backups.Cron != "" {
			return nil
		}
		s.Backups.Cron = BackupCron
		s.Backups.CronMaxKeep = BackupMaxKeep
		return app.Save(s)
	}, func(app core.App) error {
		s := app.Settings()
		if s.Backups.Cron == BackupCron {
			s.Backups.Cron, s.Backups.CronMaxKeep = "", 0
			return app.Save(s)
		}
		return nil
	})
}
