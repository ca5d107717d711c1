package app

import (
	"fmt"
	"slices"
	"sync"
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
	st := &stamper{}
	app.OnRecordCreateExecute(SyncedCollections...).BindFunc(st.stampUpdated)
	app.OnRecordUpdateExecute(SyncedCollections...).BindFunc(st.stampUpdated)
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
		// Judged before the save: afterwards Original is the new state. A
		// new role or area also ends open sockets, which hold the old one.
		orig := e.Record.Original()
		revoked := e.Record.TokenKey() != orig.TokenKey() || !e.Record.GetBool("active") ||
			e.Record.GetString("role") != orig.GetString("role") ||
			!slices.Equal(e.Record.GetStringSlice("communities"), orig.GetStringSlice("communities"))
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
		s.communities.Store(r.Id, r.GetString("community"))
		s.Hub.CollectionChanged(r.GetString("community"), "households")
	case "visits":
		s.Hub.VisitsChanged(r.GetString("officer"))
		if c := s.communityOf(app, r.GetString("household")); c != "" {
			s.Hub.CollectionChanged(c, "visits")
		}
	case "holiday_watches":
		if c := s.communityOf(app, r.GetString("household")); c != "" {
			s.Hub.CollectionChanged(c, "holiday_watches")
		}
	}
}

// communityOf is a household's community, remembered: a push of a thousand
// visits should not look a household up a thousand times just to say who
// should pull.
func (s *Server) communityOf(app core.App, household string) string {
	if c, ok := s.communities.Load(household); ok {
		return c.(string)
	}
	h, err := app.FindRecordById("households", household)
	if err != nil {
		return ""
	}
	c := h.GetString("community")
	s.communities.Store(household, c)
	return c
}

// stampUpdated makes `updated` strictly increase in commit order within a
// collection, which is what lets /sync/pull page by (updated, id) without
// gaps: inside the write transaction (writes are serialised through one
// connection) the new stamp is max(now, last stamp + 1 ms). A plain wall
// clock would let a transaction that began earlier commit a smaller stamp
// after a device had already pulled past it, and the device would never see
// that row.
func (st *stamper) stampUpdated(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		now, err := st.next(tx, e.Record.Collection().Name)
		if err != nil {
			return err
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

// stamper remembers, per open write transaction, the last stamp it gave
// each collection: the transaction holds the write lock, so after one read
// of MAX(updated) the next stamps can be counted in memory (a push of a
// thousand visits reads it once, not two thousand times).
type stamper struct {
	mu   sync.Mutex
	last map[*core.TxAppInfo]map[string]time.Time
}

func (st *stamper) next(tx core.App, collection string) (time.Time, error) {
	info := tx.TxInfo()
	st.mu.Lock()
	if st.last == nil {
		st.last = map[*core.TxAppInfo]map[string]time.Time{}
	}
	seen := st.last[info]
	if seen == nil {
		seen = map[string]time.Time{}
		st.last[info] = seen
		info.OnComplete(func(txErr error) error {
			st.mu.Lock()
			delete(st.last, info)
			st.mu.Unlock()
			return nil
		})
	}
	last, ok := seen[collection]
	st.mu.Unlock()
	if !ok {
		var raw string
		if err := tx.DB().Select("COALESCE(MAX([[updated]]), '')").From(collection).Row(&raw); err != nil {
			return time.Time{}, fmt.Errorf("read last sync stamp: %w", err)
		}
		if raw != "" {
			if prev, err := types.ParseDateTime(raw); err == nil {
				last = prev.Time()
			}
		}
	}
	// Stamps are stored to the millisecond: compare at that precision, or
	// two saves in one millisecond would share a stamp.
	now := time.Now().UTC().Truncate(time.Millisecond)
	if !now.After(last) {
		now = last.Add(time.Millisecond)
	}
	st.mu.Lock()
	seen[collection] = now
	st.mu.Unlock()
	return now, nil
}
