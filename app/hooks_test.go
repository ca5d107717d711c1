package app_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"zoufang/app/apptest"
	"zoufang/households"
)

// TestSyncStampOrder: the sync stamp (updated) of a replicated collection
// strictly increases in commit order, even with writers racing in the same
// millisecond; /sync/pull's gap-free paging rests on it.
func TestSyncStampOrder(t *testing.T) {
	env := apptest.New(t)
	store := households.NewStore(env.App)
	chief := apptest.Officer(env.Chief)
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if _, err := store.Create(context.Background(), chief, households.Input{Community: env.CommunityB, Building: fmt.Sprintf("贡院小区%d-%d幢", w, i)}); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	var rows []struct {
		Updated string `db:"updated"`
	}
	if err := env.App.DB().NewQuery("SELECT updated FROM households ORDER BY rowid").All(&rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 300 {
		t.Fatalf("%d rows, want 300", len(rows))
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].Updated <= rows[i-1].Updated {
			t.Fatalf("row %d stamped %s after %s", i, rows[i].Updated, rows[i-1].Updated)
		}
	}
}
