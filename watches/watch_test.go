package watches_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

var cst = station.DefaultSettings().Location()

func dayStr(d int) string { return time.Now().In(cst).AddDate(0, 0, d).Format(time.DateOnly) }

// id makes a valid client id from a short name.
func id(s string) string { return (s + "000000000000000")[:15] }

type pushAnswer struct {
	Results []struct {
		ID      string         `json:"id"`
		Status  string         `json:"status"`
		Message string         `json:"message"`
		Errors  map[string]any `json:"errors"`
		Doc     map[string]any `json:"doc"`
	} `json:"results"`
}

func watchItem(wid, household string, from, to int, interval int) map[string]any {
	return map[string]any{"id": wid, "household": household, "from": dayStr(from), "to": dayStr(to),
		"contact_name": "李小红", "contact_phone": "139 0000 1234", "key_holder": "对门王阿姨", "interval_days": interval}
}

func TestWatchRulesOnEveryWritePath(t *testing.T) {
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "柳营巷12号", HeadName: "李秀英"})
	a := env.SignIn(env.OfficerA)
	admin := env.Superuser()

	cases := []struct {
		name       string
		from, to   int
		interval   int
		phone      string
		field      string
		code       string
		formMarker string
	}{
		{"a 101-day watch is refused", 0, 101, 2, "139 0000 1234", "to", "watch_too_long", "照看期最长 60 天"},
		{"a watch ending in the past is refused", -5, -1, 2, "139 0000 1234", "to", "watch_in_past", "返回日期已过"},
		{"a return before departure is refused", 3, 2, 2, "139 0000 1234", "to", "watch_after_from", "返回日期应晚于出发日期"},
		{"a check every 8 days is refused", 0, 10, 8, "139 0000 1234", "interval_days", "range", "1 到 7"},
		{"a contact phone that is no number is refused", 0, 5, 2, "12", "contact_phone", station.PhoneInvalid, "电话号码"},
	}
	for i, tc := range cases {
		t.Run(tc.name+" by the office form", func(t *testing.T) {
			res, body := a.PostForm("/watches", url.Values{"household": {h.ID}, "from": {dayStr(tc.from)}, "to": {dayStr(tc.to)},
				"contact_name": {"李小红"}, "contact_phone": {tc.phone}, "interval_days": {strings.TrimSpace(strings.Repeat(" ", 0) + itoa(tc.interval))}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.formMarker) {
				t.Fatalf("status %d, body lacks %q", res.StatusCode, tc.formMarker)
			}
		})
		t.Run(tc.name+" in a push", func(t *testing.T) {
			item := watchItem(id("w"+itoa(i)), h.ID, tc.from, tc.to, tc.interval)
			item["contact_phone"] = tc.phone
			var ans pushAnswer
			a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{item}}, &ans)
			if len(ans.Results) != 1 || ans.Results[0].Status != "invalid" || ans.Results[0].Errors[tc.field] == nil {
				t.Fatalf("%+v", ans.Results)
			}
		})
		t.Run(tc.name+" through REST", func(t *testing.T) {
			var e struct {
				Data map[string]struct {
					Code string `json:"code"`
				} `json:"data"`
			}
			res := admin.PostJSON("/api/collections/holiday_watches/records", map[string]any{"household": h.ID,
				"from": dayStr(tc.from) + " 00:00:00.000Z", "to": dayStr(tc.to) + " 00:00:00.000Z", "contact_name": "李小红",
				"contact_phone": tc.phone, "interval_days": tc.interval, "status": "active"}, &e)
			if res.StatusCode != http.StatusBadRequest || e.Data[tc.field].Code != tc.code {
				t.Fatalf("status %d data %+v, want %s on %s", res.StatusCode, e.Data, tc.code, tc.field)
			}
		})
	}
	if n := env.Count(t, "holiday_watches", "", nil); n != 0 {
		t.Fatalf("%d watches were saved", n)
	}

	t.Run("a good watch pushed twice is saved once, its phone E.164, its schedule in the answer", func(t *testing.T) {
		item := watchItem(id("good"), h.ID, -1, 6, 2)
		for i, want := range []string{"created", "exists"} {
			var ans pushAnswer
			a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{item}}, &ans)
			if ans.Results[0].Status != want {
				t.Fatalf("push %d: %s %s %v", i, ans.Results[0].Status, ans.Results[0].Message, ans.Results[0].Errors)
			}
			due := ans.Results[0].Doc["due"].([]any)
			if len(due) != 4 || due[0] != dayStr(0) || due[3] != dayStr(6) {
				t.Fatalf("due %v", due)
			}
		}
		rec, _ := env.App.FindRecordById("holiday_watches", id("good"))
		if rec.GetString("contact_phone") != "+8613900001234" || rec.GetString("created_by") != env.OfficerA.Id || rec.GetString("summary_hash") == "" {
			t.Fatalf("phone %q by %q hash %q", rec.GetString("contact_phone"), rec.GetString("created_by"), rec.GetString("summary_hash"))
		}
	})
	t.Run("a second watch over the same days is refused", func(t *testing.T) {
		var ans pushAnswer
		a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{watchItem(id("twice"), h.ID, 2, 4, 2)}}, &ans)
		if ans.Results[0].Status != "invalid" || ans.Results[0].Errors["from"] == nil {
			t.Fatalf("%+v", ans.Results[0])
		}
	})
	t.Run("cancelling needs a reason, and then nothing is due", func(t *testing.T) {
		item := watchItem(id("good"), h.ID, -1, 6, 2)
		item["status"] = "cancelled"
		var ans pushAnswer
		a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{item}}, &ans)
		if ans.Results[0].Status != "invalid" || ans.Results[0].Errors["cancel_reason"] == nil {
			t.Fatalf("without a reason: %+v", ans.Results[0])
		}
		item["cancel_reason"] = "行程取消，居民已回家"
		a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{item}}, &ans)
		if ans.Results[0].Status != "updated" || len(ans.Results[0].Doc["due"].([]any)) != 0 {
			t.Fatalf("with a reason: %+v", ans.Results[0])
		}
	})
	t.Run("a cancelled watch cannot be edited, by REST either", func(t *testing.T) {
		res := admin.Send(http.MethodPatch, "/api/collections/holiday_watches/records/"+id("good"), map[string]any{"notes": "改"}, nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Replace(time.Duration(n).String(), "ns", "", 1))
}

func TestWatchScope(t *testing.T) {
	env := apptest.New(t)
	hA := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "柳营巷1号"})
	a, b := env.SignIn(env.OfficerA), env.SignIn(env.OfficerB)
	var ans pushAnswer
	a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{watchItem(id("wa"), hA.ID, 0, 5, 2)}}, &ans)
	if ans.Results[0].Status != "created" {
		t.Fatalf("%+v", ans.Results[0])
	}

	t.Run("an officer of another community cannot register one for the household", func(t *testing.T) {
		var ans pushAnswer
		b.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{watchItem(id("wb"), hA.ID, 6, 9, 2)}}, &ans)
		if ans.Results[0].Status != "invalid" || ans.Results[0].Errors["household"] == nil {
			t.Fatalf("%+v", ans.Results[0])
		}
		res, _ := b.PostForm("/watches", url.Values{"household": {hA.ID}, "from": {dayStr(6)}, "to": {dayStr(9)}, "contact_name": {"x"}, "contact_phone": {"13900001234"}, "interval_days": {"2"}})
		if res.StatusCode == http.StatusOK {
			t.Fatal("the form registered it")
		}
	})
	t.Run("nor see it: not on its page, not in the list, not in a pull", func(t *testing.T) {
		if res, _ := b.Get("/watches/" + id("wa")); res.StatusCode != http.StatusNotFound {
			t.Fatalf("page: %d", res.StatusCode)
		}
		if _, body := b.Get("/watches"); strings.Contains(body, id("wa")) || strings.Contains(body, "柳营巷1号") {
			t.Fatal("in B's list")
		}
		var pulled struct {
			Docs []map[string]any `json:"docs"`
		}
		b.GetJSON("/sync/pull?collection=holiday_watches", &pulled)
		if len(pulled.Docs) != 0 {
			t.Fatalf("B pulled %d watches", len(pulled.Docs))
		}
		var list struct {
			TotalItems int `json:"totalItems"`
		}
		env.Anonymous().WithToken(env.Token(env.OfficerB)).GetJSON("/api/collections/holiday_watches/records", &list)
		if list.TotalItems != 0 {
			t.Fatalf("B lists %d through REST", list.TotalItems)
		}
	})
	t.Run("its officer and the deputy chief do", func(t *testing.T) {
		for who, c := range map[string]*apptest.Client{"officer": a, "chief": env.SignIn(env.Chief)} {
			if _, body := c.Get("/watches"); !strings.Contains(body, "/watches/"+id("wa")) {
				t.Errorf("%s's list lacks it", who)
			}
		}
	})
}

func TestHolidayChecks(t *testing.T) {
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "贡院小区3幢", Unit: "1", Room: "301"})
	a := env.SignIn(env.OfficerA)
	var ans pushAnswer
	a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{watchItem(id("w"), h.ID, -1, 6, 2)}}, &ans)
	check := func(vid, result, notes string) map[string]any {
		return map[string]any{"id": vid, "household": h.ID, "visited_at": time.Now().UTC().Format(time.RFC3339), "kind": "holiday_check",
			"outcome": "not_home", "watch": id("w"), "check_result": result, "notes": notes}
	}

	t.Run("an abnormal check needs a note", func(t *testing.T) {
		var ans pushAnswer
		a.PostJSON("/sync/push", map[string]any{"visits": []any{check(id("c1"), "abnormal", "")}}, &ans)
		if ans.Results[0].Status != "invalid" || ans.Results[0].Errors["notes"] == nil {
			t.Fatalf("%+v", ans.Results[0])
		}
	})
	t.Run("a check without a result is refused", func(t *testing.T) {
		var ans pushAnswer
		a.PostJSON("/sync/push", map[string]any{"visits": []any{check(id("c2"), "", "")}}, &ans)
		if ans.Results[0].Status != "invalid" || ans.Results[0].Errors["check_result"] == nil {
			t.Fatalf("%+v", ans.Results[0])
		}
	})
	t.Run("a met holiday check counts neither for the homes target nor as the household's visit", func(t *testing.T) {
		c := check(id("c3"), "normal", "")
		c["outcome"] = "met"
		var ans pushAnswer
		a.PostJSON("/sync/push", map[string]any{"visits": []any{c}}, &ans)
		if ans.Results[0].Status != "created" {
			t.Fatalf("%+v", ans.Results[0])
		}
		tg, err := visits.NewStore(env.App).Targets(context.Background(), env.OfficerA.Id, station.DefaultSettings(), time.Now())
		if err != nil || tg.Homes != 0 {
			t.Fatalf("homes %d %v", tg.Homes, err)
		}
		rec, _ := env.App.FindRecordById("households", h.ID)
		if !rec.GetDateTime("last_visited_at").IsZero() {
			t.Fatal("the check became the household's last visit")
		}
	})
	t.Run("the watch's page lists the check and counts it", func(t *testing.T) {
		_, body := env.SignIn(env.Chief).Get("/watches/" + id("w"))
		if !strings.Contains(body, "正常") || !strings.Contains(body, "已查 1 次") {
			t.Fatalf("page lacks the check")
		}
	})
}

func TestAbnormalCheckAlertsTheBoard(t *testing.T) {
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街8号"})
	a := env.SignIn(env.OfficerA)
	var ans pushAnswer
	a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{watchItem(id("w"), h.ID, -1, 6, 2)}}, &ans)
	chief := env.SignIn(env.Chief)
	ws := apptest.DialLive(t, env, chief)

	sent := time.Now()
	a.PostJSON("/sync/push", map[string]any{"visits": []any{map[string]any{"id": id("abn"), "household": h.ID,
		"visited_at": time.Now().UTC().Format(time.RFC3339), "kind": "holiday_check", "outcome": "not_home", "watch": id("w"),
		"check_result": "abnormal", "notes": "门锁有撬痕，已联系家属"}}}, &ans)
	if ans.Results[0].Status != "created" {
		t.Fatalf("%+v", ans.Results[0])
	}
	var alert map[string]any
	ws.Await(t, time.Second, func(m map[string]any) bool {
		if m["type"] == "alert" {
			alert = m
			return true
		}
		return false
	})
	t.Run("the alert reaches the board within a second, as DESIGN §9 words it", func(t *testing.T) {
		if took := time.Since(sent); took > time.Second || alert["kind"] != "watch_abnormal" || alert["watch"] != id("w") || alert["visit"] != id("abn") || alert["household"] != h.ID {
			t.Fatalf("after %v: %v", took, alert)
		}
	})
	t.Run("the board shows a banner until it is acknowledged", func(t *testing.T) {
		_, body := chief.Get("/board")
		if !strings.Contains(body, "门锁有撬痕") || strings.Contains(body, `id="alerts" class="card alertbox" hidden`) {
			t.Fatal("no banner")
		}
		res, _ := chief.PostForm("/watches/alerts/"+alert["id"].(string)+"/ack", url.Values{})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("ack: %d", res.StatusCode)
		}
		if _, body := chief.Get("/board"); strings.Contains(body, "门锁有撬痕") {
			t.Fatal("the banner stayed after the acknowledgement")
		}
	})
	t.Run("an officer cannot acknowledge it", func(t *testing.T) {
		if res, _ := a.PostForm("/watches/alerts/"+alert["id"].(string)+"/ack", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}

func TestResidentSummary(t *testing.T) {
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "青春坊9幢", Unit: "2", Room: "502", HeadName: "赵新", Phones: []string{"13700137000"}})
	a := env.SignIn(env.OfficerA)
	res, body := a.PostForm("/watches", url.Values{"household": {h.ID}, "from": {dayStr(-1)}, "to": {dayStr(5)}, "contact_name": {"赵小新"},
		"contact_phone": {"13700137001"}, "key_holder": {"物业"}, "interval_days": {"2"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("register: %d", res.StatusCode)
	}
	m := regexp.MustCompile(`/w/([a-z0-9]{15})\.([0-9a-f]{32})`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the resident's link is not shown once on registration")
	}
	link, wid := m[0], m[1]
	var ans pushAnswer
	a.PostJSON("/sync/push", map[string]any{"visits": []any{map[string]any{"id": id("chk"), "household": h.ID,
		"visited_at": time.Now().UTC().Format(time.RFC3339), "kind": "holiday_check", "outcome": "not_home", "watch": wid, "check_result": "normal"}}}, &ans)
	resident := env.Anonymous()

	t.Run("the link shows each check's day, result and officer, with no script", func(t *testing.T) {
		res, body := resident.Get(link)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "正常") || !strings.Contains(body, "李卫东") || strings.Contains(body, "<script") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("and nothing else about the household", func(t *testing.T) {
		_, body := resident.Get(link)
		for _, secret := range []string{"青春坊", "赵新", "赵小新", "1370013", "物业", "502"} {
			if strings.Contains(body, secret) {
				t.Errorf("the page shows %q", secret)
			}
		}
	})
	t.Run("a forged secret and an unknown watch get the same 404", func(t *testing.T) {
		r1, b1 := resident.Get("/w/" + wid + "." + strings.Repeat("0", 32))
		r2, b2 := resident.Get("/w/" + id("nosuch") + "." + strings.Repeat("0", 32))
		r3, _ := resident.Get("/w/garbage")
		if r1.StatusCode != http.StatusNotFound || r2.StatusCode != http.StatusNotFound || r3.StatusCode != http.StatusNotFound || b1 != b2 {
			t.Fatalf("statuses %d %d %d, same body %v", r1.StatusCode, r2.StatusCode, r3.StatusCode, b1 == b2)
		}
	})
	t.Run("the link is shown once: the watch's page does not show it again", func(t *testing.T) {
		if _, body := env.SignIn(env.Chief).Get("/watches/" + wid); strings.Contains(body, link) {
			t.Fatal("the secret is shown again")
		}
	})
	t.Run("a new link replaces the old one", func(t *testing.T) {
		res, body := a.PostForm("/watches/"+wid+"/link", url.Values{})
		m2 := regexp.MustCompile(`/w/[a-z0-9]{15}\.[0-9a-f]{32}`).FindString(body)
		if res.StatusCode != http.StatusOK || m2 == "" || m2 == link {
			t.Fatalf("status %d new %q", res.StatusCode, m2)
		}
		if res, _ := resident.Get(link); res.StatusCode != http.StatusNotFound {
			t.Fatalf("the old link still answers %d", res.StatusCode)
		}
		if res, _ := resident.Get(m2); res.StatusCode != http.StatusOK {
			t.Fatalf("the new link answers %d", res.StatusCode)
		}
	})
}

func TestCloseWatches(t *testing.T) {
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街5号"})
	a := env.SignIn(env.OfficerA)
	var ans pushAnswer
	a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{watchItem(id("w"), h.ID, -1, 3, 2)}}, &ans)
	a.PostJSON("/sync/push", map[string]any{"visits": []any{map[string]any{"id": id("chk"), "household": h.ID,
		"visited_at": time.Now().UTC().Format(time.RFC3339), "kind": "holiday_check", "outcome": "not_home", "watch": id("w"), "check_result": "normal"}}}, &ans)
	// Time passes: the window lies in the past (set directly: no write path
	// may register a watch that ended already).
	past := func(t *testing.T, sql string) {
		t.Helper()
		if _, err := env.App.DB().NewQuery(sql).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	past(t, `UPDATE holiday_watches SET "from" = '`+station.DBTime(time.Now().AddDate(0, 0, -10))+`', "to" = '`+station.DBTime(time.Now().AddDate(0, 0, -4))+`'`)

	t.Run("a watch past its window ends and keeps its contacts for 30 days", func(t *testing.T) {
		ended, purged, err := watches.CloseWatches(env.App, time.Now())
		if err != nil || ended != 1 || purged != 0 {
			t.Fatalf("ended %d purged %d %v", ended, purged, err)
		}
		rec, _ := env.App.FindRecordById("holiday_watches", id("w"))
		if rec.GetString("status") != "ended" || rec.GetString("contact_phone") == "" || rec.GetDateTime("ended_at").IsZero() {
			t.Fatalf("status %q phone %q", rec.GetString("status"), rec.GetString("contact_phone"))
		}
	})
	t.Run("30 days after it ended, who to call and who has the key are erased; the checks stay", func(t *testing.T) {
		past(t, `UPDATE holiday_watches SET ended_at = '`+station.DBTime(time.Now().AddDate(0, 0, -31))+`'`)
		ended, purged, err := watches.CloseWatches(env.App, time.Now())
		if err != nil || ended != 0 || purged != 1 {
			t.Fatalf("ended %d purged %d %v", ended, purged, err)
		}
		rec, _ := env.App.FindRecordById("holiday_watches", id("w"))
		if rec.GetString("contact_name") != "" || rec.GetString("contact_phone") != "" || rec.GetString("key_holder") != "" || rec.GetString("summary_hash") != "" || rec.GetDateTime("purged_at").IsZero() {
			t.Fatalf("not erased: %q %q %q", rec.GetString("contact_name"), rec.GetString("contact_phone"), rec.GetString("key_holder"))
		}
		if n := env.Count(t, "visits", "watch = {:w}", map[string]any{"w": id("w")}); n != 1 {
			t.Fatalf("%d checks left", n)
		}
	})
	t.Run("running it again changes nothing", func(t *testing.T) {
		ended, purged, err := watches.CloseWatches(env.App, time.Now())
		if err != nil || ended+purged != 0 {
			t.Fatalf("ended %d purged %d %v", ended, purged, err)
		}
	})
}

func TestResidentSummaryIsRateLimited(t *testing.T) {
	env := apptest.New(t)
	var last int
	for i := 0; i < 31; i++ {
		res, _ := env.Anonymous().Get("/w/" + id("nosuch") + "." + strings.Repeat("0", 32))
		last = res.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("the 31st request in a minute answered %d, want 429", last)
	}
}
