package visits

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// HolidayWatch is a 长假照看 registration: the officer checks an empty home
// every IntervalDays between From and To.
type HolidayWatch struct {
	ID           string    `json:"id"`
	Household    string    `json:"household"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	ContactName  string    `json:"contact_name"`
	ContactPhone string    `json:"contact_phone"`
	KeyHolder    string    `json:"key_holder"`
	IntervalDays int       `json:"interval_days"`
	Notes        string    `json:"notes"`
	Status       string    `json:"status"`
	Updated      string    `json:"updated"`
}

// WatchFromRecord reads a holiday_watches record.
func WatchFromRecord(r *core.Record) *HolidayWatch {
	w := &HolidayWatch{
		ID:           r.Id,
		Household:    r.GetString("household"),
		From:         r.GetDateTime("from").Time(),
		To:           r.GetDateTime("to").Time(),
		ContactName:  r.GetString("contact_name"),
		ContactPhone: r.GetString("contact_phone"),
		KeyHolder:    r.GetString("key_holder"),
		IntervalDays: r.GetInt("interval_days"),
		Notes:        r.GetString("notes"),
		Status:       r.GetString("status"),
		Updated:      r.GetString("updated"),
	}
	if w.IntervalDays <= 0 {
		w.IntervalDays = 2
	}
	return w
}
