package mediation

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// Kinds of mediator on the wall's roster.
const (
	KindPolice    = "police"    // 民警
	KindJustice   = "justice"   // 街道司法所
	KindCommunity = "community" // 社区工作者
	KindVolunteer = "volunteer" // 金牌调解员
	KindLawyer    = "lawyer"    // 律师
	KindMedia     = "media"     // 媒体人
)

// MediatorKinds in the roster's order.
var MediatorKinds = []string{KindPolice, KindJustice, KindCommunity, KindVolunteer, KindLawyer, KindMedia}

// Room is a mediation room: the station's own (no community) or a branch
// room in a community (六心工作室 in 吴牙社区).
type Room struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Community string `json:"community"`
}

// Mediator is one name on the roster. Mediators have no accounts: the
// mediation officer calls them in.
type Mediator struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Organisation string   `json:"organisation"`
	Phone        string   `json:"phone"` // E.164, or empty
	Rooms        []string `json:"rooms"`
	Active       bool     `json:"active"`
}

func mediatorFromRecord(r *core.Record) *Mediator {
	m := &Mediator{
		ID: r.Id, Name: r.GetString("name"), Kind: r.GetString("kind"), Organisation: r.GetString("organisation"),
		Phone: r.GetString("phone"), Rooms: r.GetStringSlice("rooms"), Active: r.GetBool("active"),
	}
	if m.Rooms == nil {
		m.Rooms = []string{}
	}
	return m
}

// check normalises m (trimmed text, an E.164 phone) and adds its problems.
func (m *Mediator) check(r refs, p station.Problems) {
	m.Name, m.Organisation, m.Phone = strings.TrimSpace(m.Name), strings.TrimSpace(m.Organisation), strings.TrimSpace(m.Phone)
	switch {
	case m.Name == "":
		p.Add("name", "required")
	case utf8.RuneCountInString(m.Name) > MaxMediatorNm:
		p.Add("name", "too_long", MaxMediatorNm)
	}
	if !slices.Contains(MediatorKinds, m.Kind) {
		p.Add("kind", "choice")
	}
	if utf8.RuneCountInString(m.Organisation) > MaxOrg {
		p.Add("organisation", "too_long", MaxOrg)
	}
	if m.Phone != "" {
		e164, code := station.NormalizePhone(m.Phone)
		if code != "" {
			p.Add("phone", code, m.Phone)
		} else {
			m.Phone = e164
		}
	}
	rooms := []string{}
	for _, id := range m.Rooms {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(rooms, id) {
			rooms = append(rooms, id)
		}
	}
	m.Rooms = rooms
	for _, id := range rooms {
		if !r.roomExists(id) {
			p.Add("rooms", "room_unknown")
			break
		}
	}
}

func (m *Mediator) write(rec *core.Record) {
	rec.Set("name", m.Name)
	rec.Set("kind", m.Kind)
	rec.Set("organisation", m.Organisation)
	rec.Set("phone", m.Phone)
	rec.Set("rooms", m.Rooms)
	rec.Set("active", m.Active)
}

// Session is one sitting of a mediation (调解记录): when, who mediated,
// what was said and what comes next.
type Session struct {
	ID        string    `json:"id"`
	Dispute   string    `json:"dispute"`
	At        time.Time `json:"at"`
	Mediators []string  `json:"mediators"`
	Notes     string    `json:"notes"`
	NextStep  string    `json:"next_step"`
	Officer   string    `json:"officer"` // who recorded it
}

func sessionFromRecord(r *core.Record) *Session {
	s := &Session{
		ID: r.Id, Dispute: r.GetString("dispute"), At: r.GetDateTime("at").Time(), Mediators: r.GetStringSlice("mediators"),
		Notes: r.GetString("notes"), NextStep: r.GetString("next_step"), Officer: r.GetString("officer"),
	}
	if s.Mediators == nil {
		s.Mediators = []string{}
	}
	return s
}

// Event is one entry of a dispute's history: opened, edited (Fields
// names what), a session, closed (Note is the outcome), reopened (Note is
// the reason), the agreement signed, a follow-up visit, a handover.
type Event struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Officer string    `json:"officer"` // "" for the station admin
	Status  string    `json:"status"`
	Note    string    `json:"note"`
	Fields  []string  `json:"fields"`
	Visit   string    `json:"visit"`
	Session string    `json:"session"`
}

func eventFromRecord(r *core.Record) *Event {
	e := &Event{
		ID: r.Id, At: r.GetDateTime("at").Time(), Kind: r.GetString("kind"), Officer: r.GetString("officer"),
		Status: r.GetString("status"), Note: r.GetString("note"), Visit: r.GetString("visit"), Session: r.GetString("session"),
	}
	_ = r.UnmarshalJSONField("fields", &e.Fields)
	return e
}
