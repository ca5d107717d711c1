// Package pb_migrations holds zoufang's PocketBase migrations. They are Go
// code compiled into the binary and run by PocketBase before it serves.
package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Rules. Every rule names the officers collection: a token of any other auth
// collection (a superuser aside, who bypasses rules) must match nothing.
const (
	ruleOfficer = "@request.auth.collectionName = 'officers' && @request.auth.active = true"
	ruleChief   = ruleOfficer + " && @request.auth.role = 'deputy_chief'"
)

// areaRule matches records whose community (reached by path) is one the
// signed-in officer looks after, or any record for a deputy chief.
func areaRule(path string) string {
	return ruleOfficer + " && (@request.auth.role = 'deputy_chief' || @request.auth.communities.id ?= " + path + ")"
}

// Select values shared with the domain packages' validation.
var (
	HouseholdTags = []string{"独居老人", "出租房", "群居房", "外籍人员", "重点关注", "商铺单位", "空置房", "孤寡残疾", "留守儿童", "矛盾纠纷户"}
	VisitKinds    = []string{"routine", "holiday_check", "follow_up"}
	VisitOutcomes = []string{"met", "not_home", "refused"}
	VisitConcerns = []string{"安全隐患", "诈骗风险", "矛盾纠纷", "求助事项", "消防隐患", "治安线索", "邻里噪音", "其他"}
	Weekdays      = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)

func init() {
	m.Register(up, down)
}

func up(app core.App) error {
	// PocketBase's default users collection has public sign-up: anyone could
	// get a token. zoufang has no use for it.
	if users, err := app.FindCollectionByNameOrId("users"); err == nil {
		if err := app.Delete(users); err != nil {
			return fmt.Errorf("delete users collection: %w", err)
		}
	}

	communities := core.NewBaseCollection("communities")
	communities.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 100, Presentable: true},
		&core.TextField{Name: "code", Required: true, Max: 40},
		&core.TextField{Name: "station", Max: 100},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	communities.AddIndex("idx_communities_code", true, "code", "")
	communities.ListRule = types.Pointer(ruleOfficer)
	communities.ViewRule = types.Pointer(ruleOfficer)
	if err := app.Save(communities); err != nil {
		return fmt.Errorf("communities: %w", err)
	}

	grids := core.NewBaseCollection("grids")
	grids.Fields.Add(
		&core.RelationField{Name: "community", Required: true, CollectionId: communities.Id, MaxSelect: 1},
		&core.TextField{Name: "name", Required: true, Max: 100, Presentable: true},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	grids.AddIndex("idx_grids_community_name", true, "community, name", "")
	grids.ListRule = types.Pointer(ruleOfficer)
	grids.ViewRule = types.Pointer(ruleOfficer)
	if err := app.Save(grids); err != nil {
		return fmt.Errorf("grids: %w", err)
	}

	officers := core.NewAuthCollection("officers")
	if email, ok := officers.Fields.GetByName("email").(*core.EmailField); ok {
		email.Required = false // officers sign in by badge; email is optional
	}
	officers.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 50, Presentable: true},
		&core.TextField{Name: "badge", Required: true, Max: 20, Pattern: `^[0-9A-Za-z]{3,20}$`},
		&core.SelectField{Name: "role", Required: true, Values: []string{"officer", "deputy_chief"}, MaxSelect: 1},
		&core.RelationField{Name: "communities", CollectionId: communities.Id, MaxSelect: 99},
		&core.TextField{Name: "wechat", Max: 50},
		&core.TextField{Name: "phone", Max: 20},
		&core.BoolField{Name: "active"},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	officers.AddIndex("idx_officers_badge", true, "badge", "")
	officers.PasswordAuth.IdentityFields = []string{"badge", "email"}
	officers.AuthRule = types.Pointer("active = true")
	officers.AuthToken.Duration = 30 * 24 * 3600 // officers work offline for weeks
	// An officer sees their own record; a deputy chief sees the station's.
	officers.ListRule = types.Pointer(ruleOfficer + " && (id = @request.auth.id || @request.auth.role = 'deputy_chief')")
	officers.ViewRule = officers.ListRule
	// Create, update, delete and manage stay nil: superusers only.
	if err := app.Save(officers); err != nil {
		return fmt.Errorf("officers: %w", err)
	}

	households := core.NewBaseCollection("households")
	households.Fields.Add(
		&core.RelationField{Name: "community", Required: true, CollectionId: communities.Id, MaxSelect: 1},
		&core.RelationField{Name: "grid", CollectionId: grids.Id, MaxSelect: 1},
		&core.TextField{Name: "address", Required: true, Max: 200, Presentable: true},
		&core.TextField{Name: "building", Max: 40},
		&core.TextField{Name: "unit", Max: 20},
		&core.TextField{Name: "room", Max: 20},
		&core.TextField{Name: "address_key", Required: true, Max: 300},
		&core.TextField{Name: "head_name", Max: 50},
		&core.JSONField{Name: "phones", MaxSize: 2000},
		&core.NumberField{Name: "residents", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(99.0)},
		&core.SelectField{Name: "tags", Values: HouseholdTags, MaxSelect: len(HouseholdTags)},
		&core.RelationField{Name: "wechat_contact", CollectionId: officers.Id, MaxSelect: 1},
		&core.DateField{Name: "wechat_added_at"},
		&core.DateField{Name: "last_visited_at"},
		&core.RelationField{Name: "last_visited_by", CollectionId: officers.Id, MaxSelect: 1},
		&core.TextField{Name: "notes", Max: 2000},
		&core.BoolField{Name: "archived"},
		// search is address, name and every phone shape in one lower-case
		// string, kept by the households store, so one LIKE finds a fragment.
		&core.TextField{Name: "search", Max: 1000, Hidden: true},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	households.AddIndex("idx_households_address_key", true, "address_key", "archived = FALSE")
	households.AddIndex("idx_households_coverage", false, "community, grid, last_visited_at", "")
	households.AddIndex("idx_households_updated", false, "updated, id", "")
	households.ListRule = types.Pointer(areaRule("community"))
	households.ViewRule = households.ListRule
	// Writes go through zoufang's own endpoints (validation, phone
	// normalisation, duplicate checks); the REST API is read-only.
	if err := app.Save(households); err != nil {
		return fmt.Errorf("households: %w", err)
	}

	// household_phones indexes every household's numbers so a duplicate
	// phone is found by index, not by scanning JSON arrays. It is kept by
	// the households package's record hooks; not a collection, never exposed.
	if _, err := app.DB().NewQuery("CREATE TABLE IF NOT EXISTS household_phones (phone TEXT NOT NULL, household TEXT NOT NULL, PRIMARY KEY (phone, household)) WITHOUT ROWID").Execute(); err != nil {
		return fmt.Errorf("household_phones: %w", err)
	}
	if _, err := app.DB().NewQuery("CREATE INDEX IF NOT EXISTS idx_household_phones_household ON household_phones (household)").Execute(); err != nil {
		return fmt.Errorf("household_phones index: %w", err)
	}

	watches := core.NewBaseCollection("holiday_watches")
	watches.Fields.Add(
		&core.RelationField{Name: "household", Required: true, CollectionId: households.Id, MaxSelect: 1},
		&core.DateField{Name: "from", Required: true},
		&core.DateField{Name: "to", Required: true},
		&core.TextField{Name: "contact_name", Max: 50},
		&core.TextField{Name: "contact_phone", Max: 20},
		&core.TextField{Name: "key_holder", Max: 100},
		&core.NumberField{Name: "interval_days", OnlyInt: true, Min: types.Pointer(1.0), Max: types.Pointer(30.0)},
		&core.TextField{Name: "notes", Max: 2000},
		&core.SelectField{Name: "status", Required: true, Values: []string{"active", "ended", "cancelled"}, MaxSelect: 1},
		&core.RelationField{Name: "created_by", CollectionId: officers.Id, MaxSelect: 1},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	watches.AddIndex("idx_watches_household", false, "household", "")
	watches.AddIndex("idx_watches_status_to", false, "status, `to`", "")
	watches.AddIndex("idx_watches_updated", false, "updated, id", "")
	watches.ListRule = types.Pointer(areaRule("household.community"))
	watches.ViewRule = watches.ListRule
	if err := app.Save(watches); err != nil {
		return fmt.Errorf("holiday_watches: %w", err)
	}

	visits := core.NewBaseCollection("visits")
	visits.Fields.Add(
		&core.RelationField{Name: "household", Required: true, CollectionId: households.Id, MaxSelect: 1},
		&core.RelationField{Name: "officer", Required: true, CollectionId: officers.Id, MaxSelect: 1},
		&core.DateField{Name: "visited_at", Required: true},
		&core.DateField{Name: "received_at", Required: true},
		&core.SelectField{Name: "kind", Required: true, Values: VisitKinds, MaxSelect: 1},
		&core.SelectField{Name: "outcome", Required: true, Values: VisitOutcomes, MaxSelect: 1},
		&core.SelectField{Name: "concerns", Values: VisitConcerns, MaxSelect: len(VisitConcerns)},
		&core.TextField{Name: "notes", Max: 2000},
		&core.BoolField{Name: "wechat_added"},
		// wechat_new is set by the server when this visit made the
		// household's first WeChat contact: the target counts these.
		&core.BoolField{Name: "wechat_new"},
		&core.RelationField{Name: "watch", CollectionId: watches.Id, MaxSelect: 1},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	visits.AddIndex("idx_visits_officer_visited", false, "officer, visited_at", "")
	visits.AddIndex("idx_visits_household_visited", false, "household, visited_at", "")
	visits.AddIndex("idx_visits_visited", false, "visited_at", "")
	visits.AddIndex("idx_visits_updated", false, "updated, id", "")
	visits.ListRule = types.Pointer(ruleOfficer + " && (@request.auth.role = 'deputy_chief' || officer = @request.auth.id || @request.auth.communities.id ?= household.community)")
	visits.ViewRule = visits.ListRule
	if err := app.Save(visits); err != nil {
		return fmt.Errorf("visits: %w", err)
	}

	tokens := core.NewBaseCollection("visit_tokens")
	tokens.Fields.Add(
		&core.RelationField{Name: "officer", Required: true, CollectionId: officers.Id, MaxSelect: 1, CascadeDelete: true},
		&core.TextField{Name: "secret_hash", Required: true, Max: 64, Hidden: true},
		&core.DateField{Name: "issued_at", Required: true},
		&core.DateField{Name: "expires_at", Required: true},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	tokens.AddIndex("idx_tokens_officer_expires", false, "officer, expires_at", "")
	// All rules nil: only the server reads the token book.
	if err := app.Save(tokens); err != nil {
		return fmt.Errorf("visit_tokens: %w", err)
	}

	confirmations := core.NewBaseCollection("confirmations")
	confirmations.Fields.Add(
		// visit is a plain id: the resident may confirm before the visit syncs.
		&core.TextField{Name: "visit", Required: true, Max: 15, Pattern: `^[a-z0-9]{15}$`},
		&core.DateField{Name: "confirmed_at", Required: true},
		&core.NumberField{Name: "rating", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(5.0)},
		&core.TextField{Name: "comment", Max: 500},
		&core.SelectField{Name: "phone_check", Values: []string{"matched", "mismatched", "skipped"}, MaxSelect: 1},
		&core.TextField{Name: "client_hash", Max: 64},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	confirmations.AddIndex("idx_confirmations_visit", true, "visit", "")
	confirmations.AddIndex("idx_confirmations_client", false, "client_hash", "")
	confirmations.ListRule = types.Pointer(ruleChief)
	confirmations.ViewRule = confirmations.ListRule
	if err := app.Save(confirmations); err != nil {
		return fmt.Errorf("confirmations: %w", err)
	}

	settings := core.NewBaseCollection("settings")
	settings.Fields.Add(
		&core.TextField{Name: "station_name", Max: 100},
		&core.SelectField{Name: "visit_weekdays", Values: Weekdays, MaxSelect: 7},
		&core.NumberField{Name: "target_homes", OnlyInt: true, Min: types.Pointer(1.0), Max: types.Pointer(200.0)},
		&core.NumberField{Name: "target_wechat", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(200.0)},
		&core.TextField{Name: "timezone", Max: 64},
		&core.NumberField{Name: "token_book_size", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(200.0)},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	settings.ListRule = types.Pointer(ruleOfficer)
	settings.ViewRule = settings.ListRule
	if err := app.Save(settings); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	row := core.NewRecord(settings)
	row.Set("station_name", "派出所")
	row.Set("visit_weekdays", []string{"tue", "thu"})
	row.Set("target_homes", 10)
	row.Set("target_wechat", 10)
	row.Set("timezone", "Asia/Shanghai")
	row.Set("token_book_size", 30)
	if err := app.Save(row); err != nil {
		return fmt.Errorf("settings row: %w", err)
	}

	return configureApp(app)
}

// configureApp sets PocketBase's own settings: name, rate limits on the REST
// API, the batch API left off (field writes go through /sync/push).
func configureApp(app core.App) error {
	s := app.Settings()
	s.Meta.AppName = "走访 zoufang"
	s.Batch.Enabled = false
	s.Batch.MaxRequests = 1000
	s.Batch.Timeout = 10
	s.RateLimits.Enabled = true
	s.RateLimits.Rules = []core.RateLimitRule{
		{Label: "*:auth", MaxRequests: 10, Duration: 60},
		{Label: "*:create", MaxRequests: 60, Duration: 10},
		{Label: "/api/batch", MaxRequests: 10, Duration: 1},
		{Label: "/api/", MaxRequests: 300, Duration: 10},
	}
	s.Logs.MaxDays = 14
	return app.Save(s)
}

func down(app core.App) error {
	if _, err := app.DB().NewQuery("DROP TABLE IF EXISTS household_phones").Execute(); err != nil {
		return err
	}
	for _, name := range []string{"settings", "confirmations", "visit_tokens", "visits", "holiday_watches", "households", "officers", "grids", "communities"} {
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
