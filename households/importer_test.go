package households_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
)

// messyHeader is a clerk's header: padded, synonyms, a note, an asterisk,
// an extra phone column and a 序号 column the import ignores.
var messyHeader = []string{"序号", " 社区 ", "网格", "楼栋", "单元", "房号", "户主姓名", "联系电话", "手机", "人数（必填）", "标签*", "备注"}

// messyRows is a station's registry as it comes: index i is file row i+1,
// nil is a blank line.
func messyRows() [][]string {
	return [][]string{
		messyHeader,
		{"1", "吴牙社区", "第一网格", "1幢", "1", "101", "张三", "13800000001", "", "3", "独居老人、出租房", "老住户"},
		nil,
		{"2", "wuya", "第二网格", "1栋", "一单元", "101室", "李四", "13800000009", "", "2", "", ""},
		{"3", "吴牙社区", "", "2幢", "1", "201", "王五", "13800000002/0571-87654321", "", "", "", ""},
		{"4", "吴牙社区", "", "9幢", "1", "901", "赵六", "", "138 0000 0002", "1", "", ""},
		{"5", "吴牙社区", "", "吴牙街5号", "1", "101", "钱八", "", "", "", "", ""},
		{"6", "吴牙社区", "", "7幢", "1", "101", "", "139-0000-0002", "", "", "", ""},
		{"7", "吴牙社区", "", "8幢", "1", "101", "", "12345", "", "", "", ""},
		{"8", "石桥社区", "", "1幢", "1", "101", "", "", "", "", "", ""},
		{"9", "贡院社区", "第二网格", "3幢", "1", "101", "", "", "", "", "", ""},
		{"10", "吴牙社区", "", "", "", "", "某某", "", "", "", "", ""},
		{"11", "吴牙社区", "", "10幢", "", "", "", "", "", "120", "外星人、独居老人", ""},
		{"", "", "", "", "", "", "", "", "", "", "", ""},
		{"13", "贡院社区", "第一网格", "3幢", "2", "302", "孙七", "13800000003", "", "4", "群居房", ""},
	}
}

// csvText writes rows as Excel writes a CSV: CRLF, blank rows as empty lines.
func csvText(t *testing.T, rows [][]string) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	for _, r := range rows {
		if r == nil {
			w.Flush()
			b.WriteString("\r\n")
			continue
		}
		if err := w.Write(r); err != nil {
			t.Fatalf("write csv: %v", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatalf("write csv: %v", err)
	}
	return b.String()
}

// gb18030CSV is the CSV as Excel saves it on Chinese Windows.
func gb18030CSV(t *testing.T, rows [][]string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(csvText(t, rows)))
	if err != nil {
		t.Fatalf("encode GB18030: %v", err)
	}
	if utf8.Valid(b) {
		t.Fatalf("got a GB18030 file that is valid UTF-8, want one that is not")
	}
	return b
}

// bomCSV is the CSV as Excel's "CSV UTF-8" saves it.
func bomCSV(t *testing.T, rows [][]string) []byte {
	t.Helper()
	return []byte("\ufeff" + csvText(t, rows))
}

// xlsxFile writes rows to the first sheet of a workbook, numbers as numbers,
// with a second sheet the import must ignore.
func xlsxFile(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "住户名册"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatalf("rename sheet: %v", err)
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		cells := make([]any, len(r))
		for j, c := range r {
			if n, err := strconv.ParseInt(c, 10, 64); err == nil && i > 0 {
				cells[j] = n // Excel keeps 13800000001 and 3 as numbers
			} else {
				cells[j] = c
			}
		}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &cells); err != nil {
			t.Fatalf("write row %d: %v", i+1, err)
		}
	}
	if _, err := f.NewSheet("说明"); err != nil {
		t.Fatalf("new sheet: %v", err)
	}
	if err := f.SetSheetRow("说明", "A1", &[]any{"社区", "楼幢"}); err != nil {
		t.Fatalf("write notes sheet: %v", err)
	}
	if err := f.SetSheetRow("说明", "A2", &[]any{"不要导入", "这一页"}); err != nil {
		t.Fatalf("write notes sheet: %v", err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatalf("write xlsx: %v", err)
	}
	return buf.Bytes()
}

type registryFile struct {
	kind, name string
	data       []byte
}

// messyFiles is the messy registry in every format a station sends.
func messyFiles(t *testing.T) []registryFile {
	t.Helper()
	rows := messyRows()
	return []registryFile{
		{"GB18030 CSV", "住户名册.csv", gb18030CSV(t, rows)},
		{"UTF-8 CSV with a BOM", "住户名册.CSV", bomCSV(t, rows)},
		{"XLSX workbook", "住户名册.xlsx", xlsxFile(t, rows)},
	}
}

func readRegistry(t *testing.T, f registryFile) []households.RegistryRow {
	t.Helper()
	rows, err := households.ReadRegistry(bytes.NewReader(f.data), f.name)
	if err != nil {
		t.Fatalf("read %s: %v", f.kind, err)
	}
	return rows
}

func planFile(t *testing.T, env *apptest.Env, officer *core.Record, f registryFile) *households.ImportPlan {
	t.Helper()
	plan, err := households.NewStore(env.App).PlanImport(context.Background(), apptest.Officer(officer), readRegistry(t, f))
	if err != nil {
		t.Fatalf("plan %s: %v", f.kind, err)
	}
	return plan
}

func rowAt(t *testing.T, plan *households.ImportPlan, line int) households.ImportRow {
	t.Helper()
	for _, r := range plan.Rows {
		if r.Row.Line == line {
			return r
		}
	}
	t.Fatalf("got no row for line %d, want one", line)
	return households.ImportRow{}
}

func lines(plan *households.ImportPlan) []int {
	var out []int
	for _, r := range plan.Rows {
		out = append(out, r.Row.Line)
	}
	return out
}

func countHouseholds(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	n, err := env.App.CountRecords(households.Collection)
	if err != nil {
		t.Fatalf("count households: %v", err)
	}
	return n
}

func reasonCodes(r households.ImportRow) []string {
	var out []string
	for _, x := range r.Reasons {
		out = append(out, x.Field+":"+x.Code)
	}
	return out
}

func reasonMessages(r households.ImportRow) string {
	var out []string
	for _, x := range r.Reasons {
		out = append(out, x.Message)
	}
	return strings.Join(out, " / ")
}

// seedRegistry registers the two households the messy file collides with.
func seedRegistry(t *testing.T, env *apptest.Env) (byAddress, byPhone *households.Household) {
	t.Helper()
	byAddress = env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街5号", Unit: "1", Room: "101", Phones: []string{"13900000001"}})
	byPhone = env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "6幢", Unit: "1", Room: "101", Phones: []string{"13900000002"}})
	return byAddress, byPhone
}

// householdByHead finds the active household whose head is name.
func householdByHead(t *testing.T, env *apptest.Env, name string) *households.Household {
	t.Helper()
	recs, err := env.App.FindAllRecords(households.Collection, dbx.HashExp{"head_name": name, "archived": false})
	if err != nil || len(recs) != 1 {
		t.Fatalf("households headed by %s: got %d (%v), want 1", name, len(recs), err)
	}
	return households.FromRecord(recs[0])
}

func TestImportReadsRegistryFiles(t *testing.T) {
	for _, f := range messyFiles(t) {
		t.Run("a "+f.kind+" is read with the clerk's row numbers and raw cells", func(t *testing.T) {
			rows := readRegistry(t, f)
			got := make([]int, len(rows))
			for i, r := range rows {
				got[i] = r.Line
			}
			if want := []int{2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15}; !slices.Equal(got, want) {
				t.Fatalf("got lines %v, want %v", got, want)
			}
			first := rows[0]
			want := households.RegistryRow{Line: 2, Community: "吴牙社区", Grid: "第一网格", Building: "1幢", Unit: "1", Room: "101", HeadName: "张三",
				Phones: []string{"13800000001"}, Residents: "3", Tags: "独居老人、出租房", Notes: "老住户"}
			if fmt.Sprint(first) != fmt.Sprint(want) {
				t.Errorf("got first row %+v, want %+v", first, want)
			}
			if got, want := rows[2].Phones, []string{"13800000002/0571-87654321"}; !slices.Equal(got, want) {
				t.Errorf("got line 5 phones %q, want %q", got, want)
			}
			if got, want := rows[3].Phones, []string{"138 0000 0002"}; !slices.Equal(got, want) {
				t.Errorf("got line 6 phones (from the 手机 column) %q, want %q", got, want)
			}
		})
	}

	t.Run("lenient headers with synonyms, brackets, asterisks and full-width spaces are recognised", func(t *testing.T) {
		rows := [][]string{
			{"　户主*　", "【社区名称】", "楼幢号", "单元号", "室号", "电话号码", "固定电话", "电话2", "居住人数", "人员类别", "说明", "网格名称"},
			{"周九", "贡院社区", "5幢", "2", "502", "13800000005", "0571-87654322", "13800000006", "2", "出租房,群居房", "租客多", "第一网格"},
		}
		got := readRegistry(t, registryFile{"CSV", "a.csv", []byte(csvText(t, rows))})
		want := []households.RegistryRow{{Line: 2, Community: "贡院社区", Grid: "第一网格", Building: "5幢", Unit: "2", Room: "502", HeadName: "周九",
			Phones: []string{"13800000005", "0571-87654322", "13800000006"}, Residents: "2", Tags: "出租房,群居房", Notes: "租客多"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})

	t.Run("a header under blank rows is found and rows with only a 序号 are skipped", func(t *testing.T) {
		text := "\r\n,,\r\n序号,社区,楼幢\r\n1,吴牙社区,1幢\r\n2,,\r\n3,吴牙社区,2幢\r\n"
		rows := readRegistry(t, registryFile{"CSV", "a.csv", []byte(text)})
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%d:%s", r.Line, r.Building))
		}
		if want := []string{"4:1幢", "6:2幢"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})

	t.Run("a quoted cell spanning two lines keeps later rows on their Excel row number", func(t *testing.T) {
		text := "社区,楼幢,备注\r\n吴牙社区,1幢,\"第一行\r\n第二行\"\r\n\r\n吴牙社区,2幢,\r\n"
		rows := readRegistry(t, registryFile{"CSV", "a.csv", []byte(text)})
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%d:%s", r.Line, r.Building))
		}
		if want := []string{"2:1幢", "4:2幢"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if got, want := rows[0].Notes, "第一行\n第二行"; got != want {
			t.Errorf("got notes %q, want %q", got, want)
		}
	})

	t.Run("a workbook without its extension is recognised by its zip signature", func(t *testing.T) {
		rows := readRegistry(t, registryFile{"XLSX", "upload", xlsxFile(t, messyRows())})
		if got, want := len(rows), 12; got != want {
			t.Errorf("got %d rows, want %d", got, want)
		}
	})

	refusals := []struct {
		name, file, text string
		want             []string
	}{
		{"a file without a 社区 column is refused in Chinese", "a.csv", "户主,楼幢\r\n张三,1幢\r\n", []string{"第 1 行", "“社区”"}},
		{"a file without a 楼幢 column is refused in Chinese", "a.csv", "\r\n社区,户主\r\n吴牙社区,张三\r\n", []string{"第 2 行", "“楼幢”"}},
		{"an empty file is refused", "a.csv", "\r\n,,\r\n", []string{"没有内容"}},
		{"an old .xls workbook is refused with advice to save it as .xlsx", "名册.xls", "\xd0\xcf\x11\xe0 binary", []string{".xlsx"}},
		{"a damaged workbook is refused", "名册.xlsx", "PK\x03\x04 not really", []string{"Excel"}},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			_, err := households.ReadRegistry(strings.NewReader(c.text), c.file)
			if got, want := station.ErrorCode(err), station.EInvalid; got != want {
				t.Fatalf("got code %q (%v), want %q", got, err, want)
			}
			var e *station.Error
			errors.As(err, &e)
			for _, w := range c.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("got message %q, want it to mention %q", e.Message, w)
				}
			}
		})
	}
}

// rowFate is what the dry run must say of one line of the messy file.
type rowFate struct {
	line    int
	status  string
	reasons []string // field:code
	mention []string // in the reasons' messages
	dupLine int      // an earlier row it duplicates
	dupOf   *households.Household
	dupBy   string
}

func TestImportPlanReportsEveryRowsFate(t *testing.T) {
	env := apptest.New(t)
	byAddress, byPhone := seedRegistry(t, env)
	fates := []rowFate{
		{line: 2, status: households.RowNew},
		{line: 4, status: households.RowDuplicate, reasons: []string{":duplicate_address"}, mention: []string{"第 2 行"}, dupLine: 2, dupBy: "address"},
		{line: 5, status: households.RowNew},
		{line: 6, status: households.RowDuplicate, reasons: []string{":duplicate_phone"}, mention: []string{"第 5 行", "138 0000 0002"}, dupLine: 5, dupBy: "phone"},
		{line: 7, status: households.RowDuplicate, reasons: []string{":duplicate_address"}, mention: []string{byAddress.ID, "吴牙街5号"}, dupOf: byAddress, dupBy: "address"},
		{line: 8, status: households.RowDuplicate, reasons: []string{":duplicate_phone"}, mention: []string{byPhone.ID, "139 0000 0002"}, dupOf: byPhone, dupBy: "phone"},
		{line: 9, status: households.RowInvalid, reasons: []string{"phones:phone_invalid"}, mention: []string{"电话：", "12345"}},
		{line: 10, status: households.RowInvalid, reasons: []string{"community:community_unknown"}, mention: []string{"社区：", "石桥社区"}},
		{line: 11, status: households.RowInvalid, reasons: []string{"grid:grid_mismatch"}, mention: []string{"网格：", "第二网格", "贡院社区"}},
		{line: 12, status: households.RowInvalid, reasons: []string{"building:required"}, mention: []string{"楼幢："}},
		{line: 13, status: households.RowInvalid, reasons: []string{"residents:range", "tags:tag_unknown"}, mention: []string{"人数：", "120", "标签：", "外星人"}},
		{line: 15, status: households.RowNew},
	}
	for _, f := range messyFiles(t) {
		t.Run("the dry run of a messy "+f.kind+" reports each row's fate and writes nothing", func(t *testing.T) {
			before := countHouseholds(t, env)
			plan := planFile(t, env, env.Chief, f)
			if got, want := countHouseholds(t, env), before; got != want {
				t.Errorf("got %d households after the dry run, want %d", got, want)
			}
			if got, want := lines(plan), []int{2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15}; !slices.Equal(got, want) {
				t.Fatalf("got lines %v, want %v", got, want)
			}
			if got, want := [3]int{plan.New, plan.Duplicate, plan.Invalid}, [3]int{3, 4, 5}; got != want {
				t.Errorf("got new/duplicate/invalid %v, want %v", got, want)
			}
			for _, want := range fates {
				got := rowAt(t, plan, want.line)
				if got.Status != want.status {
					t.Errorf("line %d: got status %q (%s), want %q", want.line, got.Status, reasonMessages(got), want.status)
					continue
				}
				if codes := reasonCodes(got); !slices.Equal(codes, want.reasons) {
					t.Errorf("line %d: got reasons %v (%s), want %v", want.line, codes, reasonMessages(got), want.reasons)
				}
				msgs := reasonMessages(got)
				for _, m := range want.mention {
					if !strings.Contains(msgs, m) {
						t.Errorf("line %d: got reasons %q, want them to mention %q", want.line, msgs, m)
					}
				}
				if want.status != households.RowDuplicate {
					if got.Duplicate != nil {
						t.Errorf("line %d: got duplicate %+v, want none", want.line, got.Duplicate)
					}
					continue
				}
				d := got.Duplicate
				if d == nil {
					t.Errorf("line %d: got no duplicate record, want one", want.line)
					continue
				}
				if d.By != want.dupBy || d.Line != want.dupLine {
					t.Errorf("line %d: got duplicate by %q of line %d, want by %q of line %d", want.line, d.By, d.Line, want.dupBy, want.dupLine)
				}
				if want.dupOf != nil && (d.HouseholdID != want.dupOf.ID || d.Address != want.dupOf.Address) {
					t.Errorf("line %d: got duplicate of %s %q, want %s %q", want.line, d.HouseholdID, d.Address, want.dupOf.ID, want.dupOf.Address)
				}
			}
			first := rowAt(t, plan, 2)
			if first.Input.Community != env.CommunityA || first.Input.Grid != env.GridA1 || first.Input.Residents != 3 {
				t.Errorf("line 2: got community %s grid %s residents %d, want %s %s 3", first.Input.Community, first.Input.Grid, first.Input.Residents, env.CommunityA, env.GridA1)
			}
			if got, want := first.Address, "1幢1单元101室"; got != want {
				t.Errorf("line 2: got address %q, want %q", got, want)
			}
		})
	}
}

func TestImportPlanReadsLooseCells(t *testing.T) {
	env := apptest.New(t)
	rows := [][]string{
		{"社区", "网格", "楼幢", "室", "人数", "标签", "电话", "电话2"},
		{"吴牙", "第一网格", "51幢", "1", "3人", "出租房，群居房;独居老人 / 空置房", "138 0013 8051", "０５７１－８７６５００５１"},
		{"吴牙社区", " 第二网格 ", "52幢", "1", "三", "", "", ""},
		{"ＷＵＹＡ", "", "53幢", "1", "两人", "", "", ""},
		{"吴牙社区", "", "54幢", "1", "很多", "", "", ""},
		{"吴牙社区", "第九网格", "55幢", "1", "", "", "", ""},
		{"吴牙社区", "", "56幢", "1", "", "", "0571-8765 0056 转 801", ""},
	}
	plan := planFile(t, env, env.OfficerA, registryFile{"CSV", "a.csv", bomCSV(t, rows)})

	t.Run("names without 社区, codes in any width and case, and padded grid names resolve", func(t *testing.T) {
		for line, grid := range map[int]string{2: env.GridA1, 3: env.GridA2, 4: ""} {
			got := rowAt(t, plan, line)
			if got.Status != households.RowNew || got.Input.Community != env.CommunityA || got.Input.Grid != grid {
				t.Errorf("line %d: got %s in %s/%s (%s), want new in %s/%s", line, got.Status, got.Input.Community, got.Input.Grid, reasonMessages(got), env.CommunityA, grid)
			}
		}
	})

	t.Run("a 人数 written with 人 or in Chinese numerals is read and tags split on any separator", func(t *testing.T) {
		for line, want := range map[int]int{2: 3, 3: 3, 4: 2} {
			if got := rowAt(t, plan, line).Input.Residents; got != want {
				t.Errorf("line %d: got %d residents, want %d", line, got, want)
			}
		}
		if got, want := rowAt(t, plan, 2).Input.Tags, []string{"出租房", "群居房", "独居老人", "空置房"}; !slices.Equal(got, want) {
			t.Errorf("got tags %q, want %q", got, want)
		}
		if got, want := rowAt(t, plan, 2).Input.Phones, []string{"138 0013 8051", "０５７１－８７６５００５１"}; !slices.Equal(got, want) {
			t.Errorf("got phones %q, want %q", got, want)
		}
	})

	loose := []struct {
		name, reason, mention string
		line                  int
	}{
		{"a 人数 that is not a number makes its row invalid", "residents:residents_nan", "很多", 5},
		{"a grid no community has makes its row invalid", "grid:grid_unknown", "第九网格", 6},
		{"a phone with an extension makes its row invalid and names the number", "phones:phone_extension", "转 801", 7},
	}
	for _, c := range loose {
		t.Run(c.name, func(t *testing.T) {
			got := rowAt(t, plan, c.line)
			if got.Status != households.RowInvalid || !slices.Equal(reasonCodes(got), []string{c.reason}) {
				t.Errorf("got %s %v, want invalid [%s]", got.Status, reasonCodes(got), c.reason)
			}
			if msg := reasonMessages(got); !strings.Contains(msg, c.mention) {
				t.Errorf("got %q, want it to mention %q", msg, c.mention)
			}
		})
	}
}

func TestImportCommit(t *testing.T) {
	ctx := context.Background()

	t.Run("committing without skipping writes nothing when any row has problems", func(t *testing.T) {
		env := apptest.New(t)
		seedRegistry(t, env)
		f := messyFiles(t)[0]
		plan := planFile(t, env, env.Chief, f)
		before := countHouseholds(t, env)
		res, err := households.NewStore(env.App).CommitImport(ctx, apptest.Officer(env.Chief), plan, false)
		if got, want := station.ErrorCode(err), station.EInvalid; got != want {
			t.Fatalf("got code %q (%v), want %q", got, err, want)
		}
		var e *station.Error
		errors.As(err, &e)
		if !strings.Contains(e.Message, "9 行") {
			t.Errorf("got message %q, want it to say 9 rows have problems", e.Message)
		}
		if got, want := countHouseholds(t, env), before; got != want {
			t.Errorf("got %d households, want %d (nothing written)", got, want)
		}
		if res == nil || res.Written != 0 || res.Plan == nil || res.Plan.Problems() != 9 {
			t.Errorf("got result %+v, want nothing written and the re-checked plan with 9 problems", res)
		}
	})

	t.Run("committing with skipping writes exactly the new rows", func(t *testing.T) {
		env := apptest.New(t)
		seedRegistry(t, env)
		f := messyFiles(t)[2] // the XLSX workbook
		plan := planFile(t, env, env.Chief, f)
		before := countHouseholds(t, env)
		res, err := households.NewStore(env.App).CommitImport(ctx, apptest.Officer(env.Chief), plan, true)
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		if res.Written != 3 || res.Skipped != 9 {
			t.Errorf("got written %d skipped %d, want 3 and 9", res.Written, res.Skipped)
		}
		if got, want := countHouseholds(t, env), before+3; got != want {
			t.Errorf("got %d households, want %d", got, want)
		}
		zhang := householdByHead(t, env, "张三")
		if zhang.Community != env.CommunityA || zhang.Grid != env.GridA1 || zhang.Residents != 3 || zhang.Notes != "老住户" ||
			!slices.Equal(zhang.Phones, []string{"+8613800000001"}) || !slices.Equal(zhang.Tags, []string{"独居老人", "出租房"}) {
			t.Errorf("got 张三 %+v, want 吴牙社区 第一网格, 3 residents, +8613800000001, 独居老人/出租房, 老住户", zhang)
		}
		wang := householdByHead(t, env, "王五")
		if !slices.Equal(wang.Phones, []string{"+8613800000002", "+8657187654321"}) || wang.Residents != 0 {
			t.Errorf("got 王五 phones %v residents %d, want both numbers and 0", wang.Phones, wang.Residents)
		}
		sun := householdByHead(t, env, "孙七")
		if sun.Community != env.CommunityB || sun.Grid != env.GridB1 {
			t.Errorf("got 孙七 in %s/%s, want %s/%s", sun.Community, sun.Grid, env.CommunityB, env.GridB1)
		}
		for _, name := range []string{"李四", "赵六", "钱八"} {
			if n, _ := env.App.CountRecords(households.Collection, dbx.HashExp{"head_name": name}); n != 0 {
				t.Errorf("got %d households headed by %s, want 0 (a skipped row)", n, name)
			}
		}
	})

	t.Run("a clean file commits every row and importing it again finds only duplicates", func(t *testing.T) {
		env := apptest.New(t)
		rows := [][]string{
			{"社区", "网格", "楼幢", "单元", "室", "户主", "电话", "人数", "标签"},
			{"吴牙社区", "第一网格", "11幢", "1", "101", "甲", "13800000011", "1", "独居老人"},
			{"吴牙社区", "第二网格", "11幢", "1", "102", "乙", "", "2", ""},
			{"gongyuan", "第一网格", "12幢", "2", "201", "丙", "0571-87650011", "", "出租房"},
		}
		f := registryFile{"XLSX", "clean.xlsx", xlsxFile(t, rows)}
		plan := planFile(t, env, env.Chief, f)
		if plan.New != 3 || plan.Problems() != 0 {
			t.Fatalf("got new %d problems %d, want 3 and 0", plan.New, plan.Problems())
		}
		before := countHouseholds(t, env)
		res, err := households.NewStore(env.App).CommitImport(ctx, apptest.Officer(env.Chief), plan, false)
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		if res.Written != 3 || res.Skipped != 0 || len(res.Changed) != 0 {
			t.Errorf("got written %d skipped %d changed %v, want 3, 0, none", res.Written, res.Skipped, res.Changed)
		}
		if got, want := countHouseholds(t, env), before+3; got != want {
			t.Errorf("got %d households, want %d", got, want)
		}
		again := planFile(t, env, env.Chief, f)
		if again.Duplicate != 3 {
			t.Errorf("got %d duplicates on a second import, want 3", again.Duplicate)
		}
		if _, err := households.NewStore(env.App).CommitImport(ctx, apptest.Officer(env.Chief), again, false); station.ErrorCode(err) != station.EInvalid {
			t.Errorf("got %v committing duplicates, want an %q error", err, station.EInvalid)
		}
		if got, want := countHouseholds(t, env), before+3; got != want {
			t.Errorf("got %d households after the refused second import, want %d", got, want)
		}
	})

	t.Run("a registry changed since the dry run is re-checked inside the transaction", func(t *testing.T) {
		env := apptest.New(t)
		rows := [][]string{
			{"社区", "楼幢", "单元", "室", "户主"},
			{"吴牙社区", "21幢", "1", "101", "甲"},
			{"吴牙社区", "21幢", "1", "102", "乙"},
			{"吴牙社区", "21幢", "1", "103", "丙"},
		}
		plan := planFile(t, env, env.OfficerA, registryFile{"CSV", "a.csv", bomCSV(t, rows)})
		if plan.New != 3 {
			t.Fatalf("got %d new rows, want 3", plan.New)
		}
		env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "21栋", Unit: "一", Room: "102室"})
		before := countHouseholds(t, env)
		store := households.NewStore(env.App)
		if _, err := store.CommitImport(ctx, apptest.Officer(env.OfficerA), plan, false); station.ErrorCode(err) != station.EInvalid {
			t.Fatalf("got %v, want an %q error: line 3 is now a duplicate", err, station.EInvalid)
		}
		if got, want := countHouseholds(t, env), before; got != want {
			t.Fatalf("got %d households after the refused commit, want %d", got, want)
		}
		res, err := store.CommitImport(ctx, apptest.Officer(env.OfficerA), plan, true)
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		if res.Written != 2 || !slices.Equal(res.Changed, []int{3}) {
			t.Errorf("got written %d changed %v, want 2 and [3]", res.Written, res.Changed)
		}
		if got, want := countHouseholds(t, env), before+2; got != want {
			t.Errorf("got %d households, want %d", got, want)
		}
	})

	t.Run("a row failing to save rolls back the rows saved before it", func(t *testing.T) {
		env := apptest.New(t)
		env.App.OnRecordCreateExecute(households.Collection).BindFunc(func(e *core.RecordEvent) error {
			if e.Record.GetString("head_name") == "坏行" {
				return errors.New("disk full")
			}
			return e.Next()
		})
		rows := [][]string{
			{"社区", "楼幢", "户主"},
			{"吴牙社区", "31幢", "甲"},
			{"吴牙社区", "32幢", "乙"},
			{"吴牙社区", "33幢", "坏行"},
		}
		plan := planFile(t, env, env.OfficerA, registryFile{"CSV", "a.csv", []byte(csvText(t, rows))})
		before := countHouseholds(t, env)
		res, err := households.NewStore(env.App).CommitImport(ctx, apptest.Officer(env.OfficerA), plan, true)
		if err == nil {
			t.Fatalf("got no error, want the failing row's")
		}
		if got, want := countHouseholds(t, env), before; got != want {
			t.Errorf("got %d households, want %d (every row rolled back)", got, want)
		}
		if res != nil && res.Written != 0 {
			t.Errorf("got written %d, want 0", res.Written)
		}
	})

	t.Run("committing no plan is refused", func(t *testing.T) {
		env := apptest.New(t)
		_, err := households.NewStore(env.App).CommitImport(ctx, apptest.Officer(env.OfficerA), &households.ImportPlan{}, true)
		if got, want := station.ErrorCode(err), station.EInvalid; got != want {
			t.Errorf("got code %q, want %q", got, want)
		}
	})
}

func TestImportOfficerArea(t *testing.T) {
	t.Run("an officer importing rows of a community outside their area gets those rows invalid", func(t *testing.T) {
		env := apptest.New(t)
		rows := [][]string{
			{"社区", "网格", "楼幢", "户主"},
			{"吴牙社区", "第一网格", "41幢", "甲"},
			{"贡院社区", "第一网格", "42幢", "乙"},
			{"GONGYUAN", "", "43幢", "丙"},
		}
		plan := planFile(t, env, env.OfficerA, registryFile{"CSV", "a.csv", gb18030CSV(t, rows)})
		if got := rowAt(t, plan, 2); got.Status != households.RowNew {
			t.Errorf("line 2: got %q (%s), want %q", got.Status, reasonMessages(got), households.RowNew)
		}
		for _, line := range []int{3, 4} {
			got := rowAt(t, plan, line)
			if got.Status != households.RowInvalid || !slices.Equal(reasonCodes(got), []string{"community:out_of_area"}) {
				t.Errorf("line %d: got %q %v, want invalid community:out_of_area", line, got.Status, reasonCodes(got))
			}
			if msg := reasonMessages(got); !strings.Contains(msg, "贡院社区") || !strings.Contains(msg, "辖区") {
				t.Errorf("line %d: got %q, want it to name 贡院社区 and the area", line, msg)
			}
		}
		before := countHouseholds(t, env)
		res, err := households.NewStore(env.App).CommitImport(context.Background(), apptest.Officer(env.OfficerA), plan, true)
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		if got, want := countHouseholds(t, env), before+1; got != want || res.Written != 1 {
			t.Errorf("got %d households (written %d), want %d (1)", got, res.Written, want)
		}
		if h := householdByHead(t, env, "甲"); h.Community != env.CommunityA {
			t.Errorf("got 甲 in %s, want %s", h.Community, env.CommunityA)
		}
	})
}

func TestImportTenThousandRows(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	t.Run("a registry of ten thousand rows plans and commits in one go", func(t *testing.T) {
		env := apptest.New(t)
		rows := [][]string{{"社区", "网格", "楼幢", "单元", "室", "户主", "电话", "人数", "标签"}}
		for i := range 10000 {
			rows = append(rows, []string{"吴牙社区", "第一网格", fmt.Sprintf("%d幢", i/100+1), strconv.Itoa(i/20%5 + 1), strconv.Itoa(101 + i%20),
				"户主" + strconv.Itoa(i), fmt.Sprintf("137%08d", i), "2", "出租房"})
		}
		f := registryFile{"CSV", "big.csv", gb18030CSV(t, rows)}
		start := time.Now()
		plan := planFile(t, env, env.OfficerA, f)
		planned := time.Since(start)
		if plan.New != 10000 {
			t.Fatalf("got %d new rows, want 10000 (first reasons: %v)", plan.New, reasonMessages(plan.Rows[0]))
		}
		start = time.Now()
		res, err := households.NewStore(env.App).CommitImport(context.Background(), apptest.Officer(env.OfficerA), plan, false)
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		t.Logf("plan %v, commit %v", planned, time.Since(start))
		if res.Written != 10000 {
			t.Errorf("got %d written, want 10000", res.Written)
		}
	})
}
