package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
)

// TestControlCharactersAreStrippedAtTheEdge: text that reaches the server
// with control characters or bidirectional overrides is stored without
// them, whichever way it came: the field push, the resident's form, a
// superuser's REST write. Line breaks stay where a field is multi-line.
func TestControlCharactersAreStrippedAtTheEdge(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := env.SignIn(env.OfficerA)
	admin := env.Superuser()
	const rlo, lri, pdi = "\u202e", "\u2066", "\u2069"

	t.Run("a pushed household and visit lose controls and overrides, notes keep their lines", func(t *testing.T) {
		hid, vid := "cleanhouse00001", "cleanvisit00001"
		var ans struct {
			Results []struct{ ID, Status string }
		}
		res := a.PostJSON("/sync/push", map[string]any{
			"households": []any{map[string]any{"id": hid, "op": "create", "community": env.CommunityA,
				"building": "吴牙街" + rlo + "9号", "head_name": "张\x00三" + lri + "exe." + pdi, "notes": "一楼\r\n二楼\x1b[31m\t红"}},
			"visits": []any{map[string]any{"id": vid, "household": hid, "visited_at": time.Now().UTC().Format(time.RFC3339),
				"outcome": "met", "notes": "门口\u0085有\u202a箱子\r第二行"}},
		}, &ans)
		if res.StatusCode != http.StatusOK || len(ans.Results) != 2 || ans.Results[0].Status != "created" || ans.Results[1].Status != "created" {
			t.Fatalf("push: %d %+v", res.StatusCode, ans.Results)
		}
		h, err := env.App.FindRecordById("households", hid)
		if err != nil {
			t.Fatal(err)
		}
		for field, want := range map[string]string{"building": "吴牙街9号", "head_name": "张三exe.", "notes": "一楼\n二楼[31m\t红", "address": "吴牙街9号"} {
			if got := h.GetString(field); got != want {
				t.Errorf("household %s = %q, want %q", field, got, want)
			}
		}
		v, err := env.App.FindRecordById("visits", vid)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := v.GetString("notes"), "门口有箱子\n第二行"; got != want {
			t.Errorf("visit notes = %q, want %q", got, want)
		}
	})

	t.Run("a resident's comment loses them too", func(t *testing.T) {
		var book struct {
			Tokens []struct {
				VisitID string `json:"visit_id"`
				URL     string `json:"url"`
			} `json:"tokens"`
		}
		a.PostJSON("/sync/tokens", map[string]any{"device": "cleandevice0001", "held": []string{}}, &book)
		if len(book.Tokens) == 0 {
			t.Fatal("no token")
		}
		path := book.Tokens[0].URL[strings.Index(book.Tokens[0].URL, "/c/"):]
		res, _ := env.Anonymous().PostForm(path, url.Values{"visited": {"yes"}, "comment": {"很好" + rlo + "\x07\r\n谢谢"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d", res.StatusCode)
		}
		c, err := env.App.FindFirstRecordByData("confirmations", "visit", book.Tokens[0].VisitID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.GetString("comment"), "很好\n谢谢"; got != want {
			t.Errorf("comment = %q, want %q", got, want)
		}
	})

	t.Run("a superuser's REST write is cleaned by the record hook", func(t *testing.T) {
		var made apiRecord
		res := admin.PostJSON("/api/collections/households/records", map[string]any{
			"community": env.CommunityA, "building": "庆春路" + rlo + "1号", "head_name": "李\u009b四", "notes": "a\x00b\nc",
		}, &made)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("REST create: %d", res.StatusCode)
		}
		h, err := env.App.FindRecordById("households", made.ID)
		if err != nil {
			t.Fatal(err)
		}
		if h.GetString("building") != "庆春路1号" || h.GetString("head_name") != "李四" || h.GetString("notes") != "ab\nc" {
			t.Fatalf("stored %q %q %q", h.GetString("building"), h.GetString("head_name"), h.GetString("notes"))
		}
		res = admin.Send(http.MethodPatch, "/api/collections/officers/records/"+env.OfficerB.Id, map[string]any{"name": "陈" + rlo + "晓峰\n"}, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("REST officer patch: %d", res.StatusCode)
		}
		o, _ := env.App.FindRecordById("officers", env.OfficerB.Id)
		if got := strings.TrimSpace(o.GetString("name")); got != "陈晓峰" {
			t.Fatalf("officer name = %q", got)
		}
	})
}
