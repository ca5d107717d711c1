package ops_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// litestreamPath finds the litestream binary: on PATH, or where `go
// install` puts it. Without it the test is skipped with the install
// command, unless ZOUFANG_REQUIRE_LITESTREAM=1 (CI), where it fails.
func litestreamPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("litestream"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "litestream")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	const install = "go install github.com/benbjohnson/litestream/cmd/litestream@v0.5.18"
	if os.Getenv("ZOUFANG_REQUIRE_LITESTREAM") == "1" {
		t.Fatal("litestream is required (ZOUFANG_REQUIRE_LITESTREAM=1) but not installed: " + install)
	}
	t.Skip("restore test skipped: litestream is not installed (" + install + ")")
	return ""
}

// docBlock is the fenced block that follows marker in docs/operations.md:
// the test runs what the operator reads.
func docBlock(t *testing.T, marker string) string {
	t.Helper()
	b, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "<!-- drill: "+marker+" -->")
	if i < 0 {
		t.Fatalf("docs/operations.md has no %q block", marker)
	}
	rest := doc[i:]
	start := strings.Index(rest, "```")
	open := strings.Index(rest[start:], "\n") + start + 1
	end := strings.Index(rest[open:], "```") + open
	return rest[open:end]
}

// countVisits opens a restored database and counts the visits with ids.
func visitIDs(t *testing.T, path string) map[string]bool {
	t.Helper()
	db, err := core.DefaultDBConnect(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []string
	_ = db.Select("id").From("visits").Column(&ids) // a restore still under way may have no table yet
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// TestRestoreDrill: the documented Litestream configuration replicates a
// running station to a file replica; the server is killed; the documented
// drill restores into a fresh data directory, and the restored server has
// every visit that was acknowledged.
func TestRestoreDrill(t *testing.T) {
	litestream := litestreamPath(t)
	dir := prepare(t)
	backup := t.TempDir()
	work := t.TempDir()
	config := filepath.Join(work, "litestream.yml")
	if err := os.WriteFile(config, []byte(docBlock(t, "litestream.yml")), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "DATA="+dir, "BACKUP="+backup)

	s := serve(t, dir)
	st := setUp(t, s)

	rep := exec.Command(litestream, "replicate", "-config", config)
	rep.Env = env
	logs := &syncBuffer{}
	rep.Stdout, rep.Stderr = logs, logs
	if err := rep.Start(); err != nil {
		t.Fatal(err)
	}
	repDone := make(chan struct{})
	go func() { _ = rep.Wait(); close(repDone) }()
	t.Cleanup(func() { _ = rep.Process.Kill(); <-repDone })

	var acked []string
	for i := range 3 {
		ids, body := visitBatch(st.household, "drill", i*300, 300, "长假照看检查正常")
		var ans pushAnswer
		st.officer.must(http.MethodPost, "/sync/push", body, &ans, http.StatusOK)
		if !ans.acknowledged(len(ids)) {
			t.Fatalf("push %d not acknowledged", i)
		}
		acked = append(acked, ids...)
	}

	// Wait until the replica holds every acknowledged visit.
	deadline := time.Now().Add(90 * time.Second)
	for n := 0; ; n++ {
		probe := filepath.Join(work, fmt.Sprintf("probe%d.db", n))
		cmd := exec.Command(litestream, "restore", "-config", config, "-o", probe, filepath.Join(dir, "data.db"))
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err == nil {
			if got := visitIDs(t, probe); len(got) >= len(acked) {
				break
			}
		} else if time.Now().After(deadline) {
			t.Fatalf("litestream restore: %v\n%s\nreplicate:\n%s", err, out, logs.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not catch up in 90 s:\n%s", logs.String())
		}
		time.Sleep(500 * time.Millisecond)
	}

	// The live node is lost.
	s.kill()
	_ = rep.Process.Signal(syscall.SIGTERM)
	<-repDone

	restored := filepath.Join(t.TempDir(), "pb_data")
	drill := exec.Command("bash", "-euo", "pipefail", "-c", docBlock(t, "restore"))
	drill.Env = append(env, "LITESTREAM_CONFIG="+config, "ZOUFANG="+binary, "RESTORED="+restored,
		"PATH="+filepath.Dir(litestream)+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := drill.CombinedOutput(); err != nil {
		t.Fatalf("the documented restore drill failed: %v\n%s", err, out)
	}

	t.Run("the restored station serves every acknowledged visit", func(t *testing.T) {
		s2 := serve(t, restored)
		officer := signIn(t, s2)
		got := map[string]bool{}
		updated, id := "", ""
		for {
			var page struct {
				Docs       []struct{ ID string }
				Checkpoint struct{ Updated, ID string }
				More       bool
			}
			officer.must(http.MethodGet, "/sync/pull?collection=visits&limit=1000&updated="+urlEscape(updated)+"&id="+id, nil, &page, http.StatusOK)
			for _, d := range page.Docs {
				got[d.ID] = true
			}
			updated, id = page.Checkpoint.Updated, page.Checkpoint.ID
			if !page.More {
				break
			}
		}
		for _, id := range acked {
			if !got[id] {
				t.Fatalf("visit %s was acknowledged but is not in the restored station (%d of %d there)", id, len(got), len(acked))
			}
		}
	})
}

func urlEscape(s string) string {
	return strings.NewReplacer(" ", "%20", ":", "%3A", "+", "%2B").Replace(s)
}
