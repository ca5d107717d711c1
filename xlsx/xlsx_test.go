package xlsx

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestAWorkbookExcelizeReadsBack: what the writer writes opens in excelize
// (the library the station's tests and many tools read with) with every
// sheet, cell, style, width and frozen row as written, text of every kind
// included.
func TestAWorkbookExcelizeReadsBack(t *testing.T) {
	t.Parallel()
	tricky := []string{`<b>&"引号"</b>`, "  前后空格  ", "换\n行", "控制\x01字符", "😀 表情", "=SUM(A1)", ""}
	var buf bytes.Buffer
	b := New(&buf)
	names := []string{"李卫东 100001", "第二本 [已交接]"}
	used := map[string]bool{}
	safe0 := SafeName(names[0], used)
	if err := b.Sheet(safe0, SheetOptions{Widths: []float64{12, 28.5}, Freeze: 2}); err != nil {
		t.Fatal(err)
	}
	b.Row(Plain, "2026年11月 走访本")
	b.Row(Header, "日期", "地址", "户主")
	b.Row(Plain, tricky...)
	for i := range 30 {
		b.Row(Plain, fmt.Sprint(i), strings.Repeat("长", i))
	}
	safe1 := SafeName(names[1], used)
	if err := b.Sheet(safe1, SheetOptions{}); err != nil {
		t.Fatal(err)
	}
	b.Row(Plain, "只有一行")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("excelize cannot open it: %v", err)
	}
	defer f.Close()
	t.Run("the sheets are there, in order, with safe names", func(t *testing.T) {
		got := f.GetSheetList()
		if len(got) != 2 || got[0] != "李卫东 100001" || got[1] != "第二本 _已交接_" {
			t.Fatalf("sheets %q", got)
		}
	})
	t.Run("every cell reads back as written", func(t *testing.T) {
		rows, err := f.GetRows(safe0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 33 || rows[0][0] != "2026年11月 走访本" || rows[1][2] != "户主" {
			t.Fatalf("%d rows, first %q, header %q", len(rows), rows[0], rows[1])
		}
		want := []string{`<b>&"引号"</b>`, "  前后空格  ", "换\n行", "控制\uFFFD字符", "😀 表情", "=SUM(A1)"}
		for i, w := range want {
			if rows[2][i] != w {
				t.Errorf("cell %d = %q, want %q", i, rows[2][i], w)
			}
		}
		if rows[32][1] != strings.Repeat("长", 29) {
			t.Errorf("last row %q", rows[32])
		}
		if f, _ := f.GetCellFormula(safe0, "F3"); f != "" {
			t.Errorf("text that looks like a formula became one: %q", f)
		}
		other, _ := f.GetRows(safe1)
		if len(other) != 1 || other[0][0] != "只有一行" {
			t.Errorf("second sheet %q", other)
		}
	})
	t.Run("the header is bold on its fill, the title plain", func(t *testing.T) {
		id, _ := f.GetCellStyle(safe0, "B2")
		st, err := f.GetStyle(id)
		// (excelize reads a fill's colour only through a theme part, which
		// these workbooks do not carry; Excel reads the RGB as it is.)
		if err != nil || st.Font == nil || !st.Font.Bold || st.Fill.Type != "pattern" || st.Fill.Pattern != 1 {
			t.Fatalf("header style %d: %+v (%v)", id, st, err)
		}
		if id, _ := f.GetCellStyle(safe0, "A1"); id != 0 {
			t.Errorf("title style %d, want plain", id)
		}
	})
	t.Run("widths and frozen rows are kept", func(t *testing.T) {
		if w, _ := f.GetColWidth(safe0, "B"); w != 28.5 {
			t.Errorf("column B is %v wide", w)
		}
		p, err := f.GetPanes(safe0)
		if err != nil || !p.Freeze || p.YSplit != 2 || p.TopLeftCell != "A3" {
			t.Errorf("panes %+v (%v)", p, err)
		}
	})
}

// TestRowsGoOutAsTheyAreWritten: the workbook reaches its writer while it
// is being written, not at Close, so its length does not sit in memory.
func TestRowsGoOutAsTheyAreWritten(t *testing.T) {
	t.Parallel()
	var out countingWriter
	b := New(&out)
	for s := range 3 {
		if err := b.Sheet(fmt.Sprintf("民警%d", s), SheetOptions{Freeze: 1}); err != nil {
			t.Fatal(err)
		}
		for i := range 20000 {
			b.Row(Plain, "11-03 14:05", fmt.Sprintf("柳营巷%d号%d室", i, s), "张秀英", "日常走访", "邻里纠纷已调解；独居老人需关注", "见到", "新加", "已确认")
		}
	}
	before := out.n
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if before < out.n*9/10 {
		t.Fatalf("only %d of %d bytes had been written before Close", before, out.n)
	}
	if _, err := excelize.OpenReader(bytes.NewReader(out.buf.Bytes())); err != nil {
		t.Fatal(err)
	}
}

type countingWriter struct {
	buf bytes.Buffer
	n   int
}

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return w.buf.Write(p) }

// TestSheetNamesExcelRefuses: a name Excel would refuse is an error, not
// a workbook Excel cannot open; SafeName makes any text acceptable.
func TestSheetNamesExcelRefuses(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "a/b", "问号?", strings.Repeat("长", 32), "'引号", "history"} {
		b := New(&bytes.Buffer{})
		if err := b.Sheet(name, SheetOptions{}); err == nil {
			t.Errorf("%q was accepted", name)
		}
	}
	b := New(&bytes.Buffer{})
	_ = b.Sheet("王芳", SheetOptions{})
	if err := b.Sheet("王芳", SheetOptions{}); err == nil {
		t.Error("a name used twice was accepted")
	}
	used := map[string]bool{}
	for _, s := range []string{"王芳 100003", "王芳 100003", strings.Repeat("长", 40), "   ", "Ab", "aB", "'王'", "History"} {
		name := SafeName(s, used)
		if err := checkName(name, nil); err != nil {
			t.Errorf("SafeName(%q) = %q: %v", s, name, err)
		}
	}
	if len(used) != 8 {
		t.Errorf("SafeName gave %d distinct names for 8 inputs", len(used))
	}
	for range 120 { // past " 99", the number still fits
		if name := SafeName(strings.Repeat("长", 40), used); checkName(name, nil) != nil {
			t.Fatalf("repeat %q is not a valid name", name)
		}
	}
	if len(used) != 128 {
		t.Errorf("SafeName gave %d distinct names for 128 inputs", len(used))
	}
}

func TestColumnLetters(t *testing.T) {
	t.Parallel()
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := column(i); got != want {
			t.Errorf("column(%d) = %q, want %q", i, got, want)
		}
	}
}

// TestAnEmptyWorkbookOpens: no sheets written still makes a workbook
// Excel opens.
func TestAnEmptyWorkbookOpens(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := New(&buf).Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); len(got) != 1 {
		t.Fatalf("sheets %q", got)
	}
}

// TestASheetStopsAtExcelsLastRow: a row past the 1,048,576th is an error,
// not a workbook Excel would refuse to open.
func TestASheetStopsAtExcelsLastRow(t *testing.T) {
	t.Parallel()
	b := New(io.Discard)
	_ = b.Sheet("长表", SheetOptions{})
	for i := range MaxRows {
		if err := b.Row(Plain, "x"); err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
	}
	if err := b.Row(Plain, "one too many"); err == nil {
		t.Fatal("row 1,048,577 was accepted")
	}
}
