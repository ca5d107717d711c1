package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/gen"
	"zoufang/station"
)

// districtOptions run the broadcast probe against a real `zoufang serve`.
type districtOptions struct {
	Bin, Dir   string
	Conns      int
	Broadcasts int
	Gap        time.Duration
	Dialers    int
	Chief      bool // the deputy chief watches too (so boards are computed)
}

// loadBadge is the badge of the i-th load officer: letters the generator
// never uses, so a data dir prepared twice reuses its officers.
func loadBadge(i int) string { return fmt.Sprintf("WSL%05d", i) }

// districtPlan is what prepare hands the probe: a session per connection
// (one load officer each), the deputy chief's, and households to visit.
type districtPlan struct {
	Officers   []string // session tokens, one per connection
	Chief      string
	Households []string
}

// prepare adds the load officers to a generated district's data dir (with
// the server stopped) and mints their sessions. Each load officer covers
// every community, so a visit pushed anywhere is a "changed" message to
// every connection: the broadcast whose fan-out is measured.
func prepare(dir string, conns, broadcasts int) (*districtPlan, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	defer app.ResetBootstrapState()

	var comms []string
	if err := app.DB().Select("id").From("communities").OrderBy("id").Limit(99).Column(&comms); err != nil {
		return nil, err
	}
	if len(comms) == 0 {
		return nil, errors.New("no communities: is this a generated district?")
	}
	p := &districtPlan{}
	// Households never visited today, so each push is a new home.
	if err := app.DB().NewQuery(`SELECT id FROM households WHERE id NOT IN
		(SELECT household FROM visits WHERE visited_at >= {:since}) ORDER BY id LIMIT {:n}`).
		Bind(dbx.Params{"since": station.DBTime(time.Now().Add(-24 * time.Hour)), "n": broadcasts + 10}).
		Column(&p.Households); err != nil {
		return nil, fmt.Errorf("households: %w", err)
	}
	officers, err := app.FindCollectionByNameOrId("officers")
	if err != nil {
		return nil, err
	}
	chief, err := app.FindFirstRecordByData("officers", "badge", gen.ChiefBadge)
	if err != nil {
		return nil, fmt.Errorf("deputy chief %s: %w", gen.ChiefBadge, err)
	}
	if p.Chief, err = chief.NewAuthToken(); err != nil {
		return nil, err
	}
	hash := chief.GetString("password:hash") // no 2,000 bcrypt hashes
	err = app.RunInTransaction(func(tx core.App) error {
		for i := 0; i < conns; i++ {
			r, err := tx.FindFirstRecordByData("officers", "badge", loadBadge(i))
			if err != nil {
				r = core.NewRecord(officers)
				r.Set("badge", loadBadge(i))
				r.Set("email", strings.ToLower(loadBadge(i))+"@wsload.example")
				r.Set("name", fmt.Sprintf("压测民警%05d", i))
				r.Set("role", station.RoleOfficer)
				r.SetRaw("password", &core.PasswordFieldValue{Hash: hash})
				r.RefreshTokenKey()
			}
			r.Set("communities", comms)
			r.Set("active", true)
			if err := tx.Save(r); err != nil {
				return fmt.Errorf("load officer %d: %w", i, err)
			}
			tok, err := r.NewAuthToken()
			if err != nil {
				return err
			}
			p.Officers = append(p.Officers, tok)
		}
		return nil
	})
	return p, err
}

// runDistrict prepares dir, serves it with bin as a child process, opens
// the connections and measures o.Broadcasts broadcasts, one at a time.
func runDistrict(o districtOptions) error {
	fmt.Printf("wsload: %d load officers' connections (deputy chief too: %v) against `%s serve --dir %s`; %d broadcasts %v apart; %s\n",
		o.Conns, o.Chief, o.Bin, o.Dir, o.Broadcasts, o.Gap, raiseFDLimit())
	t0 := time.Now()
	p, err := prepare(o.Dir, o.Conns, o.Broadcasts)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if len(p.Households) < o.Broadcasts {
		return fmt.Errorf("only %d households left unvisited today", len(p.Households))
	}
	fmt.Printf("prepared %d load officers in %v\n", len(p.Officers), time.Since(t0).Round(time.Millisecond))

	srv, err := startServe(o.Bin, o.Dir)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("serving at %s (pid %d), healthy after %v\n", srv.base, srv.cmd.Process.Pid, srv.took.Round(time.Millisecond))
	time.Sleep(2 * time.Second) // the search index's warm-up
	idle := srv.status()
	cpu0 := srv.cpu()

	// Connect.
	wsURL := "ws" + strings.TrimPrefix(srv.base, "http") + "/ws"
	conns := make([]*probeConn, 0, o.Conns+1)
	var (
		connMu sync.Mutex
		wg     sync.WaitGroup
		failed atomic.Int64
		errs   []string
	)
	sem := make(chan struct{}, o.Dialers)
	started := time.Now()
	tokens := append([]string{}, p.Officers...)
	if o.Chief {
		tokens = append(tokens, p.Chief)
	}
	for i, tok := range tokens {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 512, HandshakeTimeout: 30 * time.Second}
			ws, _, err := d.Dial(wsURL, http.Header{"Origin": {srv.base}, "Cookie": {"zf_session=" + tok}})
			if err != nil {
				failed.Add(1)
				connMu.Lock()
				if len(errs) < 5 {
					errs = append(errs, err.Error())
				}
				connMu.Unlock()
				return
			}
			_ = ws.WriteJSON(map[string]any{"type": "hello", "device": fmt.Sprintf("wsload-%d", i), "app_version": "wsload", "pending": 0})
			c := &probeConn{ws: ws, chief: tok == p.Chief}
			connMu.Lock()
			conns = append(conns, c)
			connMu.Unlock()
			go c.read()
		}()
	}
	wg.Wait()
	fmt.Printf("connected %d of %d in %v; failed %d %v\n", len(conns), len(tokens), time.Since(started).Round(time.Millisecond), failed.Load(), errs)
	time.Sleep(3 * time.Second) // the hellos and their boards settle
	connected := srv.status()
	cpu1 := srv.cpu()

	// Broadcast: an officer pushes a met visit; every connection (all
	// cover the household's community) hears "changed". A round ends when
	// every live connection has heard it, or after 5 s.
	pusher := &http.Client{Timeout: 30 * time.Second}
	var deliveries, rounds, pushes []time.Duration
	missed := 0
	peak := connected.rss
	for r := 1; r <= o.Broadcasts; r++ {
		for _, c := range conns {
			c.arm(int64(r))
		}
		body := fmt.Sprintf(`{"visits":[{"id":%q,"household":%q,"visited_at":%q,"kind":"routine","outcome":"met"}]}`,
			newID(), p.Households[r-1], time.Now().UTC().Format(time.RFC3339Nano))
		req, _ := http.NewRequest(http.MethodPost, srv.base+"/sync/push", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		// A different officer each time, as visits come in a station: one
		// officer's targets do not grow with the run.
		req.Header.Set("Cookie", "zf_session="+p.Officers[(r-1)%len(p.Officers)])
		sent := time.Now()
		res, err := pusher.Do(req)
		if err != nil {
			return fmt.Errorf("push: %w", err)
		}
		answer, _ := io.ReadAll(res.Body)
		res.Body.Close()
		pushes = append(pushes, time.Since(sent))
		if res.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte(`"status":"created"`)) {
			return fmt.Errorf("push: status %d: %.300s", res.StatusCode, answer)
		}
		deadline := sent.Add(5 * time.Second)
		for {
			waiting := 0
			for _, c := range conns {
				if !c.heard() && c.alive() {
					waiting++
				}
			}
			if waiting == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		var last time.Duration
		for _, c := range conns {
			at, ok := c.result()
			if !ok {
				missed++
				continue
			}
			d := at.Sub(sent)
			deliveries = append(deliveries, d)
			last = max(last, d)
		}
		rounds = append(rounds, last)
		if r%20 == 0 {
			peak = max(peak, srv.status().rss)
		}
		time.Sleep(o.Gap)
	}
	cpu2 := srv.cpu()
	end := srv.status()
	alive := 0
	for _, c := range conns {
		if c.alive() {
			alive++
		}
	}

	fmt.Println("\n== broadcast: push sent -> \"changed\" received, every connection")
	d, rd, pu := summarize(deliveries), summarize(rounds), summarize(pushes)
	fmt.Printf("deliveries %d (missed %d): p50 %v  p90 %v  p99 %v  max %v\n", d.N, missed, ms(d.P50), ms(d.P90), ms(d.P99), ms(d.Max))
	fmt.Printf("all reached (per broadcast, %d): p50 %v  p90 %v  p99 %v  max %v\n", rd.N, ms(rd.P50), ms(rd.P90), ms(rd.P99), ms(rd.Max))
	fmt.Printf("push request: p50 %v  p99 %v\n", ms(pu.P50), ms(pu.P99))
	fmt.Printf("connections alive at the end: %d of %d\n", alive, len(conns))
	fmt.Println("\n== server process (VmRSS; VmHWM is the peak)")
	fmt.Printf("idle %s; all connected %s (%+.1f KiB a connection), threads %d; during the run peak %s; end %s; VmHWM %s\n",
		kib(idle.rss), kib(connected.rss), float64(connected.rss-idle.rss)/float64(max(len(conns), 1)), connected.threads, kib(peak), kib(end.rss), kib(end.hwm))
	fmt.Printf("server CPU: %.1fs connecting, %.1fs broadcasting\n", (cpu1 - cpu0).Seconds(), (cpu2 - cpu1).Seconds())
	fmt.Printf("RESULT conns=%d p99=%v all_p99=%v rss_connected_mib=%.1f rss_peak_mib=%.1f\n",
		len(conns), ms(d.P99), ms(rd.P99), float64(connected.rss)/1024, float64(peak)/1024)
	for _, c := range conns {
		_ = c.ws.Close()
	}
	return nil
}

func kib(k int64) string { return fmt.Sprintf("%.1f MiB", float64(k)/1024) }

// probeConn is one client connection: it notes when the armed round's
// "changed" arrives.
type probeConn struct {
	ws    *websocket.Conn
	chief bool
	dead  atomic.Bool

	mu    sync.Mutex
	round int64
	at    time.Time
}

func (c *probeConn) arm(r int64) {
	c.mu.Lock()
	c.round, c.at = r, time.Time{}
	c.mu.Unlock()
}

func (c *probeConn) heard() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.at.IsZero()
}

func (c *probeConn) result() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at, !c.at.IsZero()
}

func (c *probeConn) alive() bool { return !c.dead.Load() }

func (c *probeConn) read() {
	defer c.dead.Store(true)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if len(data) < 512 && bytes.Contains(data, []byte(`"type":"changed"`)) {
			now := time.Now()
			c.mu.Lock()
			if c.at.IsZero() && c.round > 0 {
				c.at = now
			}
			c.mu.Unlock()
		}
	}
}

// serveProc is a running `zoufang serve`.
type serveProc struct {
	cmd  *exec.Cmd
	base string
	took time.Duration
	done chan error
}

func startServe(bin, dir string) (*serveProc, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	logPath := filepath.Join(filepath.Dir(filepath.Clean(dir)), "wsload-serve.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s := &serveProc{base: "http://" + addr, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "--http", addr, "--dir", dir)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.done <- s.cmd.Wait(); logf.Close() }()
	deadline := time.Now().Add(5 * time.Minute)
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
			return nil, fmt.Errorf("serve exited: %v (see %s)", err, logPath)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("serve did not become healthy in 5 minutes")
		}
	}
	s.took = time.Since(began)
	return s, nil
}

func (s *serveProc) stop() {
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

type procStatus struct{ rss, hwm, threads int64 }

// status reads the server's /proc status (memory in KiB).
func (s *serveProc) status() procStatus {
	var st procStatus
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return st
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			st.rss = n
		case "VmHWM:":
			st.hwm = n
		case "Threads:":
			st.threads = n
		}
	}
	return st
}

// cpu is the server's user+system time, from /proc/PID/stat (in clock
// ticks of 10 ms, as on every Linux this runs on).
func (s *serveProc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	sy, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+sy) * 10 * time.Millisecond
}
