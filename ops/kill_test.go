package ops_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// TestKillDuringAPushLosesNothingAcknowledged: the server is killed with
// SIGKILL while a push of a thousand visits is being applied and while
// small pushes keep arriving. After a restart every visit whose push was
// acknowledged is there, the database passes PRAGMA integrity_check, and
// the devices' retries leave every visit stored exactly once.
func TestKillDuringAPushLosesNothingAcknowledged(t *testing.T) {
	dir := prepare(t)
	s := serve(t, dir)
	st := setUp(t, s)

	t.Run("the real binary schedules nightly backups", func(t *testing.T) {
		var settings struct {
			Backups struct {
				Cron        string `json:"cron"`
				CronMaxKeep int    `json:"cronMaxKeep"`
			} `json:"backups"`
		}
		st.admin.must(http.MethodGet, "/api/settings", nil, &settings, http.StatusOK)
		if settings.Backups.Cron == "" || settings.Backups.CronMaxKeep != 7 {
			t.Fatalf("backups %+v", settings.Backups)
		}
	})

	var (
		mu      sync.Mutex
		acked   []string         // ids of visits in acknowledged pushes
		batches []map[string]any // every push sent, to retry after the restart
		killed  = make(chan struct{})
		once    sync.Once
		wg      sync.WaitGroup
	)
	push := func(ctx context.Context, ids []string, body map[string]any) bool {
		mu.Lock()
		batches = append(batches, body)
		mu.Unlock()
		var ans pushAnswer
		code, err := st.officer.do(ctx, http.MethodPost, "/sync/push", body, &ans)
		if err != nil || code != http.StatusOK || !ans.acknowledged(len(ids)) {
			return false
		}
		mu.Lock()
		acked = append(acked, ids...)
		mu.Unlock()
		return true
	}
	// Large pushes: the second is killed once its body has been sent.
	wg.Go(func() {
		for i := 0; ; i++ {
			ids, body := visitBatch(st.household, "big", i*1000, 1000, "大批同步")
			ctx := context.Background()
			if i == 1 {
				ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
					once.Do(func() { go killWhenBusy(s, killed) })
				}})
			}
			if !push(ctx, ids, body) {
				return
			}
		}
	})
	// Small pushes alongside, acknowledged until the moment of the kill.
	wg.Go(func() {
		for i := 0; ; i++ {
			ids, body := visitBatch(st.household, "small", i*10, 10, "")
			if !push(context.Background(), ids, body) {
				select {
				case <-killed:
					return
				default:
				}
			}
			select {
			case <-killed:
				return
			default:
			}
		}
	})
	select {
	case <-killed:
	case <-time.After(60 * time.Second):
		t.Fatal("the second large push was never sent")
	}
	wg.Wait()
	if len(acked) < 1000 {
		t.Fatalf("only %d visits acknowledged before the kill", len(acked))
	}
	t.Logf("%d visits acknowledged before SIGKILL, %d pushes sent", len(acked), len(batches))

	stored := func(t *testing.T) map[string]int {
		t.Helper()
		db, err := core.DefaultDBConnect(filepath.Join(dir, "data.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var check string
		if err := db.NewQuery("PRAGMA integrity_check").Row(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check = %q, %v", check, err)
		}
		var ids []string
		if err := db.Select("id").From("visits").Column(&ids); err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, id := range ids {
			n[id]++
		}
		return n
	}
	t.Run("after the kill the database is whole and every acknowledged visit is in it", func(t *testing.T) {
		n := stored(t)
		for _, id := range acked {
			if n[id] != 1 {
				t.Fatalf("acknowledged visit %s stored %d times", id, n[id])
			}
		}
	})
	t.Run("after a restart the devices' retries store every visit exactly once", func(t *testing.T) {
		s2 := serve(t, dir)
		officer := signIn(t, s2)
		want := map[string]bool{}
		for _, b := range batches {
			var ans pushAnswer
			items := b["visits"].([]any)
			officer.must(http.MethodPost, "/sync/push", b, &ans, http.StatusOK)
			if !ans.acknowledged(len(items)) {
				t.Fatalf("retry not acknowledged: %+v", ans.Results[:min(3, len(ans.Results))])
			}
			for _, it := range items {
				want[it.(map[string]any)["id"].(string)] = true
			}
		}
		s2.kill()
		n := stored(t)
		if len(n) != len(want) {
			t.Fatalf("%d visits stored, want %d", len(n), len(want))
		}
		for id := range want {
			if n[id] != 1 {
				t.Fatalf("visit %s stored %d times", id, n[id])
			}
		}
		if !slices.ContainsFunc(acked, func(id string) bool { return want[id] }) {
			t.Fatal("no acknowledged visit among the retried ones")
		}
	})
}

// killWhenBusy kills s once it has spent a third of a second of CPU on the
// push it has just been sent (it is applying it then: a thousand visits
// take seconds), or after 10 s at the latest.
func killWhenBusy(s *server, killed chan struct{}) {
	defer close(killed)
	start := cpuTicks(s.cmd.Process.Pid)
	deadline := time.Now().Add(10 * time.Second)
	for cpuTicks(s.cmd.Process.Pid)-start < 33 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	s.kill()
}

// cpuTicks is the user and system CPU time of a process, in clock ticks
// (1/100 s), from /proc.
func cpuTicks(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 1 << 30 // gone or no /proc: stop waiting
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 1 << 30
	}
	u, _ := strconv.Atoi(f[11])
	k, _ := strconv.Atoi(f[12])
	return u + k
}
