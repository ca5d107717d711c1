package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

// seedWatches registers a few holiday watches (长假照看) as the station
// would have them on the day it is seeded: some in progress with their
// checks made, one with a check overdue, one whose last check found the
// home abnormal (its alert is on the board), some about to start, and one
// cancelled. Windows are relative to the real day, as no watch may end in
// the past.
func seedWatches(tx core.App, rng *rand.Rand, officers []*core.Record, byCommunity map[string][]*households.Household, commIDs []string) (int, error) {
	ctx := context.Background()
	st, err := station.LoadSettings(tx)
	if err != nil {
		return 0, err
	}
	loc := st.Location()
	now := time.Now()
	today := watches.DayOf(now, loc)
	contacts := []struct{ name, phone, key string }{
		{"李小红", "139 0571 2233", "对门王阿姨"}, {"张建国", "138 6812 4455", "社区物业"}, {"陈美玲", "0571-8702 1188", "楼下李师傅"},
		{"王志明", "136 0000 7788", "女儿（同城）"}, {"刘芳", "137 5566 1020", "对门邻居"}, {"赵敏", "135 8899 3344", "不留钥匙"},
	}
	type plan struct {
		from, to, interval int // days from today
		checks             []int
		abnormal           bool
		cancel             string
	}
	plans := []plan{
		{from: -5, to: 4, interval: 2, checks: []int{-4, -2}},                 // up to date: today's is next
		{from: -7, to: 3, interval: 2, checks: []int{-6}},                     // overdue: -4 and -2 missed
		{from: -3, to: 5, interval: 2, checks: []int{-2, -1}, abnormal: true}, // the last check found a problem
		{from: -1, to: 6, interval: 3},                                        // first check due today
		{from: -2, to: 10, interval: 3, checks: []int{-1}},
		{from: 2, to: 9, interval: 2},  // about to start
		{from: 5, to: 20, interval: 7}, // the Spring Festival trip
		{from: -3, to: 7, interval: 2, checks: []int{-2}, cancel: "行程取消，居民已提前回家。"},
	}
	n := 0
	for i, p := range plans {
		ci := i % len(officers)
		pool := byCommunity[commIDs[ci]]
		if len(pool) == 0 {
			continue
		}
		h := pool[rng.IntN(len(pool))]
		o := station.OfficerFromRecord(officers[ci])
		c := contacts[i%len(contacts)]
		in := watches.Input{
			ID: core.GenerateDefaultRandomId(), Household: h.ID,
			From: today.AddDate(0, 0, p.from).Format(time.DateOnly), To: today.AddDate(0, 0, p.to).Format(time.DateOnly),
			ContactName: c.name, ContactPhone: c.phone, KeyHolder: c.key, IntervalDays: p.interval, Camera: i%3 == 0,
			Notes: []string{"", "家中有猫，由邻居每天喂。", "已关闭燃气总阀。"}[i%3],
		}
		w, _, _, err := watches.Save(ctx, tx, o, in)
		if err != nil {
			if station.FieldsOf(err)["from"].Code == "watch_overlaps" {
				continue // the dice picked a home twice
			}
			return n, fmt.Errorf("watch %s: %w", h.Address, err)
		}
		for k, d := range p.checks {
			at := today.AddDate(0, 0, d).Add(time.Duration(15+rng.IntN(3))*time.Hour + time.Duration(rng.IntN(50))*time.Minute)
			result, notes := visits.CheckNormal, "门窗完好，无异常。"
			if p.abnormal && k == len(p.checks)-1 {
				result, notes = visits.CheckAbnormal, "门口有陌生人徘徊，门锁完好；已联系家属，并请物业加强巡查。"
			}
			cin := visits.Input{Household: h.ID, VisitedAt: at, Kind: visits.KindHolidayCheck, Outcome: visits.OutcomeNotHome,
				Watch: w.ID, CheckResult: result, Notes: notes}
			if _, _, err := visits.Save(ctx, tx, o, cin, at.Add(10*time.Minute)); err != nil {
				return n, fmt.Errorf("check of %s: %w", h.Address, err)
			}
		}
		if p.cancel != "" {
			in.Status, in.CancelReason = watches.StatusCancelled, p.cancel
			if _, _, _, err := watches.Save(ctx, tx, o, in); err != nil {
				return n, fmt.Errorf("cancel watch %s: %w", h.Address, err)
			}
		}
		n++
	}
	return n, nil
}
