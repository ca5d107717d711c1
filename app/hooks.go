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
		if s.Hub != nil {
			s.Hub.BoardChanged()
		}
		return e.Next()
	})

	// The live channel hears of every committed change, whoever made it (a
	// push, an office edit, an import, the admin UI).
	live := func(e *core.RecordEvent) error {
		if s.Hub != nil {
			s.announce(e.App, e.Record)
		}
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(SyncedCollections...).BindFunc(live)
	app.OnRecordAfterUpdateSuccess(SyncedCollections...).BindFunc(live)
	app.OnRecordUpdateExecute("officers").BindFunc(func(e *core.RecordEvent) error {
		// Judged before the save: afterwards Original is the new state.
		revoked := e.Record.TokenKey() != e.Record.Original().TokenKey() || !e.Record.GetBool("active")
		if err := e.Next(); err != nil {
			return err
		}
		if revoked && s.Hub != nil {
			s.Hub.DropOfficer(e.Record.Id) // signed out everywhere, or deactivated
		}
		return nil
	})
}

// announce tells the live channel which community's records changed.
func (s *Server) announce(app core.App, r *core.Record) {
	switch r.Collection().Name {
	case "households":
		s.Hub.CollectionChanged(r.GetString("community"), "households")
	case "visits":
		s.Hub.VisitsChanged(r.GetString("officer"))
		if h, err := app.FindRecordById("households", r.GetString("household")); err == nil {
			s.Hub.CollectionChanged(h.GetString("community"), "visits")
		}
	case "holiday_watches":
		if h, err := app.FindRecordById("households", r.GetString("household")); err == nil {
			s.Hub.CollectionChanged(h.GetString("community"), "holiday_watches")
		}
	}
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
		// Stamps are stored to the millisecond: compare at that precision,
		// or two saves in one millisecond would share a stamp.
		now := time.Now().UTC().Truncate(time.Millisecond)
		if last != "" {
			if prev, err := types.ParseDateTime(last); err == nil && !now.After(prev.Time()) {
				now = prev.Time().Add(time.Millisecond)
			}
		}
		stamp, err := types.ParseDateTime(now)
		if err != nil {
			return fmt.Errorf("sync stamp: %w", err)
		}
		e.Record.SetRaw("updated", stamp)
		e.App = tx
		return e.Next()
	})
}
