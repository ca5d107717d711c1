package live

import (
	"fmt"
	"io"
	"log/slog"
	"testing"

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
	for i := 0; i < 2000; i++ {
		c := &client{hub: h, officer: &station.Officer{ID: fmt.Sprintf("o%04d", i), Role: station.RoleOfficer, Communities: comms},
			send: make(chan []byte, queueLength), quit: make(chan struct{})}
		h.clients[c] = struct{}{}
		cs = append(cs, c)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.dirtyMu.Lock()
		h.dirtyColls["c30"] = map[string]bool{"visits": true}
		h.dirtyMu.Unlock()
		h.flush()
		for _, c := range cs {
			<-c.send
		}
	}
}
