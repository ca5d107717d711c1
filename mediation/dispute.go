// Package mediation is the log of the station's joint mediation room
// (警民联调工作室, DESIGN §14): the rooms and the roster of mediators on the
// wall, disputes with their parties, sessions and history, the printable
// agreement (调解协议书), the figures (cases, success rate, days to settle)
// and the follow-ups the lead officer owes.
package mediation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"zoufang/i18n"
	"zoufang/station"
)

// Collections of the mediation log.
const (
	Collection          = "disputes"
	SessionsCollection  = "dispute_sessions"
	EventsCollection    = "dispute_events"
	RoomsCollection     = "mediation_rooms"
	MediatorsCollection = "mediators"
	// counterTable holds the last number handed out per year.
	counterTable = "dispute_counters"
)

// Categories of dispute (the collection's select values).
const (
	CategoryNeighbour = "neighbour" // 邻里
	CategoryFamily    = "family"    // 家庭
	CategoryMarriage  = "marriage"  // 婚恋
	CategoryProperty  = "property"  // 物业
	CategoryTenancy   = "tenancy"   // 房屋租赁
	CategoryConsumer  = "consumer"  // 消费
	CategoryLabour    = "labour"    // 劳务
	CategoryTraffic   = "traffic"   // 交通事故
	CategoryOther     = "other"     // 其他
)

// Sources: how a dispute reached the room.
const (
	SourceWalkIn   = "walk_in"  // 来访
	SourceVisit    = "visit"    // 走访发现
	SourceCall     = "call"     // 来电
	SourceReferral = "referral" // 转交
	SourcePatrol   = "patrol"   // 巡防发现
)

// Statuses of a dispute. Every status but open is closed (结案).
const (
	StatusOpen      = "open"      // 调解中
	StatusSettled   = "settled"   // 调解成功
	StatusFailed    = "failed"    // 调解不成
	StatusReferred  = "referred"  // 移交
	StatusWithdrawn = "withdrawn" // 撤回
)

// Party roles.
const (
	RoleApplicant  = "applicant"  // 申请人
	RoleRespondent = "respondent" // 被申请人
)

// Vocabularies, in display order.
var (
	Categories     = []string{CategoryNeighbour, CategoryFamily, CategoryMarriage, CategoryProperty, CategoryTenancy, CategoryConsumer, CategoryLabour, CategoryTraffic, CategoryOther}
	Sources        = []string{SourceWalkIn, SourceVisit, SourceCall, SourceReferral, SourcePatrol}
	Statuses       = []string{StatusOpen, StatusSettled, StatusFailed, StatusReferred, StatusWithdrawn}
	ClosedStatuses = []string{StatusSettled, StatusFailed, StatusReferred, StatusWithdrawn}
	Roles          = []string{RoleApplicant, RoleRespondent}
)

// Limits of a dispute's fields.
const (
	MaxSummary    = 4000
	MaxOutcome    = 4000
	MaxParties    = 20
	MaxPartyName  = 50
	MaxMediators  = 20
	MaxReason     = 500
	MaxNotes      = 4000
	MaxNextStep   = 1000
	MaxMediatorNm = 50
	MaxOrg        = 100
	MaxRoomName   = 100
	// ClockSkew is how far ahead of the server's clock a date may be.
	ClockSkew = 5 * time.Minute
	// FollowUpEarly: a follow-up visit this long before the follow-up date
	// still counts as the follow-up (the officer passed by a week early).
	FollowUpEarly = 7 * 24 * time.Hour
)

// Party is one side of a dispute (当事人). Phone is E.164 or empty (a
// respondent may not give one); Household links the party to the registry.
type Party struct {
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	Role      string `json:"role"`
	Household string `json:"household,omitempty"`
}

// Dispute is one case of the mediation log.
type Dispute struct {
	ID              string    `json:"id"`
	Number          string    `json:"number"` // 2026-0143
	Room            string    `json:"room"`
	Community       string    `json:"community"`
	Household       string    `json:"household"`
	Category        string    `json:"category"`
	Summary         string    `json:"summary"`
	Parties         []Party   `json:"parties"`
	Source          string    `json:"source"`
	Visit           string    `json:"visit"`
	Report          string    `json:"report"`
	Officer         string    `json:"officer"` // the lead officer
	Mediators       []string  `json:"mediators"`
	Status          string    `json:"status"`
	OpenedAt        time.Time `json:"opened_at"`
	ClosedAt        time.Time `json:"closed_at,omitzero"`
	Outcome         string    `json:"outcome"`
	AgreementSigned bool      `json:"agreement_signed"`
	FollowUpAt      time.Time `json:"follow_up_at,omitzero"`
	FollowedUpAt    time.Time `json:"followed_up_at,omitzero"`
	FollowUpPending bool      `json:"follow_up_pending"`
	Updated         string    `json:"updated"`
}

// Closed reports whether the case is closed (any status but open).
func (d *Dispute) Closed() bool { return d.Status != StatusOpen }

// FollowUpOverdue reports whether a follow-up is owed and its day has
// passed in the station's zone.
func (d *Dispute) FollowUpOverdue(now time.Time, loc *time.Location) bool {
	if !d.FollowUpPending {
		return false
	}
	y, m, day := now.In(loc).Date()
	return d.FollowUpAt.Before(time.Date(y, m, day, 0, 0, 0, 0, loc))
}

// Applicants and Respondents are the parties of each side.
func (d *Dispute) Applicants() []Party  { return d.side(RoleApplicant) }
func (d *Dispute) Respondents() []Party { return d.side(RoleRespondent) }

func (d *Dispute) side(role string) []Party {
	var out []Party
	for _, p := range d.Parties {
		if p.Role == role {
			out = append(out, p)
		}
	}
	return out
}

// PartyNames joins the parties' names, applicants first ("张三 与 李四").
func (d *Dispute) PartyNames() string {
	names := func(ps []Party) string {
		var n []string
		for _, p := range ps {
			n = append(n, p.Name)
		}
		return strings.Join(n, "、")
	}
	a, r := names(d.Applicants()), names(d.Respondents())
	if a == "" || r == "" {
		return a + r
	}
	return i18n.T("dispute.parties_vs", a, r)
}

// FromRecord reads a disputes record.
func FromRecord(r *core.Record) *Dispute {
	d := &Dispute{
		ID:              r.Id,
		Number:          r.GetString("number"),
		Room:            r.GetString("room"),
		Community:       r.GetString("community"),
		Household:       r.GetString("household"),
		Category:        r.GetString("category"),
		Summary:         r.GetString("summary"),
		Source:          r.GetString("source"),
		Visit:           r.GetString("visit"),
		Report:          r.GetString("report"),
		Officer:         r.GetString("officer"),
		Mediators:       r.GetStringSlice("mediators"),
		Status:          r.GetString("status"),
		OpenedAt:        r.GetDateTime("opened_at").Time(),
		ClosedAt:        r.GetDateTime("closed_at").Time(),
		Outcome:         r.GetString("outcome"),
		AgreementSigned: r.GetBool("agreement_signed"),
		FollowUpAt:      r.GetDateTime("follow_up_at").Time(),
		FollowedUpAt:    r.GetDateTime("followed_up_at").Time(),
		FollowUpPending: r.GetBool("follow_up_pending"),
		Updated:         r.GetString("updated"),
	}
	d.Parties, _ = readParties(r.GetRaw("parties"))
	if d.Parties == nil {
		d.Parties = []Party{}
	}
	if d.Mediators == nil {
		d.Mediators = []string{}
	}
	return d
}

// readParties reads the parties field as whoever wrote it did: our own
// []Party, or JSON from a REST client or the admin UI's editor. Numbers
// typed as JSON numbers are read as digits; anything else that is not a
// list of objects is an error.
func readParties(v any) ([]Party, error) {
	var raw []byte
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []Party:
		return slices.Clone(t), nil
	case types.JSONRaw:
		raw = t
	case []byte:
		raw = t
	case string:
		raw = []byte(t)
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	if len(strings.TrimSpace(string(raw))) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []map[string]any
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	out := make([]Party, 0, len(items))
	for _, it := range items {
		out = append(out, Party{
			Name: text(it["name"]), Phone: text(it["phone"]), Role: text(it["role"]), Household: text(it["household"]),
		})
	}
	return out, nil
}

func text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// refs answers what validation asks of other records. The hooks answer
// from the save's transaction.
type refs interface {
	roomExists(id string) bool
	communityExists(id string) bool
	// householdCommunity is the community of an active household.
	householdCommunity(id string) (string, bool)
	// officerActive reports whether id is an active officer.
	officerActive(id string) bool
	mediatorExists(id string) bool
}

// check normalises d in place (trimmed text, E.164 phones, sorted
// mediators, defaults) and adds every problem to p. Who may write it (the
// officer's area) is the store's to check; the transitions between
// statuses are the hooks'. leadChanged says whether the lead officer is
// new or changed: an officer who has left may stay the lead of old cases.
func check(d *Dispute, r refs, now time.Time, loc *time.Location, leadChanged bool, p station.Problems) {
	trimRequired := func(field string, s *string, max int, required bool) {
		*s = strings.TrimSpace(*s)
		switch {
		case required && *s == "":
			p.Add(field, "required")
		case utf8.RuneCountInString(*s) > max:
			p.Add(field, "too_long", max)
		}
	}
	switch {
	case d.Room == "":
		p.Add("room", "required")
	case !r.roomExists(d.Room):
		p.Add("room", "room_unknown")
	}
	switch {
	case d.Community == "":
		p.Add("community", "required")
	case !r.communityExists(d.Community):
		p.Add("community", "community_unknown")
	}
	if d.Household != "" {
		c, ok := r.householdCommunity(d.Household)
		switch {
		case !ok:
			p.Add("household", "household_missing")
		case d.Community != "" && c != d.Community:
			p.Add("household", "household_other_community")
		}
	}
	if !slices.Contains(Categories, d.Category) {
		p.Add("category", "choice")
	}
	trimRequired("summary", &d.Summary, MaxSummary, true)
	checkParties(d, r, p)

	switch d.Source {
	case SourceVisit:
		if d.Visit == "" {
			p.Add("visit", "dispute_needs_visit")
		}
	case SourcePatrol:
		if d.Report == "" {
			p.Add("report", "dispute_needs_report")
		}
	case "":
		p.Add("source", "required")
	default:
		if !slices.Contains(Sources, d.Source) {
			p.Add("source", "choice")
		}
	}
	if d.Visit != "" && d.Source != SourceVisit {
		p.Add("visit", "dispute_source_link")
	}
	d.Report = strings.TrimSpace(d.Report)
	if d.Report != "" {
		if d.Source != SourcePatrol {
			p.Add("report", "dispute_source_link")
		} else if !idPattern(d.Report) {
			p.Add("report", "id_format")
		}
	}

	switch {
	case d.Officer == "":
		p.Add("officer", "required")
	case leadChanged && !r.officerActive(d.Officer):
		p.Add("officer", "lead_inactive")
	}
	d.Mediators = checkMediators(d.Mediators, r, p)

	if d.Status == "" {
		d.Status = StatusOpen
	}
	if !slices.Contains(Statuses, d.Status) {
		p.Add("status", "choice")
	}
	if d.OpenedAt.IsZero() {
		d.OpenedAt = now
	}
	if d.OpenedAt.After(now.Add(ClockSkew)) {
		p.Add("opened_at", "day_future")
	}
	opened := dayOf(d.OpenedAt, loc)
	trimRequired("outcome", &d.Outcome, MaxOutcome, d.Closed())
	if d.Closed() {
		if d.ClosedAt.IsZero() {
			d.ClosedAt = now
		}
		switch {
		case d.ClosedAt.After(now.Add(ClockSkew)):
			p.Add("closed_at", "day_future")
		case dayOf(d.ClosedAt, loc).Before(opened):
			p.Add("closed_at", "closed_before_opened")
		}
	} else {
		d.ClosedAt = time.Time{}
	}
	if d.AgreementSigned && d.Status != StatusSettled {
		p.Add("agreement_signed", "agreement_needs_settled")
	}
	if !d.FollowUpAt.IsZero() && dayOf(d.FollowUpAt, loc).Before(opened) {
		p.Add("follow_up_at", "follow_up_before_opened")
	}
	d.FollowUpPending = followUpPending(d)
}

// checkParties normalises the parties (trimmed names, E.164 phones) and
// checks there is someone on each side. Problems name the party's field
// (parties.1.phone), and the list as a whole under parties, which the
// admin UI shows.
// checkMediators trims, deduplicates and sorts a case's or a session's
// mediators, each of whom must be on the roster, at most MaxMediators.
func checkMediators(in []string, r refs, p station.Problems) []string {
	ms := []string{}
	for _, m := range in {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(ms, m) {
			ms = append(ms, m)
		}
	}
	slices.Sort(ms)
	if len(ms) > MaxMediators {
		p.Add("mediators", "mediators_too_many", MaxMediators)
	}
	for _, m := range ms {
		if !r.mediatorExists(m) {
			p.Add("mediators", "mediator_unknown")
			break
		}
	}
	return ms
}

func checkParties(d *Dispute, r refs, p station.Problems) {
	var kept []Party
	applicants, respondents := 0, 0
	for i, x := range d.Parties {
		x.Name, x.Phone, x.Role, x.Household = strings.TrimSpace(x.Name), strings.TrimSpace(x.Phone), strings.TrimSpace(x.Role), strings.TrimSpace(x.Household)
		if x == (Party{Role: x.Role}) {
			continue // an empty row of the form
		}
		f := func(name string) string { return fmt.Sprintf("parties.%d.%s", i, name) }
		bad := func(field, code string, args ...any) {
			p.Add(f(field), code, args...)
			p.Add("parties", code, args...)
		}
		switch {
		case x.Name == "":
			bad("name", "required")
		case utf8.RuneCountInString(x.Name) > MaxPartyName:
			bad("name", "too_long", MaxPartyName)
		}
		if x.Phone != "" {
			e164, code := station.NormalizePhone(x.Phone)
			if code != "" {
				bad("phone", code, x.Phone)
			} else {
				x.Phone = e164
			}
		}
		switch x.Role {
		case RoleApplicant:
			applicants++
		case RoleRespondent:
			respondents++
		default:
			bad("role", "choice")
		}
		if x.Household != "" {
			if _, ok := r.householdCommunity(x.Household); !ok {
				bad("household", "household_missing")
			}
		}
		kept = append(kept, x)
	}
	if kept == nil {
		kept = []Party{}
	}
	d.Parties = kept
	switch {
	case len(kept) > MaxParties:
		p.Add("parties", "parties_too_many", MaxParties)
	case applicants == 0 || respondents == 0:
		p.Add("parties", "parties_sides")
	}
}

// followUpPending: a follow-up date is set and no follow-up visit was made
// since FollowUpEarly before it.
func followUpPending(d *Dispute) bool {
	if d.FollowUpAt.IsZero() {
		return false
	}
	return d.FollowedUpAt.IsZero() || d.FollowedUpAt.Before(d.FollowUpAt.Add(-FollowUpEarly))
}

// dayOf is the station-local midnight of t's day.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// idPattern reports whether s has PocketBase's id shape.
func idPattern(s string) bool {
	if len(s) != 15 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// write copies what a person writes of d onto rec; the number, the
// follow-up state and the history are the hooks'.
func write(rec *core.Record, d *Dispute) {
	rec.Set("room", d.Room)
	rec.Set("community", d.Community)
	rec.Set("household", d.Household)
	rec.Set("category", d.Category)
	rec.Set("summary", d.Summary)
	rec.Set("parties", d.Parties)
	rec.Set("source", d.Source)
	rec.Set("visit", d.Visit)
	rec.Set("report", d.Report)
	rec.Set("officer", d.Officer)
	rec.Set("mediators", d.Mediators)
	rec.Set("status", d.Status)
	setTime(rec, "opened_at", d.OpenedAt)
	setTime(rec, "closed_at", d.ClosedAt)
	rec.Set("outcome", d.Outcome)
	rec.Set("agreement_signed", d.AgreementSigned)
	setTime(rec, "follow_up_at", d.FollowUpAt)
}

// setTime sets a date field, empty for the zero time.
func setTime(rec *core.Record, field string, t time.Time) {
	if t.IsZero() {
		rec.Set(field, "")
		return
	}
	rec.Set(field, t.UTC())
}

// FormatNumber is the case number of seq in year: 2026-0143.
func FormatNumber(year, seq int) string { return fmt.Sprintf("%d-%04d", year, seq) }
