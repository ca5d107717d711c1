package watches

import (
	"fmt"
	"time"
	"zoufang/station"

	"github.com/pocketbase/dbx"
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

// PurgeAfter is how long after a holiday watch ends its contact details
// are kept (DESIGN §9).
const PurgeAfter = 30 * 24 * time.Hour

// CloseWatches ends the active watches whose window has passed and, 30 days
// after a watch ended, erases who to call and who holds the key: the
// station keeps that the home was watched and checked, not the family's
// contacts. It runs daily (app's cron) and returns how many watches it
// ended and purged.
func CloseWatches(app core.App, now time.Time) (ended, purged int, err error) {
	var due []*core.Record
	err = app.RecordQuery("holiday_watches").
		AndWhere(dbx.HashExp{"status": "active"}).
		AndWhere(dbx.NewExp("[[to]] < {:now}", dbx.Params{"now": station.DBTime(now)})).All(&due)
	if err != nil {
		return 0, 0, fmt.Errorf("due watches: %w", err)
	}
	for _, w := range due {
		w.Set("status", "ended")
		if err := app.Save(w); err != nil {
			return ended, purged, fmt.Errorf("end watch %s: %w", w.Id, err)
		}
		ended++
	}
	var old []*core.Record
	err = app.RecordQuery("holiday_watches").
		AndWhere(dbx.NewExp("status != 'active' AND [[to]] < {:cut} AND (contact_name != '' OR contact_phone != '' OR key_holder != '')",
			dbx.Params{"cut": station.DBTime(now.Add(-PurgeAfter))})).All(&old)
	if err != nil {
		return ended, 0, fmt.Errorf("old watches: %w", err)
	}
	for _, w := range old {
		w.Set("contact_name", "")
		w.Set("contact_phone", "")
		w.Set("key_holder", "")
		if err := app.Save(w); err != nil {
			return ended, purged, fmt.Errorf("purge watch %s: %w", w.Id, err)
		}
		purged++
	}
	return ended, purged, nil
}
