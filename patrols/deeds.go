package patrols

import (
	"context"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// Deeds lists the good deeds the deputy chief keeps, newest first.
func (s *Store) Deeds(ctx context.Context, o *station.Officer) ([]*Deed, error) {
	if !o.IsChief() {
		return nil, forbidden("patrols.chief_only")
	}
	var recs []*core.Record
	if err := s.app.RecordQuery(DeedsCollection).WithContext(ctx).OrderBy("date DESC", "id DESC").All(&recs); err != nil {
		return nil, station.Internal(err, "list deeds")
	}
	out := make([]*Deed, len(recs))
	for i, r := range recs {
		out[i] = DeedFromRecord(r)
	}
	return out, nil
}

// Deed returns one deed, for the deputy chief.
func (s *Store) Deed(ctx context.Context, o *station.Officer, id string) (*Deed, error) {
	if !o.IsChief() {
		return nil, forbidden("patrols.chief_only")
	}
	rec, err := find(s.app, o, DeedsCollection, id)
	if err != nil {
		return nil, err
	}
	return DeedFromRecord(rec), nil
}

// SaveDeed creates a deed (id "") or edits one; the deputy chief's.
func (s *Store) SaveDeed(ctx context.Context, o *station.Officer, id string, in DeedInput) (*Deed, error) {
	if !o.IsChief() {
		return nil, forbidden("patrols.chief_only")
	}
	var out *Deed
	err := s.app.RunInTransaction(func(tx core.App) error {
		rec, err := s.recordFor(tx, o, DeedsCollection, id)
		if err != nil {
			return err
		}
		rec.Set("volunteer", in.Volunteer)
		rec.Set("name", in.Name)
		rec.Set("community", in.Community)
		rec.Set("date", in.Date)
		rec.Set("kind", in.Kind)
		rec.Set("story", in.Story)
		rec.Set("consent", in.Consent)
		rec.Set("published", in.Published)
		if err := tx.SaveWithContext(ctx, rec); err != nil {
			return station.SaveError(err, "save deed")
		}
		out = DeedFromRecord(rec)
		return nil
	})
	return out, err
}

// PraiseEntry is all the public praise board may show of a deed: the name
// as published, the community's name, the kind of deed, its story, its
// day, and how many times that person has been praised. It has no field
// for a phone, an address, a household or a volunteer's id, so no page
// built from it can show one.
type PraiseEntry struct {
	Name      string
	Community string
	Kind      string
	Story     string
	Date      string
	Times     int
}

// PraiseLimit is how many deeds the board shows (the newest).
const PraiseLimit = 60

// Praise is the public praise board: published deeds whose person
// consented, newest first. A person's count is of their published,
// consented deeds only (a deed kept back is not hinted at); a person is
// their volunteer record when there is one, else their name in their
// community.
func (s *Store) Praise(ctx context.Context) ([]PraiseEntry, error) {
	var rows []struct {
		Volunteer string `db:"volunteer"`
		Name      string `db:"name"`
		Community string `db:"community"`
		Kind      string `db:"kind"`
		Story     string `db:"story"`
		Date      string `db:"date"`
		Place     string `db:"place"`
	}
	err := s.app.DB().Select("d.volunteer", "d.name", "d.community", "d.kind", "d.story", "d.date", "c.name AS place").
		From(DeedsCollection+" d").
		LeftJoin("communities c", dbx.NewExp("c.id = d.community")).
		Where(dbx.HashExp{"d.published": true, "d.consent": true}).
		OrderBy("d.date DESC", "d.id DESC").WithContext(ctx).All(&rows)
	if err != nil {
		return nil, station.Internal(err, "praise board")
	}
	person := func(volunteer, community, name string) string {
		if volunteer != "" {
			return "v:" + volunteer
		}
		return "n:" + community + "|" + name
	}
	times := map[string]int{}
	for _, r := range rows {
		times[person(r.Volunteer, r.Community, r.Name)]++
	}
	out := make([]PraiseEntry, 0, min(len(rows), PraiseLimit))
	for _, r := range rows[:min(len(rows), PraiseLimit)] {
		out = append(out, PraiseEntry{
			Name: r.Name, Community: r.Place, Kind: r.Kind, Story: r.Story, Date: r.Date,
			Times: times[person(r.Volunteer, r.Community, r.Name)],
		})
	}
	return out, nil
}
