package live

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"zoufang/station"
)

// BenchmarkFlushBroadcast is one flush of a change that every one of 2,000
// connections (officers covering 59 communities, as wsload -serve's) hears.
func BenchmarkFlushBroadcast(b *testing.B) {
	h := NewHub(Sources{
		Targets: func(string) (any, error) { return map[string]any{"type": "targets"}, nil },
		Board:   func(map[string]Presence) (any, error) { return map[string]any{"type": "board"}, nil },
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer h.Close()
	defer func() { // the clients have no sockets to close
		h.mu.Lock()
		clear(h.clients)
		h.mu.Unlock()
	}()
	comms := make([]string, 59)
	for i := range comms {
		comms[i] = fmt.Sprintf("c%02d", i)
	}
	var cs []*client
	got := make(chan struct{}, 2000)
	for i := 0; i < 2000; i++ {
		c := &client{hub: h, conn: &countingConn{got: got}, officer: &station.Officer{ID: fmt.Sprintf("o%04d", i), Role: station.RoleOfficer, Communities: comms}}
		h.clients[c] = struct{}{}
		cs = append(cs, c)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.dirtyMu.Lock()
		h.dirtyColls["c30"] = map[string]bool{"visits": true}
		h.dirtyMu.Unlock()
		h.flush()
		for range cs {
			<-got
		}
	}
}

// countingConn is a socket that says on got when a message is written.
type countingConn struct{ got chan struct{} }

func (c *countingConn) SetWriteDeadline(time.Time) error { return nil }
func (c *countingConn) WriteMessage(int, []byte) error   { c.got <- struct{}{}; return nil }
func (c *countingConn) Close() error                     { return nil }
