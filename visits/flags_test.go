package visits_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

// TestFraudFlags builds each flag of DESIGN §7 from a constructed case next
// to a near miss that must not raise it, and checks the visits listed
// behind every flag, in the store and on the chief's page.
func TestFraudFlags(t *testing.T) {
	env := apptest.New(t)
	// The test server stands behind a "proxy" so that each resident can
	// come from their own address.
	env.App.Settings().TrustedProxy.Headers = []string{"X-Forwarded-For"}
	ctx := context.Background()
	a := env.SignIn(env.OfficerA)

	// Officer A's own session comes from 10.9.9.9 today.
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/", nil)
	req.Header.Set("X-Forwarded-For", "10.9.9.9")
	if res, _ := a.Do(req); res.StatusCode != http.StatusOK {
		t.Fatalf("/: %d", res.StatusCode)
	}

	const n = 12
	var hh []*households.Household
	for i := range n {
		hh = append(hh, env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街" + strconv.Itoa(i+1) + "号",
			Phones: []string{"1380013" + strconv.Itoa(8100+i)}}))
	}
	var toks []visits.Token
	for len(toks) < n {
		var book tokensAnswer
		a.PostJSON("/sync/tokens", map[string]any{"device": id("flagphone"), "held": ids(toks)}, &book)
		if len(book.Tokens) == 0 {
			t.Fatal("no more tokens")
		}
		toks = append(toks, book.Tokens...)
	}
	now := time.Now()
	// Every visit but the last reaches the server.
	var pushed []any
	for i := range n - 1 {
		pushed = append(pushed, visit(toks[i].VisitID, hh[i].ID, now.Add(-time.Duration(n-i)*time.Minute)))
	}
	for _, r := range push(t, a, map[string]any{"visits": pushed}).Results {
		if r.Status != "created" {
			t.Fatalf("push: %+v", r)
		}
	}
	answer := func(i int, ip, ua string, form url.Values) {
		t.Helper()
		c := env.Anonymous()
		c.Header.Set("X-Forwarded-For", ip)
		c.Header.Set("User-Agent", ua)
		if res, body := c.PostForm(strings.TrimPrefix(toks[i].URL, env.URL), form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer %d: %d\n%s", i, res.StatusCode, body)
		}
	}
	yes := url.Values{"visited": {"yes"}, "rating": {"5"}}
	last4 := func(i int) string { return strconv.Itoa(8100 + i) }
	// One phone (address and browser) confirms three households.
	for i := range 3 {
		answer(i, "10.0.0.1", "Phone-X", yes)
	}
	// Another confirms two (a near miss); one of them with the wrong
	// last four digits, the other with the right ones.
	answer(3, "10.0.0.2", "Phone-Y", url.Values{"visited": {"yes"}, "last4": {"0000"}})
	answer(4, "10.0.0.2", "Phone-Y", url.Values{"visited": {"yes"}, "last4": {last4(4)}, "rating": {"4"}})
	// One address, four browsers, four households: the user agent changed,
	// the address did not.
	for i := 5; i < 9; i++ {
		answer(i, "10.0.0.3", "Browser-"+strconv.Itoa(i), yes)
	}
	// From the officer's own address.
	answer(9, "10.9.9.9", "Phone-Z", yes)
	// A denial.
	answer(10, "10.0.0.4", "Phone-W", url.Values{"visited": {"no"}})
	// A confirmation whose visit never arrives.
	answer(11, "10.0.0.5", "Phone-V", yes)

	visitsOf := func(idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, toks[i].VisitID)
		}
		slices.Sort(out)
		return out
	}
	flagged := func(at time.Time, scope visits.Scope) map[string][]string {
		t.Helper()
		flags, err := visits.NewStore(env.App).Flags(ctx, scope, at, visits.FlagWorkbook)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, f := range flags {
			var vs []string
			for _, it := range f.Items {
				vs = append(vs, it.Visit)
			}
			slices.Sort(vs)
			out[f.Key] = vs
		}
		return out
	}
	wantNow := map[string][]string{
		"same_client":     visitsOf(0, 1, 2),
		"same_address":    visitsOf(5, 6, 7, 8),
		"officer_address": visitsOf(9),
		"unsynced":        nil, // answered only now
		"phone_mismatch":  visitsOf(3),
		"denied":          visitsOf(10),
	}
	got := flagged(now, visits.Scope{})
	for key, want := range wantNow {
		if !slices.Equal(got[key], want) {
			t.Errorf("%s now: got %v, want %v", key, got[key], want)
		}
	}
	t.Run("a clean confirmation raises no flag", func(t *testing.T) {
		for key, vs := range got {
			if slices.Contains(vs, toks[4].VisitID) {
				t.Errorf("the clean visit is flagged %s", key)
			}
		}
	})
	t.Run("a visit still missing three days after its confirmation is flagged", func(t *testing.T) {
		later := flagged(now.Add(visits.UnsyncedAfter+time.Hour), visits.Scope{Officer: env.OfficerA.Id})
		if want := visitsOf(11); !slices.Equal(later["unsynced"], want) {
			t.Fatalf("unsynced: got %v, want %v", later["unsynced"], want)
		}
	})
	t.Run("a week later the same phone's confirmations are old news", func(t *testing.T) {
		later := flagged(now.Add(visits.FlagWindow+time.Hour), visits.Scope{})
		if len(later["same_client"]) != 0 || len(later["same_address"]) != 0 {
			t.Fatalf("still flagged: %v / %v", later["same_client"], later["same_address"])
		}
	})
	t.Run("another officer's scope shows none of them", func(t *testing.T) {
		for key, vs := range flagged(now, visits.Scope{Officer: env.OfficerB.Id}) {
			if len(vs) != 0 {
				t.Errorf("%s: %v", key, vs)
			}
		}
	})
	t.Run("a flag counts every visit behind it and lists the latest as many as asked", func(t *testing.T) {
		flags, err := visits.NewStore(env.App).Flags(ctx, visits.Scope{}, now, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range flags {
			if f.Key != "same_address" {
				continue
			}
			// Visits 5–8 were answered in that order: the latest two are 8 and 7.
			if f.Total != 4 || len(f.Items) != 2 || f.Items[0].Visit != toks[8].VisitID || f.Items[1].Visit != toks[7].VisitID {
				t.Fatalf("same_address: total %d, items %+v", f.Total, f.Items)
			}
			return
		}
		t.Fatal("no same_address flag")
	})
	t.Run("the chief's page lists each flag with the visits behind it", func(t *testing.T) {
		res, body := env.SignIn(env.Chief).Get("/coverage")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		for key, want := range wantNow {
			m := regexp.MustCompile(`data-flag="` + key + `"(?s:.*?)data-count="(\d+)"`).FindStringSubmatch(body)
			if m == nil || m[1] != strconv.Itoa(len(want)) {
				t.Errorf("%s: count %v, want %d", key, m, len(want))
			}
		}
		block := body[strings.Index(body, `data-flag="same_client"`):strings.Index(body, `data-flag="same_address"`)]
		for _, i := range []int{0, 1, 2} {
			if !strings.Contains(block, `href="/visits/`+toks[i].VisitID+`"`) {
				t.Errorf("same_client does not link visit %d", i)
			}
		}
	})
}
