package people

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
	"zoufang/watches"
)

// HandoverCollection holds the handovers (交接): who handed which
// communities to whom, when, and what moved.
const HandoverCollection = "handovers"

// Mover is one feature's part of a handover: what of an officer's area it
// holds (open disputes led, reports assigned …), counted for the preview
// and moved in the handover's transaction. Count and Move see the same tx.
type Mover struct {
	Name  string // the figure's key in "moved" and its label's (people.moved.<name>)
	Count func(ctx context.Context, tx core.App, from string, communities []string) (int, error)
	Move  func(ctx context.Context, tx core.App, from, to string, communities []string) (int, error)
}

// baseMovers are what every station has: the WeChat contacts of the area's
// households and the open holiday watches. Features above (mediation,
// patrols) add theirs when the app binds the hooks.
func baseMovers() []Mover {
	return []Mover{
		{Name: "households",
			Count: func(_ context.Context, tx core.App, from string, cs []string) (int, error) {
				all, _, err := households.CountArea(tx, cs, from)
				return all, err
			}},
		{Name: "wechat_contacts",
			Count: func(_ context.Context, tx core.App, from string, cs []string) (int, error) {
				_, w, err := households.CountArea(tx, cs, from)
				return w, err
			},
			Move: func(ctx context.Context, tx core.App, from, to string, cs []string) (int, error) {
				return households.MoveWeChatContacts(ctx, tx, from, to, cs)
			}},
		{Name: "open_watches",
			Count: func(ctx context.Context, tx core.App, from string, cs []string) (int, error) {
				return watches.MoveOpen(ctx, tx, from, "", cs, true)
			},
			Move: func(ctx context.Context, tx core.App, from, to string, cs []string) (int, error) {
				return watches.MoveOpen(ctx, tx, from, to, cs, false)
			}},
	}
}

// HandoverInput is a handover as the deputy chief (or an admin) asks for it.
type HandoverInput struct {
	From, To     string
	Communities  []string
	MoveWeChatID bool
	Note         string
}

// Plan is a handover checked and counted: what the preview shows and the
// move will do.
type Plan struct {
	Input       HandoverInput
	From, To    *Officer
	Communities []string // names
	Counts      map[string]int
	Order       []string // the counts' names, in movers' order
}

// Handover is one past handover, as the officers' pages and households'
// histories show it.
type Handover struct {
	ID          string
	From, To    string // names
	FromID      string
	ToID        string
	Communities []string // ids
	At          time.Time
	Moved       map[string]int
	Note        string
}

// check checks a handover against the officers as they are in tx.
func check(tx core.App, in HandoverInput) (from, to *core.Record, err error) {
	p := station.Problems{}
	load := func(field, id string) *core.Record {
		rec, err := tx.FindRecordById(Collection, id)
		switch {
		case err != nil:
			p.Add(field, "required")
		case rec.GetString("role") != station.RoleOfficer:
			p.Add(field, "handover_not_officer")
		case !rec.GetBool("active"):
			p.Add(field, "handover_inactive")
		default:
			return rec
		}
		return nil
	}
	from, to = load("from", in.From), load("to", in.To)
	if from != nil && to != nil && from.Id == to.Id {
		p.Add("to", "handover_same")
	}
	if len(in.Communities) == 0 {
		p.Add("communities", "required")
	}
	if from != nil {
		for _, c := range in.Communities {
			if !slices.Contains(from.GetStringSlice("communities"), c) {
				p.Add("communities", "handover_not_theirs")
			}
		}
	}
	return from, to, p.Err()
}

// Preview checks a handover and counts what it would move, moving nothing.
func (s *Store) Preview(ctx context.Context, in HandoverInput) (*Plan, error) {
	from, to, err := check(s.app, in)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Input: in, From: officerOf(from), To: officerOf(to), Counts: map[string]int{}}
	for _, m := range s.movers {
		n, err := m.Count(ctx, s.app, from.Id, in.Communities)
		if err != nil {
			return nil, station.Internal(err, "count "+m.Name)
		}
		plan.Counts[m.Name] = n
		plan.Order = append(plan.Order, m.Name)
	}
	cs, err := s.app.FindRecordsByIds("communities", in.Communities)
	if err != nil {
		return nil, station.Internal(err, "communities")
	}
	for _, c := range cs {
		plan.Communities = append(plan.Communities, c.GetString("name"))
	}
	return plan, nil
}

// Hand performs a handover by creating its record (the hook does the move,
// in the same transaction) for the deputy chief by.
func (s *Store) Hand(ctx context.Context, by *station.Officer, in HandoverInput) (*Handover, error) {
	coll, err := s.app.FindCachedCollectionByNameOrId(HandoverCollection)
	if err != nil {
		return nil, station.Internal(err, "handovers collection")
	}
	rec := core.NewRecord(coll)
	rec.Set("from", in.From)
	rec.Set("to", in.To)
	rec.Set("communities", in.Communities)
	rec.Set("move_wechat_id", in.MoveWeChatID)
	rec.Set("note", in.Note)
	if by != nil && by.ID != "" {
		rec.Set("by", by.ID)
	}
	if err := s.app.SaveWithContext(ctx, rec); err != nil {
		return nil, station.SaveError(err, "hand over")
	}
	return handoverOf(rec, nil), nil
}

// bindHandover makes creating a handovers record perform the handover, on
// every write path (the page, a superuser's REST call, the admin UI): the
// communities move from one officer to the other, with what every mover
// holds, in the record's transaction. A move that cannot complete refuses
// the record and leaves everything as it was. A handover is history: it is
// never edited or deleted through the API.
func bindHandover(app core.App, movers []Mover) {
	app.OnRecordCreate(HandoverCollection).BindFunc(func(e *core.RecordEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			rec := e.Record
			in := HandoverInput{From: rec.GetString("from"), To: rec.GetString("to"), Communities: rec.GetStringSlice("communities"),
				MoveWeChatID: rec.GetBool("move_wechat_id")}
			from, to, err := check(tx, in)
			if err != nil {
				return err
			}
			if rec.GetDateTime("at").IsZero() {
				rec.Set("at", time.Now())
			}
			// The area changes hands first, so that whatever the movers hand
			// over lands with an officer who covers it (a report's assignee,
			// a watch's officer are checked against their community).
			from.Set("communities", slices.DeleteFunc(from.GetStringSlice("communities"), func(c string) bool { return slices.Contains(in.Communities, c) }))
			cs := to.GetStringSlice("communities")
			for _, c := range in.Communities {
				if !slices.Contains(cs, c) {
					cs = append(cs, c)
				}
			}
			to.Set("communities", cs)
			if in.MoveWeChatID && from.GetString("wechat") != "" {
				to.Set("wechat", from.GetString("wechat"))
				from.Set("wechat", "")
			}
			// An officer who hands over their last community keeps their
			// account without an area: their visits recorded offline before
			// the handover still have to reach the server under their name.
			ctx := context.WithValue(e.Context, handingOver{}, true)
			for _, o := range []*core.Record{from, to} {
				if err := tx.SaveWithContext(ctx, o); err != nil {
					return &station.Error{Code: station.EConflict, Message: i18n.T("people.handover_failed"), Err: fmt.Errorf("save officer %s: %w", o.Id, err)}
				}
			}
			moved := map[string]int{}
			for _, m := range movers {
				var n int
				var err error
				if m.Move != nil {
					n, err = m.Move(e.Context, tx, from.Id, to.Id, in.Communities)
				} else {
					n, err = m.Count(e.Context, tx, from.Id, in.Communities)
				}
				if err != nil {
					return &station.Error{Code: station.EConflict, Message: i18n.T("people.handover_failed"), Err: err}
				}
				moved[m.Name] = n
			}
			rec.Set("moved", moved)
			return e.Next()
		})
	})
	refuse := func(e *core.RecordEvent) error {
		return &station.Error{Code: station.EForbidden, Message: i18n.T("people.handover_history")}
	}
	app.OnRecordUpdate(HandoverCollection).BindFunc(refuse)
	app.OnRecordDelete(HandoverCollection).BindFunc(refuse)
}

// handingOver marks the officers' saves of a handover.
type handingOver struct{}

func handoverOf(r *core.Record, names map[string]string) *Handover {
	h := &Handover{ID: r.Id, FromID: r.GetString("from"), ToID: r.GetString("to"), Communities: r.GetStringSlice("communities"),
		At: r.GetDateTime("at").Time(), Note: r.GetString("note"), Moved: map[string]int{}}
	_ = r.UnmarshalJSONField("moved", &h.Moved)
	h.From, h.To = names[h.FromID], names[h.ToID]
	return h
}

// Handovers lists handovers, newest first: of an officer (either end) when
// officerID is set, of a community when community is, else all.
func (s *Store) Handovers(ctx context.Context, officerID, community string) ([]*Handover, error) {
	q := s.app.RecordQuery(HandoverCollection).WithContext(ctx).OrderBy("at DESC")
	if officerID != "" {
		q = q.AndWhere(dbx.Or(dbx.HashExp{"from": officerID}, dbx.HashExp{"to": officerID}))
	}
	if community != "" {
		q = q.AndWhere(dbx.NewExp("EXISTS (SELECT 1 FROM json_each(handovers.communities) WHERE value = {:c})", dbx.Params{"c": community}))
	}
	var recs []*core.Record
	if err := q.Limit(200).All(&recs); err != nil {
		return nil, station.Internal(err, "handovers")
	}
	names, err := station.OfficerNames(s.app)
	if err != nil {
		return nil, station.Internal(err, "officer names")
	}
	out := make([]*Handover, len(recs))
	for i, r := range recs {
		out[i] = handoverOf(r, names)
	}
	return out, nil
}

func jsonStrings(raw string) []string {
	var out []string
	_ = json.Unmarshal([]byte(raw), &out)
	return out
}
