package visits

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/station"
)

// The visit_days table holds each officer's running figures per
// station-local day, community and grid, kept by the visits hooks in the
// same transaction as each visit and each resident's answer. Coverage, the
// trend chart and the board read it: at district scale (a million visits)
// they sum a few thousand rows instead of scanning the visits.
const daysTable = "visit_days"

// daySums is the SQL that computes visit_days rows from visits (joined to
// their households as v and h).
const daySums = `COUNT(*), COALESCE(SUM(v.outcome = 'met' AND v.kind != 'holiday_check'), 0),
	COUNT(DISTINCT CASE WHEN v.outcome = 'met' AND v.kind != 'holiday_check' THEN v.household END),
	COALESCE(SUM(v.wechat_new), 0),
	COALESCE(SUM(v.resident_answer = 'confirmed'), 0), COALESCE(SUM(v.resident_answer = 'denied'), 0),
	COALESCE(SUM(v.resident_answer = 'confirmed' AND v.resident_rating > 0), 0),
	COALESCE(SUM(CASE WHEN v.resident_answer = 'confirmed' THEN v.resident_rating ELSE 0 END), 0),
	COALESCE(SUM(v.resident_answer = 'confirmed' AND v.resident_rating = 1), 0), COALESCE(SUM(v.resident_answer = 'confirmed' AND v.resident_rating = 2), 0),
	COALESCE(SUM(v.resident_answer = 'confirmed' AND v.resident_rating = 3), 0), COALESCE(SUM(v.resident_answer = 'confirmed' AND v.resident_rating = 4), 0),
	COALESCE(SUM(v.resident_answer = 'confirmed' AND v.resident_rating = 5), 0), MAX(v.visited_at)`

const dayColumns = `day, officer, community, grid, visits, met, homes, wechat_new, confirmed, denied, rated, rating_sum, r1, r2, r3, r4, r5, last_at`

// dayExpr is the station-local day of visits.visited_at, in SQL, for a
// station whose zone is offset minutes from UTC.
func dayExpr(offset int) string {
	return fmt.Sprintf("strftime('%%Y-%%m-%%d', v.visited_at, '%+d minutes')", offset)
}

// zoneOffset is the station's offset from UTC, in minutes, at t.
func zoneOffset(st station.Settings, t time.Time) int {
	_, off := t.In(st.Location()).Zone()
	return off / 60
}

// RebuildDays recomputes the whole table from the visits (a database
// written before the table existed, or by the district generator).
func RebuildDays(ctx context.Context, app core.App) error {
	st, err := station.LoadSettings(app)
	if err != nil {
		return err
	}
	return app.RunInTransaction(func(tx core.App) error {
		if _, err := tx.DB().NewQuery("DELETE FROM " + daysTable).WithContext(ctx).Execute(); err != nil {
			return fmt.Errorf("clear visit days: %w", err)
		}
		_, err := tx.DB().NewQuery(`INSERT INTO ` + daysTable + ` (` + dayColumns + `)
			SELECT ` + dayExpr(zoneOffset(st, time.Now())) + `, v.officer, h.community, h.grid, ` + daySums + `
			FROM visits v JOIN households h ON h.id = v.household GROUP BY 1, 2, 3, 4`).WithContext(ctx).Execute()
		if err != nil {
			return fmt.Errorf("rebuild visit days: %w", err)
		}
		return nil
	})
}

// EnsureDays rebuilds the table when it is empty but visits exist.
func EnsureDays(ctx context.Context, app core.App) error {
	var days, visits int
	if err := app.DB().NewQuery("SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM "+daysTable+" LIMIT 1)), (SELECT COUNT(*) FROM (SELECT 1 FROM visits LIMIT 1))").
		WithContext(ctx).Row(&days, &visits); err != nil {
		return fmt.Errorf("visit days: %w", err)
	}
	if days == 0 && visits > 0 {
		return RebuildDays(ctx, app)
	}
	return nil
}

// refreshDay recomputes, within tx, officer's rows of the station-local day
// holding at (an edited or deleted visit, a resident's answer).
func refreshDay(ctx context.Context, tx core.App, officer string, at time.Time) error {
	st, err := station.LoadSettings(tx)
	if err != nil {
		return err
	}
	start, end := st.DayBounds(at)
	day := st.DayString(at)
	if _, err := tx.DB().Delete(daysTable, dbx.HashExp{"day": day, "officer": officer}).WithContext(ctx).Execute(); err != nil {
		return fmt.Errorf("clear visit day: %w", err)
	}
	_, err = tx.DB().NewQuery(`INSERT INTO ` + daysTable + ` (` + dayColumns + `)
		SELECT {:day}, v.officer, h.community, h.grid, ` + daySums + `
		FROM visits v JOIN households h ON h.id = v.household
		WHERE v.officer = {:o} AND v.visited_at >= {:from} AND v.visited_at < {:to} GROUP BY 2, 3, 4`).
		Bind(dbx.Params{"day": day, "o": officer, "from": station.DBTime(start), "to": station.DBTime(end)}).WithContext(ctx).Execute()
	if err != nil {
		return fmt.Errorf("refresh visit day: %w", err)
	}
	return nil
}

// The statements every new visit runs, parsed once a transaction by
// preparedQuery.
const (
	countHomeSQL = `SELECT COUNT(*) FROM visits WHERE household = {:h} AND officer = {:o} AND outcome = {:met}
		AND id != {:id} AND kind != 'holiday_check' AND visited_at >= {:from} AND visited_at < {:to}`
	countDaySQL = `INSERT INTO ` + daysTable + ` (` + dayColumns + `)
		VALUES ({:day}, {:o}, {:c}, {:g}, 1, {:met}, {:home}, {:wn}, {:conf}, {:den}, {:rated}, {:rs}, {:r1}, {:r2}, {:r3}, {:r4}, {:r5}, {:at})
		ON CONFLICT (day, officer, community, grid) DO UPDATE SET visits = visits + 1, met = met + excluded.met, homes = homes + excluded.homes,
			wechat_new = wechat_new + excluded.wechat_new, confirmed = confirmed + excluded.confirmed, denied = denied + excluded.denied,
			rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum,
			r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4, r5 = r5 + excluded.r5,
			last_at = MAX(last_at, excluded.last_at)`
)

// countNewVisit adds a new visit (just inserted, with its household hrec)
// to its day's row, within tx: the common case, two small queries.
func countNewVisit(ctx context.Context, tx core.App, rec, hrec *core.Record) error {
	st, err := station.LoadSettings(tx)
	if err != nil {
		return err
	}
	v := FromRecord(rec)
	start, end := st.DayBounds(v.VisitedAt)
	home := 0
	if v.CountsForHomes() {
		// A home counts once a day, however often the officer rang.
		var others int
		err := station.Prepared(tx, countHomeSQL).Bind(dbx.Params{"h": v.Household, "o": v.Officer, "met": OutcomeMet,
			"id": v.ID, "from": station.DBTime(start), "to": station.DBTime(end)}).WithContext(ctx).Row(&others)
		if err != nil {
			return fmt.Errorf("count the day's homes: %w", err)
		}
		if others == 0 {
			home = 1
		}
	}
	b := func(ok bool) int {
		if ok {
			return 1
		}
		return 0
	}
	confirmed := v.ResidentAnswer == AnswerConfirmed
	rated := confirmed && v.ResidentRating > 0
	r := [6]int{}
	if rated {
		r[v.ResidentRating] = 1
	}
	rating := 0
	if confirmed {
		rating = v.ResidentRating
	}
	_, err = station.Prepared(tx, countDaySQL).
		Bind(dbx.Params{"day": st.DayString(v.VisitedAt), "o": v.Officer, "c": hrec.GetString("community"), "g": hrec.GetString("grid"),
			"met": b(v.CountsForHomes()), "home": home, "wn": b(v.WeChatNew), "conf": b(confirmed), "den": b(v.ResidentAnswer == AnswerDenied),
			"rated": b(rated), "rs": rating, "r1": r[1], "r2": r[2], "r3": r[3], "r4": r[4], "r5": r[5], "at": rec.GetString("visited_at")}).
		WithContext(ctx).Execute()
	if err != nil {
		return fmt.Errorf("count visit day: %w", err)
	}
	return nil
}

// answerFigures is what a visit adds to its day's row through its
// server-computed fields: wechat_new, confirmed, denied, rated, rating_sum
// and r1 … r5, as daySums counts them.
func answerFigures(r *core.Record) [10]int {
	var f [10]int
	if r.GetBool("wechat_new") {
		f[0] = 1
	}
	rating := r.GetInt("resident_rating")
	switch r.GetString("resident_answer") {
	case AnswerConfirmed:
		f[1] = 1
		if rating > 0 {
			f[3], f[4] = 1, rating
			if rating <= 5 {
				f[4+rating] = 1
			}
		}
	case AnswerDenied:
		f[2] = 1
	}
	return f
}

// shiftDay moves the day's row of a visit whose server-computed fields
// alone changed (see onUpdate) by the difference, within tx: its visits,
// met and homes depend on fields that did not change. A row that is not
// there (the household moved to another grid since the day was counted)
// has the day recounted instead.
func shiftDay(ctx context.Context, tx core.App, orig, rec *core.Record) error {
	return shiftDayBy(ctx, tx, rec, answerFigures(orig), answerFigures(rec))
}

// shiftDayBy moves rec's day row from was to now (answerFigures).
func shiftDayBy(ctx context.Context, tx core.App, rec *core.Record, was, now [10]int) error {
	if was == now {
		return nil
	}
	var h struct {
		Community string `db:"community"`
		Grid      string `db:"grid"`
	}
	err := tx.DB().Select("community", "grid").From(households.Collection).Where(dbx.HashExp{"id": rec.GetString("household")}).WithContext(ctx).One(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return refreshDay(ctx, tx, rec.GetString("officer"), rec.GetDateTime("visited_at").Time())
	}
	if err != nil {
		return fmt.Errorf("household of a visit day: %w", err)
	}
	st, err := station.LoadSettings(tx)
	if err != nil {
		return err
	}
	p := dbx.Params{"day": st.DayString(rec.GetDateTime("visited_at").Time()), "o": rec.GetString("officer"), "c": h.Community, "g": h.Grid}
	for i := range now {
		p[fmt.Sprintf("d%d", i)] = now[i] - was[i]
	}
	res, err := tx.DB().NewQuery(`UPDATE ` + daysTable + ` SET wechat_new = wechat_new + {:d0}, confirmed = confirmed + {:d1},
		denied = denied + {:d2}, rated = rated + {:d3}, rating_sum = rating_sum + {:d4},
		r1 = r1 + {:d5}, r2 = r2 + {:d6}, r3 = r3 + {:d7}, r4 = r4 + {:d8}, r5 = r5 + {:d9}
		WHERE day = {:day} AND officer = {:o} AND community = {:c} AND grid = {:g}`).Bind(p).WithContext(ctx).Execute()
	if err != nil {
		return fmt.Errorf("shift visit day: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return refreshDay(ctx, tx, rec.GetString("officer"), rec.GetDateTime("visited_at").Time())
	}
	return nil
}
