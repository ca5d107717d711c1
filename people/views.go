package people

import (
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// Place is a community as the people pages name it.
type Place struct{ ID, Name string }

func placeNames(places []Place) map[string]string {
	m := map[string]string{}
	for _, p := range places {
		m[p.ID] = p.Name
	}
	return m
}

func namesOf(ids []string, names map[string]string) string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, names[id])
	}
	return strings.Join(out, "、")
}

// ListPage is /officers: every officer with their area, WeChat and devices.
func ListPage(layout pwa.Layout, me *station.Officer, officers []*Officer, places []Place, loc *time.Location) g.Node {
	names := placeNames(places)
	return layout(pwa.Page{
		Title:   i18n.T("people.title"),
		Officer: me,
		Nav:     "/officers",
		Body: []g.Node{
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(i18n.T("people.title"))),
					h.Div(h.Class("row no-print"),
						h.A(h.Class("button primary"), h.Href("/officers/new"), g.Text(i18n.T("people.add"))),
						h.A(h.Class("button"), h.Href("/handover"), g.Text(i18n.T("people.handover"))),
					),
				),
				h.P(h.Class("lead"), g.Text(i18n.T("people.lead", len(officers)))),
				h.Div(h.Class("table-wrap"), h.Table(
					h.THead(h.Tr(
						h.Th(g.Text(i18n.T("people.col.badge"))), h.Th(g.Text(i18n.T("people.col.name"))), h.Th(g.Text(i18n.T("people.col.role"))),
						h.Th(g.Text(i18n.T("people.col.communities"))), h.Th(g.Text(i18n.T("people.col.wechat"))),
						h.Th(g.Text(i18n.T("people.col.phone"))), h.Th(g.Text(i18n.T("people.col.devices"))), h.Th(g.Text(i18n.T("people.col.status"))),
					)),
					h.TBody(g.Map(officers, func(o *Officer) g.Node {
						return h.Tr(c.Classes{"muted": !o.Active},
							h.Td(g.Text(o.Badge)),
							h.Td(h.A(h.Href("/officers/"+o.ID), g.Text(o.Name))),
							h.Td(g.Text(i18n.T("people.role."+o.Role))),
							h.Td(g.If(o.Role == station.RoleOfficer, g.Text(namesOf(o.Communities, names)))),
							h.Td(g.Text(o.WeChat)),
							h.Td(g.If(o.Phone != "", g.Text(station.DisplayPhone(o.Phone)))),
							h.Td(deviceSummary(o.Devices, loc)),
							h.Td(activeTag(o.Active)),
						)
					})),
				)),
			),
		},
	})
}

func deviceSummary(ds []Device, loc *time.Location) g.Node {
	if len(ds) == 0 {
		return h.Span(h.Class("muted"), g.Text(i18n.T("people.no_devices")))
	}
	return g.Text(i18n.T("people.devices_n", len(ds), pwa.DateTime(ds[0].LastSeen, loc)))
}

func activeTag(active bool) g.Node {
	if active {
		return h.Span(h.Class("tag ok"), g.Text(i18n.T("people.active")))
	}
	return h.Span(h.Class("tag"), g.Text(i18n.T("people.inactive")))
}

// DetailProps is what an officer's page shows.
type DetailProps struct {
	Me        *station.Officer
	Officer   *Officer
	Places    []Place
	Handovers []*Handover
	Loc       *time.Location
	// Password is a new password, shown once (after adding or resetting).
	Password string
	Notice   string
}

// DetailPage is one officer: who they are, their devices, their
// handovers, and what the deputy chief can do.
func DetailPage(layout pwa.Layout, p DetailProps) g.Node {
	o := p.Officer
	names := placeNames(p.Places)
	return layout(pwa.Page{
		Title:   o.Name,
		Officer: p.Me,
		Nav:     "/officers",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			g.If(p.Password != "", h.Section(h.Class("card warnbox"), h.ID("new-password"),
				h.H2(g.Text(i18n.T("people.password_title"))),
				h.P(g.Text(i18n.T("people.password_lead", o.Name)), h.Strong(h.Class("password"), g.Text(p.Password))),
				h.P(h.Class("small"), g.Text(i18n.T("people.password_once"))),
			)),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"), h.H1(g.Text(o.Name+" · "+i18n.T("people.role."+o.Role))), activeTag(o.Active)),
				h.Dl(h.Class("facts"),
					fact(i18n.T("people.badge"), g.Text(o.Badge)),
					g.If(o.Role == station.RoleOfficer, fact(i18n.T("people.communities"), g.Text(namesOf(o.Communities, names)))),
					fact(i18n.T("people.wechat"), g.Text(o.WeChat)),
					fact(i18n.T("people.phone"), g.If(o.Phone != "", h.A(h.Href("tel:"+o.Phone), g.Text(station.DisplayPhone(o.Phone))))),
					g.If(o.Email != "", fact(i18n.T("people.email"), g.Text(o.Email))),
				),
				h.Div(h.Class("row actions no-print"),
					h.A(h.Class("button"), h.Href("/officers/"+o.ID+"/edit"), g.Text(i18n.T("people.edit_title", ""))),
					g.If(o.Role == station.RoleOfficer && o.Active, h.A(h.Class("button"), h.Href("/handover?from="+o.ID), g.Text(i18n.T("people.handover")))),
					h.Form(h.Method("post"), h.Action("/officers/"+o.ID+"/password"),
						h.Button(h.Type("submit"), h.Title(i18n.T("people.reset_confirm")), g.Text(i18n.T("people.reset_password")))),
					h.Form(h.Method("post"), h.Action("/officers/"+o.ID+"/active"),
						h.Input(h.Type("hidden"), h.Name("active"), h.Value(map[bool]string{true: "0", false: "1"}[o.Active])),
						h.Button(h.Type("submit"), c.Classes{"danger": o.Active}, h.Title(i18n.T("people.deactivate_lead")),
							g.Text(map[bool]string{true: i18n.T("people.deactivate"), false: i18n.T("people.reactivate")}[o.Active]))),
				),
				g.If(o.Active, h.P(h.Class("small muted"), g.Text(i18n.T("people.deactivate_lead")))),
			),
			h.Section(h.Class("card"),
				h.H2(g.Text(i18n.T("people.devices"))),
				g.If(len(o.Devices) == 0, pwa.EmptyState(i18n.T("people.no_devices"))),
				g.If(len(o.Devices) > 0, h.Div(h.Class("table-wrap"), h.Table(
					h.THead(h.Tr(h.Th(g.Text(i18n.T("people.device"))), h.Th(g.Text(i18n.T("people.device_version"))),
						h.Th(h.Class("num"), g.Text(i18n.T("people.device_pending"))), h.Th(g.Text(i18n.T("people.device_seen"))))),
					h.TBody(g.Map(o.Devices, func(d Device) g.Node {
						return h.Tr(h.Td(h.Code(g.Text(d.ID))), h.Td(g.Text(d.AppVersion)), h.Td(h.Class("num"), g.Textf("%d", d.Pending)),
							h.Td(g.Text(pwa.DateTime(d.LastSeen, p.Loc))))
					})),
				))),
			),
			h.Section(h.Class("card"),
				h.H2(g.Text(i18n.T("people.handovers"))),
				HandoverList(p.Handovers, names, p.Loc),
			),
		},
	})
}

// HandoverList lists handovers with what moved.
func HandoverList(hs []*Handover, names map[string]string, loc *time.Location) g.Node {
	if len(hs) == 0 {
		return pwa.EmptyState(i18n.T("people.no_handovers"))
	}
	return h.Ul(h.Class("list"), g.Map(hs, func(ho *Handover) g.Node {
		return h.Li(h.Div(h.Class("item"),
			h.Span(h.Class("title"), g.Text(i18n.T("people.handover_line", pwa.Date(ho.At, loc), ho.From, ho.To, namesOf(ho.Communities, names)))),
			h.Div(h.Class("meta"), g.Text(movedText(ho.Moved))),
			g.If(ho.Note != "", h.P(h.Class("small"), g.Text(ho.Note))),
		))
	}))
}

func movedText(moved map[string]int) string {
	var parts []string
	for _, k := range []string{"households", "wechat_contacts", "open_watches", "open_disputes", "follow_ups", "open_reports"} {
		if n, ok := moved[k]; ok {
			parts = append(parts, i18n.T("people.moved."+k)+" "+itoa(n))
		}
	}
	return strings.Join(parts, " · ")
}

func itoa(n int) string { return strconv.Itoa(n) }

func fact(label string, value ...g.Node) g.Node {
	return g.Group{h.Dt(g.Text(label)), h.Dd(value...)}
}

// FormProps is the officer form's content.
type FormProps struct {
	Me      *station.Officer
	Input   Input
	Places  []Place
	Editing *Officer
	Err     error
}

// FormPage adds or edits an officer, each field with its error.
func FormPage(layout pwa.Layout, p FormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	title, action := i18n.T("people.new_title"), "/officers"
	if p.Editing != nil {
		title, action = i18n.T("people.edit_title", p.Editing.Name), "/officers/"+p.Editing.ID
	}
	_, badComm := errs["communities"]
	return layout(pwa.Page{
		Title:   title,
		Officer: p.Me,
		Nav:     "/officers",
		Body: []g.Node{h.Section(h.Class("card form"),
			h.H1(g.Text(title)),
			pwa.ErrorSummary(p.Err),
			h.Form(h.Method("post"), h.Action(action), g.Attr("novalidate"),
				pwa.Field(i18n.T("people.badge"), "badge", errs, pwa.Input("badge", in.Badge, errs, h.Type("text"), g.Attr("autocapitalize", "characters"), h.MaxLength("20")), i18n.T("people.badge_hint")),
				pwa.Field(i18n.T("people.name"), "name", errs, pwa.Input("name", in.Name, errs, h.Type("text"), h.MaxLength("50"))),
				h.FieldSet(c.Classes{"field": true, "bad": errs["role"].Code != ""},
					h.Legend(g.Text(i18n.T("people.role"))),
					h.Div(h.Class("choices"), g.Map([]string{station.RoleOfficer, station.RoleDeputyChief}, func(r string) g.Node {
						return h.Label(h.Input(h.Type("radio"), h.Name("role"), h.Value(r), g.If(in.Role == r, h.Checked())), g.Text(i18n.T("people.role."+r)))
					})),
				),
				h.FieldSet(c.Classes{"field": true, "bad": badComm},
					h.Legend(g.Text(i18n.T("people.communities"))),
					h.Div(h.Class("chips"), g.Map(p.Places, func(pl Place) g.Node {
						return h.Label(h.Input(h.Type("checkbox"), h.Name("communities"), h.Value(pl.ID), g.If(contains(in.Communities, pl.ID), h.Checked())), g.Text(pl.Name))
					})),
					g.If(badComm, h.P(h.Class("error"), g.Text(errs["communities"].Message))),
					g.If(!badComm, h.Small(h.Class("hint"), g.Text(i18n.T("people.communities_hint")))),
				),
				pwa.Field(i18n.T("people.wechat"), "wechat", errs, pwa.Input("wechat", in.WeChat, errs, h.Type("text"), h.MaxLength("50"))),
				pwa.Field(i18n.T("people.phone"), "phone", errs, pwa.Input("phone", in.Phone, errs, h.Type("tel"))),
				pwa.Field(i18n.T("people.email"), "email", errs, pwa.Input("email", in.Email, errs, h.Type("email"))),
				h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("people.save"))),
			),
		)},
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// HandoverProps is the handover form's content.
type HandoverProps struct {
	Me       *station.Officer
	Officers []*Officer // community officers in post
	Places   []Place
	Input    HandoverInput
	Err      error
}

// HandoverPage asks who hands which communities to whom.
func HandoverPage(layout pwa.Layout, p HandoverProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	names := placeNames(p.Places)
	var from *Officer
	for _, o := range p.Officers {
		if o.ID == in.From {
			from = o
		}
	}
	pick := func(name, selected string) g.Node {
		return h.Select(h.ID(name), h.Name(name),
			h.Option(h.Value(""), g.Text("—")),
			g.Map(p.Officers, func(o *Officer) g.Node {
				return h.Option(h.Value(o.ID), g.If(o.ID == selected, h.Selected()), g.Text(o.Name+" "+o.Badge+" · "+namesOf(o.Communities, names)))
			}))
	}
	var offered []Place
	for _, pl := range p.Places {
		if from == nil || contains(from.Communities, pl.ID) {
			offered = append(offered, pl)
		}
	}
	_, badComm := errs["communities"]
	return layout(pwa.Page{
		Title:   i18n.T("people.handover_title"),
		Officer: p.Me,
		Nav:     "/officers",
		Body: []g.Node{h.Section(h.Class("card form"),
			h.H1(g.Text(i18n.T("people.handover_title"))),
			h.P(h.Class("lead"), g.Text(i18n.T("people.handover_lead"))),
			pwa.ErrorSummary(p.Err),
			h.Form(h.Method("post"), h.Action("/handover"), g.Attr("novalidate"),
				pwa.Field(i18n.T("people.handover_from"), "from", errs, pick("from", in.From)),
				pwa.Field(i18n.T("people.handover_to"), "to", errs, pick("to", in.To)),
				h.FieldSet(c.Classes{"field": true, "bad": badComm},
					h.Legend(g.Text(i18n.T("people.handover_communities"))),
					h.Div(h.Class("chips"), g.Map(offered, func(pl Place) g.Node {
						return h.Label(h.Input(h.Type("checkbox"), h.Name("communities"), h.Value(pl.ID), g.If(contains(in.Communities, pl.ID), h.Checked())), g.Text(pl.Name))
					})),
					g.If(badComm, h.P(h.Class("error"), g.Text(errs["communities"].Message))),
				),
				h.Div(h.Class("field"), h.Label(h.Class("toggle"), h.For("move_wechat_id"), h.Span(g.Text(i18n.T("people.handover_wechat_id"))),
					h.Input(h.Type("checkbox"), h.ID("move_wechat_id"), h.Name("move_wechat_id"), h.Value("1"), g.If(in.MoveWeChatID, h.Checked())))),
				pwa.Field(i18n.T("people.handover_note"), "note", errs, h.Textarea(h.ID("note"), h.Name("note"), h.MaxLength("1000"), g.Text(in.Note))),
				h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("people.handover_preview"))),
			),
		)},
	})
}

// PreviewPage shows what a handover will move, and confirms it.
func PreviewPage(layout pwa.Layout, me *station.Officer, plan *Plan) g.Node {
	in := plan.Input
	hidden := func(name, value string) g.Node { return h.Input(h.Type("hidden"), h.Name(name), h.Value(value)) }
	return layout(pwa.Page{
		Title:   i18n.T("people.preview_title"),
		Officer: me,
		Nav:     "/officers",
		Body: []g.Node{h.Section(h.Class("card form"), h.ID("handover-preview"),
			h.H1(g.Text(i18n.T("people.preview_title"))),
			h.P(h.Class("lead"), g.Text(i18n.T("people.preview_lead", plan.From.Name, strings.Join(plan.Communities, "、"), plan.To.Name))),
			h.Table(h.Class("preview"), h.TBody(g.Map(plan.Order, func(k string) g.Node {
				return h.Tr(h.Th(g.Text(i18n.T("people.moved."+k))), h.Td(h.Class("num"), g.Attr("data-count", k), g.Textf("%d", plan.Counts[k])))
			}))),
			g.If(in.MoveWeChatID && plan.From.WeChat != "", h.P(g.Text(i18n.T("people.preview_wechat_id", plan.From.WeChat)))),
			h.P(h.Class("small muted"), g.Text(i18n.T("people.preview_history"))),
			h.Form(h.Method("post"), h.Action("/handover/confirm"),
				hidden("from", in.From), hidden("to", in.To), hidden("note", in.Note),
				g.If(in.MoveWeChatID, hidden("move_wechat_id", "1")),
				g.Map(in.Communities, func(c string) g.Node { return hidden("communities", c) }),
				h.Div(h.Class("row"),
					h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("people.handover_confirm"))),
					h.A(h.Class("button"), h.Href("/handover?from="+in.From), g.Text(i18n.T("people.back"))),
				),
			),
		)},
	})
}
