package visits_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
	"zoufang/visits"
)

func TestSaveKeepsTheHouseholdInStep(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	store := visits.NewStore(env.App)
	a := apptest.Officer(env.OfficerA)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街3号"})
	now := time.Now()
	get := func() *households.Household {
		got, err := households.NewStore(env.App).Get(ctx, a, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	first, _, err := store.Save(ctx, a, visits.Input{Household: h.ID, VisitedAt: now.Add(-2 * time.Hour), Outcome: visits.OutcomeMet, WeChatAdded: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := store.Save(ctx, a, visits.Input{Household: h.ID, VisitedAt: now.Add(-time.Hour), Outcome: visits.OutcomeMet, WeChatAdded: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("only the first WeChat contact of a household is new", func(t *testing.T) {
		if !first.WeChatNew || second.WeChatNew {
			t.Fatalf("wechat_new first %v second %v, want true false", first.WeChatNew, second.WeChatNew)
		}
		got := get()
		if got.WeChatContact != env.OfficerA.Id || !got.WeChatAddedAt.Equal(first.VisitedAt) {
			t.Fatalf("contact %q at %v", got.WeChatContact, got.WeChatAddedAt)
		}
	})
	t.Run("the household's last visit is its latest met visit", func(t *testing.T) {
		if _, _, err := store.Save(ctx, a, visits.Input{Household: h.ID, VisitedAt: now.Add(-30 * time.Minute), Outcome: visits.OutcomeNotHome}, now); err != nil {
			t.Fatal(err)
		}
		got := get()
		if !got.LastVisitedAt.Equal(second.VisitedAt) || got.LastVisitedBy != env.OfficerA.Id {
			t.Fatalf("last visited %v by %q, want %v", got.LastVisitedAt, got.LastVisitedBy, second.VisitedAt)
		}
	})
	t.Run("un-ticking WeChat on the first visit makes the next one the new contact", func(t *testing.T) {
		in := visits.Input{ID: first.ID, Household: h.ID, VisitedAt: first.VisitedAt, Outcome: visits.OutcomeMet, WeChatAdded: false}
		v, status, err := store.Save(ctx, a, in, now)
		if err != nil || status != visits.StatusUpdated || v.WeChatNew {
			t.Fatalf("edit: %v %s %+v", err, status, v)
		}
		again, err := store.Get(ctx, a, second.ID)
		if err != nil || !again.WeChatNew {
			t.Fatalf("second visit wechat_new = %v (%v)", again.WeChatNew, err)
		}
		if got := get(); !got.WeChatAddedAt.Equal(second.VisitedAt) {
			t.Fatalf("contact added at %v, want %v", got.WeChatAddedAt, second.VisitedAt)
		}
	})
	t.Run("invalid input names each field and writes nothing", func(t *testing.T) {
		before, _ := env.App.CountRecords("visits")
		_, _, err := store.Save(ctx, a, visits.Input{Household: h.ID, VisitedAt: now.Add(time.Hour), Outcome: "maybe", Kind: "party", Notes: strings.Repeat("长", 2001), WeChatAdded: true}, now)
		fields := station.FieldsOf(err)
		for _, f := range []string{"visited_at", "outcome", "kind", "notes", "wechat_added"} {
			if _, ok := fields[f]; !ok {
				t.Errorf("no problem reported for %s (%v)", f, fields)
			}
		}
		if after, _ := env.App.CountRecords("visits"); after != before {
			t.Fatal("an invalid visit was written")
		}
		_, _, err = store.Save(ctx, a, visits.Input{Household: h.ID, VisitedAt: now.Add(-8 * 24 * time.Hour), Outcome: visits.OutcomeMet}, now)
		if station.FieldsOf(err)["visited_at"].Code != "too_old" {
			t.Fatalf("an 8-day-old visit: %v", err)
		}
	})
	t.Run("a household outside the officer's area is refused", func(t *testing.T) {
		hB := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区2幢"})
		_, _, err := store.Save(ctx, a, visits.Input{Household: hB.ID, VisitedAt: now, Outcome: visits.OutcomeMet}, now)
		if station.FieldsOf(err)["household"].Code != "out_of_area" {
			t.Fatalf("err %v", err)
		}
	})
}

// TestLateEarlierWeChatContact: a phone that was offline for days syncs a
// WeChat contact made before the one already recorded; the earlier visit
// becomes the first contact.
func TestLateEarlierWeChatContact(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	store := visits.NewStore(env.App)
	a := apptest.Officer(env.OfficerA)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街9号"})
	now := time.Now()
	later, _, err := store.Save(ctx, a, visits.Input{Household: h.ID, VisitedAt: now.Add(-time.Hour), Outcome: visits.OutcomeMet, WeChatAdded: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	earlier, _, err := store.Save(ctx, a, visits.Input{Household: h.ID, VisitedAt: now.Add(-3 * 24 * time.Hour), Outcome: visits.OutcomeMet, WeChatAdded: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := store.Get(ctx, a, later.ID)
	if !earlier.WeChatNew || again.WeChatNew {
		t.Fatalf("wechat_new earlier %v later %v, want true false", earlier.WeChatNew, again.WeChatNew)
	}
	got, _ := households.NewStore(env.App).Get(ctx, a, h.ID)
	if !got.WeChatAddedAt.Equal(earlier.VisitedAt) || !got.LastVisitedAt.Equal(later.VisitedAt) {
		t.Fatalf("household: wechat at %v, last visited %v", got.WeChatAddedAt, got.LastVisitedAt)
	}
	t.Run("a visit that changes nothing leaves the household's sync stamp alone", func(t *testing.T) {
		before, _ := households.NewStore(env.App).Get(ctx, a, h.ID)
		if _, _, err := store.Save(ctx, a, visits.Input{Household: h.ID, VisitedAt: now.Add(-2 * time.Hour), Outcome: visits.OutcomeNotHome}, now); err != nil {
			t.Fatal(err)
		}
		after, _ := households.NewStore(env.App).Get(ctx, a, h.ID)
		if after.Updated != before.Updated {
			t.Fatal("an unanswered door made every device re-pull the household")
		}
	})
}
