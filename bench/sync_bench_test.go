package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
)

// Sizes of the write benchmark; ZF_BENCH_VISITS and ZF_BENCH_REST_VISITS
// override the visit counts.
const (
	writeHouseholds = 300
	writeVisits     = 10000
	restVisits      = 10000
	perRequest      = 1000 // the /sync/push and /api/batch maximum
)

// visitSpec is one visit as a device records it.
type visitSpec struct {
	ID          string
	Household   string
	VisitedAt   time.Time
	Kind        string
	Outcome     string
	Concerns    []string
	Notes       string
	WeChatAdded bool
}

var (
	benchConcerns = []string{"安全隐患", "诈骗风险", "矛盾纠纷", "求助事项", "消防隐患", "治安线索", "邻里噪音", "其他"}
	benchNotes    = []string{
		"",
		"",
		"老人独居，身体尚可，已留联系电话。",
		"提醒防范电信诈骗，发放宣传单。",
		"楼道电动车充电，已劝导。",
		"家中无人，门口贴了联系卡。",
	}
)

// makeVisits spreads n visits of one officer over hids, all in the last
// six days (inside the seven days a device may lag), 70% met, a tenth of
// the met ones adding the resident on WeChat.
func makeVisits(hids []string, n int, now time.Time) []visitSpec {
	rng := rand.New(rand.NewPCG(3, 5))
	out := make([]visitSpec, n)
	for i := range out {
		v := visitSpec{
			ID:        fmt.Sprintf("bv%013d", i),
			Household: hids[rng.IntN(len(hids))],
			VisitedAt: now.Add(-time.Duration(rng.Int64N(int64(6 * 24 * time.Hour)))).UTC().Truncate(time.Millisecond),
			Kind:      "routine",
			Notes:     benchNotes[rng.IntN(len(benchNotes))],
		}
		switch r := rng.IntN(10); {
		case r < 7:
			v.Outcome = "met"
			v.WeChatAdded = rng.IntN(10) == 0
		case r < 9:
			v.Outcome = "not_home"
		default:
			v.Outcome = "refused"
		}
		if rng.IntN(4) == 0 {
			v.Concerns = []string{benchConcerns[rng.IntN(len(benchConcerns))]}
		} else {
			v.Concerns = []string{}
		}
		out[i] = v
	}
	return out
}

// pushItem is the visit as the field app's outbox sends it to /sync/push.
func (v visitSpec) pushItem() map[string]any {
	return map[string]any{
		"id": v.ID, "household": v.Household, "visited_at": v.VisitedAt.Format(time.RFC3339Nano),
		"kind": v.Kind, "outcome": v.Outcome, "concerns": v.Concerns, "notes": v.Notes,
		"wechat_added": v.WeChatAdded, "watch": "",
	}
}

// recordBody is the visit as a PocketBase record create body: the same
// fields plus the officer and received_at, which the server sets in /sync/push.
func (v visitSpec) recordBody(officer string, receivedAt time.Time) map[string]any {
	m := v.pushItem()
	m["officer"] = officer
	m["received_at"] = receivedAt.UTC().Format("2006-01-02 15:04:05.000Z")
	m["visited_at"] = v.VisitedAt.Format("2006-01-02 15:04:05.000Z")
	return m
}

func mustJSON(b *testing.B, v any) []byte {
	b.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// selected reports whether ZF_BENCH_ONLY (a comma-separated list of
// contender or variant names) is unset or names name.
func selected(name string) bool {
	only := os.Getenv("ZF_BENCH_ONLY")
	return only == "" || slices.Contains(strings.Split(only, ","), name)
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// writeResult is one contender's run.
type writeResult struct {
	name     string
	visits   int
	requests int
	elapsed  time.Duration
	cpu      time.Duration // the process's CPU time (server and client) meanwhile
	reqBytes int           // request bodies sent
	resBytes int           // answer bodies received (decoded)
}

func (r writeResult) perSec() float64 { return float64(r.visits) / r.elapsed.Seconds() }

// perCPUSec is visits per second of the process's CPU time, which other
// load on the machine disturbs less than the wall clock.
func (r writeResult) perCPUSec() float64 { return float64(r.visits) / r.cpu.Seconds() }

// contender prepares a fresh app with households and returns the timed
// part as a function.
type contender struct {
	name string
	run  func(b *testing.B, env *apptest.Env, vs []visitSpec) writeResult
}

// runPush sends vs to /sync/push, perRequest at a time, as the signed-in
// officer (session cookie), and checks every item was created.
func runPush(b *testing.B, env *apptest.Env, vs []visitSpec) writeResult {
	c := env.SignIn(env.OfficerA).HTTP
	var bodies [][]byte
	for i := 0; i < len(vs); i += perRequest {
		items := make([]any, 0, perRequest)
		for _, v := range vs[i:min(i+perRequest, len(vs))] {
			items = append(items, v.pushItem())
		}
		bodies = append(bodies, mustJSON(b, map[string]any{"visits": items}))
	}
	res := writeResult{name: "/sync/push", visits: len(vs), requests: len(bodies)}
	stop := profileFrom(b, "ZF_PUSH_PROFILE")
	start, cpu0 := time.Now(), cpuTime()
	answers := make([][]byte, len(bodies))
	for i, body := range bodies {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/sync/push", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		answers[i] = roundTrip(b, c, req, http.StatusOK)
		res.reqBytes += len(body)
	}
	res.elapsed, res.cpu = time.Since(start), cpuTime()-cpu0
	stop()
	for _, a := range answers {
		var ans struct {
			Results []struct{ Status, Message string }
		}
		if err := json.Unmarshal(a, &ans); err != nil {
			b.Fatalf("push answer: %v", err)
		}
		for _, r := range ans.Results {
			if r.Status != "created" {
				b.Fatalf("push item %s: %s", r.Status, r.Message)
			}
		}
		res.resBytes += len(a)
	}
	return res
}

// runBatch sends vs to PocketBase's /api/batch, perRequest creates at a
// time, with the officer's auth token.
func runBatch(b *testing.B, env *apptest.Env, vs []visitSpec) writeResult {
	c := &http.Client{Timeout: 10 * time.Minute}
	tok := env.Token(env.OfficerA)
	now := time.Now()
	var bodies [][]byte
	for i := 0; i < len(vs); i += perRequest {
		reqs := make([]any, 0, perRequest)
		for _, v := range vs[i:min(i+perRequest, len(vs))] {
			reqs = append(reqs, map[string]any{"method": "POST", "url": "/api/collections/visits/records", "body": v.recordBody(env.OfficerA.Id, now)})
		}
		bodies = append(bodies, mustJSON(b, map[string]any{"requests": reqs}))
	}
	res := writeResult{name: "/api/batch", visits: len(vs), requests: len(bodies)}
	start, cpu0 := time.Now(), cpuTime()
	answers := make([][]byte, len(bodies))
	for i, body := range bodies {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/batch", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", tok)
		answers[i] = roundTrip(b, c, req, http.StatusOK)
		res.reqBytes += len(body)
	}
	res.elapsed, res.cpu = time.Since(start), cpuTime()-cpu0
	for _, a := range answers {
		var ans []struct {
			Status int
			Body   any
		}
		if err := json.Unmarshal(a, &ans); err != nil {
			b.Fatalf("batch answer: %v", err)
		}
		for _, r := range ans {
			if r.Status != http.StatusOK {
				b.Fatalf("batch item status %d: %v", r.Status, r.Body)
			}
		}
		res.resBytes += len(a)
	}
	return res
}

// runREST creates vs one by one through POST /api/collections/visits/records.
func runREST(b *testing.B, env *apptest.Env, vs []visitSpec) writeResult {
	c := &http.Client{Timeout: time.Minute}
	tok := env.Token(env.OfficerA)
	now := time.Now()
	bodies := make([][]byte, len(vs))
	for i, v := range vs {
		bodies[i] = mustJSON(b, v.recordBody(env.OfficerA.Id, now))
	}
	res := writeResult{name: "REST one by one", visits: len(vs), requests: len(vs)}
	start, cpu0 := time.Now(), cpuTime()
	for _, body := range bodies {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/collections/visits/records", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", tok)
		res.resBytes += len(roundTrip(b, c, req, http.StatusOK))
		res.reqBytes += len(body)
	}
	res.elapsed, res.cpu = time.Since(start), cpuTime()-cpu0
	return res
}

// BenchmarkSyncWrite pushes the same visits (10,000 by default, 1,000 a
// request, over 300 households of officer A's community) through
// /sync/push, PocketBase's /api/batch and one-by-one REST creates, each on
// a fresh app, side by side in one process, and reports visits/s and the
// ratios. It runs ZF_BENCH_ROUNDS rounds (3 by default) of all contenders,
// in rotated order so that none always runs first, and reports medians;
// run it with -benchtime 1x. ZF_BENCH_ONLY=push,batch,rest picks
// contenders; ZF_PUSH_PROFILE=file profiles the timed push requests only.
func BenchmarkSyncWrite(b *testing.B) {
	nVisits := envInt("ZF_BENCH_VISITS", writeVisits)
	nREST := envInt("ZF_BENCH_REST_VISITS", restVisits)
	rounds := envInt("ZF_BENCH_ROUNDS", 3) * b.N
	contenders := []contender{{"push", runPush}, {"batch", runBatch}, {"rest", runREST}}
	contenders = slices.DeleteFunc(contenders, func(c contender) bool { return !selected(c.name) })
	got := map[string][]writeResult{}
	ratios := map[string][]float64{}
	b.StopTimer()
	for round := 0; round < rounds; round++ {
		byName := map[string]writeResult{}
		for k := range contenders {
			ct := contenders[(round+k)%len(contenders)]
			env := newEnv(b)
			hids := seedHouseholds(b, env, env.OfficerA, env.CommunityA, writeHouseholds)
			if ct.name != "push" {
				checkRule(b, env, hids[0])
			}
			n := nVisits
			if ct.name == "rest" {
				n = nREST
			}
			vs := makeVisits(hids, n, time.Now())
			b.StartTimer()
			r := ct.run(b, env, vs)
			b.StopTimer()
			if stored, err := env.App.CountRecords("visits"); err != nil || int(stored) != n {
				b.Fatalf("%s: %d visits stored (%v), want %d", ct.name, stored, err, n)
			}
			if ct.name == "push" {
				checkSettled(b, env, hids)
			}
			b.Logf("round %d %-16s %6d visits in %5d requests: %8.1f ms, %5.0f visits/s, %6.3f ms/visit; CPU %6.3f ms/visit; sent %s, received %s",
				round+1, r.name, r.visits, r.requests, ms(r.elapsed), r.perSec(),
				ms(r.elapsed)/float64(r.visits), ms(r.cpu)/float64(r.visits), kib(r.reqBytes), kib(r.resBytes))
			got[ct.name] = append(got[ct.name], r)
			byName[ct.name] = r
		}
		if p, ok := byName["push"]; ok {
			for _, other := range []string{"batch", "rest"} {
				if o, ok := byName[other]; ok {
					ratios["push/"+other] = append(ratios["push/"+other], p.perSec()/o.perSec())
					ratios["cpu push/"+other] = append(ratios["cpu push/"+other], p.perCPUSec()/o.perCPUSec())
				}
			}
		}
	}
	for _, ct := range contenders {
		var rates, cpuRates []float64
		for _, r := range got[ct.name] {
			rates = append(rates, r.perSec())
			cpuRates = append(cpuRates, r.perCPUSec())
		}
		med := median(rates)
		b.ReportMetric(med, ct.name+"_visits/s")
		b.Logf("median %-6s %6.0f visits/s (%.3f ms/visit) over %d round(s): %s; per CPU second %.0f: %s",
			ct.name, med, 1000/med, len(rates), fmtRates(rates), median(cpuRates), fmtRates(cpuRates))
	}
	for _, name := range []string{"push/batch", "push/rest", "cpu push/batch", "cpu push/rest"} {
		if rs := ratios[name]; len(rs) > 0 {
			if !strings.HasPrefix(name, "cpu ") {
				b.ReportMetric(median(rs), name)
			}
			b.Logf("median %-14s = %.2f, per round %s", name, median(rs), fmtRates(rs))
		}
	}
	b.ReportMetric(0, "ns/op") // the wall time of a round says nothing
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func fmtRates(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// checkRule makes sure visitsCreateRule lets officer A create a visit in
// their area and nothing else: not for a household of community B, not as
// another officer, not with a stranger's token. It runs before the timed
// part; the visit it creates is deleted.
func checkRule(b *testing.B, env *apptest.Env, own string) {
	b.Helper()
	other := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区99幢"})
	now := time.Now()
	try := func(tok string, body map[string]any) int {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/collections/visits/records", bytes.NewReader(mustJSON(b, body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	v := visitSpec{ID: "rulecheck000001", Household: own, VisitedAt: now.Add(-time.Hour), Kind: "routine", Outcome: "met", Concerns: []string{}}
	tokA, tokB := env.Token(env.OfficerA), env.Token(env.OfficerB)
	if code := try(tokA, v.recordBody(env.OfficerA.Id, now)); code != http.StatusOK {
		b.Fatalf("createRule: officer A's own visit refused (%d)", code)
	}
	if err := env.App.Delete(mustFind(b, env, "visits", v.ID)); err != nil {
		b.Fatal(err)
	}
	v.ID = "rulecheck000002"
	if code := try(tokB, v.recordBody(env.OfficerB.Id, now)); code == http.StatusOK {
		b.Fatal("createRule: officer B created a visit for a household of community A")
	}
	if code := try(tokB, v.recordBody(env.OfficerA.Id, now)); code == http.StatusOK {
		b.Fatal("createRule: officer B created a visit in officer A's name")
	}
	v.Household = other.ID
	if code := try(tokA, v.recordBody(env.OfficerA.Id, now)); code == http.StatusOK {
		b.Fatal("createRule: officer A created a visit for a household of community B")
	}
	if n, _ := env.App.CountRecords("visits"); n != 0 {
		b.Fatalf("createRule check left %d visits", n)
	}
}

func mustFind(b *testing.B, env *apptest.Env, coll, id string) *core.Record {
	b.Helper()
	r, err := env.App.FindRecordById(coll, id)
	if err != nil {
		b.Fatalf("%s %s: %v", coll, id, err)
	}
	return r
}

// checkSettled checks the push kept its promise on a sample of households:
// last_visited_at is the latest met visit.
func checkSettled(b *testing.B, env *apptest.Env, hids []string) {
	b.Helper()
	for _, id := range hids[:10] {
		h, err := env.App.FindRecordById("households", id)
		if err != nil {
			b.Fatal(err)
		}
		var last string
		err = env.App.DB().NewQuery("SELECT COALESCE(MAX(visited_at), '') FROM visits WHERE household = {:h} AND outcome = 'met'").
			Bind(map[string]any{"h": id}).Row(&last)
		if err != nil {
			b.Fatal(err)
		}
		if got := h.GetString("last_visited_at"); got != last {
			b.Fatalf("household %s: last_visited_at %q, latest met visit %q", id, got, last)
		}
	}
}
