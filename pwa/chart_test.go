package pwa

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	g "maragu.dev/gomponents"
)

func render(t *testing.T, n g.Node) string {
	t.Helper()
	var b strings.Builder
	if err := n.Render(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestBarChartDrawsTheFigures: bar heights are proportional to the values,
// every value is in the table under the chart, and two charts on one page
// do not share a hatch.
func TestBarChartDrawsTheFigures(t *testing.T) {
	out := render(t, BarChart("走访趋势", []string{"a", "b", "c"},
		Series{Name: "走访", Values: []int{0, 5, 10}, Class: "s1"},
		Series{Name: "见面", Values: []int{0, 2, 4}, Class: "s2"}))
	heights := map[string]float64{}
	for _, m := range regexp.MustCompile(`<rect class="bar (s\d)"[^>]*height="([\d.]+)"><title>(\S+) \S+ (\d+)</title>`).FindAllStringSubmatch(out, -1) {
		h, _ := strconv.ParseFloat(m[2], 64)
		heights[m[1]+m[3]] = h
	}
	if len(heights) != 6 {
		t.Fatalf("%d bars:\n%s", len(heights), out)
	}
	if heights["s1a"] != 0 || heights["s1c"] != 2*heights["s1b"] || heights["s2c"] != 2*heights["s2b"] || heights["s1c"] <= heights["s2c"] {
		t.Fatalf("heights %v", heights)
	}
	for _, cell := range []string{`<td class="num">10</td>`, `<td class="num">4</td>`} {
		if !strings.Contains(out, cell) {
			t.Errorf("table lacks %s", cell)
		}
	}
	other := render(t, BarChart("评分分布", []string{"1★"}, Series{Name: "n", Values: []int{1}, Class: "s2"}))
	id := regexp.MustCompile(`pattern id="([^"]+)"`)
	if a, b := id.FindStringSubmatch(out)[1], id.FindStringSubmatch(other)[1]; a == b || !strings.Contains(other, `fill="url(#`+b+`)"`) {
		t.Fatalf("hatches %q and %q", a, b)
	}
}
