package households

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"zoufang/station"
)

// FuzzAddressKey: an address key is computed for anything typed, and
// normalising a part is idempotent (a key computed from a normalised part
// is the same key).
func FuzzAddressKey(f *testing.F) {
	f.Add("贡院小区三号楼", "一单元", "0301室")
	f.Fuzz(func(t *testing.T, building, unit, room string) {
		k := AddressKey("c", building, unit, room)
		if !strings.HasPrefix(k, "c|") {
			t.Fatalf("AddressKey = %q", k)
		}
		for _, p := range []struct {
			s   string
			suf []string
		}{{building, buildingSuffixes}, {unit, unitSuffixes}, {room, roomSuffixes}} {
			once := normPart(p.s, p.suf)
			if twice := normPart(once, p.suf); twice != once {
				t.Fatalf("normPart(%q) = %q, again %q", p.s, once, twice)
			}
		}
		_ = DisplayAddress("", building, unit, room)
	})
}

// checkRegistry is what every registry reader must do with any input:
// rows with increasing line numbers within the limit, or a clerk's error
// (a station error with a Chinese message, never an internal one).
func checkRegistry(t *testing.T, data []byte, name string) {
	rows, err := ReadRegistry(bytes.NewReader(data), name)
	if err != nil {
		var se *station.Error
		if !errors.As(err, &se) || se.Code == station.EInternal || se.Message == "" {
			t.Fatalf("ReadRegistry(%s): %v is not a clear refusal", name, err)
		}
		return
	}
	if len(rows) > MaxImportRows {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		if r.Line < 1 || (i > 0 && r.Line <= rows[i-1].Line) {
			t.Fatalf("row %d has line %d after %d", i, r.Line, rows[max(i-1, 0)].Line)
		}
	}
}

// FuzzReadRegistryCSV: CSV in UTF-8, GB18030 or UTF-16, any delimiter.
// Seeds: testdata/fuzz/FuzzReadRegistryCSV.
func FuzzReadRegistryCSV(f *testing.F) {
	f.Add([]byte("社区,楼幢,单元,室,户主,电话\n吴牙社区,3幢,1,301,王建华,13800138000\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkRegistry(t, data, "名册.csv") })
}

// FuzzReadRegistryXLSX: workbooks, whole or broken. Seeds (small real
// workbooks): testdata/fuzz/FuzzReadRegistryXLSX.
func FuzzReadRegistryXLSX(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { checkRegistry(t, data, "名册.xlsx") })
}
