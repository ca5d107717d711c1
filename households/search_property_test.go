package households_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
)

// TestSearchIndexAgreesWithScanAndSQL checks the search index against two
// other answers to the same question: a plain scan of every household
// record, written here from the rules, and the SQL a search falls back to
// while the index is being built. Households are random, from a small
// alphabet so names and addresses collide, and are edited, archived,
// visited and added between the queries, so the index is checked as it
// keeps itself up to date.
func TestSearchIndexAgreesWithScanAndSQL(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(13, 2026))
	chief := apptest.Officer(env.Chief)
	officers := []*station.Officer{chief, apptest.Officer(env.OfficerA), apptest.Officer(env.OfficerB)}
	writer := households.NewStore(env.App)
	idx := households.NewStore(env.App)
	sqlStore := households.NewStore(env.App)

	surnames := []rune("王李张")
	given := []rune("建华秀英明国")
	streets := []string{"贡院小区", "柳营巷", "青春坊", "吴牙街", "贡院新村"}
	places := []struct{ community, grid string }{
		{env.CommunityA, ""}, {env.CommunityA, env.GridA1}, {env.CommunityA, env.GridA2},
		{env.CommunityB, ""}, {env.CommunityB, env.GridB1},
	}
	name := func() string {
		n := string(surnames[rng.IntN(len(surnames))])
		for range 1 + rng.IntN(2) {
			n += string(given[rng.IntN(len(given))])
		}
		return n
	}
	phone := func() string {
		if rng.IntN(4) == 0 {
			return fmt.Sprintf("0571-8%03d %04d", rng.IntN(1000), rng.IntN(10000))
		}
		return fmt.Sprintf("13%d %04d %04d", rng.IntN(10), rng.IntN(10000), rng.IntN(10000))
	}
	input := func() households.Input {
		p := places[rng.IntN(len(places))]
		in := households.Input{
			Community: p.community, Grid: p.grid,
			Building: fmt.Sprintf("%s%d幢", streets[rng.IntN(len(streets))], 1+rng.IntN(12)),
			Unit:     fmt.Sprint(1 + rng.IntN(3)), Room: fmt.Sprintf("%d0%d", 1+rng.IntN(6), 1+rng.IntN(4)),
			HeadName: name(),
		}
		for range rng.IntN(3) {
			in.Phones = append(in.Phones, phone())
		}
		for _, tag := range households.Tags {
			if rng.IntN(5) == 0 {
				in.Tags = append(in.Tags, tag)
			}
		}
		return in
	}
	var ids []string
	add := func() {
		if h, err := writer.Create(ctx, chief, input()); err == nil {
			ids = append(ids, h.ID)
		}
	}
	// touch sets what visits and handovers set on a household directly.
	touch := func(id string) {
		rec, err := env.App.FindRecordById(households.Collection, id)
		if err != nil {
			t.Fatal(err)
		}
		switch rng.IntN(3) {
		case 0:
			rec.Set("last_visited_at", time.Now().Add(-time.Duration(rng.Int64N(int64(120*24*time.Hour)))))
		case 1:
			rec.Set("last_visited_at", "")
		case 2:
			wechat := ""
			if rng.IntN(2) == 0 {
				wechat = env.OfficerA.Id
			}
			rec.Set("wechat_contact", wechat)
		}
		if err := env.App.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
	for range 150 {
		add()
	}
	for _, id := range ids {
		if rng.IntN(2) == 0 {
			touch(id)
		}
	}
	if err := idx.Warm(ctx); err != nil {
		t.Fatal(err)
	}

	// A query's text: pieces of what households hold, so most find some.
	hay := func() string {
		rec, err := env.App.FindRecordById(households.Collection, ids[rng.IntN(len(ids))])
		if err != nil {
			t.Fatal(err)
		}
		return rec.GetString("search")
	}
	piece := func(runes int) string {
		words := strings.Fields(hay())
		w := []rune(words[rng.IntN(len(words))])
		if len(w) < runes {
			return string(w)
		}
		i := rng.IntN(len(w) - runes + 1)
		return string(w[i : i+runes])
	}
	text := func() string {
		switch rng.IntN(12) {
		case 0:
			return ""
		case 1:
			return string(surnames[rng.IntN(len(surnames))])
		case 2:
			return string(given[rng.IntN(len(given))]) + string(given[rng.IntN(len(given))])
		case 3:
			return piece(1)
		case 4:
			return piece(2)
		case 5:
			return piece(2 + rng.IntN(5))
		case 6:
			return fmt.Sprintf("%04d", rng.IntN(10000)) // a phone fragment
		case 7:
			return fmt.Sprintf("%d-%d-%d0%d", 1+rng.IntN(12), 1+rng.IntN(3), 1+rng.IntN(6), 1+rng.IntN(4)) // short form
		case 8:
			return piece(2) + " " + string(surnames[rng.IntN(len(surnames))])
		case 9:
			return piece(1+rng.IntN(3)) + " " + piece(1+rng.IntN(3)) + " " + fmt.Sprint(rng.IntN(10))
		case 10:
			return []string{"不存在", "()", "13", "8", "幢", "贡院 ", "ＬＩ"}[rng.IntN(7)]
		}
		return strings.ToUpper(piece(3))
	}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	query := func() (*station.Officer, households.Query) {
		q := households.Query{Text: text(), Limit: []int{1, 5, 50, 500}[rng.IntN(4)], Now: time.Now().Truncate(time.Millisecond)}
		if rng.IntN(3) == 0 {
			q.Offset = rng.IntN(20)
		}
		if rng.IntN(4) == 0 {
			q.Community = pick(env.CommunityA, env.CommunityB)
		}
		if rng.IntN(5) == 0 {
			q.Grid = pick(env.GridA1, env.GridA2, env.GridB1)
		}
		if rng.IntN(5) == 0 {
			q.Tag = households.Tags[rng.IntN(len(households.Tags))]
		}
		if rng.IntN(4) == 0 {
			q.NotVisitedDays = []int{7, 30, 90}[rng.IntN(3)]
		}
		if rng.IntN(5) == 0 {
			q.VisitedDays = []int{7, 30, 90}[rng.IntN(3)]
		}
		q.Never = rng.IntN(8) == 0
		q.WeChat = rng.IntN(6) == 0
		q.Archived = rng.IntN(6) == 0
		if rng.IntN(6) == 0 {
			q.Officer, q.Communities = env.OfficerA.Id, []string{env.CommunityA}
		}
		q.Sort = pick("", "", households.SortAddress, households.SortLastVisited, households.SortRecent)
		return officers[rng.IntN(len(officers))], q
	}

	found, empty := 0, 0
	for round := range 40 {
		// Between rounds: edits, archives, visits and new households.
		for range 1 + rng.IntN(4) {
			id := ids[rng.IntN(len(ids))]
			switch rng.IntN(4) {
			case 0:
				add()
			case 1:
				h, err := writer.Get(ctx, chief, id)
				if err != nil {
					t.Fatal(err)
				}
				in := households.InputOf(h)
				n := input()
				in.BaseRev = ""
				switch rng.IntN(3) {
				case 0:
					in.HeadName = n.HeadName
				case 1:
					in.Building, in.Unit, in.Room, in.Address = n.Building, n.Unit, n.Room, ""
				case 2:
					in.Phones, in.Tags = n.Phones, n.Tags
				}
				_, _ = writer.Update(ctx, chief, id, in) // a duplicate or an archived one is refused
			case 2:
				h, err := writer.Get(ctx, chief, id)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = writer.SetArchived(ctx, chief, id, !h.Archived) // a taken door is refused
			case 3:
				touch(id)
			}
		}
		recs, err := env.App.FindAllRecords(households.Collection)
		if err != nil {
			t.Fatal(err)
		}
		for range 25 {
			o, q := query()
			wantIDs, wantTotal := scan(recs, o, q)
			gotIDs, gotTotal, err := idx.SearchByIndex(ctx, o, q)
			if err != nil {
				t.Fatal(err)
			}
			sqlIDs, sqlTotal, err := sqlStore.SearchBySQL(ctx, o, q)
			if err != nil {
				t.Fatal(err)
			}
			if wantTotal > 0 {
				found++
			} else {
				empty++
			}
			if gotTotal != wantTotal || !slices.Equal(gotIDs, wantIDs) {
				t.Fatalf("round %d, %s %+v: the index found %d %v, a scan %d %v", round, o.Role, q, gotTotal, gotIDs, wantTotal, wantIDs)
			}
			if sqlTotal != wantTotal || !slices.Equal(sqlIDs, wantIDs) {
				t.Fatalf("round %d, %s %+v: SQL found %d %v, a scan %d %v", round, o.Role, q, sqlTotal, sqlIDs, wantTotal, wantIDs)
			}
		}
	}
	if found < 300 || empty < 100 {
		t.Errorf("of 1,000 queries %d found something and %d nothing: the queries test too little", found, empty)
	}
}

// scan answers q over every household record, the slow and obvious way.
func scan(recs []*core.Record, o *station.Officer, q households.Query) (ids []string, total int) {
	terms := households.SearchTerms(q.Text)
	visited := func(r *core.Record) time.Time { return r.GetDateTime("last_visited_at").Time() }
	var hits []*core.Record
	for _, r := range recs {
		lv := visited(r)
		c := r.GetString("community")
		keep := r.GetBool("archived") == q.Archived && o.CoversCommunity(c) &&
			(q.Community == "" || c == q.Community) && (q.Grid == "" || r.GetString("grid") == q.Grid) &&
			(q.Officer == "" || slices.Contains(q.Communities, c)) &&
			(q.Tag == "" || slices.Contains(r.GetStringSlice("tags"), q.Tag)) &&
			(q.NotVisitedDays == 0 || lv.IsZero() || lv.Before(households.Since(q.Now, q.NotVisitedDays))) &&
			(q.VisitedDays == 0 || !lv.IsZero() && !lv.Before(households.Since(q.Now, q.VisitedDays))) &&
			(!q.Never || lv.IsZero()) && (!q.WeChat || r.GetString("wechat_contact") != "")
		for _, t := range terms {
			keep = keep && strings.Contains(r.GetString("search"), t)
		}
		if keep {
			hits = append(hits, r)
		}
	}
	slices.SortFunc(hits, func(a, b *core.Record) int {
		return cmp.Or(strings.Compare(a.GetString("address"), b.GetString("address")), strings.Compare(a.Id, b.Id))
	})
	switch q.Sort {
	case households.SortLastVisited:
		slices.SortStableFunc(hits, func(a, b *core.Record) int { return visited(a).Compare(visited(b)) })
	case households.SortRecent:
		slices.SortStableFunc(hits, func(a, b *core.Record) int { return visited(b).Compare(visited(a)) })
	}
	from := min(q.Offset, len(hits))
	for _, r := range hits[from:min(from+q.Limit, len(hits))] {
		ids = append(ids, r.Id)
	}
	return ids, len(hits)
}
