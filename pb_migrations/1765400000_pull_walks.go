package pb_migrations

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// A pull walks the officer's own scope, not the station's history
// (replica/walk.go, docs/benchmarks.md):
//
//   - households by (community, updated, id): each of the officer's
//     communities is read from its checkpoint on, so a pull costs what it
//     returns, at any size of district;
//   - the officer's own patrol shifts by date, and each community's
//     closed patrol reports by when they closed (the two halves of those
//     scopes that no index reached);
//   - visits whose sync stamp lies more than the allowed clock skew before
//     the visit itself are stamped again (RestampFutureVisits).
func init() {
	m.Register(func(app core.App) error {
		for name, idx := range map[string][2]string{
			"households":     {"idx_households_community_updated", "community, updated, id"},
			"patrol_shifts":  {"idx_patrol_shifts_officer_date", "officer, date"},
			"patrol_reports": {"idx_patrol_reports_community_closed", "community, closed_at"},
		} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.AddIndex(idx[0], false, idx[1], "")
			if err := app.Save(c); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return RestampFutureVisits(app, time.Now())
	}, func(app core.App) error {
		for name, idx := range map[string]string{
			"households":     "idx_households_community_updated",
			"patrol_shifts":  "idx_patrol_shifts_officer_date",
			"patrol_reports": "idx_patrol_reports_community_closed",
		} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.RemoveIndex(idx)
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}

// RestampDays is how far back RestampFutureVisits looks: further than the
// replica window (replica.Window, 90 days; a test holds them together).
const RestampDays = 100

// RestampFutureVisits gives a new sync stamp, above every stamp the visits
// hold, to each visit of the last RestampDays days whose stamp is more than
// five minutes (visits.ClockSkew) before its visited_at. Since the hooks
// refuse a visit dated further ahead than that on every write path, no
// visit written since has one; the visits pull relies on it to start its
// walk of the stamps at the window (a visit in the window was stamped at
// most the skew before the window began). Rows written by an older
// version through the REST API are the only ones it can find.
func RestampFutureVisits(app core.App, now time.Time) error {
	cut, _ := types.ParseDateTime(now.Add(-RestampDays * 24 * time.Hour).UTC())
	var n int
	err := app.DB().NewQuery(`SELECT COUNT(*) FROM visits WHERE visited_at >= {:cut}
		AND updated < strftime('%Y-%m-%d %H:%M:%fZ', visited_at, '-5 minutes')`).Bind(dbx.Params{"cut": cut.String()}).Row(&n)
	if err != nil || n == 0 {
		return err
	}
	var last string
	if err := app.DB().NewQuery("SELECT COALESCE(MAX(updated), '') FROM visits").Row(&last); err != nil {
		return err
	}
	stamp := now.UTC().Truncate(time.Millisecond)
	if prev, err := types.ParseDateTime(last); err == nil && !stamp.After(prev.Time()) {
		stamp = prev.Time().Add(time.Millisecond)
	}
	st, _ := types.ParseDateTime(stamp)
	_, err = app.DB().NewQuery(`UPDATE visits SET updated = {:stamp} WHERE visited_at >= {:cut}
		AND updated < strftime('%Y-%m-%d %H:%M:%fZ', visited_at, '-5 minutes')`).
		Bind(dbx.Params{"stamp": st.String(), "cut": cut.String()}).Execute()
	return err
}
