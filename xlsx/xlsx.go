// Package xlsx writes workbooks of text straight to an io.Writer: each row
// goes into the zip as it is written, so a workbook of any length costs
// the memory of one row. excelize's StreamWriter keeps every sheet in
// memory until the workbook is written (up to 16 MiB each before it spills
// to a temporary file): the city's month book, a sheet per officer, held
// 500 MB of XML at once.
//
// It writes what the station's exports need and no more: text cells, a
// header style (bold on a pale blue fill), column widths and rows frozen
// at the top.
package xlsx

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Style is a cell style.
type Style int

const (
	// Plain is the default style.
	Plain Style = iota
	// Header is bold on a pale blue fill.
	Header
)

const (
	// MaxSheetName is the longest sheet name Excel opens.
	MaxSheetName = 31
	// MaxRows is the most rows a sheet Excel opens has.
	MaxRows = 1 << 20
)

// SheetOptions shape a sheet.
type SheetOptions struct {
	Widths []float64 // column widths, in characters, from column A
	Freeze int       // rows frozen at the top
}

// Workbook is a workbook being written. Its methods are not safe for
// concurrent use.
type Workbook struct {
	zw     *zip.Writer
	sheets []string
	cur    *bufio.Writer
	rows   int
	err    error
	closed bool
}

// New starts a workbook on w. Close finishes it (and does not close w).
func New(w io.Writer) *Workbook {
	// The index parts (content types, workbook, relationships) are
	// written at Close, when the sheets are known: a zip's order does
	// not matter to Excel.
	return &Workbook{zw: zip.NewWriter(w)}
}

// Sheet ends the sheet being written, if any, and starts the next. name
// must be unique in the workbook, non-empty, at most MaxSheetName
// characters and free of []:*?/\ (see SafeName).
func (b *Workbook) Sheet(name string, o SheetOptions) error {
	if b.err != nil {
		return b.err
	}
	if b.closed {
		return errors.New("xlsx: sheet after close")
	}
	if err := checkName(name, b.sheets); err != nil {
		b.err = err
		return err
	}
	b.endSheet()
	w, err := b.zw.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", len(b.sheets)+1))
	if err != nil {
		b.err = fmt.Errorf("xlsx: sheet %q: %w", name, err)
		return b.err
	}
	b.sheets = append(b.sheets, name)
	b.cur = bufio.NewWriterSize(w, 32<<10)
	b.rows = 0
	b.cur.WriteString(xml.Header + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`)
	if o.Freeze > 0 {
		fmt.Fprintf(b.cur, `<sheetViews><sheetView workbookViewId="0"><pane ySplit="%d" topLeftCell="A%d" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`, o.Freeze, o.Freeze+1)
	}
	if len(o.Widths) > 0 {
		b.cur.WriteString("<cols>")
		for i, wd := range o.Widths {
			fmt.Fprintf(b.cur, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, i+1, i+1, strconv.FormatFloat(wd, 'f', -1, 64))
		}
		b.cur.WriteString("</cols>")
	}
	b.cur.WriteString("<sheetData>")
	return nil
}

// Row appends a row of text cells in style s to the current sheet. An
// empty cell is left out; text that is not valid XML (control characters)
// is written as U+FFFD.
func (b *Workbook) Row(s Style, cells ...string) error {
	if b.err != nil {
		return b.err
	}
	if b.cur == nil {
		b.err = errors.New("xlsx: row before any sheet")
		return b.err
	}
	if b.rows == MaxRows {
		b.err = fmt.Errorf("xlsx: more than %d rows in a sheet", MaxRows)
		return b.err
	}
	b.rows++
	w := b.cur
	w.WriteString(`<row r="`)
	w.WriteString(strconv.Itoa(b.rows))
	w.WriteString(`">`)
	for i, c := range cells {
		if c == "" && s == Plain {
			continue
		}
		w.WriteString(`<c r="`)
		w.WriteString(column(i))
		w.WriteString(strconv.Itoa(b.rows))
		if s != Plain {
			w.WriteString(`" s="`)
			w.WriteString(strconv.Itoa(int(s)))
		}
		w.WriteString(`" t="inlineStr"><is><t`)
		if strings.TrimSpace(c) != c {
			w.WriteString(` xml:space="preserve"`)
		}
		w.WriteByte('>')
		if err := xml.EscapeText(w, []byte(c)); err != nil {
			b.err = fmt.Errorf("xlsx: row %d: %w", b.rows, err)
			return b.err
		}
		w.WriteString(`</t></is></c>`)
	}
	w.WriteString(`</row>`)
	return nil
}

// Close ends the last sheet and writes the workbook's index; a workbook
// with no sheet gets one empty sheet, since Excel opens none without.
func (b *Workbook) Close() error {
	if b.closed {
		return b.err
	}
	if b.err == nil && len(b.sheets) == 0 {
		b.Sheet("Sheet1", SheetOptions{})
	}
	b.closed = true
	b.endSheet()
	var types, wb, rels strings.Builder
	types.WriteString(contentTypes)
	for i := range b.sheets {
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
	}
	types.WriteString(`</Types>`)
	wb.WriteString(xml.Header + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
	rels.WriteString(xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, name := range b.sheets {
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, attr(name), i+1, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	wb.WriteString(`</sheets></workbook>`)
	fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, len(b.sheets)+1)
	b.part("[Content_Types].xml", types.String())
	b.part("_rels/.rels", rootRels)
	b.part("xl/workbook.xml", wb.String())
	b.part("xl/_rels/workbook.xml.rels", rels.String())
	b.part("xl/styles.xml", styles)
	if err := b.zw.Close(); err != nil && b.err == nil {
		b.err = fmt.Errorf("xlsx: %w", err)
	}
	return b.err
}

func (b *Workbook) endSheet() {
	if b.cur == nil {
		return
	}
	b.cur.WriteString(`</sheetData></worksheet>`)
	if err := b.cur.Flush(); err != nil && b.err == nil {
		b.err = fmt.Errorf("xlsx: %w", err)
	}
	b.cur = nil
}

func (b *Workbook) part(name, body string) {
	if b.err != nil {
		return
	}
	w, err := b.zw.Create(name)
	if err == nil {
		_, err = io.WriteString(w, body)
	}
	if err != nil {
		b.err = fmt.Errorf("xlsx: %s: %w", name, err)
	}
}

// SafeName makes s a valid sheet name not in used (≤ MaxSheetName
// characters, none of []:*?/\), numbering repeats, and adds it to used.
func SafeName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, strings.Trim(s, " '"))
	if s == "" || strings.EqualFold(s, "History") {
		s = "Sheet"
	}
	cut := func(s string, n int) string {
		if r := []rune(s); len(r) > n {
			return string(r[:n])
		}
		return s
	}
	name := cut(s, MaxSheetName)
	for i := 2; used[strings.ToLower(name)]; i++ {
		suffix := fmt.Sprintf(" %d", i)
		name = cut(s, MaxSheetName-len(suffix)) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

func checkName(name string, taken []string) error {
	switch {
	case name == "" || utf8.RuneCountInString(name) > MaxSheetName:
		return fmt.Errorf("xlsx: sheet name %q: 1 to %d characters", name, MaxSheetName)
	case strings.ContainsAny(name, `[]:*?/\`):
		return fmt.Errorf("xlsx: sheet name %q: none of []:*?/\\", name)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'") || strings.EqualFold(name, "History"):
		return fmt.Errorf("xlsx: sheet name %q: Excel refuses it", name)
	}
	for _, t := range taken {
		if strings.EqualFold(t, name) { // Excel compares sheet names without case
			return fmt.Errorf("xlsx: sheet name %q used twice", name)
		}
	}
	return nil
}

// column is the letters of the zero-based column i: A … Z, AA ….
func column(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

func attr(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(s)) // quotes too
	return sb.String()
}

// contentTypes opens [Content_Types].xml; Close adds a sheet's Override
// each, as Excel writes them.
const contentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
	`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`

const rootRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
	`</Relationships>`

// styles: cellXfs 0 is Plain, 1 is Header. Excel requires the first two
// fills to be none and gray125.
const styles = xml.Header + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF7"/></patternFill></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`
