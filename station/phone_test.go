package station

import (
	"slices"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		want     string // E.164
		wantCode string // problem code
	}{
		// Mainland mobiles, carrier by carrier.
		{"a China Mobile 138 mobile written plainly", "13800138000", "+8613800138000", ""},
		{"a China Mobile 159 mobile", "15912345678", "+8615912345678", ""},
		{"a China Unicom 166 mobile", "16612345678", "+8616612345678", ""},
		{"a China Telecom 177 mobile", "17712345678", "+8617712345678", ""},
		{"a China Unicom 186 mobile", "18612345678", "+8618612345678", ""},
		{"a China Telecom 199 mobile", "19912345678", "+8619912345678", ""},
		{"a China Broadnet 192 mobile", "19212345678", "+8619212345678", ""},
		{"a 170 virtual-operator mobile", "17012345678", "+8617012345678", ""},
		{"a mobile with leading and trailing spaces", "  13800138000 ", "+8613800138000", ""},

		// Mobiles with separators and country codes.
		{"a mobile grouped 3-4-4 with spaces", "138 0013 8000", "+8613800138000", ""},
		{"a mobile grouped with dashes", "138-0013-8000", "+8613800138000", ""},
		{"a mobile grouped with dots", "138.0013.8000", "+8613800138000", ""},
		{"a mobile with +86 and spaces", "+86 138 0013 8000", "+8613800138000", ""},
		{"a mobile with +86 and dashes", "+86-138-0013-8000", "+8613800138000", ""},
		{"a mobile with the 0086 international prefix", "0086 13800138000", "+8613800138000", ""},
		{"a mobile with 86 but no plus", "8613800138000", "+8613800138000", ""},
		{"a mobile with 86 and spaces but no plus", "86 138 0013 8000", "+8613800138000", ""},
		{"a mobile with (+86) in brackets", "(+86)13800138000", "+8613800138000", ""},
		{"a mobile with (+86) in full-width brackets", "（+86）13800138000", "+8613800138000", ""},
		{"a mobile in full-width digits", "１３８００１３８０００", "+8613800138000", ""},
		{"a mobile in full-width digits, full-width plus and ideographic spaces", "＋８６　１３８　００１３　８０００", "+8613800138000", ""},
		{"a mobile with a stray trunk 0 in front", "013800138000", "+8613800138000", ""},

		// Fixed lines with their area code.
		{"a Hangzhou fixed line 0571-8 digits", "0571-87654321", "+8657187654321", ""},
		{"a Hangzhou fixed line with the area code in brackets", "(0571)8765 4321", "+8657187654321", ""},
		{"a Hangzhou fixed line with the area code in full-width brackets", "（0571）87654321", "+8657187654321", ""},
		{"a Hangzhou fixed line with a space and a dash", "0571 8765-4321", "+8657187654321", ""},
		{"a Hangzhou fixed line written without separators", "057187654321", "+8657187654321", ""},
		{"a Hangzhou fixed line with +86 and no trunk 0", "+86 571 8765 4321", "+8657187654321", ""},
		{"a Hangzhou fixed line with +86 and the trunk 0 in brackets", "+86 (0)571 8765 4321", "+8657187654321", ""},
		{"a Hangzhou fixed line with 86 but no plus", "86-571-87654321", "+8657187654321", ""},
		{"a Hangzhou fixed line with 86 and the trunk 0", "86-0571-87654321", "+8657187654321", ""},
		{"a Hangzhou fixed line with 0086", "0086 571 87654321", "+8657187654321", ""},
		{"a Hangzhou fixed line missing a digit", "0571-8765432", "", PhoneInvalid},
		{"a Beijing fixed line 010", "010-62345678", "+861062345678", ""},
		{"a Beijing fixed line without separators", "01062345678", "+861062345678", ""},
		{"a Shanghai fixed line 021", "021-64123456", "+862164123456", ""},
		{"a Shanghai fixed line with +86", "+86 21 6412 3456", "+862164123456", ""},

		// Local landlines without an area code: which city?
		{"an 8-digit local landline without area code", "87654321", "", PhoneNoArea},
		{"an 8-digit local landline with a dash", "8765-4321", "", PhoneNoArea},
		{"an 8-digit local landline with a space", "8765 4321", "", PhoneNoArea},
		{"a 7-digit local landline of a smaller city", "8765432", "", PhoneNoArea},

		// Extensions cannot be stored.
		{"an extension written with 转", "0571-87654321转123", "", PhoneExtension},
		{"an extension written with 分机", "0571-87654321分机8001", "", PhoneExtension},
		{"an extension written with ext", "0571-87654321 ext 12", "", PhoneExtension},
		{"an extension written with ext. and capitals", "0571-87654321 EXT. 12", "", PhoneExtension},
		{"an extension written with x", "0571-87654321x12", "", PhoneExtension},
		{"an extension written with #", "0571-87654321#123", "", PhoneExtension},

		// Foreign residents.
		{"a Hong Kong mobile with +852", "+852 9123 4567", "+85291234567", ""},
		{"a Hong Kong mobile with 00852", "00852 9123 4567", "+85291234567", ""},
		{"a Korean mobile with +82", "+82 10-1234-5678", "+821012345678", ""},
		{"a Korean mobile with +82 and the trunk 0 kept", "+82 010-1234-5678", "+821012345678", ""},
		{"a Japanese mobile with +81", "+81 90-1234-5678", "+819012345678", ""},
		{"a US number with +1", "+1 650-253-0000", "+16502530000", ""},
		{"a UK mobile with +44", "+44 7912 345678", "+447912345678", ""},
		{"a UK mobile with +44 and the trunk (0)", "+44 (0)7912 345678", "+447912345678", ""},
		{"a UK mobile with 0044", "0044 7912 345678", "+447912345678", ""},
		{"a Hong Kong mobile without its country code is not a mainland number", "852 9123 4567", "", PhoneInvalid},

		// Not numbers.
		{"a mobile one digit short", "1380013800", "", PhoneInvalid},
		{"a mobile one digit long", "138001380001", "", PhoneInvalid},
		{"a mobile with the unassigned prefix 120", "12012345678", "", PhoneInvalid},
		{"a mobile with the unassigned prefix 123", "12345678901", "", PhoneInvalid},
		{"a mobile with the unassigned prefix 100", "10012345678", "", PhoneInvalid},
		{"letters", "abc", "", PhoneInvalid},
		{"a mobile with letter O for zero", "138OO138OOO", "", PhoneInvalid},
		{"a mobile behind tel:", "tel:13800138000", "", PhoneInvalid},
		{"an empty cell", "", "", PhoneInvalid},
		{"only spaces", "   ", "", PhoneInvalid},
		{"only dashes", "---", "", PhoneInvalid},
		{"only brackets", "()", "", PhoneInvalid},
		{"only a plus", "+", "", PhoneInvalid},
		{"the police emergency number", "110", "", PhoneInvalid},
		{"a bank's 5-digit service number", "95588", "", PhoneInvalid},
		{"two mobiles run together with one space", "13800138000 13900139000", "", PhoneInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, code := NormalizePhone(tt.raw)
			if got != tt.want || code != tt.wantCode {
				t.Errorf("NormalizePhone(%q) = (%q, %q), want (%q, %q)", tt.raw, got, code, tt.want, tt.wantCode)
			}
		})
	}
}

func TestSplitPhones(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want []string
	}{
		{"one number is one number", "13800138000", []string{"13800138000"}},
		{"an empty cell holds none", "", nil},
		{"a cell of spaces holds none", "   ", nil},
		{"a slash separates", "13800138000/0571-87654321", []string{"13800138000", "0571-87654321"}},
		{"a slash with spaces around separates", "13800138000 / 13900139000", []string{"13800138000", "13900139000"}},
		{"a full-width slash separates", "13800138000／13900139000", []string{"13800138000", "13900139000"}},
		{"an enumeration comma 、 separates", "13800138000、13900139000", []string{"13800138000", "13900139000"}},
		{"a full-width comma separates", "13800138000，13900139000", []string{"13800138000", "13900139000"}},
		{"an ASCII comma separates", "13800138000,13900139000", []string{"13800138000", "13900139000"}},
		{"a semicolon separates", "13800138000;13900139000", []string{"13800138000", "13900139000"}},
		{"a full-width semicolon separates", "13800138000；13900139000", []string{"13800138000", "13900139000"}},
		{"a vertical bar separates", "13800138000|13900139000", []string{"13800138000", "13900139000"}},
		{"a new line separates", "13800138000\n13900139000", []string{"13800138000", "13900139000"}},
		{"a Windows new line separates", "13800138000\r\n13900139000", []string{"13800138000", "13900139000"}},
		{"或 (or) separates", "13800138000或13900139000", []string{"13800138000", "13900139000"}},
		{"two spaces separate", "13800138000  13900139000", []string{"13800138000", "13900139000"}},
		{"two full-width spaces separate", "13800138000　　13900139000", []string{"13800138000", "13900139000"}},
		{"one space groups digits within a number", "138 0013 8000", []string{"138 0013 8000"}},
		{"one full-width space groups digits within a number", "１３８　００１３　８０００", []string{"１３８　００１３　８０００"}},
		{"a fixed line's brackets and dash stay", "(0571)8765-4321", []string{"(0571)8765-4321"}},
		{"three numbers with mixed separators", "13800138000/0571-87654321、+852 9123 4567", []string{"13800138000", "0571-87654321", "+852 9123 4567"}},
		{"doubled and trailing separators leave no empty parts", "13800138000//13900139000、", []string{"13800138000", "13900139000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SplitPhones(tt.raw); !slices.Equal(got, tt.want) {
				t.Errorf("SplitPhones(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestNormalizePhones(t *testing.T) {
	tests := []struct {
		name     string
		raws     []string
		want     []string
		wantCode string
		wantBad  string
	}{
		{"no cells give no phones", nil, nil, "", ""},
		{"empty cells give no phones", []string{"", "  "}, nil, "", ""},
		{"one mobile", []string{"13800138000"}, []string{"+8613800138000"}, "", ""},
		{"a mobile and a fixed line in one cell keep their order", []string{"13800138000/0571-87654321"}, []string{"+8613800138000", "+8657187654321"}, "", ""},
		{"the same mobile written two ways is kept once", []string{"13800138000", "+86 138-0013-8000"}, []string{"+8613800138000"}, "", ""},
		{"the same fixed line written two ways in one cell is kept once", []string{"0571-87654321、+86 571 8765 4321"}, []string{"+8657187654321"}, "", ""},
		{"five numbers are allowed", []string{"13800138000/13900139000/15912345678/18612345678/0571-87654321"},
			[]string{"+8613800138000", "+8613900139000", "+8615912345678", "+8618612345678", "+8657187654321"}, "", ""},
		{"six different numbers are too many", []string{"13800138000/13900139000/15912345678", "18612345678/0571-87654321/010-62345678"}, nil, PhoneTooMany, ""},
		{"six written numbers of which two are the same are five", []string{"13800138000/13900139000/15912345678", "18612345678/0571-87654321/138 0013 8000"},
			[]string{"+8613800138000", "+8613900139000", "+8615912345678", "+8618612345678", "+8657187654321"}, "", ""},
		{"a bad number is reported as written", []string{"13800138000", "1380013800"}, nil, PhoneInvalid, "1380013800"},
		{"the first of two bad numbers is reported", []string{"13800138000/87654321", "0571-87654321转8"}, nil, PhoneNoArea, "87654321"},
		{"an extension in a cell is reported", []string{"0571-87654321转123"}, nil, PhoneExtension, "0571-87654321转123"},
		{"a bad number is reported before too many", []string{"13800138000/13900139000/15912345678/18612345678/0571-87654321/010-62345678/abc"}, nil, PhoneInvalid, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, code, bad := NormalizePhones(tt.raws)
			if !slices.Equal(got, tt.want) || code != tt.wantCode || bad != tt.wantBad {
				t.Errorf("NormalizePhones(%q) = (%q, %q, %q), want (%q, %q, %q)", tt.raws, got, code, bad, tt.want, tt.wantCode, tt.wantBad)
			}
		})
	}
}

func TestDisplayPhone(t *testing.T) {
	tests := []struct {
		name, e164, want string
	}{
		{"a mainland mobile is grouped 3-4-4 without +86", "+8613800138000", "138 0013 8000"},
		{"a Hangzhou fixed line shows its area code with the trunk 0", "+8657187654321", "0571 8765 4321"},
		{"a Beijing fixed line shows 010", "+861062345678", "010 6234 5678"},
		{"a Shanghai fixed line shows 021", "+862164123456", "021 6412 3456"},
		{"a Hong Kong mobile is international", "+85291234567", "+852 9123 4567"},
		{"a Korean mobile is international", "+821012345678", "+82 10-1234-5678"},
		{"a Japanese mobile is international", "+819012345678", "+81 90-1234-5678"},
		{"a US number is international", "+16502530000", "+1 650-253-0000"},
		{"a UK mobile is international", "+447912345678", "+44 7912 345678"},
		{"an unparsable value is shown as stored", "not a phone", "not a phone"},
		{"nothing shows nothing", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DisplayPhone(tt.e164); got != tt.want {
				t.Errorf("DisplayPhone(%q) = %q, want %q", tt.e164, got, tt.want)
			}
		})
	}
}

func TestPhoneSearchForms(t *testing.T) {
	tests := []struct {
		name string
		e164 string
		want []string
	}{
		{"a mainland mobile is found by 86… and by its 11 digits", "+8613800138000", []string{"8613800138000", "13800138000"}},
		{"a Hangzhou fixed line is found by 86571… and by 0571…", "+8657187654321", []string{"8657187654321", "057187654321"}},
		{"a Beijing fixed line is found by 8610… and by 010…", "+861062345678", []string{"861062345678", "01062345678"}},
		{"a Hong Kong mobile is found by 852… and by its 8 digits", "+85291234567", []string{"85291234567", "91234567"}},
		{"a UK mobile is found by 44… and by its national 07…", "+447912345678", []string{"447912345678", "07912345678"}},
		{"a US number's national brackets and dash are dropped", "+16502530000", []string{"16502530000", "6502530000"}},
		{"an unparsable value is its own only form", "abc", []string{"abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PhoneSearchForms(tt.e164); !slices.Equal(got, tt.want) {
				t.Errorf("PhoneSearchForms(%q) = %q, want %q", tt.e164, got, tt.want)
			}
		})
	}
}
