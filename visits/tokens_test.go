package visits_test

import (
	"net/http"
	"net/url"
	"sync"
	"testing"

	"zoufang/app/apptest"
	"zoufang/visits"
)

// refill asks for the device's book as the field app does.
func refill(t *testing.T, c *apptest.Client, device string, held []string) []visits.Token {
	t.Helper()
	var ans tokensAnswer
	if res := c.PostJSON("/sync/tokens", map[string]any{"device": device, "held": held, "usable": len(held)}, &ans); res.StatusCode != http.StatusOK {
		t.Fatalf("refill: status %d", res.StatusCode)
	}
	return ans.Tokens
}

func ids(toks []visits.Token) []string {
	out := make([]string, len(toks))
	for i, tk := range toks {
		out[i] = tk.VisitID
	}
	return out
}

func TestTokenBookPerDevice(t *testing.T) {
	env := apptest.New(t)
	unused := func(t *testing.T, filter string, params map[string]any) int {
		t.Helper()
		params["o"] = env.OfficerA.Id
		return env.Count(t, "visit_tokens", "officer = {:o} && id != '' "+filter, params)
	}
	phone := id("phonea")

	t.Run("three sign-out and sign-in cycles still leave a full book", func(t *testing.T) {
		for i := range 3 {
			a := env.SignIn(env.OfficerA)
			if got := refill(t, a, phone, nil); len(got) != 30 {
				t.Fatalf("cycle %d: %d tokens, want 30", i, len(got))
			}
			if res, _ := a.PostForm("/logout", url.Values{"device": {phone}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", res.StatusCode)
			}
			if n := unused(t, "", map[string]any{}); n != 0 {
				t.Fatalf("cycle %d: %d tokens left after sign-out, want them revoked", i, n)
			}
		}
		a := env.SignIn(env.OfficerA)
		if got := refill(t, a, phone, nil); len(got) != 30 {
			t.Fatalf("after three cycles: %d tokens", len(got))
		}
	})
	t.Run("a lost answer is healed: tokens the device never received are revoked and replaced", func(t *testing.T) {
		a := env.SignIn(env.OfficerA)
		again := refill(t, a, id("phoneb"), nil) // the answer "was lost": the device holds nothing
		fresh := refill(t, a, id("phoneb"), nil)
		if len(fresh) != 30 {
			t.Fatalf("%d tokens, want a whole book", len(fresh))
		}
		if n := unused(t, "&& device = {:d}", map[string]any{"d": id("phoneb")}); n != 30 {
			t.Fatalf("%d live tokens for the device, want 30", n)
		}
		if _, err := env.App.FindRecordById("visit_tokens", again[0].VisitID); err == nil {
			t.Fatal("a token the device never received is still live")
		}
	})
	t.Run("two refills racing from one device leave one book", func(t *testing.T) {
		a := env.SignIn(env.OfficerA)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				refill(t, a, id("phonec"), nil)
			}()
		}
		wg.Wait()
		if n := unused(t, "&& device = {:d}", map[string]any{"d": id("phonec")}); n != 30 {
			t.Fatalf("%d live tokens for the device, want one book of 30", n)
		}
	})
	t.Run("a device holding its book gets nothing, and a partly used one is topped up", func(t *testing.T) {
		a := env.SignIn(env.OfficerA)
		book := refill(t, a, id("phoned"), nil)
		if got := refill(t, a, id("phoned"), ids(book)); len(got) != 0 {
			t.Fatalf("%d more tokens for a full book", len(got))
		}
		var used tokensAnswer
		a.PostJSON("/sync/tokens", map[string]any{"device": id("phoned"), "held": ids(book), "usable": 25}, &used)
		if len(used.Tokens) != 5 {
			t.Fatalf("%d tokens for a device that used 5, want 5", len(used.Tokens))
		}
	})
	t.Run("signing out everywhere revokes every device's unused tokens", func(t *testing.T) {
		a := env.SignIn(env.OfficerA)
		if res, _ := a.PostForm("/logout", url.Values{"everywhere": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", res.StatusCode)
		}
		if n := unused(t, "", map[string]any{}); n != 0 {
			t.Fatalf("%d tokens live after signing out everywhere", n)
		}
	})
	t.Run("a device id of the wrong shape is refused", func(t *testing.T) {
		a := env.SignIn(env.OfficerA)
		if res := a.PostJSON("/sync/tokens", map[string]any{"device": "../x", "held": []string{}}, nil); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}
