package patrols

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// Store reads and writes the patrols collections within an officer's
// area: an officer works in their communities, the deputy chief in all.
// It is the only code that touches them; the record hooks check the rules
// whoever writes, the store checks who may write where.
type Store struct {
	app      core.App
	hh       *households.Store
	settings func() station.Settings
}

// NewStore returns the patrols store of app. hh answers what the map asks
// of the registry (a building's households and their visits); settings
// give the station's zone.
func NewStore(app core.App, hh *households.Store, settings func() station.Settings) *Store {
	if settings == nil {
		settings = station.DefaultSettings
	}
	return &Store{app: app, hh: hh, settings: settings}
}

// Settings are the station's settings, as the store was given them.
func (s *Store) Settings() station.Settings { return s.settings() }

func notFound() error {
	return &station.Error{Code: station.ENotFound, Message: i18n.T("patrols.not_found")}
}

func forbidden(key string) error {
	return &station.Error{Code: station.EForbidden, Message: i18n.T(key)}
}

// inArea narrows q to records of col in o's communities.
func inArea(q *dbx.SelectQuery, col string, o *station.Officer) *dbx.SelectQuery {
	if o.IsChief() {
		return q
	}
	return q.AndWhere(inCommunities(col, o.Communities))
}

func inCommunities(col string, communities []string) dbx.Expression {
	if len(communities) == 0 {
		return dbx.NewExp("1=0")
	}
	ids := make([]any, len(communities))
	for i, c := range communities {
		ids[i] = c
	}
	return dbx.In(col, ids...)
}

// find loads a record of coll that o may see (one outside the area is
// "not found", like one that does not exist).
func find(app core.App, o *station.Officer, coll, id string) (*core.Record, error) {
	if !households.IDPattern.MatchString(id) {
		return nil, notFound()
	}
	rec, err := app.FindRecordById(coll, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, station.Internal(err, "find "+coll)
	}
	if !o.CoversCommunity(rec.GetString("community")) {
		return nil, notFound()
	}
	return rec, nil
}

// areaProblem refuses a write into a community outside o's area as a field
// error on community.
func areaProblem(o *station.Officer, community string) error {
	if community == "" || o.CoversCommunity(community) {
		return nil
	}
	p := station.Problems{}
	p.Add("community", "out_of_area")
	return p.Err()
}

// Places are the communities (with grids) in o's area.
func (s *Store) Places(ctx context.Context, o *station.Officer) ([]households.Community, error) {
	return s.hh.Places(ctx, o)
}

// Teams lists the teams in o's area, of one community if given.
func (s *Store) Teams(ctx context.Context, o *station.Officer, community string) ([]*Team, error) {
	q := inArea(s.app.RecordQuery(TeamsCollection).WithContext(ctx), "community", o)
	if community != "" {
		q = q.AndWhere(dbx.HashExp{"community": community})
	}
	var recs []*core.Record
	if err := q.OrderBy("community ASC", "name ASC").All(&recs); err != nil {
		return nil, station.Internal(err, "list teams")
	}
	out := make([]*Team, len(recs))
	for i, r := range recs {
		out[i] = TeamFromRecord(r)
	}
	return out, nil
}

// Team returns one team o may see.
func (s *Store) Team(ctx context.Context, o *station.Officer, id string) (*Team, error) {
	rec, err := find(s.app, o, TeamsCollection, id)
	if err != nil {
		return nil, err
	}
	return TeamFromRecord(rec), nil
}

// SaveTeam creates a team (id "") or edits one, in o's area.
func (s *Store) SaveTeam(ctx context.Context, o *station.Officer, id string, in TeamInput) (*Team, error) {
	var out *Team
	err := s.app.RunInTransaction(func(tx core.App) error {
		rec, err := s.recordFor(tx, o, TeamsCollection, id)
		if err != nil {
			return err
		}
		if err := areaProblem(o, in.Community); err != nil {
			return err
		}
		rec.Set("community", in.Community)
		rec.Set("name", in.Name)
		rec.Set("leader", in.Leader)
		rec.Set("grids", in.Grids)
		rec.Set("notes", in.Notes)
		if err := tx.SaveWithContext(ctx, rec); err != nil {
			return station.SaveError(err, "save team")
		}
		out = TeamFromRecord(rec)
		return nil
	})
	return out, err
}

// recordFor is the record a save writes: a new one for id "", else the
// stored one o may see.
func (s *Store) recordFor(tx core.App, o *station.Officer, coll, id string) (*core.Record, error) {
	if id == "" {
		c, err := tx.FindCachedCollectionByNameOrId(coll)
		if err != nil {
			return nil, station.Internal(err, coll+" collection")
		}
		return core.NewRecord(c), nil
	}
	return find(tx, o, coll, id)
}

// VolunteerQuery filters the roster.
type VolunteerQuery struct {
	Community string
	Team      string
	// All includes volunteers who left (active = false).
	All bool
}

// Volunteers lists the volunteers in o's area, by team and name.
func (s *Store) Volunteers(ctx context.Context, o *station.Officer, q VolunteerQuery) ([]*Volunteer, error) {
	sq := inArea(s.app.RecordQuery(VolunteersCollection).WithContext(ctx), "community", o)
	if q.Community != "" {
		sq = sq.AndWhere(dbx.HashExp{"community": q.Community})
	}
	if q.Team != "" {
		sq = sq.AndWhere(dbx.HashExp{"team": q.Team})
	}
	if !q.All {
		sq = sq.AndWhere(dbx.HashExp{"active": true})
	}
	var recs []*core.Record
	if err := sq.OrderBy("community ASC", "team ASC", "name ASC").All(&recs); err != nil {
		return nil, station.Internal(err, "list volunteers")
	}
	out := make([]*Volunteer, len(recs))
	for i, r := range recs {
		out[i] = VolunteerFromRecord(r)
	}
	return out, nil
}

// Volunteer returns one volunteer o may see.
func (s *Store) Volunteer(ctx context.Context, o *station.Officer, id string) (*Volunteer, error) {
	rec, err := find(s.app, o, VolunteersCollection, id)
	if err != nil {
		return nil, err
	}
	return VolunteerFromRecord(rec), nil
}

// SaveVolunteer creates a volunteer (id "") or edits one, in o's area.
func (s *Store) SaveVolunteer(ctx context.Context, o *station.Officer, id string, in VolunteerInput) (*Volunteer, error) {
	var out *Volunteer
	err := s.app.RunInTransaction(func(tx core.App) error {
		rec, err := s.recordFor(tx, o, VolunteersCollection, id)
		if err != nil {
			return err
		}
		if err := areaProblem(o, in.Community); err != nil {
			return err
		}
		rec.Set("name", in.Name)
		rec.Set("phone", in.Phone)
		rec.Set("community", in.Community)
		rec.Set("team", in.Team)
		rec.Set("unit", in.Unit)
		rec.Set("party_member", in.PartyMember)
		rec.Set("joined_at", in.JoinedAt)
		rec.Set("active", in.Active)
		if err := tx.SaveWithContext(ctx, rec); err != nil {
			return station.SaveError(err, "save volunteer")
		}
		out = VolunteerFromRecord(rec)
		return nil
	})
	return out, err
}

// Names maps ids of the things a patrols page shows (communities, grids,
// teams, volunteers, officers) to their names.
type Names map[string]string

// Names indexes the names o's pages show.
func (s *Store) Names(ctx context.Context, o *station.Officer) (Names, error) {
	n := Names{}
	places, err := s.Places(ctx, o)
	if err != nil {
		return nil, err
	}
	for id, name := range households.NamesOf(places) {
		n[id] = name
	}
	officers, err := station.OfficerNames(s.app)
	if err != nil {
		return nil, station.Internal(err, "officer names")
	}
	for id, name := range officers {
		n[id] = name
	}
	for _, coll := range []string{TeamsCollection, VolunteersCollection} {
		var rows []struct {
			ID   string `db:"id"`
			Name string `db:"name"`
		}
		q := inArea(s.app.DB().Select("id", "name").From(coll).WithContext(ctx), "community", o)
		if err := q.All(&rows); err != nil {
			return nil, station.Internal(err, "names of "+coll)
		}
		for _, r := range rows {
			n[r.ID] = r.Name
		}
	}
	return n, nil
}

// List joins the names of ids, in the order given, with 、.
func (n Names) List(ids []string) string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if name := n[id]; name != "" {
			out = append(out, name)
		}
	}
	return strings.Join(out, "、")
}

// sameSet reports whether a and b hold the same ids, in any order.
func sameSet(a, b []string) bool {
	a, b = uniq(a), uniq(b)
	if len(a) != len(b) {
		return false
	}
	sort.Strings(a)
	sort.Strings(b)
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
