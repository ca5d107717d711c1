package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"zoufang/app/apptest"
	"zoufang/households"
)

// visitsCreateRule is what zoufang's /sync/push enforces for a new visit,
// as a PocketBase rule, so that /api/batch and the REST API may create
// visits for the benchmark only (the real collection's createRule is nil):
// an active officer, writing as themself, for a household in their area
// (or any household for a deputy chief) that is not archived, and a watch,
// if any, of that household.
const visitsCreateRule = "@request.auth.collectionName = 'officers' && @request.auth.active = true" +
	" && @request.body.officer = @request.auth.id" +
	" && (@request.auth.role = 'deputy_chief' || @request.auth.communities.id ?= @request.body.household.community)" +
	" && @request.body.household.archived = false" +
	" && (@request.body.watch = '' || @request.body.watch.household = @request.body.household)"

// newEnv starts the real app on a fresh database with PocketBase's batch
// API on (1,000 requests, no practical timeout or size limit), its REST
// rate limits off, and visitsCreateRule on the visits collection.
func newEnv(b *testing.B) *apptest.Env {
	b.Helper()
	env := apptest.New(b)
	s := env.App.Settings()
	s.Batch.Enabled = true
	s.Batch.MaxRequests = 1000
	s.Batch.Timeout = 600
	s.Batch.MaxBodySize = 512 << 20
	s.RateLimits.Enabled = false
	if err := env.App.Save(s); err != nil {
		b.Fatalf("settings: %v", err)
	}
	coll, err := env.App.FindCollectionByNameOrId("visits")
	if err != nil {
		b.Fatal(err)
	}
	coll.CreateRule = types.Pointer(visitsCreateRule)
	if err := env.App.Save(coll); err != nil {
		b.Fatalf("visits createRule: %v", err)
	}
	return env
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	streets  = []string{"吴牙街", "长庆街", "庆春路", "青春坊", "贡院小区", "仓河下", "柳营巷", "菜市桥"}
)

// householdInput is the i-th household of a plausible registry: a unique
// door and a unique mobile number, some with a second number, tags and a
// note.
func householdInput(rng *rand.Rand, community string, i int) households.Input {
	in := households.Input{
		Community: community,
		Building:  fmt.Sprintf("%s%d号%d幢", streets[i%len(streets)], 1+i/800, 1+(i/40)%20),
		Unit:      fmt.Sprint(1 + (i/10)%4),
		Room:      fmt.Sprintf("%d%02d", 1+(i%10), 1+rng.IntN(4)),
		HeadName:  string(surnames[rng.IntN(len(surnames))]) + string(surnames[rng.IntN(len(surnames))]) + "某",
		Phones:    []string{fmt.Sprintf("138%08d", i)},
		Residents: 1 + rng.IntN(5),
	}
	if i%4 == 0 {
		in.Phones = append(in.Phones, fmt.Sprintf("139%08d", i))
	}
	switch i % 7 {
	case 0:
		in.Tags = []string{households.Tags[rng.IntN(len(households.Tags))]}
	case 3:
		in.Tags = []string{"独居老人", "重点关注"}
	}
	if i%5 == 0 {
		in.Notes = "子女在外地工作，每周回来一次；楼道堆放杂物已提醒清理。"
	}
	return in
}

// seedHouseholds creates n households in community as officer rec through the real write path (households.Create: validation, duplicate
// checks, search text, phone index, sync stamp) in one transaction.
// Numbers from first on tell the households apart (doors, phones), so that
// several calls may seed one database.
func seedHouseholds(b *testing.B, env *apptest.Env, rec *core.Record, community string, n int) []string {
	return seedHouseholdsFrom(b, env, rec, community, 0, n)
}

func seedHouseholdsFrom(b *testing.B, env *apptest.Env, rec *core.Record, community string, first, n int) []string {
	b.Helper()
	o := apptest.Officer(rec)
	rng := rand.New(rand.NewPCG(7, uint64(11+first)))
	ids := make([]string, 0, n)
	err := env.App.RunInTransaction(func(tx core.App) error {
		for i := first; i < first+n; i++ {
			h, err := households.Create(context.Background(), tx, o, householdInput(rng, community, i))
			if err != nil {
				return fmt.Errorf("household %d: %w", i, err)
			}
			ids = append(ids, h.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed households: %v", err)
	}
	return ids
}

// roundTrip sends req and reads the whole answer; it fails the benchmark
// unless the status is want.
func roundTrip(b *testing.B, c *http.Client, req *http.Request, want int) []byte {
	b.Helper()
	res, err := c.Do(req)
	if err != nil {
		b.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.Fatalf("%s %s: read: %v", req.Method, req.URL.Path, err)
	}
	if res.StatusCode != want {
		b.Fatalf("%s %s: status %d, want %d: %.500s", req.Method, req.URL.Path, res.StatusCode, want, body)
	}
	return body
}

func gunzip(b *testing.B, z []byte) []byte {
	b.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		b.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		b.Fatalf("gunzip: %v", err)
	}
	return out
}

// rawClient is an HTTP client that neither asks for nor undoes
// compression itself, so that the bytes it reads are the bytes on the wire.
func rawClient(jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, Timeout: 5 * time.Minute,
		Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
}

// profileFrom starts a CPU profile into the file named by the environment
// variable env, if set; the returned function stops it.
func profileFrom(b *testing.B, env string) func() {
	b.Helper()
	name := os.Getenv(env)
	if name == "" {
		return func() {}
	}
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatalf("%s: %v (do not combine with -cpuprofile)", env, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		b.Logf("CPU profile written to %s", name)
	}
}

func kib(n int) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }
