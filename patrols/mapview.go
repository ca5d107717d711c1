package patrols

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// Without a plan the map is a blank sheet of this size: points can be
// placed before the plan is uploaded, and stay where they are (as
// fractions) once it is.
const blankW, blankH = 1000, 700

// MapProps is what the patrol map page shows.
type MapProps struct {
	Officer *station.Officer
	Places  []households.Community
	Map     MapData
	Names   Names
	Loc     *time.Location
	Now     time.Time
	Notice  string
	Err     error // a refused point or upload, shown above its form
	Input   PointInput
}

// MapPage is /patrols/map: the community's own plan with its points drawn
// over it in SVG (buildings coloured by how recently their households were
// visited, open reports marked), a legend, the points as a list, and the
// forms to add a point (by tapping the map, with js/map.js, or by typing
// x and y) and to upload the plan. It prints on one page.
func MapPage(layout pwa.Layout, p MapProps) g.Node {
	md := p.Map
	title := i18n.T("patrols.map_title", md.Community.Name)
	return layout(pwa.Page{
		Title:   title,
		Officer: p.Officer,
		Nav:     "/patrols",
		Scripts: []string{"js/map.js"},
		Class:   "map-page",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(title)),
					h.Span(h.Class("small muted print-only"), g.Text(i18n.T("patrols.map_printed", pwa.Date(p.Now, p.Loc)))),
				),
				g.If(len(p.Places) > 1, communityFilter("/patrols/map", md.Community.ID, p.Places, "")),
				h.P(h.Class("small muted no-print"), g.Text(i18n.T("patrols.map_lead", md.Open))),
				mapFigure(md),
				legend(),
				h.P(h.Class("small muted no-print"), g.Text(i18n.T("patrols.map_print_hint"))),
			),
			g.If(len(md.Unplaced) > 0, h.Section(h.Class("card"), h.ID("unplaced"),
				h.H2(g.Text(i18n.T("patrols.unplaced"))),
				h.Ul(h.Class("list"), g.Map(md.Unplaced, func(r *Report) g.Node {
					return h.Li(h.A(h.Class("item"), h.Href("/reports/"+r.ID),
						h.Div(h.Class("spread"), h.Span(h.Class("title"), g.Text(r.Place)), statusTag(r.Status)),
						h.Div(h.Class("meta"), kindTag(r.Kind), g.Text(" "+pwa.DateTime(r.ReportedAt, p.Loc))),
					))
				})),
			)),
			pointsSection(p),
			pointForm(p),
			g.If(p.Officer.IsChief(), planForm(p)),
		},
	})
}

// mapSize is the coordinate space the SVG is drawn in: the plan's pixels.
func mapSize(md MapData) (w, h float64) {
	if md.Plan != nil && md.Plan.Width > 0 && md.Plan.Height > 0 {
		return float64(md.Plan.Width), float64(md.Plan.Height)
	}
	return blankW, blankH
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func attr(name string, f float64) g.Node { return g.Attr(name, num(f)) }

// mapFigure is the plan image with the points' SVG laid over it, in the
// image's own coordinates so that a point's fractions are the same on
// screen and on paper.
func mapFigure(md MapData) g.Node {
	w, ht := mapSize(md)
	s := math.Max(w, ht) / 90 // a symbol's radius
	svg := g.El("svg", h.ID("map-svg"), h.Class("map-overlay"),
		g.Attr("viewBox", "0 0 "+num(w)+" "+num(ht)), g.Attr("preserveAspectRatio", "none"),
		g.Attr("role", "img"), g.Attr("aria-labelledby", "map-svg-title"),
		g.Attr("data-w", num(w)), g.Attr("data-h", num(ht)),
		g.El("title", h.ID("map-svg-title"), g.Text(i18n.T("patrols.map_title", md.Community.Name))),
		g.If(md.Plan == nil, blankSheet(w, ht)),
		g.El("g", h.Class("points"), g.Map(md.Points, func(mp *MapPoint) g.Node { return pointMark(mp, w, ht, s) })),
		// Where a tap would place the next point (js/map.js moves it).
		g.El("g", h.ID("map-preview"), h.Class("pt preview"), g.Attr("hidden", "hidden"),
			g.El("circle", g.Attr("class", "sym"), g.Attr("r", num(s)), g.Attr("cx", "0"), g.Attr("cy", "0")),
		),
	)
	return h.Div(h.Class("map-wrap"),
		h.Figure(c.Classes{"map-stack": true, "blank": md.Plan == nil}, h.ID("map"),
			g.Iff(md.Plan != nil, func() g.Node {
				return h.Img(h.ID("map-plan"), h.Src(md.Plan.URL), h.Alt(i18n.T("patrols.plan_alt", md.Community.Name)),
					h.Width(strconv.Itoa(md.Plan.Width)), h.Height(strconv.Itoa(md.Plan.Height)))
			}),
			svg,
		),
	)
}

// blankSheet is the grid paper a map without a plan is drawn on.
func blankSheet(w, ht float64) g.Node {
	var lines []g.Node
	for x := 100.0; x < w; x += 100 {
		lines = append(lines, g.El("line", attr("x1", x), attr("y1", 0), attr("x2", x), attr("y2", ht)))
	}
	for y := 100.0; y < ht; y += 100 {
		lines = append(lines, g.El("line", attr("x1", 0), attr("y1", y), attr("x2", w), attr("y2", y)))
	}
	return g.El("g", h.Class("blank-sheet"),
		g.El("rect", g.Attr("x", "0"), g.Attr("y", "0"), attr("width", w), attr("height", ht)),
		g.Group(lines),
	)
}

// symbol draws the shape of a point kind centred on (x, y), radius s:
// shapes as well as colours, so a map printed in black and white still
// tells a camera from an entrance.
func symbol(kind string, x, y, s float64) g.Node {
	poly := func(pts ...[2]float64) g.Node {
		var b strings.Builder
		for i, p := range pts {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(num(x+p[0]*s) + "," + num(y+p[1]*s))
		}
		return g.El("polygon", g.Attr("class", "sym"), g.Attr("points", b.String()))
	}
	switch kind {
	case PointEntrance:
		return g.El("rect", g.Attr("class", "sym"), attr("x", x-0.85*s), attr("y", y-0.85*s), attr("width", 1.7*s), attr("height", 1.7*s))
	case PointUnit:
		return poly([2]float64{0, -1.1}, [2]float64{0.95, -0.55}, [2]float64{0.95, 0.55}, [2]float64{0, 1.1}, [2]float64{-0.95, 0.55}, [2]float64{-0.95, -0.55})
	case PointBusiness:
		return poly([2]float64{0, -1.15}, [2]float64{1.15, 0}, [2]float64{0, 1.15}, [2]float64{-1.15, 0})
	case PointHazard:
		return poly([2]float64{0, -1.2}, [2]float64{1.1, 0.8}, [2]float64{-1.1, 0.8})
	case PointCamera:
		return g.Group{
			g.El("rect", g.Attr("class", "sym"), attr("x", x-s), attr("y", y-0.65*s), attr("width", 2*s), attr("height", 1.3*s), attr("rx", 0.2*s)),
			g.El("circle", g.Attr("class", "lens"), attr("cx", x), attr("cy", y), attr("r", 0.38*s)),
		}
	}
	return g.El("circle", g.Attr("class", "sym"), attr("cx", x), attr("cy", y), attr("r", s))
}

// pointMark is one point on the map: its symbol, its label, and a red ring
// with a count when open reports are marked there.
func pointMark(mp *MapPoint, w, ht, s float64) g.Node {
	x, y := mp.X*w, mp.Y*ht
	cls := "pt kind-" + mp.Kind
	if mp.Kind == PointBuilding {
		cls += " rec-" + mp.Recency
	}
	if len(mp.Reports) > 0 {
		cls += " has-reports"
	}
	tip := mp.Label + " · " + i18n.T("patrols.point_kind."+mp.Kind)
	if mp.Kind == PointBuilding {
		tip += " · " + recencyText(mp)
	}
	if n := len(mp.Reports); n > 0 {
		tip += " · " + i18n.T("patrols.open_reports_n", n)
	}
	// Labels left of points in the right third, so they stay on the sheet.
	lx, anchor := x+1.5*s, "start"
	if mp.X > 0.7 {
		lx, anchor = x-1.5*s, "end"
	}
	return g.El("g", g.Attr("class", cls), h.ID("pt-"+mp.ID), g.Attr("data-id", mp.ID),
		g.El("title", g.Text(tip)),
		g.If(len(mp.Reports) > 0, g.El("circle", g.Attr("class", "alert-ring"), attr("cx", x), attr("cy", y), attr("r", 1.9*s))),
		symbol(mp.Kind, x, y, s),
		g.El("text", g.Attr("class", "pt-label"), attr("x", lx), attr("y", y+0.45*s), g.Attr("text-anchor", anchor), attr("font-size", 1.45*s), g.Text(mp.Label)),
		g.If(len(mp.Reports) > 0, g.Group{
			g.El("circle", g.Attr("class", "alert-badge"), attr("cx", x+1.35*s), attr("cy", y-1.35*s), attr("r", 0.8*s)),
			g.El("text", g.Attr("class", "alert-count"), attr("x", x+1.35*s), attr("y", y-1.35*s+0.4*s), g.Attr("text-anchor", "middle"), attr("font-size", 1.1*s), g.Textf("%d", len(mp.Reports))),
		}),
	)
}

// recencyText says how recently a building's households were visited.
func recencyText(mp *MapPoint) string {
	v := mp.Visits
	if mp.Recency == Unlinked {
		return i18n.T("patrols.recency.none")
	}
	return i18n.T("patrols.recency_detail", i18n.T("patrols.recency."+mp.Recency), v.Households, v.Within30, v.Never)
}

// legend explains every mark the map uses; it is drawn with the same
// symbols and prints with the map.
func legend() g.Node {
	item := func(cls, kind, label string) g.Node {
		return h.Li(
			g.El("svg", g.Attr("viewBox", "0 0 24 24"), g.Attr("aria-hidden", "true"), h.Class("legend-mark"),
				g.El("g", g.Attr("class", cls), symbol(kind, 12, 12, 7)),
			),
			h.Span(g.Text(label)),
		)
	}
	var items []g.Node
	for _, r := range Recencies {
		items = append(items, item("pt kind-building rec-"+r, PointBuilding, i18n.T("patrols.legend_building", i18n.T("patrols.recency."+r))))
	}
	for _, k := range PointKinds[1:] {
		items = append(items, item("pt kind-"+k, k, i18n.T("patrols.point_kind."+k)))
	}
	items = append(items, h.Li(
		g.El("svg", g.Attr("viewBox", "0 0 24 24"), g.Attr("aria-hidden", "true"), h.Class("legend-mark"),
			g.El("g", g.Attr("class", "pt has-reports"),
				g.El("circle", g.Attr("class", "alert-ring"), g.Attr("cx", "12"), g.Attr("cy", "12"), g.Attr("r", "9")),
				g.El("circle", g.Attr("class", "alert-badge"), g.Attr("cx", "12"), g.Attr("cy", "12"), g.Attr("r", "4")),
			),
		),
		h.Span(g.Text(i18n.T("patrols.legend_reports"))),
	))
	return h.Div(h.Class("legend"), h.ID("map-legend"),
		h.H2(g.Text(i18n.T("patrols.legend"))),
		h.Ul(g.Group(items)),
	)
}

// pointsSection lists the points: the map's content without the picture,
// and where a point is deleted.
func pointsSection(p MapProps) g.Node {
	md := p.Map
	return h.Section(h.Class("card"), h.ID("points"),
		h.H2(g.Text(i18n.T("patrols.points"))),
		g.If(len(md.Points) == 0, pwa.EmptyState(i18n.T("patrols.no_points"))),
		g.If(len(md.Points) > 0, h.Div(h.Class("table-wrap"), h.Table(
			h.THead(h.Tr(
				h.Th(g.Text(i18n.T("patrols.label"))), h.Th(g.Text(i18n.T("patrols.point_kind"))),
				h.Th(g.Text(i18n.T("patrols.households_visits"))), h.Th(g.Text(i18n.T("patrols.open_reports"))),
				h.Th(g.Text(i18n.T("patrols.position"))), h.Th(h.Class("no-print")),
			)),
			h.TBody(g.Map(md.Points, func(mp *MapPoint) g.Node {
				return h.Tr(h.ID("row-"+mp.ID),
					h.Td(g.Text(mp.Label), g.If(mp.Building != "" && mp.Building != mp.Label, h.Span(h.Class("small muted"), g.Text(" "+mp.Building)))),
					h.Td(g.Text(i18n.T("patrols.point_kind."+mp.Kind))),
					h.Td(g.If(mp.Kind == PointBuilding, g.Group{
						g.Text(recencyText(mp)),
						g.If(mp.Visits.Households > 0, g.Group{g.Text(" "), h.A(h.Class("no-print"), h.Href(householdsLink(mp, md.Community.ID)), g.Text(i18n.T("patrols.see_households")))}),
					})),
					h.Td(g.Map(mp.Reports, func(r *Report) g.Node {
						return h.A(h.Href("/reports/"+r.ID), kindTag(r.Kind))
					})),
					h.Td(h.Class("small"), g.Text(fmt.Sprintf("%.3f, %.3f", mp.X, mp.Y))),
					h.Td(h.Class("no-print"),
						h.A(h.Href("/reports/new?community="+url.QueryEscape(mp.Community)+"&point="+mp.ID), g.Text(i18n.T("patrols.report_here"))),
						h.Form(h.Method("post"), h.Action("/patrols/map/points/"+mp.ID+"/delete"), h.Class("inline"),
							h.Button(h.Type("submit"), h.Class("link danger"), g.Text(i18n.T("patrols.delete"))),
						),
					),
				)
			})),
		))),
	)
}

// householdsLink searches the registry for a building's households.
func householdsLink(mp *MapPoint, community string) string {
	q := mp.Building
	if q == "" {
		q = mp.Label
	}
	return "/households?" + url.Values{"q": {q}, "community": {community}}.Encode()
}

// pointForm adds a point. With js/map.js a tap on the map fills x and y;
// without it, they are typed (0 is the left or top edge, 1 the other).
func pointForm(p MapProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	kinds := make([]option, len(PointKinds))
	for i, k := range PointKinds {
		kinds[i] = option{k, i18n.T("patrols.point_kind." + k)}
	}
	if in.Kind == "" {
		in.Kind = PointBuilding
	}
	frac := func(name string, v float64) g.Node {
		val := ""
		if (p.Err != nil || v != 0) && v >= 0 {
			val = strconv.FormatFloat(v, 'f', -1, 64)
		}
		return h.Div(h.Class("grow"), pwa.Field(i18n.T("patrols.point_"+name), name, errs,
			pwa.Input(name, val, errs, h.Type("number"), h.Min("0"), h.Max("1"), h.Step("0.0001"), g.Attr("inputmode", "decimal"), h.Required())))
	}
	return h.Section(h.Class("card form no-print"), h.ID("add-point"),
		h.H2(g.Text(i18n.T("patrols.point_new"))),
		g.If(p.Err != nil && len(errs) > 0 && errs["image"].Code == "", pwa.ErrorSummary(p.Err)),
		h.P(h.ID("map-tap-hint"), h.Class("tap-hint"), g.Attr("hidden", "hidden"), g.Text(i18n.T("patrols.map_tap_hint"))),
		h.Form(h.Method("post"), h.Action("/patrols/map/points"), h.ID("point-form"), g.Attr("novalidate"),
			h.Input(h.Type("hidden"), h.Name("community"), h.Value(p.Map.Community.ID)),
			pwa.Field(i18n.T("patrols.point_kind"), "kind", errs, selectOf("kind", in.Kind, errs, kinds, "")),
			textField(i18n.T("patrols.label"), "label", in.Label, MaxLabel, errs, h.Required(), h.Placeholder(i18n.T("patrols.label_hint"))),
			textField(i18n.T("patrols.building"), "building", in.Building, MaxBuilding, errs, h.Placeholder(i18n.T("patrols.building_hint"))),
			h.Div(h.Class("row"), frac("x", in.X), frac("y", in.Y)),
			h.P(h.Class("small muted"), g.Text(i18n.T("patrols.xy_hint"))),
			textField(i18n.T("patrols.notes"), "notes", in.Notes, MaxPointNotes, errs),
			h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("patrols.point_add"))),
		),
	)
}

// planForm uploads the community's plan image (the deputy chief's).
func planForm(p MapProps) g.Node {
	errs := station.FieldsOf(p.Err)
	fe, bad := errs["image"]
	return h.Section(h.Class("card form no-print"), h.ID("upload-plan"),
		h.H2(g.Text(i18n.T("patrols.plan_upload"))),
		h.P(h.Class("small muted"), g.Text(i18n.T("patrols.plan_upload_lead", PlanMaxBytes>>20))),
		h.Form(h.Method("post"), h.Action("/patrols/map/plan?community="+url.QueryEscape(p.Map.Community.ID)), g.Attr("enctype", "multipart/form-data"),
			h.Input(h.Type("hidden"), h.Name("community"), h.Value(p.Map.Community.ID)),
			h.Div(c.Classes{"field": true, "bad": bad},
				h.Label(h.For("image"), g.Text(i18n.T("patrols.plan_file"))),
				h.Input(h.Type("file"), h.ID("image"), h.Name("image"), h.Accept(strings.Join(PlanTypes, ",")), h.Required(),
					g.If(bad, g.Group{g.Attr("aria-invalid", "true"), g.Attr("aria-describedby", "image-error")})),
				g.If(bad, h.P(h.Class("error"), h.ID("image-error"), g.Text(fe.Message))),
			),
			h.Button(h.Type("submit"), g.Text(i18n.T("patrols.plan_save"))),
		),
	)
}
