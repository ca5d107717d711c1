package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/replica"
	"zoufang/station"
	"zoufang/visits"
)

// breakdownVisits is how many visits each in-process variant writes.
const breakdownVisits = 3000

// variant is one way of writing a request's worth of visits in process,
// without HTTP.
type variant struct {
	name string
	note string
	run  func(b *testing.B, env *apptest.Env, chunk []visitSpec, now time.Time)
}

func (v visitSpec) input() visits.Input {
	return visits.Input{ID: v.ID, Household: v.Household, VisitedAt: v.VisitedAt, Kind: v.Kind,
		Outcome: v.Outcome, Concerns: v.Concerns, Notes: v.Notes, WeChatAdded: v.WeChatAdded}
}

func newVisitRecord(b *testing.B, tx core.App, v visitSpec, officer string, now time.Time) *core.Record {
	coll, err := tx.FindCachedCollectionByNameOrId("visits")
	if err != nil {
		b.Fatal(err)
	}
	rec := core.NewRecord(coll)
	rec.Id = v.ID
	rec.Set("household", v.Household)
	rec.Set("officer", officer)
	rec.Set("visited_at", v.VisitedAt)
	rec.Set("received_at", now)
	rec.Set("kind", v.Kind)
	rec.Set("outcome", v.Outcome)
	rec.Set("concerns", v.Concerns)
	rec.Set("notes", v.Notes)
	rec.Set("wechat_added", v.WeChatAdded)
	return rec
}

// checkedInsert is what visits.Save does for a new visit, short of
// settleHousehold: the id lookup, the household's area check, the
// validated save. (It skips the Input validation, which costs no queries.)
func checkedInsert(ctx context.Context, b *testing.B, tx core.App, o *station.Officer, v visitSpec, now time.Time) error {
	if _, err := tx.FindRecordById("visits", v.ID); err == nil {
		return fmt.Errorf("%s exists", v.ID)
	}
	if _, err := households.Get(ctx, tx, o, v.Household); err != nil {
		return err
	}
	return tx.SaveWithContext(ctx, newVisitRecord(b, tx, v, o.ID, now))
}

var variants = []variant{
	{"push", "replica.Store.Push as /sync/push calls it (items decoded one by one)", func(b *testing.B, env *apptest.Env, chunk []visitSpec, now time.Time) {
		req := replica.Envelope{Items: map[string][]json.RawMessage{}}
		for _, v := range chunk {
			raw, err := json.Marshal(v.input())
			if err != nil {
				b.Fatal(err)
			}
			req.Items["visits"] = append(req.Items["visits"], raw)
		}
		ans, err := replica.NewStore(env.App, env.Server.Settings).Push(context.Background(), apptest.Officer(env.OfficerA), req, now, slog.Default())
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range ans.Results {
			if r.Status != replica.Created {
				b.Fatalf("push: %s %s", r.Status, r.Message)
			}
		}
	}},
	{"savepoints", "visits.Save for every item in ONE transaction, a SAVEPOINT per item", func(b *testing.B, env *apptest.Env, chunk []visitSpec, now time.Time) {
		o := apptest.Officer(env.OfficerA)
		err := env.App.RunInTransaction(func(tx core.App) error {
			for _, v := range chunk {
				if _, err := tx.DB().NewQuery("SAVEPOINT item").Execute(); err != nil {
					return err
				}
				_, status, err := visits.Save(context.Background(), tx, o, v.input(), now)
				if err != nil || status != visits.StatusCreated {
					return fmt.Errorf("save %s: %s %v", v.ID, status, err)
				}
				if _, err := tx.DB().NewQuery("RELEASE item").Execute(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}},
	{"settle-once", "savepoints, and each household settled once per request: visits.Save for a household's last item, the checked insert for its others", func(b *testing.B, env *apptest.Env, chunk []visitSpec, now time.Time) {
		o := apptest.Officer(env.OfficerA)
		ctx := context.Background()
		last := map[string]int{}
		for i, v := range chunk {
			last[v.Household] = i
		}
		err := env.App.RunInTransaction(func(tx core.App) error {
			for i, v := range chunk {
				if _, err := tx.DB().NewQuery("SAVEPOINT item").Execute(); err != nil {
					return err
				}
				if last[v.Household] == i {
					// settleHousehold recomputes from the stored visits, so
					// running it once after the household's last visit
					// leaves the state a per-visit settle would.
					if _, status, err := visits.Save(ctx, tx, o, v.input(), now); err != nil || status != visits.StatusCreated {
						return fmt.Errorf("save %s: %s %v", v.ID, status, err)
					}
				} else if err := checkedInsert(ctx, b, tx, o, v, now); err != nil {
					return err
				}
				if _, err := tx.DB().NewQuery("RELEASE item").Execute(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}},
	{"insert-checked", "what Save does minus settleHousehold (id lookup, area check, validated Save), one transaction", func(b *testing.B, env *apptest.Env, chunk []visitSpec, now time.Time) {
		o := apptest.Officer(env.OfficerA)
		ctx := context.Background()
		err := env.App.RunInTransaction(func(tx core.App) error {
			for _, v := range chunk {
				if err := checkedInsert(ctx, b, tx, o, v, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}},
	{"household-save", "no visit at all: load the visit's household and app.Save it with a new last_visited_at (settleHousehold's write), one transaction", func(b *testing.B, env *apptest.Env, chunk []visitSpec, now time.Time) {
		err := env.App.RunInTransaction(func(tx core.App) error {
			for _, v := range chunk {
				h, err := tx.FindRecordById("households", v.Household)
				if err != nil {
					return err
				}
				h.Set("last_visited_at", v.VisitedAt)
				h.Set("last_visited_by", env.OfficerA.Id)
				if err := tx.Save(h); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}},
	{"save", "bare app.Save of each visit record (validation and hooks), one transaction", func(b *testing.B, env *apptest.Env, chunk []visitSpec, now time.Time) {
		err := env.App.RunInTransaction(func(tx core.App) error {
			for _, v := range chunk {
				if err := tx.Save(newVisitRecord(b, tx, v, env.OfficerA.Id, now)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}},
	{"save-novalidate", "app.SaveNoValidate of each visit record (hooks, no field validation), one transaction", func(b *testing.B, env *apptest.Env, chunk []visitSpec, now time.Time) {
		err := env.App.RunInTransaction(func(tx core.App) error {
			for _, v := range chunk {
				if err := tx.SaveNoValidate(newVisitRecord(b, tx, v, env.OfficerA.Id, now)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}},
}

// BenchmarkPushBreakdown writes the same 3,000 visits in process (no HTTP,
// no JSON), 1,000 per call, in several ways, each on a fresh app, to see
// where /sync/push's time per visit goes: its transaction per item, its
// household bookkeeping (settleHousehold), and PocketBase's record save.
// The variants other than "push" are measuring sticks, not proposals:
// they skip checks /sync/push must make. ZF_BENCH_ONLY=push,savepoints,...
// picks variants; ZF_BENCH_ROUNDS rounds (3 by default) in rotated
// order, medians reported; run it with -benchtime 1x.
func BenchmarkPushBreakdown(b *testing.B) {
	n := envInt("ZF_BENCH_BREAKDOWN_VISITS", breakdownVisits)
	rounds := envInt("ZF_BENCH_ROUNDS", 3) * b.N
	vrs := slices.DeleteFunc(slices.Clone(variants), func(v variant) bool { return !selected(v.name) })
	perVisit, cpuPerVisit := map[string][]float64{}, map[string][]float64{}
	b.StopTimer()
	for round := 0; round < rounds; round++ {
		for k := range vrs {
			vr := vrs[(round+k)%len(vrs)]
			env := newEnv(b)
			hids := seedHouseholds(b, env, env.OfficerA, env.CommunityA, writeHouseholds)
			now := time.Now()
			vs := makeVisits(hids, n, now)
			b.StartTimer()
			start, cpu0 := time.Now(), cpuTime()
			for j := 0; j < len(vs); j += perRequest {
				vr.run(b, env, vs[j:min(j+perRequest, len(vs))], now)
			}
			el, cpu := time.Since(start), cpuTime()-cpu0
			b.StopTimer()
			if stored, err := env.App.CountRecords("visits"); vr.name != "household-save" && (err != nil || int(stored) != n) {
				b.Fatalf("%s: %d visits stored (%v), want %d", vr.name, stored, err, n)
			}
			perVisit[vr.name] = append(perVisit[vr.name], ms(el)/float64(n))
			cpuPerVisit[vr.name] = append(cpuPerVisit[vr.name], ms(cpu)/float64(n))
		}
	}
	for _, vr := range vrs {
		med := median(perVisit[vr.name])
		b.ReportMetric(med, vr.name+"_ms/visit")
		b.Logf("%-16s median %6.3f ms/visit (%5.0f visits/s), CPU %6.3f ms/visit; rounds %s  (%s)",
			vr.name, med, 1000/med, median(cpuPerVisit[vr.name]), fmtRates(perVisit[vr.name]), vr.note)
	}
	b.ReportMetric(0, "ns/op")
}
