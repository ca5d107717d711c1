// Package watches is the holiday house-watch (长假照看, DESIGN §9): a resident
// going away asks, and the officer checks the empty home on a schedule. A
// watch is registered on the phone (offline too), at the office or by the
// station admin; its checks are visits of kind holiday_check; the resident
// follows them on a no-JavaScript page behind an unguessable link; a
// nightly job ends watches and erases the family's contacts 30 days later.
package watches

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// Statuses of a watch.
const (
	StatusActive    = "active"
	StatusEnded     = "ended"
	StatusCancelled = "cancelled"
)

// Rules of a watch (DESIGN §9).
const (
	MinDays         = 1
	MaxDays         = 60
	MinInterval     = 1
	MaxInterval     = 7
	DefaultInterval = 2
	MaxName         = 50
	MaxKeyHolder    = 100
	MaxNotes        = 2000
	MaxCancelReason = 500
	// PurgeAfter is how long after a watch ends (or is cancelled) its
	// contacts are kept.
	PurgeAfter = 30 * 24 * time.Hour
)

// HolidayWatch is one 长假照看 registration, as devices and pages see it.
type HolidayWatch struct {
	ID           string `json:"id"`
	Household    string `json:"household"`
	From         string `json:"from"` // departure day, station-local "2026-12-01"
	To           string `json:"to"`   // return day
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
	KeyHolder    string `json:"key_holder"`
	IntervalDays int    `json:"interval_days"`
	Camera       bool   `json:"camera"`
	Notes        string `json:"notes"`
	Status       string `json:"status"`
	CancelReason string `json:"cancel_reason,omitempty"`
	CreatedBy    string `json:"created_by"`
	Purged       bool   `json:"purged,omitempty"`
	// Due is every day a check is due, from the server's schedule, so the
	// phone never computes it on its own.
	Due     []string `json:"due"`
	Updated string   `json:"updated"`
}

// WatchFromRecord reads a holiday_watches record, its days in loc.
func WatchFromRecord(r *core.Record, loc *time.Location) *HolidayWatch {
	from, to := DayOf(r.GetDateTime("from").Time(), loc), DayOf(r.GetDateTime("to").Time(), loc)
	w := &HolidayWatch{
		ID:           r.Id,
		Household:    r.GetString("household"),
		From:         from.Format(time.DateOnly),
		To:           to.Format(time.DateOnly),
		ContactName:  r.GetString("contact_name"),
		ContactPhone: r.GetString("contact_phone"),
		KeyHolder:    r.GetString("key_holder"),
		IntervalDays: r.GetInt("interval_days"),
		Camera:       r.GetBool("camera"),
		Notes:        r.GetString("notes"),
		Status:       r.GetString("status"),
		CancelReason: r.GetString("cancel_reason"),
		CreatedBy:    r.GetString("created_by"),
		Purged:       !r.GetDateTime("purged_at").IsZero(),
		Due:          []string{},
		Updated:      r.GetString("updated"),
	}
	if w.IntervalDays <= 0 {
		w.IntervalDays = DefaultInterval
	}
	if w.Status == StatusActive {
		for _, d := range Schedule(from, to, w.IntervalDays) {
			w.Due = append(w.Due, d.Format(time.DateOnly))
		}
	}
	return w
}

// Input is a watch as a form, a device or an admin writes it, as typed.
type Input struct {
	ID           string `json:"id"` // client-minted on the phone
	Household    string `json:"household"`
	From         string `json:"from"`
	To           string `json:"to"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
	KeyHolder    string `json:"key_holder"`
	IntervalDays int    `json:"interval_days"`
	Camera       bool   `json:"camera"`
	Notes        string `json:"notes"`
	// Status and CancelReason: an edit may cancel (status "cancelled" with
	// a reason); nothing else changes a status by hand.
	Status       string `json:"status"`
	CancelReason string `json:"cancel_reason"`
	// Secret is the resident link's secret when the phone minted it (it
	// shows the link at the door, offline); the server keeps its hash.
	Secret string `json:"secret"`
}

// watch is a checked watch, ready to be written.
type watch struct {
	household            string
	from, to             Day
	contactName, phone   string
	keyHolder, notes     string
	interval             int
	camera               bool
	status, cancelReason string
}

// normalize checks the fields that need no database, in loc as of today.
// fresh: the window is new or was changed (it may not end in the past).
func (in Input) normalize(loc *time.Location, today Day, fresh bool) (*watch, station.Problems) {
	p := station.Problems{}
	text := func(field, s string, max int, required bool) string {
		s = strings.TrimSpace(s)
		if required && s == "" {
			p.Add(field, "required")
		}
		if utf8.RuneCountInString(s) > max {
			p.Add(field, "too_long", max)
		}
		return s
	}
	w := &watch{
		household:    strings.TrimSpace(in.Household),
		contactName:  text("contact_name", in.ContactName, MaxName, true),
		keyHolder:    text("key_holder", in.KeyHolder, MaxKeyHolder, false),
		notes:        text("notes", in.Notes, MaxNotes, false),
		interval:     in.IntervalDays,
		camera:       in.Camera,
		status:       strings.TrimSpace(in.Status),
		cancelReason: text("cancel_reason", in.CancelReason, MaxCancelReason, false),
	}
	if w.household == "" {
		p.Add("household", "required")
	}
	if w.interval == 0 {
		w.interval = DefaultInterval
	}
	if w.interval < MinInterval || w.interval > MaxInterval {
		p.Add("interval_days", "range", MinInterval, MaxInterval)
	}
	raw := strings.TrimSpace(in.ContactPhone)
	if raw == "" {
		p.Add("contact_phone", "required")
	} else if phone, code := station.NormalizePhone(raw); code != "" {
		p.Add("contact_phone", code, raw)
	} else {
		w.phone = phone
	}
	var okFrom, okTo bool
	w.from, okFrom = ParseDay(strings.TrimSpace(in.From), loc)
	w.to, okTo = ParseDay(strings.TrimSpace(in.To), loc)
	if !okFrom {
		p.Add("from", "date")
	}
	if !okTo {
		p.Add("to", "date")
	}
	if okFrom && okTo {
		switch n := daysBetween(w.from, w.to); {
		case n < MinDays:
			p.Add("to", "watch_after_from")
		case n > MaxDays:
			p.Add("to", "watch_too_long", MaxDays)
		case fresh && w.to.Before(today):
			p.Add("to", "watch_in_past")
		}
	}
	switch w.status {
	case "", StatusActive:
		w.status = StatusActive
	case StatusCancelled:
		if w.cancelReason == "" {
			p.Add("cancel_reason", "required")
		}
	default:
		p.Add("status", "choice")
	}
	return w, p
}

// write copies w onto rec.
func (w *watch) write(rec *core.Record) {
	rec.Set("household", w.household)
	rec.Set("from", w.from)
	rec.Set("to", w.to)
	rec.Set("contact_name", w.contactName)
	rec.Set("contact_phone", w.phone)
	rec.Set("key_holder", w.keyHolder)
	rec.Set("interval_days", w.interval)
	rec.Set("camera", w.camera)
	rec.Set("notes", w.notes)
	rec.Set("status", w.status)
	rec.Set("cancel_reason", w.cancelReason)
}

// inputOf reads a record back as what was typed, for the hooks (a REST or
// admin UI write) and the edit form.
func inputOf(r *core.Record, loc *time.Location) Input {
	day := func(f string) string {
		t := r.GetDateTime(f).Time()
		if t.IsZero() {
			return ""
		}
		return DayOf(t, loc).Format(time.DateOnly)
	}
	return Input{
		ID: r.Id, Household: r.GetString("household"), From: day("from"), To: day("to"),
		ContactName: r.GetString("contact_name"), ContactPhone: r.GetString("contact_phone"), KeyHolder: r.GetString("key_holder"),
		IntervalDays: r.GetInt("interval_days"), Camera: r.GetBool("camera"), Notes: r.GetString("notes"),
		Status: r.GetString("status"), CancelReason: r.GetString("cancel_reason"),
	}
}
