package watches

import (
	"strconv"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
)

// The field app's watch screens: skeletons the script fills from the
// device's replica (js/screens/watch.js), online or not.

// FieldFormScreen registers a watch at the door (offline too), or edits or
// cancels one.
func FieldFormScreen() g.Node {
	field := func(name, label string, control g.Node, hint ...string) g.Node {
		return h.Div(h.Class("field"), g.Attr("data-field", name),
			h.Label(h.For("wf-"+name), g.Text(label)),
			control,
			g.If(len(hint) > 0, h.Small(h.Class("hint"), g.Text(firstOf(hint)))),
			h.P(h.Class("error"), g.Attr("data-error-for", name), h.Hidden("hidden")),
		)
	}
	return h.Section(h.ID("screen-watch-form"), g.Attr("data-screen", "watch-form"), h.Hidden("hidden"),
		h.Form(h.ID("wf"), h.Class("card"), g.Attr("novalidate"),
			h.H1(h.ID("wf-title")),
			h.Div(h.ID("wf-alert"), h.Class("alert"), h.Role("alert"), h.Hidden("hidden")),
			h.Div(h.Class("row"),
				h.Div(h.Class("grow"), field("from", i18n.T("watch.from"), h.Input(h.ID("wf-from"), h.Name("from"), h.Type("date")))),
				h.Div(h.Class("grow"), field("to", i18n.T("watch.to"), h.Input(h.ID("wf-to"), h.Name("to"), h.Type("date")))),
			),
			h.P(h.Class("small muted"), g.Text(i18n.T("watch.window_hint", MaxDays))),
			field("contact_name", i18n.T("watch.contact_name"), h.Input(h.ID("wf-contact_name"), h.Name("contact_name"), h.Type("text"), h.MaxLength(strconv.Itoa(MaxName)))),
			field("contact_phone", i18n.T("watch.contact_phone"), h.Input(h.ID("wf-contact_phone"), h.Name("contact_phone"), h.Type("tel"))),
			field("key_holder", i18n.T("watch.key_holder"), h.Input(h.ID("wf-key_holder"), h.Name("key_holder"), h.Type("text"), h.MaxLength(strconv.Itoa(MaxKeyHolder))), i18n.T("watch.key_holder_hint")),
			field("interval_days", i18n.T("watch.interval"), h.Select(h.ID("wf-interval_days"), h.Name("interval_days"),
				g.Map(indexes(MaxInterval), func(i int) g.Node {
					return h.Option(h.Value(strconv.Itoa(i+1)), g.If(i+1 == DefaultInterval, h.Selected()), g.Text(i18n.T("watch.every_n", i+1)))
				}))),
			h.Div(h.Class("field"), g.Attr("data-field", "camera"), h.Label(h.Class("toggle"), h.For("wf-camera"), h.Span(g.Text(i18n.T("watch.camera_installed"))),
				h.Input(h.Type("checkbox"), h.ID("wf-camera"), h.Name("camera"), h.Value("1")))),
			field("notes", i18n.T("watch.notes"), h.Textarea(h.ID("wf-notes"), h.Name("notes"), h.MaxLength(strconv.Itoa(MaxNotes)))),
			h.Details(h.ID("wf-cancel"), h.Class("field"), h.Hidden("hidden"),
				h.Summary(g.Text(i18n.T("watch.cancel"))),
				field("cancel_reason", i18n.T("watch.cancel_reason"), h.Textarea(h.ID("wf-cancel_reason"), h.Name("cancel_reason"), h.MaxLength(strconv.Itoa(MaxCancelReason)))),
				h.Button(h.Type("button"), h.ID("wf-cancel-save"), h.Class("danger"), h.Disabled(), g.Text(i18n.T("watch.cancel_submit"))),
			),
			// Disabled until js/screens/watch.js has wired the form.
			h.Div(h.Class("sticky-actions"), h.Button(h.Type("submit"), h.ID("wf-save"), h.Class("primary big"), h.Disabled(), g.Text(i18n.T("watch.save")))),
		),
	)
}

// FieldScreen is one watch on the phone: the registration, the resident's
// link, the schedule with what was checked, and the checks.
func FieldScreen() g.Node {
	return h.Section(h.ID("screen-watch"), g.Attr("data-screen", "watch"), h.Hidden("hidden"),
		h.Div(h.Class("card"), g.Attr("data-part", ""),
			h.P(h.ID("wv-status"), h.Role("status")),
			h.H1(h.ID("wv-address")),
			h.Dl(h.Class("facts"),
				h.Dt(g.Text(i18n.T("watch.window"))), h.Dd(h.ID("wv-window")),
				h.Dt(g.Text(i18n.T("watch.interval"))), h.Dd(h.ID("wv-interval")),
				h.Dt(g.Text(i18n.T("watch.contact"))), h.Dd(h.ID("wv-contact")),
				h.Dt(g.Text(i18n.T("watch.key_holder"))), h.Dd(h.ID("wv-key")),
				h.Dt(g.Text(i18n.T("watch.camera"))), h.Dd(h.ID("wv-camera")),
				h.Dt(g.Text(i18n.T("watch.notes"))), h.Dd(h.ID("wv-notes")),
			),
			h.Div(h.Class("row actions"),
				h.A(h.ID("wv-check"), h.Class("button primary big"), g.Attr("data-nav", ""), g.Text(i18n.T("watch.record_check"))),
				h.A(h.ID("wv-edit"), h.Class("button"), g.Attr("data-nav", ""), g.Text(i18n.T("watch.edit"))),
			),
		),
		h.Div(h.ID("wv-link-card"), h.Class("card qr"), h.Hidden("hidden"),
			h.H2(g.Text(i18n.T("watch.link_title"))),
			h.P(h.Class("small muted"), g.Text(i18n.T("watch.link_lead"))),
			h.Div(h.ID("wv-qr")),
			h.P(h.Input(h.ID("wv-link"), h.Type("text"), h.ReadOnly(), h.Class("copy"), g.Attr("aria-label", i18n.T("watch.link_title")))),
			h.P(h.ID("wv-qr-later"), h.Class("small muted"), h.Hidden("hidden"), g.Text(i18n.T("watch.qr_after_sync"))),
		),
		h.Div(h.Class("card"), g.Attr("data-part", ""),
			h.H2(g.Text(i18n.T("watch.schedule"))),
			h.P(h.ID("wv-progress"), h.Class("small muted")),
			h.Ul(h.ID("wv-due"), h.Class("chips schedule")),
		),
		h.Div(h.Class("card"), g.Attr("data-part", ""),
			h.H2(g.Text(i18n.T("watch.checks"))),
			h.Ul(h.ID("wv-checks"), h.Class("list")),
		),
		h.P(h.ID("wv-missing"), h.Class("card empty"), h.Hidden("hidden"), g.Text(i18n.T("watch.not_found"))),
	)
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
