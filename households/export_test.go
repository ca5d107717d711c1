package households_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zoufang/app/apptest"
	"zoufang/households"
)

func TestExportXLSX(t *testing.T) {
	t.Run("the workbook has a header row and one row per household", func(t *testing.T) {
		var buf bytes.Buffer
		hs := []*households.Household{{Address: "柳营巷12号", HeadName: "赵六", PhonesDisplay: []string{"139 1234 5678"}}, {Address: "吴牙街3号"}}
		if err := households.WriteXLSX(&buf, hs, households.Names{}, nil, time.UTC); err != nil {
			t.Fatal(err)
		}
		rows := xlsxRows(t, buf.Bytes())
		if len(rows) != 3 || rows[1][0] != "柳营巷12号" || rows[1][1] != "赵六" || rows[2][0] != "吴牙街3号" {
			t.Fatalf("rows = %q", rows)
		}
	})

	t.Run("the deputy chief's export lists the households the search would", func(t *testing.T) {
		env := apptest.New(t)
		env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街1号", HeadName: "甲"})
		env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区3幢", HeadName: "乙"})
		res, body := env.SignIn(env.Chief).Get("/households.xlsx")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		var got []string
		for _, r := range xlsxRows(t, []byte(body))[1:] {
			got = append(got, r[1])
		}
		if strings.Join(got, ",") != "甲,乙" && strings.Join(got, ",") != "乙,甲" {
			t.Fatalf("heads = %q", got)
		}
	})
}

func xlsxRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open workbook (%d bytes): %v", len(b), err)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
