package replica_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/gen"
	"zoufang/households"
	"zoufang/replica"
	"zoufang/station"
)

// decodeCols is pwa/static/js/cols.js's decodePage written in Go: what the
// phone rebuilds from a compact page.
func decodeCols(t *testing.T, collection string, n int, cols []replica.Column) []map[string]json.RawMessage {
	t.Helper()
	docs := make([]map[string]json.RawMessage, n)
	for i := range docs {
		docs[i] = map[string]json.RawMessage{}
	}
	ms := map[string][]int64{}
	var derived []replica.Column
	for _, c := range cols {
		if c.Derive {
			derived = append(derived, c)
			continue
		}
		vals := make([]json.RawMessage, n)
		switch {
		case c.IDs != "":
			for i := range vals {
				vals[i], _ = json.Marshal(c.IDs[15*i : 15*i+15])
			}
		case c.S != nil:
			for i, tok := range strings.Split(*c.S, ",") {
				switch {
				case c.Phones:
					vals[i], _ = json.Marshal(tok)
				case tok == "":
					vals[i] = json.RawMessage("null")
				default:
					x, err := strconv.ParseInt(tok, 36, 64)
					if err != nil {
						t.Fatalf("%s: %q is no base-36 number", c.F, tok)
					}
					vals[i] = json.RawMessage(strconv.FormatInt(x, 10))
				}
			}
		case c.Dict != nil:
			for i, x := range c.V {
				k, _ := strconv.Atoi(string(x))
				vals[i] = c.Dict[k]
			}
		default:
			copy(vals, c.V)
		}
		if c.Time != "" {
			ms[c.F] = make([]int64, n)
		}
		var prev int64
		for i, v := range vals {
			if c.Time != "" {
				ms[c.F][i] = -1
				if x, err := strconv.ParseInt(string(v), 10, 64); err == nil {
					switch {
					case c.Seq:
						prev += x
						x = prev
					case c.Rel != "":
						x = ms[c.Rel][i] - x
					}
					ms[c.F][i] = x
					v, _ = json.Marshal(replica.FormatMillis(x, c.Time))
				}
			}
			if c.Phones && len(v) > 0 && v[0] == '"' {
				var s string
				_ = json.Unmarshal(v, &s)
				ps := []string{}
				if s != "" {
					for _, p := range strings.Split(s, " ") {
						if !strings.HasPrefix(p, "+") {
							p = "+86" + p
						}
						ps = append(ps, p)
					}
				}
				v, _ = json.Marshal(ps)
			}
			if string(v) != "null" {
				docs[i][c.F] = v
			}
		}
	}
	for _, c := range derived {
		for i := range docs {
			v, sent := c.X[strconv.Itoa(i)]
			if sent && !(c.F == "search" && v[0] == '[') {
				docs[i][c.F] = v
				continue
			}
			var ok bool
			if sent {
				v, ok = replica.DerivedSearch(docs[i], v)
			} else {
				v, ok = replica.Derived(collection, c.F, docs[i])
			}
			if !ok {
				t.Fatalf("%s %d: %s is neither sent nor derivable", collection, i, c.F)
			}
			docs[i][c.F] = v
		}
	}
	return docs
}

// asMaps is documents as their JSON objects.
func asMaps(t *testing.T, docs []json.RawMessage) []map[string]json.RawMessage {
	t.Helper()
	out := make([]map[string]json.RawMessage, len(docs))
	for i, d := range docs {
		if err := json.Unmarshal(d, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sameDocs compares documents field by field, as JSON values.
func sameDocs(t *testing.T, what string, got, want []map[string]json.RawMessage) {
	t.Helper()
	for _, d := range want {
		for _, k := range replica.Unsent(what) {
			delete(d, k)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d documents rebuilt, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range want {
		for k, w := range want[i] {
			if g, ok := got[i][k]; !ok || !sameJSON(g, w) {
				if bad++; bad <= 10 {
					t.Errorf("%s %d: %s = %s, want %s", what, i, k, g, w)
				}
			}
		}
		for k, g := range got[i] {
			if _, ok := want[i][k]; !ok {
				if bad++; bad <= 10 {
					t.Errorf("%s %d: %s = %s, which the full form does not have", what, i, k, g)
				}
			}
		}
	}
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

type fullPage struct {
	Docs       []json.RawMessage  `json:"docs"`
	Checkpoint replica.Checkpoint `json:"checkpoint"`
	More       bool               `json:"more"`
	Scope      string             `json:"scope"`
}

// pulled is one collection's first full pull in both forms.
type pulled struct {
	full, cols       []map[string]json.RawMessage
	fullGz, colsGz   int
	fullCP, colsCP   replica.Checkpoint
	fullRaw, colsRaw int
}

// pullBoth pulls collection from the start in both forms, limit a page, as
// an empty device does, and counts the gzipped bytes of each.
func pullBoth(t *testing.T, c *apptest.Client, collection string, limit int) pulled {
	t.Helper()
	var p pulled
	for _, form := range []string{"", replica.FormCols} {
		cp := replica.Checkpoint{}
		for {
			q := url.Values{"collection": {collection}, "updated": {cp.Updated}, "id": {cp.ID}, "limit": {strconv.Itoa(limit)}}
			if form != "" {
				q.Set("form", form)
			}
			req, _ := http.NewRequest(http.MethodGet, c.Base+"/sync/pull?"+q.Encode(), nil)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Accept-Encoding", "gzip")
			res, body := c.Do(req)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("pull %s form=%q: status %d: %s", collection, form, res.StatusCode, body)
			}
			plain := []byte(body)
			if res.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				plain, _ = io.ReadAll(zr)
			} else {
				body = string(gzipped(plain))
			}
			more := false
			if form == "" {
				var page fullPage
				if err := json.Unmarshal(plain, &page); err != nil {
					t.Fatal(err)
				}
				p.full = append(p.full, asMaps(t, page.Docs)...)
				p.fullGz += len(body)
				p.fullRaw += len(plain)
				cp, more, p.fullCP = page.Checkpoint, page.More, page.Checkpoint
			} else {
				var page replica.ColsAnswer
				if err := json.Unmarshal(plain, &page); err != nil {
					t.Fatal(err)
				}
				p.cols = append(p.cols, decodeCols(t, collection, page.N, page.Cols)...)
				p.colsGz += len(body)
				p.colsRaw += len(plain)
				cp, more, p.colsCP = page.Checkpoint, page.More, page.Checkpoint
			}
			if !more {
				break
			}
		}
	}
	return p
}

// gzipped is b as the server's middleware would send it (a body under its
// 1 KiB minimum goes plain; counted gzipped all the same).
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func TestCompactPull(t *testing.T) {
	env := apptest.New(t)
	at := time.Date(2026, 11, 3, 2, 4, 5, 0, time.UTC)
	odd := []households.Input{
		{Community: env.CommunityA, Grid: env.GridA1, Building: "吴牙街12号", HeadName: "王建国", Phones: []string{"13800138000", "0571-87654321"}, Tags: []string{"出租房"}, Residents: 3},
		{Community: env.CommunityA, Building: "贡院小区三幢", Unit: "二", Room: "0301", HeadName: "John SMITH", Phones: []string{"+44 20 7946 0958"}},
		{Community: env.CommunityA, Building: "ＡＢＣ大厦 7", Unit: "1-2", Room: "301室", HeadName: "Émile", Phones: []string{"010-65123456"}, Notes: "第一行\n第二行 <b>&</b>"},
		{Community: env.CommunityA, Building: "青春坊", Address: "青春坊（东门）", Phones: []string{"13912345678"}},
		{Community: env.CommunityA, Building: "十二号楼", Unit: "一百零五", Room: "B", Phones: []string{}},
	}
	for _, in := range odd {
		env.Household(env.OfficerA, in)
	}
	a := env.SignIn(env.OfficerA)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "柳营巷3幢", Unit: "1", Room: "101"})
	push(t, a, map[string]any{"visits": []any{
		visit(id("v1"), h.ID, at),
		map[string]any{"id": id("v2"), "household": h.ID, "visited_at": at.Add(1500 * time.Millisecond).Format(time.RFC3339Nano), "kind": "routine",
			"outcome": "met", "wechat_added": true, "concerns": []string{"诈骗风险"}, "notes": "已提醒"},
	}})

	for _, c := range replica.Collections() {
		t.Run("the phone rebuilds every "+c+" document of the full form", func(t *testing.T) {
			p := pullBoth(t, a, c, 3)
			sameDocs(t, c, p.cols, p.full)
			if p.colsCP != p.fullCP {
				t.Errorf("checkpoint %+v, full form %+v", p.colsCP, p.fullCP)
			}
		})
	}
	t.Run("an unknown form is refused", func(t *testing.T) {
		res, _ := a.Get("/sync/pull?collection=households&form=xml")
		if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want a refusal", res.StatusCode)
		}
	})
}

// TestFirstPullBytes pulls a generated district's 5,000-household area
// (random names and phones, two years of visits) as an empty phone does,
// and holds the compact form of its households under 250 KB gzipped.
func TestFirstPullBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a district")
	}
	dir := t.TempDir()
	{
		app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
		if err := app.Bootstrap(); err != nil {
			t.Fatal(err)
		}
		if err := app.RunAllMigrations(); err != nil {
			t.Fatal(err)
		}
		// Three communities of about 1,700 households: one officer's area
		// of about 5,000.
		if _, err := gen.District(context.Background(), app, gen.Options{Households: 5100, Seed: 1, Now: time.Now()}); err != nil {
			t.Fatal(err)
		}
		_ = app.ResetBootstrapState()
	}
	env := apptest.Open(t, dir)
	comms, err := env.App.FindAllRecords("communities")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range comms {
		ids = append(ids, c.Id)
	}
	slices.Sort(ids)
	area := env.NewOfficer("339000", "测量用民警", station.RoleOfficer, ids...)
	c := env.SignIn(area)

	var fullGz, colsGz, docs int
	for _, coll := range replica.Collections() {
		p := pullBoth(t, c, coll, replica.MaxColsLimit)
		sameDocs(t, coll, p.cols, p.full)
		t.Logf("%-16s %5d docs: full %7d B gzipped (%8d B plain), compact %7d B gzipped (%8d B plain)", coll, len(p.full), p.fullGz, p.fullRaw, p.colsGz, p.colsRaw)
		fullGz, colsGz, docs = fullGz+p.fullGz, colsGz+p.colsGz, docs+len(p.full)
		if coll == "households" {
			if len(p.full) < 5000 {
				t.Fatalf("the area holds %d households, want about 5,000", len(p.full))
			}
			if p.colsGz >= 250_000 {
				t.Errorf("the households' first pull is %d B gzipped, want under 250 KB", p.colsGz)
			}
		}
	}
	t.Logf("every collection: %d docs, full %d B, compact %d B gzipped", docs, fullGz, colsGz)
}

func TestSplitObject(t *testing.T) {
	docs := []any{
		map[string]any{},
		map[string]any{"a": "x,y:z", "b": []any{"p,q", map[string]any{"c": "}]"}}, "d": 3, "e": nil, "f": true},
		map[string]any{`k"ey`: `va\"l\ue`, "notes": "第一行\n第二行 <b>&</b> \"引号\" \\", "due": []string{"2026-12-01", "2026-12-03"}},
		households.Household{ID: "abcdefghijklmno", HeadName: `王"建,国:`, Phones: []string{"+8613800138000"}, Tags: []string{}},
	}
	for _, d := range docs {
		b, _ := json.Marshal(d)
		got, err := replica.SplitObject(b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		var want map[string]json.RawMessage
		_ = json.Unmarshal(b, &want)
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s: split into %q, want %q", b, got, want)
		}
	}
}
