package ops_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// tmpfsWrap is the command line that runs the rest of a command in its
// own mount namespace with a small tmpfs mounted on dir, so the test needs
// no cleanup if it dies; "" when this machine cannot (not root, no
// unshare): the test is skipped with that reason.
func tmpfsWrap(t *testing.T, dir, size string) []string {
	t.Helper()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("full-disk test skipped: unshare (util-linux) is not installed")
	}
	probe := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", `mount -t tmpfs -o size=1m tmpfs "$1"`, "sh", t.TempDir())
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("full-disk test skipped: cannot mount a tmpfs here (needs root or user namespaces): %v %s", err, out)
	}
	// $1 is the data dir, $2… the serve command (its binary first); the
	// superuser is made on the tmpfs, inside the namespace.
	script := `mount -t tmpfs -o size=` + size + ` tmpfs "$1" && "$2" superuser upsert ` + adminEmail + ` ` + adminPassword + ` --dir "$1" >/dev/null && shift && exec "$@"`
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", dir}
}

// TestFullDiskAnswersClearlyAndServesReads: when the data disk fills up a
// push is refused with a clear error (nothing saved, try later), the cause
// is written to stderr (the database log cannot be written either), and
// reads go on being served.
func TestFullDiskAnswersClearlyAndServesReads(t *testing.T) {
	dir := t.TempDir() + "/pb_data"
	s := serve(t, dir, tmpfsWrap(t, dir, "24m")...)
	st := setUp(t, s)

	notes := strings.Repeat("楼道堆放杂物，已提醒清理。", 150) // about 2,000 characters
	var full pushAnswer
	var status int
	// Each push carries 200 visits of about 6 KB of notes: 1.2 MB, so the
	// 24 MB disk is full long before the hundredth (counted, not timed: a
	// loaded machine only makes the pushes slower).
	for i := 0; ; i++ {
		ids, body := visitBatch(st.household, "disk", i*200, 200, notes)
		var ans pushAnswer
		code, err := st.officer.do(context.Background(), http.MethodPost, "/sync/push", body, &ans)
		if err != nil {
			t.Fatalf("push %d: %v\n%s", i, err, s.stderr.String())
		}
		if code != http.StatusOK || !ans.acknowledged(len(ids)) {
			full, status = ans, code
			break
		}
		if i == 100 {
			t.Fatal("the 24 MB disk never filled: 100 pushes of 1.2 MB were all saved")
		}
	}
	t.Run("the push that does not fit is refused saying so", func(t *testing.T) {
		if status != http.StatusServiceUnavailable || full.Error.Code != "unavailable" || !strings.Contains(full.Error.Message, "存储空间已满") {
			t.Fatalf("status %d, answer %+v", status, full)
		}
	})
	t.Run("the cause is on stderr", func(t *testing.T) {
		// The failure is logged as the request ends, which may be just
		// after its answer reached the client: wait for the line.
		named := func(log string) bool {
			return strings.Contains(log, "disk is full") || strings.Contains(log, "no space left")
		}
		deadline := time.Now().Add(20 * time.Second)
		for !named(s.stderr.String()) {
			if time.Now().After(deadline) {
				t.Fatalf("stderr does not name the full disk:\n%.2000s", s.stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("reads are still served", func(t *testing.T) {
		var page struct{ Docs []map[string]any }
		st.officer.must(http.MethodGet, "/sync/pull?collection=visits&limit=50", nil, &page, http.StatusOK)
		if len(page.Docs) == 0 {
			t.Fatal("no visits pulled")
		}
		st.officer.must(http.MethodGet, "/sync/me", nil, nil, http.StatusOK)
		res, err := http.Get(s.url("/login"))
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("sign-in page: %v %v", res, err)
		}
		res.Body.Close()
	})
}
