package households_test

import (
	"context"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

func TestSearch(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	chief := apptest.Officer(env.Chief)
	a := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Grid: env.GridA1, Building: "贡院小区3幢", Unit: "1", Room: "301", HeadName: "王建华", Phones: []string{"0571-8765 4321"}, Tags: []string{"独居老人"}})
	b := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Grid: env.GridA2, Building: "柳营巷12号", HeadName: "李秀英", Phones: []string{"138 0013 8000"}, Tags: []string{"出租房"}})
	c := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区5幢", Unit: "2", Room: "502", HeadName: "Kim Min-jun", Phones: []string{"+82 10-1234-5678"}, Tags: []string{"外籍人员"}})
	// A second store reads the same database, as the deputy chief's server
	// does after a command-line import: its index must see every change.
	other := households.NewStore(env.App)

	search := func(t *testing.T, q households.Query) []string {
		t.Helper()
		res, err := other.Search(ctx, chief, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Items {
			ids = append(ids, h.ID)
		}
		if res.Total != len(ids) {
			t.Fatalf("total %d but %d items", res.Total, len(ids))
		}
		return ids
	}
	same := func(t *testing.T, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("got %v, want %v", got, want)
			}
		}
	}

	cases := []struct {
		name string
		q    households.Query
		want []string
	}{
		{"an address fragment finds the compound", households.Query{Text: "贡院"}, []string{a.ID, c.ID}},
		{"the short form building-unit-room finds the door", households.Query{Text: "3-1-301"}, []string{a.ID}},
		{"a head-of-household name fragment", households.Query{Text: "秀英"}, []string{b.ID}},
		{"a mobile fragment with spaces", households.Query{Text: "138 0013"}, []string{b.ID}},
		{"a landline fragment without the area code", households.Query{Text: "8765-4321"}, []string{a.ID}},
		{"a landline with the trunk zero", households.Query{Text: "05718765"}, []string{a.ID}},
		{"a foreign name is found case-insensitively", households.Query{Text: "kim"}, []string{c.ID}},
		{"two words must both match", households.Query{Text: "贡院 王"}, []string{a.ID}},
		{"filter by community", households.Query{Community: env.CommunityB}, []string{c.ID}},
		{"filter by grid", households.Query{Grid: env.GridA2}, []string{b.ID}},
		{"filter by tag", households.Query{Tag: "独居老人"}, []string{a.ID}},
		{"nothing matches", households.Query{Text: "不存在"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { same(t, search(t, tc.q), tc.want...) })
	}

	t.Run("not visited for N days lists the longest unvisited first and drops the recently visited", func(t *testing.T) {
		now := time.Now()
		if _, _, err := visits.NewStore(env.App).Save(ctx, apptest.Officer(env.OfficerA), visits.Input{Household: b.ID, VisitedAt: now, Outcome: visits.OutcomeMet}, now); err != nil {
			t.Fatal(err)
		}
		got := search(t, households.Query{NotVisitedDays: 30, Sort: households.SortLastVisited})
		same(t, got, a.ID, c.ID)
	})
	t.Run("an archived household leaves the results and appears in the archive", func(t *testing.T) {
		if _, err := households.NewStore(env.App).SetArchived(ctx, chief, c.ID, true); err != nil {
			t.Fatal(err)
		}
		same(t, search(t, households.Query{Text: "贡院"}), a.ID)
		same(t, search(t, households.Query{Archived: true}), c.ID)
	})
	t.Run("an edited address is found by its new text", func(t *testing.T) {
		in := households.InputOf(b)
		in.Building, in.Address = "青春坊8幢", ""
		in.BaseRev = ""
		if _, err := households.NewStore(env.App).Update(ctx, chief, b.ID, in); err != nil {
			t.Fatal(err)
		}
		same(t, search(t, households.Query{Text: "青春坊"}), b.ID)
		same(t, search(t, households.Query{Text: "柳营巷"}))
	})
	t.Run("paging splits the results", func(t *testing.T) {
		res, _ := other.Search(ctx, chief, households.Query{Limit: 1, Offset: 1})
		if res.Total != 2 || len(res.Items) != 1 {
			t.Fatalf("total %d, items %d", res.Total, len(res.Items))
		}
	})
}

func TestSearchBeforeTheIndexIsReady(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	chief := apptest.Officer(env.Chief)
	a := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "贡院小区3幢", Unit: "1", Room: "301", HeadName: "王建华", Phones: []string{"138 0013 8000"}})
	b := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "贡院小区4幢", Unit: "1", Room: "301", HeadName: "李秀英"})
	store := households.NewStore(env.App)
	ids := func(res households.Result) []string {
		var out []string
		for _, h := range res.Items {
			out = append(out, h.ID)
		}
		return out
	}

	t.Run("a search while the index is being built is answered by SQL, without waiting", func(t *testing.T) {
		release := store.HoldIndex() // the build cannot finish
		defer release()
		done := make(chan struct{})
		var res households.Result
		var err error
		go func() {
			defer close(done)
			res, err = store.Search(ctx, chief, households.Query{Text: "贡院 301"})
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the search waited for the index")
		}
		if err != nil {
			t.Fatal(err)
		}
		if store.IndexReady() {
			t.Fatal("the index was ready")
		}
		if got := ids(res); res.Total != 2 || len(got) != 2 || got[0] != a.ID || got[1] != b.ID {
			t.Fatalf("got %d %v, want %v", res.Total, got, []string{a.ID, b.ID})
		}
	})
	t.Run("the search started the build, and once it is ready the index answers, changes included", func(t *testing.T) {
		in := households.InputOf(b)
		in.HeadName, in.BaseRev = "李明", ""
		if _, err := households.NewStore(env.App).Update(ctx, chief, b.ID, in); err != nil {
			t.Fatal(err)
		}
		for start := time.Now(); !store.IndexReady(); time.Sleep(10 * time.Millisecond) {
			if time.Since(start) > 10*time.Second {
				t.Fatal("the index was not built")
			}
		}
		res, err := store.Search(ctx, chief, households.Query{Text: "李明"})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(res); res.Total != 1 || len(got) != 1 || got[0] != b.ID {
			t.Fatalf("got %d %v, want %v", res.Total, got, []string{b.ID})
		}
	})
}
