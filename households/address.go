package households

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// AddressKey normalises where a door is, so that one door is one household
// however a registry or an officer wrote it: "3幢", "3栋", "3#", "三号楼"
// and "３" are the same building; "1单元" and "一单元" the same unit; "301室"
// and "301" the same room. A dash or space between two numbers is kept, so
// "1-23幢" and "12-3幢", or room "301-1" and "3011", stay apart. The
// community is part of the key: 3幢1单元301 exists in every compound.
func AddressKey(community, building, unit, room string) string {
	return community + "|" + normBuilding(building) + "|" + normPart(unit, unitSuffixes) + "|" + normPart(room, roomSuffixes)
}

var (
	buildingSuffixes = []string{"号楼", "幢", "栋", "座", "楼", "号", "#"}
	unitSuffixes     = []string{"单元", "单"}
	roomSuffixes     = []string{"室", "房", "号", "户"}
	// Every Unicode white space counts (\s alone misses \v, NEL and the
	// Z categories, which TrimSpace strips: normPart must be idempotent).
	spaceRe    = regexp.MustCompile(`[\s\v\x{0085}\p{Z}\-‐‑–—_·．.。｡]+`) // 。 is ｡ once narrowed
	cnNumRe    = regexp.MustCompile(`[零〇一二两三四五六七八九十百]+`)
	leadZeroRe = regexp.MustCompile(`(^|\D)0+(\d)`)
)

func normBuilding(s string) string { return normPart(s, buildingSuffixes) }

// normPart folds width and case, turns Chinese numerals into digits, drops
// spaces and dashes (but keeps one "-" between two digits), a trailing
// suffix (幢, 单元, 室 …) and leading zeros.
func normPart(s string, suffixes []string) string {
	s = strings.ToLower(width.Narrow.String(strings.TrimSpace(s)))
	s = dropSeparators(s)
	s = cnNumRe.ReplaceAllStringFunc(s, func(m string) string {
		if n, ok := chineseNumber(m); ok {
			return strconv.Itoa(n)
		}
		return m
	})
	for changed := true; changed; {
		changed = false
		for _, suf := range suffixes {
			if strings.HasSuffix(s, suf) && len(s) > len(suf) {
				s = strings.TrimSuffix(s, suf)
				changed = true
			}
		}
	}
	s = leadZeroRe.ReplaceAllString(s, "$1$2")
	return s
}

// dropSeparators removes spaces, dashes and dots, except that a run of them
// between two digits becomes one "-": "12 号" is "12号" but "1-23" is not
// "12-3".
func dropSeparators(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range spaceRe.FindAllStringIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		if m[0] > 0 && m[1] < len(s) && isASCIIDigit(s[m[0]-1]) && isASCIIDigit(s[m[1]]) {
			b.WriteByte('-')
		}
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

// chineseNumber reads a Chinese numeral up to 999 (三, 十二, 二十, 一百零五,
// 两, 三〇一 digit by digit).
func chineseNumber(s string) (int, bool) {
	digits := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	if len(rs) == 0 {
		return 0, false
	}
	if !strings.ContainsAny(s, "十百") {
		// digit by digit: 三〇一 → 301
		n := 0
		for _, r := range rs {
			d, ok := digits[r]
			if !ok {
				return 0, false
			}
			n = n*10 + d
		}
		return n, true
	}
	total, cur := 0, 0
	for _, r := range rs {
		switch {
		case r == '百':
			if cur == 0 {
				cur = 1
			}
			total += cur * 100
			cur = 0
		case r == '十':
			if cur == 0 {
				cur = 1
			}
			total += cur * 10
			cur = 0
		default:
			d, ok := digits[r]
			if !ok {
				return 0, false
			}
			cur = d
		}
	}
	return total + cur, true
}

// DisplayAddress composes the address people read from its parts, e.g.
// "贡院小区 3幢1单元301室": a part that ends in a number or a letter (3, 三,
// B) gets its suffix (幢, 单元, 室), one that has a suffix is kept as written.
// Callers use it when no address was given.
func DisplayAddress(street, building, unit, room string) string {
	street = strings.TrimSpace(street)
	door := withSuffix(building, "幢", buildingSuffixes) + withSuffix(unit, "单元", unitSuffixes) + withSuffix(room, "室", roomSuffixes)
	if street != "" && door != "" {
		return street + " " + door
	}
	return street + door
}

func withSuffix(s, suffix string, known []string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	for _, k := range known {
		if strings.HasSuffix(s, k) {
			return s
		}
	}
	if r := []rune(s); endsInNumberOrLetter(r[len(r)-1]) {
		return s + suffix
	}
	return s
}

// endsInNumberOrLetter: a digit (any width), a Chinese numeral or a Latin
// letter (B座 written as B) is a bare number that needs its suffix.
func endsInNumberOrLetter(r rune) bool {
	return unicode.IsDigit(r) || unicode.Is(unicode.Latin, r) || strings.ContainsRune("零〇一二两三四五六七八九十百", r)
}
