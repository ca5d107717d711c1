package app_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
	"zoufang/visits"
)

// apiError is PocketBase's REST error body.
type apiError struct {
	Status int `json:"status"`
	Data   map[string]struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"data"`
}

type apiRecord struct {
	ID string `json:"id"`
}

// derived is what the server derives of a household, whoever wrote it.
func derived(t *testing.T, env *apptest.Env, id string) (key string, phones []string, search, address string) {
	t.Helper()
	rec, err := env.App.FindRecordById("households", id)
	if err != nil {
		t.Fatalf("household %s: %v", id, err)
	}
	_ = rec.UnmarshalJSONField("phones", &phones)
	return rec.GetString("address_key"), phones, rec.GetString("search"), rec.GetString("address")
}

// TestEveryWritePathKeepsTheRegistrysRules: a household written by a
// superuser through the REST API (which is what the admin UI at /_/ calls)
// from the address parts and phones as a person types them is the same
// record the office form makes, and duplicates are refused with field
// errors there too.
func TestEveryWritePathKeepsTheRegistrysRules(t *testing.T) {
	env := apptest.New(t)
	chief := env.SignIn(env.Chief)
	admin := env.Superuser()
	ctx := context.Background()

	form := url.Values{"community": {env.CommunityA}, "grid": {env.GridA1}, "building": {"贡院小区三幢"}, "unit": {"一"}, "room": {"301室"},
		"head_name": {"王建华"}, "phones": {"0571-8765 4321 / 138 0013 8000"}}
	res, _ := chief.PostForm("/households", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("form create: %d", res.StatusCode)
	}
	byForm := strings.TrimSuffix(strings.TrimPrefix(res.Header.Get("Location"), "/households/"), "?done=saved")
	fKey, fPhones, fSearch, fAddress := derived(t, env, byForm)
	// Free the door and phones again, so the REST write is not a duplicate.
	if _, err := households.NewStore(env.App).SetArchived(ctx, apptest.Officer(env.Chief), byForm, true); err != nil {
		t.Fatal(err)
	}

	var made apiRecord
	res = admin.PostJSON("/api/collections/households/records", map[string]any{
		"community": env.CommunityA, "grid": env.GridA1, "building": "贡院小区三幢", "unit": "一", "room": "301室",
		"head_name": "王建华", "phones": "0571-8765 4321 / 138 0013 8000",
	}, &made)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("REST create: %d", res.StatusCode)
	}

	t.Run("the REST household equals the form's: key, E.164 phones, address and search text", func(t *testing.T) {
		key, phones, search, address := derived(t, env, made.ID)
		if key != fKey || !slices.Equal(phones, fPhones) || search != fSearch || address != fAddress {
			t.Fatalf("REST %q %v %q %q\nform %q %v %q %q", key, phones, search, address, fKey, fPhones, fSearch, fAddress)
		}
		if !slices.Equal(phones, []string{"+8657187654321", "+8613800138000"}) {
			t.Fatalf("phones %v", phones)
		}
	})
	t.Run("the REST household is found by the registry search", func(t *testing.T) {
		got, err := households.NewStore(env.App).Search(ctx, apptest.Officer(env.Chief), households.Query{Text: "8765 4321", Limit: 10, Now: time.Now()})
		if err != nil || got.Total != 1 || got.Items[0].ID != made.ID {
			t.Fatalf("search %+v %v", got, err)
		}
	})
	refused := func(t *testing.T, body map[string]any, field, code string) {
		t.Helper()
		var e apiError
		res := admin.PostJSON("/api/collections/households/records", body, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data[field].Code != code {
			t.Fatalf("status %d, data %+v, want %s on %s", res.StatusCode, e.Data, code, field)
		}
		if !strings.ContainsAny(e.Data[field].Message, "门牌电话号码") {
			t.Fatalf("message %q is not the Chinese one", e.Data[field].Message)
		}
	}
	t.Run("the same door written differently is refused on the building field", func(t *testing.T) {
		refused(t, map[string]any{"community": env.CommunityA, "building": "贡院小区3幢", "unit": "1", "room": "301"}, "building", "duplicate_address_of")
	})
	t.Run("a phone registered already is refused on the phones field", func(t *testing.T) {
		refused(t, map[string]any{"community": env.CommunityA, "building": "吴牙街2号", "phones": []any{13800138000}}, "phones", "duplicate_phone_of")
	})
	t.Run("a number that is no phone is refused with the phone rule's code", func(t *testing.T) {
		refused(t, map[string]any{"community": env.CommunityA, "building": "吴牙街3号", "phones": "12345"}, "phones", station.PhoneInvalid)
	})
	t.Run("an edit through REST keeps the phone index: the old number is free, the new one taken", func(t *testing.T) {
		res := admin.Send(http.MethodPatch, "/api/collections/households/records/"+made.ID, map[string]any{"phones": "139 0000 1234"}, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("patch: %d", res.StatusCode)
		}
		if _, phones, _, _ := derived(t, env, made.ID); !slices.Equal(phones, []string{"+8613900001234"}) {
			t.Fatalf("phones %v", phones)
		}
		if _, err := households.NewStore(env.App).Create(ctx, apptest.Officer(env.Chief), households.Input{Community: env.CommunityA, Building: "吴牙街4号", Phones: []string{"13800138000"}}); err != nil {
			t.Fatalf("the freed number was refused: %v", err)
		}
		_, err := households.NewStore(env.App).Create(ctx, apptest.Officer(env.Chief), households.Input{Community: env.CommunityA, Building: "吴牙街5号", Phones: []string{"13900001234"}})
		if households.DuplicateOf(err) == nil {
			t.Fatalf("the new number was not taken: %v", err)
		}
	})
}

// TestRESTVisitSettlesItsHousehold: a visit a superuser writes through
// /api/ (or /_/) settles its household in the same transaction, as a
// pushed one does, and keeps the visit's own rules.
func TestRESTVisitSettlesItsHousehold(t *testing.T) {
	env := apptest.New(t)
	admin := env.Superuser()
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "柳营巷12号"})
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)

	var v apiRecord
	res := admin.PostJSON("/api/collections/visits/records", map[string]any{
		"household": h.ID, "officer": env.OfficerA.Id, "visited_at": at.Format(time.RFC3339Nano), "kind": "routine", "outcome": "met", "wechat_added": true,
	}, &v)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("REST visit: %d", res.StatusCode)
	}
	t.Run("the household's last visit and WeChat contact are the visit's", func(t *testing.T) {
		rec, _ := env.App.FindRecordById("households", h.ID)
		if !rec.GetDateTime("last_visited_at").Time().Equal(at) || rec.GetString("last_visited_by") != env.OfficerA.Id || rec.GetString("wechat_contact") != env.OfficerA.Id {
			t.Fatalf("household last %v by %q, wechat %q", rec.GetDateTime("last_visited_at"), rec.GetString("last_visited_by"), rec.GetString("wechat_contact"))
		}
		vr, _ := env.App.FindRecordById("visits", v.ID)
		if !vr.GetBool("wechat_new") || vr.GetDateTime("received_at").IsZero() {
			t.Fatalf("visit wechat_new %v received %v", vr.GetBool("wechat_new"), vr.GetDateTime("received_at"))
		}
	})
	t.Run("the visit's rules hold: WeChat needs a meeting", func(t *testing.T) {
		var e apiError
		res := admin.PostJSON("/api/collections/visits/records", map[string]any{
			"household": h.ID, "officer": env.OfficerA.Id, "visited_at": at.Format(time.RFC3339Nano), "kind": "routine", "outcome": "not_home", "wechat_added": true,
		}, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data["wechat_added"].Code != "wechat_needs_met" {
			t.Fatalf("status %d data %+v", res.StatusCode, e.Data)
		}
	})
	t.Run("deleting the visit unsettles the household", func(t *testing.T) {
		if res := admin.Send(http.MethodDelete, "/api/collections/visits/records/"+v.ID, nil, nil); res.StatusCode != http.StatusNoContent {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		rec, _ := env.App.FindRecordById("households", h.ID)
		if !rec.GetDateTime("last_visited_at").IsZero() || rec.GetString("wechat_contact") != "" {
			t.Fatalf("household still says last %v, wechat %q", rec.GetDateTime("last_visited_at"), rec.GetString("wechat_contact"))
		}
	})
	t.Run("no visit to an archived household", func(t *testing.T) {
		if _, err := households.NewStore(env.App).SetArchived(context.Background(), apptest.Officer(env.Chief), h.ID, true); err != nil {
			t.Fatal(err)
		}
		var e apiError
		res := admin.PostJSON("/api/collections/visits/records", map[string]any{
			"household": h.ID, "officer": env.OfficerA.Id, "visited_at": at.Format(time.RFC3339Nano), "kind": "routine", "outcome": "met",
		}, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data["household"].Code != "household_archived" {
			t.Fatalf("status %d data %+v", res.StatusCode, e.Data)
		}
	})
}

// TestOfficerRecordsKeepTheirRules: a badge typed with lower-case letters
// in the admin UI is stored as sign-in looks it up, and signs in; phones
// are E.164; a community officer needs a community.
func TestOfficerRecordsKeepTheirRules(t *testing.T) {
	env := apptest.New(t)
	admin := env.Superuser()
	body := func(badge string) map[string]any {
		return map[string]any{"badge": badge, "name": "周永杰", "role": "officer", "communities": []string{env.CommunityA}, "active": true,
			"phone": "138 0013 8000", "password": apptest.Password, "passwordConfirm": apptest.Password}
	}
	var made apiRecord
	if res := admin.PostJSON("/api/collections/officers/records", body(" ab1234 "), &made); res.StatusCode != http.StatusOK {
		t.Fatalf("create: %d", res.StatusCode)
	}
	rec, _ := env.App.FindRecordById("officers", made.ID)

	t.Run("the badge is stored upper-case and the phone in E.164", func(t *testing.T) {
		if rec.GetString("badge") != "AB1234" || rec.GetString("phone") != "+8613800138000" {
			t.Fatalf("badge %q phone %q", rec.GetString("badge"), rec.GetString("phone"))
		}
	})
	for _, typed := range []string{"ab1234", "AB1234", "Ab1234"} {
		t.Run("signing in as "+typed+" works", func(t *testing.T) {
			res, _ := env.Anonymous().PostForm("/login", url.Values{"identity": {typed}, "password": {apptest.Password}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
				t.Fatalf("status %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
		})
	}
	refused := func(t *testing.T, b map[string]any, field, code string) {
		t.Helper()
		var e apiError
		res := admin.PostJSON("/api/collections/officers/records", b, &e)
		if res.StatusCode != http.StatusBadRequest || e.Data[field].Code != code {
			t.Fatalf("status %d data %+v, want %s on %s", res.StatusCode, e.Data, code, field)
		}
	}
	t.Run("the same badge in another case is taken", func(t *testing.T) {
		refused(t, body("AB1234"), "badge", "badge_taken")
	})
	t.Run("a phone that is no number is refused", func(t *testing.T) {
		b := body("CD5678")
		b["phone"] = "12"
		refused(t, b, "phone", station.PhoneInvalid)
	})
	t.Run("a community officer without a community is refused", func(t *testing.T) {
		b := body("EF9012")
		b["communities"] = []string{}
		refused(t, b, "communities", "no_community")
	})
}

// TestWatchContactPhones: a watch's contact phone is E.164 whoever writes it.
func TestWatchContactPhones(t *testing.T) {
	env := apptest.New(t)
	admin := env.Superuser()
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "柳营巷3号"})
	var w apiRecord
	res := admin.PostJSON("/api/collections/holiday_watches/records", map[string]any{
		"household": h.ID, "from": time.Now().Format(time.RFC3339), "to": time.Now().AddDate(0, 0, 5).Format(time.RFC3339),
		"contact_name": "李小红", "contact_phone": "0571 8765 4321", "interval_days": 2, "status": "active",
	}, &w)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("create: %d", res.StatusCode)
	}
	rec, _ := env.App.FindRecordById("holiday_watches", w.ID)
	if rec.GetString("contact_phone") != "+8657187654321" {
		t.Fatalf("contact phone %q", rec.GetString("contact_phone"))
	}
}

// TestCoverageOnAStationWithoutConfirmations: zeros, not a 500.
func TestCoverageOnAStationWithoutConfirmations(t *testing.T) {
	env := apptest.New(t)
	chief := env.SignIn(env.Chief)
	t.Run("an empty station", func(t *testing.T) {
		if res, body := chief.Get("/coverage"); res.StatusCode != http.StatusOK || !strings.Contains(body, "覆盖") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("visits but no confirmation", func(t *testing.T) {
		h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "柳营巷9号"})
		now := time.Now()
		if _, _, err := visits.NewStore(env.App).Save(context.Background(), apptest.Officer(env.OfficerA), visits.Input{Household: h.ID, VisitedAt: now, Outcome: visits.OutcomeMet}, now); err != nil {
			t.Fatal(err)
		}
		if res, _ := chief.Get("/coverage"); res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}

// mustRecord loads a record or fails.
func mustRecord(t *testing.T, env *apptest.Env, collection, id string) *core.Record {
	t.Helper()
	rec, err := env.App.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("%s %s: %v", collection, id, err)
	}
	return rec
}
