package station

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
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
	s.loc, _ = time.LoadLocation(s.Timezone)
	return s
}

// Location is the station's time zone; "today" always means today there.
func (s Settings) Location() *time.Location {
	if s.loc != nil {
		return s.loc
	}
	loc, err := time.LoadLocation(s.Timezone)
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

// LoadSettings reads the station's settings row, falling back to the defaults
// for a station that has none yet.
func LoadSettings(app core.App) (Settings, error) {
	s := DefaultSettings()
	recs, err := app.FindRecordsByFilter(SettingsCollection, "", "created", 1, 0)
	if err != nil {
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
		if loc, err := time.LoadLocation(v); err == nil {
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
