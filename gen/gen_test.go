package gen_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/crypto/bcrypt"

	"zoufang/app/apptest"
	"zoufang/gen"
	_ "zoufang/pb_migrations"
)

// tables are what the generator writes.
var tables = []string{"communities", "grids", "officers", "households", "household_phones", "visits", "confirmations", "holiday_watches"}

var small = gen.Options{Households: 2000, Visits: 20000, Seed: 7, Now: time.Date(2026, 12, 1, 16, 30, 0, 0, time.FixedZone("CST", 8*3600))}

// generate writes a district into a fresh data dir as `zoufang gen
// district` does (bootstrap, migrate, generate) and closes it.
func generate(t *testing.T, opt gen.Options) (string, gen.Result) {
	t.Helper()
	dir := t.TempDir()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	res, err := gen.District(context.Background(), app, opt)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return dir, res
}

// digests are a sha256 of each table's rows, in insert order, every value
// with its type.
func digests(t *testing.T, dir string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	for _, table := range tables {
		order := "rowid"
		if table == "household_phones" {
			order = "phone, household" // WITHOUT ROWID
		}
		rows, err := db.Query("SELECT * FROM [" + table + "] ORDER BY " + order)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		h := sha256.New()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(h, "%T:%v\x00", v, v)
			}
			n++
		}
		rows.Close()
		out[table] = fmt.Sprintf("%d rows %s", n, hex.EncodeToString(h.Sum(nil))[:16])
	}
	return out
}

// schema is every table's and index's definition in a data dir.
func schema(t *testing.T, dir string) string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func TestDistrict(t *testing.T) {
	dir, res := generate(t, small)

	t.Run("the same options write the same rows, ids included", func(t *testing.T) {
		again, _ := generate(t, small)
		got, want := digests(t, again), digests(t, dir)
		for _, table := range tables {
			if got[table] != want[table] {
				t.Errorf("%s: %s, first time %s", table, got[table], want[table])
			}
		}
		other := small
		other.Seed++
		otherDir, _ := generate(t, other)
		if d := digests(t, otherDir); d["households"] == want["households"] {
			t.Errorf("another seed wrote the same households")
		}
	})

	t.Run("it writes what was asked for", func(t *testing.T) {
		want := map[string]int{"communities": 1, "officers": 2, "households": 2000, "visits": 20000}
		for table, n := range want {
			if got := res.Rows(table); got != n {
				t.Errorf("%s: %d rows, want %d", table, got, n)
			}
		}
		for _, table := range []string{"grids", "household_phones", "confirmations", "holiday_watches"} {
			if res.Rows(table) == 0 {
				t.Errorf("%s: no rows", table)
			}
		}
	})

	t.Run("the schema is the migrations' own, every index rebuilt", func(t *testing.T) {
		fresh := t.TempDir()
		app := core.NewBaseApp(core.BaseAppConfig{DataDir: fresh})
		if err := app.Bootstrap(); err != nil {
			t.Fatal(err)
		}
		if err := app.RunAllMigrations(); err != nil {
			t.Fatal(err)
		}
		app.ResetBootstrapState()
		if got, want := schema(t, dir), schema(t, fresh); got != want {
			t.Errorf("schema after generating:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("a data dir that holds data is refused", func(t *testing.T) {
		app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
		if err := app.Bootstrap(); err != nil {
			t.Fatal(err)
		}
		defer app.ResetBootstrapState()
		if _, err := gen.District(context.Background(), app, small); !errors.Is(err, gen.ErrNotEmpty) {
			t.Fatalf("got %v, want ErrNotEmpty", err)
		}
	})

	env := apptest.Open(t, dir)
	db := env.App.DB()
	count := func(t *testing.T, what, q string) {
		t.Helper()
		var n int
		if err := db.NewQuery(q).Row(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows", what, n)
		}
	}

	t.Run("each household's last met visit and first WeChat contact are its visits'", func(t *testing.T) {
		count(t, "households whose last visit is not their latest met visit", `
			SELECT COUNT(*) FROM households h WHERE
			  h.last_visited_at != COALESCE((SELECT MAX(visited_at) FROM visits v WHERE v.household = h.id AND v.outcome = 'met'), '')
			  OR h.last_visited_by != COALESCE((SELECT officer FROM visits v WHERE v.household = h.id AND v.outcome = 'met' ORDER BY visited_at DESC LIMIT 1), '')`)
		count(t, "households whose WeChat contact is not their first visit with wechat_added", `
			SELECT COUNT(*) FROM households h WHERE
			  h.wechat_contact != COALESCE((SELECT officer FROM visits v WHERE v.household = h.id AND v.wechat_added ORDER BY visited_at, id LIMIT 1), '')
			  OR h.wechat_added_at != COALESCE((SELECT visited_at FROM visits v WHERE v.household = h.id AND v.wechat_added ORDER BY visited_at, id LIMIT 1), '')`)
		count(t, "visits whose wechat_new is not 'first with wechat_added'", `
			SELECT COUNT(*) FROM visits v WHERE v.wechat_new != (v.id IS (SELECT id FROM visits f WHERE f.household = v.household AND f.wechat_added ORDER BY visited_at, id LIMIT 1))`)
		count(t, "visits with wechat_added that were not met", `SELECT COUNT(*) FROM visits WHERE wechat_added AND outcome != 'met'`)
	})

	t.Run("a visit's answer is its confirmation's", func(t *testing.T) {
		count(t, "visits whose answer differs from their confirmation", `
			SELECT COUNT(*) FROM visits v LEFT JOIN confirmations c ON c.visit = v.id WHERE
			  (c.id IS NULL AND (v.resident_answer != '' OR v.resident_rating != 0)) OR
			  (c.id IS NOT NULL AND (v.resident_answer != CASE WHEN c.denied THEN 'denied' ELSE 'confirmed' END
			                      OR v.resident_rating != CASE WHEN c.denied THEN 0 ELSE c.rating END))`)
		count(t, "confirmations of no visit", `SELECT COUNT(*) FROM confirmations c WHERE NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = c.visit)`)
		var denied int
		_ = db.NewQuery("SELECT COUNT(*) FROM confirmations WHERE denied").Row(&denied)
		if denied == 0 {
			t.Error("no resident denied a visit")
		}
	})

	t.Run("the coverage review's running figures add up to the visits", func(t *testing.T) {
		count(t, "visits not counted in visit_days", `SELECT (SELECT COUNT(*) FROM visits) - (SELECT COALESCE(SUM(visits), 0) FROM visit_days)`)
		count(t, "confirmations not counted in visit_days", `SELECT (SELECT COUNT(*) FROM visits WHERE resident_answer = 'confirmed') - (SELECT COALESCE(SUM(confirmed), 0) FROM visit_days)`)
	})

	t.Run("the phone index holds exactly every household's phones", func(t *testing.T) {
		count(t, "phones missing from the index", `
			SELECT COUNT(*) FROM (SELECT j.value, h.id FROM households h, json_each(h.phones) j
			                      EXCEPT SELECT phone, household FROM household_phones)`)
		count(t, "index rows of no household phone", `
			SELECT COUNT(*) FROM (SELECT phone, household FROM household_phones
			                      EXCEPT SELECT j.value, h.id FROM households h, json_each(h.phones) j)`)
		count(t, "phones shared by two households", `SELECT COUNT(*) FROM (SELECT phone FROM household_phones GROUP BY phone HAVING COUNT(*) > 1)`)
	})

	t.Run("sync stamps grow in insert order and follow the last save", func(t *testing.T) {
		for _, table := range []string{"households", "visits", "holiday_watches", "confirmations", "officers", "communities", "grids"} {
			count(t, table+" stamps not strictly increasing", `SELECT COUNT(*) FROM (SELECT updated, LAG(updated) OVER (ORDER BY rowid) AS prev FROM [`+table+`]) WHERE updated <= prev`)
			count(t, table+" updated before created", `SELECT COUNT(*) FROM [`+table+`] WHERE updated < created`)
		}
		count(t, "visits received before they happened or long after", `SELECT COUNT(*) FROM visits WHERE received_at <= visited_at OR julianday(received_at) - julianday(visited_at) > 1`)
		count(t, "visits stamped before they arrived", `SELECT COUNT(*) FROM visits WHERE updated < received_at`)
		count(t, "households stamped before their last visit", `SELECT COUNT(*) FROM households WHERE updated < last_visited_at`)
		count(t, "visits after now", `SELECT COUNT(*) FROM visits WHERE visited_at > '`+small.Now.UTC().Format("2006-01-02 15:04:05.000Z")+`'`)
	})

	t.Run("re-saving through the app's hooks changes nothing but the sync stamp", func(t *testing.T) {
		// The hooks derive a household again when a typed field changes
		// (a trailing space is trimmed back), settle a household from its
		// visits when a visit's fields change (an empty kind becomes
		// routine again), and write every field in PocketBase's own form.
		row := func(table, id string) string {
			t.Helper()
			m := dbx.NullStringMap{}
			if err := db.NewQuery("SELECT * FROM [" + table + "] WHERE id = {:id}").Bind(map[string]any{"id": id}).One(&m); err != nil {
				t.Fatalf("%s %s: %v", table, id, err)
			}
			delete(m, "updated")
			b, _ := json.Marshal(m)
			return string(b)
		}
		var hids []string
		_ = db.NewQuery("SELECT id FROM households ORDER BY id LIMIT 25").Column(&hids)
		for _, id := range hids {
			before := row("households", id)
			rec, err := env.App.FindRecordById("households", id)
			if err != nil {
				t.Fatal(err)
			}
			rec.Set("head_name", rec.GetString("head_name")+" ")
			if err := env.App.Save(rec); err != nil {
				t.Fatalf("save household %s: %v", id, err)
			}
			if after := row("households", id); after != before {
				t.Errorf("household changed by a re-save:\n got %s\nwant %s", after, before)
			}
		}
		var vids []string
		_ = db.NewQuery("SELECT id FROM visits WHERE kind = 'routine' AND (wechat_added OR outcome = 'met') ORDER BY id LIMIT 25").Column(&vids)
		for _, id := range vids {
			rec, err := env.App.FindRecordById("visits", id)
			if err != nil {
				t.Fatal(err)
			}
			hid := rec.GetString("household")
			before, hBefore := row("visits", id), row("households", hid)
			rec.Set("kind", "")
			if err := env.App.Save(rec); err != nil {
				t.Fatalf("save visit %s: %v", id, err)
			}
			if after := row("visits", id); after != before {
				t.Errorf("visit changed by a re-save:\n got %s\nwant %s", after, before)
			}
			if after := row("households", hid); after != hBefore {
				t.Errorf("household settled differently by the hooks:\n got %s\nwant %s", after, hBefore)
			}
		}
		for _, table := range []string{"officers", "confirmations", "holiday_watches", "communities", "grids"} {
			var ids []string
			_ = db.NewQuery("SELECT id FROM [" + table + "] ORDER BY id LIMIT 5").Column(&ids)
			for _, id := range ids {
				before := row(table, id)
				rec, err := env.App.FindRecordById(table, id)
				if err != nil {
					t.Fatal(err)
				}
				if err := env.App.Save(rec); err != nil {
					t.Fatalf("save %s %s: %v", table, id, err)
				}
				if after := row(table, id); after != before {
					t.Errorf("%s changed by a re-save:\n got %s\nwant %s", table, after, before)
				}
			}
		}
	})

	t.Run("the officers' password is a bcrypt hash of the demo's", func(t *testing.T) {
		var hash string
		_ = db.NewQuery("SELECT password FROM officers LIMIT 1").Row(&hash)
		if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(gen.Password)); err != nil {
			t.Fatalf("%s: %v", hash, err)
		}
		if cost, _ := bcrypt.Cost([]byte(hash)); cost != bcrypt.DefaultCost {
			t.Errorf("cost %d, want PocketBase's %d", cost, bcrypt.DefaultCost)
		}
	})

	signIn := func(t *testing.T, badge string) *apptest.Client {
		t.Helper()
		c := env.Anonymous()
		res, body := c.PostForm("/login", url.Values{"identity": {badge}, "password": {gen.Password}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in as %s: status %d\n%.300s", badge, res.StatusCode, body)
		}
		return c
	}

	t.Run("the deputy chief and an officer sign in with the demo's password", func(t *testing.T) {
		chief := signIn(t, gen.ChiefBadge)
		if res, _ := chief.Get("/board"); res.StatusCode != http.StatusOK {
			t.Errorf("board: status %d", res.StatusCode)
		}
		signIn(t, fmt.Sprint(gen.FirstBadge))
	})

	t.Run("an officer's pull of households holds their community, all of it", func(t *testing.T) {
		// A second community, so that there is something to keep out.
		twoDir, _ := generate(t, gen.Options{Households: 3400, Visits: 3400, Seed: 3, Now: small.Now})
		two := apptest.Open(t, twoDir)
		c := two.Anonymous()
		if res, _ := c.PostForm("/login", url.Values{"identity": {fmt.Sprint(gen.FirstBadge + 1)}, "password": {gen.Password}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %d", res.StatusCode)
		}
		var comms string
		_ = two.App.DB().NewQuery(fmt.Sprintf("SELECT communities FROM officers WHERE badge = '%d'", gen.FirstBadge+1)).Row(&comms)
		var mine []string
		_ = json.Unmarshal([]byte(comms), &mine)
		var want, all int
		_ = two.App.DB().NewQuery("SELECT COUNT(*) FROM households WHERE community = {:c}").Bind(map[string]any{"c": mine[0]}).Row(&want)
		_ = two.App.DB().NewQuery("SELECT COUNT(*) FROM households").Row(&all)
		if want == 0 || want == all {
			t.Fatalf("community of %d households in %d: nothing to tell apart", want, all)
		}
		got := 0
		cp := struct{ Updated, ID string }{}
		for {
			var page struct {
				Docs []struct {
					ID        string `json:"id"`
					Community string `json:"community"`
				} `json:"docs"`
				Checkpoint struct {
					Updated string `json:"updated"`
					ID      string `json:"id"`
				} `json:"checkpoint"`
				More bool `json:"more"`
			}
			res := c.GetJSON("/sync/pull?collection=households&limit=1000&updated="+url.QueryEscape(cp.Updated)+"&id="+cp.ID, &page)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("pull: status %d", res.StatusCode)
			}
			for _, d := range page.Docs {
				if d.Community != mine[0] {
					t.Fatalf("household %s of community %s reached an officer of %s", d.ID, d.Community, mine[0])
				}
			}
			got += len(page.Docs)
			cp.Updated, cp.ID = page.Checkpoint.Updated, page.Checkpoint.ID
			if !page.More {
				break
			}
		}
		if got != want {
			t.Errorf("pulled %d households, the community has %d", got, want)
		}
	})
}
