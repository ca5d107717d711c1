package patrols

import (
	"net/url"
	"strconv"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// statusTag shows a report's status, coloured by what it asks of people.
func statusTag(status string) g.Node {
	cls := "tag"
	switch status {
	case StatusOpen:
		cls = "tag warn"
	case StatusHandled:
		cls = "tag ok"
	}
	return h.Span(h.Class(cls+" status-"+status), g.Text(i18n.T("patrols.status."+status)))
}

func kindTag(kind string) g.Node {
	cls := "tag"
	if kind == KindFireHazard || kind == KindEBike {
		cls = "tag bad"
	}
	return h.Span(h.Class(cls), g.Text(i18n.T("patrols.kind."+kind)))
}

// ReportsProps is what the report list shows.
type ReportsProps struct {
	Officer *station.Officer
	Places  []households.Community
	Query   ReportQuery
	List    ReportList
	Names   Names
	Loc     *time.Location
}

// ReportsPage is /reports: the findings, filtered, newest first.
func ReportsPage(layout pwa.Layout, p ReportsProps) g.Node {
	q := p.Query
	statuses := []option{{StatusActive, i18n.T("patrols.status_active")}}
	for _, s := range ReportStatuses {
		statuses = append(statuses, option{s, i18n.T("patrols.status." + s)})
	}
	kinds := make([]option, len(ReportKinds))
	for i, k := range ReportKinds {
		kinds[i] = option{k, i18n.T("patrols.kind." + k)}
	}
	mine := []option{{p.Officer.ID, i18n.T("patrols.assigned_me")}}
	newLink := "/reports/new"
	if q.Community != "" {
		newLink += "?community=" + url.QueryEscape(q.Community)
	}
	return layout(pwa.Page{
		Title:   i18n.T("patrols.reports"),
		Officer: p.Officer,
		Nav:     "/patrols",
		Body: []g.Node{
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(i18n.T("patrols.reports"))),
					h.A(h.Class("button primary no-print"), h.Href(newLink), g.Text(i18n.T("patrols.report_new"))),
				),
				communityFilter("/reports", q.Community, p.Places, i18n.T("patrols.all_communities"),
					h.Div(h.Class("field"), h.Label(h.For("status"), g.Text(i18n.T("patrols.status"))),
						selectOf("status", q.Status, nil, statuses, i18n.T("patrols.any_status"))),
					h.Div(h.Class("field"), h.Label(h.For("kind"), g.Text(i18n.T("patrols.kind"))),
						selectOf("kind", q.Kind, nil, kinds, i18n.T("patrols.any_kind"))),
					h.Div(h.Class("field"), h.Label(h.For("assigned"), g.Text(i18n.T("patrols.assigned_to"))),
						selectOf("assigned", q.AssignedTo, nil, mine, i18n.T("patrols.anyone"))),
				),
			),
			h.Section(h.Class("card"),
				h.P(h.Class("muted"), g.Text(i18n.T("patrols.report_count", p.List.Total))),
				g.If(len(p.List.Items) == 0, pwa.EmptyState(i18n.T("patrols.no_reports"))),
				g.If(len(p.List.Items) > 0, h.Div(h.Class("table-wrap"), h.Table(
					h.THead(h.Tr(
						h.Th(g.Text(i18n.T("patrols.reported_at"))), h.Th(g.Text(i18n.T("patrols.kind"))),
						h.Th(g.Text(i18n.T("patrols.place"))), h.Th(g.Text(i18n.T("patrols.community"))),
						h.Th(g.Text(i18n.T("patrols.status"))), h.Th(g.Text(i18n.T("patrols.assigned_to"))),
					)),
					h.TBody(g.Map(p.List.Items, func(r *Report) g.Node {
						return h.Tr(
							h.Td(h.Class("nowrap"), g.Text(pwa.DateTime(r.ReportedAt, p.Loc))),
							h.Td(kindTag(r.Kind)),
							h.Td(h.A(h.Href("/reports/"+r.ID), g.Text(r.Place))),
							h.Td(g.Text(p.Names[r.Community]), g.If(r.Grid != "", g.Text(" · "+p.Names[r.Grid]))),
							h.Td(statusTag(r.Status)),
							h.Td(g.Text(p.Names[r.AssignedTo])),
						)
					})),
				))),
				reportPager(q, p.List.Total),
			),
		},
	})
}

func reportPager(q ReportQuery, total int) g.Node {
	if total <= q.Limit || q.Limit == 0 {
		return nil
	}
	link := func(offset int) string {
		v := url.Values{"community": {q.Community}, "status": {q.Status}, "kind": {q.Kind}, "assigned": {q.AssignedTo}, "offset": {strconv.Itoa(offset)}}
		return "/reports?" + v.Encode()
	}
	return pwa.Pager(q.Offset, q.Limit, total, link)
}

// ReportFormProps is what the new-report form shows.
type ReportFormProps struct {
	Officer    *station.Officer
	Places     []households.Community
	Input      ReportInput
	At         string // reported_at as the form shows it
	Volunteers []*Volunteer
	Points     []*Point
	Household  *households.Household // the household it is about, if given
	Err        error
}

// ReportFormPage records a finding. Without a community chosen it asks for
// one first, so the roster, grids and points it offers are that
// community's.
func ReportFormPage(layout pwa.Layout, p ReportFormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	title := i18n.T("patrols.report_new")
	page := func(body ...g.Node) g.Node {
		return layout(pwa.Page{Title: title, Officer: p.Officer, Nav: "/patrols", Body: []g.Node{h.Section(h.Class("card form"),
			h.H1(g.Text(title)), pwa.ErrorSummary(p.Err), g.Group(body))}})
	}
	if in.Community == "" {
		return page(h.Form(h.Method("get"), h.Action("/reports/new"),
			pwa.Field(i18n.T("patrols.community"), "community", errs, selectOf("community", "", errs, communityOptions(p.Places), i18n.T("patrols.choose"), h.Required())),
			h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("patrols.next"))),
		))
	}
	names := households.NamesOf(p.Places)
	kinds := make([]option, len(ReportKinds))
	for i, k := range ReportKinds {
		kinds[i] = option{k, i18n.T("patrols.kind." + k)}
	}
	var vols []option
	for _, v := range p.Volunteers {
		vols = append(vols, option{v.ID, v.Name})
	}
	var pts []option
	for _, pt := range p.Points {
		pts = append(pts, option{pt.ID, i18n.T("patrols.point_kind."+pt.Kind) + " · " + pt.Label})
	}
	return page(h.Form(h.Method("post"), h.Action("/reports"), g.Attr("novalidate"),
		h.Input(h.Type("hidden"), h.Name("id"), h.Value(in.ID)),
		h.Input(h.Type("hidden"), h.Name("community"), h.Value(in.Community)),
		h.Input(h.Type("hidden"), h.Name("household"), h.Value(in.Household)),
		h.P(h.Class("lead"), g.Text(names[in.Community])),
		g.If(errs["community"].Code != "", h.P(h.Class("error"), g.Text(errs["community"].Message))),
		g.Iff(p.Household != nil, func() g.Node {
			return h.P(g.Text(i18n.T("patrols.about_household")+" "), h.A(h.Href("/households/"+p.Household.ID), g.Text(p.Household.Address)))
		}),
		g.If(errs["household"].Code != "", h.P(h.Class("error"), g.Text(errs["household"].Message))),
		pwa.Field(i18n.T("patrols.kind"), "kind", errs, selectOf("kind", in.Kind, errs, kinds, i18n.T("patrols.choose"), h.Required())),
		textField(i18n.T("patrols.place"), "place", in.Place, MaxPlace, errs, h.Required(), h.Placeholder(i18n.T("patrols.place_hint"))),
		textArea(i18n.T("patrols.description"), "description", in.Description, MaxDescription, errs, h.Required(), h.Placeholder(i18n.T("patrols.description_hint"))),
		pwa.Field(i18n.T("patrols.reported_at"), "reported_at", errs, pwa.Input("reported_at", p.At, errs, h.Type("datetime-local"), h.Required())),
		pwa.Field(i18n.T("patrols.reporter"), "volunteer", errs, selectOf("volunteer", in.Volunteer, errs, vols, i18n.T("patrols.reporter_me"))),
		pwa.Field(i18n.T("patrols.grid"), "grid", errs, selectOf("grid", in.Grid, errs, gridOptions(p.Places, in.Community), i18n.T("patrols.no_grid"))),
		pwa.Field(i18n.T("patrols.point"), "point", errs, selectOf("point", in.Point, errs, pts, i18n.T("patrols.no_point")), i18n.T("patrols.point_hint")),
		h.Div(h.Class("row"),
			h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("patrols.save"))),
			h.A(h.Class("button"), h.Href("/reports"), g.Text(i18n.T("patrols.cancel"))),
		),
	))
}

// ReportProps is what a report's page shows.
type ReportProps struct {
	Officer   *station.Officer
	Report    *Report
	Names     Names
	Household *households.Household
	Point     *Point
	Assignees []Assignee
	Loc       *time.Location
	Notice    string
	Err       error // a refused move, shown above its form
}

// ReportPage is one finding with its lifecycle: what was found, the moves
// it made, and the moves the officer may make now.
func ReportPage(layout pwa.Layout, p ReportProps) g.Node {
	r := p.Report
	o := p.Officer
	names := p.Names
	who := func(id string) string {
		if id == "" {
			return i18n.T("patrols.station_admin")
		}
		return names[id]
	}
	reporter := names[r.Officer]
	if r.Volunteer != "" {
		reporter = i18n.T("patrols.reporter_volunteer", names[r.Volunteer])
	}
	return layout(pwa.Page{
		Title:   r.Place,
		Officer: o,
		Nav:     "/patrols",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			pwa.ErrorSummary(p.Err),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(r.Place)),
					h.Div(h.Class("row"), kindTag(r.Kind), statusTag(r.Status)),
				),
				h.Dl(h.Class("facts"),
					fact(i18n.T("patrols.reported_at"), g.Text(pwa.DateTime(r.ReportedAt, p.Loc))),
					fact(i18n.T("patrols.community"), g.Text(names[r.Community]), g.If(r.Grid != "", g.Text(" · "+names[r.Grid]))),
					fact(i18n.T("patrols.reporter"), g.Text(reporter)),
					g.If(r.Volunteer != "", fact(i18n.T("patrols.recorded_by"), g.Text(names[r.Officer]))),
					g.Iff(p.Household != nil, func() g.Node {
						return fact(i18n.T("patrols.household"), h.A(h.Href("/households/"+p.Household.ID), g.Text(p.Household.Address)))
					}),
					g.Iff(p.Point != nil, func() g.Node {
						return fact(i18n.T("patrols.point"), h.A(h.Href("/patrols/map?community="+url.QueryEscape(r.Community)+"#pt-"+p.Point.ID), g.Text(p.Point.Label)))
					}),
					fact(i18n.T("patrols.description"), g.Text(r.Description)),
					g.If(r.AssignedTo != "", fact(i18n.T("patrols.assigned_to"), g.Text(names[r.AssignedTo]))),
					g.If(r.Result != "", fact(i18n.T("patrols.result"), g.Text(r.Result))),
					g.If(!r.ClosedAt.IsZero(), fact(i18n.T("patrols.closed_at"), g.Text(pwa.DateTime(r.ClosedAt, p.Loc)))),
				),
				h.Div(h.Class("row actions no-print"),
					g.If(!Closed(r.Status), h.A(h.Class("button"), h.Href("/disputes/new?report="+r.ID), g.Text(i18n.T("patrols.open_dispute")))),
					g.If(r.Household != "" && !o.IsChief(), h.A(h.Class("button"), h.Href("/visits/new?household="+r.Household), g.Text(i18n.T("patrols.record_visit")))),
					h.A(h.Class("button"), h.Href("/patrols/map?community="+url.QueryEscape(r.Community)), g.Text(i18n.T("patrols.map"))),
				),
			),
			moveForms(p),
			h.Section(h.Class("card"), h.ID("history"),
				h.H2(g.Text(i18n.T("patrols.history"))),
				h.Ol(h.Class("list history"), g.Map(r.History, func(st Step) g.Node {
					what := i18n.T("patrols.step_" + stepKind(st))
					return h.Li(
						h.Div(h.Class("spread"),
							h.Strong(g.Text(what)),
							h.Span(h.Class("small muted"), g.Text(pwa.DateTime(st.At, p.Loc)+" · "+who(st.By))),
						),
						g.If(st.AssignedTo != "", h.Div(h.Class("meta"), g.Text(i18n.T("patrols.step_assignee", names[st.AssignedTo])))),
						g.If(st.Result != "", h.Div(h.Class("meta"), g.Text(i18n.T("patrols.step_result", st.Result)))),
						g.If(st.Note != "", h.Div(h.Class("meta"), g.Text(i18n.T("patrols.step_note", st.Note)))),
					)
				})),
			),
		},
	})
}

// stepKind names what a step did: the catalogue has patrols.step_<kind>.
func stepKind(st Step) string {
	switch {
	case st.From == "":
		return "created"
	case st.From == st.To && st.To == StatusAssigned && st.AssignedTo != "" && st.Note == "":
		return "reassigned"
	case st.From == st.To:
		return "remark"
	case Closed(st.From) && st.To == StatusAssigned:
		return "reopened"
	}
	return st.To
}

// moveForms are the moves o may make on the report, each a plain form
// posting to /reports/{id}/move.
func moveForms(p ReportProps) g.Node {
	r, o := p.Report, p.Officer
	errs := station.FieldsOf(p.Err)
	action := "/reports/" + r.ID + "/move"
	assignees := make([]option, len(p.Assignees))
	for i, a := range p.Assignees {
		assignees[i] = option{a.ID, a.Name + " " + a.Badge}
	}
	hidden := func(name, value string) g.Node { return h.Input(h.Type("hidden"), h.Name(name), h.Value(value)) }
	var forms []g.Node
	switch {
	case r.Status == StatusOpen && o.IsChief():
		forms = append(forms, h.Form(h.Method("post"), h.Action(action), h.ID("assign"),
			hidden("to", StatusAssigned),
			pwa.Field(i18n.T("patrols.assign_to"), "assigned_to", errs, selectOf("assigned_to", "", errs, assignees, i18n.T("patrols.choose"), h.Required())),
			textField(i18n.T("patrols.note"), "note", "", MaxNote, errs, h.Placeholder(i18n.T("patrols.note_hint"))),
			h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("patrols.assign"))),
		))
	case r.Status == StatusOpen:
		forms = append(forms, h.Form(h.Method("post"), h.Action(action), h.ID("assign"),
			hidden("to", StatusAssigned), hidden("assigned_to", o.ID),
			h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("patrols.take"))),
		))
	case r.Status == StatusAssigned && (o.IsChief() || r.AssignedTo == o.ID):
		forms = append(forms, h.Form(h.Method("post"), h.Action(action), h.ID("close"),
			textArea(i18n.T("patrols.result"), "result", "", MaxResult, errs, h.Required(), h.Placeholder(i18n.T("patrols.result_hint"))),
			h.Div(h.Class("row"),
				h.Button(h.Type("submit"), h.Name("to"), h.Value(StatusHandled), h.Class("primary"), g.Text(i18n.T("patrols.mark_handled"))),
				h.Button(h.Type("submit"), h.Name("to"), h.Value(StatusDismissed), g.Text(i18n.T("patrols.mark_dismissed"))),
			),
		))
		if o.IsChief() {
			forms = append(forms, h.Form(h.Method("post"), h.Action(action), h.ID("reassign"),
				hidden("to", StatusAssigned),
				pwa.Field(i18n.T("patrols.reassign_to"), "assigned_to", nil, selectOf("assigned_to", r.AssignedTo, nil, assignees, "")),
				h.Button(h.Type("submit"), g.Text(i18n.T("patrols.reassign"))),
			))
		}
	case Closed(r.Status):
		forms = append(forms, h.Form(h.Method("post"), h.Action(action), h.ID("reopen"),
			hidden("to", StatusAssigned),
			g.If(o.IsChief(), pwa.Field(i18n.T("patrols.assign_to"), "assigned_to", errs, selectOf("assigned_to", r.AssignedTo, errs, assignees, ""))),
			g.If(!o.IsChief(), hidden("assigned_to", o.ID)),
			textField(i18n.T("patrols.reopen_reason"), "note", "", MaxNote, errs, h.Required()),
			h.Button(h.Type("submit"), g.Text(i18n.T("patrols.reopen"))),
		))
	}
	return h.Section(h.Class("card no-print"), h.ID("moves"),
		h.H2(g.Text(i18n.T("patrols.moves"))),
		g.Group(forms),
		h.Form(h.Method("post"), h.Action(action), h.ID("remark"),
			hidden("to", r.Status),
			textField(i18n.T("patrols.remark"), "remark", "", MaxNote, nil),
			h.Button(h.Type("submit"), g.Text(i18n.T("patrols.add_remark"))),
		),
	)
}
