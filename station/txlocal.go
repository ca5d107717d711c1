package station

import (
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// TxLocal keeps a value for each open transaction: made on the
// transaction's first use of it, and dropped when the transaction ends.
// The value is the transaction's own; a transaction runs on one goroutine
// and holds the write lock, so only the map of transactions is guarded.
type TxLocal[T any] struct {
	mu sync.Mutex
	m  map[*core.TxAppInfo]T
}

// Get is tx's value, made by make on first use; end, if set, runs on it
// when the transaction completes (committed or rolled back). Outside a
// transaction there is none: ok is false.
func (l *TxLocal[T]) Get(tx core.App, make func() T, end func(T)) (v T, ok bool) {
	info := tx.TxInfo()
	if info == nil {
		return v, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if v, ok := l.m[info]; ok {
		return v, true
	}
	if l.m == nil {
		l.m = map[*core.TxAppInfo]T{}
	}
	v = make()
	l.m[info] = v
	info.OnComplete(func(error) error {
		l.mu.Lock()
		v := l.m[info]
		delete(l.m, info)
		l.mu.Unlock()
		if end != nil {
			end(v)
		}
		return nil
	})
	return v, true
}
