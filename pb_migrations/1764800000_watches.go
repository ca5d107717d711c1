package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The holiday house-watch (长假照看, DESIGN §9) as a whole service:
//
//   - holiday_watches get what registering, cancelling and the resident's
//     summary link need: camera, cancel_reason, ended_at (when it ended or
//     was cancelled: the purge counts from it), summary_hash (sha256 of the
//     resident link's secret, never readable through the API) and purged_at;
//     a check every 1–7 days.
//   - visits get check_result (正常 | 异常) for holiday checks.
//   - watch_alerts: an abnormal check raises one for the deputy chief, kept
//     until acknowledged (the board's banner).
func init() {
	m.Register(func(app core.App) error {
		w, err := app.FindCollectionByNameOrId("holiday_watches")
		if err != nil {
			return err
		}
		if f, ok := w.Fields.GetByName("interval_days").(*core.NumberField); ok {
			f.Max = types.Pointer(7.0)
		}
		if f, ok := w.Fields.GetByName("contact_phone").(*core.TextField); ok {
			f.Max = 20
		}
		w.Fields.Add(
			&core.BoolField{Name: "camera"},
			&core.TextField{Name: "cancel_reason", Max: 500},
			&core.DateField{Name: "ended_at"},
			&core.TextField{Name: "summary_hash", Max: 64, Hidden: true},
			&core.DateField{Name: "purged_at"},
		)
		w.AddIndex("idx_watches_ended_at", false, "ended_at", "")
		if _, err := app.DB().NewQuery("UPDATE holiday_watches SET interval_days = 7 WHERE interval_days > 7").Execute(); err != nil {
			return err
		}
		if err := app.Save(w); err != nil {
			return fmt.Errorf("holiday_watches: %w", err)
		}

		v, err := app.FindCollectionByNameOrId("visits")
		if err != nil {
			return err
		}
		v.Fields.Add(&core.SelectField{Name: "check_result", Values: []string{"normal", "abnormal"}, MaxSelect: 1})
		v.AddIndex("idx_visits_watch", false, "watch", "watch != ''")
		if err := app.Save(v); err != nil {
			return fmt.Errorf("visits: %w", err)
		}

		officers, err := app.FindCollectionByNameOrId("officers")
		if err != nil {
			return err
		}
		alerts := core.NewBaseCollection("watch_alerts")
		alerts.Fields.Add(
			&core.RelationField{Name: "watch", Required: true, CollectionId: w.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "visit", Required: true, CollectionId: v.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "household", Required: true, CollectionId: w.Fields.GetByName("household").(*core.RelationField).CollectionId, MaxSelect: 1},
			&core.RelationField{Name: "officer", CollectionId: officers.Id, MaxSelect: 1},
			&core.DateField{Name: "raised_at", Required: true},
			&core.DateField{Name: "acked_at"},
			&core.RelationField{Name: "acked_by", CollectionId: officers.Id, MaxSelect: 1},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		alerts.AddIndex("idx_watch_alerts_visit", true, "visit", "")
		alerts.AddIndex("idx_watch_alerts_open", false, "acked_at, raised_at", "")
		alerts.ListRule = types.Pointer(ruleChief)
		alerts.ViewRule = alerts.ListRule
		return app.Save(alerts)
	}, func(app core.App) error {
		if a, err := app.FindCollectionByNameOrId("watch_alerts"); err == nil {
			if err := app.Delete(a); err != nil {
				return err
			}
		}
		v, err := app.FindCollectionByNameOrId("visits")
		if err != nil {
			return err
		}
		v.RemoveIndex("idx_visits_watch")
		v.Fields.RemoveByName("check_result")
		if err := app.Save(v); err != nil {
			return err
		}
		w, err := app.FindCollectionByNameOrId("holiday_watches")
		if err != nil {
			return err
		}
		w.RemoveIndex("idx_watches_ended_at")
		for _, f := range []string{"camera", "cancel_reason", "ended_at", "summary_hash", "purged_at"} {
			w.Fields.RemoveByName(f)
		}
		return app.Save(w)
	})
}
