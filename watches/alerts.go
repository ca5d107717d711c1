package watches

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/i18n"
	"zoufang/station"
)

// AlertCollection holds the alerts abnormal checks raise for the deputy
// chief, kept until acknowledged.
const AlertCollection = "watch_alerts"

// Alert is an abnormal holiday check waiting for the deputy chief.
type Alert struct {
	ID        string    `json:"id"`
	Watch     string    `json:"watch"`
	Visit     string    `json:"visit"`
	Household string    `json:"household"`
	Address   string    `json:"address"`
	Officer   string    `json:"officer"` // name
	Notes     string    `json:"notes"`
	RaisedAt  time.Time `json:"raised_at"`
}

// RaiseAlert records, within tx, that the holiday check visit found the
// home abnormal (once per visit, whoever wrote the check).
func RaiseAlert(tx core.App, visit *core.Record) error {
	if _, err := tx.FindFirstRecordByData(AlertCollection, "visit", visit.Id); err == nil {
		return nil
	}
	coll, err := tx.FindCachedCollectionByNameOrId(AlertCollection)
	if err != nil {
		return fmt.Errorf("alerts collection: %w", err)
	}
	a := core.NewRecord(coll)
	a.Set("watch", visit.GetString("watch"))
	a.Set("visit", visit.Id)
	a.Set("household", visit.GetString("household"))
	a.Set("officer", visit.GetString("officer"))
	a.Set("raised_at", time.Now())
	if err := tx.Save(a); err != nil {
		return fmt.Errorf("raise watch alert: %w", err)
	}
	return nil
}

// OpenAlerts lists the alerts not yet acknowledged, newest first.
func (s *Store) OpenAlerts(ctx context.Context) ([]Alert, error) {
	return s.alerts(ctx, dbx.NewExp("a.acked_at = ''"))
}

// AlertByID is one alert, for the live channel's message.
func (s *Store) AlertByID(ctx context.Context, id string) (*Alert, error) {
	as, err := s.alerts(ctx, dbx.HashExp{"a.id": id})
	if err != nil || len(as) == 0 {
		return nil, err
	}
	return &as[0], nil
}

func (s *Store) alerts(ctx context.Context, where dbx.Expression) ([]Alert, error) {
	var rows []struct {
		ID        string `db:"id"`
		Watch     string `db:"watch"`
		Visit     string `db:"visit"`
		Household string `db:"household"`
		Address   string `db:"address"`
		Officer   string `db:"officer"`
		Notes     string `db:"notes"`
		Raised    string `db:"raised_at"`
	}
	err := s.app.DB().Select("a.id", "a.watch", "a.visit", "a.household", "COALESCE(h.address, '') AS address",
		"COALESCE(o.name, '') AS officer", "COALESCE(v.notes, '') AS notes", "a.raised_at").
		From(AlertCollection+" a").
		LeftJoin("households h", dbx.NewExp("h.id = a.household")).
		LeftJoin("officers o", dbx.NewExp("o.id = a.officer")).
		LeftJoin("visits v", dbx.NewExp("v.id = a.visit")).
		Where(where).OrderBy("a.raised_at DESC").Limit(50).WithContext(ctx).All(&rows)
	if err != nil {
		return nil, station.Internal(err, "open alerts")
	}
	out := make([]Alert, len(rows))
	for i, r := range rows {
		at, _ := time.Parse("2006-01-02 15:04:05.000Z", r.Raised)
		out[i] = Alert{ID: r.ID, Watch: r.Watch, Visit: r.Visit, Household: r.Household, Address: r.Address, Officer: r.Officer, Notes: r.Notes, RaisedAt: at}
	}
	return out, nil
}

// Message is what the live channel tells the deputy chief of an alert
// (DESIGN §9), with what the board's banner shows.
func (a Alert) Message() map[string]any {
	return map[string]any{"type": "alert", "kind": "watch_abnormal", "id": a.ID, "watch": a.Watch, "visit": a.Visit,
		"household": a.Household, "address": a.Address, "officer": a.Officer, "notes": a.Notes, "raised_at": a.RaisedAt}
}

// Ack acknowledges an alert: the board's banner goes.
func (s *Store) Ack(ctx context.Context, o *station.Officer, id string) error {
	rec, err := s.app.FindRecordById(AlertCollection, id)
	if err != nil {
		return &station.Error{Code: station.ENotFound, Message: i18n.T("watch.alert_not_found")}
	}
	if !rec.GetDateTime("acked_at").IsZero() {
		return nil
	}
	rec.Set("acked_at", time.Now())
	rec.Set("acked_by", o.ID)
	return station.SaveError(s.app.SaveWithContext(ctx, rec), "acknowledge alert")
}
