// Package visits is the visit log that replaces the paper 走访本: recording
// visits (idempotently, by a client-minted id), the daily targets, the Today
// screen and visit form, the monthly visit book, and the sync protocol that
// carries the field app's writes.
package visits

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// Collection is the PocketBase collection of visits.
const Collection = "visits"

// Kinds of visit.
const (
	KindRoutine      = "routine"       // 入户走访
	KindHolidayCheck = "holiday_check" // 长假照看
	KindFollowUp     = "follow_up"     // 回访
)

// Outcomes of a visit.
const (
	OutcomeMet     = "met"      // 见面
	OutcomeNotHome = "not_home" // 未遇
	OutcomeRefused = "refused"  // 拒访
)

// Vocabularies (the collection's select values).
var (
	Kinds    = []string{KindRoutine, KindHolidayCheck, KindFollowUp}
	Outcomes = []string{OutcomeMet, OutcomeNotHome, OutcomeRefused}
	Concerns = []string{"安全隐患", "诈骗风险", "矛盾纠纷", "求助事项", "消防隐患", "治安线索", "邻里噪音", "其他"}
)

// Rules of a visit's fields.
const (
	MaxNotes = 2000
	// ClockSkew is how far in the future a phone's clock may put a visit.
	ClockSkew = 5 * time.Minute
	// MaxAge is how old a visit may be when it first reaches the server: a
	// phone that was offline for a week still syncs; older is a mistake.
	MaxAge = 7 * 24 * time.Hour
	// EditWindow is how long after it was received its officer may edit a
	// visit; after that it is part of the record.
	EditWindow = 24 * time.Hour
)

// Visit is one entry of the 走访本 (visit book).
type Visit struct {
	ID          string    `json:"id"`
	Household   string    `json:"household"`
	Officer     string    `json:"officer"`
	VisitedAt   time.Time `json:"visited_at"`
	ReceivedAt  time.Time `json:"received_at"`
	Kind        string    `json:"kind"`
	Outcome     string    `json:"outcome"`
	Concerns    []string  `json:"concerns"`
	Notes       string    `json:"notes"`
	WeChatAdded bool      `json:"wechat_added"`
	// WeChatNew: this visit made the household's first WeChat contact.
	WeChatNew bool   `json:"wechat_new"`
	Watch     string `json:"watch"`
	// CheckResult is what a holiday check found: "normal" (正常) or
	// "abnormal" (异常, which needs a note and alerts the deputy chief).
	CheckResult string `json:"check_result,omitempty"`
	// Dispute is the mediation case a follow-up visit (回访) is of; the
	// mediation hooks check it and mark the follow-up made.
	Dispute string `json:"dispute,omitempty"`
	// ResidentAnswer is what the resident said on the confirmation page:
	// "confirmed", "denied" (the officer did not come) or "" (no answer
	// yet). A visit with an answer is no longer editable.
	ResidentAnswer string `json:"resident_answer,omitempty"`
	ResidentRating int    `json:"resident_rating,omitempty"`
	Updated        string `json:"updated"`
}

// Resident answers.
const (
	AnswerConfirmed = "confirmed"
	AnswerDenied    = "denied"
)

// Editable reports whether the visit may still be edited at now: within
// the edit window, and only until the resident has answered.
func (v *Visit) Editable(now time.Time) bool {
	return now.Sub(v.ReceivedAt) < EditWindow && v.ResidentAnswer == ""
}

// FromRecord reads a visits record.
func FromRecord(r *core.Record) *Visit {
	v := &Visit{
		ID:          r.Id,
		Household:   r.GetString("household"),
		Officer:     r.GetString("officer"),
		VisitedAt:   r.GetDateTime("visited_at").Time(),
		ReceivedAt:  r.GetDateTime("received_at").Time(),
		Kind:        r.GetString("kind"),
		Outcome:     r.GetString("outcome"),
		Concerns:    r.GetStringSlice("concerns"),
		Notes:       r.GetString("notes"),
		WeChatAdded: r.GetBool("wechat_added"),
		WeChatNew:   r.GetBool("wechat_new"),
		Watch:       r.GetString("watch"),
		CheckResult: r.GetString("check_result"),
		Dispute:     r.GetString("dispute"),
		Updated:     r.GetString("updated"),

		ResidentAnswer: r.GetString("resident_answer"),
		ResidentRating: r.GetInt("resident_rating"),
	}
	if v.Concerns == nil {
		v.Concerns = []string{}
	}
	return v
}

// Input is a visit as the form or a device sends it. The officer is never
// part of it: it is always the session's.
type Input struct {
	ID          string    `json:"id"`
	Household   string    `json:"household"`
	VisitedAt   time.Time `json:"visited_at"`
	Kind        string    `json:"kind"`
	Outcome     string    `json:"outcome"`
	Concerns    []string  `json:"concerns"`
	Notes       string    `json:"notes"`
	WeChatAdded bool      `json:"wechat_added"`
	Watch       string    `json:"watch"`
	CheckResult string    `json:"check_result"`
	Dispute     string    `json:"dispute"`
}

// normalize checks in as officer o sends it at server time now and
// returns the visit: its shape (check) and what a device may send (an id
// of the right form, a time neither in the future nor older than MaxAge).
func (in Input) normalize(o *station.Officer, now time.Time) (*Visit, station.Problems) {
	p := station.Problems{}
	v := &Visit{
		ID:          strings.TrimSpace(in.ID),
		Household:   strings.TrimSpace(in.Household),
		Officer:     o.ID,
		VisitedAt:   in.VisitedAt.UTC().Truncate(time.Millisecond),
		Kind:        in.Kind,
		Outcome:     in.Outcome,
		Notes:       strings.TrimSpace(station.CleanText(in.Notes, true)),
		WeChatAdded: in.WeChatAdded,
		Watch:       strings.TrimSpace(in.Watch),
		Dispute:     strings.TrimSpace(in.Dispute),
		CheckResult: strings.TrimSpace(in.CheckResult),
		Concerns:    slices.Clone(in.Concerns),
	}
	if v.ID != "" && !households.IDPattern.MatchString(v.ID) {
		p.Add("id", "id_format")
	}
	v.check(p)
	if !v.VisitedAt.IsZero() {
		switch {
		case v.VisitedAt.After(now.Add(ClockSkew)):
			p.Add("visited_at", "future")
		case v.VisitedAt.Before(now.Add(-MaxAge)):
			p.Add("visited_at", "too_old", int(MaxAge.Hours()/24))
		}
	}
	return v, p
}

// check is the visit's own rules, whoever writes it (a device, a form, a
// superuser through the REST API): it fills defaults, sorts the concerns
// and adds what is wrong to p.
func (v *Visit) check(p station.Problems) {
	if v.Household == "" {
		p.Add("household", "required")
	}
	if v.Kind == "" {
		v.Kind = KindRoutine
	}
	if !slices.Contains(Kinds, v.Kind) {
		p.Add("kind", "choice")
	}
	if !slices.Contains(Outcomes, v.Outcome) {
		p.Add("outcome", "choice")
	}
	concerns := []string{}
	for _, c := range v.Concerns {
		if !slices.Contains(Concerns, c) {
			p.Add("concerns", "choice")
			continue
		}
		if !slices.Contains(concerns, c) {
			concerns = append(concerns, c)
		}
	}
	slices.Sort(concerns)
	v.Concerns = concerns
	if n := utf8.RuneCountInString(v.Notes); n > MaxNotes {
		p.Add("notes", "too_long", MaxNotes)
	}
	if v.VisitedAt.IsZero() {
		p.Add("visited_at", "required")
	}
	if v.WeChatAdded && v.Outcome != OutcomeMet {
		p.Add("wechat_added", "wechat_needs_met")
	}
	if v.Kind == KindHolidayCheck {
		if v.Watch == "" {
			p.Add("watch", "required")
		}
		switch v.CheckResult {
		case CheckNormal:
		case CheckAbnormal:
			if v.Notes == "" {
				p.Add("notes", "abnormal_needs_note")
			}
		default:
			p.Add("check_result", "choice")
		}
	} else {
		v.CheckResult = "" // only a holiday check has a result
	}
}

// Results of a holiday check.
const (
	CheckNormal   = "normal"   // 正常
	CheckAbnormal = "abnormal" // 异常
)

// CountsForHomes reports whether v counts towards the homes target and as
// the household's last visit: a met visit that is not a holiday check (an
// empty home watched is not a household visited).
func (v *Visit) CountsForHomes() bool {
	return v.Outcome == OutcomeMet && v.Kind != KindHolidayCheck
}

// sameContent reports whether a retried push carries what is stored.
func (v *Visit) sameContent(o *Visit) bool {
	return v.Household == o.Household && v.Kind == o.Kind && v.Outcome == o.Outcome &&
		slices.Equal(v.Concerns, o.Concerns) && v.Notes == o.Notes && v.WeChatAdded == o.WeChatAdded &&
		v.Watch == o.Watch && v.CheckResult == o.CheckResult && v.Dispute == o.Dispute && v.VisitedAt.Equal(o.VisitedAt)
}

// AnswerText says what the resident answered, as the visit book, its XLSX
// and the office pages print it: 已确认 with the rating's stars, 居民否认,
// or nothing while no answer has come.
func AnswerText(v *Visit) string {
	switch v.ResidentAnswer {
	case AnswerConfirmed:
		if v.ResidentRating > 0 {
			return i18n.T("book.confirmed") + " " + strings.Repeat("★", v.ResidentRating)
		}
		return i18n.T("book.confirmed")
	case AnswerDenied:
		return i18n.T("book.denied")
	}
	return ""
}
