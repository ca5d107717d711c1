package visits_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/xuri/excelize/v2"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/replica"
	"zoufang/station"
	"zoufang/visits"
)

// seedMonth records visits for officer A around November 2026 in Hangzhou
// time, including the month's first and last minutes and the minutes just
// outside it, by writing them as the store would at the time.
func seedMonth(t *testing.T, env *apptest.Env) (inside int) {
	t.Helper()
	ctx := context.Background()
	cst := station.DefaultSettings().Location()
	h1 := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "柳营巷12号", HeadName: "李秀英"})
	h2 := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "贡院小区3幢", Unit: "1", Room: "301", HeadName: "王建华"})
	hB := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "青春坊1幢", HeadName: "别人"})
	at := []struct {
		when    time.Time
		h       *households.Household
		officer *core.Record
		in      bool
	}{
		{time.Date(2026, 10, 31, 23, 59, 0, 0, cst), h1, env.OfficerA, false},
		{time.Date(2026, 11, 1, 0, 0, 0, 0, cst), h1, env.OfficerA, true},
		{time.Date(2026, 11, 3, 14, 20, 0, 0, cst), h2, env.OfficerA, true},
		{time.Date(2026, 11, 5, 15, 0, 0, 0, cst), h1, env.OfficerA, true},
		{time.Date(2026, 11, 30, 23, 59, 0, 0, cst), h2, env.OfficerA, true},
		{time.Date(2026, 12, 1, 0, 0, 0, 0, cst), h2, env.OfficerA, false},
		{time.Date(2026, 11, 10, 14, 0, 0, 0, cst), hB, env.OfficerB, false}, // another officer's
	}
	for i, a := range at {
		in := visits.Input{Household: a.h.ID, VisitedAt: a.when, Outcome: visits.OutcomeMet, Notes: "第" + string(rune('一'+i)) + "次", WeChatAdded: i == 2, Concerns: []string{"诈骗风险"}}
		if _, _, err := visits.NewStore(env.App).Save(ctx, apptest.Officer(a.officer), in, a.when.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if a.in {
			inside++
		}
	}
	return inside
}

func TestVisitBook(t *testing.T) {
	env := apptest.New(t)
	want := seedMonth(t, env)
	a := env.SignIn(env.OfficerA)

	t.Run("the printable page renders every visit of the month, and only those", func(t *testing.T) {
		res, body := a.Get("/visits/book?month=2026-11")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		rows := strings.Count(body, "<tr>") - 1 // minus the header row
		if rows != want {
			t.Fatalf("%d rows, want %d", rows, want)
		}
		for _, col := range []string{"日期", "地址", "户主", "走访类型", "情况", "见面/未遇", "微信", "居民确认", "李卫东", "2026年11月", "诈骗风险", "新加"} {
			if !strings.Contains(body, col) {
				t.Errorf("page lacks %q", col)
			}
		}
		if strings.Contains(body, "别人") {
			t.Error("another officer's visit is in the book")
		}
	})
	t.Run("the XLSX opens with excelize and holds exactly the month's visits", func(t *testing.T) {
		res, body := a.Get("/visits/book.xlsx?month=2026-11")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("status %d, disposition %q", res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		sheets := f.GetSheetList()
		if len(sheets) != 1 || !strings.Contains(sheets[0], "李卫东") {
			t.Fatalf("sheets %v", sheets)
		}
		rows, _ := f.GetRows(sheets[0])
		if got := len(rows) - 2; got != want { // title and header
			t.Fatalf("%d visit rows, want %d", got, want)
		}
		if rows[1][0] != "日期" || rows[1][7] != "居民确认" {
			t.Fatalf("header %v", rows[1])
		}
		if rows[2][0] != "11-01 00:00" || rows[len(rows)-1][0] != "11-30 23:59" {
			t.Fatalf("first %q last %q: the month's edges in station time", rows[2][0], rows[len(rows)-1][0])
		}
	})
	t.Run("an officer cannot open another officer's book", func(t *testing.T) {
		_, body := a.Get("/visits/book?month=2026-11&officer=" + env.OfficerB.Id)
		if strings.Contains(body, "别人") || !strings.Contains(body, "李卫东") {
			t.Fatal("the officer parameter was honoured for an officer")
		}
	})
	t.Run("the deputy chief sees a page per officer", func(t *testing.T) {
		_, body := env.SignIn(env.Chief).Get("/visits/book?month=2026-11")
		if strings.Count(body, `data-sheet="1/`) != 2 || !strings.Contains(body, "别人") {
			t.Fatal("want two officers' pages, with officer B's visit")
		}
		picker := body[strings.Index(body, `<select id="officer"`):]
		picker = picker[:strings.Index(picker, "</select>")]
		if !strings.Contains(picker, env.OfficerA.Id) || !strings.Contains(picker, env.OfficerB.Id) || strings.Contains(picker, env.Chief.Id) {
			t.Fatalf("the officer picker offers %s", picker)
		}
	})
	t.Run("a malformed month is a clear error", func(t *testing.T) {
		res, body := a.Get("/visits/book?month=" + url.QueryEscape("十一月"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "2026-12") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}

func TestSettingsPage(t *testing.T) {
	env := apptest.New(t)
	chief := env.SignIn(env.Chief)
	t.Run("an officer may not change the station's settings", func(t *testing.T) {
		res, _ := env.SignIn(env.OfficerA).PostForm("/settings", url.Values{"target_homes": {"1"}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("bad values are refused field by field and nothing changes", func(t *testing.T) {
		res, body := chief.PostForm("/settings", url.Values{"station_name": {"长庆派出所"}, "target_homes": {"0"}, "target_wechat": {"x"}, "token_book_size": {"30"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请至少选择一个走访日") || !strings.Contains(body, "请填 1 到 200") {
			t.Fatalf("status %d", res.StatusCode)
		}
		if got := env.Server.Settings().TargetHomes; got != 10 {
			t.Fatalf("target homes became %d", got)
		}
	})
	t.Run("new targets and visit days take effect at once", func(t *testing.T) {
		res, _ := chief.PostForm("/settings", url.Values{"station_name": {"长庆派出所"}, "visit_weekdays": {"mon", "wed", "fri"}, "target_homes": {"12"}, "target_wechat": {"8"}, "token_book_size": {"20"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		st := env.Server.Settings()
		if st.TargetHomes != 12 || st.TargetWeChat != 8 || st.TokenBookSize != 20 || !st.IsVisitDay(time.Date(2026, 11, 30, 12, 0, 0, 0, st.Location())) || st.IsVisitDay(time.Date(2026, 12, 1, 12, 0, 0, 0, st.Location())) {
			t.Fatalf("settings %+v", st)
		}
		var me replica.Me
		env.SignIn(env.OfficerA).GetJSON("/sync/me", &me)
		if me.Targets.HomesTarget != 12 || me.Settings.TargetWeChat != 8 {
			t.Fatalf("an officer's targets %+v", me.Targets)
		}
	})
}
