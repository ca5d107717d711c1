package mediation

import (
	"context"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// FollowUp is what the lead officer's Today screen shows of a follow-up
// (回访) the officer owes, and what the follow-up form needs: the case, its
// household (where to go), the parties (whom to ask) and the day. A
// follow-up is recorded as a visit of kind follow_up naming the dispute;
// the hooks then mark it done.
type FollowUp struct {
	Dispute    string    `json:"id"`
	Number     string    `json:"number"`
	Category   string    `json:"category"`
	Status     string    `json:"status"`
	Community  string    `json:"community"`
	Household  string    `json:"household"` // the case's household, else the first party's; may be empty
	Summary    string    `json:"summary"`
	Parties    []Party   `json:"parties"`
	Officer    string    `json:"officer"`
	FollowUpAt time.Time `json:"follow_up_at,omitzero"`
	// Pending is false once a follow-up visit was made; a device keeps
	// the dispute and hides it from Today.
	Pending bool `json:"pending"`
	// Updated is the sync stamp, should the field app replicate disputes.
	Updated string `json:"updated"`
}

// FollowUpOf is the follow-up view of d.
func FollowUpOf(d *Dispute) FollowUp {
	f := FollowUp{
		Dispute: d.ID, Number: d.Number, Category: d.Category, Status: d.Status, Community: d.Community,
		Household: d.Household, Summary: d.Summary, Parties: d.Parties, Officer: d.Officer,
		FollowUpAt: d.FollowUpAt, Pending: d.FollowUpPending, Updated: d.Updated,
	}
	if f.Household == "" {
		for _, p := range d.Parties {
			if p.Household != "" {
				f.Household = p.Household
				break
			}
		}
	}
	return f
}

// ReplicaDoc is a disputes record as the field app would hold it: the
// follow-up view (for a replica source of the lead's disputes).
func ReplicaDoc(r *core.Record) any { return FollowUpOf(FromRecord(r)) }

// ReplicaScope narrows a query over the disputes table to what an
// officer's device holds: the cases they lead. Whether a follow-up is due
// is decided on the device from follow_up_at and pending, so a follow-up
// recorded elsewhere reaches it as an ordinary change.
func ReplicaScope(o *station.Officer) dbx.Expression {
	return dbx.HashExp{Collection + ".officer": o.ID}
}

// FollowUps lists the follow-ups officerID owes with a follow-up day
// before until (say, the end of today), oldest first.
func (s *Store) FollowUps(ctx context.Context, officerID string, until time.Time) ([]FollowUp, error) {
	var recs []*core.Record
	err := s.app.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.HashExp{"officer": officerID, "follow_up_pending": true}).
		AndWhere(dbx.NewExp("follow_up_at < {:until}", dbx.Params{"until": station.DBTime(until)})).
		OrderBy("follow_up_at ASC", "seq ASC").All(&recs)
	if err != nil {
		return nil, station.Internal(err, "follow-ups")
	}
	out := make([]FollowUp, len(recs))
	for i, r := range recs {
		out[i] = FollowUpOf(FromRecord(r))
	}
	return out, nil
}

// FollowUpFor returns the follow-up of a dispute o may see, for a
// follow-up form opened from the case.
func (s *Store) FollowUpFor(ctx context.Context, o *station.Officer, id string) (FollowUp, error) {
	d, err := s.Get(ctx, o, id)
	if err != nil {
		return FollowUp{}, err
	}
	return FollowUpOf(d), nil
}

// HandOverCount is how many cases HandOver would move: the handover's
// preview.
func HandOverCount(ctx context.Context, tx core.App, from string, communities []string) (int, error) {
	recs, err := handedOver(ctx, tx, from, communities)
	return len(recs), err
}

// handedOver are from's open cases, or cases owing a follow-up, in
// communities.
func handedOver(ctx context.Context, tx core.App, from string, communities []string) ([]*core.Record, error) {
	if len(communities) == 0 {
		return nil, nil
	}
	ids := make([]any, len(communities))
	for i, c := range communities {
		ids[i] = c
	}
	var recs []*core.Record
	err := tx.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.HashExp{"officer": from}).AndWhere(dbx.In("community", ids...)).
		AndWhere(dbx.Or(dbx.HashExp{"status": StatusOpen}, dbx.HashExp{"follow_up_pending": true})).All(&recs)
	if err != nil {
		return nil, station.Internal(err, "disputes to hand over")
	}
	return recs, nil
}

// HandOver moves, within tx, the disputes officer from leads in
// communities to officer to: the open ones and the closed ones that still
// owe a follow-up (DESIGN §13). Each case's history records the handover.
// It returns how many moved.
func HandOver(ctx context.Context, tx core.App, from, to string, communities []string) (int, error) {
	recs, err := handedOver(ctx, tx, from, communities)
	if err != nil {
		return 0, err
	}
	names, err := station.OfficerNames(tx)
	if err != nil {
		return 0, station.Internal(err, "officer names")
	}
	for _, r := range recs {
		r.Set("officer", to)
		note := names[from] + " → " + names[to]
		if err := tx.SaveNoValidateWithContext(withServerChange(ctx, EventHandover, note), r); err != nil {
			return 0, station.SaveError(err, "hand over dispute")
		}
	}
	return len(recs), nil
}
