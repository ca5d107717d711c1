package households

import (
	"strconv"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
)

// The field app's household screens. These are skeletons: the field app's
// JavaScript fills them from the device's replica, online or offline, and
// never invents layout. Elements the script fills carry ids or data-*
// attributes; repeated rows come from <template>s.

// FieldSearchScreen is the instant household search.
func FieldSearchScreen() g.Node {
	return h.Section(h.ID("screen-households"), g.Attr("data-screen", "households"), h.Hidden("hidden"),
		h.Div(h.Class("card"),
			h.Div(h.Class("spread"),
				h.H1(g.Text(i18n.T("household.search_title"))),
				h.A(h.Class("button primary"), h.Href("/households/new"), g.Attr("data-nav", ""), g.Text(i18n.T("household.new"))),
			),
			h.Div(h.Class("field"),
				h.Label(h.For("hh-q"), h.Class("label"), g.Text(i18n.T("household.q"))),
				h.Input(h.Type("search"), h.ID("hh-q"), h.Placeholder(i18n.T("household.q_hint")), h.AutoComplete("off"), g.Attr("enterkeyhint", "search")),
			),
			h.Div(h.Class("row"),
				h.Select(h.ID("hh-tag"), h.Class("grow"), g.Attr("aria-label", i18n.T("household.tag")),
					h.Option(h.Value(""), g.Text(i18n.T("household.any_tag"))),
					g.Map(Tags, func(t string) g.Node { return h.Option(h.Value(t), g.Text(t)) }),
				),
				h.Select(h.ID("hh-days"), h.Class("grow"), g.Attr("aria-label", i18n.T("household.not_visited_days")),
					h.Option(h.Value(""), g.Text(i18n.T("field.any_visit"))),
					g.Map([]int{30, 90, 180}, func(d int) g.Node {
						return h.Option(h.Value(strconv.Itoa(d)), g.Text(i18n.T("field.not_visited_n", d)))
					}),
				),
			),
		),
		h.Div(h.Class("card"),
			h.P(h.ID("hh-count"), h.Class("muted small")),
			h.Ul(h.ID("hh-results"), h.Class("list")),
		),
		h.Template(h.ID("tpl-household"), h.Li(h.A(h.Class("item"), g.Attr("data-nav", ""),
			h.Div(h.Class("spread"), h.Span(h.Class("title"), g.Attr("data-f", "address")), h.Span(h.Class("small muted"), g.Attr("data-f", "last"))),
			h.Div(h.Class("meta"), h.Span(g.Attr("data-f", "head")), g.Text(" "), h.Span(g.Attr("data-f", "phones")), h.Span(g.Attr("data-f", "tags"))),
		))),
	)
}

// FieldDetailScreen is one household with its visit history.
func FieldDetailScreen() g.Node {
	return h.Section(h.ID("screen-household"), g.Attr("data-screen", "household"), h.Hidden("hidden"),
		h.Div(h.Class("card"), g.Attr("data-part", ""),
			h.Div(h.Class("spread"),
				h.H1(h.ID("hd-address")),
				h.Span(h.ID("hd-archived"), h.Class("tag bad"), h.Hidden("hidden"), g.Text(i18n.T("household.archived_badge"))),
			),
			h.Dl(h.Class("facts"),
				h.Dt(g.Text(i18n.T("household.head_name"))), h.Dd(h.ID("hd-head")),
				h.Dt(g.Text(i18n.T("household.phones"))), h.Dd(h.ID("hd-phones")),
				h.Dt(g.Text(i18n.T("household.community"))), h.Dd(h.ID("hd-place")),
				h.Dt(g.Text(i18n.T("household.residents"))), h.Dd(h.ID("hd-residents")),
				h.Dt(g.Text(i18n.T("household.tags"))), h.Dd(h.ID("hd-tags")),
				h.Dt(g.Text(i18n.T("household.wechat"))), h.Dd(h.ID("hd-wechat")),
				h.Dt(g.Text(i18n.T("household.last_visited"))), h.Dd(h.ID("hd-last")),
				h.Dt(g.Text(i18n.T("household.notes"))), h.Dd(h.ID("hd-notes")),
			),
			h.Div(h.Class("row actions"),
				h.A(h.ID("hd-visit"), h.Class("button primary big"), g.Attr("data-nav", ""), g.Text(i18n.T("household.record_visit"))),
				h.A(h.ID("hd-edit"), h.Class("button"), g.Attr("data-nav", ""), g.Text(i18n.T("household.edit"))),
				h.A(h.ID("hd-report"), h.Class("button"), g.Attr("data-nav", ""), g.Text(i18n.T("js.household_report"))),
			),
		),
		// Its holiday watches (filled by js/screens/households.js from the
		// replica; the watch screens are the watches package's).
		h.Div(h.Class("card"), g.Attr("data-part", ""),
			h.Div(h.Class("spread"),
				h.H2(g.Text(i18n.T("watch.section"))),
				h.A(h.ID("hd-watch-new"), h.Class("button"), g.Attr("data-nav", ""), g.Text(i18n.T("watch.register"))),
			),
			h.Ul(h.ID("hd-watches"), h.Class("list")),
		),
		h.Div(h.Class("card"), g.Attr("data-part", ""),
			h.H2(g.Text(i18n.T("household.history"))),
			h.Ul(h.ID("hd-history"), h.Class("list")),
		),
		h.P(h.ID("hd-missing"), h.Class("card empty"), h.Hidden("hidden"), g.Text(i18n.T("household.not_found"))),
	)
}

// FieldFormScreen creates a household at the door, or edits one.
func FieldFormScreen() g.Node {
	text := func(name, label string, max int, attrs ...g.Node) g.Node {
		return h.Div(h.Class("field"), g.Attr("data-field", name),
			h.Label(h.For("hf-"+name), g.Text(label)),
			h.Input(append([]g.Node{h.ID("hf-" + name), h.Name(name), h.Type("text"), h.MaxLength(strconv.Itoa(max))}, attrs...)...),
			h.P(h.Class("error"), g.Attr("data-error-for", name), h.Hidden("hidden")),
		)
	}
	return h.Section(h.ID("screen-household-form"), g.Attr("data-screen", "household-form"), h.Hidden("hidden"),
		h.Form(h.ID("hf"), h.Class("card"), g.Attr("novalidate"),
			h.H1(h.ID("hf-title")),
			h.Div(h.ID("hf-alert"), h.Class("alert"), h.Role("alert"), h.Hidden("hidden")),
			h.Div(h.Class("field"), g.Attr("data-field", "community"),
				h.Label(h.For("hf-community"), g.Text(i18n.T("household.community"))),
				h.Select(h.ID("hf-community"), h.Name("community"), h.Required()),
				h.P(h.Class("error"), g.Attr("data-error-for", "community"), h.Hidden("hidden")),
			),
			h.Div(h.Class("field"), g.Attr("data-field", "grid"),
				h.Label(h.For("hf-grid"), g.Text(i18n.T("household.grid"))),
				h.Select(h.ID("hf-grid"), h.Name("grid")),
				h.P(h.Class("error"), g.Attr("data-error-for", "grid"), h.Hidden("hidden")),
			),
			text("building", i18n.T("household.building"), MaxBuilding, h.Placeholder(i18n.T("household.building_hint")), h.Required()),
			h.Div(h.Class("row"),
				h.Div(h.Class("grow"), text("unit", i18n.T("household.unit"), MaxUnit, g.Attr("inputmode", "numeric"))),
				h.Div(h.Class("grow"), text("room", i18n.T("household.room"), MaxRoom, g.Attr("inputmode", "numeric"))),
			),
			text("head_name", i18n.T("household.head_name"), MaxHeadName),
			text("phones", i18n.T("household.phones"), 200, h.Type("tel"), h.Placeholder(i18n.T("household.phones_hint"))),
			text("residents", i18n.T("household.residents"), 2, h.Type("number"), g.Attr("inputmode", "numeric"), h.Min("0"), h.Max(strconv.Itoa(MaxResident))),
			h.FieldSet(h.Class("field"), g.Attr("data-field", "tags"),
				h.Legend(g.Text(i18n.T("household.tags"))),
				h.Div(h.Class("chips"), g.Map(Tags, func(t string) g.Node {
					return h.Label(h.Input(h.Type("checkbox"), h.Name("tags"), h.Value(t)), g.Text(t))
				})),
				h.P(h.Class("error"), g.Attr("data-error-for", "tags"), h.Hidden("hidden")),
			),
			h.Div(h.Class("field"), g.Attr("data-field", "notes"),
				h.Label(h.For("hf-notes"), g.Text(i18n.T("household.notes"))),
				h.Textarea(h.ID("hf-notes"), h.Name("notes"), h.MaxLength(strconv.Itoa(MaxNotes))),
				h.P(h.Class("error"), g.Attr("data-error-for", "notes"), h.Hidden("hidden")),
			),
			// Disabled until js/screens/household_form.js has wired the form.
			h.Div(h.Class("sticky-actions"), h.Button(h.Type("submit"), h.ID("hf-save"), h.Class("primary big"), h.Disabled(), g.Text(i18n.T("household.save")))),
		),
	)
}
