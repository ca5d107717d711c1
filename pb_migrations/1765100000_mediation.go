package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The mediation log (警民联调工作室, DESIGN §14): rooms, the roster of
// mediators, disputes with their sessions and history, the yearly number
// counter, and the link from a follow-up visit (回访) to its dispute.
//
// Select values are repeated from the mediation package (a migration is
// frozen history and imports no feature); a test there checks they agree.
var (
	mediatorKinds      = []string{"police", "justice", "community", "volunteer", "lawyer", "media"}
	disputeCategories  = []string{"neighbour", "family", "marriage", "property", "tenancy", "consumer", "labour", "traffic", "other"}
	disputeSources     = []string{"walk_in", "visit", "call", "referral", "patrol"}
	disputeStatuses    = []string{"open", "settled", "failed", "referred", "withdrawn"}
	disputeEventKinds  = []string{"opened", "edited", "session", "closed", "reopened", "signed", "follow_up", "handover"}
	disputeCounterDDL  = "CREATE TABLE IF NOT EXISTS dispute_counters (year INTEGER PRIMARY KEY, last INTEGER NOT NULL)"
	disputeCounterDrop = "DROP TABLE IF EXISTS dispute_counters"
)

// disputeRule: the deputy chief sees every dispute; an officer those of
// their communities and those they lead. path prefixes the dispute's
// fields ("" on disputes, "dispute." on its sessions and events).
func disputeRule(path string) string {
	return ruleOfficer + " && (@request.auth.role = 'deputy_chief' || " + path + "officer = @request.auth.id || @request.auth.communities.id ?= " + path + "community)"
}

func init() {
	m.Register(mediationUp, mediationDown)
}

func mediationUp(app core.App) error {
	communities, err := app.FindCollectionByNameOrId("communities")
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
	visits, err := app.FindCollectionByNameOrId("visits")
	if err != nil {
		return err
	}

	rooms := core.NewBaseCollection("mediation_rooms")
	rooms.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 100, Presentable: true},
		// community is empty for the station's own room.
		&core.RelationField{Name: "community", CollectionId: communities.Id, MaxSelect: 1},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	rooms.AddIndex("idx_mediation_rooms_name", true, "name", "")
	rooms.ListRule = types.Pointer(ruleOfficer)
	rooms.ViewRule = rooms.ListRule
	if err := app.Save(rooms); err != nil {
		return fmt.Errorf("mediation_rooms: %w", err)
	}

	mediators := core.NewBaseCollection("mediators")
	mediators.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 50, Presentable: true},
		&core.SelectField{Name: "kind", Required: true, Values: mediatorKinds, MaxSelect: 1},
		&core.TextField{Name: "organisation", Max: 100},
		&core.TextField{Name: "phone", Max: 20},
		&core.RelationField{Name: "rooms", CollectionId: rooms.Id, MaxSelect: 20},
		&core.BoolField{Name: "active"},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	mediators.AddIndex("idx_mediators_kind_name", false, "kind, name", "")
	mediators.ListRule = types.Pointer(ruleOfficer)
	mediators.ViewRule = mediators.ListRule
	if err := app.Save(mediators); err != nil {
		return fmt.Errorf("mediators: %w", err)
	}

	disputes := core.NewBaseCollection("disputes")
	disputes.Fields.Add(
		// number, year and seq are the server's: 2026-0143 is year 2026,
		// seq 143, assigned in the save's transaction on every write path.
		&core.TextField{Name: "number", Max: 20, Presentable: true},
		&core.NumberField{Name: "year", OnlyInt: true},
		&core.NumberField{Name: "seq", OnlyInt: true},
		&core.RelationField{Name: "room", Required: true, CollectionId: rooms.Id, MaxSelect: 1},
		&core.RelationField{Name: "community", Required: true, CollectionId: communities.Id, MaxSelect: 1},
		&core.RelationField{Name: "household", CollectionId: households.Id, MaxSelect: 1},
		&core.SelectField{Name: "category", Required: true, Values: disputeCategories, MaxSelect: 1},
		&core.TextField{Name: "summary", Max: 4000},
		&core.JSONField{Name: "parties", MaxSize: 20000},
		&core.SelectField{Name: "source", Required: true, Values: disputeSources, MaxSelect: 1},
		&core.RelationField{Name: "visit", CollectionId: visits.Id, MaxSelect: 1},
		// report is a plain id: patrol reports are a collection of their own
		// (DESIGN §15), built separately.
		&core.TextField{Name: "report", Max: 15},
		&core.RelationField{Name: "officer", Required: true, CollectionId: officers.Id, MaxSelect: 1},
		&core.RelationField{Name: "mediators", CollectionId: mediators.Id, MaxSelect: 20},
		&core.SelectField{Name: "status", Required: true, Values: disputeStatuses, MaxSelect: 1},
		&core.DateField{Name: "opened_at"},
		&core.DateField{Name: "closed_at"},
		&core.TextField{Name: "outcome", Max: 4000},
		&core.BoolField{Name: "agreement_signed"},
		&core.DateField{Name: "follow_up_at"},
		// followed_up_at (the last follow-up visit) and follow_up_pending
		// are kept by the mediation hooks.
		&core.DateField{Name: "followed_up_at"},
		&core.BoolField{Name: "follow_up_pending"},
		// reopen_reason is how a superuser says why a case is reopened
		// through REST; the hooks move it into the history and clear it.
		&core.TextField{Name: "reopen_reason", Max: 500},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	disputes.AddIndex("idx_disputes_number", true, "number", "")
	disputes.AddIndex("idx_disputes_year_seq", true, "year, seq", "")
	disputes.AddIndex("idx_disputes_opened", false, "opened_at", "")
	disputes.AddIndex("idx_disputes_community_opened", false, "community, opened_at", "")
	disputes.AddIndex("idx_disputes_officer_opened", false, "officer, opened_at", "")
	disputes.AddIndex("idx_disputes_status_opened", false, "status, opened_at", "")
	disputes.AddIndex("idx_disputes_room_opened", false, "room, opened_at", "")
	disputes.AddIndex("idx_disputes_category_opened", false, "category, opened_at", "")
	disputes.AddIndex("idx_disputes_follow_up", false, "follow_up_pending, follow_up_at", "")
	disputes.AddIndex("idx_disputes_officer_follow_up", false, "officer, follow_up_pending, follow_up_at", "")
	disputes.AddIndex("idx_disputes_household", false, "household", "")
	// One dispute per visit and per patrol report: opening it twice is a
	// mistake the form answers with a link to the first.
	disputes.AddIndex("idx_disputes_visit", true, "visit", "visit != ''")
	disputes.AddIndex("idx_disputes_report", true, "report", "report != ''")
	disputes.ListRule = types.Pointer(disputeRule(""))
	disputes.ViewRule = disputes.ListRule
	// Writes: superusers through REST; officers through zoufang's pages.
	if err := app.Save(disputes); err != nil {
		return fmt.Errorf("disputes: %w", err)
	}

	sessions := core.NewBaseCollection("dispute_sessions")
	sessions.Fields.Add(
		&core.RelationField{Name: "dispute", Required: true, CollectionId: disputes.Id, MaxSelect: 1, CascadeDelete: true},
		&core.DateField{Name: "at", Required: true},
		&core.RelationField{Name: "mediators", CollectionId: mediators.Id, MaxSelect: 20},
		&core.TextField{Name: "notes", Max: 4000},
		&core.TextField{Name: "next_step", Max: 1000},
		// officer is who recorded the session (server-set; empty for a
		// superuser).
		&core.RelationField{Name: "officer", CollectionId: officers.Id, MaxSelect: 1},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	sessions.AddIndex("idx_dispute_sessions_dispute_at", false, "dispute, at", "")
	sessions.ListRule = types.Pointer(disputeRule("dispute."))
	sessions.ViewRule = sessions.ListRule
	if err := app.Save(sessions); err != nil {
		return fmt.Errorf("dispute_sessions: %w", err)
	}

	events := core.NewBaseCollection("dispute_events")
	events.Fields.Add(
		&core.RelationField{Name: "dispute", Required: true, CollectionId: disputes.Id, MaxSelect: 1, CascadeDelete: true},
		&core.DateField{Name: "at", Required: true},
		&core.SelectField{Name: "kind", Required: true, Values: disputeEventKinds, MaxSelect: 1},
		&core.RelationField{Name: "officer", CollectionId: officers.Id, MaxSelect: 1},
		&core.SelectField{Name: "status", Values: disputeStatuses, MaxSelect: 1},
		&core.TextField{Name: "note", Max: 4000},
		&core.JSONField{Name: "fields", MaxSize: 2000},
		// visit and session are plain ids of what the event is about.
		&core.TextField{Name: "visit", Max: 15},
		&core.TextField{Name: "session", Max: 15},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	events.AddIndex("idx_dispute_events_dispute_created", false, "dispute, created", "")
	events.AddIndex("idx_dispute_events_visit", false, "visit", "visit != ''")
	events.ListRule = types.Pointer(disputeRule("dispute."))
	events.ViewRule = events.ListRule
	if err := app.Save(events); err != nil {
		return fmt.Errorf("dispute_events: %w", err)
	}

	// The last number handed out per year. A rolled-back save rolls its
	// number back too, and a deleted dispute never gives its number to
	// another. Kept by the mediation hooks; not a collection, never exposed.
	if _, err := app.DB().NewQuery(disputeCounterDDL).Execute(); err != nil {
		return fmt.Errorf("dispute_counters: %w", err)
	}

	// A follow-up visit (kind follow_up) names the dispute it follows up.
	visits.Fields.Add(&core.RelationField{Name: "dispute", CollectionId: disputes.Id, MaxSelect: 1})
	visits.AddIndex("idx_visits_dispute", false, "dispute", "dispute != ''")
	if err := app.Save(visits); err != nil {
		return fmt.Errorf("visits.dispute: %w", err)
	}
	return nil
}

func mediationDown(app core.App) error {
	if visits, err := app.FindCollectionByNameOrId("visits"); err == nil {
		visits.RemoveIndex("idx_visits_dispute")
		visits.Fields.RemoveByName("dispute")
		if err := app.Save(visits); err != nil {
			return err
		}
	}
	if _, err := app.DB().NewQuery(disputeCounterDrop).Execute(); err != nil {
		return err
	}
	for _, name := range []string{"dispute_events", "dispute_sessions", "disputes", "mediators", "mediation_rooms"} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return nil
}
