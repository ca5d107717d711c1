package households

import (
	"fmt"
	"slices"
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

// SearchProps is what the registry search page shows.
type SearchProps struct {
	Officer  *station.Officer
	Query    Query
	Places   []Community
	Result   Result
	Officers map[string]string // officer id → name
	Loc      *time.Location
	Now      time.Time
	Notice   string
}

// SearchPage is the registry: filters, then one row per household.
func SearchPage(layout pwa.Layout, p SearchProps) g.Node {
	names := NamesOf(p.Places)
	q := p.Query
	return layout(pwa.Page{
		Title:   i18n.T("household.search_title"),
		Officer: p.Officer,
		Nav:     "/households",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(i18n.T("household.search_title"))),
					h.Div(h.Class("row no-print"),
						h.A(h.Class("button primary"), h.Href("/households/new"), g.Text(i18n.T("household.new"))),
						g.If(p.Officer.IsChief(), h.A(h.Class("button"), h.Href("/households/import"), g.Text(i18n.T("household.import")))),
					),
				),
				h.Form(h.Method("get"), h.Action("/households"), h.Class("filters"), h.Role("search"),
					h.Div(h.Class("field"),
						h.Label(h.For("q"), g.Text(i18n.T("household.q"))),
						h.Input(h.Type("search"), h.ID("q"), h.Name("q"), h.Value(q.Text), h.Placeholder(i18n.T("household.q_hint")), h.AutoComplete("off")),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("community"), g.Text(i18n.T("household.community"))),
						placeSelect("community", q.Community, p.Places, false),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("grid"), g.Text(i18n.T("household.grid"))),
						gridSelect("grid", q.Grid, p.Places, i18n.T("household.any_grid")),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("tag"), g.Text(i18n.T("household.tag"))),
						h.Select(h.ID("tag"), h.Name("tag"),
							h.Option(h.Value(""), g.Text(i18n.T("household.any_tag"))),
							g.Map(Tags, func(t string) g.Node { return h.Option(h.Value(t), g.If(t == q.Tag, h.Selected()), g.Text(t)) }),
						),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("days"), g.Text(i18n.T("household.not_visited_days"))),
						h.Input(h.Type("number"), h.ID("days"), h.Name("days"), h.Min("0"), h.Max("3650"), g.Attr("inputmode", "numeric"),
							g.If(q.NotVisitedDays > 0, h.Value(strconv.Itoa(q.NotVisitedDays))), h.Placeholder("30")),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("visited"), g.Text(i18n.T("household.visited_days"))),
						h.Input(h.Type("number"), h.ID("visited"), h.Name("visited"), h.Min("0"), h.Max("3650"), g.Attr("inputmode", "numeric"),
							g.If(q.VisitedDays > 0, h.Value(strconv.Itoa(q.VisitedDays))), h.Placeholder("30")),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("sort"), g.Text(i18n.T("household.sort"))),
						h.Select(h.ID("sort"), h.Name("sort"), g.Map([]string{SortAddress, SortLastVisited, SortRecent}, func(o string) g.Node {
							return h.Option(h.Value(o), g.If(q.Sort == o || (q.Sort == "" && o == SortAddress), h.Selected()), g.Text(i18n.T("household.sort."+o)))
						})),
					),
					h.Div(h.Class("field"),
						h.Label(h.Class("row"), h.Input(h.Type("checkbox"), h.Name("never"), h.Value("1"), g.If(q.Never, h.Checked())), g.Text(i18n.T("household.never"))),
						h.Label(h.Class("row"), h.Input(h.Type("checkbox"), h.Name("wechat"), h.Value("1"), g.If(q.WeChat, h.Checked())), g.Text(i18n.T("household.with_wechat"))),
						h.Label(h.Class("row"), h.Input(h.Type("checkbox"), h.Name("archived"), h.Value("1"), g.If(q.Archived, h.Checked())), g.Text(i18n.T("household.show_archived"))),
					),
					g.If(q.Officer != "", h.Input(h.Type("hidden"), h.Name("officer"), h.Value(q.Officer))),
					h.Div(h.Class("field"), h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("household.search")))),
				),
			),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.P(h.Class("muted"), h.ID("household-count"), g.Attr("data-total", strconv.Itoa(p.Result.Total)), g.Text(i18n.T("household.count", p.Result.Total))),
					g.If(p.Officer.IsChief() && p.Result.Total > 0, h.A(h.Class("button no-print"), h.Href("/households.xlsx?"+q.Values().Encode()), g.Text(i18n.T("household.export")))),
				),
				g.If(len(p.Result.Items) == 0, pwa.EmptyState(i18n.T("household.none"))),
				g.If(len(p.Result.Items) > 0, h.Div(h.Class("table-wrap"), h.Table(
					h.THead(h.Tr(
						h.Th(g.Text(i18n.T("household.address"))),
						h.Th(g.Text(i18n.T("household.head_name"))),
						h.Th(g.Text(i18n.T("household.phones"))),
						h.Th(g.Text(i18n.T("household.community"))),
						h.Th(g.Text(i18n.T("household.tags"))),
						h.Th(g.Text(i18n.T("household.last_visited"))),
					)),
					h.TBody(g.Map(p.Result.Items, func(hh *Household) g.Node {
						return h.Tr(
							h.Td(h.A(h.Href("/households/"+hh.ID), g.Text(hh.Address))),
							h.Td(g.Text(hh.HeadName)),
							h.Td(g.Text(strings.Join(hh.PhonesDisplay, "、"))),
							h.Td(g.Text(names[hh.Community]), g.If(hh.Grid != "", g.Text(" · "+names[hh.Grid]))),
							h.Td(tagList(hh.Tags)),
							h.Td(g.Text(pwa.Ago(hh.LastVisitedAt, p.Now, p.Loc)),
								g.If(hh.LastVisitedBy != "", h.Span(h.Class("muted small"), g.Text(" · "+p.Officers[hh.LastVisitedBy])))),
						)
					})),
				))),
				pager(q, p.Result.Total),
			),
		},
	})
}

func tagList(tags []string) g.Node {
	return g.Map(tags, func(t string) g.Node { return h.Span(h.Class(TagClass(t)), g.Text(t)) })
}

// placeSelect is a community select; required forms have no "any" option.
func placeSelect(name, selected string, places []Community, required bool) g.Node {
	return h.Select(h.ID(name), h.Name(name), g.If(required, h.Required()),
		g.If(!required, h.Option(h.Value(""), g.Text(i18n.T("household.any_community")))),
		g.If(required && selected == "", h.Option(h.Value(""), g.Text(i18n.T("household.choose")))),
		g.Map(places, func(c Community) g.Node {
			return h.Option(h.Value(c.ID), g.If(c.ID == selected, h.Selected()), g.Text(c.Name))
		}),
	)
}

// gridSelect groups grids by community.
func gridSelect(name, selected string, places []Community, none string) g.Node {
	return h.Select(h.ID(name), h.Name(name),
		h.Option(h.Value(""), g.Text(none)),
		g.Map(places, func(c Community) g.Node {
			return h.OptGroup(g.Attr("label", c.Name), g.Map(c.Grids, func(gr Grid) g.Node {
				return h.Option(h.Value(gr.ID), g.If(gr.ID == selected, h.Selected()), g.Text(c.Name+" · "+gr.Name))
			}))
		}),
	)
}

func pager(q Query, total int) g.Node {
	if total <= q.Limit || q.Limit == 0 {
		return nil
	}
	link := func(offset int) string {
		v := q.Values()
		v.Set("offset", strconv.Itoa(offset))
		return "/households?" + v.Encode()
	}
	return pwa.Pager(q.Offset, q.Limit, total, link)
}

// DetailProps is what a household's page shows.
type DetailProps struct {
	Officer   *station.Officer
	Household *Household
	Places    []Community
	Officers  map[string]string
	Loc       *time.Location
	Now       time.Time
	Notice    string
	// History is the visit history, rendered by the visit log.
	History g.Node
	Err     error
}

// DetailPage shows one household and its visit history.
func DetailPage(layout pwa.Layout, p DetailProps) g.Node {
	hh := p.Household
	names := NamesOf(p.Places)
	return layout(pwa.Page{
		Title:   hh.Address,
		Officer: p.Officer,
		Nav:     "/households",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			pwa.ErrorSummary(p.Err),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(hh.Address)),
					g.If(hh.Archived, h.Span(h.Class("tag bad"), g.Text(i18n.T("household.archived_badge")))),
				),
				h.Dl(h.Class("facts"),
					fact(i18n.T("household.head_name"), g.Text(hh.HeadName)),
					fact(i18n.T("household.phones"), g.Map(hh.Phones, func(p string) g.Node {
						return h.A(h.Href("tel:"+p), g.Text(station.DisplayPhone(p)+" "))
					})),
					fact(i18n.T("household.community"), g.Text(names[hh.Community]), g.If(hh.Grid != "", g.Text(" · "+names[hh.Grid]))),
					fact(i18n.T("household.residents"), g.Textf("%d", hh.Residents)),
					fact(i18n.T("household.tags"), tagList(hh.Tags)),
					fact(i18n.T("household.wechat"), g.If(hh.WeChatContact != "", g.Text(i18n.T("household.wechat_by", p.Officers[hh.WeChatContact], pwa.Date(hh.WeChatAddedAt, p.Loc)))),
						g.If(hh.WeChatContact == "", h.Span(h.Class("muted"), g.Text(i18n.T("household.wechat_none"))))),
					fact(i18n.T("household.last_visited"), g.Text(pwa.Ago(hh.LastVisitedAt, p.Now, p.Loc))),
					g.If(hh.Notes != "", fact(i18n.T("household.notes"), g.Text(hh.Notes))),
				),
				h.Div(h.Class("row actions no-print"),
					g.If(!hh.Archived && !p.Officer.IsChief(), h.A(h.Class("button primary"), h.Href("/visits/new?household="+hh.ID), g.Text(i18n.T("household.record_visit")))),
					g.If(!hh.Archived, h.A(h.Class("button"), h.Href("/households/"+hh.ID+"/edit"), g.Text(i18n.T("household.edit")))),
					h.Form(h.Method("post"), h.Action("/households/"+hh.ID+"/archive"),
						h.Input(h.Type("hidden"), h.Name("archived"), h.Value(map[bool]string{true: "0", false: "1"}[hh.Archived])),
						h.Button(h.Type("submit"), c.Classes{"danger": !hh.Archived},
							g.Text(map[bool]string{true: i18n.T("household.restore"), false: i18n.T("household.archive")}[hh.Archived])),
					),
				),
			),
			// What the features above the registry show of the household
			// (its watches, its visit history …), each its own card.
			p.History,
		},
	})
}

func fact(label string, value ...g.Node) g.Node {
	return g.Group{h.Dt(g.Text(label)), h.Dd(value...)}
}

// FormProps is what the create/edit form shows.
type FormProps struct {
	Officer *station.Officer
	Places  []Community
	Input   Input
	// Editing is the household being edited; nil for a new one.
	Editing *Household
	Err     error
}

// FormPage is the create or edit form with field-level errors.
func FormPage(layout pwa.Layout, p FormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	title, action := i18n.T("household.new"), "/households"
	if p.Editing != nil {
		title, action = i18n.T("household.edit_title", p.Editing.Address), "/households/"+p.Editing.ID
	}
	var dupLink g.Node
	if d := DuplicateOf(p.Err); d != nil {
		dupLink = h.P(h.A(h.Href("/households/"+d.Of.ID), g.Text(i18n.T("household.open_existing", d.Of.Address))))
	}
	var staleLink g.Node
	if p.Editing != nil && station.ErrorCode(p.Err) == station.EConflict && dupLink == nil {
		staleLink = h.P(h.A(h.Href("/households/"+p.Editing.ID+"/edit"), g.Text(i18n.T("household.reload"))))
	}
	text := func(name, label, value string, max int, attrs ...g.Node) g.Node {
		return pwa.Field(label, name, errs, pwa.Input(name, value, errs, append([]g.Node{h.Type("text"), h.MaxLength(strconv.Itoa(max))}, attrs...)...))
	}
	return layout(pwa.Page{
		Title:   title,
		Officer: p.Officer,
		Nav:     "/households",
		Body: []g.Node{h.Section(h.Class("card form"),
			h.H1(g.Text(title)),
			pwa.ErrorSummary(p.Err), dupLink, staleLink,
			h.Form(h.Method("post"), h.Action(action), g.Attr("novalidate"),
				h.Input(h.Type("hidden"), h.Name("base_rev"), h.Value(in.BaseRev)),
				pwa.Field(i18n.T("household.community"), "community", errs, placeSelect("community", in.Community, p.Places, true)),
				pwa.Field(i18n.T("household.grid"), "grid", errs, gridSelect("grid", in.Grid, p.Places, i18n.T("household.no_grid"))),
				text("building", i18n.T("household.building"), in.Building, MaxBuilding, h.Placeholder(i18n.T("household.building_hint")), h.Required()),
				h.Div(h.Class("row"),
					h.Div(h.Class("grow"), text("unit", i18n.T("household.unit"), in.Unit, MaxUnit, g.Attr("inputmode", "numeric"))),
					h.Div(h.Class("grow"), text("room", i18n.T("household.room"), in.Room, MaxRoom, g.Attr("inputmode", "numeric"))),
				),
				text("address", i18n.T("household.address"), in.Address, MaxAddress, h.Placeholder(i18n.T("household.address_hint"))),
				text("head_name", i18n.T("household.head_name"), in.HeadName, MaxHeadName),
				pwa.Field(i18n.T("household.phones"), "phones", errs,
					pwa.Input("phones", strings.Join(in.Phones, "、"), errs, h.Type("tel"), h.AutoComplete("off")), i18n.T("household.phones_hint")),
				pwa.Field(i18n.T("household.residents"), "residents", errs,
					pwa.Input("residents", fmt.Sprint(in.Residents), errs, h.Type("number"), h.Min("0"), h.Max(strconv.Itoa(MaxResident)), g.Attr("inputmode", "numeric"))),
				h.FieldSet(c.Classes{"field": true, "bad": errs["tags"].Code != ""},
					h.Legend(g.Text(i18n.T("household.tags"))),
					h.Div(h.Class("chips"), g.Map(Tags, func(t string) g.Node {
						return h.Label(h.Input(h.Type("checkbox"), h.Name("tags"), h.Value(t), g.If(slices.Contains(in.Tags, t), h.Checked())), g.Text(t))
					})),
					g.If(errs["tags"].Code != "", h.P(h.Class("error"), g.Text(errs["tags"].Message))),
				),
				pwa.Field(i18n.T("household.notes"), "notes", errs,
					h.Textarea(h.ID("notes"), h.Name("notes"), h.MaxLength(strconv.Itoa(MaxNotes)), g.Text(in.Notes))),
				h.Div(h.Class("row"),
					h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("household.save"))),
					h.A(h.Class("button"), h.Href(map[bool]string{true: "/households/" + idOf(p.Editing), false: "/households"}[p.Editing != nil]), g.Text(i18n.T("household.cancel"))),
				),
			),
		)},
	})
}

func idOf(hh *Household) string {
	if hh == nil {
		return ""
	}
	return hh.ID
}
