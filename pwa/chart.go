package pwa

import (
	"fmt"
	"hash/fnv"
	"strconv"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"
)

// Series is one set of bars of a chart.
type Series struct {
	Name   string
	Values []int
	// Class styles the bars ("s1", "s2"): in print they are black and a
	// hatch, readable without colour.
	Class string
}

// BarChart draws grouped bars as inline SVG, in Go: no chart script, the
// same on screen and on paper. Labels name the groups (every few are
// written under the axis); the y axis has round ticks; each bar carries
// its figure as a tooltip and the table below it, for screen readers and
// for print, carries them all.
func BarChart(title string, labels []string, series ...Series) g.Node {
	const (
		w, hgt       = 720.0, 240.0
		left, bottom = 40.0, 28.0
		top, right   = 12.0, 8.0
	)
	maxV := 1
	for _, s := range series {
		for _, v := range s.Values {
			maxV = max(maxV, v)
		}
	}
	step := niceStep(maxV)
	top2 := ((maxV + step - 1) / step) * step
	plotW, plotH := w-left-right, hgt-top-bottom
	n := max(len(labels), 1)
	group := plotW / float64(n)
	barW := group * 0.8 / float64(max(len(series), 1))
	y := func(v int) float64 { return top + plotH - plotH*float64(v)/float64(top2) }
	// A page may hold several charts: each names its own hatch.
	fh := fnv.New32a()
	fh.Write([]byte(title))
	hatch := fmt.Sprintf("hatch-%x", fh.Sum32())
	fill := func(s Series) g.Node {
		if s.Class == "s2" {
			return g.Attr("fill", "url(#"+hatch+")")
		}
		return nil
	}
	var nodes []g.Node
	nodes = append(nodes, g.El("title", g.Text(title)))
	nodes = append(nodes, g.El("defs", g.El("pattern", g.Attr("id", hatch), g.Attr("width", "4"), g.Attr("height", "4"),
		g.Attr("patternUnits", "userSpaceOnUse"), g.Attr("patternTransform", "rotate(45)"),
		g.El("rect", g.Attr("width", "2"), g.Attr("height", "4"), g.Attr("class", "hatch")))))
	for v := 0; v <= top2; v += step {
		yy := fmt.Sprintf("%.1f", y(v))
		nodes = append(nodes,
			g.El("line", g.Attr("class", "grid"), g.Attr("x1", ftoa(left)), g.Attr("x2", ftoa(w-right)), g.Attr("y1", yy), g.Attr("y2", yy)),
			g.El("text", g.Attr("class", "tick"), g.Attr("x", ftoa(left-6)), g.Attr("y", yy), g.Attr("text-anchor", "end"), g.Attr("dominant-baseline", "middle"), g.Text(strconv.Itoa(v))),
		)
	}
	every := max(1, (n+11)/12)
	for i, label := range labels {
		x0 := left + group*float64(i) + group*0.1
		for si, s := range series {
			v := 0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			nodes = append(nodes, g.El("rect", g.Attr("class", "bar "+s.Class), fill(s),
				g.Attr("x", ftoa(x0+barW*float64(si))), g.Attr("y", ftoa(y(v))), g.Attr("width", ftoa(barW)), g.Attr("height", ftoa(top+plotH-y(v))),
				g.El("title", g.Text(label+" "+s.Name+" "+strconv.Itoa(v)))))
		}
		if i%every == 0 {
			nodes = append(nodes, g.El("text", g.Attr("class", "label"), g.Attr("x", ftoa(left+group*(float64(i)+0.5))), g.Attr("y", ftoa(hgt-8)),
				g.Attr("text-anchor", "middle"), g.Text(label)))
		}
	}
	nodes = append(nodes, g.El("line", g.Attr("class", "axis"), g.Attr("x1", ftoa(left)), g.Attr("x2", ftoa(w-right)), g.Attr("y1", ftoa(top+plotH)), g.Attr("y2", ftoa(top+plotH))))
	svg := g.El("svg", g.Attr("class", "chart"), g.Attr("viewBox", fmt.Sprintf("0 0 %.0f %.0f", w, hgt)), g.Attr("role", "img"),
		g.Attr("aria-label", title), g.Group(nodes))
	legend := h.P(h.Class("legend small"), g.Map(series, func(s Series) g.Node {
		return h.Span(h.Class("key"), g.El("svg", g.Attr("viewBox", "0 0 12 12"), g.Attr("width", "12"), g.Attr("height", "12"), g.Attr("aria-hidden", "true"),
			g.El("rect", g.Attr("class", "bar "+s.Class), fill(s), g.Attr("width", "12"), g.Attr("height", "12"))), g.Text(" "+s.Name+" "))
	}))
	table := h.Details(h.Class("chart-data"),
		h.Summary(g.Text(title)),
		h.Table(h.THead(h.Tr(h.Th(), g.Map(series, func(s Series) g.Node { return h.Th(h.Class("num"), g.Text(s.Name)) }))),
			h.TBody(g.Map(indexRange(len(labels)), func(i int) g.Node {
				return h.Tr(h.Td(g.Text(labels[i])), g.Map(series, func(s Series) g.Node {
					v := 0
					if i < len(s.Values) {
						v = s.Values[i]
					}
					return h.Td(h.Class("num"), g.Text(strconv.Itoa(v)))
				}))
			}))),
	)
	return h.Figure(h.Class("chart-figure"), svg, legend, table)
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// niceStep is a round tick step for values up to maxV (about 4 ticks).
func niceStep(maxV int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000, 100000} {
		if maxV/s <= 4 {
			return s
		}
	}
	return maxV / 4
}

func indexRange(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
