package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// connectReport is the client's "connected" line.
type connectReport struct {
	Wanted, OK, ChiefOK, Failed int
	Took                        int64
	Errors                      []string
	FDLimit                     string
}

// stats are percentiles in nanoseconds.
type stats struct {
	N                  int
	P50, P90, P99, Max int64
}

func summarize(ds []time.Duration) stats {
	if len(ds) == 0 {
		return stats{}
	}
	slices.Sort(ds)
	at := func(q float64) int64 { return int64(ds[min(len(ds)-1, int(q*float64(len(ds))))]) }
	return stats{N: len(ds), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: int64(ds[len(ds)-1])}
}

// result is the client's "result" line.
type result struct {
	Elapsed                                                      int64
	Scheduled, Created, Failed, SkippedBusy, Backlogged, Missing int
	BeforeAnswer                                                 int
	Delay, HTTP                                                  stats
	Msgs                                                         map[string]int64
	Bytes                                                        int64
	Alive                                                        int
	CPU, CPUTotal                                                int64
	Errors                                                       []string
}

// officerState follows one officer's pushes and what its phone hears.
type officerState struct {
	planOfficer
	mu       sync.Mutex
	busy     bool
	expected int // homes after every successful push so far
	pending  []*pendingPush
}

type pendingPush struct {
	want              int
	answered, arrived time.Time
}

type loadClient struct {
	p        *plan
	officers []*officerState
	httpc    *http.Client

	mu           sync.Mutex
	delays       []time.Duration
	httpTimes    []time.Duration
	beforeAnswer int
	errors       []string

	counting                                  atomic.Bool
	targets, changed, board, other, bytesRecv atomic.Int64
}

func (lc *loadClient) errorf(format string, args ...any) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if len(lc.errors) < 10 {
		lc.errors = append(lc.errors, fmt.Sprintf(format, args...))
	}
}

// settle records a push whose answer and targets have both arrived.
func (lc *loadClient) settle(p *pendingPush) {
	d := p.arrived.Sub(p.answered)
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if d < 0 {
		lc.beforeAnswer++
		d = 0
	}
	lc.delays = append(lc.delays, d)
}

// sawHomes: the officer's phone received targets with homes at at.
func (lc *loadClient) sawHomes(st *officerState, homes int, at time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	kept := st.pending[:0]
	for _, p := range st.pending {
		if p.arrived.IsZero() && homes >= p.want {
			p.arrived = at
		}
		if !p.arrived.IsZero() && !p.answered.IsZero() {
			lc.settle(p)
			continue
		}
		kept = append(kept, p)
	}
	st.pending = kept
}

func runClient(planPath string) int {
	fdNote := raiseFDLimit()
	b, err := os.ReadFile(planPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsload client:", err)
		return 1
	}
	var p plan
	if err := json.Unmarshal(b, &p); err != nil {
		fmt.Fprintln(os.Stderr, "wsload client:", err)
		return 1
	}
	lc := &loadClient{p: &p, httpc: &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: p.Workers, MaxIdleConnsPerHost: p.Workers, MaxConnsPerHost: p.Workers,
			IdleConnTimeout: time.Minute},
	}}
	for _, o := range p.Officers {
		lc.officers = append(lc.officers, &officerState{planOfficer: o})
	}
	in := bufio.NewScanner(os.Stdin)

	// Open every websocket, a few at a time.
	start := time.Now()
	cr := connectReport{Wanted: p.Conns + len(p.Chiefs), FDLimit: fdNote}
	var (
		crMu  sync.Mutex
		wg    sync.WaitGroup
		alive atomic.Int64
		socks []*websocket.Conn
	)
	sem := make(chan struct{}, p.Dialers)
	dial := func(token string, st *officerState, device int) {
		defer wg.Done()
		defer func() { <-sem }()
		dialer := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 512, HandshakeTimeout: 30 * time.Second}
		h := http.Header{"Origin": {p.URL}, "Cookie": {"zf_session=" + token}}
		ws, res, err := dialer.Dial("ws"+strings.TrimPrefix(p.URL, "http")+"/ws", h)
		crMu.Lock()
		defer crMu.Unlock()
		if err != nil {
			cr.Failed++
			if len(cr.Errors) < 10 {
				status := 0
				if res != nil {
					status = res.StatusCode
				}
				cr.Errors = append(cr.Errors, fmt.Sprintf("%v (status %d)", err, status))
			}
			return
		}
		cr.OK++
		if st == nil {
			cr.ChiefOK++
		}
		socks = append(socks, ws)
		alive.Add(1)
		_ = ws.WriteJSON(map[string]any{"type": "hello", "device": fmt.Sprintf("wsload-%d", device), "app_version": "wsload", "pending": 0})
		var primary *officerState
		if device == 0 {
			primary = st
		}
		go lc.read(ws, primary, &alive)
	}
	for i := 0; i < p.Conns; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go dial(lc.officers[i%len(lc.officers)].Token, lc.officers[i%len(lc.officers)], i/len(lc.officers))
	}
	for _, tok := range p.Chiefs {
		sem <- struct{}{}
		wg.Add(1)
		go dial(tok, nil, 0)
	}
	wg.Wait()
	cr.Took = int64(time.Since(start))
	line, _ := json.Marshal(cr)
	fmt.Printf("connected %s\n", line)
	fmt.Fprintf(os.Stderr, "wsload client: %d connections open in %v\n", cr.OK, time.Since(start).Round(time.Millisecond))
	if !in.Scan() {
		return 1
	}

	// Push for the duration, at the rate, officers in a shuffled order.
	lc.counting.Store(true)
	cpu0 := cpuTime()
	res := lc.pushAll()
	// Give the last pushes' targets a moment.
	time.Sleep(2 * time.Second)
	lc.counting.Store(false)
	res.CPU, res.CPUTotal = int64(cpuTime()-cpu0), int64(cpuTime())
	for _, st := range lc.officers {
		st.mu.Lock()
		for _, pp := range st.pending {
			if !pp.answered.IsZero() {
				res.Missing++
			}
		}
		st.mu.Unlock()
	}
	lc.mu.Lock()
	res.Delay, res.HTTP, res.BeforeAnswer, res.Errors = summarize(lc.delays), summarize(lc.httpTimes), lc.beforeAnswer, lc.errors
	lc.mu.Unlock()
	res.Msgs = map[string]int64{"targets": lc.targets.Load(), "changed": lc.changed.Load(), "board": lc.board.Load(), "other": lc.other.Load()}
	res.Bytes = lc.bytesRecv.Load()
	res.Alive = int(alive.Load())
	line, _ = json.Marshal(res)
	fmt.Printf("result %s\n", line)

	in.Scan() // "bye": the server has taken its last sample
	for _, ws := range socks {
		_ = ws.Close()
	}
	return 0
}

// read is a connection's one goroutine: it counts what arrives and, on the
// officer's first device, notes the targets.
func (lc *loadClient) read(ws *websocket.Conn, st *officerState, alive *atomic.Int64) {
	defer alive.Add(-1)
	var buf bytes.Buffer
	var m struct {
		Type  string `json:"type"`
		Homes int    `json:"homes"`
	}
	for {
		_, r, err := ws.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		at := time.Now()
		data := buf.Bytes()
		typ := ""
		switch {
		case bytes.HasPrefix(data, []byte(`{"type":"board"`)):
			typ = "board"
		case len(data) < 4096:
			m.Type, m.Homes = "", 0
			if json.Unmarshal(data, &m) == nil {
				typ = m.Type
			}
		}
		if typ == "targets" && st != nil {
			lc.sawHomes(st, m.Homes, at)
		}
		if !lc.counting.Load() {
			continue
		}
		lc.bytesRecv.Add(int64(len(data)))
		switch typ {
		case "targets":
			lc.targets.Add(1)
		case "changed":
			lc.changed.Add(1)
		case "board":
			lc.board.Add(1)
		default:
			lc.other.Add(1)
		}
	}
}

// pushAll pushes at the plan's rate for its duration.
func (lc *loadClient) pushAll() result {
	var res result
	var resMu sync.Mutex
	jobs := make(chan *officerState, 4*lc.p.Workers)
	var wg sync.WaitGroup
	for w := 0; w < lc.p.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for st := range jobs {
				outcome := lc.push(st)
				resMu.Lock()
				switch outcome {
				case "created":
					res.Created++
				case "busy":
					res.SkippedBusy++
				default:
					res.Failed++
				}
				resMu.Unlock()
			}
		}()
	}
	order := rand.Perm(len(lc.officers))
	interval := time.Duration(float64(time.Second) / lc.p.Rate)
	start := time.Now()
	end := start.Add(lc.p.Duration)
	for k := 0; ; k++ {
		next := start.Add(time.Duration(k) * interval)
		if !next.Before(end) {
			break
		}
		time.Sleep(time.Until(next))
		res.Scheduled++
		select {
		case jobs <- lc.officers[order[k%len(order)]]:
		default:
			res.Backlogged++
		}
	}
	close(jobs)
	wg.Wait()
	res.Elapsed = int64(time.Since(start))
	return res
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func newID() string {
	b := make([]byte, 15)
	for i := range b {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return string(b)
}

// push sends one met visit of the officer's next unvisited household.
func (lc *loadClient) push(st *officerState) string {
	st.mu.Lock()
	if st.busy {
		st.mu.Unlock()
		return "busy"
	}
	if st.expected >= len(st.Households) {
		st.mu.Unlock()
		lc.errorf("officer %s has no unvisited household left", st.ID)
		return "failed"
	}
	st.busy = true
	pp := &pendingPush{want: st.expected + 1}
	household := st.Households[st.expected]
	st.pending = append(st.pending, pp)
	st.mu.Unlock()

	body := fmt.Sprintf(`{"visits":[{"id":%q,"household":%q,"visited_at":%q,"kind":"routine","outcome":"met"}]}`,
		newID(), household, time.Now().UTC().Format(time.RFC3339Nano))
	req, _ := http.NewRequest(http.MethodPost, lc.p.URL+"/sync/push", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cookie", "zf_session="+st.Token)
	sent := time.Now()
	res, err := lc.httpc.Do(req)
	var answer []byte
	if err == nil {
		answer, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	answered := time.Now()
	ok := err == nil && res.StatusCode == http.StatusOK && bytes.Contains(answer, []byte(`"status":"created"`))

	lc.mu.Lock()
	lc.httpTimes = append(lc.httpTimes, answered.Sub(sent))
	lc.mu.Unlock()

	st.mu.Lock()
	defer st.mu.Unlock()
	st.busy = false
	if !ok {
		st.pending = slices.DeleteFunc(st.pending, func(x *pendingPush) bool { return x == pp })
		switch {
		case err != nil:
			lc.errorf("push: %v", err)
		default:
			lc.errorf("push: status %d: %.200s", res.StatusCode, answer)
		}
		return "failed"
	}
	st.expected++
	pp.answered = answered
	if !pp.arrived.IsZero() {
		lc.settle(pp)
		st.pending = slices.DeleteFunc(st.pending, func(x *pendingPush) bool { return x == pp })
	}
	return "created"
}
