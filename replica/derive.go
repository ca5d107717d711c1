package replica

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"zoufang/station"
)

// The rules in this file are the field app's (pwa/static/js/cols.js),
// written again in Go so that the server knows, document by document,
// whether the phone will derive a field exactly as it is stored; where it
// would not, the page carries the stored value. They are deliberately
// narrower than the registry's own (households.AddressKey and friends,
// which fold widths, Unicode case and separators): they cover the plain
// addresses, names and Chinese numbers nearly every household has, and
// say "cannot" for the rest.

// derived is what the phone derives for field name of doc, if it can.
func derived(collection, name string, doc map[string]json.RawMessage) (json.RawMessage, bool) {
	if collection != "households" {
		return nil, false
	}
	str := func(k string) string {
		s, _ := asString(doc[k])
		return s
	}
	var phones []string
	_ = json.Unmarshal(doc["phones"], &phones)
	var v any
	ok := false
	switch name {
	case "address":
		v, ok = phoneAddress(str("building"), str("unit"), str("room")), true
	case "address_key":
		v, ok = phoneAddressKey(str("community"), str("building"), str("unit"), str("room"))
	case "search":
		v, ok = phoneSearch(str("address"), str("head_name"), str("building"), str("unit"), str("room"), phones, nil)
	case "phones_display":
		out := make([]string, len(phones))
		for i, p := range phones {
			if out[i], ok = phoneDisplay(p); !ok {
				break
			}
		}
		ok = ok || len(phones) == 0
		v = out
	}
	if !ok {
		return nil, false
	}
	b, err := json.Marshal(v)
	return b, err == nil
}

var (
	buildingEnds = []string{"号楼", "幢", "栋", "座", "楼", "号", "#"}
	unitEnds     = []string{"单元", "单"}
	roomEnds     = []string{"室", "房", "号", "户"}
)

const cnDigits = "零〇一二两三四五六七八九十百"

// phoneAddress is households.DisplayAddress of the door's parts, with a
// bare number's suffix for an ASCII digit or letter or a Chinese numeral.
func phoneAddress(building, unit, room string) string {
	return withEnd(building, "幢", buildingEnds) + withEnd(unit, "单元", unitEnds) + withEnd(room, "室", roomEnds)
}

func withEnd(s, end string, known []string) string {
	if s == "" {
		return ""
	}
	for _, k := range known {
		if strings.HasSuffix(s, k) {
			return s
		}
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	if isASCIIAlnum(r) || strings.ContainsRune(cnDigits, r) {
		return s + end
	}
	return s
}

func isASCIIAlnum(r rune) bool {
	return '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
}

// plainPart reports whether s is made of ASCII letters and digits and CJK
// ideographs only: there normalising is lower-casing, Chinese numbers,
// the suffix and leading zeros (households.normPart does no more).
func plainPart(s string) bool {
	for _, r := range s {
		if !isASCIIAlnum(r) && (r < 0x4e00 || r > 0x9fff) {
			return false
		}
	}
	return true
}

// phoneNorm is households.normPart of a plain part.
func phoneNorm(s string, ends []string) (string, bool) {
	if !plainPart(s) {
		return "", false
	}
	s = strings.ToLower(s)
	// Runs of Chinese numerals become digits.
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !strings.ContainsRune(cnDigits, rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && strings.ContainsRune(cnDigits, rs[j]) {
			j++
		}
		if n, ok := cnNumber(rs[i:j]); ok {
			b.WriteString(strconv.Itoa(n))
		} else {
			b.WriteString(string(rs[i:j]))
		}
		i = j
	}
	s = b.String()
	for changed := true; changed; {
		changed = false
		for _, e := range ends {
			if strings.HasSuffix(s, e) && len(s) > len(e) {
				s = strings.TrimSuffix(s, e)
				changed = true
			}
		}
	}
	return dropLeadZeros(s), true
}

// leadZeros are the zeros that lead a number (households.normPart).
var leadZeros = regexp.MustCompile(`(^|\D)0+(\d)`)

func dropLeadZeros(s string) string { return leadZeros.ReplaceAllString(s, "$1$2") }

var cnDigit = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// cnNumber reads a Chinese numeral up to 999 (households.chineseNumber).
func cnNumber(rs []rune) (int, bool) {
	digit := func(r rune) (int, bool) {
		d, ok := cnDigit[r]
		return d, ok
	}
	s := string(rs)
	if !strings.ContainsAny(s, "十百") {
		n := 0
		for _, r := range rs {
			d, ok := digit(r)
			if !ok {
				return 0, false
			}
			n = n*10 + d
		}
		return n, true
	}
	total, cur := 0, 0
	for _, r := range rs {
		switch r {
		case '百', '十':
			if cur == 0 {
				cur = 1
			}
			if r == '百' {
				total += cur * 100
			} else {
				total += cur * 10
			}
			cur = 0
		default:
			d, ok := digit(r)
			if !ok {
				return 0, false
			}
			cur = d
		}
	}
	return total + cur, true
}

// phoneAddressKey is households.AddressKey of plain parts.
func phoneAddressKey(community, building, unit, room string) (string, bool) {
	b, ok1 := phoneNorm(building, buildingEnds)
	u, ok2 := phoneNorm(unit, unitEnds)
	r, ok3 := phoneNorm(room, roomEnds)
	return community + "|" + b + "|" + u + "|" + r, ok1 && ok2 && ok3
}

// searchHint is, for a household whose search text the phone cannot
// derive only because a phone is foreign, the national digits of each of
// its phones: with them the phone derives it (a page carries the hint
// instead of the whole text).
func searchHint(doc map[string]json.RawMessage) (json.RawMessage, bool) {
	var phones []string
	if json.Unmarshal(doc["phones"], &phones) != nil || len(phones) == 0 {
		return nil, false
	}
	hint := make([]string, len(phones))
	for i, p := range phones {
		forms := station.PhoneSearchForms(p)
		if len(forms) != 2 {
			return nil, false
		}
		hint[i] = forms[1]
	}
	str := func(k string) string {
		s, _ := asString(doc[k])
		return s
	}
	d, ok := phoneSearch(str("address"), str("head_name"), str("building"), str("unit"), str("room"), phones, hint)
	if want, _ := asString(doc["search"]); !ok || d != want {
		return nil, false
	}
	b, err := json.Marshal(hint)
	return b, err == nil
}

// phoneSearch is the household's search text (households.searchText) when
// its parts are plain, its address and name need only ASCII lower-casing
// and its phones are Chinese, or their national digits are given.
func phoneSearch(address, head, building, unit, room string, phones, nationals []string) (string, bool) {
	b, ok1 := phoneNorm(building, buildingEnds)
	u, ok2 := phoneNorm(unit, unitEnds)
	r, ok3 := phoneNorm(room, roomEnds)
	if !ok1 || !ok2 || !ok3 {
		return "", false
	}
	parts := []string{address, head, b + "-" + u + "-" + r, b + u + r}
	for i, p := range phones {
		national, ok := cnNational(p)
		if nationals != nil {
			national, ok = nationals[i], strings.HasPrefix(p, "+")
		}
		if !ok {
			return "", false
		}
		parts = append(parts, p[1:], national)
	}
	return asciiLower(strings.Join(parts, " ")), true
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// cnNational is a Chinese number's national digits: a mobile's eleven, a
// fixed line's with the trunk 0.
func cnNational(e164 string) (string, bool) {
	rest, ok := strings.CutPrefix(e164, "+86")
	if !ok || !allDigits(rest) {
		return "", false
	}
	if rest[0] == '1' {
		return rest, true
	}
	return "0" + rest, true
}

// phoneDisplay is station.DisplayPhone of a Chinese mobile (138 0013 8000)
// or fixed line (0571 8765 4321, 010 6512 3456, 0571 876 5432).
func phoneDisplay(e164 string) (string, bool) {
	n, ok := cnNational(e164)
	if !ok {
		return "", false
	}
	switch {
	case n[0] == '1' && len(n) == 11:
		return n[:3] + " " + n[3:7] + " " + n[7:], true
	case n[0] == '0' && len(n) == 11 && (n[1] == '1' || n[1] == '2'):
		return n[:3] + " " + n[3:7] + " " + n[7:], true
	case n[0] == '0' && len(n) == 12:
		return n[:4] + " " + n[4:8] + " " + n[8:], true
	case n[0] == '0' && len(n) == 11:
		return n[:4] + " " + n[4:7] + " " + n[7:], true
	}
	return "", false
}
