package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Coverage at district scale (DESIGN §8, §10):
//
//   - visit_days: each officer's running figures per station-local day,
//     community and grid (visits, met, homes, new WeChat contacts, the
//     residents' answers and ratings, the last visit), kept by the visits
//     hooks in the same transaction as every visit and answer. Coverage,
//     the trend chart and the board read these instead of scanning a
//     million visits. Not a collection: never exposed.
//   - confirmations.ip_hash: the resident's address alone, keyed like
//     client_hash, for the "one address confirms many households" flag (a
//     user agent is easy to change).
//   - officer_addresses: the (hashed) addresses officers' sessions came
//     from, by day, for the "confirmed from the officer's own address" flag.
//   - a covering index over active households for the coverage counts.
func init() {
	m.Register(func(app core.App) error {
		for _, q := range []string{
			`CREATE TABLE IF NOT EXISTS visit_days (
				day TEXT NOT NULL, officer TEXT NOT NULL, community TEXT NOT NULL, grid TEXT NOT NULL,
				visits INTEGER NOT NULL DEFAULT 0, met INTEGER NOT NULL DEFAULT 0, homes INTEGER NOT NULL DEFAULT 0,
				wechat_new INTEGER NOT NULL DEFAULT 0, confirmed INTEGER NOT NULL DEFAULT 0, denied INTEGER NOT NULL DEFAULT 0,
				rated INTEGER NOT NULL DEFAULT 0, rating_sum INTEGER NOT NULL DEFAULT 0,
				r1 INTEGER NOT NULL DEFAULT 0, r2 INTEGER NOT NULL DEFAULT 0, r3 INTEGER NOT NULL DEFAULT 0, r4 INTEGER NOT NULL DEFAULT 0, r5 INTEGER NOT NULL DEFAULT 0,
				last_at TEXT NOT NULL DEFAULT '',
				PRIMARY KEY (day, officer, community, grid)) WITHOUT ROWID`,
			`CREATE INDEX IF NOT EXISTS idx_visit_days_officer ON visit_days (officer, day)`,
			`CREATE INDEX IF NOT EXISTS idx_visit_days_community ON visit_days (community, day)`,
			`CREATE TABLE IF NOT EXISTS officer_addresses (officer TEXT NOT NULL, ip_hash TEXT NOT NULL, day TEXT NOT NULL,
				PRIMARY KEY (ip_hash, officer, day)) WITHOUT ROWID`,
			`CREATE INDEX IF NOT EXISTS idx_households_active_coverage ON households (community, grid, last_visited_at, wechat_contact) WHERE archived = FALSE`,
		} {
			if _, err := app.DB().NewQuery(q).Execute(); err != nil {
				return fmt.Errorf("coverage tables: %w", err)
			}
		}
		c, err := app.FindCollectionByNameOrId("confirmations")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.TextField{Name: "ip_hash", Max: 64})
		c.AddIndex("idx_confirmations_ip", false, "ip_hash", "")
		c.AddIndex("idx_confirmations_at", false, "confirmed_at", "")
		if err := app.Save(c); err != nil {
			return err
		}
		return nil
	}, func(app core.App) error {
		for _, q := range []string{"DROP TABLE IF EXISTS visit_days", "DROP TABLE IF EXISTS officer_addresses", "DROP INDEX IF EXISTS idx_households_active_coverage"} {
			if _, err := app.DB().NewQuery(q).Execute(); err != nil {
				return err
			}
		}
		c, err := app.FindCollectionByNameOrId("confirmations")
		if err != nil {
			return err
		}
		c.RemoveIndex("idx_confirmations_ip")
		c.RemoveIndex("idx_confirmations_at")
		c.Fields.RemoveByName("ip_hash")
		return app.Save(c)
	})
}
