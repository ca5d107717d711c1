package gen

import (
	"cmp"
	"slices"
	"time"

	"zoufang/demo"
	"zoufang/visits"
)

// slot is one visit before it is written: who, where, when.
type slot struct {
	id        string
	officer   int
	household int32
	at        time.Time
	watch     int // index in watches, -1 for a routine visit
}

// visitRow is a visit as written, with its confirmation if the resident
// answered.
type visitRow struct {
	slot
	in       visits.Input
	kind     string
	received time.Time
	wechatNw bool
	touched  time.Time // its last save: arrival, or the resident's answer
	conf     *confirmation
}

type confirmation struct {
	id, comment, phoneCheck, client string
	at                              time.Time
	rating                          int
	denied                          bool
}

// afternoon is the window officers walk their area on a visit day: 14:00
// to 18:00 station time, and on the last day only until shortly before now.
func (g *generator) afternoon(day time.Time) (from, to time.Time, ok bool) {
	if !g.st.IsVisitDay(day) {
		return
	}
	from, to = day.Add(14*time.Hour), day.Add(18*time.Hour)
	if latest := g.now.Add(-10 * time.Minute); to.After(latest) {
		to = latest
	}
	return from, to, to.Sub(from) >= 30*time.Minute
}

// writeVisits walks the history day by day: each visit day every community
// officer visits their share of the routine visits (the district's total
// spread over officers in proportion to their area, varying by 30 % from
// day to day), mostly going round their households in turn, sometimes
// back to one; holiday checks come on their days. Each day's visits are
// settled against their households in the order they happened and
// written in the order they reached the server.
func (g *generator) writeVisits(w *writer) error {
	ctx := w.ctx
	var days []time.Time // the history's visit days
	for day := g.start; day.Before(g.now); day = day.AddDate(0, 0, 1) {
		if _, _, ok := g.afternoon(day); ok {
			days = append(days, day)
		}
	}
	nchecks := 0
	for _, cs := range g.checks {
		nchecks += len(cs)
	}
	routine := max(g.opt.Visits-nchecks, 0)
	officers := g.offs[1:]
	weights := make([]float64, len(days)*len(officers))
	for d := range days {
		for o, off := range officers {
			weights[d*len(officers)+o] = float64(len(g.comms[off.community].households)) * (0.7 + 0.6*g.rng.Float64())
		}
	}
	counts := apportion(routine, weights)
	// Each officer goes round their households in an order of their own.
	cursor := make([][]int32, len(g.offs))
	next := make([]int, len(g.offs))
	for _, c := range g.comms {
		round := slices.Clone(c.households)
		g.rng.Shuffle(len(round), func(i, j int) { round[i], round[j] = round[j], round[i] })
		cursor[c.officer] = round
	}

	vs, err := w.open(visits.Collection, "id", "household", "officer", "visited_at", "received_at", "kind", "outcome", "concerns",
		"notes", "wechat_added", "wechat_new", "watch", "resident_answer", "resident_rating", "created", "updated")
	if err != nil {
		return err
	}
	cs, err := w.open(visits.ConfirmCollection, "id", "visit", "confirmed_at", "rating", "comment", "phone_check", "client_hash", "denied", "created", "updated")
	if err != nil {
		return err
	}
	var vstamps, cstamps stamps
	lastReceived := make([]time.Time, len(g.offs))
	visitDay := 0
	for d, day := 0, g.start; day.Before(g.now); d, day = d+1, day.AddDate(0, 0, 1) {
		var slots []slot
		if visitDay < len(days) && days[visitDay].Equal(day) {
			from, to, _ := g.afternoon(day)
			span := to.Sub(from).Milliseconds()
			for o := range officers {
				oi := o + 1
				round := cursor[oi]
				for range counts[visitDay*len(officers)+o] {
					var h int32
					if g.rng.IntN(4) > 0 {
						h = round[next[oi]%len(round)]
						next[oi]++
					} else {
						h = round[g.rng.IntN(len(round))]
					}
					at := from.Add(time.Duration(g.rng.Int64N(span)) * time.Millisecond)
					slots = append(slots, slot{id: g.id(), officer: oi, household: h, at: at, watch: -1})
				}
			}
			visitDay++
		}
		slots = append(slots, g.checks[d]...)
		if len(slots) == 0 {
			continue
		}
		// Settled in the order they happened, as the hooks would.
		slices.SortFunc(slots, func(a, b slot) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		rows := make([]visitRow, len(slots))
		var lastClient string
		for i, s := range slots {
			r := &rows[i]
			r.slot = s
			h := &g.hh[s.household]
			if s.watch >= 0 {
				r.kind = visits.KindHolidayCheck
				r.in = visits.Input{Household: h.id, VisitedAt: s.at, Kind: r.kind, Outcome: visits.OutcomeNotHome,
					Notes: checkNotes[g.rng.IntN(len(checkNotes))], Watch: g.watches[s.watch].id}
				if g.rng.IntN(12) == 0 {
					r.in.Outcome = visits.OutcomeMet // family dropping by
				}
			} else {
				r.kind = visits.KindRoutine
				r.in = demo.Visit(g.rng, h.id, h.wechatBy >= 0, s.at)
				if h.followUp {
					r.kind, h.followUp = visits.KindFollowUp, false
					if r.in.Outcome == visits.OutcomeMet {
						r.in.Notes = followUpNote[g.rng.IntN(len(followUpNote))]
					}
				}
				if len(r.in.Concerns) > 0 {
					h.followUp = true
				}
				// Now and then another resident of a household already in
				// contact is added too: no new contact.
				if r.in.Outcome == visits.OutcomeMet && h.wechatBy >= 0 && g.rng.IntN(40) == 0 {
					r.in.WeChatAdded = true
				}
			}
			if r.in.Concerns == nil {
				r.in.Concerns = []string{}
			}
			slices.Sort(r.in.Concerns)
			// Most visits reach the server within a minute or two; a fifth
			// wait in the outbox until the officer is out of the stairwell.
			// The outbox drains in order.
			delay := time.Duration(3+g.rng.IntN(120)) * time.Second
			if g.rng.IntN(5) == 0 {
				delay = time.Duration(5+g.rng.IntN(55)) * time.Minute
			}
			r.received = latest(s.at.Add(delay), lastReceived[s.officer].Add(time.Millisecond))
			if r.received.After(g.now) {
				r.received = latest(g.now, lastReceived[s.officer].Add(time.Millisecond))
			}
			r.received = r.received.Truncate(time.Millisecond)
			lastReceived[s.officer] = r.received
			r.touched = r.received

			met := r.in.Outcome == visits.OutcomeMet
			if r.in.WeChatAdded && h.wechatBy < 0 {
				r.wechatNw = true
				h.wechatBy, h.wechatAt = int32(s.officer), s.at
				h.touched = latest(h.touched, r.received)
			}
			if met && s.at.After(h.lastMet) {
				h.lastMet, h.lastBy = s.at, int32(s.officer)
				h.touched = latest(h.touched, r.received)
			}
			if met && r.kind != visits.KindHolidayCheck && g.rng.IntN(100) < 35 {
				r.conf = g.confirm(s.at, &lastClient)
				if r.conf != nil {
					r.touched = latest(r.touched, r.conf.at)
				}
			}
		}
		// Written in the order they were last saved; the stamps follow.
		slices.SortFunc(rows, func(a, b visitRow) int {
			if c := a.touched.Compare(b.touched); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		for i := range rows {
			r := &rows[i]
			answer, rating := "", 0
			if r.conf != nil {
				answer, rating = visits.AnswerConfirmed, r.conf.rating
				if r.conf.denied {
					answer, rating = visits.AnswerDenied, 0
				}
			}
			if err := vs.add(ctx, r.id, r.in.Household, g.offs[r.officer].id, dbTime(r.at), dbTime(r.received), r.kind, r.in.Outcome,
				jsonText(r.in.Concerns), r.in.Notes, r.in.WeChatAdded, r.wechatNw, r.in.Watch, answer, rating,
				dbTime(r.received), dbTime(vstamps.next(r.touched))); err != nil {
				return err
			}
		}
		// The confirmations in the order the residents sent them.
		slices.SortFunc(rows, func(a, b visitRow) int {
			switch {
			case a.conf == nil || b.conf == nil:
				return cmp.Compare(boolInt(a.conf != nil), boolInt(b.conf != nil))
			}
			if c := a.conf.at.Compare(b.conf.at); c != 0 {
				return c
			}
			return cmp.Compare(a.conf.id, b.conf.id)
		})
		for _, r := range rows {
			c := r.conf
			if c == nil {
				continue
			}
			t := dbTime(cstamps.next(c.at))
			if err := cs.add(ctx, c.id, r.id, dbTime(c.at), c.rating, c.comment, c.phoneCheck, c.client, c.denied, t, t); err != nil {
				return err
			}
		}
	}
	if err := w.done(vs); err != nil {
		return err
	}
	return w.done(cs)
}

// confirm draws a resident's answer to a met visit at the door: a few
// minutes later, mostly a confirmation with a good rating, now and then a
// denial; the same phone now and then confirms a second visit of the same
// afternoon (what the deputy chief's fraud flag looks for). nil if the
// answer would come after now.
func (g *generator) confirm(visited time.Time, lastClient *string) *confirmation {
	c := &confirmation{id: g.id(), at: visited.Add(time.Duration(60+g.rng.IntN(420)) * time.Second).Truncate(time.Millisecond)}
	c.client = g.hex64()
	if *lastClient != "" && g.rng.IntN(200) == 0 {
		c.client = *lastClient
	}
	*lastClient = c.client
	if c.at.After(g.now) {
		return nil
	}
	switch r := g.rng.IntN(100); {
	case r < 3:
		c.denied, c.phoneCheck = true, "skipped"
		return c
	case r < 63:
		c.rating = 5
	case r < 83:
		c.rating = 4
	case r < 90:
		c.rating = 3
	case r < 93:
		c.rating = 1 + g.rng.IntN(2)
	default:
		c.rating = 0 // answered without rating
	}
	c.comment = comments[g.rng.IntN(len(comments))]
	switch r := g.rng.IntN(100); {
	case r < 55:
		c.phoneCheck = "matched"
	case r < 95:
		c.phoneCheck = "skipped"
	default:
		c.phoneCheck = "mismatched"
	}
	return c
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
