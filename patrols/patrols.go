// Package patrols is the community's volunteer patrols (安全委员会, DESIGN
// §15): patrol teams and their volunteers, the shifts they walk (人次 =
// volunteers present, summed), the reports of what they find (巡防发现) and
// their lifecycle, the good deeds on the public praise board (表扬榜), the
// patrol map (巡防图) with its points over the community's own plan, and the
// year's figures. Its record hooks keep the rules on every write path; its
// store is the only code that touches its collections.
package patrols

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/text/width"

	"zoufang/station"
)

// The patrols collections.
const (
	TeamsCollection      = "patrol_teams"
	VolunteersCollection = "volunteers"
	ShiftsCollection     = "patrol_shifts"
	ReportsCollection    = "patrol_reports"
	DeedsCollection      = "good_deeds"
	PointsCollection     = "map_points"
	MapsCollection       = "patrol_maps"
)

// Report kinds (巡防发现的类型).
const (
	KindFireHazard  = "fire_hazard"  // 火灾隐患
	KindGroupRental = "group_rental" // 群居房
	KindSuspicious  = "suspicious"   // 可疑人员
	KindEBike       = "ebike"        // 电瓶车
	KindDispute     = "dispute"      // 矛盾纠纷
	KindHelp        = "help"         // 求助
	KindOther       = "other"        // 其他
)

// ReportKinds are the kinds in the order forms offer them.
var ReportKinds = []string{KindFireHazard, KindGroupRental, KindSuspicious, KindEBike, KindDispute, KindHelp, KindOther}

// Report statuses: open → assigned → handled | dismissed; a closed report
// may be reopened (back to assigned, with a reason), which its history
// records.
const (
	StatusOpen      = "open"
	StatusAssigned  = "assigned"
	StatusHandled   = "handled"
	StatusDismissed = "dismissed"
)

// ReportStatuses in lifecycle order.
var ReportStatuses = []string{StatusOpen, StatusAssigned, StatusHandled, StatusDismissed}

// Closed reports whether status ends a report's lifecycle.
func Closed(status string) bool { return status == StatusHandled || status == StatusDismissed }

// Good deed kinds (好人好事).
var DeedKinds = []string{"bravery", "honesty", "kindness", "patrol"}

// Map point kinds: a building (linked to its households), an entrance, a
// local unit (单位: school, office, the units that joined the patrols), a
// business (商铺), a hazard and a camera.
const (
	PointBuilding = "building"
	PointEntrance = "entrance"
	PointUnit     = "unit"
	PointBusiness = "business"
	PointHazard   = "hazard"
	PointCamera   = "camera"
)

// PointKinds in legend order.
var PointKinds = []string{PointBuilding, PointEntrance, PointUnit, PointBusiness, PointHazard, PointCamera}

// Limits of the text fields (the collections' own limits are the same).
const (
	MaxTeamName    = 100
	MaxTeamNotes   = 500
	MaxName        = 50
	MaxUnit        = 100
	MaxShiftNotes  = 1000
	MaxPresent     = 200
	MaxPlace       = 200
	MaxDescription = 2000
	MaxResult      = 2000
	MaxNote        = 500
	MaxStory       = 1000
	MaxLabel       = 60
	MaxBuilding    = 40
	MaxPointNotes  = 200
	// MaxShiftHours is the longest shift: a night patrol, not a week.
	MaxShiftHours = 12
)

// Team is a community's patrol team (巡防队).
type Team struct {
	ID        string   `json:"id"`
	Community string   `json:"community"`
	Name      string   `json:"name"`
	Leader    string   `json:"leader"`
	Grids     []string `json:"grids"`
	Notes     string   `json:"notes"`
	Updated   string   `json:"updated"`
}

// TeamFromRecord reads a patrol_teams record.
func TeamFromRecord(r *core.Record) *Team {
	return &Team{
		ID: r.Id, Community: r.GetString("community"), Name: r.GetString("name"), Leader: r.GetString("leader"),
		Grids: nonNil(r.GetStringSlice("grids")), Notes: r.GetString("notes"), Updated: r.GetString("updated"),
	}
}

// TeamInput is a team as a form gives it.
type TeamInput struct {
	Community string   `json:"community"`
	Name      string   `json:"name"`
	Leader    string   `json:"leader"`
	Grids     []string `json:"grids"`
	Notes     string   `json:"notes"`
}

// Volunteer is one resident (or a local unit's member) who patrols. No
// account: officers keep the roster.
type Volunteer struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Phone        string `json:"phone"` // E.164
	PhoneDisplay string `json:"phone_display"`
	Community    string `json:"community"`
	Team         string `json:"team"`
	Unit         string `json:"unit"` // the local business that sent them
	PartyMember  bool   `json:"party_member"`
	JoinedAt     string `json:"joined_at"` // 2026-12-01
	Active       bool   `json:"active"`
	Updated      string `json:"updated"`
}

// VolunteerFromRecord reads a volunteers record.
func VolunteerFromRecord(r *core.Record) *Volunteer {
	v := &Volunteer{
		ID: r.Id, Name: r.GetString("name"), Phone: r.GetString("phone"), Community: r.GetString("community"),
		Team: r.GetString("team"), Unit: r.GetString("unit"), PartyMember: r.GetBool("party_member"),
		JoinedAt: r.GetString("joined_at"), Active: r.GetBool("active"), Updated: r.GetString("updated"),
	}
	if v.Phone != "" {
		v.PhoneDisplay = station.DisplayPhone(v.Phone)
	}
	return v
}

// VolunteerInput is a volunteer as a form gives it; the phone as typed.
type VolunteerInput struct {
	Name        string `json:"name"`
	Phone       string `json:"phone"`
	Community   string `json:"community"`
	Team        string `json:"team"`
	Unit        string `json:"unit"`
	PartyMember bool   `json:"party_member"`
	JoinedAt    string `json:"joined_at"`
	Active      bool   `json:"active"`
}

// Shift is one patrol (一次巡防): a team walked its grids on a day with
// these volunteers present. Its JSON is the document a device holds.
type Shift struct {
	ID          string    `json:"id"`
	Team        string    `json:"team"`
	Community   string    `json:"community"`
	Grids       []string  `json:"grids"`
	Date        string    `json:"date"`   // station-local day, 2026-12-01
	Starts      string    `json:"starts"` // local clock, 19:00
	Ends        string    `json:"ends"`   // before starts: past midnight
	Volunteers  []string  `json:"volunteers"`
	PersonTurns int       `json:"person_turns"` // 人次: volunteers present
	Officer     string    `json:"officer"`
	Notes       string    `json:"notes"`
	Created     time.Time `json:"created"`
	Updated     string    `json:"updated"` // the sync stamp
}

// ShiftFromRecord reads a patrol_shifts record.
func ShiftFromRecord(r *core.Record) *Shift {
	return &Shift{
		ID: r.Id, Team: r.GetString("team"), Community: r.GetString("community"), Grids: nonNil(r.GetStringSlice("grids")),
		Date: r.GetString("date"), Starts: r.GetString("starts"), Ends: r.GetString("ends"),
		Volunteers: nonNil(r.GetStringSlice("volunteers")), PersonTurns: r.GetInt("person_turns"),
		Officer: r.GetString("officer"), Notes: r.GetString("notes"),
		Created: r.GetDateTime("created").Time(), Updated: r.GetString("updated"),
	}
}

// ShiftInput is a shift as the form or a device gives it. ID is minted by
// the device (a retried push is the same shift); the officer is always the
// session's.
type ShiftInput struct {
	ID         string   `json:"id"`
	Team       string   `json:"team"`
	Grids      []string `json:"grids"`
	Date       string   `json:"date"`
	Starts     string   `json:"starts"`
	Ends       string   `json:"ends"`
	Volunteers []string `json:"volunteers"`
	Notes      string   `json:"notes"`
}

// Report is one patrol finding (巡防发现) and where it stands. Its JSON is
// the document a device holds.
type Report struct {
	ID          string    `json:"id"`
	ReportedAt  time.Time `json:"reported_at"`
	Volunteer   string    `json:"volunteer"` // who found it, if a volunteer did
	Officer     string    `json:"officer"`   // the officer who found or recorded it
	Community   string    `json:"community"`
	Grid        string    `json:"grid"`
	Household   string    `json:"household"`
	Point       string    `json:"point"` // the map point it is at, if any
	Place       string    `json:"place"`
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	Status      string    `json:"status"`
	AssignedTo  string    `json:"assigned_to"`
	Result      string    `json:"result"`
	History     []Step    `json:"history"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	Created     time.Time `json:"created"`
	Updated     string    `json:"updated"` // the sync stamp
}

// Step is one change in a report's life: who moved it from what to what,
// to whom it was assigned, the result of closing it and any note.
type Step struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"` // officer id; "" for the station admin
	From       string    `json:"from,omitempty"`
	To         string    `json:"to"`
	AssignedTo string    `json:"assigned_to,omitempty"`
	Result     string    `json:"result,omitempty"`
	Note       string    `json:"note,omitempty"`
}

// ReportFromRecord reads a patrol_reports record.
func ReportFromRecord(r *core.Record) *Report {
	rp := &Report{
		ID: r.Id, ReportedAt: r.GetDateTime("reported_at").Time(), Volunteer: r.GetString("volunteer"),
		Officer: r.GetString("officer"), Community: r.GetString("community"), Grid: r.GetString("grid"),
		Household: r.GetString("household"), Point: r.GetString("point"), Place: r.GetString("place"),
		Kind: r.GetString("kind"), Description: r.GetString("description"), Status: r.GetString("status"),
		AssignedTo: r.GetString("assigned_to"), Result: r.GetString("result"), History: historyOf(r.Get("history")),
		ClosedAt: r.GetDateTime("closed_at").Time(), Created: r.GetDateTime("created").Time(), Updated: r.GetString("updated"),
	}
	return rp
}

// historyOf reads a stored history, however it was set.
func historyOf(v any) []Step {
	var raw []byte
	switch x := v.(type) {
	case nil:
	case []byte:
		raw = x
	case string:
		raw = []byte(x)
	case []Step:
		return x
	default:
		raw, _ = json.Marshal(x)
	}
	var out []Step
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	if out == nil {
		out = []Step{}
	}
	return out
}

// ReportInput is a finding as the form or a device records it. The status
// is never the caller's: a new report is open.
type ReportInput struct {
	ID          string    `json:"id"`
	ReportedAt  time.Time `json:"reported_at"`
	Volunteer   string    `json:"volunteer"`
	Community   string    `json:"community"`
	Grid        string    `json:"grid"`
	Household   string    `json:"household"`
	Point       string    `json:"point"`
	Place       string    `json:"place"`
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
}

// Transition moves a report on in its lifecycle: assign it (To assigned,
// AssignedTo), close it (To handled or dismissed, with a Result), or reopen
// a closed one (To assigned, with a Note saying why). A Note alone, with To
// the current status, is a remark in the history.
type Transition struct {
	Report     string `json:"report"`
	To         string `json:"to"`
	AssignedTo string `json:"assigned_to"`
	Result     string `json:"result"`
	Note       string `json:"note"`
}

// Deed is one good deed (好人好事) as the deputy chief keeps it. Only a
// published deed whose person consented reaches the praise board, and then
// only as a PraiseEntry.
type Deed struct {
	ID        string `json:"id"`
	Volunteer string `json:"volunteer"`
	Name      string `json:"name"`
	Community string `json:"community"`
	Date      string `json:"date"`
	Kind      string `json:"kind"`
	Story     string `json:"story"`
	Consent   bool   `json:"consent"`
	Published bool   `json:"published"`
}

// DeedFromRecord reads a good_deeds record.
func DeedFromRecord(r *core.Record) *Deed {
	return &Deed{
		ID: r.Id, Volunteer: r.GetString("volunteer"), Name: r.GetString("name"), Community: r.GetString("community"),
		Date: r.GetString("date"), Kind: r.GetString("kind"), Story: r.GetString("story"),
		Consent: r.GetBool("consent"), Published: r.GetBool("published"),
	}
}

// DeedInput is a deed as the deputy chief's form gives it.
type DeedInput struct {
	Volunteer string
	Name      string
	Community string
	Date      string
	Kind      string
	Story     string
	Consent   bool
	Published bool
}

// Point is one mark on a community's patrol map.
type Point struct {
	ID          string  `json:"id"`
	Community   string  `json:"community"`
	Kind        string  `json:"kind"`
	Label       string  `json:"label"`
	X           float64 `json:"x"` // fraction of the plan's width
	Y           float64 `json:"y"` // fraction of its height
	Building    string  `json:"building"`
	BuildingKey string  `json:"building_key"`
	Notes       string  `json:"notes"`
}

// PointFromRecord reads a map_points record.
func PointFromRecord(r *core.Record) *Point {
	return &Point{
		ID: r.Id, Community: r.GetString("community"), Kind: r.GetString("kind"), Label: r.GetString("label"),
		X: r.GetFloat("x"), Y: r.GetFloat("y"), Building: r.GetString("building"),
		BuildingKey: r.GetString("building_key"), Notes: r.GetString("notes"),
	}
}

// PointInput is a point as the map's form gives it.
type PointInput struct {
	Community string  `json:"community"`
	Kind      string  `json:"kind"`
	Label     string  `json:"label"`
	X         float64 `json:"x"`
	Y         float64 `json:"y"`
	Building  string  `json:"building"`
	Notes     string  `json:"notes"`
}

// Plan is a community's plan image (its own hand-drawn or printed map).
type Plan struct {
	ID        string `json:"id"`
	Community string `json:"community"`
	File      string `json:"file"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Updated   string `json:"updated"`
	// URL is where officers of the community fetch the image. It names
	// the stored file, which every upload renames, so a copy under this
	// URL never goes stale: it is served immutable, and the field app may
	// keep it for offline use.
	URL string `json:"url"`
}

// PlanFromRecord reads a patrol_maps record.
func PlanFromRecord(r *core.Record) *Plan {
	p := &Plan{
		ID: r.Id, Community: r.GetString("community"), File: r.GetString("image"),
		Width: r.GetInt("width"), Height: r.GetInt("height"), Updated: r.GetString("updated"),
	}
	if p.File != "" {
		p.URL = PlanURL(p.Community, p.File)
	}
	return p
}

// PlanURL is the path a plan image is served at.
func PlanURL(community, file string) string { return "/patrols/plan/" + community + "/" + file }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var (
	dayRe   = regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$`)
	clockRe = regexp.MustCompile(`^(\d{1,2})[:：点.](\d{2})分?$`)
)

// ParseDay reads a day as people write it (2026-12-01, 2026/12/1,
// 2026年12月1日, full-width digits) and returns it as 2026-12-01.
func ParseDay(s string) (string, bool) {
	s = strings.TrimSpace(width.Narrow.String(s))
	m := dayRe.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d || y < 2000 {
		return "", false // 2026-02-30 is no day
	}
	return t.Format(time.DateOnly), true
}

// ParseClock reads a time of day (19:00, 7:30, 19：00) and returns it as
// 19:00.
func ParseClock(s string) (string, bool) {
	s = strings.TrimSpace(width.Narrow.String(s))
	m := clockRe.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	if h > 23 || mi > 59 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", h, mi), true
}

// ShiftMinutes is how long a shift from starts to ends lasts; one that
// ends at or before it starts ran past midnight.
func ShiftMinutes(starts, ends string) int {
	a, b := clockMinutes(starts), clockMinutes(ends)
	d := b - a
	if d <= 0 {
		d += 24 * 60
	}
	return d
}

func clockMinutes(s string) int {
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	return h*60 + m
}
