// Command wsload measures the live channel under load. One command starts
// the real zoufang app in-process (PocketBase test app on a temp dir, the
// app's hooks and routes, a real HTTP server on 127.0.0.1), seeds a station,
// then runs the clients in a child process (the same binary) so the memory
// reported is the server's alone:
//
//   - -conns authenticated websockets of community officers (default 2,000:
//     2,000 officers with one phone each, which is what "2,000 concurrent
//     authenticated clients" looks like at the most write-heavy end: every
//     connection is a distinct officer whose targets must be computed),
//     plus -chiefs deputy chiefs watching the board;
//   - for -duration, -rate visits a second pushed through POST /sync/push
//     (default officers/10: one visit per second per 10 officers, so each
//     officer pushes every 10 s), each a met visit of a household the
//     officer has not yet visited today so that homes goes up by one;
//   - for every push, the delay from the push answer reaching the client to
//     the pushing officer's websocket receiving the "targets" message with
//     the new homes count.
//
// Sessions are minted with NewAuthToken (no 2,000 password hashes, no
// sign-in rate limit); the clients do not pull after "changed" messages,
// they count them.
//
// Usage: go run ./cmd/wsload [-conns 2000] [-officers N] [-chiefs 1]
// [-communities N] [-duration 30s] [-rate R]
//
// With -serve BIN -dir DIR it measures a real server instead: it adds
// -conns load officers (badges WSL00000…, each covering every community)
// to a generated district's data dir, serves it with `BIN serve` as a
// child process, opens one websocket per load officer plus the deputy
// chief's, and then, -broadcasts times, pushes one met visit and times the
// "changed" message that follows from the push being sent to its arrival
// on every connection. It reports the delivery latencies, the time until
// every connection had it (per broadcast), and the server's VmRSS idle,
// connected and at its peak:
//
//	cp -r /tmp/zoufang-scale/h100000-v1000000-s1/pb_data /tmp/me/pb_data
//	go build -o /tmp/me/zoufang . && go run ./cmd/wsload -serve /tmp/me/zoufang -dir /tmp/me/pb_data
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"zoufang/app"
	"zoufang/households"
	"zoufang/station"
)

func main() {
	var (
		conns       = flag.Int("conns", 2000, "officer websocket connections (devices), spread round-robin over the officers")
		officers    = flag.Int("officers", 0, "community officers (0: one per connection)")
		chiefs      = flag.Int("chiefs", 1, "deputy chiefs watching the board, each with one more connection (with -serve: the district's one deputy chief, if > 0)")
		communities = flag.Int("communities", 0, "communities (0: one per two officers, as a 社区民警 covers a community)")
		duration    = flag.Duration("duration", 30*time.Second, "how long to push visits")
		rate        = flag.Float64("rate", 0, "visits pushed per second in all (0: one per second per 10 officers)")
		workers     = flag.Int("workers", 32, "concurrent push requests at most")
		dialers     = flag.Int("dial-concurrency", 64, "websocket handshakes in flight at most")
		clientPlan  = flag.String("client", "", "internal: run as the client process with this plan file")
		serveBin    = flag.String("serve", "", "probe a real `zoufang serve` built at this path, on -dir, instead of an app in process")
		dataDir     = flag.String("dir", "", "with -serve: a generated district's data dir (a copy: load officers and visits are written to it)")
		broadcasts  = flag.Int("broadcasts", 150, "with -serve: broadcasts to measure, one at a time")
		gap         = flag.Duration("gap", 250*time.Millisecond, "with -serve: pause between broadcasts")
	)
	flag.Parse()
	if *clientPlan != "" {
		os.Exit(runClient(*clientPlan))
	}
	if *serveBin != "" {
		if *dataDir == "" {
			fmt.Fprintln(os.Stderr, "wsload: -serve needs -dir")
			os.Exit(2)
		}
		if err := runDistrict(districtOptions{Bin: *serveBin, Dir: *dataDir, Conns: *conns, Broadcasts: *broadcasts, Gap: *gap, Dialers: *dialers, Chief: *chiefs > 0}); err != nil {
			fmt.Fprintln(os.Stderr, "wsload:", err)
			os.Exit(1)
		}
		return
	}
	if *officers <= 0 {
		*officers = *conns
	}
	if *communities <= 0 {
		*communities = max(1, *officers/2)
	}
	if *rate <= 0 {
		*rate = float64(*officers) / 10
	}
	if err := runServer(serverOptions{
		Conns: *conns, Officers: *officers, Chiefs: *chiefs, Communities: *communities,
		Duration: *duration, Rate: *rate, Workers: *workers, Dialers: *dialers,
	}); err != nil {
		fmt.Fprintln(os.Stderr, "wsload:", err)
		os.Exit(1)
	}
}

type serverOptions struct {
	Conns, Officers, Chiefs, Communities int
	Duration                             time.Duration
	Rate                                 float64
	Workers, Dialers                     int
}

// plan is what the server process hands the client process.
type plan struct {
	URL      string
	Conns    int
	Duration time.Duration
	Rate     float64
	Workers  int
	Dialers  int
	Officers []planOfficer
	Chiefs   []string // session tokens
}

type planOfficer struct {
	ID         string
	Token      string
	Households []string // in the officer's community, none visited yet
}

func runServer(o serverOptions) error {
	fmt.Printf("wsload: %d officer connections (%d officers, %.3g per officer) + %d chief(s); %d communities; %v at %.1f visits/s; GOMAXPROCS %d, %d CPUs\n",
		o.Conns, o.Officers, float64(o.Conns)/float64(o.Officers), o.Chiefs, o.Communities, o.Duration, o.Rate, runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Println("server:", raiseFDLimit())

	tmp, err := os.MkdirTemp("", "wsload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ta, err := tests.NewTestApp(tmp)
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	defer ta.Cleanup()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := app.Bind(ta, app.Config{Logger: logger})

	started := time.Now()
	p, err := seed(ta, o)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("seeded %d officers, %d chiefs, %d communities, %d households in %v\n",
		o.Officers, o.Chiefs, o.Communities, o.Communities*len(p.Officers[0].Households), time.Since(started).Round(time.Millisecond))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	router, err := apis.NewRouter(ta)
	if err != nil {
		return err
	}
	var httpSrv *http.Server
	se := &core.ServeEvent{App: ta, Router: router, Server: &http.Server{}}
	err = ta.OnServe().Trigger(se, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		if err != nil {
			return err
		}
		httpSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second}
		go func() { _ = httpSrv.Serve(ln) }()
		return nil
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = httpSrv.Shutdown(ctx)
		srv.Close()
	}()
	p.URL = "http://" + ln.Addr().String()
	fmt.Println("serving on", p.URL)

	planPath := tmp + "/plan.json"
	b, _ := json.Marshal(p)
	if err := os.WriteFile(planPath, b, 0o600); err != nil {
		return err
	}

	before := sample(srv.Hub.Count())
	cpu0 := cpuTime()

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	child := exec.Command(exe, "-client", planPath)
	child.Stderr = os.Stderr
	toChild, err := child.StdinPipe()
	if err != nil {
		return err
	}
	fromChild, err := child.StdoutPipe()
	if err != nil {
		return err
	}
	if err := child.Start(); err != nil {
		return err
	}
	lines := bufio.NewScanner(fromChild)
	lines.Buffer(make([]byte, 1<<20), 16<<20)
	expect := func(prefix string) (string, error) {
		for lines.Scan() {
			l := lines.Text()
			if rest, ok := strings.CutPrefix(l, prefix+" "); ok {
				return rest, nil
			}
			fmt.Println(l)
		}
		return "", fmt.Errorf("client process ended before %q: %v", prefix, lines.Err())
	}

	line, err := expect("connected")
	if err != nil {
		return err
	}
	var cr connectReport
	_ = json.Unmarshal([]byte(line), &cr)
	time.Sleep(500 * time.Millisecond) // let the hellos and their board settle
	connected := sample(srv.Hub.Count())
	cpu1 := cpuTime()
	fmt.Fprintln(toChild, "go")

	line, err = expect("result")
	if err != nil {
		return err
	}
	var res result
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		return fmt.Errorf("client result: %w", err)
	}
	cpu2 := cpuTime()
	end := sample(srv.Hub.Count())
	// What one board costs now (the hub recomputes it in its flusher).
	t0 := time.Now()
	board, err := srv.Visits.Board(context.Background(), srv.Settings(), time.Now(), nil)
	boardTook := time.Since(t0)
	if err != nil {
		return fmt.Errorf("board: %w", err)
	}
	boardJSON, _ := json.Marshal(board)
	nVisits, _ := ta.CountRecords("visits")
	fmt.Fprintln(toChild, "bye")
	_ = child.Wait()

	report(o, cr, res, before, connected, end, cpu1-cpu0, cpu2-cpu1)
	fmt.Printf("\n== one board after the run\n%d officers, %d visits today: computed in %v, %.0f KiB of JSON\n",
		len(board.Officers), nVisits, boardTook.Round(time.Millisecond), float64(len(boardJSON))/1024)
	return nil
}

// seed creates the station: communities, officers (one password hash for
// all), chiefs and, per community, as many households as an officer will
// visit, and mints every session.
func seed(ta core.App, o serverOptions) (*plan, error) {
	perOfficer := int(math.Ceil(o.Duration.Seconds()*o.Rate/float64(o.Officers))) + 2
	p := &plan{Conns: o.Conns, Duration: o.Duration, Rate: o.Rate, Workers: o.Workers, Dialers: o.Dialers}
	officers, err := ta.FindCachedCollectionByNameOrId("officers")
	if err != nil {
		return nil, err
	}
	proto := core.NewRecord(officers)
	proto.SetPassword("wsload-pass-1234")
	hash := proto.GetString("password:hash")

	err = ta.RunInTransaction(func(tx core.App) error {
		comms, err := tx.FindCachedCollectionByNameOrId("communities")
		if err != nil {
			return err
		}
		communityIDs := make([]string, o.Communities)
		for i := range communityIDs {
			c := core.NewRecord(comms)
			c.Set("name", fmt.Sprintf("压测社区%04d", i))
			c.Set("code", fmt.Sprintf("load%04d", i))
			if err := tx.Save(c); err != nil {
				return fmt.Errorf("community: %w", err)
			}
			communityIDs[i] = c.Id
		}
		officer := func(badge, name, role string, communities []string) (*core.Record, error) {
			r := core.NewRecord(officers)
			r.Set("badge", badge)
			r.Set("name", name)
			r.Set("role", role)
			r.Set("communities", communities)
			r.Set("active", true)
			r.SetRaw("password", &core.PasswordFieldValue{Hash: hash})
			r.RefreshTokenKey()
			return r, tx.Save(r)
		}
		var chief *core.Record
		for i := 0; i < max(o.Chiefs, 1); i++ {
			r, err := officer(fmt.Sprintf("C%05d", i), fmt.Sprintf("压测所长%d", i), station.RoleDeputyChief, communityIDs[:min(99, len(communityIDs))]) // a chief sees every community; the field holds 99
			if err != nil {
				return fmt.Errorf("chief: %w", err)
			}
			chief = r
			if i < o.Chiefs {
				tok, err := r.NewAuthToken()
				if err != nil {
					return err
				}
				p.Chiefs = append(p.Chiefs, tok)
			}
		}
		hhs := make([][]string, o.Communities)
		for i, comm := range communityIDs {
			for k := 0; k < perOfficer; k++ {
				h, err := households.Create(context.Background(), tx, station.OfficerFromRecord(chief),
					households.Input{Community: comm, Building: fmt.Sprintf("压测路%d号", k+1), Room: fmt.Sprintf("%d", i)})
				if err != nil {
					return fmt.Errorf("household: %w", err)
				}
				hhs[i] = append(hhs[i], h.ID)
			}
		}
		for i := 0; i < o.Officers; i++ {
			c := i % o.Communities
			r, err := officer(fmt.Sprintf("L%06d", i), fmt.Sprintf("压测民警%05d", i), station.RoleOfficer, []string{communityIDs[c]})
			if err != nil {
				return fmt.Errorf("officer: %w", err)
			}
			tok, err := r.NewAuthToken()
			if err != nil {
				return err
			}
			p.Officers = append(p.Officers, planOfficer{ID: r.Id, Token: tok, Households: hhs[c]})
		}
		return nil
	})
	return p, err
}

// memSample is the server process's memory at one moment.
type memSample struct {
	HeapInuse, HeapSys, StackInuse, Sys, RSS uint64
	Goroutines, Conns                        int
}

func sample(conns int) memSample {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSample{HeapInuse: ms.HeapInuse, HeapSys: ms.HeapSys, StackInuse: ms.StackInuse, Sys: ms.Sys, RSS: vmRSS(), Goroutines: runtime.NumGoroutine(), Conns: conns}
}

// vmRSS is the process's resident set from /proc/self/status, in bytes.
func vmRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			var kb uint64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raiseFDLimit lifts the soft open-files limit to the hard one.
func raiseFDLimit() string {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return "open-files limit unknown: " + err.Error()
	}
	if lim.Cur >= lim.Max {
		return fmt.Sprintf("open-files limit %d (already the hard limit)", lim.Cur)
	}
	old := lim.Cur
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Sprintf("open-files limit %d; raising it to %d failed: %v", old, lim.Max, err)
	}
	return fmt.Sprintf("open-files limit raised from %d to %d (setrlimit)", old, lim.Max)
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func report(o serverOptions, cr connectReport, r result, before, connected, end memSample, cpuConnect, cpuLoad time.Duration) {
	w := os.Stdout
	fmt.Fprintln(w)
	fmt.Fprintln(w, "== connections")
	fmt.Fprintf(w, "opened %d of %d (%d officer, %d chief) in %v; failed %d\n", cr.OK, cr.Wanted, cr.OK-cr.ChiefOK, cr.ChiefOK, time.Duration(cr.Took).Round(time.Millisecond), cr.Failed)
	for _, e := range cr.Errors {
		fmt.Fprintln(w, "  dial error:", e)
	}
	fmt.Fprintf(w, "client: %s\n", cr.FDLimit)

	fmt.Fprintln(w, "\n== pushes")
	el := time.Duration(r.Elapsed).Seconds()
	fmt.Fprintf(w, "target %.1f/s for %v; scheduled %d, answered created %d, failed %d, skipped %d (officer's previous push still in flight), dropped %d (all %d workers busy)\n",
		o.Rate, o.Duration, r.Scheduled, r.Created, r.Failed, r.SkippedBusy, r.Backlogged, o.Workers)
	fmt.Fprintf(w, "achieved %.1f pushes/s over %.1fs\n", float64(r.Created)/el, el)
	fmt.Fprintf(w, "push request time (send to answer): p50 %v  p90 %v  p99 %v  max %v\n", ms(r.HTTP.P50), ms(r.HTTP.P90), ms(r.HTTP.P99), ms(r.HTTP.Max))
	for _, e := range r.Errors {
		fmt.Fprintln(w, "  push error:", e)
	}

	fmt.Fprintln(w, "\n== push answer -> pushing officer's targets with the new homes count")
	fmt.Fprintf(w, "measured %d of %d; never arrived %d; arrived before the answer %d (counted as 0)\n", r.Delay.N, r.Created, r.Missing, r.BeforeAnswer)
	fmt.Fprintf(w, "delay: p50 %v  p90 %v  p99 %v  max %v\n", ms(r.Delay.P50), ms(r.Delay.P90), ms(r.Delay.P99), ms(r.Delay.Max))

	fmt.Fprintln(w, "\n== messages received by the clients during the run")
	for _, t := range []string{"targets", "changed", "board", "other"} {
		fmt.Fprintf(w, "%-8s %8d  (%.1f/s)\n", t, r.Msgs[t], float64(r.Msgs[t])/el)
	}
	fmt.Fprintf(w, "bytes    %8.1f MiB (%.2f MiB/s)\n", float64(r.Bytes)/(1<<20), float64(r.Bytes)/(1<<20)/el)

	fmt.Fprintln(w, "\n== at the end")
	fmt.Fprintf(w, "connections alive: %d of %d (client view), %d (server hub count)\n", r.Alive, cr.OK, end.Conns)

	fmt.Fprintln(w, "\n== server process memory (after a GC; the clients run in another process)")
	fmt.Fprintf(w, "%-22s %11s %11s %11s %11s %11s %10s %6s\n", "", "HeapInuse", "HeapSys", "StackInuse", "Sys", "VmRSS", "goroutines", "conns")
	for _, s := range []struct {
		name string
		m    memSample
	}{{"before connecting", before}, {"all connected", connected}, {"after the run", end}} {
		fmt.Fprintf(w, "%-22s %11s %11s %11s %11s %11s %10d %6d\n", s.name, mib(s.m.HeapInuse), mib(s.m.HeapSys), mib(s.m.StackInuse), mib(s.m.Sys), mib(s.m.RSS), s.m.Goroutines, s.m.Conns)
	}
	if n := connected.Conns - before.Conns; n > 0 {
		fmt.Fprintf(w, "per connection: heap %.1f KiB, stacks %.1f KiB, RSS %.1f KiB, %.1f goroutines\n",
			float64(int64(connected.HeapInuse)-int64(before.HeapInuse))/1024/float64(n),
			float64(int64(connected.StackInuse)-int64(before.StackInuse))/1024/float64(n),
			float64(int64(connected.RSS)-int64(before.RSS))/1024/float64(n),
			float64(connected.Goroutines-before.Goroutines)/float64(n))
	}

	fmt.Fprintln(w, "\n== CPU (2 cores shared by both processes)")
	fmt.Fprintf(w, "server: %.1fs while connecting, %.1fs during the run (%.2f cores)\n", cpuConnect.Seconds(), cpuLoad.Seconds(), cpuLoad.Seconds()/el)
	fmt.Fprintf(w, "client: %.1fs during the run (%.2f cores), %.1fs in all\n", time.Duration(r.CPU).Seconds(), time.Duration(r.CPU).Seconds()/el, time.Duration(r.CPUTotal).Seconds())
}

func ms(d int64) string { return time.Duration(d).Round(100 * time.Microsecond).String() }
