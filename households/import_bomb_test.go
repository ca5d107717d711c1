package households

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"zoufang/station"
)

// bombXLSX is a workbook whose one sheet unpacks to about sheetBytes of
// XML: a header and then the same small row over and over, which deflate
// squeezes to almost nothing.
func bombXLSX(t testing.TB, sheetBytes int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	put("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	put("_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	head := `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row><c t="inlineStr"><is><t>社区</t></is></c><c t="inlineStr"><is><t>楼幢</t></is></c><c t="inlineStr"><is><t>电话</t></is></c></row>`
	row := `<row><c t="inlineStr"><is><t>吴牙社区</t></is></c><c t="inlineStr"><is><t>3幢</t></is></c><c><v>13800138000</v></c></row>`
	io.WriteString(w, head)
	chunk := strings.Repeat(row, 1000)
	for n := len(head); n < sheetBytes; n += len(chunk) {
		io.WriteString(w, chunk)
	}
	io.WriteString(w, `</sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImportStopsAtTheRowLimitBeforeUnzippingEverything: a small XLSX that
// unpacks to 100 MiB of rows is refused at the row limit, having read a
// few megabytes of it, not after holding all of it in memory.
//
// The allocation is read from the whole process's counters, which other
// goroutines add to, so the test is not parallel and keeps the least of
// three reads: noise only ever adds.
func TestImportStopsAtTheRowLimitBeforeUnzippingEverything(t *testing.T) {
	file := bombXLSX(t, 100<<20)
	t.Logf("upload %d KB unpacking to 100 MiB", len(file)>>10)
	if len(file) > MaxImportBytes {
		t.Fatalf("the bomb is %d bytes, over the upload limit: it would not test the reader", len(file))
	}
	var err error
	allocated := ^uint64(0)
	for range 3 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err = ReadRegistry(bytes.NewReader(file), "名册.xlsx")
		runtime.ReadMemStats(&after)
		allocated = min(allocated, after.TotalAlloc-before.TotalAlloc)
	}
	t.Logf("allocated %d MiB while reading", allocated>>20)

	t.Run("it is refused at the row limit with the clerk's message", func(t *testing.T) {
		if station.ErrorCode(err) != station.ETooLarge || !strings.Contains(err.Error(), fmt.Sprint(MaxImportRows)) {
			t.Fatalf("err = %v, want the too-many-rows refusal", err)
		}
	})
	t.Run("reading it allocated far less than the sheet unpacks to", func(t *testing.T) {
		if allocated > 64<<20 {
			t.Fatalf("allocated %d MiB for a 100 MiB sheet: it was unpacked, not streamed", allocated>>20)
		}
	})
}
