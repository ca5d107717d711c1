package watches

import (
	"time"
)

// Day is a station-local calendar day, as the midnight that starts it.
type Day = time.Time

// DayOf is the station-local day holding t.
func DayOf(t time.Time, loc *time.Location) Day {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// ParseDay reads "2026-12-01" as a day in loc.
func ParseDay(s string, loc *time.Location) (Day, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	return t, err == nil
}

// daysBetween counts calendar days from a to b (both days).
func daysBetween(a, b Day) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// Schedule is when a watch's checks are due (DESIGN §9): the first the day
// after departure, then one every interval days, the last on the return
// day. Each due day owns the window of days since the one before it (the
// first, the days since departure): a check made in that window is that
// day's check, so an officer who comes a day early has still checked.
func Schedule(from, to Day, interval int) []Day {
	if interval < 1 {
		interval = 1
	}
	if !to.After(from) {
		return nil
	}
	var out []Day
	for d := from.AddDate(0, 0, 1); d.Before(to); d = d.AddDate(0, 0, interval) {
		out = append(out, d)
	}
	return append(out, to)
}

// Progress is where a watch stands on a day.
type Progress struct {
	Due     []Day // every check of the window
	Done    []bool
	Made    int   // due days whose window holds a check
	DueNow  int   // due days up to and including today
	Overdue []Day // due days before today whose window holds no check
	Today   bool  // a check is due today and not yet made
	Next    Day   // the next due day without a check (zero if none)
}

// ProgressOf matches checks (their instants) to the due days of the
// schedule, in loc, as of today.
func ProgressOf(due []Day, from Day, checks []time.Time, today Day, loc *time.Location) Progress {
	p := Progress{Due: due, Done: make([]bool, len(due))}
	for _, c := range checks {
		cd := DayOf(c, loc)
		prev := from
		for i, d := range due {
			if cd.After(prev) && !cd.After(d) {
				p.Done[i] = true
				break
			}
			prev = d
		}
	}
	for i, d := range due {
		if p.Done[i] {
			p.Made++
		}
		if !d.After(today) {
			p.DueNow++
			if !p.Done[i] {
				if d.Before(today) {
					p.Overdue = append(p.Overdue, d)
				} else {
					p.Today = true
				}
			}
		}
		if !p.Done[i] && p.Next.IsZero() && !d.Before(today) {
			p.Next = d
		}
	}
	return p
}
