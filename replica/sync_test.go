package replica_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

type pushAnswer struct {
	Results []struct {
		Collection  string         `json:"collection"`
		ID          string         `json:"id"`
		Status      string         `json:"status"`
		Message     string         `json:"message"`
		Errors      map[string]any `json:"errors"`
		Doc         map[string]any `json:"doc"`
		DuplicateOf string         `json:"duplicate_of"`
	} `json:"results"`
}

type pullAnswer struct {
	Docs       []map[string]any `json:"docs"`
	Checkpoint struct {
		Updated string `json:"updated"`
		ID      string `json:"id"`
	} `json:"checkpoint"`
	More  bool   `json:"more"`
	Scope string `json:"scope"`
}

func push(t *testing.T, c *apptest.Client, body any) pushAnswer {
	t.Helper()
	var ans pushAnswer
	res := c.PostJSON("/sync/push", body, &ans)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("push: status %d", res.StatusCode)
	}
	return ans
}

// id makes a valid client id from a short name.
func id(s string) string { return (s + "000000000000000")[:15] }

func visit(vid, household string, at time.Time) map[string]any {
	return map[string]any{"id": vid, "household": household, "visited_at": at.UTC().Format(time.RFC3339Nano), "kind": "routine", "outcome": "met"}
}

func TestPushVisits(t *testing.T) {
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街1号"})
	hB := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区1幢"})
	a := env.SignIn(env.OfficerA)
	now := time.Now()

	t.Run("a retried push creates no second visit", func(t *testing.T) {
		body := map[string]any{"visits": []any{visit(id("retry"), h.ID, now)}}
		first := push(t, a, body)
		second := push(t, a, body)
		if first.Results[0].Status != "created" || second.Results[0].Status != "exists" {
			t.Fatalf("statuses %s then %s, want created then exists", first.Results[0].Status, second.Results[0].Status)
		}
		n, _ := env.App.CountRecords("visits")
		if n != 1 {
			t.Fatalf("%d visits, want 1", n)
		}
	})
	t.Run("one bad item neither blocks nor rolls back the others", func(t *testing.T) {
		bad := visit(id("bad"), h.ID, now)
		bad["outcome"] = "nonsense"
		ans := push(t, a, map[string]any{"visits": []any{visit(id("good1"), h.ID, now), bad, visit(id("good2"), h.ID, now), visit(id("foreign"), hB.ID, now)}})
		want := []string{"created", "invalid", "created", "invalid"}
		for i, r := range ans.Results {
			if r.Status != want[i] {
				t.Errorf("item %d: %s, want %s (%s)", i, r.Status, want[i], r.Message)
			}
		}
		if ans.Results[1].Errors["outcome"] == nil || ans.Results[3].Errors["household"] == nil {
			t.Errorf("field errors missing: %+v %+v", ans.Results[1].Errors, ans.Results[3].Errors)
		}
		for _, vid := range []string{id("good1"), id("good2")} {
			if _, err := env.App.FindRecordById("visits", vid); err != nil {
				t.Errorf("%s not saved", vid)
			}
		}
		for _, vid := range []string{id("bad"), id("foreign")} {
			if _, err := env.App.FindRecordById("visits", vid); err == nil {
				t.Errorf("%s saved", vid)
			}
		}
	})
	t.Run("the officer is the session's, whatever the body says", func(t *testing.T) {
		v := visit(id("spoof"), h.ID, now)
		v["officer"] = env.OfficerB.Id
		push(t, a, map[string]any{"visits": []any{v}})
		rec, err := env.App.FindRecordById("visits", id("spoof"))
		if err != nil || rec.GetString("officer") != env.OfficerA.Id {
			t.Fatalf("officer = %q, want %q", rec.GetString("officer"), env.OfficerA.Id)
		}
	})
	t.Run("an edit within 24 hours updates; a changed retry after it is closed conflicts", func(t *testing.T) {
		v := visit(id("edit"), h.ID, now)
		push(t, a, map[string]any{"visits": []any{v}})
		v["notes"] = "补充：已提醒用电安全"
		if got := push(t, a, map[string]any{"visits": []any{v}}).Results[0].Status; got != "updated" {
			t.Fatalf("edit: %s", got)
		}
		rec, _ := env.App.FindRecordById("visits", id("edit"))
		rec.Set("received_at", now.Add(-25*time.Hour))
		if err := env.App.Save(rec); err != nil {
			t.Fatal(err)
		}
		if got := push(t, a, map[string]any{"visits": []any{v}}).Results[0].Status; got != "exists" {
			t.Fatalf("unchanged retry after 24 h: %s, want exists", got)
		}
		v["notes"] = "改晚了"
		r := push(t, a, map[string]any{"visits": []any{v}}).Results[0]
		if r.Status != "conflict" || r.Doc["notes"] != "补充：已提醒用电安全" {
			t.Fatalf("late edit: %s, doc %v", r.Status, r.Doc)
		}
	})
	t.Run("another officer cannot take over a visit by its id", func(t *testing.T) {
		b := env.SignIn(env.OfficerB)
		r := push(t, b, map[string]any{"visits": []any{visit(id("retry"), hB.ID, now)}}).Results[0]
		if r.Status != "invalid" {
			t.Fatalf("status %s", r.Status)
		}
		rec, _ := env.App.FindRecordById("visits", id("retry"))
		if rec.GetString("officer") != env.OfficerA.Id {
			t.Fatal("the visit changed hands")
		}
	})
	t.Run("more than 1,000 items is refused whole with 413 and a clear message", func(t *testing.T) {
		items := make([]any, 1001)
		for i := range items {
			items[i] = visit(fmt.Sprintf("big%012d", i), h.ID, now)
		}
		var body struct {
			Error struct{ Code, Message string }
		}
		res := a.PostJSON("/sync/push", map[string]any{"visits": items}, &body)
		if res.StatusCode != http.StatusRequestEntityTooLarge || body.Error.Code != "too_large" || !strings.Contains(body.Error.Message, "1000") {
			t.Fatalf("status %d, %+v", res.StatusCode, body.Error)
		}
		if _, err := env.App.FindRecordById("visits", "big000000000000"); err == nil {
			t.Fatal("part of an oversized push was saved")
		}
	})
	t.Run("more than 4 MiB is refused with 413", func(t *testing.T) {
		v := visit(id("huge"), h.ID, now)
		v["notes"] = strings.Repeat("长", 1500000)
		res := a.PostJSON("/sync/push", map[string]any{"visits": []any{v}}, nil)
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}

func TestPushHouseholds(t *testing.T) {
	env := apptest.New(t)
	a := env.SignIn(env.OfficerA)
	existing := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "贡院小区3幢", Unit: "1", Room: "301", Phones: []string{"13900001111"}})
	door := func(hid, building string) map[string]any {
		return map[string]any{"id": hid, "op": "create", "community": env.CommunityA, "building": building, "head_name": "新户", "phones": []string{}}
	}

	t.Run("a household made at the door is created once, however often it is pushed", func(t *testing.T) {
		body := map[string]any{"households": []any{door(id("door"), "吴牙街5号")}}
		if got := push(t, a, body).Results[0].Status; got != "created" {
			t.Fatalf("first: %s", got)
		}
		if got := push(t, a, body).Results[0].Status; got != "exists" {
			t.Fatalf("retry: %s", got)
		}
	})
	t.Run("the same door registered already answers duplicate with its id", func(t *testing.T) {
		d := door(id("dup2"), "贡院小区三幢")
		d["unit"], d["room"] = "一", "301"
		r := push(t, a, map[string]any{"households": []any{d}}).Results[0]
		if r.Status != "duplicate" || r.DuplicateOf != existing.ID {
			t.Fatalf("status %s duplicate_of %q, want duplicate of %s", r.Status, r.DuplicateOf, existing.ID)
		}
	})
	t.Run("an edit on a stale copy conflicts and returns the server's copy", func(t *testing.T) {
		in := households.InputOf(existing)
		in.Notes = "先改的"
		if _, err := households.NewStore(env.App).Update(context.Background(), apptest.Officer(env.Chief), existing.ID, in); err != nil {
			t.Fatal(err)
		}
		edit := map[string]any{"id": existing.ID, "op": "update", "base_rev": existing.Rev, "community": env.CommunityA,
			"building": existing.Building, "unit": existing.Unit, "room": existing.Room, "notes": "后改的", "phones": existing.Phones}
		r := push(t, a, map[string]any{"households": []any{edit}}).Results[0]
		if r.Status != "conflict" || r.Doc["notes"] != "先改的" {
			t.Fatalf("status %s doc %v", r.Status, r.Doc)
		}
	})
	t.Run("an edit whose answer was lost answers exists when retried", func(t *testing.T) {
		cur, _ := households.NewStore(env.App).Get(context.Background(), apptest.Officer(env.OfficerA), existing.ID)
		edit := map[string]any{"id": cur.ID, "op": "update", "base_rev": cur.Rev, "community": env.CommunityA,
			"building": cur.Building, "unit": cur.Unit, "room": cur.Room, "notes": "第二次", "phones": cur.Phones}
		if got := push(t, a, map[string]any{"households": []any{edit}}).Results[0].Status; got != "updated" {
			t.Fatalf("first: %s", got)
		}
		if got := push(t, a, map[string]any{"households": []any{edit}}).Results[0].Status; got != "exists" {
			t.Fatalf("retry: %s, want exists", got)
		}
	})
	t.Run("an officer cannot push into another community", func(t *testing.T) {
		d := door(id("far"), "贡院小区7幢")
		d["community"] = env.CommunityB
		r := push(t, a, map[string]any{"households": []any{d}}).Results[0]
		if r.Status != "invalid" {
			t.Fatalf("status %s", r.Status)
		}
	})
}

func pullAll(t *testing.T, c *apptest.Client, collection string, limit int) []map[string]any {
	t.Helper()
	var docs []map[string]any
	cpU, cpI := "", ""
	for i := 0; i < 1000; i++ {
		var ans pullAnswer
		res := c.GetJSON(fmt.Sprintf("/sync/pull?collection=%s&updated=%s&id=%s&limit=%d", collection, urlq(cpU), cpI, limit), &ans)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("pull: %d", res.StatusCode)
		}
		docs = append(docs, ans.Docs...)
		cpU, cpI = ans.Checkpoint.Updated, ans.Checkpoint.ID
		if !ans.More {
			return docs
		}
	}
	t.Fatal("pull never ended")
	return nil
}

func urlq(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, " ", "%20"), ":", "%3A") }

func TestPullScope(t *testing.T) {
	env := apptest.New(t)
	hA := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街1号"})
	hB := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区1幢"})
	now := time.Now()
	store := visits.NewStore(env.App)
	store.Save(context.Background(), apptest.Officer(env.OfficerB), visits.Input{Household: hB.ID, VisitedAt: now, Outcome: "met"}, now)
	store.Save(context.Background(), apptest.Officer(env.OfficerA), visits.Input{Household: hA.ID, VisitedAt: now, Outcome: "met"}, now)

	t.Run("an officer never pulls another area's households or visits", func(t *testing.T) {
		a := env.SignIn(env.OfficerA)
		docs := pullAll(t, a, "households", 100)
		if len(docs) != 1 || docs[0]["id"] != hA.ID {
			t.Fatalf("households %v", docs)
		}
		vs := pullAll(t, a, "visits", 100)
		if len(vs) != 1 || vs[0]["household"] != hA.ID {
			t.Fatalf("visits %v", vs)
		}
	})
	t.Run("archived households come as tombstones", func(t *testing.T) {
		if _, err := households.NewStore(env.App).SetArchived(context.Background(), apptest.Officer(env.Chief), hA.ID, true); err != nil {
			t.Fatal(err)
		}
		docs := pullAll(t, env.SignIn(env.OfficerA), "households", 100)
		if len(docs) != 1 || docs[0]["archived"] != true {
			t.Fatalf("docs %v", docs)
		}
	})
	t.Run("an unknown collection is refused", func(t *testing.T) {
		var body struct{ Error struct{ Code string } }
		res := env.SignIn(env.OfficerA).GetJSON("/sync/pull?collection=officers", &body)
		if res.StatusCode != http.StatusUnprocessableEntity || body.Error.Code != "invalid" {
			t.Fatalf("status %d %+v", res.StatusCode, body)
		}
	})
}

// TestPullPagingUnderConcurrentWrites pages through households in small
// pages while other goroutines keep creating and editing them; the device
// must end with every household exactly as the server has it, none missed
// and none repeated within one pass beyond edits.
func TestPullPagingUnderConcurrentWrites(t *testing.T) {
	env := apptest.New(t)
	store := households.NewStore(env.App)
	chief := apptest.Officer(env.Chief)
	for i := 0; i < 60; i++ {
		env.Household(env.Chief, households.Input{Community: env.CommunityA, Building: fmt.Sprintf("吴牙街%d号", i)})
	}
	c := env.SignIn(env.Chief)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := store.Create(context.Background(), chief, households.Input{Community: env.CommunityB, Building: fmt.Sprintf("贡院小区%d-%d幢", w, i)}); err != nil {
					t.Error(err)
					return
				}
				res, _ := store.Search(context.Background(), chief, households.Query{Limit: 1, Offset: i % 50})
				if len(res.Items) == 1 {
					in := households.InputOf(res.Items[0])
					in.Notes = fmt.Sprintf("edit %d-%d", w, i)
					in.BaseRev = ""
					store.Update(context.Background(), chief, res.Items[0].ID, in)
				}
			}
		}(w)
	}
	// The device pulls in pages of 7 while the writers run.
	local := map[string]string{} // id → updated
	cpU, cpI := "", ""
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		var ans pullAnswer
		c.GetJSON(fmt.Sprintf("/sync/pull?collection=households&updated=%s&id=%s&limit=7", urlq(cpU), cpI), &ans)
		last := ""
		if cpU != "" {
			last = cpU + "|" + cpI
		}
		for _, d := range ans.Docs {
			key := d["updated"].(string) + "|" + d["id"].(string)
			if key <= last {
				t.Fatalf("page out of order: %s after %s", key, last)
			}
			last = key
			local[d["id"].(string)] = d["updated"].(string)
		}
		cpU, cpI = ans.Checkpoint.Updated, ans.Checkpoint.ID
	}
	close(stop)
	wg.Wait()
	// One more pass after the writers stopped brings the device level.
	for {
		var ans pullAnswer
		c.GetJSON(fmt.Sprintf("/sync/pull?collection=households&updated=%s&id=%s&limit=7", urlq(cpU), cpI), &ans)
		for _, d := range ans.Docs {
			local[d["id"].(string)] = d["updated"].(string)
		}
		cpU, cpI = ans.Checkpoint.Updated, ans.Checkpoint.ID
		if !ans.More {
			break
		}
	}
	recs, err := env.App.FindAllRecords("households")
	if err != nil {
		t.Fatal(err)
	}
	if len(local) != len(recs) {
		n := 0
		for _, r := range recs {
			if _, ok := local[r.Id]; !ok && n < 5 {
				n++
				t.Logf("missing %s updated %s created %s", r.Id, r.GetString("updated"), r.GetString("created"))
			}
		}
		t.Fatalf("device has %d households, server %d", len(local), len(recs))
	}
	for _, r := range recs {
		if local[r.Id] != r.GetString("updated") {
			t.Fatalf("household %s: device has %q, server %q", r.Id, local[r.Id], r.GetString("updated"))
		}
	}
	t.Logf("%d households, all level", len(recs))
}

func TestPushRefusesRatherThanMerges(t *testing.T) {
	env := apptest.New(t)
	a := env.SignIn(env.OfficerA)
	now := time.Now()
	flat101 := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "青春坊9幢", Unit: "1", Room: "101", Phones: []string{"13900009999"}})
	flat102 := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "青春坊9幢", Unit: "1", Room: "102"})
	push(t, a, map[string]any{"visits": []any{visit(id("v102"), flat102.ID, now)}})

	t.Run("a new door sharing a landlord's phone is refused for correction, not merged", func(t *testing.T) {
		r := push(t, a, map[string]any{"households": []any{map[string]any{"id": id("flat103"), "op": "create", "community": env.CommunityA, "building": "青春坊9幢", "unit": "1", "room": "103", "phones": []string{"139 0000 9999"}}}}).Results[0]
		if r.Status != "invalid" || r.Errors["phones"] == nil || r.DuplicateOf != "" {
			t.Fatalf("status %s errors %v duplicate_of %q", r.Status, r.Errors, r.DuplicateOf)
		}
	})
	t.Run("an edit onto another household's door is refused and moves nothing", func(t *testing.T) {
		edit := map[string]any{"id": flat102.ID, "op": "update", "base_rev": flat102.Rev, "community": env.CommunityA, "building": "青春坊9幢", "unit": "1", "room": "101"}
		r := push(t, a, map[string]any{"households": []any{edit}}).Results[0]
		if r.Status != "invalid" || r.Errors["building"] == nil {
			t.Fatalf("status %s errors %v", r.Status, r.Errors)
		}
		v, _ := env.App.FindRecordById("visits", id("v102"))
		if v.GetString("household") != flat102.ID {
			t.Fatal("the visit moved")
		}
		h, _ := env.App.FindRecordById("households", flat101.ID)
		if h.GetString("room") != "101" {
			t.Fatal("the other household changed")
		}
	})
	t.Run("a visit since the copy was taken does not make an edit a conflict", func(t *testing.T) {
		// flat102's copy (and rev) was taken before its visit above.
		edit := map[string]any{"id": flat102.ID, "op": "update", "base_rev": flat102.Rev, "community": env.CommunityA, "building": "青春坊9幢", "unit": "1", "room": "102", "notes": "门口有电动车"}
		if r := push(t, a, map[string]any{"households": []any{edit}}).Results[0]; r.Status != "updated" {
			t.Fatalf("status %s (%s)", r.Status, r.Message)
		}
	})
	t.Run("a push made for another officer is refused whole", func(t *testing.T) {
		var body struct{ Error struct{ Code string } }
		res := a.PostJSON("/sync/push", map[string]any{"officer": env.OfficerB.Id, "visits": []any{visit(id("notmine"), flat102.ID, now)}}, &body)
		if res.StatusCode != http.StatusConflict || body.Error.Code != "conflict" {
			t.Fatalf("status %d %+v", res.StatusCode, body)
		}
		if _, err := env.App.FindRecordById("visits", id("notmine")); err == nil {
			t.Fatal("saved under the wrong officer")
		}
	})
	t.Run("a visit under another officer's QR token is refused", func(t *testing.T) {
		var book struct {
			Tokens []visits.Token `json:"tokens"`
		}
		a.PostJSON("/sync/tokens", map[string]any{"device": id("phonea"), "held": []string{}}, &book)
		hB := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区8幢"})
		r := push(t, env.SignIn(env.OfficerB), map[string]any{"visits": []any{visit(book.Tokens[0].VisitID, hB.ID, now)}}).Results[0]
		if r.Status != "invalid" || r.Errors["id"] == nil {
			t.Fatalf("status %s errors %v", r.Status, r.Errors)
		}
	})
}
