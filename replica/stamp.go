package replica

import (
	"fmt"
	"time"
	"zoufang/station"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// BindStamp stamps every record of the replicated collections so that
// `updated` strictly increases in commit order within a collection, which
// is what lets a pull page by (updated, id) without gaps: inside the write
// transaction (writes are serialised through one connection) the new stamp
// is max(now, last stamp + 1 ms). A plain wall clock would let a
// transaction that began earlier commit a smaller stamp after a device had
// already pulled past it, and the device would never see that row.
func BindStamp(app core.App) {
	st := &stamper{}
	names := Collections()
	app.OnRecordCreateExecute(names...).BindFunc(st.stamp)
	app.OnRecordUpdateExecute(names...).BindFunc(st.stamp)
}

func (st *stamper) stamp(e *core.RecordEvent) error {
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
	last station.TxLocal[map[string]time.Time]
}

func (st *stamper) next(tx core.App, collection string) (time.Time, error) {
	seen, ok := st.last.Get(tx, func() map[string]time.Time { return map[string]time.Time{} }, nil)
	if !ok {
		return time.Time{}, fmt.Errorf("sync stamp of %s outside a transaction", collection)
	}
	last, ok := seen[collection]
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
	seen[collection] = now
	return now, nil
}
