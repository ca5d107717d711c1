package households

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	_ "zoufang/pb_migrations"
	"zoufang/station"
)

// benchRegistry builds a registry of n households over 6 communities, saved
// through the same write path as the store (address key, search text, phone
// index), and returns the app and the community ids.
func benchRegistry(b *testing.B, n int) (core.App, []string) {
	b.Helper()
	ta, err := tests.NewTestApp(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ta.Cleanup)
	BindHooks(ta)
	commColl, _ := ta.FindCollectionByNameOrId("communities")
	hhColl, _ := ta.FindCollectionByNameOrId(Collection)
	var comms []string
	for i := 0; i < 6; i++ {
		c := core.NewRecord(commColl)
		c.Set("name", fmt.Sprintf("社区%d", i))
		c.Set("code", fmt.Sprintf("c%d", i))
		if err := ta.Save(c); err != nil {
			b.Fatal(err)
		}
		comms = append(comms, c.Id)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	streets := []string{"吴牙街", "长庆街", "庆春路", "青春坊", "贡院小区", "仓河下", "柳营巷", "菜市桥"}
	err = ta.RunInTransaction(func(tx core.App) error {
		for i := 0; i < n; i++ {
			in := Input{
				Community: comms[i%len(comms)],
				Building:  fmt.Sprintf("%s%d幢", streets[rng.IntN(len(streets))], i/300),
				Unit:      fmt.Sprint(1 + rng.IntN(3)),
				Room:      fmt.Sprintf("%d%02d", i%9+1, i%300),
				HeadName:  string(surnames[rng.IntN(len(surnames))]) + "某某",
				Phones:    []string{fmt.Sprintf("1%d%04d%05d", 3+rng.IntN(6), rng.IntN(10000), i)}, // unique: the hooks refuse a shared phone
			}
			h, _ := in.normalize()
			rec := core.NewRecord(hhColl)
			write(rec, h)
			if i%5 == 0 {
				rec.Set("last_visited_at", "2026-10-01 06:00:00.000Z")
			}
			if err := tx.SaveNoValidate(rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ta, comms
}

// BenchmarkSearch50k measures registry searches over 50,000 households,
// by the index and, as they are answered while it is being built, by SQL.
// Target: under 50 ms each (docs/benchmarks.md).
func BenchmarkSearch50k(b *testing.B) {
	app, comms := benchRegistry(b, 50000)
	store := NewStore(app)
	chief := &station.Officer{ID: "chief", Role: station.RoleDeputyChief}
	officer := &station.Officer{ID: "off", Role: station.RoleOfficer, Communities: comms[:1]}
	ctx := context.Background()
	cases := []struct {
		name string
		o    *station.Officer
		q    Query
	}{
		{"chief/address fragment", chief, Query{Text: "贡院小区12"}},
		{"chief/short form 3-1-301", chief, Query{Text: "40-2-501"}},
		{"chief/name", chief, Query{Text: "王某"}},
		{"chief/phone fragment", chief, Query{Text: "138 123"}},
		{"chief/no match", chief, Query{Text: "不存在的地址"}},
		{"chief/community not visited 30 days", chief, Query{Community: comms[2], NotVisitedDays: 30, Sort: SortLastVisited}},
		{"chief/everything first page", chief, Query{}},
		{"officer/address fragment", officer, Query{Text: "柳营巷"}},
		{"officer/phone fragment", officer, Query{Text: "1391"}},
	}
	b.Run("build the index", func(b *testing.B) {
		for b.Loop() {
			if _, err := newSearchIndex(app).build(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, tc := range cases {
		b.Run("before the index is ready (SQL)/"+tc.name, func(b *testing.B) {
			tc.q.Limit = 50
			for b.Loop() {
				if _, _, err := store.searchSQL(ctx, newFilter(tc.o, tc.q)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	if err := store.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			tc.q.Limit = 50
			for b.Loop() {
				if _, err := store.Search(ctx, tc.o, tc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
