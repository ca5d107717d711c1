package patrols

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// What an officer's phone holds of the patrols, for the sync protocol's
// pull (replica/pull.go's sources). Each Source narrows a query over its
// collection's table to the officer's share at now and says how a record
// travels; the deputy chief's share is the station's.

// ShareWindow is how long a closed report stays in an officer's share
// after it was closed, and how far back shifts are kept: a device that
// held the report open learns it was closed (and drops it from Today),
// and the officer sees the patrols of the last weeks.
const ShareWindow = 30 * 24 * time.Hour

// Source is one replicated patrols collection.
type Source struct {
	Name  string
	Scope func(q *dbx.SelectQuery, o *station.Officer, now time.Time) *dbx.SelectQuery
	Doc   func(*core.Record) any
}

// Sources are the patrols collections a device replicates, in pull order:
// the teams and the roster (to record a shift, offline), the recent shifts,
// and the reports.
func Sources() []Source {
	return []Source{
		{TeamsCollection, areaShare(TeamsCollection), func(r *core.Record) any { return TeamFromRecord(r) }},
		{VolunteersCollection, areaShare(VolunteersCollection), func(r *core.Record) any { return VolunteerFromRecord(r) }},
		{ShiftsCollection, ShiftShare, func(r *core.Record) any { return ShiftFromRecord(r) }},
		{ReportsCollection, ReportShare, func(r *core.Record) any { return ReportFromRecord(r) }},
	}
}

// areaShare is every record of coll in the officer's communities
// (volunteers who left come as tombstones: active false).
func areaShare(coll string) func(q *dbx.SelectQuery, o *station.Officer, now time.Time) *dbx.SelectQuery {
	return func(q *dbx.SelectQuery, o *station.Officer, _ time.Time) *dbx.SelectQuery {
		if o.IsChief() {
			return q
		}
		return q.AndWhere(inCommunities(coll+".community", o.Communities))
	}
}

// ShiftShare is the shifts of the officer's communities of the last
// ShareWindow, and the officer's own of that time.
func ShiftShare(q *dbx.SelectQuery, o *station.Officer, now time.Time) *dbx.SelectQuery {
	since := now.Add(-ShareWindow).UTC().Format(time.DateOnly)
	q = q.AndWhere(dbx.NewExp("[["+ShiftsCollection+".date]] >= {:since}", dbx.Params{"since": since}))
	if o.IsChief() {
		return q
	}
	return q.AndWhere(dbx.Or(dbx.HashExp{ShiftsCollection + ".officer": o.ID}, inCommunities(ShiftsCollection+".community", o.Communities)))
}

// ReportShare is the reports an officer's phone holds: every open or
// assigned report of their communities (those assigned to them appear on
// their Today), and those closed within ShareWindow, so a device that held
// one open learns it was closed. A report assigned to the officer is always
// in one of their communities (the hooks see to it).
func ReportShare(q *dbx.SelectQuery, o *station.Officer, now time.Time) *dbx.SelectQuery {
	t := ReportsCollection
	q = q.AndWhere(dbx.Or(
		dbx.In(t+".status", StatusOpen, StatusAssigned),
		dbx.NewExp("[["+t+".closed_at]] >= {:closed_since}", dbx.Params{"closed_since": station.DBTime(now.Add(-ShareWindow))}),
	))
	if o.IsChief() {
		return q
	}
	return q.AndWhere(inCommunities(t+".community", o.Communities))
}

// Rules are the limits the field app checks before it saves a shift or a
// report (the server checks them again): for /sync/me.
func Rules() map[string]any {
	return map[string]any{
		"patrol_report_kinds":    ReportKinds,
		"patrol_max_place":       MaxPlace,
		"patrol_max_description": MaxDescription,
		"patrol_max_notes":       MaxShiftNotes,
		"patrol_max_shift_hours": MaxShiftHours,
		"patrol_max_age_days":    MaxAgeDays,
		"patrol_edit_window_h":   int(EditWindow / time.Hour),
	}
}
