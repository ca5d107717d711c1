// Command scale measures the paths that must stay fast as a station grows
// (DESIGN §10, docs/benchmarks.md) on generated districts, as a whole
// process over real HTTP:
//
//	go run ./cmd/scale -households 10000,100000 -visits-per-household 10
//
// For each size it generates a district with `zoufang gen district` (once:
// the data dirs are cached under -dir and reused by later runs), starts
// `zoufang serve` on it as a child process, signs in as the deputy chief
// and officers through /login, and times each path -runs times after one
// warm-up, reporting the median. It prints a markdown table.
//
// The server is a child process built from this checkout, not an app
// started in process, so that what is measured is the binary operators
// run, with its own HTTP server, middleware and start-up migrations, and
// its memory (VmRSS) is the server's alone, not the client's as well.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"zoufang/gen"
	"zoufang/replica"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

type config struct {
	sizes    []int
	perHH    int
	seed     uint64
	dir      string
	runs     int
	out      string
	areaSize int
	bin      string
	now      string
	only     map[string]bool
	form     string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	sizes := fs.String("households", "10000,100000", "district sizes in households, comma-separated")
	var cfg config
	fs.IntVar(&cfg.perHH, "visits-per-household", gen.VisitsPerHousehold, "visits per household over the two years")
	fs.Uint64Var(&cfg.seed, "seed", 1, "generator seed")
	fs.StringVar(&cfg.dir, "dir", filepath.Join(os.TempDir(), "zoufang-scale"), "where generated data dirs are cached (and reused)")
	fs.IntVar(&cfg.runs, "runs", 3, "timed runs of each path (after one warm-up); the median is reported")
	fs.StringVar(&cfg.out, "out", "", "also write the markdown table to this file")
	fs.IntVar(&cfg.areaSize, "area", 5000, "households in the area whose full pull is measured")
	fs.StringVar(&cfg.bin, "bin", "", "measure this zoufang binary instead of building the checkout (another version, for before and after)")
	fs.StringVar(&cfg.now, "now", "", "where a newly generated history ends (RFC 3339; default: the present minute)")
	only := fs.String("paths", "", "measure only these paths (comma-separated keys; default all)")
	fs.StringVar(&cfg.form, "form", "", "the area pulls' form= parameter (the field app's compact columns: \"cols\")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *only != "" {
		cfg.only = map[string]bool{}
		for _, k := range strings.Split(*only, ",") {
			cfg.only[strings.TrimSpace(k)] = true
		}
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(s, "_", "")))
		if err != nil || n <= 0 {
			return fmt.Errorf("-households %q: want positive numbers", *sizes)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	if cfg.runs < 1 {
		cfg.runs = 1
	}
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return err
	}
	bin := cfg.bin
	if bin == "" {
		bin = filepath.Join(cfg.dir, "zoufang")
		fmt.Fprintln(stderr, "scale: building", bin)
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
		build.Dir, build.Stdout, build.Stderr = moduleRoot(), stderr, stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build: %w", err)
		}
	}
	var results []*sizeResult
	for _, n := range cfg.sizes {
		r, err := measureSize(ctx, cfg, bin, n, stderr)
		if err != nil {
			return fmt.Errorf("%d households: %w", n, err)
		}
		results = append(results, r)
	}
	table := render(cfg, results, strings.Join(append([]string{"go run ./cmd/scale"}, args...), " "))
	fmt.Fprint(stdout, table)
	if cfg.out != "" {
		return os.WriteFile(cfg.out, []byte(table), 0o644)
	}
	return nil
}

func moduleRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "."
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// sizeResult is one district's measurements.
type sizeResult struct {
	households, visits         int
	gen                        string // how the data dir was made
	dirBytes                   int64
	now                        time.Time
	start                      time.Duration // serve start to a healthy /api/health
	rows                       map[string]*metric
	rssIdle, rssQuiet, rssPeak int64 // KiB
	notVisited                 int   // rows of the not-visited export
}

// metric is the samples of one path.
type metric struct {
	durs   []time.Duration
	bytes  int
	docs   int
	status int
	err    string
}

func (m *metric) median() time.Duration {
	d := slices.Clone(m.durs)
	slices.Sort(d)
	if len(d) == 0 {
		return 0
	}
	return d[len(d)/2]
}

// quietFor is how long the server is left without requests before its
// idle memory is read a second time.
const quietFor = 5 * time.Second

// The measured paths, in the table's order.
var paths = []struct{ key, label string }{
	{"pull_visits", "officer's full pull of visits (90 days), gzip, in -form (the field app's: compact, 5,000 a page)"},
	{"pull_visits_again", "the same officer's next pull of visits (nothing new)"},
	{"pull_visits_full", "the same full pull in the full form, 1,000 a page"},
	{"pull_visits_chief", "deputy chief's first page of visits (1,000 of the station's 90 days)"},
	{"pull_watches", "officer's full pull of holiday watches"},
	{"pull_area", "full pull of a ~5,000-household area's households, gzip"},
	{"pull_area_all", "first full pull of a ~5,000-household area, every replicated collection, gzip"},
	{"targets", "officer's `/sync/me` (today's targets)"},
	{"board", "`/board` (deputy chief)"},
	{"search_address", "`/households?q=` address fragment"},
	{"search_name", "`/households?q=` head of household"},
	{"search_phone", "`/households?q=` phone fragment"},
	{"search_none", "`/households?q=` no match"},
	{"coverage", "`/coverage` (station)"},
	{"coverage_community", "`/coverage?community=` (a community)"},
	{"coverage_officer", "`/coverage?officer=` (an officer)"},
	{"export_not_visited", "`/households.xlsx?days=` not visited, ~10,000 rows"},
	{"visits_xlsx", "`/coverage/visits.xlsx?days=30` every visit of 30 days"},
	{"book", "`/visits/book?month=` all officers"},
	{"book_xlsx", "`/visits/book.xlsx?month=` all officers"},
}

func measureSize(ctx context.Context, cfg config, bin string, n int, logw io.Writer) (*sizeResult, error) {
	visits := n * cfg.perHH
	home := filepath.Join(cfg.dir, fmt.Sprintf("h%d-v%d-s%d", n, visits, cfg.seed))
	data := filepath.Join(home, "pb_data")
	r := &sizeResult{households: n, visits: visits, rows: map[string]*metric{}}
	report := filepath.Join(home, "gen.txt")
	if b, err := os.ReadFile(report); err == nil {
		r.gen = "reused " + firstLine(string(b))
		fmt.Fprintf(logw, "scale: %d households: reusing %s\n", n, data)
	} else {
		// Generated up to the present minute, so that today's visits so
		// far are on the board and the officers' 90-day window is full.
		if err := os.RemoveAll(home); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(home, 0o755); err != nil {
			return nil, err
		}
		now := cfg.now
		if now == "" {
			now = time.Now().Truncate(time.Minute).Format(time.RFC3339)
		}
		fmt.Fprintf(logw, "scale: %d households: generating into %s\n", n, data)
		var out bytes.Buffer
		g := exec.CommandContext(ctx, bin, "gen", "district", "--households", fmt.Sprint(n), "--visits", fmt.Sprint(visits),
			"--seed", fmt.Sprint(cfg.seed), "--now", now, "--dir", data)
		g.Stdout, g.Stderr = io.MultiWriter(&out, logw), logw
		if err := g.Run(); err != nil {
			return nil, fmt.Errorf("gen district: %w", err)
		}
		if err := os.WriteFile(report, out.Bytes(), 0o644); err != nil {
			return nil, err
		}
		r.gen = firstLine(out.String())
	}
	r.now = genNow(r.gen)
	size, err := gen.DirSize(data)
	if err != nil {
		return nil, err
	}
	r.dirBytes = size

	if err := upsertAdmin(ctx, bin, data); err != nil {
		return nil, err
	}
	srv, err := startServer(ctx, bin, data, home)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	r.start = srv.took
	fmt.Fprintf(logw, "scale: %d households: serving at %s (healthy after %s)\n", n, srv.base, srv.took.Round(time.Millisecond))

	area, err := srv.areaOfficer(cfg.areaSize)
	if err != nil {
		return nil, fmt.Errorf("area officer: %w", err)
	}
	chief, err := srv.signIn(gen.ChiefBadge)
	if err != nil {
		return nil, err
	}
	officer, err := srv.signIn(fmt.Sprint(gen.FirstBadge))
	if err != nil {
		return nil, err
	}
	areaClient, err := srv.signIn(area)
	if err != nil {
		return nil, err
	}
	ids, err := srv.lookups(r.now, min(10000, n/2))
	if err != nil {
		return nil, fmt.Errorf("look-ups: %w", err)
	}
	r.notVisited = ids.notVisited
	month := r.now.AddDate(0, -1, 0).Format("2006-01")
	var again struct{ Updated, ID string }
	areaQuery, areaPage := url.Values{}, 1000
	if cfg.form != "" {
		areaQuery.Set("form", cfg.form)
	}
	if cfg.form == replica.FormCols {
		areaPage = replica.MaxColsLimit // the field app's page
	}
	probes := map[string]func() sample{
		"pull_visits": func() sample {
			smp, cp := srv.fullPull(officer, "visits", areaPage, nil, areaQuery)
			again.Updated, again.ID = cp.Updated, cp.ID
			return smp
		},
		"pull_visits_again": func() sample {
			smp, _ := srv.fullPull(officer, "visits", areaPage, &again, areaQuery)
			return smp
		},
		"pull_visits_full": func() sample {
			smp, _ := srv.fullPull(officer, "visits", 1000, nil, nil)
			return smp
		},
		"pull_visits_chief": func() sample {
			q := url.Values{"collection": {"visits"}, "limit": {"1000"}}
			smp, body := srv.do(chief, "/sync/pull?"+q.Encode(), "application/json")
			var page struct{ Docs []json.RawMessage }
			_ = json.Unmarshal(body, &page)
			smp.docs = len(page.Docs)
			return smp
		},
		"pull_watches": func() sample { smp, _ := srv.fullPull(officer, "holiday_watches", 1000, nil, nil); return smp },
		"pull_area":    func() sample { smp, _ := srv.fullPull(areaClient, "households", areaPage, nil, areaQuery); return smp },
		"pull_area_all": func() sample {
			// What a device with an empty replica pulls for the area: each
			// collection in the order the phone pulls them.
			var total sample
			for _, c := range replica.Collections() {
				smp, _ := srv.fullPull(areaClient, c, areaPage, nil, areaQuery)
				total.took += smp.took
				total.bytes += smp.bytes
				total.docs += smp.docs
				total.status = smp.status
				if smp.err != "" {
					total.err = c + ": " + smp.err
					break
				}
			}
			return total
		},
		"targets":            func() sample { return srv.get(officer, "/sync/me") },
		"board":              func() sample { return srv.get(chief, "/board") },
		"search_address":     func() sample { return srv.get(chief, "/households?q="+url.QueryEscape("小区1")) },
		"search_name":        func() sample { return srv.get(chief, "/households?q="+url.QueryEscape("王建")) },
		"search_phone":       func() sample { return srv.get(chief, "/households?q="+url.QueryEscape("138 12")) },
		"search_none":        func() sample { return srv.get(chief, "/households?q="+url.QueryEscape("不存在的地址")) },
		"coverage":           func() sample { return srv.get(chief, "/coverage") },
		"coverage_community": func() sample { return srv.get(chief, "/coverage?community="+ids.community) },
		"coverage_officer":   func() sample { return srv.get(chief, "/coverage?officer="+ids.officer) },
		"export_not_visited": func() sample { return srv.get(chief, fmt.Sprintf("/households.xlsx?days=%d", ids.notVisitedDays)) },
		"visits_xlsx":        func() sample { return srv.get(chief, "/coverage/visits.xlsx?days=30") },
		"book":               func() sample { return srv.get(chief, "/visits/book?month="+month) },
		"book_xlsx":          func() sample { return srv.get(chief, "/visits/book.xlsx?month="+month) },
	}
	// One warm-up pass of every path (the search index, SQLite's page
	// cache, the phone formatting memo), then the memory of an idle
	// server, then the timed runs.
	for _, p := range paths {
		if cfg.only != nil && !cfg.only[p.key] {
			continue
		}
		fmt.Fprintf(logw, "scale: %d households: warm-up %s\n", n, p.key)
		probes[p.key]()
	}
	r.rssIdle, _ = srv.memory("VmRSS")
	// And after a few seconds without a request: what the server keeps
	// once what it does after an answer (giving a large export's memory
	// back) is done.
	time.Sleep(quietFor)
	r.rssQuiet, _ = srv.memory("VmRSS")
	for _, p := range paths {
		if cfg.only != nil && !cfg.only[p.key] {
			continue
		}
		m := &metric{}
		r.rows[p.key] = m
		for range cfg.runs {
			s := probes[p.key]()
			m.status, m.bytes, m.docs = s.status, s.bytes, s.docs
			if s.err != "" {
				// One failure is the answer: a path that fails is not
				// retried to a median.
				m.err, m.durs = s.err, []time.Duration{s.took}
				break
			}
			m.durs = append(m.durs, s.took)
		}
		fmt.Fprintf(logw, "scale: %d households: %s %s (%d)\n", n, p.key, m.median().Round(time.Millisecond), m.status)
	}
	r.rssPeak, _ = srv.memory("VmHWM")
	return r, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// genNow reads where the history ends from gen district's first line.
func genNow(line string) time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if _, rest, ok := strings.Cut(line, " to "); ok && len(rest) >= 16 {
		if t, err := time.ParseInLocation("2006-01-02 15:04", rest[:16], loc); err == nil {
			return t
		}
	}
	return time.Now().In(loc)
}

// server is a running `zoufang serve`.
type server struct {
	cmd  *exec.Cmd
	base string
	took time.Duration
	done chan error
}

func startServer(ctx context.Context, bin, data, home string) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	logf, err := os.Create(filepath.Join(home, "serve.log"))
	if err != nil {
		return nil, err
	}
	s := &server{base: "http://" + addr, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "--http", addr, "--dir", data)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.done <- s.cmd.Wait(); logf.Close() }()
	// Wait until it answers its health check (migrations run first).
	deadline := time.Now().Add(10 * time.Minute)
	for {
		res, err := http.Get(s.base + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("serve exited: %v (see %s)", err, filepath.Join(home, "serve.log"))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("serve did not become healthy in 10 minutes")
		}
	}
	s.took = time.Since(began)
	return s, nil
}

func (s *server) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// memory reads a field of the server's /proc status, in KiB.
func (s *server) memory(field string) (int64, error) {
	if runtime.GOOS != "linux" {
		return 0, errors.New("memory is read from /proc")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			return strconv.ParseInt(strings.Fields(line)[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s", field)
}

// newClient is an HTTP client (with a cookie jar) that neither asks for nor undoes
// compression itself, so that the bytes it counts are the bytes on the wire.
func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Minute,
		Transport:     &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *server) signIn(badge string) (*http.Client, error) {
	c := newClient()
	res, err := c.PostForm(s.base+"/login", url.Values{"identity": {badge}, "password": {gen.Password}})
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in as %s: status %d", badge, res.StatusCode)
	}
	return c, nil
}

// sample is one timed request or full pull.
type sample struct {
	took   time.Duration
	bytes  int // on the wire
	docs   int
	status int
	err    string
}

func (s *server) do(c *http.Client, path string, accept string) (sample, []byte) {
	req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	began := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return sample{err: err.Error()}, nil
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	smp := sample{took: time.Since(began), bytes: len(body), status: res.StatusCode}
	if err != nil {
		smp.err = err.Error()
	} else if res.StatusCode != http.StatusOK {
		smp.err = fmt.Sprintf("status %d", res.StatusCode)
	}
	if res.Header.Get("Content-Encoding") == "gzip" {
		if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
			body, _ = io.ReadAll(zr)
		}
	}
	return smp, body
}

func (s *server) get(c *http.Client, path string) sample {
	smp, _ := s.do(c, path, "")
	return smp
}

// checkpoint is where a pull stands.
type checkpoint struct{ Updated, ID string }

// fullPull pages through /sync/pull of collection, limit a page, from
// from (the start when nil), as a device with an empty replica does; extra
// goes along with every page's query.
func (s *server) fullPull(c *http.Client, collection string, limit int, from *struct{ Updated, ID string }, extra url.Values) (sample, checkpoint) {
	var total sample
	cp := checkpoint{}
	if from != nil {
		cp = checkpoint{from.Updated, from.ID}
	}
	for {
		q := url.Values{"collection": {collection}, "limit": {strconv.Itoa(limit)}, "updated": {cp.Updated}, "id": {cp.ID}}
		for k, v := range extra {
			q[k] = v
		}
		smp, body := s.do(c, "/sync/pull?"+q.Encode(), "application/json")
		total.took += smp.took
		total.bytes += smp.bytes
		total.status = smp.status
		if smp.err != "" {
			total.err = smp.err
			return total, cp
		}
		var page struct {
			Docs       []json.RawMessage `json:"docs"`
			N          int               `json:"n"` // the compact form's count
			Rows       []json.RawMessage `json:"rows"`
			Checkpoint struct {
				Updated string `json:"updated"`
				ID      string `json:"id"`
			} `json:"checkpoint"`
			More bool `json:"more"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			total.err = "decode: " + err.Error()
			return total, cp
		}
		total.docs += len(page.Docs) + len(page.Rows) + page.N
		cp.Updated, cp.ID = page.Checkpoint.Updated, page.Checkpoint.ID
		if !page.More {
			return total, cp
		}
	}
}

// lookupIDs are the ids and figures some paths need.
type lookupIDs struct {
	community, officer string // the first community (by code), officer 330101
	notVisitedDays     int    // a "not visited for N days" with about the wanted rows
	notVisited         int    // how many rows it lists
}

// lookups finds them through the REST API, as the station admin.
func (s *server) lookups(now time.Time, want int) (lookupIDs, error) {
	var ids lookupIDs
	tok, err := s.adminToken()
	if err != nil {
		return ids, err
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		TotalItems int `json:"totalItems"`
	}
	if err := s.api("GET", "/api/collections/communities/records?perPage=1&sort=code&fields=id", tok, nil, &list); err != nil || len(list.Items) == 0 {
		return ids, fmt.Errorf("first community: %v", err)
	}
	ids.community = list.Items[0].ID
	if err := s.api("GET", "/api/collections/officers/records?perPage=1&fields=id&filter="+url.QueryEscape(fmt.Sprintf("badge='%d'", gen.FirstBadge)), tok, nil, &list); err != nil || len(list.Items) == 0 {
		return ids, fmt.Errorf("officer %d: %v", gen.FirstBadge, err)
	}
	ids.officer = list.Items[0].ID
	// The fewest days whose "not visited for N days" lists at most want
	// households (never visited included, as the search counts them).
	count := func(days int) (int, error) {
		cut := now.AddDate(0, 0, -days).UTC().Format("2006-01-02 15:04:05.000Z")
		f := fmt.Sprintf("archived=false && last_visited_at<'%s'", cut)
		err := s.api("GET", "/api/collections/households/records?perPage=1&fields=id&filter="+url.QueryEscape(f), tok, nil, &list)
		return list.TotalItems, err
	}
	lo, hi := 1, 800
	for lo < hi {
		mid := (lo + hi) / 2
		n, err := count(mid)
		if err != nil {
			return ids, err
		}
		if n <= want {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	ids.notVisitedDays = lo
	ids.notVisited, err = count(lo)
	return ids, err
}

func (s *server) adminToken() (string, error) {
	var auth struct {
		Token string `json:"token"`
	}
	err := s.api("POST", "/api/collections/_superusers/auth-with-password", "", map[string]string{"identity": adminEmail, "password": adminPwd}, &auth)
	return auth.Token, err
}

// areaBadge is the officer the tool adds for the area pull, and the
// station admin it signs in as to add them.
const (
	areaBadge            = "339000"
	adminEmail, adminPwd = "scale@zoufang.example", "scale-password-2026"
)

// upsertAdmin makes the tool's station admin (before the server starts).
func upsertAdmin(ctx context.Context, bin, data string) error {
	up := exec.CommandContext(ctx, bin, "superuser", "upsert", adminEmail, adminPwd, "--dir", data)
	if out, err := up.CombinedOutput(); err != nil {
		return fmt.Errorf("superuser upsert: %v: %s", err, out)
	}
	return nil
}

// api calls PocketBase's REST API with token and decodes the answer.
func (s *server) api(method, path, token string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}

// areaOfficer makes sure the station has an officer whose area is the
// first communities (by code) that together hold about want households,
// and returns their badge. A generated station has one community (about
// 1,700 households) per officer; the tool adds this one through
// PocketBase's REST API as a station admin, so the record goes through the
// app's hooks like any other. It stays in the cached data dir.
func (s *server) areaOfficer(want int) (string, error) {
	tok, err := s.adminToken()
	if err != nil {
		return "", err
	}
	var found struct {
		TotalItems int `json:"totalItems"`
	}
	if err := s.api("GET", "/api/collections/officers/records?perPage=1&filter="+url.QueryEscape("badge='"+areaBadge+"'"), tok, nil, &found); err != nil {
		return "", err
	}
	if found.TotalItems > 0 {
		return areaBadge, nil
	}
	var comms struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := s.api("GET", "/api/collections/communities/records?perPage=500&sort=code&fields=id", tok, nil, &comms); err != nil {
		return "", err
	}
	var area []string
	held := 0
	for _, c := range comms.Items {
		if held >= want*9/10 {
			break
		}
		var n struct {
			TotalItems int `json:"totalItems"`
		}
		if err := s.api("GET", "/api/collections/households/records?perPage=1&fields=id&filter="+url.QueryEscape("community='"+c.ID+"'"), tok, nil, &n); err != nil {
			return "", err
		}
		area, held = append(area, c.ID), held+n.TotalItems
	}
	var created map[string]any
	err = s.api("POST", "/api/collections/officers/records", tok, map[string]any{
		"badge": areaBadge, "name": "测量用民警", "role": "officer", "communities": area, "active": true,
		"password": gen.Password, "passwordConfirm": gen.Password,
	}, &created)
	return areaBadge, err
}

func render(cfg config, rs []*sizeResult, command string) string {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "Measured %s on %s (%d CPUs, %s), medians of %d runs after a warm-up:\n\n", time.Now().Format("2006-01-02"), host, runtime.NumCPU(), runtime.Version(), cfg.runs)
	fmt.Fprintf(&b, "```sh\n%s\n```\n\n", command)
	b.WriteString("| path |")
	for _, r := range rs {
		fmt.Fprintf(&b, " %s households, %s visits |", gen.Thousands(r.households), gen.Thousands(r.visits))
	}
	b.WriteString("\n|---|")
	for range rs {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	row := func(label string, cell func(*sizeResult) string) {
		fmt.Fprintf(&b, "| %s |", label)
		for _, r := range rs {
			fmt.Fprintf(&b, " %s |", cell(r))
		}
		b.WriteString("\n")
	}
	row("data dir", func(r *sizeResult) string { return fmt.Sprintf("%.0f MiB", float64(r.dirBytes)/(1<<20)) })
	row("`serve` start to healthy", func(r *sizeResult) string { return ms(r.start) })
	for _, p := range paths {
		if cfg.only != nil && !cfg.only[p.key] {
			continue
		}
		row(p.label, func(r *sizeResult) string {
			m := r.rows[p.key]
			if m == nil {
				return "–"
			}
			if m.err != "" {
				return "**" + m.err + "** after " + ms(m.median())
			}
			cell := ms(m.median())
			switch {
			case strings.HasPrefix(p.key, "pull"):
				cell += fmt.Sprintf(" · %s docs · %s", gen.Thousands(m.docs), kib(m.bytes))
			case p.key == "export_not_visited":
				cell += fmt.Sprintf(" · %s rows · %s", gen.Thousands(r.notVisited), kib(m.bytes))
			case strings.Contains(p.key, "xlsx") || p.key == "book":
				cell += " · " + kib(m.bytes)
			}
			return cell
		})
	}
	row(fmt.Sprintf("server RSS right after the warm-up (its last path an export) / %v later, idle / peak", quietFor), func(r *sizeResult) string {
		return fmt.Sprintf("%d / %d / %d MiB", r.rssIdle/1024, r.rssQuiet/1024, r.rssPeak/1024)
	})
	b.WriteString("\nData: ")
	for i, r := range rs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.gen)
	}
	b.WriteString(".\n")
	return b.String()
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

func kib(n int) string {
	if n >= 10<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n/1024)
}
