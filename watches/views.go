package watches

import (
	"strconv"
	"time"

	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// ListPage is /watches: the watches in progress, those about to start and
// those that ended lately, each with its checks made against those due.
func ListPage(layout pwa.Layout, o *station.Officer, vs []*View, today Day) g.Node {
	var now, soon, past []*View
	for _, v := range vs {
		switch {
		case v.Status != StatusActive:
			past = append(past, v)
		case v.From > today.Format(time.DateOnly):
			soon = append(soon, v)
		default:
			now = append(now, v)
		}
	}
	overdue := 0
	for _, v := range now {
		if len(v.Progress.Overdue) > 0 {
			overdue++
		}
	}
	return layout(pwa.Page{
		Title:   i18n.T("watch.title"),
		Officer: o,
		Nav:     "/watches",
		Body: []g.Node{
			h.Section(h.Class("card"),
				h.H1(g.Text(i18n.T("watch.title"))),
				h.P(h.Class("lead"), g.Text(i18n.T("watch.lead", len(now), len(soon), overdue))),
				h.P(h.Class("small muted"), g.Text(i18n.T("watch.how_to_register"))),
			),
			section(i18n.T("watch.in_progress"), now, today),
			section(i18n.T("watch.upcoming"), soon, today),
			section(i18n.T("watch.past"), past, today),
		},
	})
}

func section(title string, vs []*View, today Day) g.Node {
	return h.Section(h.Class("card"),
		h.H2(g.Text(title)),
		g.If(len(vs) == 0, pwa.EmptyState(i18n.T("watch.none"))),
		g.If(len(vs) > 0, h.Div(h.Class("table-wrap"), h.Table(
			h.THead(h.Tr(
				h.Th(g.Text(i18n.T("watch.col.household"))), h.Th(g.Text(i18n.T("watch.col.window"))),
				h.Th(h.Class("num"), g.Text(i18n.T("watch.col.interval"))), h.Th(h.Class("num"), g.Text(i18n.T("watch.col.checks"))),
				h.Th(g.Text(i18n.T("watch.col.next"))), h.Th(g.Text(i18n.T("watch.col.status"))),
			)),
			h.TBody(g.Map(vs, func(v *View) g.Node {
				late := len(v.Progress.Overdue)
				return h.Tr(c.Classes{"behind": late > 0},
					h.Td(h.A(h.Href("/watches/"+v.ID), g.Text(v.Address))),
					h.Td(g.Text(v.From+" — "+v.To)),
					h.Td(h.Class("num"), g.Text(i18n.T("watch.every_n", v.IntervalDays))),
					h.Td(h.Class("num"), g.Textf("%d/%d", v.Progress.Made, v.Progress.DueNow)),
					h.Td(g.If(!v.Progress.Next.IsZero(), g.Text(v.Progress.Next.Format(time.DateOnly)))),
					h.Td(statusTag(v), g.If(late > 0, h.Span(h.Class("tag bad"), g.Text(" "+i18n.T("watch.overdue_n", late)))),
						g.If(v.Progress.Today, h.Span(h.Class("tag warn"), g.Text(" "+i18n.T("watch.due_today"))))),
				)
			})),
		))),
	)
}

func statusTag(v *View) g.Node {
	cls := map[string]string{StatusActive: "tag ok", StatusEnded: "tag", StatusCancelled: "tag"}[v.Status]
	return h.Span(h.Class(cls), g.Text(i18n.T("watch.status."+v.Status)))
}

// DetailProps is what a watch's office page shows.
type DetailProps struct {
	Officer *station.Officer
	View    *View
	Today   Day
	Loc     *time.Location
	// Link is the resident's summary link, shown once right after it was
	// made (registration, or "new link"); "" otherwise.
	Link   string
	Notice string
	Err    error
}

// DetailPage is one watch: what was registered, the schedule with each due
// day done or not, the checks, and what can be done with it.
func DetailPage(layout pwa.Layout, p DetailProps) g.Node {
	v := p.View
	errs := station.FieldsOf(p.Err)
	active := v.Status == StatusActive
	return layout(pwa.Page{
		Title:   i18n.T("watch.detail_title", v.Address),
		Officer: p.Officer,
		Nav:     "/watches",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			pwa.ErrorSummary(p.Err),
			g.If(p.Link != "", linkCard(p.Link)),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"), h.H1(g.Text(i18n.T("watch.detail_title", v.Address))), statusTag(v)),
				h.Dl(h.Class("facts"),
					fact(i18n.T("watch.household"), h.A(h.Href("/households/"+v.Household), g.Text(v.Address))),
					fact(i18n.T("watch.window"), g.Text(i18n.T("watch.window_text", v.From, v.To))),
					fact(i18n.T("watch.interval"), g.Text(i18n.T("watch.every_n", v.IntervalDays))),
					fact(i18n.T("watch.contact"), g.If(v.Purged, h.Span(h.Class("muted"), g.Text(i18n.T("watch.purged")))),
						g.If(!v.Purged, g.Group{g.Text(v.ContactName + " "), h.A(h.Href("tel:"+v.ContactPhone), g.Text(station.DisplayPhone(v.ContactPhone)))})),
					fact(i18n.T("watch.key_holder"), g.Text(orDash(v.KeyHolder))),
					fact(i18n.T("watch.camera"), g.Text(map[bool]string{true: i18n.T("watch.camera_yes"), false: i18n.T("watch.camera_no")}[v.Camera])),
					g.If(v.Notes != "", fact(i18n.T("watch.notes"), g.Text(v.Notes))),
					g.If(v.CancelReason != "", fact(i18n.T("watch.cancel_reason"), g.Text(v.CancelReason))),
				),
				g.If(active, h.Div(h.Class("row actions no-print"),
					h.A(h.Class("button"), h.Href("/watches/"+v.ID+"/edit"), g.Text(i18n.T("watch.edit"))),
					h.Form(h.Method("post"), h.Action("/watches/"+v.ID+"/link"),
						h.Button(h.Type("submit"), g.Text(i18n.T("watch.new_link")))),
				)),
			),
			h.Section(h.Class("card"),
				h.H2(g.Text(i18n.T("watch.schedule"))),
				h.P(h.Class("small muted"), g.Text(i18n.T("watch.schedule_lead", v.Progress.Made, v.Progress.DueNow, len(v.Progress.Due)))),
				h.Ul(h.Class("chips schedule"), g.Map(indexes(len(v.Progress.Due)), func(i int) g.Node {
					d := v.Progress.Due[i]
					done := v.Progress.Done[i]
					cls := "tag"
					switch {
					case done:
						cls = "tag ok"
					case d.Before(p.Today):
						cls = "tag bad"
					case d.Equal(p.Today):
						cls = "tag warn"
					}
					return h.Li(h.Span(h.Class(cls), g.Text(d.Format("01-02")+" "+map[bool]string{true: "✓", false: ""}[done])))
				})),
			),
			h.Section(h.Class("card"),
				h.H2(g.Text(i18n.T("watch.checks"))),
				ChecksList(v.Checks, p.Loc),
			),
			g.If(active, h.Section(h.Class("card no-print"),
				h.H2(g.Text(i18n.T("watch.cancel"))),
				h.Form(h.Method("post"), h.Action("/watches/"+v.ID+"/cancel"),
					pwa.Field(i18n.T("watch.cancel_reason"), "cancel_reason", errs, h.Textarea(h.ID("cancel_reason"), h.Name("cancel_reason"), h.MaxLength(strconv.Itoa(MaxCancelReason)))),
					h.Button(h.Type("submit"), h.Class("danger"), g.Text(i18n.T("watch.cancel_submit"))),
				),
			)),
		},
	})
}

// ChecksList lists a watch's checks, newest first.
func ChecksList(cs []Check, loc *time.Location) g.Node {
	if len(cs) == 0 {
		return pwa.EmptyState(i18n.T("watch.no_checks"))
	}
	return h.Ul(h.Class("list"), g.Map(cs, func(ch Check) g.Node {
		return h.Li(h.Div(h.Class("item"),
			h.Div(h.Class("spread"),
				h.Span(h.Class("title"), g.Text(pwa.DateTime(ch.At, loc))),
				resultTag(ch.Result),
			),
			h.Div(h.Class("meta"), g.Text(ch.Officer)),
			g.If(ch.Notes != "", h.P(g.Text(ch.Notes))),
		))
	}))
}

func resultTag(result string) g.Node {
	cls := "tag ok"
	if result == "abnormal" {
		cls = "tag bad"
	}
	return h.Span(h.Class(cls), g.Text(i18n.T("check."+result)))
}

// linkCard shows the resident's link once: as a QR to scan and as text to
// copy into WeChat.
func linkCard(link string) g.Node {
	svg, err := pwa.QRSVG(link)
	return h.Section(h.Class("card qr"), h.ID("summary-link"),
		h.H2(g.Text(i18n.T("watch.link_title"))),
		h.P(h.Class("small"), g.Text(i18n.T("watch.link_lead"))),
		// The SVG is drawn by pwa.QRSVG from the link (an id and a hex
		// secret): our markup, not a user's.
		g.If(err == nil, h.Div(h.Class("qr-code"), g.Raw(svg))),
		h.P(h.Input(h.Type("text"), h.ReadOnly(), h.Value(link), h.Class("copy"), g.Attr("aria-label", i18n.T("watch.link_title")))),
		h.P(h.Class("small warnbox"), g.Text(i18n.T("watch.link_once"))),
	)
}

// FormProps is what the register/edit form shows.
type FormProps struct {
	Officer *station.Officer
	Address string
	Input   Input
	Editing bool
	Err     error
}

// FormPage registers a watch, or edits one, with each field's error.
func FormPage(layout pwa.Layout, p FormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	action := "/watches"
	title := i18n.T("watch.new_title", p.Address)
	if p.Editing {
		action = "/watches/" + in.ID
		title = i18n.T("watch.edit_title", p.Address)
	}
	interval := in.IntervalDays
	if interval == 0 {
		interval = DefaultInterval
	}
	return layout(pwa.Page{
		Title:   title,
		Officer: p.Officer,
		Nav:     "/watches",
		Body: []g.Node{h.Section(h.Class("card form"),
			h.H1(g.Text(title)),
			pwa.ErrorSummary(p.Err),
			h.Form(h.Method("post"), h.Action(action), g.Attr("novalidate"),
				h.Input(h.Type("hidden"), h.Name("household"), h.Value(in.Household)),
				h.Div(h.Class("row"),
					h.Div(h.Class("grow"), pwa.Field(i18n.T("watch.from"), "from", errs, pwa.Input("from", in.From, errs, h.Type("date")))),
					h.Div(h.Class("grow"), pwa.Field(i18n.T("watch.to"), "to", errs, pwa.Input("to", in.To, errs, h.Type("date")), i18n.T("watch.window_hint", MaxDays))),
				),
				pwa.Field(i18n.T("watch.contact_name"), "contact_name", errs, pwa.Input("contact_name", in.ContactName, errs, h.Type("text"), h.MaxLength(strconv.Itoa(MaxName)))),
				pwa.Field(i18n.T("watch.contact_phone"), "contact_phone", errs, pwa.Input("contact_phone", in.ContactPhone, errs, h.Type("tel"))),
				pwa.Field(i18n.T("watch.key_holder"), "key_holder", errs, pwa.Input("key_holder", in.KeyHolder, errs, h.Type("text"), h.MaxLength(strconv.Itoa(MaxKeyHolder))), i18n.T("watch.key_holder_hint")),
				pwa.Field(i18n.T("watch.interval"), "interval_days", errs, h.Select(h.ID("interval_days"), h.Name("interval_days"),
					g.Map(indexes(MaxInterval), func(i int) g.Node {
						n := i + 1
						return h.Option(h.Value(strconv.Itoa(n)), g.If(n == interval, h.Selected()), g.Text(i18n.T("watch.every_n", n)))
					}))),
				h.Div(h.Class("field"), h.Label(h.Class("toggle"), h.For("camera"), h.Span(g.Text(i18n.T("watch.camera_installed"))),
					h.Input(h.Type("checkbox"), h.ID("camera"), h.Name("camera"), h.Value("1"), g.If(in.Camera, h.Checked())))),
				pwa.Field(i18n.T("watch.notes"), "notes", errs, h.Textarea(h.ID("notes"), h.Name("notes"), h.MaxLength(strconv.Itoa(MaxNotes)), g.Text(in.Notes))),
				h.Button(h.Type("submit"), h.Class("primary big"), g.Text(i18n.T("watch.save"))),
			),
		)},
	})
}

// SummaryPage is the resident's page behind their link: the window and
// each check's day, result and officer, nothing else. No JavaScript.
func SummaryPage(layout pwa.Layout, s *Summary, loc *time.Location) g.Node {
	return layout(pwa.Page{
		Title: i18n.T("watch.summary_title"),
		Body: []g.Node{h.Section(h.Class("card narrow"),
			h.H1(g.Text(i18n.T("watch.summary_title"))),
			h.P(h.Class("lead"), g.Text(i18n.T("watch.summary_window", s.From, s.To))),
			g.If(s.Status != StatusActive, h.P(h.Class("muted"), g.Text(i18n.T("watch.summary_status."+s.Status)))),
			g.If(len(s.Checks) == 0, pwa.EmptyState(i18n.T("watch.summary_none"))),
			g.If(len(s.Checks) > 0, h.Ul(h.Class("list"), g.Map(s.Checks, func(ch Check) g.Node {
				return h.Li(h.Div(h.Class("item"),
					h.Div(h.Class("spread"), h.Span(h.Class("title"), g.Text(pwa.DateTime(ch.At, loc))), resultTag(ch.Result)),
					h.Div(h.Class("meta"), g.Text(i18n.T("watch.summary_officer", ch.Officer, ch.Badge))),
				))
			}))),
			h.P(h.Class("small muted"), g.Text(i18n.T("watch.summary_privacy"))),
		)},
	})
}

// SummaryGone is the page of a link that is wrong, forged or revoked: the
// same words for each, revealing nothing.
func SummaryGone(layout pwa.Layout) g.Node {
	return layout(pwa.Page{
		Title: i18n.T("watch.summary_bad_title"),
		Body:  []g.Node{h.Section(h.Class("card narrow"), h.H1(g.Text(i18n.T("watch.summary_bad_title"))), h.P(g.Text(i18n.T("watch.summary_bad"))))},
	})
}

func fact(label string, value ...g.Node) g.Node {
	return g.Group{h.Dt(g.Text(label)), h.Dd(value...)}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// HouseholdCard is the watches of a household on its office page: those in
// progress or coming, and the way to register one.
func HouseholdCard(vs []*View, hh *households.Household, today Day) g.Node {
	var open []*View
	for _, v := range vs {
		if v.Status == StatusActive {
			open = append(open, v)
		}
	}
	return h.Section(h.Class("card"),
		h.Div(h.Class("spread"),
			h.H2(g.Text(i18n.T("watch.section"))),
			g.If(!hh.Archived, h.A(h.Class("button no-print"), h.Href("/watches/new?household="+hh.ID), g.Text(i18n.T("watch.register")))),
		),
		g.If(len(open) == 0, h.P(h.Class("muted small"), g.Text(i18n.T("watch.none")))),
		g.If(len(open) > 0, h.Ul(h.Class("list"), g.Map(open, func(v *View) g.Node {
			return h.Li(h.A(h.Class("item"), h.Href("/watches/"+v.ID),
				h.Div(h.Class("spread"), h.Span(h.Class("title"), g.Text(i18n.T("watch.window_text", v.From, v.To))),
					h.Span(g.Textf("%d/%d", v.Progress.Made, v.Progress.DueNow))),
				g.If(len(v.Progress.Overdue) > 0, h.Span(h.Class("tag bad"), g.Text(i18n.T("watch.overdue_n", len(v.Progress.Overdue))))),
			))
		}))),
	)
}
