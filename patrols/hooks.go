package patrols

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/text/width"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// BindHooks makes the patrols' rules hold on every write path: the office
// pages and a device's push (through the store), the demo, and a
// superuser's writes through the REST API or the admin UI (/_/). Whoever
// saves, phones are E.164, references stay within one community, a shift's
// person-turns are its volunteers present, a report moves only along its
// lifecycle (and its history records each move), a deed is published only
// with consent, a map point finds its building's households, and a plan
// image is a PNG, JPEG or WebP of at most 5 MB. settings gives the
// station's zone ("today" is today there).
func BindHooks(app core.App, settings func() station.Settings) {
	h := &hooks{settings: settings}
	for coll, fn := range map[string]func(*core.RecordEvent) error{
		TeamsCollection:      h.team,
		VolunteersCollection: h.volunteer,
		ShiftsCollection:     h.shift,
		ReportsCollection:    h.report,
		DeedsCollection:      h.deed,
		PointsCollection:     h.point,
		MapsCollection:       h.plan,
	} {
		app.OnRecordCreate(coll).BindFunc(fn)
		app.OnRecordUpdate(coll).BindFunc(fn)
	}
	app.OnRecordDelete(VolunteersCollection).BindFunc(keepPatrolled)
}

// keepPatrolled refuses to delete a volunteer who walked a shift: deleting
// would take them out of it and lower the year's person-turns. Someone who
// left the team is marked inactive instead.
func keepPatrolled(e *core.RecordEvent) error {
	var n int
	err := e.App.DB().NewQuery("SELECT COUNT(*) FROM " + ShiftsCollection + ", json_each(" + ShiftsCollection + ".volunteers) WHERE json_each.value = {:id}").
		Bind(dbx.Params{"id": e.Record.Id}).Row(&n)
	if err != nil {
		return station.Internal(err, "volunteer's shifts")
	}
	if n > 0 {
		return &station.Error{Code: station.EConflict, Message: i18n.T("patrols.volunteer_patrolled", n)}
	}
	return e.Next()
}

type hooks struct {
	settings func() station.Settings
}

// today is the station-local day now, as 2026-12-01.
func (h *hooks) today() string {
	st := station.DefaultSettings()
	if h.settings != nil {
		st = h.settings()
	}
	return st.DayString(time.Now())
}

// actor is who makes a change and when, as the store says through the
// context; the history of a report records it. A save without one (REST,
// the admin UI) is the station admin's, now.
type actor struct {
	officer *station.Officer
	at      time.Time
}

type actorKey struct{}

func withActor(ctx context.Context, o *station.Officer, at time.Time) context.Context {
	return context.WithValue(ctx, actorKey{}, actor{officer: o, at: at})
}

func actorOf(ctx context.Context) (by string, at time.Time) {
	if a, ok := ctx.Value(actorKey{}).(actor); ok {
		if a.officer != nil {
			by = a.officer.ID
		}
		if !a.at.IsZero() {
			return by, a.at.UTC()
		}
	}
	return by, time.Now().UTC()
}

// text trims field and writes it back, noting a missing or too long value.
func text(rec *core.Record, p station.Problems, field string, max int, required bool) string {
	s := strings.TrimSpace(rec.GetString(field))
	rec.Set(field, s)
	if required && s == "" {
		p.Add(field, "required")
	}
	if utf8.RuneCountInString(s) > max {
		p.Add(field, "too_long", max)
	}
	return s
}

// choice checks that field holds one of values.
func choice(rec *core.Record, p station.Problems, field string, values []string) string {
	s := strings.TrimSpace(rec.GetString(field))
	switch {
	case s == "":
		p.Add(field, "required")
	case !slices.Contains(values, s):
		p.Add(field, "choice")
	}
	return s
}

// community checks that field names a community.
func community(app core.App, rec *core.Record, p station.Problems, field string) string {
	id := rec.GetString(field)
	if id == "" {
		p.Add(field, "required")
		return ""
	}
	if _, err := app.FindRecordById("communities", id); err != nil {
		p.Add(field, "community_unknown")
		return ""
	}
	return id
}

// inCommunity checks that field (a relation to coll) names a record of
// community comm, and returns it. code is the problem when it does not.
func inCommunity(app core.App, rec *core.Record, p station.Problems, field, coll, comm, code string) *core.Record {
	id := rec.GetString(field)
	if id == "" {
		return nil
	}
	other, err := app.FindRecordById(coll, id)
	if err != nil {
		p.Add(field, code)
		return nil
	}
	if comm != "" && other.GetString("community") != comm {
		p.Add(field, code)
		return nil
	}
	return other
}

// gridsOf checks that every grid of field belongs to comm.
func gridsOf(app core.App, rec *core.Record, p station.Problems, field, comm string) []string {
	ids := uniq(rec.GetStringSlice(field))
	rec.Set(field, ids)
	if len(ids) == 0 {
		return ids
	}
	found, err := app.FindRecordsByIds("grids", ids)
	if err != nil || len(found) != len(ids) {
		p.Add(field, "grid_mismatch")
		return ids
	}
	for _, g := range found {
		if comm != "" && g.GetString("community") != comm {
			p.Add(field, "grid_mismatch")
			break
		}
	}
	return ids
}

// officerIn checks that field names an active officer who covers comm.
func officerIn(app core.App, rec *core.Record, p station.Problems, field, comm, code string) {
	id := rec.GetString(field)
	if id == "" {
		return
	}
	o, err := app.FindRecordById("officers", id)
	if err != nil || !o.GetBool("active") || (comm != "" && !station.OfficerFromRecord(o).CoversCommunity(comm)) {
		p.Add(field, code)
	}
}

// day checks that field holds a day, not after today, and stores it as
// 2026-12-01.
func (h *hooks) day(rec *core.Record, p station.Problems, field string, required bool) string {
	raw := strings.TrimSpace(rec.GetString(field))
	if raw == "" {
		if required {
			p.Add(field, "required")
		}
		return ""
	}
	d, ok := ParseDay(raw)
	switch {
	case !ok:
		p.Add(field, "day_format")
		return ""
	case d > h.today():
		p.Add(field, "day_future")
	}
	rec.Set(field, d)
	return d
}

func uniq(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (h *hooks) team(e *core.RecordEvent) error {
	rec, app := e.Record, e.App
	p := station.Problems{}
	comm := community(app, rec, p, "community")
	name := text(rec, p, "name", MaxTeamName, true)
	text(rec, p, "notes", MaxTeamNotes, false)
	if comm != "" && name != "" {
		other, err := app.FindFirstRecordByFilter(TeamsCollection, "community = {:c} && name = {:n} && id != {:id}",
			map[string]any{"c": comm, "n": name, "id": rec.Id})
		if err == nil && other != nil {
			p.Add("name", "team_name_taken")
		}
	}
	gridsOf(app, rec, p, "grids", comm)
	if v := inCommunity(app, rec, p, "leader", VolunteersCollection, comm, "leader_mismatch"); v != nil {
		if t := v.GetString("team"); t != "" && t != rec.Id {
			p.Add("leader", "leader_mismatch")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return e.Next()
}

func (h *hooks) volunteer(e *core.RecordEvent) error {
	rec, app := e.Record, e.App
	p := station.Problems{}
	text(rec, p, "name", MaxName, true)
	comm := community(app, rec, p, "community")
	inCommunity(app, rec, p, "team", TeamsCollection, comm, "team_mismatch")
	text(rec, p, "unit", MaxUnit, false)
	h.day(rec, p, "joined_at", false)
	if raw := strings.TrimSpace(rec.GetString("phone")); raw != "" {
		phone, code := station.NormalizePhone(raw)
		if code != "" {
			p.Add("phone", code, raw)
		} else {
			rec.Set("phone", phone)
			other, err := app.FindFirstRecordByData(VolunteersCollection, "phone", phone)
			if err == nil && other.Id != rec.Id {
				p.Add("phone", "volunteer_phone_taken")
			}
		}
	} else {
		rec.Set("phone", "")
	}
	if err := p.Err(); err != nil {
		return err
	}
	return e.Next()
}

func (h *hooks) shift(e *core.RecordEvent) error {
	rec, app := e.Record, e.App
	p := station.Problems{}
	var comm string
	var team *core.Record
	if id := rec.GetString("team"); id == "" {
		p.Add("team", "required")
	} else if t, err := app.FindRecordById(TeamsCollection, id); err != nil {
		p.Add("team", "team_unknown")
	} else {
		team, comm = t, t.GetString("community")
		rec.Set("community", comm)
	}
	if team != nil && len(uniq(rec.GetStringSlice("grids"))) == 0 {
		rec.Set("grids", team.GetStringSlice("grids")) // a team walks its own grids unless told
	}
	gridsOf(app, rec, p, "grids", comm)
	h.day(rec, p, "date", true)
	var clocks [2]string
	for i, f := range []string{"starts", "ends"} {
		raw := rec.GetString(f)
		if strings.TrimSpace(raw) == "" {
			p.Add(f, "required")
			continue
		}
		c, ok := ParseClock(raw)
		if !ok {
			p.Add(f, "clock_format")
			continue
		}
		rec.Set(f, c)
		clocks[i] = c
	}
	if clocks[0] != "" && clocks[1] != "" && ShiftMinutes(clocks[0], clocks[1]) > MaxShiftHours*60 {
		p.Add("ends", "shift_too_long", MaxShiftHours)
	}
	present := uniq(rec.GetStringSlice("volunteers"))
	rec.Set("volunteers", present)
	var before []string
	if !rec.IsNew() {
		before = rec.Original().GetStringSlice("volunteers")
	}
	switch {
	case len(present) == 0:
		p.Add("volunteers", "present_required")
	case len(present) > MaxPresent:
		p.Add("volunteers", "present_too_many", MaxPresent)
	}
	found, err := app.FindRecordsByIds(VolunteersCollection, present)
	if len(present) > 0 && (err != nil || len(found) != len(present)) {
		p.Add("volunteers", "volunteer_mismatch")
	}
	for _, v := range found {
		if comm != "" && v.GetString("community") != comm {
			p.Add("volunteers", "volunteer_mismatch")
			break
		}
		id := v.Id
		// A volunteer who has since left still walked the shifts they
		// walked: only one newly listed must be active.
		if !v.GetBool("active") && !slices.Contains(before, id) {
			p.Add("volunteers", "volunteer_inactive", v.GetString("name"))
			break
		}
	}
	rec.Set("person_turns", len(present))
	if rec.GetString("officer") == "" {
		p.Add("officer", "required")
	}
	officerIn(app, rec, p, "officer", comm, "officer_not_area")
	text(rec, p, "notes", MaxShiftNotes, false)
	if err := p.Err(); err != nil {
		return err
	}
	return e.Next()
}

// reportSkew is how far ahead of the server's clock a report's time may be
// (a phone's clock is a little off).
const reportSkew = 10 * time.Minute

func (h *hooks) report(e *core.RecordEvent) error {
	rec, app := e.Record, e.App
	p := station.Problems{}
	if at := rec.GetDateTime("reported_at"); at.IsZero() {
		p.Add("reported_at", "required")
	} else if at.Time().After(time.Now().Add(reportSkew)) {
		p.Add("reported_at", "report_future")
	}
	comm := community(app, rec, p, "community")
	if rec.GetString("grid") != "" {
		if g, err := app.FindRecordById("grids", rec.GetString("grid")); err != nil || (comm != "" && g.GetString("community") != comm) {
			p.Add("grid", "grid_mismatch")
		}
	}
	if hh := inCommunity(app, rec, p, "household", households.Collection, comm, "household_mismatch"); hh != nil && hh.GetBool("archived") &&
		(rec.IsNew() || rec.Original().GetString("household") != hh.Id) {
		p.Add("household", "household_archived")
	}
	inCommunity(app, rec, p, "point", PointsCollection, comm, "point_mismatch")
	inCommunity(app, rec, p, "volunteer", VolunteersCollection, comm, "volunteer_mismatch")
	if rec.GetString("officer") != "" {
		if _, err := app.FindRecordById("officers", rec.GetString("officer")); err != nil {
			p.Add("officer", "officer_unknown")
		}
	}
	if rec.GetString("volunteer") == "" && rec.GetString("officer") == "" {
		p.Add("volunteer", "reporter_required")
	}
	text(rec, p, "place", MaxPlace, true)
	choice(rec, p, "kind", ReportKinds)
	text(rec, p, "description", MaxDescription, true)
	text(rec, p, "result", MaxResult, false)
	text(rec, p, "note", MaxNote, false)
	by, at := actorOf(e.Context)
	lifecycle(app, rec, p, comm, by, at)
	if err := p.Err(); err != nil {
		return err
	}
	return e.Next()
}

// lifecycle keeps a report on its lifecycle and records each move:
//
//	open → assigned (needs assigned_to) → handled | dismissed (needs a result)
//	assigned → assigned to another officer (a reassignment)
//	handled | dismissed → assigned (a reopening; needs a note saying why)
//
// A new report is open, or assigned if it names an assignee. The history
// and closed_at are the server's: whatever a caller sent for them is
// replaced. A reopening keeps the earlier result in the history and clears
// it from the report. A note is moved into the history.
func lifecycle(app core.App, rec *core.Record, p station.Problems, comm, by string, at time.Time) {
	status := strings.TrimSpace(rec.GetString("status"))
	assignee := rec.GetString("assigned_to")
	result := rec.GetString("result")
	note := rec.GetString("note")
	var from, fromAssignee, fromResult string
	var history []Step
	var closedAt any
	if rec.IsNew() {
		history = []Step{}
		switch status {
		case "", StatusOpen:
			status = StatusOpen
			if assignee != "" {
				status = StatusAssigned
			}
		case StatusAssigned:
		default:
			if slices.Contains(ReportStatuses, status) {
				p.Add("status", "report_new_status")
			} else {
				p.Add("status", "choice")
			}
			return
		}
	} else {
		orig := rec.Original()
		from, fromAssignee, fromResult = orig.GetString("status"), orig.GetString("assigned_to"), orig.GetString("result")
		history = historyOf(orig.Get("history"))
		closedAt = orig.Get("closed_at")
		if status == "" {
			status = from
		}
		if !slices.Contains(ReportStatuses, status) {
			p.Add("status", "choice")
			return
		}
		if from == StatusOpen && status == StatusOpen && assignee != "" {
			status = StatusAssigned // naming an assignee assigns it
		}
	}
	moved := status != from
	switch {
	case rec.IsNew():
	case from == status && Closed(status):
		// A closed report's assignee and result are its record.
		if assignee != fromAssignee {
			p.Add("assigned_to", "report_closed")
		}
		if result != fromResult {
			p.Add("result", "report_closed")
		}
	case from == status:
	case from == StatusOpen && status == StatusAssigned:
	case from == StatusAssigned && Closed(status):
	case Closed(from) && status == StatusAssigned:
		if note == "" {
			p.Add("note", "reopen_needs_note")
		}
		result = "" // the earlier result stays in the history
	case from == StatusOpen && Closed(status):
		p.Add("status", "report_assign_first")
	default:
		p.Add("status", "report_bad_transition", i18n.T("patrols.status."+from), i18n.T("patrols.status."+status))
	}
	switch status {
	case StatusOpen:
		if assignee != "" {
			p.Add("assigned_to", "report_open_assignee")
		}
	case StatusAssigned:
		if assignee == "" {
			p.Add("assigned_to", "report_needs_assignee")
		} else if rec.IsNew() || assignee != fromAssignee || rec.Original().GetString("community") != comm {
			officerIn(app, rec, p, "assigned_to", comm, "assignee_not_area")
		}
	case StatusHandled, StatusDismissed:
		if result == "" {
			p.Add("result", "report_needs_result")
		}
		if moved {
			closedAt = at
		}
	}
	if !Closed(status) {
		closedAt = ""
		if result != "" {
			p.Add("result", "report_result_open") // a result closes a report
		}
	}
	if len(p) > 0 {
		return
	}
	reassigned := !rec.IsNew() && status == StatusAssigned && from == StatusAssigned && assignee != fromAssignee
	if rec.IsNew() || moved || reassigned || note != "" {
		st := Step{At: at, By: by, From: from, To: status, Note: note}
		if status == StatusAssigned {
			st.AssignedTo = assignee
		}
		if moved && Closed(status) {
			st.Result = result
		}
		history = append(history, st)
	}
	raw, _ := json.Marshal(history)
	rec.Set("history", string(raw))
	rec.Set("status", status)
	rec.Set("result", result)
	rec.Set("note", "")
	rec.Set("closed_at", closedAt)
}

// phoneLike finds a run of seven or more digits (spaces and dashes
// between them allowed): a phone number has no place on the public board.
var phoneLike = regexp.MustCompile(`\d(?:[\s\-]*\d){6,}`)

func (h *hooks) deed(e *core.RecordEvent) error {
	rec, app := e.Record, e.App
	p := station.Problems{}
	comm := community(app, rec, p, "community")
	v := inCommunity(app, rec, p, "volunteer", VolunteersCollection, comm, "volunteer_mismatch")
	if v != nil && strings.TrimSpace(rec.GetString("name")) == "" {
		rec.Set("name", v.GetString("name"))
	}
	name := text(rec, p, "name", MaxName, true)
	h.day(rec, p, "date", true)
	choice(rec, p, "kind", DeedKinds)
	story := text(rec, p, "story", MaxStory, true)
	if rec.GetBool("published") {
		if !rec.GetBool("consent") {
			p.Add("published", "deed_no_consent")
		}
		for field, s := range map[string]string{"name": name, "story": story} {
			if phoneLike.MatchString(width.Narrow.String(s)) {
				p.Add(field, "deed_has_phone")
			}
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return e.Next()
}

func (h *hooks) point(e *core.RecordEvent) error {
	rec, app := e.Record, e.App
	p := station.Problems{}
	comm := community(app, rec, p, "community")
	choice(rec, p, "kind", PointKinds)
	text(rec, p, "label", MaxLabel, true)
	for _, f := range []string{"x", "y"} {
		if v := rec.GetFloat(f); v < 0 || v > 1 {
			p.Add(f, "fraction")
		}
	}
	building := text(rec, p, "building", MaxBuilding, false)
	text(rec, p, "notes", MaxPointNotes, false)
	rec.Set("building_key", households.BuildingKey(comm, building))
	if err := p.Err(); err != nil {
		return err
	}
	return e.Next()
}
