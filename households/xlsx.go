package households

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
)

// The registry's XLSX reader streams the first worksheet's XML straight
// out of the zip: rows reach the caller as they are unzipped, and reading
// stops when the caller says so (at the row limit), so a small upload that
// unpacks to gigabytes is refused after a few megabytes, never held in
// memory. It reads what a registry holds (text, numbers, booleans) and
// ignores styles: a date cell arrives as Excel's serial number.

// Bounds on what one workbook may make the reader do.
const (
	xlsxMaxPartBytes    = 8 << 20   // workbook.xml and its relationships
	xlsxMaxSharedBytes  = 64 << 20  // the shared strings table, unzipped
	xlsxMaxSharedCount  = 1 << 21   // strings in it
	xlsxMaxSheetBytes   = 256 << 20 // the worksheet, unzipped (the row limit usually stops far sooner)
	xlsxMaxRows         = 1 << 20   // rows read, blank ones included (Excel's own limit)
	xlsxMaxColumns      = 256       // cells kept per row; a registry has a dozen columns
	xlsxMaxCellBytes    = 32 << 10  // text kept per cell (Excel allows 32,767 characters)
	errXLSXTooLargeText = "xlsx: too large"
)

// errXLSXTooLarge is a workbook that unpacks beyond the bounds.
var errXLSXTooLarge = errors.New(errXLSXTooLargeText)

// readXLSXRows calls row for each row of the first worksheet of the
// workbook b, with its 1-based row number and its cells by column (blank
// rows are skipped by the file itself or arrive without cells), until row
// returns false or the sheet ends.
func readXLSXRows(b []byte, row func(line int, cells []string) bool) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	workbook := "xl/workbook.xml"
	if rels, err := readRels(files, "_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				workbook = resolvePart("", r.Target)
			}
		}
	}
	sheetID, err := firstSheetID(files, workbook)
	if err != nil {
		return err
	}
	dir, base := path.Split(workbook)
	rels, err := readRels(files, dir+"_rels/"+base+".rels")
	if err != nil {
		return err
	}
	sheet, shared := "", ""
	for _, r := range rels {
		switch {
		case r.ID == sheetID:
			sheet = resolvePart(dir, r.Target)
		case strings.HasSuffix(r.Type, "/sharedStrings"):
			shared = resolvePart(dir, r.Target)
		}
	}
	if sheet == "" || files[sheet] == nil {
		return fmt.Errorf("xlsx: first sheet %q not found", sheetID)
	}
	var strs []string
	if f := files[shared]; shared != "" && f != nil {
		if strs, err = readSharedStrings(f); err != nil {
			return err
		}
	}
	return readSheet(files[sheet], strs, row)
}

// resolvePart turns a relationship's target into a zip entry name.
func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return path.Clean(strings.TrimPrefix(target, "/"))
	}
	return path.Clean(path.Join(dir, target))
}

type rel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

func readRels(files map[string]*zip.File, name string) ([]rel, error) {
	f := files[name]
	if f == nil {
		return nil, fmt.Errorf("xlsx: %s missing", name)
	}
	var doc struct {
		Rels []rel `xml:"Relationship"`
	}
	if err := decodePart(f, &doc); err != nil {
		return nil, err
	}
	return doc.Rels, nil
}

// firstSheetID is the relationship id of the workbook's first sheet.
func firstSheetID(files map[string]*zip.File, name string) (string, error) {
	f := files[name]
	if f == nil {
		return "", fmt.Errorf("xlsx: workbook %s missing", name)
	}
	var doc struct {
		Sheets []struct {
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(f, &doc); err != nil {
		return "", err
	}
	if len(doc.Sheets) == 0 {
		return "", errors.New("xlsx: no sheet")
	}
	for _, a := range doc.Sheets[0].Attrs {
		if a.Name.Local == "id" && strings.Contains(a.Name.Space, "relationships") {
			return a.Value, nil
		}
	}
	return "", errors.New("xlsx: the first sheet has no relationship id")
}

// decodePart unmarshals a small part (workbook, relationships).
func decodePart(f *zip.File, v any) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: xlsxMaxPartBytes + 1}
	if err := xml.NewDecoder(lr).Decode(v); err != nil {
		if lr.N <= 0 {
			return errXLSXTooLarge
		}
		return fmt.Errorf("xlsx: %s: %w", f.Name, err)
	}
	return nil
}

// limited is a reader that fails, rather than ends, past its limit, so a
// part cut short is never mistaken for a complete one.
type limited struct {
	r io.Reader
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errXLSXTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// cellText collects the text of one cell or shared string, up to
// xlsxMaxCellBytes.
type cellText struct{ b []byte }

func (c *cellText) add(s []byte) {
	if room := xlsxMaxCellBytes - len(c.b); room > 0 {
		c.b = append(c.b, s[:min(len(s), room)]...)
	}
}

// readSharedStrings reads the shared strings table: each <si>'s text,
// plain or in rich-text runs, phonetic guides (<rPh>) left out.
func readSharedStrings(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	d := xml.NewDecoder(&limited{r: rc, n: xlsxMaxSharedBytes})
	var out []string
	var cur cellText
	inSI, inT, phonetic := false, false, 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			if errors.Is(err, errXLSXTooLarge) {
				return nil, err
			}
			return nil, fmt.Errorf("xlsx: shared strings: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI, cur.b = true, cur.b[:0]
			case "rPh":
				phonetic++
			case "t":
				inT = inSI && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if len(out) == xlsxMaxSharedCount {
					return nil, errXLSXTooLarge
				}
				out = append(out, string(cur.b))
				inSI = false
			case "rPh":
				phonetic--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				cur.add(t)
			}
		}
	}
}

// readSheet streams the worksheet's rows to row.
func readSheet(f *zip.File, strs []string, row func(line int, cells []string) bool) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(&limited{r: rc, n: xlsxMaxSheetBytes})
	var (
		cells          []string
		line, rows     int
		col            int    // column index of the current cell
		typ            string // its type attribute
		text           cellText
		inV, inIS, inT bool
		inRow          bool
	)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if errors.Is(err, errXLSXTooLarge) {
				return err
			}
			return fmt.Errorf("xlsx: sheet: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				line++
				if r := attr(t, "r"); r != "" {
					if n, err := strconv.Atoi(r); err == nil && n >= line {
						line = n
					}
				}
				if rows++; rows > xlsxMaxRows {
					return errXLSXTooLarge
				}
				cells, col, inRow = cells[:0], -1, true
			case "c":
				if !inRow {
					continue
				}
				col++
				if ref := attr(t, "r"); ref != "" {
					if c, ok := columnIndex(ref); ok && c >= col {
						col = c
					}
				}
				typ, text.b = attr(t, "t"), text.b[:0]
			case "v":
				inV = true
			case "is":
				inIS = true
			case "t":
				inT = inIS
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "is":
				inIS = false
			case "t":
				inT = false
			case "c":
				if !inRow || col >= xlsxMaxColumns {
					continue
				}
				v, err := cellValue(typ, string(text.b), strs)
				if err != nil {
					return err
				}
				for len(cells) < col {
					cells = append(cells, "")
				}
				cells = append(cells, v)
			case "row":
				inRow = false
				if !row(line, cells) {
					return nil
				}
			}
		case xml.CharData:
			if inRow && (inV || inT) {
				text.add(t)
			}
		}
	}
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// columnIndex reads the column of a cell reference ("C7" is 2).
func columnIndex(ref string) (int, bool) {
	n := 0
	i := 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			n = n*26 + int(c-'A') + 1
		case c >= 'a' && c <= 'z':
			n = n*26 + int(c-'a') + 1
		default:
			return n - 1, n > 0
		}
	}
	return n - 1, n > 0 && (i == len(ref) || ref[i] >= '0' && ref[i] <= '9')
}

// cellValue is a cell as Excel shows it in General format: shared and
// inline strings as written, numbers without a spurious ".0" or float
// noise, booleans as TRUE/FALSE.
func cellValue(typ, raw string, strs []string) (string, error) {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || i < 0 || i >= len(strs) {
			return "", fmt.Errorf("xlsx: shared string %q out of range", raw)
		}
		return strs[i], nil
	case "b":
		if strings.TrimSpace(raw) == "1" {
			return "TRUE", nil
		}
		return "FALSE", nil
	case "", "n":
		s := strings.TrimSpace(raw)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return s, nil
		}
		if f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return strconv.FormatInt(int64(f), 10), nil
		}
		return strconv.FormatFloat(f, 'g', 15, 64), nil
	}
	return raw, nil // inlineStr, str (a formula's text), d (ISO date), e (#N/A)
}
