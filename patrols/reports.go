package patrols

import (
	"context"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// ReportQuery filters the report list.
type ReportQuery struct {
	Community  string
	Status     string // one status, or "active" for open and assigned
	Kind       string
	AssignedTo string
	Limit      int
	Offset     int
}

// StatusActive filters reports still to be dealt with: open or assigned.
const StatusActive = "active"

// ReportList is one page of reports and how many match in all.
type ReportList struct {
	Items []*Report
	Total int
}

// Reports lists the reports in o's area, newest first.
func (s *Store) Reports(ctx context.Context, o *station.Officer, q ReportQuery) (ReportList, error) {
	var out ReportList
	where := func(sq *dbx.SelectQuery) *dbx.SelectQuery {
		sq = inArea(sq, "community", o)
		if q.Community != "" {
			sq = sq.AndWhere(dbx.HashExp{"community": q.Community})
		}
		switch q.Status {
		case "":
		case StatusActive:
			sq = sq.AndWhere(dbx.In("status", StatusOpen, StatusAssigned))
		default:
			sq = sq.AndWhere(dbx.HashExp{"status": q.Status})
		}
		if q.Kind != "" {
			sq = sq.AndWhere(dbx.HashExp{"kind": q.Kind})
		}
		if q.AssignedTo != "" {
			sq = sq.AndWhere(dbx.HashExp{"assigned_to": q.AssignedTo})
		}
		return sq
	}
	if err := where(s.app.DB().Select("COUNT(*)").From(ReportsCollection).WithContext(ctx)).Row(&out.Total); err != nil {
		return out, station.Internal(err, "count reports")
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	var recs []*core.Record
	err := where(s.app.RecordQuery(ReportsCollection).WithContext(ctx)).
		OrderBy("reported_at DESC", "id DESC").Limit(int64(q.Limit)).Offset(int64(q.Offset)).All(&recs)
	if err != nil {
		return out, station.Internal(err, "list reports")
	}
	out.Items = make([]*Report, len(recs))
	for i, r := range recs {
		out.Items[i] = ReportFromRecord(r)
	}
	return out, nil
}

// Report returns one report o may see.
func (s *Store) Report(ctx context.Context, o *station.Officer, id string) (*Report, error) {
	rec, err := find(s.app, o, ReportsCollection, id)
	if err != nil {
		return nil, err
	}
	return ReportFromRecord(rec), nil
}

// SaveReport records a finding for o at server time now.
func (s *Store) SaveReport(ctx context.Context, o *station.Officer, in ReportInput, now time.Time) (r *Report, status string, err error) {
	err = s.app.RunInTransaction(func(tx core.App) error {
		var doc any
		doc, status, err = ApplyReport(ctx, tx, o, in, now)
		r, _ = doc.(*Report)
		return err
	})
	return r, status, err
}

// ApplyReport records a finding for officer o within tx at server time
// now: the office form's save and a device's pushed outbox item. It is
// idempotent by the client-minted in.ID: a new id creates an open report
// (SaveCreated); the id of a stored report with the same content is a
// retry (SaveExists); different content is a correction by its officer
// while the report is still open and within EditWindow (SaveUpdated), else
// a conflict carrying the stored report (Current). The officer is always
// o. Problems are a *station.Error with field errors; doc is the *Report.
func ApplyReport(ctx context.Context, tx core.App, o *station.Officer, in ReportInput, now time.Time) (doc any, status string, err error) {
	in.ID = strings.TrimSpace(in.ID)
	rec, err := findByClientID(tx, ReportsCollection, in.ID)
	if err != nil {
		return nil, "", err
	}
	if rec != nil {
		cur := ReportFromRecord(rec)
		if !o.CoversCommunity(cur.Community) || cur.Officer != o.ID {
			p := station.Problems{}
			p.Add("id", "id_taken")
			return nil, "", p.Err()
		}
		if sameReport(cur, in) {
			return cur, SaveExists, nil
		}
		if cur.Status != StatusOpen || now.Sub(cur.Created) > EditWindow {
			return nil, "", conflict("patrols.report_locked", cur)
		}
	}
	p := station.Problems{}
	if err := areaProblem(o, in.Community); err != nil {
		return nil, "", err
	}
	if in.Household != "" {
		if _, err := households.Get(ctx, tx, o, in.Household); err != nil {
			p.Add("household", "household_mismatch")
		}
	}
	if !in.ReportedAt.IsZero() && rec == nil && in.ReportedAt.Before(now.AddDate(0, 0, -MaxAgeDays)) {
		p.Add("reported_at", "record_too_old", MaxAgeDays)
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	status = SaveUpdated
	if rec == nil {
		coll, err := tx.FindCachedCollectionByNameOrId(ReportsCollection)
		if err != nil {
			return nil, "", station.Internal(err, "reports collection")
		}
		rec = core.NewRecord(coll)
		if in.ID != "" {
			rec.Id = in.ID
		}
		rec.Set("status", StatusOpen)
		status = SaveCreated
	}
	if in.ReportedAt.IsZero() {
		rec.Set("reported_at", "")
	} else {
		rec.Set("reported_at", in.ReportedAt.UTC())
	}
	rec.Set("volunteer", in.Volunteer)
	rec.Set("officer", o.ID)
	rec.Set("community", in.Community)
	rec.Set("grid", in.Grid)
	rec.Set("household", in.Household)
	rec.Set("point", in.Point)
	rec.Set("place", in.Place)
	rec.Set("kind", in.Kind)
	rec.Set("description", in.Description)
	if err := tx.SaveWithContext(withActor(ctx, o, now), rec); err != nil {
		return nil, "", station.SaveError(err, "save report")
	}
	return ReportFromRecord(rec), status, nil
}

// sameReport reports whether in is what cur holds, as the hooks store it.
func sameReport(cur *Report, in ReportInput) bool {
	return cur.ReportedAt.Equal(in.ReportedAt.Truncate(time.Millisecond)) && cur.Volunteer == in.Volunteer &&
		cur.Community == in.Community && cur.Grid == in.Grid && cur.Household == in.Household && cur.Point == in.Point &&
		cur.Place == strings.TrimSpace(in.Place) && cur.Kind == strings.TrimSpace(in.Kind) &&
		cur.Description == strings.TrimSpace(in.Description)
}

// Move moves a report on for o at server time now (see ApplyTransition).
func (s *Store) Move(ctx context.Context, o *station.Officer, tr Transition, now time.Time) (r *Report, status string, err error) {
	err = s.app.RunInTransaction(func(tx core.App) error {
		var doc any
		doc, status, err = ApplyTransition(ctx, tx, o, tr, now)
		r, _ = doc.(*Report)
		return err
	})
	return r, status, err
}

// ApplyTransition moves a report on in its lifecycle for officer o within
// tx at server time now: from the report's page, or a device's pushed
// outbox item (an officer marking an assigned report handled on the
// phone). Who may do what:
//
//   - assign an open report: the deputy chief, to any officer of its
//     community; an officer of the community, to themselves;
//   - reassign: the deputy chief;
//   - close (handled or dismissed, with a result): the assignee, or the
//     deputy chief;
//   - reopen a closed report (with a note saying why): the deputy chief,
//     or an officer of the community, who takes it.
//
// Asking for the state the report is in already is a retry (SaveExists).
// The record hooks check the lifecycle itself on every write path.
func ApplyTransition(ctx context.Context, tx core.App, o *station.Officer, tr Transition, now time.Time) (doc any, status string, err error) {
	rec, err := find(tx, o, ReportsCollection, strings.TrimSpace(tr.Report))
	if err != nil {
		return nil, "", err
	}
	cur := ReportFromRecord(rec)
	to := strings.TrimSpace(tr.To)
	if to == "" {
		to = cur.Status
	}
	assignee := strings.TrimSpace(tr.AssignedTo)
	if to == StatusAssigned && assignee == "" {
		assignee = o.ID
		if to == cur.Status && cur.AssignedTo != "" {
			assignee = cur.AssignedTo // a remark on an assigned report
		}
	}
	result, note := strings.TrimSpace(tr.Result), strings.TrimSpace(tr.Note)
	if to == cur.Status && note == "" &&
		(to != StatusAssigned || assignee == cur.AssignedTo) && (!Closed(to) || result == cur.Result || result == "") {
		return cur, SaveExists, nil
	}
	switch {
	case to == cur.Status && !(to == StatusAssigned && assignee != cur.AssignedTo):
		// a remark: anyone of the area
	case to == StatusAssigned && cur.Status == StatusOpen:
		if !o.IsChief() && assignee != o.ID {
			return nil, "", forbidden("patrols.assign_self_only")
		}
	case to == StatusAssigned && cur.Status == StatusAssigned:
		if !o.IsChief() {
			return nil, "", forbidden("patrols.reassign_chief_only")
		}
	case Closed(to) && cur.Status == StatusAssigned:
		if !o.IsChief() && cur.AssignedTo != o.ID {
			return nil, "", forbidden("patrols.close_assignee_only")
		}
	case to == StatusAssigned && Closed(cur.Status):
		if !o.IsChief() && assignee != o.ID {
			return nil, "", forbidden("patrols.assign_self_only")
		}
	}
	// Anything else (closing an open report, handled straight to
	// dismissed) is the hooks' to refuse, with the same words on every
	// write path.
	rec.Set("status", to)
	if to == StatusAssigned || to == StatusOpen {
		rec.Set("assigned_to", assignee)
		if to == StatusOpen {
			rec.Set("assigned_to", "")
		}
		rec.Set("result", "")
	} else if to != cur.Status || result != "" {
		rec.Set("result", result)
	}
	rec.Set("note", note)
	if err := tx.SaveWithContext(withActor(ctx, o, now), rec); err != nil {
		return nil, "", station.SaveError(err, "move report")
	}
	return ReportFromRecord(rec), SaveUpdated, nil
}

// Assignee is an officer a report may be assigned to.
type Assignee struct {
	ID, Name, Badge string
}

// Assignees are the active officers who cover community: those a report
// there may be assigned to.
func (s *Store) Assignees(ctx context.Context, community string) ([]Assignee, error) {
	recs, err := s.app.FindRecordsByFilter("officers", "active = true", "badge", 0, 0)
	if err != nil {
		return nil, station.Internal(err, "officers")
	}
	var out []Assignee
	for _, r := range recs {
		if o := station.OfficerFromRecord(r); o.CoversCommunity(community) {
			out = append(out, Assignee{o.ID, o.Name, o.Badge})
		}
	}
	return out, nil
}

// MoveAssigned hands the reports assigned to officer from in communities
// to officer to, within tx (a handover, DESIGN §13): each is reassigned,
// with the handover in its history. With count set it only counts them,
// for the handover's preview.
func MoveAssigned(ctx context.Context, tx core.App, from, to string, communities []string, count bool) (int, error) {
	if len(communities) == 0 {
		return 0, nil
	}
	ids := make([]any, len(communities))
	for i, c := range communities {
		ids[i] = c
	}
	var recs []*core.Record
	err := tx.RecordQuery(ReportsCollection).WithContext(ctx).
		AndWhere(dbx.HashExp{"status": StatusAssigned, "assigned_to": from}).
		AndWhere(dbx.In("community", ids...)).All(&recs)
	if err != nil {
		return 0, station.Internal(err, "reports to hand over")
	}
	if count {
		return len(recs), nil
	}
	names, err := station.OfficerNames(tx)
	if err != nil {
		return 0, station.Internal(err, "officer names")
	}
	for _, r := range recs {
		r.Set("assigned_to", to)
		r.Set("note", i18n.T("patrols.handed_over", names[from], names[to]))
		if err := tx.SaveWithContext(ctx, r); err != nil {
			return 0, station.SaveError(err, "hand over report")
		}
	}
	return len(recs), nil
}
