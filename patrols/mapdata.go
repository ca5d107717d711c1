package patrols

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"zoufang/households"
	"zoufang/station"
)

// Points lists a community's map points.
func (s *Store) Points(ctx context.Context, o *station.Officer, community string) ([]*Point, error) {
	if !o.CoversCommunity(community) {
		return nil, notFound()
	}
	var recs []*core.Record
	err := s.app.RecordQuery(PointsCollection).WithContext(ctx).AndWhere(dbx.HashExp{"community": community}).
		OrderBy("kind ASC", "label ASC").All(&recs)
	if err != nil {
		return nil, station.Internal(err, "list points")
	}
	out := make([]*Point, len(recs))
	for i, r := range recs {
		out[i] = PointFromRecord(r)
	}
	return out, nil
}

// AddPoint places a point on a community's map.
func (s *Store) AddPoint(ctx context.Context, o *station.Officer, in PointInput) (*Point, error) {
	if err := areaProblem(o, in.Community); err != nil {
		return nil, err
	}
	coll, err := s.app.FindCachedCollectionByNameOrId(PointsCollection)
	if err != nil {
		return nil, station.Internal(err, "points collection")
	}
	rec := core.NewRecord(coll)
	rec.Set("community", in.Community)
	rec.Set("kind", in.Kind)
	rec.Set("label", in.Label)
	rec.Set("x", in.X)
	rec.Set("y", in.Y)
	rec.Set("building", in.Building)
	rec.Set("notes", in.Notes)
	if err := s.app.SaveWithContext(ctx, rec); err != nil {
		return nil, station.SaveError(err, "save point")
	}
	return PointFromRecord(rec), nil
}

// DeletePoint removes a point from its map. Reports that were marked at it
// keep their place in words.
func (s *Store) DeletePoint(ctx context.Context, o *station.Officer, id string) (*Point, error) {
	rec, err := find(s.app, o, PointsCollection, id)
	if err != nil {
		return nil, err
	}
	if err := s.app.DeleteWithContext(ctx, rec); err != nil {
		return nil, station.Internal(err, "delete point")
	}
	return PointFromRecord(rec), nil
}

// Plan is a community's plan image, nil if none was uploaded.
func (s *Store) Plan(ctx context.Context, o *station.Officer, community string) (*Plan, error) {
	if !o.CoversCommunity(community) {
		return nil, notFound()
	}
	rec, err := s.app.FindFirstRecordByData(MapsCollection, "community", community)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, station.Internal(err, "find plan")
	}
	return PlanFromRecord(rec), nil
}

// SavePlan uploads (or replaces) a community's plan image; the deputy
// chief's. The hooks check the file; PocketBase removes the replaced one.
func (s *Store) SavePlan(ctx context.Context, o *station.Officer, community string, f *filesystem.File) (*Plan, error) {
	if !o.IsChief() {
		return nil, forbidden("patrols.chief_only")
	}
	if err := areaProblem(o, community); err != nil {
		return nil, err
	}
	rec, err := s.app.FindFirstRecordByData(MapsCollection, "community", community)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		coll, err := s.app.FindCachedCollectionByNameOrId(MapsCollection)
		if err != nil {
			return nil, station.Internal(err, "maps collection")
		}
		rec = core.NewRecord(coll)
		rec.Set("community", community)
	case err != nil:
		return nil, station.Internal(err, "find plan")
	}
	if f == nil {
		p := station.Problems{}
		p.Add("image", "required")
		return nil, p.Err()
	}
	rec.Set("image", f)
	rec.Set("uploaded_by", o.ID)
	if err := s.app.SaveWithContext(ctx, rec); err != nil {
		return nil, station.SaveError(err, "save plan")
	}
	return PlanFromRecord(rec), nil
}

// Recency is how recently a building point's households were visited: by
// the building's last visit (a met visit at any of its doors), so the map
// shows where nobody has called lately. How many of its households were
// visited within 30 days, and how many never, is said beside it.
const (
	Recent30  = "r30"   // last visited within 30 days
	Recent90  = "r90"   // within 90 days
	RecentOld = "old"   // more than 90 days ago
	Never     = "never" // none of its households ever visited
	Unlinked  = "none"  // no building key, or no households under it
)

// Recencies in legend order.
var Recencies = []string{Recent30, Recent90, RecentOld, Never, Unlinked}

// MapPoint is a point as the map draws it.
type MapPoint struct {
	*Point
	Recency string                    // building points only
	Visits  households.BuildingVisits // the building's households
	Reports []*Report                 // open reports marked here
}

// MapData is what the patrol map page draws.
type MapData struct {
	Community households.Community
	Plan      *Plan // nil: no plan uploaded yet
	Points    []*MapPoint
	// Unplaced are open reports that no point marks (no point named, and
	// no building point for their household).
	Unplaced []*Report
	Open     int // open and assigned reports in all
}

// Map gathers a community's map: its plan, its points (building points
// with their households' visits), and its open reports placed at their
// point, or at their household's building point.
func (s *Store) Map(ctx context.Context, o *station.Officer, community string, now time.Time) (MapData, error) {
	var md MapData
	places, err := s.Places(ctx, o)
	if err != nil {
		return md, err
	}
	for _, c := range places {
		if c.ID == community {
			md.Community = c
		}
	}
	if md.Community.ID == "" {
		return md, notFound()
	}
	if md.Plan, err = s.Plan(ctx, o, community); err != nil {
		return md, err
	}
	points, err := s.Points(ctx, o, community)
	if err != nil {
		return md, err
	}
	var keys []string
	for _, p := range points {
		if p.BuildingKey != "" {
			keys = append(keys, p.BuildingKey)
		}
	}
	visits, err := s.hh.Buildings(ctx, o, community, keys, now)
	if err != nil {
		return md, err
	}
	byID := map[string]*MapPoint{}
	byBuilding := map[string]*MapPoint{}
	for _, p := range points {
		mp := &MapPoint{Point: p}
		if p.Kind == PointBuilding {
			mp.Visits = visits[p.BuildingKey]
			mp.Recency = recency(mp.Visits, now)
			if p.BuildingKey != "" && byBuilding[p.BuildingKey] == nil {
				byBuilding[p.BuildingKey] = mp
			}
		}
		byID[p.ID] = mp
		md.Points = append(md.Points, mp)
	}
	open, err := s.Reports(ctx, o, ReportQuery{Community: community, Status: StatusActive, Limit: 500})
	if err != nil {
		return md, err
	}
	md.Open = open.Total
	// A report at a household is marked at that household's building
	// (asked of the registry: the same normalisation of the building).
	buildingOf := map[string]string{}
	for _, r := range open.Items {
		if r.Point != "" || r.Household == "" || buildingOf[r.Household] != "" {
			continue
		}
		if h, err := households.Get(ctx, s.app, o, r.Household); err == nil {
			buildingOf[r.Household] = households.BuildingKey(community, h.Building)
		}
	}
	for _, r := range open.Items {
		mp := byID[r.Point]
		if mp == nil && r.Household != "" {
			mp = byBuilding[buildingOf[r.Household]]
		}
		if mp == nil {
			md.Unplaced = append(md.Unplaced, r)
			continue
		}
		mp.Reports = append(mp.Reports, r)
	}
	return md, nil
}

func recency(b households.BuildingVisits, now time.Time) string {
	switch {
	case b.Households == 0:
		return Unlinked
	case b.Latest.IsZero():
		return Never
	case b.Latest.After(now.AddDate(0, 0, -30)):
		return Recent30
	case b.Latest.After(now.AddDate(0, 0, -90)):
		return Recent90
	}
	return RecentOld
}

// Point returns one map point o may see.
func (s *Store) Point(ctx context.Context, o *station.Officer, id string) (*Point, error) {
	rec, err := find(s.app, o, PointsCollection, id)
	if err != nil {
		return nil, err
	}
	return PointFromRecord(rec), nil
}

// Household is a household o may see, from the registry.
func (s *Store) Household(ctx context.Context, o *station.Officer, id string) (*households.Household, error) {
	return s.hh.Get(ctx, o, id)
}
