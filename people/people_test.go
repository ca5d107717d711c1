package people_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

func TestOfficerForms(t *testing.T) {
	env := apptest.New(t)
	chief := env.SignIn(env.Chief)
	good := url.Values{"badge": {"cd7788"}, "name": {"周永杰"}, "role": {"officer"}, "communities": {env.CommunityA}, "phone": {"139 0571 0000"}, "wechat": {"cq_zhou"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = append([]string(nil), vv...)
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		marker string
	}{
		{"a missing badge", with("badge", ""), "此项为必填"},
		{"a badge with other characters", with("badge", "A-1"), "警号应为"},
		{"a badge already taken, in any case", with("badge", env.OfficerA.GetString("badge")), "这个警号已被使用"},
		{"a missing name", with("name", ""), "此项为必填"},
		{"an unknown role", with("role", "chief"), "请从给出的选项中选择"},
		{"a phone that is no number", with("phone", "12"), "电话号码"},
		{"a community officer without a community", with("communities", ""), "至少要负责一个社区"},
	} {
		t.Run(tc.name+" is refused on its field, and nothing is saved", func(t *testing.T) {
			before := env.Count(t, "officers", "", nil)
			res, body := chief.PostForm("/officers", tc.form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.marker) {
				t.Fatalf("status %d, body lacks %q", res.StatusCode, tc.marker)
			}
			if n := env.Count(t, "officers", "", nil); n != before {
				t.Fatalf("%d officers, was %d", n, before)
			}
		})
	}

	var password string
	t.Run("a good form adds the officer with a password shown once, badge stored as sign-in looks it up", func(t *testing.T) {
		res, body := chief.PostForm("/officers", good)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		m := regexp.MustCompile(`class="password">([A-Za-z0-9]{12})<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no password on the page")
		}
		password = m[1]
		rec, err := env.App.FindFirstRecordByData("officers", "badge", "CD7788")
		if err != nil || rec.GetString("phone") != "+8657100000000" && rec.GetString("phone") == "" {
			t.Fatalf("stored %v %v", rec, err)
		}
		if !rec.ValidatePassword(password) {
			t.Fatal("the password shown is not the officer's")
		}
	})
	t.Run("the new officer signs in with it", func(t *testing.T) {
		res, _ := env.Anonymous().PostForm("/login", url.Values{"identity": {"cd7788"}, "password": {password}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("an officer may not open the people pages", func(t *testing.T) {
		if res, _ := env.SignIn(env.OfficerA).Get("/officers"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}

func TestDeactivationEndsEverything(t *testing.T) {
	env := apptest.New(t)
	chief := env.SignIn(env.Chief)
	a := env.SignIn(env.OfficerA)
	var book struct {
		Tokens []visits.Token `json:"tokens"`
	}
	a.PostJSON("/sync/tokens", map[string]any{"device": "phonea000000000", "held": []string{}}, &book)
	ws := apptest.DialLive(t, env, a)
	ws.Await(t, 2*time.Second, func(m map[string]any) bool { return m["type"] == "targets" })

	res, _ := chief.PostForm("/officers/"+env.OfficerA.Id+"/active", url.Values{"active": {"0"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.StatusCode)
	}
	t.Run("the live connection is closed", func(t *testing.T) {
		deadline := time.After(2 * time.Second)
		for {
			select {
			case _, open := <-ws.Msgs:
				if !open {
					return
				}
			case <-deadline:
				t.Fatal("the socket stayed open")
			}
		}
	})
	t.Run("the session no longer works", func(t *testing.T) {
		if res := a.GetJSON("/sync/me", nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("the unused QR tokens are revoked", func(t *testing.T) {
		if n := env.Count(t, "visit_tokens", "officer = {:o}", map[string]any{"o": env.OfficerA.Id}); n != 0 {
			t.Fatalf("%d tokens live", n)
		}
	})
	t.Run("and the officer cannot sign in", func(t *testing.T) {
		res, _ := env.Anonymous().PostForm("/login", url.Values{"identity": {env.OfficerA.GetString("badge")}, "password": {apptest.Password}})
		if res.StatusCode == http.StatusSeeOther {
			t.Fatal("signed in")
		}
	})
}

// handoverStation: officer A (community A) hands A to a successor C; A
// keeps nothing else; B is elsewhere.
type handoverStation struct {
	env         *apptest.Env
	successor   string
	inA         []*households.Household
	inB         *households.Household
	wechatByA   int
	activeWatch string
}

func newHandoverStation(t *testing.T) *handoverStation {
	t.Helper()
	env := apptest.New(t)
	c := env.NewOfficer("100009", "周永杰", "officer", env.CommunityB)
	hs := &handoverStation{env: env, successor: c.Id}
	ctx := context.Background()
	for i, b := range []string{"柳营巷1号", "柳营巷2号", "柳营巷3号"} {
		h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: b})
		hs.inA = append(hs.inA, h)
		if i < 2 {
			now := time.Now()
			if _, _, err := visits.NewStore(env.App).Save(ctx, apptest.Officer(env.OfficerA), visits.Input{Household: h.ID, VisitedAt: now, Outcome: "met", WeChatAdded: true}, now); err != nil {
				t.Fatal(err)
			}
			hs.wechatByA++
		}
	}
	hs.inB = env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区9幢"})
	now := time.Now()
	if _, _, err := visits.NewStore(env.App).Save(ctx, apptest.Officer(env.OfficerB), visits.Input{Household: hs.inB.ID, VisitedAt: now, Outcome: "met", WeChatAdded: true}, now); err != nil {
		t.Fatal(err)
	}
	a := env.SignIn(env.OfficerA)
	var ans struct {
		Results []struct{ Status string } `json:"results"`
	}
	a.PostJSON("/sync/push", map[string]any{"holiday_watches": []any{map[string]any{"id": "watcha000000000", "household": hs.inA[2].ID,
		"from": time.Now().Format(time.DateOnly), "to": time.Now().AddDate(0, 0, 5).Format(time.DateOnly), "contact_name": "李", "contact_phone": "13900001111"}}}, &ans)
	if ans.Results[0].Status != "created" {
		t.Fatalf("watch: %+v", ans)
	}
	hs.activeWatch = "watcha000000000"
	env.OfficerA.Set("wechat", "cq_li")
	if err := env.App.Save(env.OfficerA); err != nil {
		t.Fatal(err)
	}
	return hs
}

func TestHandoverMovesWhatThePreviewCounted(t *testing.T) {
	s := newHandoverStation(t)
	env := s.env
	chief := env.SignIn(env.Chief)
	form := url.Values{"from": {env.OfficerA.Id}, "to": {s.successor}, "communities": {env.CommunityA}, "move_wechat_id": {"1"}, "note": {"李卫东调任，辖区交周永杰"}}
	res, body := chief.PostForm("/handover", form)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d", res.StatusCode)
	}
	count := func(k string) string {
		m := regexp.MustCompile(`data-count="` + k + `">(\d+)<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the preview lacks %s", k)
		}
		return m[1]
	}
	t.Run("the preview counts households, WeChat contacts and open watches, and moves nothing", func(t *testing.T) {
		if count("households") != "3" || count("wechat_contacts") != "2" || count("open_watches") != "1" {
			t.Fatalf("counts %s %s %s", count("households"), count("wechat_contacts"), count("open_watches"))
		}
		if n := env.Count(t, "handovers", "", nil); n != 0 {
			t.Fatal("the preview wrote a handover")
		}
		rec, _ := env.App.FindRecordById("officers", env.OfficerA.Id)
		if len(rec.GetStringSlice("communities")) != 1 {
			t.Fatal("the preview moved the community")
		}
	})
	res, _ = chief.PostForm("/handover/confirm", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	t.Run("confirming moves exactly that", func(t *testing.T) {
		a, _ := env.App.FindRecordById("officers", env.OfficerA.Id)
		c, _ := env.App.FindRecordById("officers", s.successor)
		if len(a.GetStringSlice("communities")) != 0 || len(c.GetStringSlice("communities")) != 2 || c.GetString("wechat") != "cq_li" || a.GetString("wechat") != "" {
			t.Fatalf("A %v %q, C %v %q", a.GetStringSlice("communities"), a.GetString("wechat"), c.GetStringSlice("communities"), c.GetString("wechat"))
		}
		if n := env.Count(t, "households", "community = {:c} && wechat_contact = {:o}", map[string]any{"c": env.CommunityA, "o": s.successor}); n != s.wechatByA {
			t.Fatalf("%d WeChat contacts moved, want %d", n, s.wechatByA)
		}
		w, _ := env.App.FindRecordById("holiday_watches", s.activeWatch)
		if w.GetString("created_by") != s.successor {
			t.Fatal("the open watch did not move")
		}
		ho, err := env.App.FindFirstRecordByFilter("handovers", "from = {:f}", dbx.Params{"f": env.OfficerA.Id})
		if err != nil {
			t.Fatal(err)
		}
		var moved map[string]int
		_ = ho.UnmarshalJSONField("moved", &moved)
		if moved["wechat_contacts"] != 2 || moved["open_watches"] != 1 || moved["households"] != 3 {
			t.Fatalf("moved %v", moved)
		}
	})
	t.Run("and nothing else: B's household keeps its contact, A's visits stay A's", func(t *testing.T) {
		h, _ := env.App.FindRecordById("households", s.inB.ID)
		if h.GetString("wechat_contact") != env.OfficerB.Id {
			t.Fatal("another community's contact moved")
		}
		if n := env.Count(t, "visits", "officer = {:o}", map[string]any{"o": env.OfficerA.Id}); n != 2 {
			t.Fatalf("A has %d visits, want 2", n)
		}
	})
	t.Run("both officers' pages and the household's page show the handover", func(t *testing.T) {
		for _, id := range []string{env.OfficerA.Id, s.successor} {
			if _, body := chief.Get("/officers/" + id); !strings.Contains(body, "由 李卫东 交接给 周永杰") {
				t.Errorf("officer %s's page lacks it", id)
			}
		}
		if _, body := chief.Get("/households/" + s.inA[0].ID); !strings.Contains(body, "由 李卫东 交接给 周永杰") {
			t.Error("the household's page lacks it")
		}
	})
	t.Run("the predecessor can no longer read the area through any route or the API", func(t *testing.T) {
		a := env.SignIn(env.OfficerA)
		if res, _ := a.Get("/households/" + s.inA[0].ID); res.StatusCode != http.StatusNotFound {
			t.Errorf("household page: %d", res.StatusCode)
		}
		var pulled struct {
			Docs []map[string]any `json:"docs"`
		}
		a.GetJSON("/sync/pull?collection=households", &pulled)
		if len(pulled.Docs) != 0 {
			t.Errorf("pulled %d households", len(pulled.Docs))
		}
		a.GetJSON("/sync/pull?collection=holiday_watches", &pulled)
		if len(pulled.Docs) != 0 {
			t.Errorf("pulled %d watches", len(pulled.Docs))
		}
		var list struct {
			TotalItems int `json:"totalItems"`
		}
		env.Anonymous().WithToken(env.Token(env.OfficerA)).GetJSON("/api/collections/households/records", &list)
		if list.TotalItems != 0 {
			t.Errorf("REST lists %d households", list.TotalItems)
		}
		if res, _ := a.Get("/watches/" + s.activeWatch); res.StatusCode != http.StatusNotFound {
			t.Errorf("watch page: %d", res.StatusCode)
		}
	})
	t.Run("a handover is history: it cannot be edited or deleted", func(t *testing.T) {
		ho, _ := env.App.FindFirstRecordByFilter("handovers", "from = {:f}", dbx.Params{"f": env.OfficerA.Id})
		admin := env.Superuser()
		if res := admin.Send(http.MethodPatch, "/api/collections/handovers/records/"+ho.Id, map[string]any{"note": "x"}, nil); res.StatusCode == http.StatusOK {
			t.Error("edited")
		}
		if res := admin.Send(http.MethodDelete, "/api/collections/handovers/records/"+ho.Id, nil, nil); res.StatusCode == http.StatusNoContent {
			t.Error("deleted")
		}
	})
}

func TestHandoverIsAllOrNothing(t *testing.T) {
	s := newHandoverStation(t)
	env := s.env
	// A household whose stored row breaks the collection's own rules (as an
	// old import might have left it): saving it during the move fails.
	if _, err := env.App.DB().NewQuery("UPDATE households SET residents = 500 WHERE id = {:id}").Bind(dbx.Params{"id": s.inA[1].ID}).Execute(); err != nil {
		t.Fatal(err)
	}
	res, body := env.SignIn(env.Chief).PostForm("/handover/confirm", url.Values{"from": {env.OfficerA.Id}, "to": {s.successor}, "communities": {env.CommunityA}, "move_wechat_id": {"1"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "交接没有完成") {
		t.Fatalf("status %d", res.StatusCode)
	}
	t.Run("nothing moved", func(t *testing.T) {
		if n := env.Count(t, "handovers", "", nil); n != 0 {
			t.Fatal("a handover was recorded")
		}
		a, _ := env.App.FindRecordById("officers", env.OfficerA.Id)
		if len(a.GetStringSlice("communities")) != 1 || a.GetString("wechat") != "cq_li" {
			t.Fatal("the predecessor changed")
		}
		if n := env.Count(t, "households", "wechat_contact = {:o}", map[string]any{"o": env.OfficerA.Id}); n != s.wechatByA {
			t.Fatalf("%d contacts still A's, want %d: some moved before the failure and stayed moved", n, s.wechatByA)
		}
		w, _ := env.App.FindRecordById("holiday_watches", s.activeWatch)
		if w.GetString("created_by") != env.OfficerA.Id {
			t.Fatal("the watch moved")
		}
	})
}

func TestHandoverByRESTPerformsTheMove(t *testing.T) {
	s := newHandoverStation(t)
	env := s.env
	res := env.Superuser().PostJSON("/api/collections/handovers/records", map[string]any{"from": env.OfficerA.Id, "to": s.successor, "communities": []string{env.CommunityA}}, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	c, _ := env.App.FindRecordById("officers", s.successor)
	if len(c.GetStringSlice("communities")) != 2 {
		t.Fatal("the community did not move")
	}
	t.Run("a handover of a community the officer does not hold is refused", func(t *testing.T) {
		var e struct {
			Data map[string]struct{ Code string } `json:"data"`
		}
		res := env.Superuser().PostJSON("/api/collections/handovers/records", map[string]any{"from": env.OfficerB.Id, "to": s.successor, "communities": []string{env.CommunityA}}, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data["communities"].Code != "handover_not_theirs" {
			t.Fatalf("status %d %+v", res.StatusCode, e)
		}
	})
}

func TestVisitsAcrossAHandover(t *testing.T) {
	s := newHandoverStation(t)
	env := s.env
	a := env.SignIn(env.OfficerA)
	before := time.Now().UTC()
	res, _ := env.SignIn(env.Chief).PostForm("/handover/confirm", url.Values{"from": {env.OfficerA.Id}, "to": {s.successor}, "communities": {env.CommunityA}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("handover: %d", res.StatusCode)
	}
	push := func(id string, at time.Time) (status, message string) {
		var ans struct {
			Results []struct {
				Status  string         `json:"status"`
				Message string         `json:"message"`
				Errors  map[string]any `json:"errors"`
			} `json:"results"`
		}
		a.PostJSON("/sync/push", map[string]any{"visits": []any{map[string]any{"id": id, "household": s.inA[2].ID, "visited_at": at.Format(time.RFC3339Nano), "outcome": "met"}}}, &ans)
		return ans.Results[0].Status, ans.Results[0].Message
	}
	t.Run("a visit the predecessor recorded offline before the handover syncs as theirs", func(t *testing.T) {
		if st, msg := push("beforeho0000000", before.Add(-time.Minute)); st != "created" {
			t.Fatalf("%s %s", st, msg)
		}
		v, _ := env.App.FindRecordById("visits", "beforeho0000000")
		if v.GetString("officer") != env.OfficerA.Id {
			t.Fatal("not the predecessor's")
		}
	})
	t.Run("one recorded after it is refused, saying when and to whom", func(t *testing.T) {
		st, msg := push("afterho00000000", time.Now())
		if st != "invalid" || !strings.Contains(msg, "交接给周永杰") {
			t.Fatalf("%s %q", st, msg)
		}
	})
}

func TestDevicesAsTheLiveChannelSawThem(t *testing.T) {
	env := apptest.New(t)
	a := env.SignIn(env.OfficerA)
	ws := apptest.DialLive(t, env, a)
	if err := ws.Conn.WriteJSON(map[string]any{"type": "hello", "device": "phonea000000000", "app_version": "abc123def456", "pending": 3}); err != nil {
		t.Fatal(err)
	}
	chief := env.SignIn(env.Chief)
	deadline := time.Now().Add(3 * time.Second)
	for {
		_, body := chief.Get("/officers/" + env.OfficerA.Id)
		if strings.Contains(body, "phonea000000000") && strings.Contains(body, "abc123def456") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the officer's page does not list the device")
		}
		time.Sleep(20 * time.Millisecond) // polling the page until the hello is recorded
	}
	if _, body := chief.Get("/officers"); !strings.Contains(body, "1 台") {
		t.Fatal("the list does not count the device")
	}
}
