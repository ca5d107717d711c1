package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

type listAnswer struct {
	TotalItems int `json:"totalItems"`
	Items      []struct {
		ID        string `json:"id"`
		Community string `json:"community"`
		Officer   string `json:"officer"`
	} `json:"items"`
}

// TestAPIRules checks what each kind of client gets back from PocketBase's
// REST API: a list rule that does not match answers 200 with nothing, so the
// items are what is checked.
func TestAPIRules(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	hA := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街1号", HeadName: "甲", Phones: []string{"13800000001"}})
	hB := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区3幢", Unit: "1", Room: "301", HeadName: "乙"})
	now := time.Now()
	store := visits.NewStore(env.App)
	vA, _, err := store.Save(ctx, apptest.Officer(env.OfficerA), visits.Input{Household: hA.ID, VisitedAt: now, Outcome: visits.OutcomeMet}, now)
	if err != nil {
		t.Fatal(err)
	}
	vB, _, err := store.Save(ctx, apptest.Officer(env.OfficerB), visits.Input{Household: hB.ID, VisitedAt: now, Outcome: visits.OutcomeMet}, now)
	if err != nil {
		t.Fatal(err)
	}

	list := func(t *testing.T, c *apptest.Client, collection string) listAnswer {
		t.Helper()
		var ans listAnswer
		res := c.GetJSON("/api/collections/"+collection+"/records?perPage=100", &ans)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("list %s: status %d", collection, res.StatusCode)
		}
		return ans
	}
	ids := func(a listAnswer) map[string]bool {
		m := map[string]bool{}
		for _, it := range a.Items {
			m[it.ID] = true
		}
		return m
	}

	t.Run("the users collection does not exist and cannot be signed up to", func(t *testing.T) {
		if _, err := env.App.FindCollectionByNameOrId("users"); err == nil {
			t.Fatal("users collection exists")
		}
		res := env.Anonymous().PostJSON("/api/collections/users/records", map[string]any{"email": "x@y.z", "password": "12345678", "passwordConfirm": "12345678"}, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("sign-up answered %d, want 404", res.StatusCode)
		}
	})

	t.Run("an anonymous client gets no households and no visits", func(t *testing.T) {
		anon := env.Anonymous()
		for _, coll := range []string{"households", "visits", "officers", "holiday_watches", "confirmations", "settings"} {
			if got := list(t, anon, coll); got.TotalItems != 0 || len(got.Items) != 0 {
				t.Errorf("%s: anonymous got %d items", coll, got.TotalItems)
			}
		}
		if res, _ := anon.Get("/api/collections/households/records/" + hA.ID); res.StatusCode != http.StatusNotFound {
			t.Errorf("view by id answered %d, want 404", res.StatusCode)
		}
	})

	t.Run("a client signed up to another auth collection gets nothing", func(t *testing.T) {
		// Someone adds a public sign-up collection in the admin UI; the
		// rules name officers, so its tokens still see nothing.
		others := core.NewAuthCollection("residents")
		others.CreateRule = types.Pointer("")
		others.Fields.Add(&core.TextField{Name: "role"}, &core.BoolField{Name: "active"}, &core.RelationField{Name: "communities", CollectionId: mustCollection(t, env, "communities").Id, MaxSelect: 9})
		if err := env.App.Save(others); err != nil {
			t.Fatal(err)
		}
		anon := env.Anonymous()
		res := anon.PostJSON("/api/collections/residents/records", map[string]any{
			"email": "someone@example.com", "password": "12345678", "passwordConfirm": "12345678",
			"role": "deputy_chief", "active": true, "communities": []string{env.CommunityA},
		}, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("sign-up to residents: %d", res.StatusCode)
		}
		var auth struct{ Token string }
		anon.PostJSON("/api/collections/residents/auth-with-password", map[string]any{"identity": "someone@example.com", "password": "12345678"}, &auth)
		if auth.Token == "" {
			t.Fatal("no token")
		}
		c := anon.WithToken(auth.Token)
		for _, coll := range []string{"households", "visits", "officers", "communities"} {
			if got := list(t, c, coll); got.TotalItems != 0 {
				t.Errorf("%s: a foreign token got %d items", coll, got.TotalItems)
			}
		}
	})

	t.Run("an officer sees only their communities' households and visits", func(t *testing.T) {
		c := env.Anonymous().WithToken(env.Token(env.OfficerA))
		got := ids(list(t, c, "households"))
		if !got[hA.ID] || got[hB.ID] {
			t.Errorf("officer A households = %v, want only %s", got, hA.ID)
		}
		gotV := ids(list(t, c, "visits"))
		if !gotV[vA.ID] || gotV[vB.ID] {
			t.Errorf("officer A visits = %v, want only %s", gotV, vA.ID)
		}
		if res, _ := c.Get("/api/collections/households/records/" + hB.ID); res.StatusCode != http.StatusNotFound {
			t.Errorf("officer A viewing B's household: %d, want 404", res.StatusCode)
		}
		offs := list(t, c, "officers")
		if offs.TotalItems != 1 || offs.Items[0].ID != env.OfficerA.Id {
			t.Errorf("officer A sees %d officer records, want only their own", offs.TotalItems)
		}
	})

	t.Run("a deputy chief sees every household and visit", func(t *testing.T) {
		c := env.Anonymous().WithToken(env.Token(env.Chief))
		got := ids(list(t, c, "households"))
		if !got[hA.ID] || !got[hB.ID] {
			t.Errorf("chief households = %v", got)
		}
		gotV := ids(list(t, c, "visits"))
		if !gotV[vA.ID] || !gotV[vB.ID] {
			t.Errorf("chief visits = %v", gotV)
		}
	})

	t.Run("no one but a superuser creates an officer", func(t *testing.T) {
		body := map[string]any{"badge": "666666", "name": "冒充", "role": "deputy_chief", "active": true, "password": "12345678", "passwordConfirm": "12345678"}
		clients := map[string]*apptest.Client{
			"anonymous":    env.Anonymous(),
			"officer":      env.Anonymous().WithToken(env.Token(env.OfficerA)),
			"deputy chief": env.Anonymous().WithToken(env.Token(env.Chief)),
		}
		for who, c := range clients {
			res := c.PostJSON("/api/collections/officers/records", body, nil)
			if res.StatusCode == http.StatusOK {
				t.Errorf("%s created an officer", who)
			}
		}
		if _, err := env.App.FindFirstRecordByData("officers", "badge", "666666"); err == nil {
			t.Fatal("an officer record was created")
		}
		su := core.NewRecord(mustCollection(t, env, core.CollectionNameSuperusers))
		su.SetEmail("root@test.example")
		su.SetPassword("root-password-1")
		if err := env.App.Save(su); err != nil {
			t.Fatal(err)
		}
		res := env.Anonymous().WithToken(env.Token(su)).PostJSON("/api/collections/officers/records", body, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("superuser create: %d", res.StatusCode)
		}
	})

	t.Run("officers cannot write households, visits or their own role through the REST API", func(t *testing.T) {
		c := env.Anonymous().WithToken(env.Token(env.OfficerA))
		res := c.PostJSON("/api/collections/households/records", map[string]any{"community": env.CommunityA, "address": "x", "address_key": "k"}, nil)
		if res.StatusCode == http.StatusOK {
			t.Error("REST household create succeeded")
		}
		res = c.PostJSON("/api/collections/visits/records", map[string]any{"household": hA.ID, "officer": env.OfficerA.Id, "kind": "routine", "outcome": "met"}, nil)
		if res.StatusCode == http.StatusOK {
			t.Error("REST visit create succeeded")
		}
		req, _ := http.NewRequest(http.MethodPatch, env.URL+"/api/collections/officers/records/"+env.OfficerA.Id, strings.NewReader(`{"role":"deputy_chief"}`))
		req.Header.Set("Content-Type", "application/json")
		if res, _ := c.Do(req); res.StatusCode == http.StatusOK {
			t.Error("an officer promoted themselves")
		}
		rec, _ := env.App.FindRecordById("officers", env.OfficerA.Id)
		if rec.GetString("role") != "officer" {
			t.Fatalf("role is now %q", rec.GetString("role"))
		}
	})

	t.Run("the QR token book is never readable through the API", func(t *testing.T) {
		tok := core.NewRecord(mustCollection(t, env, "visit_tokens"))
		tok.Set("officer", env.OfficerA.Id)
		tok.Set("secret_hash", strings.Repeat("a", 64))
		tok.Set("issued_at", time.Now())
		tok.Set("expires_at", time.Now().Add(time.Hour))
		if err := env.App.Save(tok); err != nil {
			t.Fatal(err)
		}
		res, body := env.Anonymous().WithToken(env.Token(env.Chief)).Get("/api/collections/visit_tokens/records")
		if res.StatusCode == http.StatusOK && strings.Contains(body, tok.Id) {
			t.Fatal("the chief read the token book")
		}
	})
}

func mustCollection(t *testing.T, env *apptest.Env, name string) *core.Collection {
	t.Helper()
	c, err := env.App.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
