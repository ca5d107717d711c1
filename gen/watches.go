package gen

import (
	"cmp"
	"slices"
	"time"

	"zoufang/demo"
	"zoufang/station"
	"zoufang/watches"
)

// watch is one holiday watch (长假照看) and its life: registered, maybe
// cancelled, ended by the nightly job after its window, its contacts erased
// 30 days later.
type watch struct {
	id                        string
	household                 int32
	from, to                  time.Time // departure and return days, station midnight
	contact, phone, keyHolder string
	interval                  int
	notes, status             string
	createdBy                 int
	created, touched          time.Time
	purged                    bool
}

// springFestival is the date of Chinese New Year, which the long Spring
// Festival holiday surrounds.
var springFestival = map[int]string{2024: "02-10", 2025: "01-29", 2026: "02-17", 2027: "02-06", 2028: "01-26", 2029: "02-13", 2030: "02-03"}

// planWatches draws the holiday watches: about 4 in 1,000 households ask
// before each long holiday (Spring Festival, 五一, 国庆), and a few travel at
// other times, every week. Watches registered before now are kept, and
// each one's checks are scheduled as the Today screen asks for them: the
// day after departure, then every interval, the last on the return day.
func (g *generator) planWatches() {
	type trip struct{ from, to time.Time }
	var trips []trip
	day := func(y int, md string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02", time.Date(y, 1, 1, 0, 0, 0, 0, g.loc).Format("2006")+"-"+md, g.loc)
		return t
	}
	perHoliday := max(1, g.opt.Households*4/1000)
	for y := g.start.Year(); y <= g.now.Year()+1; y++ {
		var holidays [][2]time.Time
		if md, ok := springFestival[y]; ok {
			ny := day(y, md)
			holidays = append(holidays, [2]time.Time{ny.AddDate(0, 0, -2), ny.AddDate(0, 0, 6)})
		}
		holidays = append(holidays, [2]time.Time{day(y, "05-01"), day(y, "05-05")}, [2]time.Time{day(y, "10-01"), day(y, "10-07")})
		for _, hd := range holidays {
			for range perHoliday {
				trips = append(trips, trip{hd[0].AddDate(0, 0, -g.rng.IntN(3)), hd[1].AddDate(0, 0, g.rng.IntN(4))})
			}
		}
	}
	perWeek := max(1, g.opt.Households/10000)
	for wk := g.start; wk.Before(g.now.AddDate(0, 0, 30)); wk = wk.AddDate(0, 0, 7) {
		for range perWeek {
			from := wk.AddDate(0, 0, g.rng.IntN(7))
			trips = append(trips, trip{from, from.AddDate(0, 0, 3+g.rng.IntN(12))})
		}
	}
	cron := func(t time.Time) time.Time { return t.Add(3*time.Hour + 20*time.Minute) } // the nightly job, 03:20
	for _, tp := range trips {
		hi := int32(g.rng.IntN(len(g.hh)))
		h := &g.hh[hi]
		w := watch{
			household: hi, from: tp.from, to: tp.to,
			contact:   demo.ChineseName(g.rng),
			keyHolder: keyHolders[g.rng.IntN(len(keyHolders))],
			interval:  []int{2, 2, 2, 2, 1, 3}[g.rng.IntN(6)],
			notes:     watchNotes[g.rng.IntN(len(watchNotes))],
			status:    "active",
			createdBy: g.comms[h.community].officer,
		}
		w.phone, _ = station.NormalizePhone(demo.ValidPhone(func() string { return demo.Mobile(g.rng) }))
		w.created = tp.from.AddDate(0, 0, -1-g.rng.IntN(10)).Add(9*time.Hour + time.Duration(g.rng.IntN(8*3600))*time.Second)
		cancel := g.rng.IntN(20) == 0
		if !w.created.Before(g.now) || w.created.Before(g.t0) {
			continue // not asked for yet, or before the station's time
		}
		w.id = g.id()
		w.touched = w.created
		switch {
		case cancel:
			at := tp.from.Add(-8 * time.Hour) // the evening before
			if at.Before(g.now) && at.After(w.created) {
				w.status, w.touched = "cancelled", at
			}
		case !cron(tp.to).After(g.now):
			w.status, w.touched = "ended", cron(tp.to)
		}
		if w.status != "active" && !cron(tp.to.Add(watches.PurgeAfter)).After(g.now) {
			w.purged, w.touched = true, cron(tp.to.Add(watches.PurgeAfter))
		}
		wi := len(g.watches)
		g.watches = append(g.watches, w)
		if w.status == "cancelled" {
			continue
		}
		var due []time.Time
		for d := tp.from.AddDate(0, 0, 1); d.Before(tp.to); d = d.AddDate(0, 0, w.interval) {
			due = append(due, d)
		}
		due = append(due, tp.to)
		for _, d := range due {
			at := d.Add(10*time.Hour + time.Duration(g.rng.IntN(7*3600))*time.Second)
			if at.After(g.now.Add(-10 * time.Minute)) {
				break
			}
			di := int(d.Sub(g.start).Hours()+0.5) / 24
			g.checks[di] = append(g.checks[di], slot{id: g.id(), officer: w.createdBy, household: hi, at: at, watch: wi})
		}
	}
}

func (g *generator) writeWatches(w *writer) error {
	order := slices.Clone(g.watches)
	slices.SortStableFunc(order, func(a, b watch) int { return cmp.Compare(a.touched.UnixMilli(), b.touched.UnixMilli()) })
	ws, err := w.open(watches.Collection, "id", "household", "from", "to", "contact_name", "contact_phone", "key_holder",
		"interval_days", "notes", "status", "created_by", "created", "updated")
	if err != nil {
		return err
	}
	var st stamps
	for _, x := range order {
		contact, phone, key := x.contact, x.phone, x.keyHolder
		if x.purged {
			contact, phone, key = "", "", ""
		}
		if err := ws.add(w.ctx, x.id, g.hh[x.household].id, dbTime(x.from), dbTime(x.to), contact, phone, key,
			x.interval, x.notes, x.status, g.offs[x.createdBy].id, dbTime(x.created), dbTime(st.next(x.touched))); err != nil {
			return err
		}
	}
	return w.done(ws)
}
