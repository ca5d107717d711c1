package visits

import (
	"strconv"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
	"zoufang/watches"
)

// FieldShell is the field app: one document holding every field screen's
// skeleton, served for every field path and kept by the service worker, so
// that the officer's phone shows the same screen online and offline. The
// script (js/app.js) picks the screen from the path and fills it from the
// local replica.
//
// The features above the visit log add cards to Today (today) and screens
// of their own (screens).
func FieldShell(layout pwa.Layout, o *station.Officer, st station.Settings, today []g.Node, screens []g.Node) g.Node {
	return layout(pwa.Page{
		Title:   i18n.T("app.short_name"),
		Officer: o,
		Nav:     "/",
		Field:   true,
		Body: []g.Node{
			h.Div(h.ID("boot"), h.Class("card empty"), g.Text(i18n.T("field.loading"))),
			TodayScreen(st, today...),
			households.FieldSearchScreen(),
			households.FieldDetailScreen(),
			households.FieldFormScreen(),
			VisitFormScreen(),
			VisitScreen(),
			watches.FieldFormScreen(),
			watches.FieldScreen(),
			g.Group(screens),
			h.Template(h.ID("tpl-visit"), h.Li(h.A(h.Class("item"), g.Attr("data-nav", ""),
				h.Div(h.Class("spread"), h.Span(h.Class("title"), g.Attr("data-f", "title")), h.Span(g.Attr("data-f", "outcome"))),
				h.Div(h.Class("meta"), h.Span(g.Attr("data-f", "meta")), h.Span(g.Attr("data-f", "sync"))),
				h.P(h.Class("small"), g.Attr("data-f", "notes")),
			))),
		},
	})
}

// TodayScreen is the officer's day: progress rings, what needs attention,
// holiday checks due, the visits recorded today and who to visit next.
func TodayScreen(st station.Settings, extra ...g.Node) g.Node {
	return h.Section(h.ID("screen-today"), g.Attr("data-screen", "today"), h.Hidden("hidden"),
		h.Div(h.Class("card"),
			h.Div(h.Class("spread"),
				h.H1(g.Text(i18n.T("today.title"))),
				h.Span(h.ID("today-day")),
			),
			h.Div(h.Class("rings"),
				pwa.Ring("ring-homes", i18n.T("today.homes"), 0, st.TargetHomes),
				pwa.Ring("ring-wechat", i18n.T("today.wechat"), 0, st.TargetWeChat),
			),
			h.P(h.ID("today-note"), h.Class("small muted")),
			h.P(h.ID("today-saved"), h.Class("notice"), h.Role("status"), h.Hidden("hidden")),
		),
		h.Div(h.ID("attention"), h.Class("card"), h.Hidden("hidden"),
			h.H2(g.Text(i18n.T("field.attention"))),
			h.P(h.Class("small muted"), g.Text(i18n.T("field.attention_lead"))),
			h.Ul(h.ID("attention-list"), h.Class("list")),
		),
		h.Div(h.ID("watch-due"), h.Class("card"), h.Hidden("hidden"),
			h.H2(g.Text(i18n.T("field.watch_due"))),
			h.P(h.Class("small muted"), g.Text(i18n.T("watch.due_lead"))),
			h.Ul(h.ID("watch-list"), h.Class("list")),
		),
		g.Group(extra),
		h.Div(h.Class("card"),
			h.H2(g.Text(i18n.T("field.today_visits"))),
			h.Ul(h.ID("today-visits"), h.Class("list")),
			h.P(h.ID("today-empty"), h.Class("empty"), g.Text(i18n.T("field.no_visits_today"))),
		),
		h.Div(h.Class("card"),
			h.Div(h.Class("spread"),
				h.H2(g.Text(i18n.T("field.suggestions"))),
				h.A(h.Href("/households"), g.Attr("data-nav", ""), g.Text(i18n.T("field.search_all"))),
			),
			h.P(h.Class("small muted"), g.Text(i18n.T("field.suggestions_lead"))),
			h.Ul(h.ID("suggestions"), h.Class("list")),
		),
	)
}

// VisitFormScreen is the visit form: a routine visit is outcome (见面 is
// preset), perhaps the WeChat toggle, and save. Big targets for one thumb.
func VisitFormScreen() g.Node {
	radio := func(name, value, label string, checked bool) g.Node {
		return h.Label(h.Input(h.Type("radio"), h.Name(name), h.Value(value), g.If(checked, h.Checked())), g.Text(label))
	}
	errP := func(field string) g.Node {
		return h.P(h.Class("error"), g.Attr("data-error-for", field), h.Hidden("hidden"))
	}
	return h.Section(h.ID("screen-visit-form"), g.Attr("data-screen", "visit-form"), h.Hidden("hidden"),
		h.Form(h.ID("vf"), h.Class("card"), g.Attr("novalidate"),
			h.P(h.Class("small muted"), g.Text(i18n.T("field.visit_of"))),
			h.H1(h.ID("vf-address")),
			h.P(h.ID("vf-meta"), h.Class("muted small")),
			h.Div(h.ID("vf-alert"), h.Class("alert"), h.Role("alert"), h.Hidden("hidden")),
			h.FieldSet(h.Class("field"), g.Attr("data-field", "outcome"),
				h.Legend(g.Text(i18n.T("field.outcome"))),
				h.Div(h.Class("choices"),
					radio("outcome", OutcomeMet, i18n.T("outcome.met"), true),
					radio("outcome", OutcomeNotHome, i18n.T("outcome.not_home"), false),
					radio("outcome", OutcomeRefused, i18n.T("outcome.refused"), false),
				),
				errP("outcome"),
			),
			h.Div(h.Class("field"), g.Attr("data-field", "wechat_added"),
				h.Label(h.Class("toggle"), h.For("vf-wechat"),
					h.Span(g.Text(i18n.T("field.wechat_toggle"))),
					h.Input(h.Type("checkbox"), h.ID("vf-wechat"), h.Name("wechat_added"), h.Value("1")),
				),
				h.P(h.ID("vf-wechat-note"), h.Class("hint small"), h.Hidden("hidden")),
				errP("wechat_added"),
			),
			h.FieldSet(h.Class("field"), g.Attr("data-field", "kind"),
				h.Legend(g.Text(i18n.T("field.kind"))),
				h.Div(h.Class("choices"),
					radio("kind", KindRoutine, i18n.T("kind.routine"), true),
					radio("kind", KindFollowUp, i18n.T("kind.follow_up"), false),
					radio("kind", KindHolidayCheck, i18n.T("kind.holiday_check"), false),
				),
				errP("kind"),
				errP("watch"),
			),
			// A holiday check: what it found, and who to call and who holds
			// the key (filled from the watch).
			h.Div(h.ID("vf-dispute"), h.Class("field watchbox"), h.Hidden("hidden"),
				h.P(h.Class("small muted"), g.Text(i18n.T("js.followup_of"))),
				h.P(h.ID("vf-dispute-summary")),
			),
			h.Div(h.ID("vf-watch"), h.Class("field watchbox"), h.Hidden("hidden"),
				h.P(h.Class("small muted"), g.Text(i18n.T("watch.check_lead"))),
				h.P(h.ID("vf-watch-contact")),
				h.P(h.ID("vf-watch-key"), h.Class("small")),
				h.FieldSet(h.Class("field"), g.Attr("data-field", "check_result"),
					h.Legend(g.Text(i18n.T("field.check_result"))),
					h.Div(h.Class("choices"),
						radio("check_result", CheckNormal, i18n.T("check.normal"), false),
						radio("check_result", CheckAbnormal, i18n.T("check.abnormal"), false),
					),
					errP("check_result"),
				),
			),
			h.FieldSet(h.Class("field"), g.Attr("data-field", "concerns"),
				h.Legend(g.Text(i18n.T("field.concerns"))),
				h.Div(h.Class("chips"), g.Map(Concerns, func(cn string) g.Node {
					return h.Label(h.Input(h.Type("checkbox"), h.Name("concerns"), h.Value(cn)), g.Text(cn))
				})),
				errP("concerns"),
			),
			h.Div(h.Class("field"), g.Attr("data-field", "notes"),
				h.Label(h.For("vf-notes"), g.Text(i18n.T("field.notes"))),
				h.Textarea(h.ID("vf-notes"), h.Name("notes"), h.MaxLength(strconv.Itoa(MaxNotes)), h.Placeholder(i18n.T("field.notes_hint"))),
				errP("notes"),
			),
			h.Details(h.Class("field"), g.Attr("data-field", "visited_at"),
				h.Summary(g.Text(i18n.T("field.visited_at_toggle"))),
				h.Label(h.For("vf-at"), g.Text(i18n.T("field.visited_at"))),
				h.Input(h.Type("datetime-local"), h.ID("vf-at"), h.Name("visited_at")),
				errP("visited_at"),
			),
			errP("household"),
			// Disabled until js/screens/visit_form.js has wired and filled
			// the form: an unwired form must never be submitted natively.
			h.Div(h.Class("sticky-actions"), h.Button(h.Type("submit"), h.ID("vf-save"), h.Class("primary big"), h.Disabled(), g.Text(i18n.T("field.save_visit")))),
		),
	)
}

// VisitScreen shows a saved visit: its sync state and, when the device had
// a token, the QR code the resident scans to confirm it.
func VisitScreen() g.Node {
	return h.Section(h.ID("screen-visit"), g.Attr("data-screen", "visit"), h.Hidden("hidden"),
		h.Div(h.Class("card"), g.Attr("data-part", ""),
			h.P(h.ID("vv-status"), h.Class("notice"), h.Role("status")),
			h.P(h.ID("vv-answer"), h.Hidden("hidden")),
			h.H1(h.ID("vv-address")),
			h.P(h.ID("vv-meta"), h.Class("muted")),
			h.P(h.ID("vv-notes")),
			h.P(h.ID("vv-closed"), h.Class("warnbox"), h.Hidden("hidden"), g.Text(i18n.T("visit.closed"))),
			h.Div(h.Class("row actions"),
				h.A(h.ID("vv-edit"), h.Class("button"), g.Attr("data-nav", ""), h.Hidden("hidden"), g.Text(i18n.T("visit.edit"))),
				h.A(h.ID("vv-household"), h.Class("button"), g.Attr("data-nav", ""), g.Text(i18n.T("field.to_household"))),
				// A visit that found a dispute opens a case (an office page,
				// online) once the visit is on the server.
				h.A(h.ID("vv-dispute"), h.Class("button"), h.Hidden("hidden"), g.Text(i18n.T("js.open_dispute"))),
				h.A(h.Class("button primary"), h.Href("/"), g.Attr("data-nav", ""), g.Text(i18n.T("field.next_home"))),
			),
		),
		h.Div(h.ID("vv-qr-card"), h.Class("card qr"), h.Hidden("hidden"),
			h.H2(g.Text(i18n.T("field.qr_title"))),
			h.P(h.Class("small muted"), g.Text(i18n.T("field.qr_lead"))),
			h.Div(h.ID("vv-qr")),
		),
		h.P(h.ID("vv-noqr"), h.Class("card small muted"), h.Hidden("hidden"), g.Text(i18n.T("field.no_qr"))),
		h.P(h.ID("vv-dispute-later"), h.Class("card small muted"), h.Hidden("hidden"), g.Text(i18n.T("js.dispute_after_sync"))),
		h.P(h.ID("vv-missing"), h.Class("card empty"), h.Hidden("hidden"), g.Text(i18n.T("visit.not_found"))),
	)
}
