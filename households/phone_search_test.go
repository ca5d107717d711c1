package households

import (
	"strings"
	"testing"

	"zoufang/station"
)

// TestPhoneSearchFindsFragments checks station.PhoneSearchForms' promise: what an
// officer types of a number, as searchTerms cleans it, is in the forms.
func TestPhoneSearchFindsFragments(t *testing.T) {
	tests := []struct {
		name, e164, typed string
	}{
		{"the start of a mobile finds it", "+8613800138000", "138001"},
		{"the last four digits of a mobile find it", "+8613800138000", "8000"},
		{"a mobile typed with +86 finds it", "+8613800138000", "+86 138 0013 8000"},
		{"a mobile typed in full-width digits finds it", "+8613800138000", "１３８００１３８"},
		{"the area code and start of a fixed line find it", "+8657187654321", "0571876"},
		{"the local number typed with a space finds the fixed line", "+8657187654321", "8765 4321"},
		{"the local number typed with a dash finds the fixed line", "+8657187654321", "8765-4321"},
		{"a fixed line typed with the area code in brackets finds it", "+8657187654321", "(0571) 8765"},
		{"a Hong Kong number typed with +852 finds it", "+85291234567", "+852 9123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hay := strings.Join(station.PhoneSearchForms(tt.e164), " ")
			terms := searchTerms(tt.typed)
			if len(terms) != 1 || !strings.Contains(hay, terms[0]) {
				t.Errorf("searchTerms(%q) = %q, not found in %q", tt.typed, terms, hay)
			}
		})
	}
}
