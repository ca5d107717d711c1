package patrols

import (
	"strconv"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
)

// The field app's patrol screens: skeletons the script fills from the
// device's replica (js/screens/patrols.js), online or not. A shift and a
// report are recorded on the phone as outbox items (DESIGN §6, §15); the
// office forms at /patrols/shifts/new and /reports/new stay for a desk.

// Field paths of the two screens.
const (
	FieldShiftPath  = "/patrols/shift"
	FieldReportPath = "/patrols/report"
)

func fieldRow(prefix, name, label string, control g.Node, hint ...string) g.Node {
	return h.Div(h.Class("field"), g.Attr("data-field", name),
		h.Label(h.For(prefix+name), g.Text(label)),
		control,
		g.If(len(hint) > 0 && hint[0] != "", h.Small(h.Class("hint"), g.Text(first(hint)))),
		h.P(h.Class("error"), g.Attr("data-error-for", name), h.Hidden("hidden")),
	)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// FieldShiftScreen records one patrol: the team, the day and hours, the
// grids walked and who was there.
func FieldShiftScreen() g.Node {
	f := func(name, label string, control g.Node, hint ...string) g.Node {
		return fieldRow("sf-", name, label, control, hint...)
	}
	return h.Section(h.ID("screen-shift-form"), g.Attr("data-screen", "shift-form"), h.Hidden("hidden"),
		h.Form(h.ID("sf"), h.Class("card"), g.Attr("novalidate"),
			h.H1(g.Text(i18n.T("patrols.shift_new"))),
			h.Div(h.ID("sf-alert"), h.Class("alert"), h.Role("alert"), h.Hidden("hidden")),
			h.P(h.ID("sf-none"), h.Class("empty"), h.Hidden("hidden"), g.Text(i18n.T("js.shift_no_team"))),
			f("team", i18n.T("patrols.team"), h.Select(h.ID("sf-team"), h.Name("team"))),
			h.Div(h.Class("row"),
				h.Div(h.Class("grow"), f("date", i18n.T("patrols.date"), h.Input(h.ID("sf-date"), h.Name("date"), h.Type("date")))),
				h.Div(h.Class("grow"), f("starts", i18n.T("patrols.starts"), h.Input(h.ID("sf-starts"), h.Name("starts"), h.Type("time")))),
				h.Div(h.Class("grow"), f("ends", i18n.T("patrols.ends"), h.Input(h.ID("sf-ends"), h.Name("ends"), h.Type("time")))),
			),
			h.FieldSet(h.Class("field"), g.Attr("data-field", "grids"),
				h.Legend(g.Text(i18n.T("patrols.grids"))),
				h.Div(h.ID("sf-grids"), h.Class("chips")),
				h.P(h.Class("error"), g.Attr("data-error-for", "grids"), h.Hidden("hidden")),
			),
			h.FieldSet(h.Class("field"), g.Attr("data-field", "volunteers"),
				h.Legend(g.Text(i18n.T("patrols.present"))),
				h.Div(h.ID("sf-volunteers"), h.Class("chips")),
				h.P(h.Class("error"), g.Attr("data-error-for", "volunteers"), h.Hidden("hidden")),
			),
			f("notes", i18n.T("patrols.notes"), h.Textarea(h.ID("sf-notes"), h.Name("notes"), h.MaxLength(strconv.Itoa(MaxShiftNotes))), i18n.T("patrols.shift_notes_hint")),
			// Disabled until js/screens/patrols.js has wired the form.
			h.Div(h.Class("sticky-actions"), h.Button(h.Type("submit"), h.ID("sf-save"), h.Class("primary big"), h.Disabled(), g.Text(i18n.T("patrols.save")))),
		),
	)
}

// FieldReportScreen records a finding on the round: where, what, who
// found it, and the household it concerns, if any.
func FieldReportScreen() g.Node {
	f := func(name, label string, control g.Node, hint ...string) g.Node {
		return fieldRow("rf-", name, label, control, hint...)
	}
	return h.Section(h.ID("screen-report-form"), g.Attr("data-screen", "report-form"), h.Hidden("hidden"),
		h.Form(h.ID("rf"), h.Class("card"), g.Attr("novalidate"),
			h.H1(g.Text(i18n.T("patrols.report_new"))),
			h.Div(h.ID("rf-alert"), h.Class("alert"), h.Role("alert"), h.Hidden("hidden")),
			h.P(h.ID("rf-household"), h.Class("lead"), h.Hidden("hidden")),
			h.Div(h.Class("row"),
				h.Div(h.Class("grow"), f("community", i18n.T("patrols.community"), h.Select(h.ID("rf-community"), h.Name("community")))),
				h.Div(h.Class("grow"), f("grid", i18n.T("patrols.grid"), h.Select(h.ID("rf-grid"), h.Name("grid")))),
			),
			h.FieldSet(h.Class("field"), g.Attr("data-field", "kind"),
				h.Legend(g.Text(i18n.T("patrols.kind"))),
				h.Div(h.Class("choices"), g.Map(ReportKinds, func(k string) g.Node {
					return h.Label(h.Input(h.Type("radio"), h.Name("kind"), h.Value(k)), g.Text(i18n.T("patrols.kind."+k)))
				})),
				h.P(h.Class("error"), g.Attr("data-error-for", "kind"), h.Hidden("hidden")),
			),
			f("place", i18n.T("patrols.place"), h.Input(h.ID("rf-place"), h.Name("place"), h.Type("text"), h.MaxLength(strconv.Itoa(MaxPlace))), i18n.T("patrols.place_hint")),
			f("description", i18n.T("patrols.description"), h.Textarea(h.ID("rf-description"), h.Name("description"), h.MaxLength(strconv.Itoa(MaxDescription))), i18n.T("patrols.description_hint")),
			f("volunteer", i18n.T("patrols.reporter"), h.Select(h.ID("rf-volunteer"), h.Name("volunteer"),
				h.Option(h.Value(""), g.Text(i18n.T("patrols.reporter_me"))))),
			f("reported_at", i18n.T("patrols.reported_at"), h.Input(h.ID("rf-reported_at"), h.Name("reported_at"), h.Type("datetime-local"))),
			h.Div(h.Class("sticky-actions"), h.Button(h.Type("submit"), h.ID("rf-save"), h.Class("primary big"), h.Disabled(), g.Text(i18n.T("patrols.save")))),
		),
	)
}

// TodayCard is the patrols on the officer's Today: recording a shift or a
// finding, and the reports assigned to them that are still open, from the
// replica.
func TodayCard() g.Node {
	return h.Div(h.ID("patrols-today"), h.Class("card"),
		h.Div(h.Class("spread"),
			h.H2(g.Text(i18n.T("js.patrols_today"))),
			h.Span(h.ID("patrols-today-count"), h.Class("small muted")),
		),
		h.Div(h.Class("row"),
			h.A(h.Class("button"), h.Href(FieldShiftPath), g.Attr("data-nav", ""), g.Text(i18n.T("patrols.shift_new"))),
			h.A(h.Class("button"), h.Href(FieldReportPath), g.Attr("data-nav", ""), g.Text(i18n.T("patrols.report_new"))),
		),
		h.Div(h.ID("reports-due"), h.Hidden("hidden"),
			h.H3(g.Text(i18n.T("js.reports_due"))),
			h.Ul(h.ID("reports-list"), h.Class("list")),
		),
	)
}
