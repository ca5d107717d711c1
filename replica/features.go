package replica

import (
	"context"
	"encoding/json"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/station"
)

// featureSources are what a device replicates of the features above the
// visit log: the patrols' teams, roster, recent shifts and reports of the
// officer's communities (DESIGN §15), and the disputes the officer leads,
// whose follow-ups their Today shows when due (§14).
func featureSources() []source {
	var out []source
	for _, p := range patrols.Sources() {
		out = append(out, source{name: p.Name, scope: p.Scope, doc: func(r *core.Record, _ station.Settings) any { return p.Doc(r) },
			stampIndex: p.StampIndex, walk: func(o *station.Officer, now time.Time, _ int) walkSQL {
				sql, params := p.Walk(o, now)
				return walkSQL{sql: sql, params: params}
			}})
	}
	return append(out, source{
		name: mediation.Collection,
		scope: func(q *dbx.SelectQuery, o *station.Officer, _ time.Time) *dbx.SelectQuery {
			return q.AndWhere(mediation.ReplicaScope(o))
		},
		doc: func(r *core.Record, _ station.Settings) any { return mediation.ReplicaDoc(r) },
		// No stamp index: the cases one officer leads are read by
		// (officer, opened_at) and sorted, which costs what it returns.
	})
}

// applyShift applies one patrol shift recorded on the phone.
func applyShift(ctx context.Context, tx core.App, o *station.Officer, raw json.RawMessage, now time.Time) Result {
	var in patrols.ShiftInput
	return applyFeature(patrols.ShiftsCollection, raw, map[string]any{
		"id": &in.ID, "team": &in.Team, "grids": &in.Grids, "date": &in.Date, "starts": &in.Starts, "ends": &in.Ends,
		"volunteers": &in.Volunteers, "notes": &in.Notes,
	}, func() (any, string, error) { return patrols.ApplyShift(ctx, tx, o, in, now) })
}

// applyReport applies one patrol report (a hazard found on the round)
// recorded on the phone.
func applyReport(ctx context.Context, tx core.App, o *station.Officer, raw json.RawMessage, now time.Time) Result {
	var in patrols.ReportInput
	return applyFeature(patrols.ReportsCollection, raw, map[string]any{
		"id": &in.ID, "reported_at": &in.ReportedAt, "volunteer": &in.Volunteer, "community": &in.Community, "grid": &in.Grid,
		"household": &in.Household, "point": &in.Point, "place": &in.Place, "kind": &in.Kind, "description": &in.Description,
	}, func() (any, string, error) { return patrols.ApplyReport(ctx, tx, o, in, now) })
}

// applyFeature decodes an item's fields into targets, then applies it: the
// shape every feature's push item shares (DESIGN §6). A conflict carries
// the stored copy, which stands.
func applyFeature(collection string, raw json.RawMessage, targets map[string]any, apply func() (any, string, error)) Result {
	r := Result{Collection: collection}
	it, err := decodeItem(raw)
	if err != nil {
		r.Status = Invalid
		describe(&r, err)
		return r
	}
	r.ID = it.id()
	p := station.Problems{}
	it.fields(p, targets)
	if r.ID == "" {
		p.Add("id", "id_format")
	}
	if err := p.Err(); err != nil {
		r.Status = Invalid
		describe(&r, err)
		return r
	}
	doc, status, err := apply()
	switch {
	case err == nil:
		r.Status, r.Doc = status, doc
	case station.ErrorCode(err) == station.EConflict:
		r.Status, r.Doc = Conflict, patrols.Current(err)
	default:
		r.Status = Invalid
	}
	describe(&r, err)
	return r
}
