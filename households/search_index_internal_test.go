package households

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"zoufang/station"
)

// TestSearchIndexKeptUpToDateAgreesWithRebuilt edits, readdresses, adds
// and archives households in rounds, as refresh brings the index up to
// date, until the arena of texts has been copied several times (with
// texts longer than its chunks, and texts of many parts), and
// checks after each round that the index answers as one built afresh
// from the same rows.
func TestSearchIndexKeptUpToDateAgreesWithRebuilt(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 2026))
	rows, comms := benchRows(t, 3000)
	for i := range 20 { // ids PocketBase does not make
		rows[i*97].ID = fmt.Sprintf("odd-%d", i)
	}
	rows[5].Search = strings.Repeat("贡院", 200_000) // longer than a chunk of the arena
	rows[6].Search = strings.Repeat("王 ", 100) + rows[6].Search
	st := newIndexState()
	for _, r := range rows {
		st.add(r)
	}
	st.seal()
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	chief := &station.Officer{ID: "chief", Role: station.RoleDeputyChief}
	officer := &station.Officer{ID: "off", Role: station.RoleOfficer, Communities: comms[:1]}
	texts := []string{"", "王", "建国", "5678", "138", "3-1-301", "301", "小区", "广福 1", "13", "8"}
	compactions := 0
	for round := range 40 {
		for k := range 300 {
			i := rng.IntN(len(rows))
			r := &rows[i]
			switch rng.IntN(6) {
			case 0: // a new text
				o := rows[rng.IntN(len(rows))]
				r.Search = o.Search
			case 1: // a new address (and text)
				o := rows[rng.IntN(len(rows))]
				r.Address, r.Search = o.Address, o.Search
			case 2:
				r.Archived = !r.Archived
				r.Tags = []string{"[]", `["出租房"]`, `["独居老人","出租房"]`}[rng.IntN(3)]
			case 3:
				r.LastVisited = station.DBTime(now.Add(-time.Duration(rng.Int64N(int64(90 * 24 * time.Hour)))))
			case 4: // a new household
				n := rows[rng.IntN(len(rows))]
				n.ID = fmt.Sprintf("new%012d", len(rows))
				rows = append(rows, n)
				r = &rows[len(rows)-1]
			case 5: // an address not at the start of its text
				r.Address = "A座" + r.Address
			}
			if round == 3 && k == 0 {
				r.Address, r.Search = "", strings.Repeat("建国", 300_000)+" "+r.Search
			}
			r.Updated = station.DBTime(now.Add(time.Duration(round) * time.Second))
			waste := st.waste
			st.put(*r)
			if st.waste < waste {
				t.Fatalf("waste went down in put")
			}
		}
		before := st.text.used
		st.finish()
		if st.text.used < before {
			compactions++
		}
		fresh := newIndexState()
		for _, r := range rows {
			fresh.add(r)
		}
		fresh.seal()
		for _, o := range []*station.Officer{chief, officer} {
			for _, text := range texts {
				q := Query{Text: text, Limit: 40, Offset: rng.IntN(3) * 20, Now: now,
					NotVisitedDays: []int{0, 0, 30}[rng.IntN(3)], Archived: rng.IntN(5) == 0,
					Sort: []string{"", SortLastVisited, SortRecent}[rng.IntN(3)]}
				if rng.IntN(4) == 0 {
					q.Tag = "出租房"
				}
				gotIDs, got := st.match(newFilter(o, q))
				wantIDs, want := fresh.match(newFilter(o, q))
				if got != want || !slices.Equal(gotIDs, wantIDs) {
					t.Fatalf("round %d, %q by %s: kept up to date %d %v, rebuilt %d %v", round, text, o.ID, got, gotIDs, want, wantIDs)
				}
			}
		}
	}
	if compactions < 2 {
		t.Fatalf("the arena was copied %d times; the test should make it copy", compactions)
	}
}
