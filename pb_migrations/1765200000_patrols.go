package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Select values of the patrols collections (DESIGN §15), shared with the
// patrols package's validation (a test there checks they agree).
var (
	PatrolReportKinds    = []string{"fire_hazard", "group_rental", "suspicious", "ebike", "dispute", "help", "other"}
	PatrolReportStatuses = []string{"open", "assigned", "handled", "dismissed"}
	GoodDeedKinds        = []string{"bravery", "honesty", "kindness", "patrol"}
	MapPointKinds        = []string{"building", "entrance", "unit", "business", "hazard", "camera"}
	PlanImageTypes       = []string{"image/png", "image/jpeg", "image/webp"}
)

// PlanImageMaxBytes is the largest plan image a community may upload.
const PlanImageMaxBytes = 5 << 20

// Volunteer patrols, their reports, the praise board and the patrol map
// (DESIGN §15). Officers read what is in their communities through the REST
// API; good deeds are readable by every officer (they are meant to be
// praised in public). Writes through REST are the superuser's: zoufang's own
// pages write through the patrols store, and the record hooks keep the
// rules (E.164 phones, the report lifecycle, the plan image's size and type)
// on every path.
//
// The plan image lives in a patrols collection of its own, one row per
// community, rather than as a file field on communities: communities are
// the station's shared vocabulary that every feature reads, while the plan
// is the patrols feature's (its own dimensions, uploader and write rules).
// The file is protected: PocketBase's /api/files needs a file token for it,
// and zoufang serves it to officers of the community under a URL that
// changes with every upload (so it can be cached for good).
func init() {
	m.Register(func(app core.App) error {
		communities, err := app.FindCollectionByNameOrId("communities")
		if err != nil {
			return err
		}
		grids, err := app.FindCollectionByNameOrId("grids")
		if err != nil {
			return err
		}
		officers, err := app.FindCollectionByNameOrId("officers")
		if err != nil {
			return err
		}
		households, err := app.FindCollectionByNameOrId("households")
		if err != nil {
			return err
		}
		area := types.Pointer(areaRule("community"))
		autodates := []core.Field{
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		}

		teams := core.NewBaseCollection("patrol_teams")
		teams.Fields.Add(
			&core.RelationField{Name: "community", Required: true, CollectionId: communities.Id, MaxSelect: 1},
			&core.TextField{Name: "name", Required: true, Max: 100, Presentable: true},
			&core.RelationField{Name: "grids", CollectionId: grids.Id, MaxSelect: 99},
			&core.TextField{Name: "notes", Max: 500},
		)
		teams.Fields.Add(autodates...)
		teams.AddIndex("idx_patrol_teams_community_name", true, "community, name", "")
		teams.AddIndex("idx_patrol_teams_updated", false, "updated, id", "")
		teams.ListRule, teams.ViewRule = area, area
		if err := app.Save(teams); err != nil {
			return fmt.Errorf("patrol_teams: %w", err)
		}

		volunteers := core.NewBaseCollection("volunteers")
		volunteers.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 50, Presentable: true},
			&core.TextField{Name: "phone", Max: 20},
			&core.RelationField{Name: "community", Required: true, CollectionId: communities.Id, MaxSelect: 1},
			&core.RelationField{Name: "team", CollectionId: teams.Id, MaxSelect: 1},
			// unit is the local business or organisation that sent the
			// volunteer (the 40+ units that joined the patrols).
			&core.TextField{Name: "unit", Max: 100},
			&core.BoolField{Name: "party_member"},
			&core.TextField{Name: "joined_at", Max: 10},
			&core.BoolField{Name: "active"},
		)
		volunteers.Fields.Add(autodates...)
		volunteers.AddIndex("idx_volunteers_community_team", false, "community, team", "")
		volunteers.AddIndex("idx_volunteers_phone", true, "phone", "phone != ''")
		volunteers.AddIndex("idx_volunteers_updated", false, "updated, id", "")
		volunteers.ListRule, volunteers.ViewRule = area, area
		if err := app.Save(volunteers); err != nil {
			return fmt.Errorf("volunteers: %w", err)
		}

		// A team's leader is one of its volunteers: added once both exist.
		teams.Fields.Add(&core.RelationField{Name: "leader", CollectionId: volunteers.Id, MaxSelect: 1})
		if err := app.Save(teams); err != nil {
			return fmt.Errorf("patrol_teams leader: %w", err)
		}

		shifts := core.NewBaseCollection("patrol_shifts")
		shifts.Fields.Add(
			&core.RelationField{Name: "team", Required: true, CollectionId: teams.Id, MaxSelect: 1},
			// community is the team's, copied by the hooks: rules, scope
			// and figures read it without a join.
			&core.RelationField{Name: "community", CollectionId: communities.Id, MaxSelect: 1},
			&core.RelationField{Name: "grids", CollectionId: grids.Id, MaxSelect: 99},
			// date is the station-local day (2026-12-01), starts and ends
			// the local clock (19:00); a shift that ends before it starts
			// ran past midnight.
			&core.TextField{Name: "date", Required: true, Max: 10},
			&core.TextField{Name: "starts", Required: true, Max: 5},
			&core.TextField{Name: "ends", Required: true, Max: 5},
			&core.RelationField{Name: "volunteers", CollectionId: volunteers.Id, MaxSelect: 200},
			// person_turns (人次) is how many volunteers were present,
			// kept by the hooks so the year's figures are one SUM.
			&core.NumberField{Name: "person_turns", OnlyInt: true, Min: types.Pointer(0.0)},
			&core.RelationField{Name: "officer", CollectionId: officers.Id, MaxSelect: 1},
			&core.TextField{Name: "notes", Max: 1000},
		)
		shifts.Fields.Add(autodates...)
		shifts.AddIndex("idx_patrol_shifts_community_date", false, "community, date", "")
		shifts.AddIndex("idx_patrol_shifts_team_date", false, "team, date", "")
		shifts.AddIndex("idx_patrol_shifts_updated", false, "updated, id", "")
		shifts.ListRule, shifts.ViewRule = area, area
		if err := app.Save(shifts); err != nil {
			return fmt.Errorf("patrol_shifts: %w", err)
		}

		points := core.NewBaseCollection("map_points")
		points.Fields.Add(
			&core.RelationField{Name: "community", Required: true, CollectionId: communities.Id, MaxSelect: 1},
			&core.SelectField{Name: "kind", Required: true, Values: MapPointKinds, MaxSelect: 1},
			&core.TextField{Name: "label", Required: true, Max: 60, Presentable: true},
			// x and y are fractions (0..1) of the plan image's width and
			// height, so a point stays put when the image is rescaled.
			&core.NumberField{Name: "x", Min: types.Pointer(0.0), Max: types.Pointer(1.0)},
			&core.NumberField{Name: "y", Min: types.Pointer(0.0), Max: types.Pointer(1.0)},
			// building is typed as a person writes it (广福里3幢);
			// building_key is derived like the households' address key, so
			// the point finds the households of that building.
			&core.TextField{Name: "building", Max: 40},
			&core.TextField{Name: "building_key", Max: 100},
			&core.TextField{Name: "notes", Max: 200},
		)
		points.Fields.Add(autodates...)
		points.AddIndex("idx_map_points_community", false, "community, kind", "")
		points.ListRule, points.ViewRule = area, area
		if err := app.Save(points); err != nil {
			return fmt.Errorf("map_points: %w", err)
		}

		reports := core.NewBaseCollection("patrol_reports")
		reports.Fields.Add(
			&core.DateField{Name: "reported_at", Required: true},
			// Who found it: a volunteer, or the officer alone. officer is
			// also who recorded a volunteer's finding.
			&core.RelationField{Name: "volunteer", CollectionId: volunteers.Id, MaxSelect: 1},
			&core.RelationField{Name: "officer", CollectionId: officers.Id, MaxSelect: 1},
			&core.RelationField{Name: "community", Required: true, CollectionId: communities.Id, MaxSelect: 1},
			&core.RelationField{Name: "grid", CollectionId: grids.Id, MaxSelect: 1},
			&core.RelationField{Name: "household", CollectionId: households.Id, MaxSelect: 1},
			// point is where on the patrol map, when it is a marked place.
			&core.RelationField{Name: "point", CollectionId: points.Id, MaxSelect: 1},
			&core.TextField{Name: "place", Required: true, Max: 200},
			&core.SelectField{Name: "kind", Required: true, Values: PatrolReportKinds, MaxSelect: 1},
			&core.TextField{Name: "description", Required: true, Max: 2000},
			&core.SelectField{Name: "status", Required: true, Values: PatrolReportStatuses, MaxSelect: 1},
			&core.RelationField{Name: "assigned_to", CollectionId: officers.Id, MaxSelect: 1},
			&core.TextField{Name: "result", Max: 2000},
			// note goes with one change of status (why it was reopened, a
			// word to the assignee); the hooks move it into history.
			&core.TextField{Name: "note", Max: 500},
			// history is every change of status, kept by the hooks: who,
			// when, from what to what, the assignee, result and note.
			&core.JSONField{Name: "history", MaxSize: 100_000},
			&core.DateField{Name: "closed_at"},
		)
		reports.Fields.Add(autodates...)
		reports.AddIndex("idx_patrol_reports_community_status", false, "community, status", "")
		reports.AddIndex("idx_patrol_reports_assigned", false, "assigned_to, status", "")
		reports.AddIndex("idx_patrol_reports_reported", false, "reported_at", "")
		reports.AddIndex("idx_patrol_reports_updated", false, "updated, id", "")
		reports.ListRule, reports.ViewRule = area, area
		if err := app.Save(reports); err != nil {
			return fmt.Errorf("patrol_reports: %w", err)
		}

		deeds := core.NewBaseCollection("good_deeds")
		deeds.Fields.Add(
			&core.RelationField{Name: "volunteer", CollectionId: volunteers.Id, MaxSelect: 1},
			// name is as published: the person may be no volunteer at all.
			&core.TextField{Name: "name", Required: true, Max: 50, Presentable: true},
			&core.RelationField{Name: "community", Required: true, CollectionId: communities.Id, MaxSelect: 1},
			&core.TextField{Name: "date", Required: true, Max: 10},
			&core.SelectField{Name: "kind", Required: true, Values: GoodDeedKinds, MaxSelect: 1},
			&core.TextField{Name: "story", Required: true, Max: 1000},
			&core.BoolField{Name: "consent"},
			&core.BoolField{Name: "published"},
		)
		deeds.Fields.Add(autodates...)
		deeds.AddIndex("idx_good_deeds_published_date", false, "published, date", "")
		deeds.AddIndex("idx_good_deeds_community_date", false, "community, date", "")
		deeds.ListRule = types.Pointer(ruleOfficer)
		deeds.ViewRule = deeds.ListRule
		if err := app.Save(deeds); err != nil {
			return fmt.Errorf("good_deeds: %w", err)
		}

		maps := core.NewBaseCollection("patrol_maps")
		maps.Fields.Add(
			&core.RelationField{Name: "community", Required: true, CollectionId: communities.Id, MaxSelect: 1},
			&core.FileField{Name: "image", Required: true, MaxSelect: 1, MaxSize: PlanImageMaxBytes, MimeTypes: PlanImageTypes, Protected: true},
			// The image's size in pixels, read from the file by the hooks:
			// the map's SVG is drawn in the image's own coordinates.
			&core.NumberField{Name: "width", OnlyInt: true, Min: types.Pointer(0.0)},
			&core.NumberField{Name: "height", OnlyInt: true, Min: types.Pointer(0.0)},
			&core.RelationField{Name: "uploaded_by", CollectionId: officers.Id, MaxSelect: 1},
		)
		maps.Fields.Add(autodates...)
		maps.AddIndex("idx_patrol_maps_community", true, "community", "")
		maps.ListRule, maps.ViewRule = area, area
		if err := app.Save(maps); err != nil {
			return fmt.Errorf("patrol_maps: %w", err)
		}
		return nil
	}, func(app core.App) error {
		drop := func(name string) error {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return nil
			}
			if err := app.Delete(c); err != nil {
				return fmt.Errorf("drop %s: %w", name, err)
			}
			return nil
		}
		for _, name := range []string{"patrol_maps", "good_deeds", "patrol_reports", "map_points", "patrol_shifts"} {
			if err := drop(name); err != nil {
				return err
			}
		}
		// teams.leader points at volunteers and volunteers.team at teams:
		// cut one relation before dropping either.
		if t, err := app.FindCollectionByNameOrId("patrol_teams"); err == nil {
			t.Fields.RemoveByName("leader")
			if err := app.Save(t); err != nil {
				return fmt.Errorf("drop patrol_teams leader: %w", err)
			}
		}
		if err := drop("volunteers"); err != nil {
			return err
		}
		return drop("patrol_teams")
	})
}
