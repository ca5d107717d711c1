package app_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/replica"
	"zoufang/watches"
)

// TestPhoneRebuildsThePull holds the phone's decoding of the compact pull
// form (cols.js) to the full form: every document the phone stores is the
// server's full document, its derived fields included, whether the
// phone's narrow rules derived them or the page carried them.
func TestPhoneRebuildsThePull(t *testing.T) {
	env := apptest.New(t)
	for _, in := range []households.Input{
		{Community: env.CommunityA, Grid: env.GridA1, Building: "柳营巷12号", HeadName: "李秀英", Phones: []string{"138 0013 8000", "0571-8765 4321"}, Tags: []string{"独居老人"}, Residents: 2},
		{Community: env.CommunityA, Grid: env.GridA2, Building: "贡院小区三幢", Unit: "二", Room: "0301", HeadName: "John SMITH", Phones: []string{"+44 20 7946 0958"}},
		{Community: env.CommunityA, Building: "ＡＢＣ大厦 7", Unit: "1-2", Room: "301室", HeadName: "Émile", Phones: []string{"010-65123456"}, Notes: "第一行\n第二行 <b>&</b>"},
		{Community: env.CommunityA, Building: "青春坊", Address: "青春坊（东门）", Phones: []string{"13912345678"}},
		{Community: env.CommunityA, Building: "十二号楼", Unit: "一百零五", Room: "B"},
		{Community: env.CommunityA, Building: "吴牙街8号", Unit: "1", Room: "101", HeadName: "张国强", Phones: []string{"139 0000 1234"}},
	} {
		env.Household(env.OfficerA, in)
	}
	a := env.SignIn(env.OfficerA)
	var hs struct {
		Docs []map[string]any `json:"docs"`
	}
	a.GetJSON("/sync/pull?collection=households", &hs)
	now := time.Now().UTC()
	var pushed struct {
		Results []struct{ Status string } `json:"results"`
	}
	a.PostJSON("/sync/push", map[string]any{
		"visits": []any{
			map[string]any{"id": "pullvisit000001", "household": hs.Docs[0]["id"], "visited_at": now.Add(-time.Hour).Format(time.RFC3339Nano), "kind": "routine", "outcome": "met", "wechat_added": true},
			map[string]any{"id": "pullvisit000002", "household": hs.Docs[1]["id"], "visited_at": now.Add(-1500 * time.Millisecond).Format(time.RFC3339), "kind": "routine", "outcome": "not_home", "concerns": []string{"诈骗风险"}, "notes": "已提醒"},
		},
		watches.Collection: []any{map[string]any{"id": "pullwatch000001", "household": hs.Docs[2]["id"], "from": now.Format("2006-01-02"), "to": now.AddDate(0, 0, 5).Format("2006-01-02"), "contact_name": "李四", "contact_phone": "13800001111", "interval_days": 2, "status": "active"}},
	}, &pushed)
	for i, r := range pushed.Results {
		if r.Status != "created" {
			t.Fatalf("pushed item %d: %s", i, r.Status)
		}
	}

	ctx := apptest.Timeout(t, apptest.Browser(t), 90*time.Second)
	apptest.Logs(t, ctx)
	env.SignInField(t, ctx, env.OfficerA)
	for _, c := range []string{"households", "visits", watches.Collection} {
		t.Run("the phone stores the full form of every "+c+" document", func(t *testing.T) {
			var full struct {
				Docs []map[string]any `json:"docs"`
			}
			a.GetJSON("/sync/pull?"+url.Values{"collection": {c}, "limit": {"1000"}}.Encode(), &full)
			if len(full.Docs) == 0 {
				t.Fatalf("no %s to compare", c)
			}
			var stored string
			apptest.WaitJS(t, ctx, 10*time.Second, "the replica to hold every "+c,
				`import("/assets/js/db.js").then(async (db) => (await db.count("`+c+`")) === `+jsonNumber(len(full.Docs))+`)`)
			if err := apptest.Eval(ctx, `import("/assets/js/db.js").then(async (db) => JSON.stringify(await db.getAll("`+c+`")))`, &stored); err != nil {
				t.Fatal(err)
			}
			var got []map[string]any
			if err := json.Unmarshal([]byte(stored), &got); err != nil {
				t.Fatal(err)
			}
			byID := map[string]map[string]any{}
			for _, d := range got {
				byID[d["id"].(string)] = d
			}
			for _, want := range full.Docs {
				for _, k := range replica.Unsent(c) {
					delete(want, k)
				}
				g := byID[want["id"].(string)]
				if g == nil {
					t.Errorf("%s %s is not on the phone", c, want["id"])
					continue
				}
				for k, w := range want {
					if !reflect.DeepEqual(g[k], w) {
						t.Errorf("%s %s: the phone has %s = %#v, want %#v", c, want["id"], k, g[k], w)
					}
				}
				for k := range g {
					if _, ok := want[k]; !ok && !slices.Contains(replica.Unsent(c), k) {
						t.Errorf("%s %s: the phone has %s, which the full form does not", c, want["id"], k)
					}
				}
			}
		})
	}
}

func jsonNumber(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
