package visits_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/xuri/excelize/v2"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
	"zoufang/visits"
)

// TestBookOfAFullMonth: a month of 40,000 visits (a district's, about) is
// a book that renders, part by part, and a workbook that holds every visit.
// The visits are written as rows, as the generator writes a district, and
// the running figures rebuilt from them.
func TestBookOfAFullMonth(t *testing.T) {
	if testing.Short() {
		t.Skip("a month of 40,000 visits; not in -short")
	}
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	cst := station.DefaultSettings().Location()

	const officers, total = 8, 40_000
	offs := []*core.Record{env.OfficerA}
	for i := 1; i < officers; i++ {
		offs = append(offs, env.NewOfficer(strconv.Itoa(200001+i), fmt.Sprintf("民警%d", i), station.RoleOfficer, env.CommunityA))
	}
	var hs []*households.Household
	for i := range 40 {
		hs = append(hs, env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: fmt.Sprintf("大学路%d号", i+1), HeadName: "户主" + strconv.Itoa(i)}))
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, cst)
	err := env.App.RunInTransaction(func(tx core.App) error {
		for i := range total {
			at := month.Add(time.Duration(i) * (30 * 24 * time.Hour / total))
			id := fmt.Sprintf("bk%013d", i)
			_, err := tx.DB().Insert(visits.Collection, dbx.Params{
				"id": id, "household": hs[i%len(hs)].ID, "officer": offs[i%officers].Id,
				"visited_at": station.DBTime(at), "received_at": station.DBTime(at.Add(time.Minute)),
				"kind": visits.KindRoutine, "outcome": visits.OutcomeMet, "concerns": "[]",
				"notes": "第" + strconv.Itoa(i) + "次", "wechat_added": i%3 == 0, "wechat_new": i%5 == 0,
				"created": station.DBTime(at), "updated": station.DBTime(at),
			}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := visits.RebuildDays(ctx, env.App); err != nil {
		t.Fatal(err)
	}
	chief := env.SignIn(env.Chief)

	t.Run("every part renders, and the parts hold every visit once", func(t *testing.T) {
		parts := regexp.MustCompile(`data-parts="(\d+)"`)
		seen := map[string]bool{}
		rows, n := 0, 1
		for part := 1; part <= n; part++ {
			began := time.Now()
			res, body := chief.Get("/visits/book?month=2026-11&part=" + strconv.Itoa(part))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("part %d: status %d", part, res.StatusCode)
			}
			m := parts.FindStringSubmatch(body)
			if m == nil {
				t.Fatal("a book of 40,000 visits is not in parts")
			}
			n, _ = strconv.Atoi(m[1])
			for _, id := range regexp.MustCompile(`data-sheet="1/\d+" data-officer="([a-z0-9]+)"`).FindAllStringSubmatch(body, -1) {
				if seen[id[1]] {
					t.Errorf("officer %s is in two parts", id[1])
				}
				seen[id[1]] = true
			}
			rows += strings.Count(body, "<td>第")
			t.Logf("part %d of %d: %d bytes in %v", part, n, len(body), time.Since(began))
		}
		if rows != total {
			t.Errorf("the parts show %d visits, want %d", rows, total)
		}
		if len(seen) != officers {
			t.Errorf("the parts show %d officers' pages, want %d", len(seen), officers)
		}
	})
	t.Run("the workbook holds the whole month", func(t *testing.T) {
		began := time.Now()
		res, body := chief.Get("/visits/book.xlsx?month=2026-11")
		took := time.Since(began)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, s := range f.GetSheetList() {
			r, err := f.GetRows(s)
			if err != nil {
				t.Fatal(err)
			}
			got += len(r) - 2 // title and header
		}
		if got != total || len(f.GetSheetList()) != officers {
			t.Fatalf("%d rows on %d sheets, want %d on %d", got, len(f.GetSheetList()), total, officers)
		}
		t.Logf("XLSX of %d visits: %d bytes in %v", total, len(body), took)
	})
}
