// Package households is the registry every visit hangs on: the Household
// type and its validation, phone normalisation and address keys, the
// PocketBase-backed store with area-scoped search and duplicate detection,
// the office pages, and the import of a station's existing registry.
package households

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"zoufang/station"

	"github.com/pocketbase/pocketbase/core"
)

// Collection is the PocketBase collection of households.
const Collection = "households"

// Tags are the labels a household may carry (the collection's select values).
var Tags = []string{"独居老人", "出租房", "群居房", "外籍人员", "重点关注", "商铺单位", "空置房", "孤寡残疾", "留守儿童", "矛盾纠纷户"}

// Limits of a household's text fields.
const (
	MaxAddress  = 200
	MaxBuilding = 40
	MaxUnit     = 20
	MaxRoom     = 20
	MaxHeadName = 50
	MaxNotes    = 2000
	MaxResident = 99
)

// Household is one door of the registry (住户).
type Household struct {
	ID            string    `json:"id"`
	Community     string    `json:"community"`
	Grid          string    `json:"grid"`
	Address       string    `json:"address"`
	Building      string    `json:"building"`
	Unit          string    `json:"unit"`
	Room          string    `json:"room"`
	AddressKey    string    `json:"address_key"`
	HeadName      string    `json:"head_name"`
	Phones        []string  `json:"phones"`
	PhonesDisplay []string  `json:"phones_display"`
	Residents     int       `json:"residents"`
	Tags          []string  `json:"tags"`
	WeChatContact string    `json:"wechat_contact"`
	WeChatAddedAt time.Time `json:"wechat_added_at,omitzero"`
	LastVisitedAt time.Time `json:"last_visited_at,omitzero"`
	LastVisitedBy string    `json:"last_visited_by"`
	Notes         string    `json:"notes"`
	Archived      bool      `json:"archived"`
	// Search is the text the field app's instant search looks in.
	Search string `json:"search"`
	// Rev changes whenever a person edits the household (not when a visit
	// moves its last visit); an edit says which revision it was made on.
	Rev string `json:"rev"`
	// Updated is the sync stamp (/sync/pull pages by it).
	Updated string    `json:"updated"`
	Created time.Time `json:"created"`
}

// FromRecord reads a households record.
func FromRecord(r *core.Record) *Household {
	h := &Household{
		ID:            r.Id,
		Community:     r.GetString("community"),
		Grid:          r.GetString("grid"),
		Address:       r.GetString("address"),
		Building:      r.GetString("building"),
		Unit:          r.GetString("unit"),
		Room:          r.GetString("room"),
		AddressKey:    r.GetString("address_key"),
		HeadName:      r.GetString("head_name"),
		Residents:     r.GetInt("residents"),
		Tags:          r.GetStringSlice("tags"),
		WeChatContact: r.GetString("wechat_contact"),
		WeChatAddedAt: r.GetDateTime("wechat_added_at").Time(),
		LastVisitedAt: r.GetDateTime("last_visited_at").Time(),
		LastVisitedBy: r.GetString("last_visited_by"),
		Notes:         r.GetString("notes"),
		Archived:      r.GetBool("archived"),
		Search:        r.GetString("search"),
		Rev:           r.GetString("rev"),
		Updated:       r.GetString("updated"),
		Created:       r.GetDateTime("created").Time(),
	}
	_ = r.UnmarshalJSONField("phones", &h.Phones)
	if h.Phones == nil {
		h.Phones = []string{}
	}
	if h.Tags == nil {
		h.Tags = []string{}
	}
	h.PhonesDisplay = make([]string, len(h.Phones))
	for i, p := range h.Phones {
		h.PhonesDisplay[i] = station.DisplayPhone(p)
	}
	return h
}

// HasTag reports whether the household carries tag.
func (h *Household) HasTag(tag string) bool { return slices.Contains(h.Tags, tag) }

// Input is what a form, a device or an import row says of a household, as
// typed. Normalize turns it into a Household or says what is wrong.
type Input struct {
	ID        string   `json:"id"` // client-minted for a household created at the door
	Community string   `json:"community"`
	Grid      string   `json:"grid"`
	Address   string   `json:"address"`
	Building  string   `json:"building"`
	Unit      string   `json:"unit"`
	Room      string   `json:"room"`
	HeadName  string   `json:"head_name"`
	Phones    []string `json:"phones"`
	Residents int      `json:"residents"`
	Tags      []string `json:"tags"`
	Notes     string   `json:"notes"`
	// BaseRev is the revision of the copy an edit was made on; an edit on
	// an older revision (someone else edited meanwhile) is a conflict.
	BaseRev string `json:"base_rev"`
}

// IDPattern is PocketBase's id shape; client-minted ids must match it.
var IDPattern = regexp.MustCompile(`^[a-z0-9]{15}$`)

// problem is one field's problem found by normalize: its stable code and
// the arguments of its message. validate turns them into station.Problems;
// the import into a row's reasons.
type problem struct {
	field, code string
	args        []any
}

// normalize checks in and returns the household it describes. Community and
// grid existence and the officer's area are the store's to check.
func (in Input) normalize() (*Household, []problem) {
	var ps []problem
	add := func(field, code string, args ...any) { ps = append(ps, problem{field, code, args}) }
	trim := func(field, s string, max int, required bool) string {
		s = strings.TrimSpace(station.CleanText(s, station.MultiLineFields[field]))
		if required && s == "" {
			add(field, "required")
		}
		if utf8.RuneCountInString(s) > max {
			add(field, "too_long", max)
		}
		return s
	}
	h := &Household{ID: strings.TrimSpace(in.ID)}
	if h.ID != "" && !IDPattern.MatchString(h.ID) {
		add("id", "id_format")
	}
	h.Community = trim("community", in.Community, 15, true)
	h.Grid = trim("grid", in.Grid, 15, false)
	h.Building = trim("building", in.Building, MaxBuilding, true)
	h.Unit = trim("unit", in.Unit, MaxUnit, false)
	h.Room = trim("room", in.Room, MaxRoom, false)
	h.Address = trim("address", in.Address, MaxAddress, false)
	if h.Address == "" {
		h.Address = DisplayAddress("", h.Building, h.Unit, h.Room)
	}
	h.HeadName = trim("head_name", in.HeadName, MaxHeadName, false)
	h.Notes = trim("notes", in.Notes, MaxNotes, false)
	if in.Residents < 0 || in.Residents > MaxResident {
		add("residents", "range", 0, MaxResident)
	}
	h.Residents = in.Residents
	phones, code, bad := station.NormalizePhones(in.Phones)
	switch code {
	case "":
		h.Phones = phones
	case station.PhoneTooMany:
		add("phones", code, station.MaxPhones)
	default:
		add("phones", code, bad)
	}
	h.Tags = []string{}
	for _, t := range in.Tags {
		t = strings.TrimSpace(station.CleanText(t, false))
		if t == "" || slices.Contains(h.Tags, t) {
			continue
		}
		if !slices.Contains(Tags, t) {
			add("tags", "tag_unknown", t)
			continue
		}
		h.Tags = append(h.Tags, t)
	}
	h.AddressKey = AddressKey(h.Community, h.Building, h.Unit, h.Room)
	return h, ps
}

// Derive is a household as the record hooks store it, from what a person
// typed: trimmed parts, the display address when none was given, E.164
// phones, known tags, the address key and the search text. Whether the
// community and grid exist is not its to check. Every write path goes
// through it (the hooks), and so does the district generator, which writes
// rows without them and must write what they would.
func Derive(in Input) (*Household, station.Problems) {
	h, ps := in.normalize()
	p := station.Problems{}
	for _, x := range ps {
		p.Add(x.field, x.code, x.args...)
	}
	h.Search = h.searchText()
	return h, p
}

// searchText is the lower-case haystack a search term is looked for in:
// address, head of household, the short form 3-1-301, and every phone's
// digit forms.
func (h *Household) searchText() string {
	b, u, r := normBuilding(h.Building), normPart(h.Unit, unitSuffixes), normPart(h.Room, roomSuffixes)
	// The short form twice: as written (3-1-301) and as a search term
	// made of digits and dashes is cleaned (31301).
	parts := []string{h.Address, h.HeadName, b + "-" + u + "-" + r, b + u + r}
	for _, p := range h.Phones {
		parts = append(parts, station.PhoneSearchForms(p)...)
	}
	return strings.ToLower(strings.Join(parts, " "))
}
