package mediation_test

import (
	"testing"
	"time"

	"zoufang/mediation"
)

// BenchmarkPages measures the list, an overdue filter and the figures over
// 3,000 disputes (a dozen years of the real room, or a year of a dozen
// stations): go test ./mediation -run '^$' -bench Pages -benchtime 50x
func BenchmarkPages(b *testing.B) {
	f := newFixture(b)
	chief := officer(f.Chief)
	start := time.Now().AddDate(-3, 0, 0)
	for i := range 3000 {
		in := f.input()
		in.OpenedAt = start.Add(time.Duration(i) * 8 * time.Hour)
		d, err := f.Store.Create(f.ctx, officer(f.OfficerA), in)
		if err != nil {
			b.Fatal(err)
		}
		if i%10 != 0 {
			closing := mediation.CloseInput{Status: mediation.StatusSettled, Outcome: "和解", ClosedAt: in.OpenedAt.Add(24 * time.Hour)}
			if i%50 == 1 { // a few follow-ups, never made: overdue
				closing.FollowUpAt = in.OpenedAt.Add(15 * 24 * time.Hour)
			}
			if _, err := f.Store.Close(f.ctx, officer(f.OfficerA), d.ID, closing); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("list", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Store.List(f.ctx, chief, mediation.Query{Limit: mediation.ListPageSize}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("overdue", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Store.List(f.ctx, chief, mediation.Query{Overdue: true, Limit: mediation.ListPageSize}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("officer list", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Store.List(f.ctx, officer(f.OfficerB), mediation.Query{Limit: mediation.ListPageSize}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("figures", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Store.Figures(f.ctx, chief, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
