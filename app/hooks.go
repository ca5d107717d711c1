package app

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"zoufang/households"
)

// SyncedCollections are replicated to devices by /sync/pull, which pages
// through them by (updated, id).
var SyncedCollections = []string{"households", "visits", "holiday_watches"}

// bindRecordHooks registers the hooks that keep the data model's promises
// whoever writes: the sync stamp on replicated collections, and the settings
// cache.
func bindRecordHooks(app core.App, s *Server) {
	app.OnRecordCreateExecute(SyncedCollections...).BindFunc(stampUpdated)
	app.OnRecordUpdateExecute(SyncedCollections...).BindFunc(stampUpdated)
	households.BindHooks(app)
	app.OnRecordAfterCreateSuccess("settings").BindFunc(func(e *core.RecordEvent) error {
		_ = s.reloadSettings()
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess("settings").BindFunc(func(e *core.RecordEvent) error {
		_ = s.reloadSettings()
		return e.Next()
	})
}

// stampUpdated makes `updated` strictly increase in commit order within a
// collection, which is what lets /sync/pull page by (updated, id) without
// gaps: inside the write transaction (writes are serialised through one
// connection) the new stamp is max(now, last stamp + 1 ms). A plain wall
// clock would let a transaction that began earlier commit a smaller stamp
// after a device had already pulled past it, and the device would never see
// that row.
func stampUpdated(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		var last string
		err := tx.DB().Select("COALESCE(MAX([[updated]]), '')").From(e.Record.Collection().Name).Row(&last)
		if err != nil {
			return fmt.Errorf("read last sync stamp: %w", err)
		}
		now := types.NowDateTime()
		if last != "" {
			if prev, err := types.ParseDateTime(last); err == nil && !now.After(prev) {
				now = prev.Add(time.Millisecond)
			}
		}
		e.Record.SetRaw("updated", now)
		e.App = tx
		return e.Next()
	})
}
