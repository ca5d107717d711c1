package patrols

import (
	"fmt"
	"strings"
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
	// StampIndex is the collection's (updated, id) index.
	StampIndex string
	// Walk is Scope read by the share's own indexes, for a pull whose
	// checkpoint lies far back (replica/walk.go): a SELECT of whole rows
	// after the checkpoint ({:cu}, {:ci}); "" for the deputy chief, whose
	// share is the station's.
	Walk func(o *station.Officer, now time.Time) (string, dbx.Params)
}

// Sources are the patrols collections a device replicates, in pull order:
// the teams and the roster (to record a shift, offline), the recent shifts,
// and the reports.
func Sources() []Source {
	return []Source{
		{TeamsCollection, areaShare(TeamsCollection), func(r *core.Record) any { return TeamFromRecord(r) },
			"idx_patrol_teams_updated", areaWalk(TeamsCollection, "idx_patrol_teams_community_name")},
		{VolunteersCollection, areaShare(VolunteersCollection), func(r *core.Record) any { return VolunteerFromRecord(r) },
			"idx_volunteers_updated", areaWalk(VolunteersCollection, "idx_volunteers_community_team")},
		{ShiftsCollection, ShiftShare, func(r *core.Record) any { return ShiftFromRecord(r) },
			"idx_patrol_shifts_updated", shiftWalk},
		{ReportsCollection, ReportShare, func(r *core.Record) any { return ReportFromRecord(r) },
			"idx_patrol_reports_updated", reportWalk},
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

// afterRow is a pull's checkpoint over alias's (updated, id).
func afterRow(alias string) string {
	return "(" + alias + ".updated, " + alias + ".id) > ({:cu}, {:ci})"
}

// inParams renders an IN over vals as named parameters.
func inParams(col string, vals []string, p dbx.Params) string {
	if len(vals) == 0 {
		return "0"
	}
	ph := make([]string, len(vals))
	for i, v := range vals {
		k := fmt.Sprintf("c%d", i)
		p[k] = v
		ph[i] = "{:" + k + "}"
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}

// areaWalk reads areaShare by index, which leads with the community.
func areaWalk(coll, index string) func(o *station.Officer, now time.Time) (string, dbx.Params) {
	return func(o *station.Officer, _ time.Time) (string, dbx.Params) {
		if o.IsChief() {
			return "", nil
		}
		p := dbx.Params{}
		return "SELECT t.* FROM " + coll + " t INDEXED BY " + index + " WHERE " + inParams("t.community", o.Communities, p) + " AND " + afterRow("t"), p
	}
}

// shiftWalk reads ShiftShare: the communities' shifts of the window by
// (community, date), the officer's own by (officer, date).
func shiftWalk(o *station.Officer, now time.Time) (string, dbx.Params) {
	if o.IsChief() {
		return "", nil
	}
	p := dbx.Params{"me": o.ID, "since": now.Add(-ShareWindow).UTC().Format(time.DateOnly)}
	return `SELECT s.* FROM patrol_shifts s INDEXED BY idx_patrol_shifts_community_date
			WHERE ` + inParams("s.community", o.Communities, p) + ` AND s.date >= {:since} AND ` + afterRow("s") + `
		UNION
		SELECT s.* FROM patrol_shifts s INDEXED BY idx_patrol_shifts_officer_date
			WHERE s.officer = {:me} AND s.date >= {:since} AND ` + afterRow("s"), p
}

// reportWalk reads ReportShare: the communities' open and assigned
// reports by (community, status), and those closed within the window by
// (community, closed_at).
func reportWalk(o *station.Officer, now time.Time) (string, dbx.Params) {
	if o.IsChief() {
		return "", nil
	}
	p := dbx.Params{"open": StatusOpen, "assigned": StatusAssigned, "closed_since": station.DBTime(now.Add(-ShareWindow))}
	in := inParams("r.community", o.Communities, p)
	return `SELECT r.* FROM patrol_reports r INDEXED BY idx_patrol_reports_community_status
			WHERE ` + in + ` AND r.status IN ({:open}, {:assigned}) AND ` + afterRow("r") + `
		UNION
		SELECT r.* FROM patrol_reports r INDEXED BY idx_patrol_reports_community_closed
			WHERE ` + in + ` AND r.closed_at >= {:closed_since} AND ` + afterRow("r"), p
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
