package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
)

// Sizes of the pull benchmark.
const (
	pullArea   = 5000 // households in officer A's community
	pullOther  = 1000 // households in community B, which A must not get
	pullLimit  = 1000 // documents a page (the protocol's maximum)
	pullRounds = 5    // full pulls timed per encoding; the median is reported
)

// pullStats is one full pull.
type pullStats struct {
	requests int
	docs     int
	wire     int // answer bodies as received
	plain    int // answer bodies uncompressed
	elapsed  time.Duration
	gzipped  bool
}

// fullPull pages through GET /sync/pull?collection=households from the
// start until more is false, as a device with an empty replica does.
// Only the round trips are timed, not decoding the answers.
func fullPull(b *testing.B, env *apptest.Env, c *http.Client, gz bool) pullStats {
	b.Helper()
	st := pullStats{gzipped: gz}
	cp := struct{ Updated, ID string }{}
	for {
		q := url.Values{"collection": {"households"}, "limit": {fmt.Sprint(pullLimit)}, "updated": {cp.Updated}, "id": {cp.ID}}
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/sync/pull?"+q.Encode(), nil)
		req.Header.Set("Accept", "application/json")
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		start := time.Now()
		res, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body := readAll(b, res)
		st.elapsed += time.Since(start)
		st.requests++
		st.wire += len(body)
		plain := body
		if res.Header.Get("Content-Encoding") == "gzip" {
			plain = gunzip(b, body)
		} else if gz && len(body) >= 1024 {
			b.Fatalf("asked for gzip, got %q for %d bytes", res.Header.Get("Content-Encoding"), len(body))
		}
		st.plain += len(plain)
		var ans struct {
			Docs       []json.RawMessage `json:"docs"`
			Checkpoint struct{ Updated, ID string }
			More       bool `json:"more"`
		}
		if err := json.Unmarshal(plain, &ans); err != nil {
			b.Fatalf("pull answer: %v", err)
		}
		st.docs += len(ans.Docs)
		cp = ans.Checkpoint
		if !ans.More {
			return st
		}
	}
}

func readAll(b *testing.B, res *http.Response) []byte {
	b.Helper()
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		b.Fatalf("%s: status %d: %.300s", res.Request.URL.Path, res.StatusCode, body)
	}
	return body
}

// markVisited gives most households the bookkeeping a year of visits
// leaves (last visit at and by, some WeChat contacts), so that documents
// are the size they are in use.
func markVisited(b *testing.B, env *apptest.Env, ids []string) {
	b.Helper()
	at := time.Now().Add(-72 * time.Hour).UTC()
	err := env.App.RunInTransaction(func(tx core.App) error {
		for i, id := range ids {
			if i%5 >= 3 {
				continue
			}
			r, err := tx.FindRecordById(households.Collection, id)
			if err != nil {
				return err
			}
			r.Set("last_visited_at", at.Add(-time.Duration(i)*time.Minute))
			r.Set("last_visited_by", env.OfficerA.Id)
			if i%3 == 0 {
				r.Set("wechat_contact", env.OfficerA.Id)
				r.Set("wechat_added_at", at.Add(-time.Duration(i)*time.Hour))
			}
			if err := tx.Save(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFullPull measures a device's full pull of a 5,000-household
// area (officer A's community; 1,000 more households in community B are
// in the database but out of scope): the requests it takes, the time of
// the round trips, and the bytes on the wire with and without gzip.
func BenchmarkFullPull(b *testing.B) {
	b.StopTimer()
	env := apptest.New(b)
	ids := seedHouseholdsFrom(b, env, env.Chief, env.CommunityA, 0, pullArea)
	seedHouseholdsFrom(b, env, env.Chief, env.CommunityB, pullArea, pullOther)
	markVisited(b, env, ids)
	c := rawClient(env.SignIn(env.OfficerA).HTTP.Jar)
	for i := 0; i < b.N; i++ {
		runs := map[bool][]pullStats{}
		b.StartTimer()
		for r := 0; r < pullRounds; r++ {
			for _, gz := range []bool{true, false} {
				st := fullPull(b, env, c, gz)
				if st.docs != pullArea {
					b.Fatalf("pulled %d households, want %d", st.docs, pullArea)
				}
				runs[gz] = append(runs[gz], st)
			}
		}
		b.StopTimer()
		for _, gz := range []bool{true, false} {
			rs := runs[gz]
			slices.SortFunc(rs, func(x, y pullStats) int { return int(x.elapsed - y.elapsed) })
			med := rs[len(rs)/2]
			name := "identity"
			if gz {
				name = "gzip"
			}
			b.ReportMetric(float64(med.elapsed.Microseconds())/1000, name+"_ms/pull")
			b.ReportMetric(float64(med.wire), name+"_wire_B")
			b.Logf("%-8s full pull of %d households: %d requests, median %.1f ms (min %.1f, max %.1f of %d), wire %d B (%s), uncompressed %d B (%s), %.0f B/household on the wire",
				name, med.docs, med.requests, ms(med.elapsed), ms(rs[0].elapsed), ms(rs[len(rs)-1].elapsed), len(rs),
				med.wire, kib(med.wire), med.plain, kib(med.plain), float64(med.wire)/float64(med.docs))
		}
	}
	b.ReportMetric(0, "ns/op")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
