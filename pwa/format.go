package pwa

import (
	"time"

	"zoufang/i18n"
)

// Date formats t as a station-local date ("2026-12-01"), "" for zero.
func Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02")
}

// DateTime formats t as station-local date and minute.
func DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// Ago says how long ago t was in whole station-local days ("今天",
// "3 天前"), or "从未" for zero.
func Ago(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return i18n.T("time.never")
	}
	d := DaysBetween(t, now, loc)
	switch {
	case d <= 0:
		return i18n.T("time.today")
	case d == 1:
		return i18n.T("time.yesterday")
	}
	return i18n.T("time.days_ago", d)
}

// DaysBetween counts calendar days from t to now in loc.
func DaysBetween(t, now time.Time, loc *time.Location) int {
	a := t.In(loc)
	b := now.In(loc)
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}
