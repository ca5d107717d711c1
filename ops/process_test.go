package ops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The binary under test, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "zoufang-ops-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "zoufang")
	// go test caches a package's result by what the test reads; the binary
	// built below is not among it. Opening every source file makes a change
	// to any of them run these tests again.
	_ = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || (d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".go") || strings.HasPrefix(d.Name(), "go.") || strings.Contains(p, "static")) {
			if f, err := os.Open(p); err == nil {
				f.Close()
			}
		}
		return nil
	})
	build := exec.Command("go", "build", "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build zoufang:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Credentials of the station every test sets up.
const (
	adminEmail    = "admin@ops.example"
	adminPassword = "ops-admin-password-1"
	officerBadge  = "300001"
	officerPass   = "ops-officer-pass"
)

// freeAddr is a loopback address with a port no one listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer is a buffer a child process writes to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is one zoufang serve process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	stderr *syncBuffer
	exited chan struct{}
}

func (s *server) url(path string) string { return "http://" + s.addr + path }

// runZoufang runs a zoufang command to completion.
func runZoufang(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command(binary, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("zoufang %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// serve starts `zoufang serve` on dir (through wrap, if given: a command
// line that ends by running the rest) and waits for its health check.
func serve(t *testing.T, dir string, wrap ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), stderr: &syncBuffer{}, exited: make(chan struct{})}
	args := append(wrap, binary, "serve", "--http", s.addr, "--dir", dir)
	s.cmd = exec.Command(args[0], args[1:]...)
	s.cmd.Stdout = io.Discard
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start zoufang: %v", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { s.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.url("/api/health"))
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("zoufang serve exited before it was healthy:\n%s", s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("zoufang serve not healthy after 30 s:\n%s", s.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.exited
}

// client talks to a server, as the superuser (token) or as an officer
// (session cookie).
type client struct {
	t     *testing.T
	base  string
	http  *http.Client
	token string
}

func newClient(t *testing.T, s *server) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: s.url(""), http: &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a JSON request and decodes the answer into out.
func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, fmt.Errorf("decode %s answer (%d): %w: %.200s", path, res.StatusCode, err, b)
		}
	}
	return res.StatusCode, nil
}

// must is do that fails the test on anything but want.
func (c *client) must(method, path string, body, out any, want int) {
	c.t.Helper()
	got, err := c.do(context.Background(), method, path, body, out)
	if err != nil || got != want {
		c.t.Fatalf("%s %s: status %d, err %v, want %d", method, path, got, err, want)
	}
}

// station is what setUp made.
type station struct {
	admin     *client
	officer   *client
	household string
}

// setUp creates the superuser (before serving, as an operator does), then
// through the REST API a community, an officer and a household, and signs
// the officer in through /login.
func setUp(t *testing.T, s *server) station {
	t.Helper()
	admin := newClient(t, s)
	var auth struct{ Token string }
	admin.must(http.MethodPost, "/api/collections/_superusers/auth-with-password", map[string]any{"identity": adminEmail, "password": adminPassword}, &auth, http.StatusOK)
	admin.token = auth.Token
	var comm, hh struct{ ID string }
	admin.must(http.MethodPost, "/api/collections/communities/records", map[string]any{"name": "吴牙社区", "code": "wuya"}, &comm, http.StatusOK)
	admin.must(http.MethodPost, "/api/collections/officers/records", map[string]any{"badge": officerBadge, "name": "李卫东", "role": "officer",
		"communities": []string{comm.ID}, "active": true, "password": officerPass, "passwordConfirm": officerPass}, nil, http.StatusOK)
	admin.must(http.MethodPost, "/api/collections/households/records", map[string]any{"community": comm.ID, "building": "柳营巷1号"}, &hh, http.StatusOK)
	return station{admin: admin, officer: signIn(t, s), household: hh.ID}
}

// signIn signs the officer in through the sign-in form.
func signIn(t *testing.T, s *server) *client {
	t.Helper()
	c := newClient(t, s)
	res, err := c.http.PostForm(c.base+"/login", url.Values{"identity": {officerBadge}, "password": {officerPass}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	return c
}

// visitBatch is n visits of household, ids prefix+number.
func visitBatch(household, prefix string, from, n int, notes string) ([]string, map[string]any) {
	ids := make([]string, n)
	items := make([]any, n)
	at := time.Now().Add(-time.Hour).UTC()
	for i := range n {
		ids[i] = fmt.Sprintf("%s%0*d", prefix, 15-len(prefix), from+i)
		items[i] = map[string]any{"id": ids[i], "household": household, "visited_at": at.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano),
			"outcome": "met", "notes": notes}
	}
	return ids, map[string]any{"visits": items}
}

type pushAnswer struct {
	Results []struct{ ID, Status string }
	Error   struct{ Code, Message string }
}

// acknowledged reports whether a push's answer acknowledged every item.
func (a pushAnswer) acknowledged(n int) bool {
	if len(a.Results) != n {
		return false
	}
	for _, r := range a.Results {
		if r.Status != "created" && r.Status != "exists" {
			return false
		}
	}
	return true
}

// prepare makes a data dir with the superuser in it.
func prepare(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pb_data")
	runZoufang(t, "superuser", "upsert", adminEmail, adminPassword, "--dir", dir)
	return dir
}
