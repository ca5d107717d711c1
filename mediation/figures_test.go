package mediation_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zoufang/mediation"
)

// TestFigures checks the figures against cases counted by hand.
func TestFigures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := officer(f.OfficerA)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	day := func(s string) time.Time {
		t.Helper()
		d, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	type c struct {
		opened, closed, status, category, room string
		mediators                              []string
	}
	// 2025: 13 cases. Settled 7 (0, 0, 1, 2, 3, 5 and 10 days: median 2),
	// failed 1, referred 2, withdrawn 1, open 2. Rate 7 / (7 + 1) = 87.5 %.
	cases := []c{
		{"2025-03-03 09:00", "2025-03-03 17:00", mediation.StatusSettled, mediation.CategoryNeighbour, f.RoomA, []string{f.MedVolunteer}},
		{"2025-03-04 23:30", "2025-03-04 23:50", mediation.StatusSettled, mediation.CategoryNeighbour, f.RoomA, []string{f.MedVolunteer}},
		{"2025-03-10 09:00", "2025-03-11 09:00", mediation.StatusSettled, mediation.CategoryNeighbour, f.RoomA, nil},
		// Opened late on the 20th, closed early on the 22nd: two days in
		// Hangzhou (in UTC both fall a day earlier).
		{"2025-03-20 23:00", "2025-03-22 01:00", mediation.StatusSettled, mediation.CategoryFamily, f.StationRoom, []string{f.MedPolice, f.MedVolunteer}},
		{"2025-03-25 09:00", "2025-03-28 09:00", mediation.StatusSettled, mediation.CategoryFamily, f.StationRoom, []string{f.MedPolice}},
		{"2025-06-01 09:00", "2025-06-06 09:00", mediation.StatusSettled, mediation.CategoryFamily, f.StationRoom, nil},
		{"2025-06-02 09:00", "2025-06-12 09:00", mediation.StatusSettled, mediation.CategoryTenancy, f.StationRoom, []string{f.MedPolice}},
		{"2025-06-03 09:00", "2025-06-30 09:00", mediation.StatusFailed, mediation.CategoryNeighbour, f.RoomA, []string{f.MedVolunteer}},
		{"2025-06-04 09:00", "2025-06-05 09:00", mediation.StatusReferred, mediation.CategoryLabour, f.StationRoom, nil},
		{"2025-06-05 09:00", "2025-06-05 10:00", mediation.StatusReferred, mediation.CategoryTraffic, f.StationRoom, nil},
		{"2025-06-06 09:00", "2025-06-08 09:00", mediation.StatusWithdrawn, mediation.CategoryTenancy, f.StationRoom, nil},
		{"2025-12-30 09:00", "", mediation.StatusOpen, mediation.CategoryNeighbour, f.RoomA, nil},
		// 2026-01-01 00:30 in Hangzhou is still 2025 in UTC: a 2026 case.
		{"2026-01-01 00:30", "", mediation.StatusOpen, mediation.CategoryNeighbour, f.RoomA, nil},
		{"2025-12-31 10:00", "", mediation.StatusOpen, mediation.CategoryOther, f.RoomA, nil},
		// Another year, to show apart.
		{"2024-05-05 09:00", "2024-05-05 12:00", mediation.StatusSettled, mediation.CategoryOther, f.StationRoom, nil},
	}
	for _, x := range cases {
		in := f.input()
		in.OpenedAt, in.Category, in.Room, in.Mediators = day(x.opened), x.category, x.room, x.mediators
		d := f.create(t, f.OfficerA, in)
		if x.status == mediation.StatusOpen {
			continue
		}
		if _, err := f.Store.Close(f.ctx, a, d.ID, mediation.CloseInput{Status: x.status, Outcome: "结果", ClosedAt: day(x.closed)}); err != nil {
			t.Fatal(err)
		}
	}
	// One case of community B, led by officer B: not officer A's.
	inB := f.input()
	inB.Community, inB.Household, inB.Room, inB.OpenedAt = f.CommunityB, "", f.RoomB, day("2025-03-05 09:00")
	inB.Parties[0].Household, inB.Mediators = "", nil
	f.create(t, f.OfficerB, inB)

	fig, err := f.Store.Figures(f.ctx, officer(f.Chief), 2025)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the year's totals and success rate are the hand count's", func(t *testing.T) {
		tot := fig.Total
		if tot.Cases != 14 || tot.Settled != 7 || tot.Failed != 1 || tot.Referred != 2 || tot.Withdrawn != 1 || tot.Open != 3 {
			t.Fatalf("total %+v", tot)
		}
		if r, ok := tot.Rate(); !ok || r != 0.875 || tot.RateText() != "87.5%" {
			t.Fatalf("rate %v %v %q", r, ok, tot.RateText())
		}
		if m, ok := tot.MedianDays(); !ok || m != 2 {
			t.Fatalf("median %v %v", m, ok)
		}
	})
	t.Run("cases count in their Hangzhou month", func(t *testing.T) {
		if got := fig.Months[2].Cases; got != 6 { // March: five of A's and B's one
			t.Errorf("March %d, want 6", got)
		}
		if got := fig.Months[5].Cases; got != 6 {
			t.Errorf("June %d, want 6", got)
		}
		if got := fig.Months[11].Cases; got != 2 {
			t.Errorf("December %d, want 2", got)
		}
		if got := fig.Months[0].Cases; got != 0 {
			t.Errorf("January %d, want 0 (the New Year's case is 2026's)", got)
		}
	})
	t.Run("by category, room and mediator", func(t *testing.T) {
		byKey := func(rows []mediation.FigureRow) map[string]mediation.FigureRow {
			m := map[string]mediation.FigureRow{}
			for _, r := range rows {
				m[r.Key] = r
			}
			return m
		}
		cat := byKey(fig.ByCategory)
		if n := cat[mediation.CategoryNeighbour]; n.Cases != 6 || n.Settled != 3 || n.Failed != 1 || n.RateText() != "75.0%" {
			t.Errorf("neighbour %+v %s", n.Tally, n.RateText())
		}
		if fam := cat[mediation.CategoryFamily]; fam.Settled != 3 || fam.RateText() != "100.0%" || fam.MedianText() != "3 天" {
			t.Errorf("family %+v %s %s", fam.Tally, fam.RateText(), fam.MedianText())
		}
		if lab := cat[mediation.CategoryLabour]; lab.Referred != 1 || lab.RateText() != "—" {
			t.Errorf("labour %+v %s", lab.Tally, lab.RateText())
		}
		room := byKey(fig.ByRoom)
		if r := room[f.RoomA]; r.Cases != 6 || r.Settled != 3 || r.Failed != 1 || r.Label != "六心工作室" {
			t.Errorf("六心 %+v", r)
		}
		if r := room[f.StationRoom]; r.Cases != 7 || r.Settled != 4 {
			t.Errorf("station room %+v", r)
		}
		med := byKey(fig.ByMediator)
		if m := med[f.MedVolunteer]; m.Cases != 4 || m.Settled != 3 || m.Failed != 1 || m.MedianText() != "0 天" {
			t.Errorf("潘美华 %+v %s", m.Tally, m.MedianText())
		}
		if m := med[f.MedPolice]; m.Cases != 3 || m.Settled != 3 || m.MedianText() != "3 天" {
			t.Errorf("赵智勇 %+v %s", m.Tally, m.MedianText())
		}
	})
	t.Run("every year is shown apart", func(t *testing.T) {
		got := map[string]int{}
		for _, r := range fig.ByYear {
			got[r.Key] = r.Cases
		}
		if got["2024"] != 1 || got["2025"] != 14 || got["2026"] != 1 || len(fig.ByYear) != 3 {
			t.Fatalf("by year %v", got)
		}
	})
	t.Run("an officer's figures count only the cases they see", func(t *testing.T) {
		fa, err := f.Store.Figures(f.ctx, a, 2025)
		if err != nil || fa.Total.Cases != 13 {
			t.Fatalf("officer A counts %d (%v)", fa.Total.Cases, err)
		}
		fb, _ := f.Store.Figures(f.ctx, officer(f.OfficerB), 2025)
		if fb.Total.Cases != 1 {
			t.Fatalf("officer B counts %d", fb.Total.Cases)
		}
	})
	t.Run("an empty year is zeros, not errors", func(t *testing.T) {
		empty, err := f.Store.Figures(f.ctx, officer(f.Chief), 2019)
		if err != nil || empty.Total.Cases != 0 || empty.Total.RateText() != "—" || empty.Total.MedianText() != "—" || len(empty.Months) != 12 {
			t.Fatalf("%+v %v", empty.Total, err)
		}
	})
	t.Run("the figures page states the formula and the XLSX has Chinese headers and full dates", func(t *testing.T) {
		chief := f.SignIn(f.Chief)
		res, body := chief.Get("/disputes/figures?year=2025")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "调解成功率 = 调解成功 ÷（调解成功 + 调解不成）") || !strings.Contains(body, "87.5%") {
			t.Fatalf("page %d", res.StatusCode)
		}
		res, data := chief.Get("/disputes/figures.xlsx?year=2025")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(bytes.NewReader([]byte(data)))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if got := x.GetSheetList(); len(got) != 6 || got[0] != "按月" || got[5] != "案件清单" {
			t.Fatalf("sheets %v", got)
		}
		rows, _ := x.GetRows("按类别")
		if rows[3][0] != "类别" || rows[3][4] != "成功率" || !strings.Contains(rows[1][0], "调解成功率 =") {
			t.Fatalf("category sheet head %v / %v", rows[1], rows[3])
		}
		list, _ := x.GetRows("案件清单")
		if list[0][0] != "编号" || len(list) != 15 {
			t.Fatalf("case list %d rows, head %v", len(list), list[0])
		}
		found := false
		for _, r := range list[1:] {
			if r[1] == "2025-03-20" && r[2] == "2025-03-22" && r[3] == "2" {
				found = true
			}
		}
		if !found {
			t.Fatalf("no row with full dates 2025-03-20 → 2025-03-22, 2 days: %v", list[1:])
		}
		for _, sheet := range x.GetSheetList() {
			rows, _ := x.GetRows(sheet)
			for _, r := range rows {
				if s := strings.Join(r, " "); strings.Contains(s, "王小红") || strings.Contains(s, "8765") {
					t.Fatalf("sheet %s carries party details: %s", sheet, s)
				}
			}
		}
	})
	t.Run("a bad year is refused", func(t *testing.T) {
		res, _ := f.SignIn(f.Chief).Get("/disputes/figures?year=abc")
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}
