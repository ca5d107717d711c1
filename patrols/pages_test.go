package patrols_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zoufang/patrols"
	"zoufang/station"
)

// TestPages drives the office pages as an officer and the deputy chief:
// each form saves through the store, re-shows its problems with 422, and
// an officer of another community finds nothing.
func TestPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	officer := f.SignIn(f.OfficerA)
	chief := f.SignIn(f.Chief)
	other := f.SignIn(f.OfficerB)
	// Everything happens today, so the year's figures count it all even
	// just after midnight on 1 January.
	today := day(time.Now())

	t.Run("the patrols page shows the teams, the roster and the year's figures", func(t *testing.T) {
		res, body := officer.Get("/patrols")
		if res.StatusCode != http.StatusOK || !contains(body, "吴牙社区平安巡防队", "张阿姨", "138 0013 8001", `id="patrol-figures"`) {
			t.Fatalf("status %d", res.StatusCode)
		}
		if strings.Contains(body, "赵大伯") {
			t.Fatal("officer A sees community B's roster")
		}
	})
	t.Run("a volunteer with a bad phone is shown the form again with the field's problem", func(t *testing.T) {
		res, body := officer.PostForm("/patrols/volunteers", url.Values{"name": {"新队员"}, "phone": {"12345"}, "community": {f.CommunityA}, "active": {"1"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="phone-error"`) || !strings.Contains(body, "新队员") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("a volunteer is registered from the form, phone in E.164", func(t *testing.T) {
		res, _ := officer.PostForm("/patrols/volunteers", url.Values{"name": {"新队员"}, "phone": {"139 1111 2222"}, "community": {f.CommunityA}, "team": {f.team.ID}, "unit": {"联华超市"}, "party_member": {"1"}, "active": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		if n := f.Count(t, patrols.VolunteersCollection, "phone = '+8613911112222' && unit = '联华超市' && party_member = true", nil); n != 1 {
			t.Fatalf("%d volunteers", n)
		}
	})
	t.Run("a team without a name is refused on the form", func(t *testing.T) {
		res, body := officer.PostForm("/patrols/teams", url.Values{"community": {f.CommunityA}, "name": {" "}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="name-error"`) {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("another community's team and volunteer are not found", func(t *testing.T) {
		for _, p := range []string{"/patrols/teams/" + f.team.ID, "/patrols/volunteers/" + f.vols[0].ID, "/patrols/shifts/new?team=" + f.team.ID} {
			if res, _ := other.Get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", p, res.StatusCode)
			}
		}
	})

	t.Run("the shift form offers the team's members and a double submit records one shift", func(t *testing.T) {
		res, body := officer.Get("/patrols/shifts/new?team=" + f.team.ID)
		if res.StatusCode != http.StatusOK || !contains(body, "张阿姨", "王师傅") {
			t.Fatalf("form: %d", res.StatusCode)
		}
		sid := hiddenValue(t, body, "id")
		form := url.Values{"id": {sid}, "team": {f.team.ID}, "date": {today}, "starts": {"00:00"}, "ends": {"00:30"}, "volunteers": {f.vols[0].ID, f.vols[1].ID}}
		for range 2 {
			if res, _ := officer.PostForm("/patrols/shifts", form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: %d", res.StatusCode)
			}
		}
		if n := f.Count(t, patrols.ShiftsCollection, "id = {:id} && person_turns = 2", map[string]any{"id": sid}); n != 1 || f.Count(t, patrols.ShiftsCollection, "", nil) != 1 {
			t.Fatalf("%d shifts", f.Count(t, patrols.ShiftsCollection, "", nil))
		}
	})
	t.Run("a shift with nobody present is shown again with the problem", func(t *testing.T) {
		res, body := officer.PostForm("/patrols/shifts", url.Values{"team": {f.team.ID}, "date": {today}, "starts": {"19:00"}, "ends": {"21:00"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请至少选择一位到岗的巡防队员") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})

	var reportID string
	t.Run("a report is recorded from the form and opens on its page", func(t *testing.T) {
		_, form := officer.Get("/reports/new?community=" + f.CommunityA)
		rid := hiddenValue(t, form, "id")
		res, _ := officer.PostForm("/reports", url.Values{"id": {rid}, "community": {f.CommunityA}, "kind": {"fire_hazard"}, "place": {"长庆街5号"},
			"description": {"消防通道堆放杂物"}, "reported_at": {time.Now().In(station.DefaultSettings().Location()).Format("2006-01-02T15:04")}, "volunteer": {f.vols[1].ID}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		reportID = rid
		_, page := officer.Get("/reports/" + rid)
		if !contains(page, "长庆街5号", "火灾隐患", "待处理", "巡防队员 王师傅", "/disputes/new?report="+rid, "我来处理") {
			t.Fatal("report page lacks what it should say")
		}
	})
	t.Run("a report without a description is refused on the form", func(t *testing.T) {
		res, body := officer.PostForm("/reports", url.Values{"community": {f.CommunityA}, "kind": {"other"}, "place": {"x"}, "reported_at": {"2026-01-01T10:00"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="description-error"`) {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("the officer takes it and closing without a result is refused with 422", func(t *testing.T) {
		if res, _ := officer.PostForm("/reports/"+reportID+"/move", url.Values{"to": {"assigned"}, "assigned_to": {f.OfficerA.Id}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("take: %d", res.StatusCode)
		}
		res, body := officer.PostForm("/reports/"+reportID+"/move", url.Values{"to": {"handled"}, "result": {""}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "须写明处理结果") {
			t.Fatalf("close: %d", res.StatusCode)
		}
		if res, _ := officer.PostForm("/reports/"+reportID+"/move", url.Values{"to": {"handled"}, "result": {"已清理"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d", res.StatusCode)
		}
		_, page := officer.Get("/reports/" + reportID)
		if !contains(page, "已办结", "处理结果：已清理", "重新打开") {
			t.Fatal("the closed report's page")
		}
	})
	t.Run("another community's officer finds no such report, and cannot move it", func(t *testing.T) {
		if res, _ := other.Get("/reports/" + reportID); res.StatusCode != http.StatusNotFound {
			t.Fatalf("view: %d", res.StatusCode)
		}
		if res, _ := other.PostForm("/reports/"+reportID+"/move", url.Values{"to": {"assigned"}, "note": {"x"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("move: %d", res.StatusCode)
		}
		_, list := other.Get("/reports")
		if strings.Contains(list, reportID) {
			t.Fatal("listed for officer B")
		}
	})
	t.Run("the report list filters by status", func(t *testing.T) {
		_, open := chief.Get("/reports?status=active")
		_, handled := chief.Get("/reports?status=handled")
		if strings.Contains(open, reportID) || !strings.Contains(handled, reportID) {
			t.Fatal("filters")
		}
	})

	t.Run("the good-deeds admin is the deputy chief's", func(t *testing.T) {
		if res, _ := officer.Get("/praise/deeds"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("officer: %d", res.StatusCode)
		}
		res, body := chief.PostForm("/praise/deeds", url.Values{"community": {f.CommunityA}, "name": {"张阿姨"}, "date": {"2026-03-05"}, "kind": {"honesty"}, "story": {"拾金不昧"}, "published": {"1"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "本人未同意") {
			t.Fatalf("unconsented: %d", res.StatusCode)
		}
		if res, _ := chief.PostForm("/praise/deeds", url.Values{"community": {f.CommunityA}, "volunteer": {f.vols[0].ID}, "date": {"2026-03-05"}, "kind": {"honesty"}, "story": {"拾金不昧"}, "consent": {"1"}, "published": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
	})
	t.Run("the year's figures download as a workbook with Chinese headers", func(t *testing.T) {
		res, body := chief.Get("/patrols/figures.xlsx?year=" + today[:4])
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil || len(rows) < 5 {
			t.Fatalf("rows %v %v", rows, err)
		}
		if rows[1][2] != "巡防人次" || rows[1][4] != "发现问题" {
			t.Fatalf("header %v", rows[1])
		}
		last := rows[len(rows)-1]
		if last[0] != "合计" || last[2] != "2" || last[3] != "1" || last[4] != "1" || last[5] != "1" {
			t.Fatalf("total %v", last)
		}
	})
}

// hiddenValue is the value of the hidden input named name in a page.
func hiddenValue(t *testing.T, page, name string) string {
	t.Helper()
	marker := `<input type="hidden" name="` + name + `" value="`
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no hidden %s", name)
	}
	rest := page[i+len(marker):]
	return rest[:strings.Index(rest, `"`)]
}
