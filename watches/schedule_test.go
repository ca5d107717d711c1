package watches

import (
	"strings"
	"testing"
	"time"
)

var cst = time.FixedZone("CST", 8*3600)

func day(s string) Day {
	d, ok := ParseDay(s, cst)
	if !ok {
		panic(s)
	}
	return d
}

func days(ds []Day) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Format("01-02")
	}
	return strings.Join(out, " ")
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		interval int
		want     string
	}{
		{"a 1-day watch has one check, on the return day", "2026-12-01", "2026-12-02", 2, "12-02"},
		{"an interval-1 watch is checked every day, the day after departure first", "2026-12-01", "2026-12-05", 1, "12-02 12-03 12-04 12-05"},
		{"an interval-3 watch is checked every third day and on the return day", "2026-12-01", "2026-12-10", 3, "12-02 12-05 12-08 12-10"},
		{"the return day is not checked twice", "2026-12-01", "2026-12-08", 3, "12-02 12-05 12-08"},
		{"a window across the new year counts calendar days", "2026-12-30", "2027-01-03", 2, "12-31 01-02 01-03"},
		{"a window that ends before it starts has none", "2026-12-05", "2026-12-05", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := days(Schedule(day(tt.from), day(tt.to), tt.interval)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("a 60-day watch at interval 2 has 31 checks, the last on the return day", func(t *testing.T) {
		due := Schedule(day("2026-12-01"), day("2027-01-30"), 2)
		if len(due) != 31 || !due[len(due)-1].Equal(day("2027-01-30")) || !due[0].Equal(day("2026-12-02")) {
			t.Fatalf("%d checks: %s", len(due), days(due))
		}
	})
}

func TestProgress(t *testing.T) {
	from, to := day("2026-12-01"), day("2026-12-10")
	due := Schedule(from, to, 3) // 12-02 12-05 12-08 12-10
	at := func(s string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", s, cst)
		return t
	}

	t.Run("a check counts for the due day whose window holds it, an early one too", func(t *testing.T) {
		p := ProgressOf(due, from, []time.Time{at("2026-12-02 15:00"), at("2026-12-04 16:00")}, day("2026-12-06"), cst)
		if p.Made != 2 || p.DueNow != 2 || len(p.Overdue) != 0 || !p.Next.Equal(day("2026-12-08")) {
			t.Fatalf("%+v", p)
		}
	})
	t.Run("a due day past without a check is overdue, today's is due", func(t *testing.T) {
		p := ProgressOf(due, from, []time.Time{at("2026-12-02 15:00")}, day("2026-12-08"), cst)
		if p.Made != 1 || p.DueNow != 3 || days(p.Overdue) != "12-05" || !p.Today {
			t.Fatalf("%+v", p)
		}
	})
	t.Run("days are the station's: 00:30 Beijing time is the next day's check", func(t *testing.T) {
		late := time.Date(2026, 12, 4, 16, 30, 0, 0, time.UTC) // 12-05 00:30 in Asia/Shanghai
		p := ProgressOf(due, from, []time.Time{late}, day("2026-12-06"), cst)
		if !p.Done[1] || p.Done[0] {
			t.Fatalf("done %v", p.Done)
		}
	})
	t.Run("an edited window recomputes the schedule and keeps the checks made", func(t *testing.T) {
		shorter := Schedule(from, day("2026-12-06"), 3) // 12-02 12-05 12-06
		p := ProgressOf(shorter, from, []time.Time{at("2026-12-02 15:00"), at("2026-12-05 15:00")}, day("2026-12-06"), cst)
		if days(shorter) != "12-02 12-05 12-06" || p.Made != 2 || !p.Today || len(p.Overdue) != 0 {
			t.Fatalf("%s %+v", days(shorter), p)
		}
	})
	t.Run("a check before departure or after the return counts for nothing", func(t *testing.T) {
		p := ProgressOf(due, from, []time.Time{at("2026-12-01 10:00"), at("2026-12-11 10:00")}, day("2026-12-12"), cst)
		if p.Made != 0 || len(p.Overdue) != 4 {
			t.Fatalf("%+v", p)
		}
	})
}
