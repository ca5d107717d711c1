package station

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the station's zone must resolve on a machine without zoneinfo

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Settings are the station's working rules (one row of the settings collection).
type Settings struct {
	ID            string
	StationName   string
	VisitWeekdays []time.Weekday // the days officers go door to door
	TargetHomes   int            // households met per visit day
	TargetWeChat  int            // new WeChat contacts per visit day
	Timezone      string
	TokenBookSize int // QR tokens each device keeps ready
	// PublicURL is the address residents' phones open QR and watch links
	// at ("https://zoufang.example.gov.cn"), without a trailing slash; ""
	// when the station has not set one (see visits.BaseURL).
	PublicURL string
	loc       *time.Location
}

// DefaultSettings are the rules of a new station: Tuesday and Thursday
// afternoons, 10 homes and 10 WeChat contacts, Beijing time, 30 QR tokens.
func DefaultSettings() Settings {
	s := Settings{
		StationName:   "派出所",
		VisitWeekdays: []time.Weekday{time.Tuesday, time.Thursday},
		TargetHomes:   10,
		TargetWeChat:  10,
		Timezone:      "Asia/Shanghai",
		TokenBookSize: 30,
	}
	s.loc, _ = LoadLocation(s.Timezone)
	return s
}

var zones sync.Map // zone name → *time.Location

// LoadLocation is time.LoadLocation remembered: it reads and parses the
// zone's tzdata each time, and settings are read on every visit's save.
func LoadLocation(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// Location is the station's time zone; "today" always means today there.
func (s Settings) Location() *time.Location {
	if s.loc != nil {
		return s.loc
	}
	loc, err := LoadLocation(s.Timezone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// IsVisitDay reports whether t falls on one of the station's visit weekdays,
// in the station's zone.
func (s Settings) IsVisitDay(t time.Time) bool {
	return slices.Contains(s.VisitWeekdays, t.In(s.Location()).Weekday())
}

// DayBounds returns the start and end (exclusive) of the station-local day
// holding t, as instants.
func (s Settings) DayBounds(t time.Time) (start, end time.Time) {
	l := t.In(s.Location())
	start = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.Location())
	return start, start.AddDate(0, 0, 1)
}

// DayString is the station-local date of t as YYYY-MM-DD.
func (s Settings) DayString(t time.Time) string {
	return t.In(s.Location()).Format(time.DateOnly)
}

// SettingsCollection is the collection holding the station's one settings row.
const SettingsCollection = "settings"

// settingsKey holds, in the app's store, the settings row as last read
// and a version that every change of the row moves on (BindSettingsCache).
const settingsKey = "zoufang.settings"

type settingsEntry struct {
	version uint64
	s       *Settings // nil: read it again
}

// BindSettingsCache has LoadSettings keep the row in memory: it is read on
// every visit's save (its zone decides the day) and changes a few times a
// year. Any change of the row, through any path, drops it: when its write
// executes (so a read later in that transaction sees the new row) and
// again when the write commits or fails. Without this binding
// LoadSettings reads the row every time.
func BindSettingsCache(app core.App) {
	app.Store().Set(settingsKey, settingsEntry{})
	drop := func() {
		app.Store().SetFunc(settingsKey, func(old any) any {
			e, _ := old.(settingsEntry)
			return settingsEntry{version: e.version + 1}
		})
	}
	executed := func(e *core.RecordEvent) error {
		err := e.Next()
		drop()
		return err
	}
	done := func(e *core.RecordEvent) error { drop(); return e.Next() }
	failed := func(e *core.RecordErrorEvent) error { drop(); return e.Next() }
	app.OnRecordCreateExecute(SettingsCollection).BindFunc(executed)
	app.OnRecordUpdateExecute(SettingsCollection).BindFunc(executed)
	app.OnRecordDeleteExecute(SettingsCollection).BindFunc(executed)
	app.OnRecordAfterCreateSuccess(SettingsCollection).BindFunc(done)
	app.OnRecordAfterUpdateSuccess(SettingsCollection).BindFunc(done)
	app.OnRecordAfterDeleteSuccess(SettingsCollection).BindFunc(done)
	app.OnRecordAfterCreateError(SettingsCollection).BindFunc(failed)
	app.OnRecordAfterUpdateError(SettingsCollection).BindFunc(failed)
	app.OnRecordAfterDeleteError(SettingsCollection).BindFunc(failed)
}

// LoadSettings reads the station's settings row, falling back to the defaults
// for a station that has none yet; kept in memory once BindSettingsCache
// is bound.
func LoadSettings(app core.App) (Settings, error) {
	cached, ok := app.Store().GetOk(settingsKey)
	if !ok {
		return readSettings(app)
	}
	seen, _ := cached.(settingsEntry)
	if seen.s != nil {
		c := *seen.s
		c.VisitWeekdays = slices.Clone(c.VisitWeekdays)
		return c, nil
	}
	s, err := readSettings(app)
	if err != nil {
		return s, err
	}
	// Kept only if no change came in while it was being read.
	app.Store().SetFunc(settingsKey, func(old any) any {
		if e, _ := old.(settingsEntry); e.version == seen.version {
			return settingsEntry{version: e.version, s: &s}
		}
		return old
	})
	return s, nil
}

func readSettings(app core.App) (Settings, error) {
	s := DefaultSettings()
	var recs []*core.Record
	if err := app.RecordQuery(SettingsCollection).OrderBy("created ASC").Limit(1).All(&recs); err != nil {
		return s, fmt.Errorf("load settings: %w", err)
	}
	if len(recs) == 0 {
		return s, nil
	}
	r := recs[0]
	s.ID = r.Id
	if v := r.GetString("station_name"); v != "" {
		s.StationName = v
	}
	// A stored row is taken as it is: 0 new WeChat contacts or an empty
	// token book are settings, not "unset".
	if days := r.GetStringSlice("visit_weekdays"); len(days) > 0 {
		s.VisitWeekdays = s.VisitWeekdays[:0:0]
		for _, d := range days {
			if wd, ok := ParseWeekday(d); ok {
				s.VisitWeekdays = append(s.VisitWeekdays, wd)
			}
		}
	}
	if v := r.GetInt("target_homes"); v > 0 {
		s.TargetHomes = v
	}
	s.TargetWeChat = max(r.GetInt("target_wechat"), 0)
	if v := r.GetString("timezone"); v != "" {
		if loc, err := LoadLocation(v); err == nil {
			s.Timezone, s.loc = v, loc
		}
	}
	s.TokenBookSize = max(r.GetInt("token_book_size"), 0)
	s.PublicURL = r.GetString("public_url")
	return s, nil
}

// ParsePublicURL checks a station's public address: an absolute http or
// https URL of a host, with no path, query, fragment or credentials (the
// app is served at the root). It returns the address without a trailing
// slash, or a field problem code.
func ParsePublicURL(raw string) (string, string) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "":
		return "", "public_url"
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", "public_url"
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), ""
}

// Weekday names as stored in the settings collection.
var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// WeekdayName returns the stored name of d ("tue").
func WeekdayName(d time.Weekday) string { return weekdayNames[d] }

// ParseWeekday reads a stored weekday name.
func ParseWeekday(s string) (time.Weekday, bool) {
	i := slices.Index(weekdayNames, strings.ToLower(strings.TrimSpace(s)))
	return time.Weekday(i), i >= 0
}

// DBTime formats t as PocketBase stores datetimes ("2026-12-01
// 07:00:00.000Z"), for comparisons in SQL.
func DBTime(t time.Time) string {
	d, _ := types.ParseDateTime(t.UTC())
	return d.String()
}
