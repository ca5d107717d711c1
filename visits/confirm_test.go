package visits_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

type tokensAnswer struct {
	Tokens []visits.Token `json:"tokens"`
}

func TestResidentConfirmation(t *testing.T) {
	env := apptest.New(t)
	a := env.SignIn(env.OfficerA)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "柳营巷12号", HeadName: "李秀英", Phones: []string{"138 0013 8000"}})

	var book tokensAnswer
	a.PostJSON("/sync/tokens", map[string]any{"device": id("phonea"), "held": []string{}}, &book)
	if len(book.Tokens) != 30 {
		t.Fatalf("%d tokens, want a full book of 30", len(book.Tokens))
	}
	tk := book.Tokens[0]
	if !strings.HasSuffix(tk.URL, "/c/"+tk.VisitID+"."+tk.Secret) || !strings.HasPrefix(tk.QRSVG, "<svg") {
		t.Fatalf("token %+v", tk)
	}
	path := strings.TrimPrefix(tk.URL, env.URL)
	resident := env.Anonymous()

	t.Run("a device that holds its book is given nothing more however often it asks", func(t *testing.T) {
		held := make([]string, len(book.Tokens))
		for i, tk := range book.Tokens {
			held[i] = tk.VisitID
		}
		for i := 0; i < 3; i++ {
			var more tokensAnswer
			a.PostJSON("/sync/tokens", map[string]any{"device": id("phonea"), "held": held, "usable": 30}, &more)
			if len(more.Tokens) != 0 {
				t.Fatalf("ask %d: %d more tokens", i, len(more.Tokens))
			}
		}
		if n := env.Count(t, "visit_tokens", "officer = {:o}", map[string]any{"o": env.OfficerA.Id}); n != 30 {
			t.Fatalf("%d tokens issued, want 30", n)
		}
	})
	t.Run("the secret is stored only as a hash", func(t *testing.T) {
		rec, err := env.App.FindRecordById("visit_tokens", tk.VisitID)
		if err != nil || rec.GetString("secret_hash") == tk.Secret || rec.GetString("secret_hash") != visits.HashSecret(tk.Secret) {
			t.Fatalf("stored %q", rec.GetString("secret_hash"))
		}
	})
	t.Run("a resident can open the page before the visit has synced", func(t *testing.T) {
		res, body := resident.Get(path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "李卫东") || !strings.Contains(body, "100001") || strings.Contains(body, "<script") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	// The officer's phone syncs the visit recorded with this token.
	now := time.Now()
	push(t, a, map[string]any{"visits": []any{visit(tk.VisitID, h.ID, now)}})

	t.Run("an answer without the main question is refused and nothing is stored", func(t *testing.T) {
		res, body := resident.PostForm(path, url.Values{"rating": {"5"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择一项") {
			t.Fatalf("status %d", res.StatusCode)
		}
		if n := env.Count(t, "confirmations", "", nil); n != 0 {
			t.Fatalf("%d confirmations", n)
		}
	})
	t.Run("a confirmation with the phone's last four digits is stored once", func(t *testing.T) {
		res, _ := resident.PostForm(path, url.Values{"visited": {"yes"}, "last4": {"8000"}, "rating": {"4"}, "comment": {"民警很耐心"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		res, body := resident.Get(path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "已确认") {
			t.Fatalf("after: status %d", res.StatusCode)
		}
		resident.PostForm(path, url.Values{"visited": {"no"}})
		recs, _ := env.App.FindRecordsByFilter("confirmations", "", "", 0, 0)
		if len(recs) != 1 || recs[0].GetString("phone_check") != "matched" || recs[0].GetInt("rating") != 4 || recs[0].GetBool("denied") || recs[0].GetString("client_hash") == "" {
			t.Fatalf("confirmations %v", recs)
		}
	})
	t.Run("the visit book shows the confirmation", func(t *testing.T) {
		_, body := a.Get("/visits/book")
		if !strings.Contains(body, "已确认 ★★★★") {
			t.Fatal("book lacks the confirmation")
		}
	})
	t.Run("a forged secret is refused plainly", func(t *testing.T) {
		res, body := resident.Get("/c/" + tk.VisitID + "." + strings.Repeat("0", 32))
		if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "二维码无效") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("an expired token says so", func(t *testing.T) {
		other := book.Tokens[1]
		rec, _ := env.App.FindRecordById("visit_tokens", other.VisitID)
		rec.Set("expires_at", now.Add(-time.Hour))
		if err := env.App.Save(rec); err != nil {
			t.Fatal(err)
		}
		res, body := resident.Get(strings.TrimPrefix(other.URL, env.URL))
		if res.StatusCode != http.StatusGone || !strings.Contains(body, "已过期") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("the page is rate-limited per client", func(t *testing.T) {
		var last int
		for i := 0; i < 31; i++ {
			res, _ := env.Anonymous().Get(path)
			last = res.StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("31st request: %d", last)
		}
	})
}
