package visits

import (
	"testing"
	"time"

	"zoufang/station"
)

func TestComputeTargets(t *testing.T) {
	st := station.DefaultSettings() // Asia/Shanghai, UTC+8, Tue/Thu, 10/10
	cst := st.Location()
	// Tuesday 1 December 2026 in Hangzhou.
	at := func(day, hour, min int) time.Time { return time.Date(2026, 12, day, hour, min, 0, 0, cst) }
	v := func(officer, household string, when time.Time, outcome string, wechatNew bool) *Visit {
		return &Visit{Officer: officer, Household: household, VisitedAt: when.UTC(), Outcome: outcome, WeChatAdded: wechatNew, WeChatNew: wechatNew}
	}
	visits := []*Visit{
		v("me", "h1", at(1, 0, 5), OutcomeMet, true),       // just after midnight: today
		v("me", "h2", at(30, 23, 59), OutcomeMet, true),    // 30 Nov 23:59: yesterday (note: day 30 of December is not used)
		v("me", "h3", at(1, 23, 59), OutcomeMet, false),    // last minute of today
		v("me", "h4", at(2, 0, 0), OutcomeMet, true),       // first minute of tomorrow
		v("me", "h1", at(1, 15, 0), OutcomeMet, false),     // a repeat visit to h1 counts once
		v("me", "h5", at(1, 14, 0), OutcomeNotHome, false), // not met: no home
		v("me", "h6", at(1, 14, 30), OutcomeMet, false),    // WeChat added on a household that had one: wechat_new false
		v("other", "h7", at(1, 14, 0), OutcomeMet, true),   // another officer's
	}
	// h2's visit was on 30 Nov, built with December's calendar above; fix it.
	visits[1].VisitedAt = time.Date(2026, 11, 30, 23, 59, 0, 0, cst).UTC()
	visits[6].WeChatAdded = true

	cases := []struct {
		name       string
		now        time.Time
		homes, wch int
		visitDay   bool
	}{
		{"a Tuesday afternoon counts distinct households met and new contacts", at(1, 16, 0), 3, 1, true},
		{"at 00:10 Beijing time the server in UTC is still on the previous date, but today is Tuesday", time.Date(2026, 11, 30, 16, 10, 0, 0, time.UTC), 3, 1, true},
		{"the day before sees only its own last-minute visit", at(1, 0, 0).Add(-time.Minute), 1, 1, false},
		{"the next day starts from zero but for its first minute's visit", at(2, 9, 0), 1, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeTargets(visits, "me", st, tc.now)
			if got.Homes != tc.homes || got.WeChat != tc.wch || got.VisitDay != tc.visitDay {
				t.Fatalf("got homes %d wechat %d visit day %v, want %d %d %v", got.Homes, got.WeChat, got.VisitDay, tc.homes, tc.wch, tc.visitDay)
			}
			if got.HomesTarget != 10 || got.WeChatTarget != 10 || got.Type != "targets" {
				t.Fatalf("targets %+v", got)
			}
		})
	}
	t.Run("the date is the station's, not the server's", func(t *testing.T) {
		got := ComputeTargets(nil, "me", st, time.Date(2026, 11, 30, 16, 10, 0, 0, time.UTC))
		if got.Date != "2026-12-01" {
			t.Fatalf("date %s, want 2026-12-01", got.Date)
		}
	})
}
