package visits_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/visits"
)

// TestADenialIsNeverAConfirmation: a resident who answers "没有来过" has
// confirmed nothing. The resident's page, the visit book, its XLSX, the
// coverage review and the officer's pulled visit all say 居民否认, never
// 已确认, whichever of the answer and the visit reaches the server first.
func TestADenialIsNeverAConfirmation(t *testing.T) {
	env := apptest.New(t)
	a := env.SignIn(env.OfficerA)
	chief := env.SignIn(env.Chief)
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "柳营巷12号", HeadName: "李秀英", Phones: []string{"138 0013 8000"}})
	var book tokensAnswer
	a.PostJSON("/sync/tokens", map[string]any{"device": id("phonea"), "held": []string{}}, &book)
	denied, confirmed := book.Tokens[0], book.Tokens[1]
	resident := env.Anonymous()
	now := time.Now()

	// The denial arrives before the visit, the confirmation after it.
	if res, _ := resident.PostForm(strings.TrimPrefix(denied.URL, env.URL), url.Values{"visited": {"no"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deny: %d", res.StatusCode)
	}
	push(t, a, map[string]any{"visits": []any{visit(denied.VisitID, h.ID, now.Add(-time.Hour)), visit(confirmed.VisitID, h.ID, now)}})
	if res, _ := resident.PostForm(strings.TrimPrefix(confirmed.URL, env.URL), url.Values{"visited": {"yes"}, "rating": {"5"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}

	t.Run("the resident's own page thanks them for the report and confirms nothing", func(t *testing.T) {
		_, body := resident.Get(strings.TrimPrefix(denied.URL, env.URL))
		if !strings.Contains(body, "已收到您的反馈") || strings.Contains(body, "已确认") {
			t.Fatalf("page:\n%s", body)
		}
	})
	t.Run("the officer's pulled visits carry each answer", func(t *testing.T) {
		var pulled struct {
			Docs []visits.Visit `json:"docs"`
		}
		a.GetJSON("/sync/pull?collection=visits", &pulled)
		got := map[string]string{}
		for _, v := range pulled.Docs {
			got[v.ID] = v.ResidentAnswer
		}
		if got[denied.VisitID] != visits.AnswerDenied || got[confirmed.VisitID] != visits.AnswerConfirmed {
			t.Fatalf("answers %v", got)
		}
	})
	t.Run("the visit book says 居民否认 for the denial and 已确认 only for the confirmation", func(t *testing.T) {
		_, body := a.Get("/visits/book")
		if strings.Count(body, "居民否认") != 1 || strings.Count(body, "已确认") != 1 || !strings.Contains(body, "已确认 ★★★★★") {
			t.Fatalf("book: %d 居民否认, %d 已确认", strings.Count(body, "居民否认"), strings.Count(body, "已确认"))
		}
	})
	t.Run("the XLSX says the same", func(t *testing.T) {
		res, body := a.Get("/visits/book.xlsx")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		var answers []string
		for _, r := range rows[2:] {
			answers = append(answers, r[len(r)-1])
		}
		if strings.Join(answers, ",") != "居民否认,已确认 ★★★★★" {
			t.Fatalf("answer column %q", answers)
		}
	})
	t.Run("coverage counts one denial and one confirmation", func(t *testing.T) {
		_, body := chief.Get("/coverage")
		if !regexp.MustCompile(`answer=denied[^"]*" class="tag bad">1</a>`).MatchString(body) {
			t.Fatal("coverage shows no denial")
		}
		if !regexp.MustCompile(`answer=confirmed[^"]*">50%</a>`).MatchString(body) {
			t.Fatal("coverage does not show one confirmation in two visits")
		}
	})
	t.Run("an answered visit can no longer be edited", func(t *testing.T) {
		v := visit(confirmed.VisitID, h.ID, now)
		v["notes"] = "改一下"
		r := push(t, a, map[string]any{"visits": []any{v}}).Results[0]
		if r.Status != "conflict" || !strings.Contains(r.Message, "居民已") {
			t.Fatalf("status %s %q", r.Status, r.Message)
		}
	})
}
