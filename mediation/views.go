package mediation

import (
	"fmt"
	"net/url"
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

// Names are what the pages show for the ids a dispute holds.
type Names struct {
	Rooms       map[string]string
	RoomList    []Room
	Communities map[string]string
	Places      []Place // the communities, for the forms
	Officers    map[string]string
	OfficerList []OfficerOption
	Mediators   map[string]*Mediator
	Roster      []*Mediator // active, in roster order, for the pickers
	// Addresses of the households a page shows.
	Addresses map[string]string
}

func (n Names) mediatorName(id string) string {
	if m := n.Mediators[id]; m != nil {
		return m.Name
	}
	return ""
}

func (n Names) mediatorNames(ids []string) string {
	var out []string
	for _, id := range ids {
		if s := n.mediatorName(id); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "、")
}

func (n Names) officer(id string) string {
	if id == "" {
		return i18n.T("dispute.by_admin")
	}
	return n.Officers[id]
}

func categoryLabel(cat string) string { return i18n.T("dispute.category." + cat) }
func statusLabel(s string) string     { return i18n.T("dispute.status." + s) }
func sourceLabel(s string) string     { return i18n.T("dispute.source." + s) }
func roleLabel(r string) string       { return i18n.T("dispute.role." + r) }
func kindLabel(k string) string       { return i18n.T("mediator.kind." + k) }

// statusTag shows a status as a coloured tag.
func statusTag(s string) g.Node {
	tone := map[string]string{StatusOpen: "tag warn", StatusSettled: "tag ok", StatusFailed: "tag bad", StatusReferred: "tag", StatusWithdrawn: "tag"}[s]
	return h.Span(h.Class(tone), g.Text(statusLabel(s)))
}

func fact(label string, value ...g.Node) g.Node {
	return g.Group{h.Dt(g.Text(label)), h.Dd(value...)}
}

func phoneLink(e164 string) g.Node {
	if e164 == "" {
		return h.Span(h.Class("muted"), g.Text(i18n.T("dispute.no_phone")))
	}
	return h.A(h.Href("tel:"+e164), g.Text(station.DisplayPhone(e164)))
}

// ListProps is what the list of disputes shows.
type ListProps struct {
	Officer *station.Officer
	Query   Query
	Result  ListResult
	Names   Names
	Loc     *time.Location
	Now     time.Time
	Notice  string
}

// ListPage is the mediation log: filters, then one row per case, overdue
// follow-ups highlighted.
func ListPage(layout pwa.Layout, p ListProps) g.Node {
	q := p.Query
	option := func(value, label, selected string) g.Node {
		return h.Option(h.Value(value), g.If(value == selected, h.Selected()), g.Text(label))
	}
	return layout(pwa.Page{
		Title:   i18n.T("dispute.list_title"),
		Officer: p.Officer,
		Nav:     "/disputes",
		Class:   "disputes",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(i18n.T("dispute.list_title"))),
					h.Div(h.Class("row no-print"),
						h.A(h.Class("button primary"), h.Href("/disputes/new"), g.Text(i18n.T("dispute.new"))),
						h.A(h.Class("button"), h.Href("/disputes/figures"), g.Text(i18n.T("dispute_figures.title"))),
						h.A(h.Class("button"), h.Href("/mediators"), g.Text(i18n.T("mediator.roster_title"))),
					),
				),
				h.Form(h.Method("get"), h.Action("/disputes"), h.Class("filters no-print"), h.Role("search"),
					h.Div(h.Class("field"),
						h.Label(h.For("q"), g.Text(i18n.T("dispute.q"))),
						h.Input(h.Type("search"), h.ID("q"), h.Name("q"), h.Value(q.Text), h.Placeholder(i18n.T("dispute.q_hint")), h.AutoComplete("off")),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("status"), g.Text(i18n.T("dispute.status"))),
						h.Select(h.ID("status"), h.Name("status"),
							option("", i18n.T("dispute.any_status"), q.Status),
							g.Map(Statuses, func(s string) g.Node { return option(s, statusLabel(s), q.Status) }),
							option("closed", i18n.T("dispute.all_closed"), q.Status),
						),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("room"), g.Text(i18n.T("dispute.room"))),
						h.Select(h.ID("room"), h.Name("room"),
							option("", i18n.T("dispute.any_room"), q.Room),
							g.Map(p.Names.RoomList, func(r Room) g.Node { return option(r.ID, r.Name, q.Room) }),
						),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("category"), g.Text(i18n.T("dispute.category"))),
						h.Select(h.ID("category"), h.Name("category"),
							option("", i18n.T("dispute.any_category"), q.Category),
							g.Map(Categories, func(cat string) g.Node { return option(cat, categoryLabel(cat), q.Category) }),
						),
					),
					h.Div(h.Class("field"),
						h.Label(h.For("officer"), g.Text(i18n.T("dispute.officer"))),
						h.Select(h.ID("officer"), h.Name("officer"),
							option("", i18n.T("dispute.any_officer"), q.Officer),
							g.Map(p.Names.OfficerList, func(op OfficerOption) g.Node { return option(op.ID, op.Name, q.Officer) }),
						),
					),
					h.Div(h.Class("field"),
						h.Label(h.Class("row"), h.Input(h.Type("checkbox"), h.Name("overdue"), h.Value("1"), g.If(q.Overdue, h.Checked())), g.Text(i18n.T("dispute.only_overdue"))),
					),
					h.Div(h.Class("field"), h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("dispute.search")))),
				),
			),
			h.Section(h.Class("card"),
				h.P(h.Class("muted"), g.Text(i18n.T("dispute.count", p.Result.Total))),
				g.If(len(p.Result.Items) == 0, pwa.EmptyState(i18n.T("dispute.none"))),
				g.If(len(p.Result.Items) > 0, h.Div(h.Class("table-wrap"), h.Table(h.Class("disputes-table"),
					h.THead(h.Tr(
						h.Th(g.Text(i18n.T("dispute.number"))),
						h.Th(g.Text(i18n.T("dispute.opened_at"))),
						h.Th(g.Text(i18n.T("dispute.category"))),
						h.Th(g.Text(i18n.T("dispute.parties"))),
						h.Th(g.Text(i18n.T("dispute.community"))),
						h.Th(g.Text(i18n.T("dispute.room"))),
						h.Th(g.Text(i18n.T("dispute.officer"))),
						h.Th(g.Text(i18n.T("dispute.status"))),
						h.Th(g.Text(i18n.T("dispute.follow_up_at"))),
					)),
					h.TBody(g.Map(p.Result.Items, func(d *Dispute) g.Node {
						overdue := d.FollowUpOverdue(p.Now, p.Loc)
						return h.Tr(c.Classes{"overdue": overdue},
							h.Td(h.A(h.Href("/disputes/"+d.ID), h.Strong(g.Text(d.Number)))),
							h.Td(g.Text(pwa.Date(d.OpenedAt, p.Loc))),
							h.Td(g.Text(categoryLabel(d.Category))),
							h.Td(g.Text(d.PartyNames())),
							h.Td(g.Text(p.Names.Communities[d.Community])),
							h.Td(g.Text(p.Names.Rooms[d.Room])),
							h.Td(g.Text(p.Names.officer(d.Officer))),
							h.Td(statusTag(d.Status)),
							h.Td(followUpCell(d, overdue, p.Loc)),
						)
					})),
				))),
				pager(q, p.Result.Total),
			),
		},
	})
}

func followUpCell(d *Dispute, overdue bool, loc *time.Location) g.Node {
	switch {
	case d.FollowUpAt.IsZero():
		return nil
	case overdue:
		return h.Span(h.Class("tag bad"), g.Text(i18n.T("dispute.follow_up_overdue", pwa.Date(d.FollowUpAt, loc))))
	case d.FollowUpPending:
		return g.Text(pwa.Date(d.FollowUpAt, loc))
	}
	return h.Span(h.Class("tag ok"), g.Text(i18n.T("dispute.followed_up", pwa.Date(d.FollowedUpAt, loc))))
}

// ListPageSize is how many cases a list page shows.
const ListPageSize = 50

func pager(q Query, total int) g.Node {
	if q.Limit == 0 || total <= q.Limit {
		return nil
	}
	link := func(offset int) string {
		v := url.Values{}
		for k, s := range map[string]string{"q": q.Text, "status": q.Status, "room": q.Room, "category": q.Category, "officer": q.Officer} {
			if s != "" {
				v.Set(k, s)
			}
		}
		if q.Overdue {
			v.Set("overdue", "1")
		}
		v.Set("offset", strconv.Itoa(offset))
		return "/disputes?" + v.Encode()
	}
	return pwa.Pager(q.Offset, q.Limit, total, link)
}

// FormProps is what the new and edit forms show.
type FormProps struct {
	Officer *station.Officer
	Input   Input
	// Editing is the case being edited; nil for a new one.
	Editing *Dispute
	Names   Names
	Loc     *time.Location
	Now     time.Time
	Err     error
}

// formParties is how many party rows the form shows: the input's, and one
// empty row to add another (a button adds more without script).
func formParties(in Input) []Party {
	ps := slices.Clone(in.Parties)
	for len(ps) < 2 {
		role := RoleApplicant
		if len(ps) == 1 {
			role = RoleRespondent
		}
		ps = append(ps, Party{Role: role})
	}
	return ps
}

// FormPage is the dispute form: where and what, the parties, who leads and
// mediates. It needs no script: "add a party" re-shows it with a row more.
func FormPage(layout pwa.Layout, p FormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	title, action := i18n.T("dispute.new"), "/disputes"
	if p.Editing != nil {
		title, action = i18n.T("dispute.edit_title", p.Editing.Number), "/disputes/"+p.Editing.ID
	}
	var takenLink g.Node
	if t := TakenBy(p.Err); t != nil {
		takenLink = h.P(h.A(h.Href("/disputes/"+t.ID), g.Text(i18n.T("dispute.open_taken", t.Number))))
	}
	field := func(label, name string, control g.Node, hint ...string) g.Node {
		return pwa.Field(label, name, errs, control, hint...)
	}
	sel := func(name, selected string, options []g.Node, attrs ...g.Node) g.Node {
		_, bad := errs[name]
		return h.Select(h.ID(name), h.Name(name), g.If(bad, g.Attr("aria-invalid", "true")), g.Group(attrs), g.Group(options))
	}
	opt := func(value, label, selected string) g.Node {
		return h.Option(h.Value(value), g.If(value == selected, h.Selected()), g.Text(label))
	}
	dateValue := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(p.Loc).Format(time.DateOnly)
	}
	opened := in.OpenedAt
	if opened.IsZero() && p.Editing == nil {
		opened = p.Now
	}
	parties := formParties(in)
	sources := []string{SourceWalkIn, SourceCall, SourceReferral}
	if in.Visit != "" || in.Source == SourceVisit {
		sources = []string{SourceVisit}
	}
	if in.Report != "" || in.Source == SourcePatrol {
		sources = []string{SourcePatrol}
	}
	return layout(pwa.Page{
		Title:   title,
		Officer: p.Officer,
		Nav:     "/disputes",
		Body: []g.Node{h.Section(h.Class("card form dispute-form"),
			h.H1(g.Text(title)),
			pwa.ErrorSummary(p.Err), takenLink,
			h.Form(h.Method("post"), h.Action(action), g.Attr("novalidate"),
				h.Input(h.Type("hidden"), h.Name("visit"), h.Value(in.Visit)),
				h.Input(h.Type("hidden"), h.Name("report"), h.Value(in.Report)),
				g.If(in.Visit != "", h.P(h.Class("notice"), g.Text(i18n.T("dispute.from_visit")))),
				g.If(in.Report != "", h.P(h.Class("notice"), g.Text(i18n.T("dispute.from_report")))),
				field(i18n.T("dispute.community"), "community", sel("community", in.Community, append(
					[]g.Node{g.If(in.Community == "", opt("", i18n.T("dispute.choose"), ""))},
					mapNodes(p.Names.Places, func(pl Place) g.Node { return opt(pl.ID, pl.Name, in.Community) })...), h.Required())),
				g.If(in.Household != "", h.Div(h.Class("field"),
					h.Span(h.Class("label"), g.Text(i18n.T("dispute.household"))),
					h.Label(h.Class("row"),
						h.Input(h.Type("checkbox"), h.Name("household"), h.Value(in.Household), h.Checked()),
						g.Text(p.Names.Addresses[in.Household]),
					),
					g.If(errs["household"].Code != "", h.P(h.Class("error"), g.Text(errs["household"].Message))),
				)),
				field(i18n.T("dispute.room"), "room", sel("room", in.Room, append(
					[]g.Node{g.If(in.Room == "", opt("", i18n.T("dispute.choose"), ""))},
					mapNodes(p.Names.RoomList, func(r Room) g.Node { return opt(r.ID, r.Name, in.Room) })...), h.Required())),
				field(i18n.T("dispute.category"), "category", sel("category", in.Category, append(
					[]g.Node{g.If(in.Category == "", opt("", i18n.T("dispute.choose"), ""))},
					mapNodes(Categories, func(cat string) g.Node { return opt(cat, categoryLabel(cat), in.Category) })...), h.Required())),
				field(i18n.T("dispute.source"), "source", sel("source", in.Source,
					mapNodes(sources, func(s string) g.Node { return opt(s, sourceLabel(s), in.Source) }))),
				field(i18n.T("dispute.summary"), "summary",
					h.Textarea(h.ID("summary"), h.Name("summary"), h.MaxLength(strconv.Itoa(MaxSummary)), h.Required(),
						g.If(errs["summary"].Code != "", g.Attr("aria-invalid", "true")), g.Text(in.Summary)),
					i18n.T("dispute.summary_hint")),

				h.FieldSet(c.Classes{"parties": true, "field": true, "bad": errs["parties"].Code != ""},
					h.Legend(g.Text(i18n.T("dispute.parties"))),
					h.P(h.Class("small muted"), g.Text(i18n.T("dispute.parties_hint"))),
					g.If(errs["parties"].Code != "", h.P(h.Class("error"), h.ID("parties-error"), g.Text(errs["parties"].Message))),
					g.Group(mapIndexed(parties, func(i int, pt Party) g.Node { return partyRow(i, pt, errs, p.Names) })),
					h.Button(h.Type("submit"), h.Name("add_party"), h.Value("1"), h.Class("no-print"), g.Attr("formnovalidate"), g.Text(i18n.T("dispute.add_party"))),
				),

				field(i18n.T("dispute.officer"), "officer", sel("officer", in.Officer,
					mapNodes(activeOfficers(p.Names.OfficerList, in.Officer), func(op OfficerOption) g.Node {
						return opt(op.ID, op.Name+" "+op.Badge, in.Officer)
					}))),
				h.FieldSet(c.Classes{"field": true, "bad": errs["mediators"].Code != ""},
					h.Legend(g.Text(i18n.T("dispute.mediators"))),
					mediatorChips("mediators", in.Mediators, p.Names),
					g.If(errs["mediators"].Code != "", h.P(h.Class("error"), g.Text(errs["mediators"].Message))),
				),
				h.Div(h.Class("row"),
					h.Div(h.Class("grow"), field(i18n.T("dispute.opened_at"), "opened_at",
						pwa.Input("opened_at", dateValue(opened), errs, h.Type("date")))),
					h.Div(h.Class("grow"), field(i18n.T("dispute.follow_up_at"), "follow_up_at",
						pwa.Input("follow_up_at", dateValue(in.FollowUpAt), errs, h.Type("date")), i18n.T("dispute.follow_up_hint"))),
				),
				h.Div(h.Class("row actions"),
					h.Button(h.Type("submit"), h.Class("primary"), h.ID("dispute-save"), g.Text(i18n.T("dispute.save"))),
					h.A(h.Class("button"), h.Href(map[bool]string{true: "/disputes/" + idOf(p.Editing), false: "/disputes"}[p.Editing != nil]), g.Text(i18n.T("dispute.cancel"))),
				),
			),
		)},
	})
}

func idOf(d *Dispute) string {
	if d == nil {
		return ""
	}
	return d.ID
}

// activeOfficers are the officers who may be made lead: the active ones,
// and the current lead whatever their state.
func activeOfficers(all []OfficerOption, current string) []OfficerOption {
	var out []OfficerOption
	for _, o := range all {
		if o.Active || o.ID == current {
			out = append(out, o)
		}
	}
	return out
}

func partyRow(i int, pt Party, errs map[string]station.FieldError, names Names) g.Node {
	name := func(f string) string { return fmt.Sprintf("parties.%d.%s", i, f) }
	bad := func(f string) bool { _, ok := errs[name(f)]; return ok }
	msg := func(f string) g.Node {
		if fe, ok := errs[name(f)]; ok {
			return h.P(h.Class("error"), h.ID(name(f)+"-error"), g.Text(fe.Message))
		}
		return nil
	}
	return h.Div(c.Classes{"party-row": true, "bad": bad("name") || bad("phone") || bad("role")},
		h.Div(h.Class("field"),
			h.Label(h.For(name("role")), g.Text(i18n.T("dispute.party_role"))),
			h.Select(h.ID(name("role")), h.Name(name("role")),
				g.Map(Roles, func(r string) g.Node {
					return h.Option(h.Value(r), g.If(r == pt.Role, h.Selected()), g.Text(roleLabel(r)))
				}),
			),
			msg("role"),
		),
		h.Div(h.Class("field"),
			h.Label(h.For(name("name")), g.Text(i18n.T("dispute.party_name"))),
			pwa.Input(name("name"), pt.Name, errs, h.Type("text"), h.MaxLength(strconv.Itoa(MaxPartyName)), h.AutoComplete("off")),
			msg("name"),
		),
		h.Div(h.Class("field"),
			h.Label(h.For(name("phone")), g.Text(i18n.T("dispute.party_phone"))),
			pwa.Input(name("phone"), displayTyped(pt.Phone), errs, h.Type("tel"), h.AutoComplete("off")),
			msg("phone"),
		),
		h.Input(h.Type("hidden"), h.Name(name("household")), h.Value(pt.Household)),
		g.If(pt.Household != "", h.P(h.Class("small muted party-home"), g.Text(i18n.T("dispute.party_household", names.Addresses[pt.Household])))),
	)
}

// displayTyped shows a stored E.164 number the way people write it; what
// someone typed (not yet normalised) is shown as typed.
func displayTyped(phone string) string {
	if strings.HasPrefix(phone, "+") {
		return station.DisplayPhone(phone)
	}
	return phone
}

func mediatorChips(name string, selected []string, names Names) g.Node {
	if len(names.Roster) == 0 {
		return h.P(h.Class("muted"), g.Text(i18n.T("mediator.none")))
	}
	return h.Div(h.Class("chips"), g.Map(names.Roster, func(m *Mediator) g.Node {
		return h.Label(
			h.Input(h.Type("checkbox"), h.Name(name), h.Value(m.ID), g.If(slices.Contains(selected, m.ID), h.Checked())),
			g.Text(m.Name+" · "+kindLabel(m.Kind)),
		)
	}))
}

func mapNodes[T any](items []T, f func(T) g.Node) []g.Node {
	out := make([]g.Node, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

func mapIndexed[T any](items []T, f func(int, T) g.Node) []g.Node {
	out := make([]g.Node, len(items))
	for i, it := range items {
		out[i] = f(i, it)
	}
	return out
}

// Which form of the case page an error belongs to.
const (
	FormSession = "session"
	FormClose   = "close"
	FormReopen  = "reopen"
)

// CaseProps is what a case's page shows.
type CaseProps struct {
	Officer  *station.Officer
	Dispute  *Dispute
	Sessions []*Session
	History  []*Event
	Names    Names
	Loc      *time.Location
	Now      time.Time
	Notice   string
	// Err is the error of Form ("session", "close", "reopen"), whose
	// values are re-shown.
	Err     error
	Form    string
	Session SessionInput
	Closing CloseInput
	Reason  string
}

// CasePage is one case: its facts and parties, its sessions with a form
// for the next, the close or reopen form, and its history.
func CasePage(layout pwa.Layout, p CaseProps) g.Node {
	d := p.Dispute
	overdue := d.FollowUpOverdue(p.Now, p.Loc)
	canReopen := d.Closed() && (p.Officer.IsChief() || d.Officer == p.Officer.ID)
	return layout(pwa.Page{
		Title:   i18n.T("dispute.case_title", d.Number),
		Officer: p.Officer,
		Nav:     "/disputes",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			g.If(p.Form == "", pwa.ErrorSummary(p.Err)),
			h.Section(h.Class("card case"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(i18n.T("dispute.case_title", d.Number))),
					statusTag(d.Status),
				),
				g.If(overdue, h.P(h.Class("warnbox"), g.Text(i18n.T("dispute.follow_up_overdue_lead", pwa.Date(d.FollowUpAt, p.Loc))))),
				h.Dl(h.Class("facts"),
					fact(i18n.T("dispute.category"), g.Text(categoryLabel(d.Category))),
					fact(i18n.T("dispute.community"), g.Text(p.Names.Communities[d.Community])),
					g.If(d.Household != "", fact(i18n.T("dispute.household"), h.A(h.Href("/households/"+d.Household), g.Text(p.Names.Addresses[d.Household])))),
					fact(i18n.T("dispute.room"), g.Text(p.Names.Rooms[d.Room])),
					fact(i18n.T("dispute.source"), g.Text(sourceLabel(d.Source)),
						g.If(d.Visit != "", g.Group{g.Text(" · "), h.A(h.Href("/visits/"+d.Visit), g.Text(i18n.T("dispute.the_visit")))}),
					),
					fact(i18n.T("dispute.officer"), g.Text(p.Names.officer(d.Officer))),
					fact(i18n.T("dispute.mediators"), g.Text(p.Names.mediatorNames(d.Mediators))),
					fact(i18n.T("dispute.opened_at"), g.Text(pwa.Date(d.OpenedAt, p.Loc))),
					g.If(d.Closed(), fact(i18n.T("dispute.closed_at"), g.Text(pwa.Date(d.ClosedAt, p.Loc)))),
					g.If(d.Closed(), fact(i18n.T("dispute.outcome"), h.Span(h.Class("prewrap"), g.Text(d.Outcome)))),
					g.If(d.Status == StatusSettled, fact(i18n.T("dispute.agreement_signed"),
						g.Text(map[bool]string{true: i18n.T("dispute.signed_yes"), false: i18n.T("dispute.signed_no")}[d.AgreementSigned]))),
					g.If(!d.FollowUpAt.IsZero(), fact(i18n.T("dispute.follow_up_at"), followUpCell(d, overdue, p.Loc))),
				),
				h.H2(g.Text(i18n.T("dispute.summary"))),
				h.P(h.Class("prewrap"), g.Text(d.Summary)),
				h.Div(h.Class("row actions no-print"),
					g.If(!d.Closed(), h.A(h.Class("button"), h.Href("/disputes/"+d.ID+"/edit"), g.Text(i18n.T("dispute.edit")))),
					g.If(d.Status == StatusSettled, h.A(h.Class("button primary"), h.ID("agreement-link"), h.Href("/disputes/"+d.ID+"/agreement"), g.Text(i18n.T("agreement.print")))),
					g.If(d.Status == StatusSettled && !d.AgreementSigned, h.Form(h.Method("post"), h.Action("/disputes/"+d.ID+"/signed"),
						h.Button(h.Type("submit"), g.Text(i18n.T("dispute.mark_signed"))))),
				),
			),
			h.Section(h.Class("card"),
				h.H2(g.Text(i18n.T("dispute.parties"))),
				h.Div(h.Class("table-wrap"), h.Table(h.Class("parties-table"),
					h.THead(h.Tr(
						h.Th(g.Text(i18n.T("dispute.party_role"))), h.Th(g.Text(i18n.T("dispute.party_name"))),
						h.Th(g.Text(i18n.T("dispute.party_phone"))), h.Th(g.Text(i18n.T("dispute.household"))),
					)),
					h.TBody(g.Map(d.Parties, func(pt Party) g.Node {
						return h.Tr(
							h.Td(g.Text(roleLabel(pt.Role))), h.Td(g.Text(pt.Name)), h.Td(phoneLink(pt.Phone)),
							h.Td(g.If(pt.Household != "", h.A(h.Href("/households/"+pt.Household), g.Text(p.Names.Addresses[pt.Household])))),
						)
					})),
				)),
			),
			h.Section(h.Class("card"), h.ID("sessions"),
				h.H2(g.Text(i18n.T("dispute.sessions"))),
				g.If(len(p.Sessions) == 0, pwa.EmptyState(i18n.T("dispute.no_sessions"))),
				h.Ol(h.Class("sessions"), g.Map(p.Sessions, func(s *Session) g.Node {
					return h.Li(h.Class("session"),
						h.Div(h.Class("spread"),
							h.Strong(g.Text(pwa.Date(s.At, p.Loc))),
							h.Span(h.Class("muted small"), g.Text(p.Names.mediatorNames(s.Mediators))),
						),
						h.P(h.Class("prewrap"), g.Text(s.Notes)),
						g.If(s.NextStep != "", h.P(h.Class("small"), h.Strong(g.Text(i18n.T("dispute.next_step")+"：")), g.Text(s.NextStep))),
					)
				})),
				g.If(!d.Closed(), sessionForm(p)),
			),
			g.If(!d.Closed(), closeForm(p)),
			g.If(canReopen, reopenForm(p)),
			h.Section(h.Class("card"),
				h.H2(g.Text(i18n.T("dispute.history"))),
				h.Ol(h.Class("history"), g.Map(p.History, func(e *Event) g.Node { return historyItem(e, p) })),
			),
		},
	})
}

func historyItem(e *Event, p CaseProps) g.Node {
	var detail g.Node
	switch e.Kind {
	case EventEdited:
		var labels []string
		for _, f := range e.Fields {
			labels = append(labels, i18n.T("dispute."+f))
		}
		detail = g.Text(i18n.T("dispute.event_fields", strings.Join(labels, "、")))
	case EventClosed, EventReopened, EventFollowUp, EventHandover:
		if e.Note != "" {
			detail = h.Span(h.Class("prewrap"), g.Text(e.Note))
		}
	}
	label := i18n.T("dispute.event." + e.Kind)
	if e.Kind == EventClosed {
		label = i18n.T("dispute.event.closed_as", statusLabel(e.Status))
	}
	return h.Li(
		h.Span(h.Class("when"), g.Text(pwa.DateTime(e.At, p.Loc))),
		h.Span(h.Class("what"), h.Strong(g.Text(label)), g.Text(" · "+p.Names.officer(e.Officer))),
		g.If(detail != nil, h.Div(h.Class("small muted"), detail)),
	)
}

func errsFor(p CaseProps, form string) map[string]station.FieldError {
	if p.Form != form {
		return nil
	}
	return station.FieldsOf(p.Err)
}

func sessionForm(p CaseProps) g.Node {
	errs := errsFor(p, FormSession)
	in := p.Session
	at := in.At
	if at.IsZero() {
		at = p.Now
	}
	if p.Form != FormSession {
		in.Mediators = p.Dispute.Mediators
	}
	return h.Form(h.Method("post"), h.Action("/disputes/"+p.Dispute.ID+"/sessions"), h.Class("session-form no-print"), g.Attr("novalidate"),
		h.H3(g.Text(i18n.T("dispute.add_session"))),
		g.If(p.Form == FormSession, pwa.ErrorSummary(p.Err)),
		pwa.Field(i18n.T("dispute.session_at"), "at", errs, pwa.Input("at", at.In(p.Loc).Format(time.DateOnly), errs, h.Type("date"))),
		h.FieldSet(c.Classes{"field": true, "bad": errs["mediators"].Code != ""},
			h.Legend(g.Text(i18n.T("dispute.session_mediators"))),
			mediatorChips("mediators", in.Mediators, p.Names),
			g.If(errs["mediators"].Code != "", h.P(h.Class("error"), g.Text(errs["mediators"].Message))),
		),
		pwa.Field(i18n.T("dispute.session_notes"), "notes", errs,
			h.Textarea(h.ID("notes"), h.Name("notes"), h.MaxLength(strconv.Itoa(MaxNotes)), g.If(errs["notes"].Code != "", g.Attr("aria-invalid", "true")), g.Text(in.Notes))),
		pwa.Field(i18n.T("dispute.next_step"), "next_step", errs,
			pwa.Input("next_step", in.NextStep, errs, h.Type("text"), h.MaxLength(strconv.Itoa(MaxNextStep)))),
		h.Button(h.Type("submit"), h.Class("primary"), h.ID("session-save"), g.Text(i18n.T("dispute.save_session"))),
	)
}

func closeForm(p CaseProps) g.Node {
	errs := errsFor(p, FormClose)
	in := p.Closing
	closed := in.ClosedAt
	if closed.IsZero() {
		closed = p.Now
	}
	follow := ""
	if !in.FollowUpAt.IsZero() {
		follow = in.FollowUpAt.In(p.Loc).Format(time.DateOnly)
	} else if !p.Dispute.FollowUpAt.IsZero() && p.Form != FormClose {
		follow = p.Dispute.FollowUpAt.In(p.Loc).Format(time.DateOnly)
	}
	return h.Section(h.Class("card no-print"), h.ID("close"),
		h.H2(g.Text(i18n.T("dispute.close_title"))),
		g.If(p.Form == FormClose, pwa.ErrorSummary(p.Err)),
		h.Form(h.Method("post"), h.Action("/disputes/"+p.Dispute.ID+"/close"), g.Attr("novalidate"),
			h.FieldSet(c.Classes{"field": true, "bad": errs["status"].Code != ""},
				h.Legend(g.Text(i18n.T("dispute.close_status"))),
				h.Div(h.Class("choices"), g.Map(ClosedStatuses, func(s string) g.Node {
					return h.Label(h.Input(h.Type("radio"), h.Name("status"), h.Value(s), h.ID("close-"+s), g.If(in.Status == s, h.Checked())), g.Text(statusLabel(s)))
				})),
				g.If(errs["status"].Code != "", h.P(h.Class("error"), g.Text(errs["status"].Message))),
			),
			pwa.Field(i18n.T("dispute.outcome"), "outcome", errs,
				h.Textarea(h.ID("outcome"), h.Name("outcome"), h.MaxLength(strconv.Itoa(MaxOutcome)), g.If(errs["outcome"].Code != "", g.Attr("aria-invalid", "true")), g.Text(in.Outcome)),
				i18n.T("dispute.outcome_hint")),
			h.Div(h.Class("field"), h.Label(h.Class("toggle"), h.For("agreement_signed"), g.Text(i18n.T("dispute.agreement_signed")),
				h.Input(h.Type("checkbox"), h.ID("agreement_signed"), h.Name("agreement_signed"), h.Value("1"), g.If(in.AgreementSigned, h.Checked()))),
				g.If(errs["agreement_signed"].Code != "", h.P(h.Class("error"), g.Text(errs["agreement_signed"].Message))),
			),
			h.Div(h.Class("row"),
				h.Div(h.Class("grow"), pwa.Field(i18n.T("dispute.closed_at"), "closed_at", errs, pwa.Input("closed_at", closed.In(p.Loc).Format(time.DateOnly), errs, h.Type("date")))),
				h.Div(h.Class("grow"), pwa.Field(i18n.T("dispute.follow_up_at"), "follow_up_at", errs, pwa.Input("follow_up_at", follow, errs, h.Type("date")), i18n.T("dispute.follow_up_hint"))),
			),
			h.Button(h.Type("submit"), h.Class("primary"), h.ID("close-save"), g.Text(i18n.T("dispute.close"))),
		),
	)
}

func reopenForm(p CaseProps) g.Node {
	errs := errsFor(p, FormReopen)
	return h.Section(h.Class("card no-print"), h.ID("reopen"),
		h.H2(g.Text(i18n.T("dispute.reopen_title"))),
		h.P(h.Class("small muted"), g.Text(i18n.T("dispute.reopen_lead"))),
		g.If(p.Form == FormReopen, pwa.ErrorSummary(p.Err)),
		h.Form(h.Method("post"), h.Action("/disputes/"+p.Dispute.ID+"/reopen"), g.Attr("novalidate"),
			pwa.Field(i18n.T("dispute.reopen_reason"), "reopen_reason", errs,
				pwa.Input("reopen_reason", p.Reason, errs, h.Type("text"), h.MaxLength(strconv.Itoa(MaxReason)))),
			h.Button(h.Type("submit"), h.Class("danger"), g.Text(i18n.T("dispute.reopen"))),
		),
	)
}

// AgreementProps is what the printed agreement shows.
type AgreementProps struct {
	Officer     *station.Officer
	Dispute     *Dispute
	Names       Names
	StationName string
	Loc         *time.Location
}

// AgreementPage is the 调解协议书 for signatures, laid out for one A4
// portrait page: the parties, the facts, what was agreed, and a signature
// line for every party, mediator and the lead officer.
func AgreementPage(layout pwa.Layout, p AgreementProps) g.Node {
	d := p.Dispute
	copies := len(d.Parties) + 1
	party := func(pt Party) g.Node {
		var bits []string
		bits = append(bits, pt.Name)
		if pt.Phone != "" {
			bits = append(bits, i18n.T("agreement.phone", station.DisplayPhone(pt.Phone)))
		}
		if a := p.Names.Addresses[pt.Household]; a != "" {
			bits = append(bits, i18n.T("agreement.address", a))
		}
		return h.P(h.Class("party"), h.Strong(g.Text(roleLabel(pt.Role)+"：")), g.Text(strings.Join(bits, "，")))
	}
	signature := func(label string) g.Node {
		return h.Div(h.Class("sign"),
			h.Span(h.Class("sign-label"), g.Text(label)),
			h.Span(h.Class("sign-line")),
			h.Span(h.Class("sign-date"), g.Text(i18n.T("agreement.date_blank"))),
		)
	}
	var signs []g.Node
	for _, pt := range d.Parties {
		signs = append(signs, signature(i18n.T("agreement.sign_party", roleLabel(pt.Role), pt.Name)))
	}
	for _, id := range d.Mediators {
		if n := p.Names.mediatorName(id); n != "" {
			signs = append(signs, signature(i18n.T("agreement.sign_mediator", n)))
		}
	}
	signs = append(signs, signature(i18n.T("agreement.sign_officer", p.Names.officer(d.Officer))))
	return layout(pwa.Page{
		Title:   i18n.T("agreement.title") + " " + d.Number,
		Officer: p.Officer,
		Nav:     "/disputes",
		Class:   "agreement",
		Body: []g.Node{
			h.Div(h.Class("card no-print"),
				h.P(h.Class("row"),
					h.A(h.Class("button"), h.Href("/disputes/"+d.ID), g.Text(i18n.T("agreement.back"))),
					h.Span(h.Class("muted small"), g.Text(i18n.T("agreement.print_hint"))),
				),
			),
			h.Article(h.Class("sheet"), h.ID("agreement"),
				h.H1(g.Text(i18n.T("agreement.title"))),
				h.P(h.Class("sheet-meta"),
					h.Span(g.Text(i18n.T("agreement.number", d.Number))),
					h.Span(g.Text(p.StationName+" · "+p.Names.Rooms[d.Room])),
				),
				h.Section(h.Class("parties"), g.Map(d.Parties, party)),
				h.Section(
					h.H2(g.Text(i18n.T("agreement.facts"))),
					h.P(h.Class("prewrap"), g.Text(d.Summary)),
				),
				h.Section(
					h.H2(g.Text(i18n.T("agreement.terms"))),
					h.P(h.Class("prewrap"), g.Text(d.Outcome)),
				),
				h.P(h.Class("clause"), g.Text(i18n.T("agreement.clause", copies))),
				h.Section(h.Class("signatures"), g.Group(signs)),
				h.P(h.Class("seal"), g.Text(i18n.T("agreement.seal", p.Names.Rooms[d.Room]))),
			),
		},
	})
}

// FiguresProps is what the figures page shows.
type FiguresProps struct {
	Officer *station.Officer
	Figures Figures
}

// FiguresPage shows the figures of a year on their own page, with a year
// picker and the XLSX.
func FiguresPage(layout pwa.Layout, p FiguresProps) g.Node {
	f := p.Figures
	return layout(pwa.Page{
		Title:   i18n.T("dispute_figures.title"),
		Officer: p.Officer,
		Nav:     "/disputes",
		Body: []g.Node{
			h.Section(h.Class("card no-print"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(i18n.T("dispute_figures.title"))),
					h.A(h.Class("button"), h.Href("/disputes"), g.Text(i18n.T("dispute.list_title"))),
				),
				h.Form(h.Method("get"), h.Action("/disputes/figures"), h.Class("filters"),
					h.Div(h.Class("field"),
						h.Label(h.For("year"), g.Text(i18n.T("dispute_figures.year_pick"))),
						h.Select(h.ID("year"), h.Name("year"), g.Map(f.Years, func(y int) g.Node {
							return h.Option(h.Value(strconv.Itoa(y)), g.If(y == f.Year, h.Selected()), g.Text(i18n.T("dispute_figures.year", y)))
						})),
					),
					h.Div(h.Class("field"), h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("dispute_figures.show")))),
				),
			),
			FiguresSection(f),
		},
	})
}

// FiguresSection is the figures as one embeddable card, for the coverage
// page: the year's totals and rate with the formula stated, then the
// tables by month, year, category, room and mediator.
func FiguresSection(f Figures) g.Node {
	table := func(first string, rows []FigureRow, total *Tally) g.Node {
		if len(rows) == 0 {
			return pwa.EmptyState(i18n.T("dispute_figures.none"))
		}
		return h.Div(h.Class("table-wrap"), h.Table(h.Class("figures-table"),
			h.THead(h.Tr(
				h.Th(g.Text(i18n.T(first))),
				g.Map(figureColumns, func(k string) g.Node { return h.Th(h.Class("num"), g.Text(i18n.T(k))) }),
			)),
			h.TBody(g.Map(rows, func(r FigureRow) g.Node {
				return h.Tr(h.Td(g.Text(r.Label)), tallyCells(r.Tally))
			})),
			g.If(total != nil, h.TFoot(h.Tr(h.Th(g.Text(i18n.T("dispute_figures.total"))), g.Iff(total != nil, func() g.Node { return tallyCells(*total) })))),
		))
	}
	t := f.Total
	total := &t
	return h.Section(h.Class("card figures"), h.ID("mediation-figures"),
		h.Div(h.Class("spread"),
			h.H2(g.Text(i18n.T("dispute_figures.heading", f.Year))),
			h.A(h.Class("button no-print"), h.Href(fmt.Sprintf("/disputes/figures.xlsx?year=%d", f.Year)), g.Text(i18n.T("dispute_figures.download"))),
		),
		h.P(h.Class("lead"), g.Text(i18n.T("dispute_figures.lead", t.Cases, t.RateText(), t.Settled, t.Failed, t.Referred, t.Withdrawn, t.Open, t.MedianText()))),
		h.P(h.Class("small muted formula"), g.Text(i18n.T("dispute_figures.formula"))),
		h.H3(g.Text(i18n.T("dispute_figures.by_month"))), table("dispute_figures.col_month", f.Months, total),
		h.H3(g.Text(i18n.T("dispute_figures.by_category"))), table("dispute_figures.col_category", f.ByCategory, total),
		h.H3(g.Text(i18n.T("dispute_figures.by_room"))), table("dispute_figures.col_room", f.ByRoom, total),
		h.H3(g.Text(i18n.T("dispute_figures.by_mediator"))), h.P(h.Class("small muted"), g.Text(i18n.T("dispute_figures.mediator_note"))), table("dispute_figures.col_mediator", f.ByMediator, nil),
		h.H3(g.Text(i18n.T("dispute_figures.by_year"))), table("dispute_figures.col_year", f.ByYear, nil),
	)
}

func tallyCells(t Tally) g.Node {
	return g.Group{
		h.Td(h.Class("num"), g.Textf("%d", t.Cases)),
		h.Td(h.Class("num"), g.Textf("%d", t.Settled)),
		h.Td(h.Class("num"), g.Textf("%d", t.Failed)),
		h.Td(h.Class("num"), h.Strong(g.Text(t.RateText()))),
		h.Td(h.Class("num"), g.Textf("%d", t.Referred)),
		h.Td(h.Class("num"), g.Textf("%d", t.Withdrawn)),
		h.Td(h.Class("num"), g.Textf("%d", t.Open)),
		h.Td(h.Class("num"), g.Text(t.MedianText())),
	}
}

// RosterProps is what the roster page shows.
type RosterProps struct {
	Officer   *station.Officer
	Mediators []*Mediator
	Names     Names
	ShowAll   bool
	Notice    string
	// RoomErr is a refused room form; Room its values.
	RoomErr error
	Room    Room
}

// RosterPage is the roster on the wall (调解员名单): by kind, with
// organisation, phone and rooms; it prints on one A4 page. The deputy
// chief adds and edits names and rooms here.
func RosterPage(layout pwa.Layout, p RosterProps) g.Node {
	chief := p.Officer.IsChief()
	byKind := map[string][]*Mediator{}
	for _, m := range p.Mediators {
		byKind[m.Kind] = append(byKind[m.Kind], m)
	}
	rooms := func(ids []string) string {
		var out []string
		for _, id := range ids {
			out = append(out, p.Names.Rooms[id])
		}
		return strings.Join(out, "、")
	}
	errs := station.FieldsOf(p.RoomErr)
	return layout(pwa.Page{
		Title:   i18n.T("mediator.roster_title"),
		Officer: p.Officer,
		Nav:     "/disputes",
		Class:   "roster",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(i18n.T("mediator.roster_heading"))),
					h.Div(h.Class("row no-print"),
						g.If(chief, h.A(h.Class("button primary"), h.Href("/mediators/new"), g.Text(i18n.T("mediator.new")))),
						g.If(chief && !p.ShowAll, h.A(h.Class("button"), h.Href("/mediators?all=1"), g.Text(i18n.T("mediator.show_all")))),
						g.If(chief && p.ShowAll, h.A(h.Class("button"), h.Href("/mediators"), g.Text(i18n.T("mediator.show_active")))),
					),
				),
				h.P(h.Class("lead"), g.Text(i18n.T("mediator.roster_lead"))),
				g.If(len(p.Mediators) == 0, pwa.EmptyState(i18n.T("mediator.none"))),
				g.Map(MediatorKinds, func(k string) g.Node {
					ms := byKind[k]
					if len(ms) == 0 {
						return nil
					}
					return h.Div(h.Class("roster-group"),
						h.H2(g.Text(kindLabel(k))),
						h.Table(h.Class("roster-table"),
							h.THead(h.Tr(
								h.Th(g.Text(i18n.T("mediator.name"))), h.Th(g.Text(i18n.T("mediator.organisation"))),
								h.Th(g.Text(i18n.T("mediator.phone"))), h.Th(g.Text(i18n.T("mediator.rooms"))),
								g.If(chief, h.Th(h.Class("no-print"))),
							)),
							h.TBody(g.Map(ms, func(m *Mediator) g.Node {
								return h.Tr(c.Classes{"inactive": !m.Active},
									h.Td(g.Text(m.Name), g.If(!m.Active, h.Span(h.Class("tag"), g.Text(i18n.T("mediator.inactive"))))),
									h.Td(g.Text(m.Organisation)),
									h.Td(g.If(m.Phone != "", h.A(h.Href("tel:"+m.Phone), g.Text(station.DisplayPhone(m.Phone))))),
									h.Td(g.Text(rooms(m.Rooms))),
									g.If(chief, h.Td(h.Class("no-print"), h.A(h.Href("/mediators/"+m.ID+"/edit"), g.Text(i18n.T("mediator.edit"))))),
								)
							})),
						),
					)
				}),
			),
			h.Section(h.Class("card no-print"),
				h.H2(g.Text(i18n.T("mediation.rooms"))),
				h.Ul(h.Class("list"), g.Map(p.Names.RoomList, func(r Room) g.Node {
					where := i18n.T("mediation.station_room")
					if r.Community != "" {
						where = p.Names.Communities[r.Community]
					}
					return h.Li(h.Div(h.Class("item"), h.Span(h.Class("title"), g.Text(r.Name)), h.Span(h.Class("meta"), g.Text(" · "+where))))
				})),
				g.If(chief, h.Form(h.Method("post"), h.Action("/mediators/rooms"), h.Class("filters no-print"), g.Attr("novalidate"),
					pwa.ErrorSummary(p.RoomErr),
					pwa.Field(i18n.T("mediation.room_name"), "name", errs, pwa.Input("name", p.Room.Name, errs, h.Type("text"), h.MaxLength(strconv.Itoa(MaxRoomName)))),
					pwa.Field(i18n.T("mediation.room_community"), "community", errs, h.Select(h.ID("community"), h.Name("community"),
						h.Option(h.Value(""), g.Text(i18n.T("mediation.station_room"))),
						g.Map(p.Names.Places, func(pl Place) g.Node {
							return h.Option(h.Value(pl.ID), g.If(pl.ID == p.Room.Community, h.Selected()), g.Text(pl.Name))
						}),
					)),
					h.Div(h.Class("field"), h.Button(h.Type("submit"), g.Text(i18n.T("mediation.add_room")))),
				)),
			),
		},
	})
}

// MediatorFormProps is what the roster's add/edit form shows.
type MediatorFormProps struct {
	Officer *station.Officer
	Input   Mediator
	Editing *Mediator
	Names   Names
	Err     error
}

// MediatorFormPage adds or edits one name of the roster.
func MediatorFormPage(layout pwa.Layout, p MediatorFormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	title, action := i18n.T("mediator.new"), "/mediators"
	if p.Editing != nil {
		title, action = i18n.T("mediator.edit_title", p.Editing.Name), "/mediators/"+p.Editing.ID
	}
	return layout(pwa.Page{
		Title:   title,
		Officer: p.Officer,
		Nav:     "/disputes",
		Body: []g.Node{h.Section(h.Class("card form"),
			h.H1(g.Text(title)),
			pwa.ErrorSummary(p.Err),
			h.Form(h.Method("post"), h.Action(action), g.Attr("novalidate"),
				pwa.Field(i18n.T("mediator.name"), "name", errs, pwa.Input("name", in.Name, errs, h.Type("text"), h.MaxLength(strconv.Itoa(MaxMediatorNm)), h.Required())),
				pwa.Field(i18n.T("mediator.kind"), "kind", errs, h.Select(h.ID("kind"), h.Name("kind"),
					g.Map(MediatorKinds, func(k string) g.Node {
						return h.Option(h.Value(k), g.If(k == in.Kind, h.Selected()), g.Text(kindLabel(k)))
					}),
				)),
				pwa.Field(i18n.T("mediator.organisation"), "organisation", errs, pwa.Input("organisation", in.Organisation, errs, h.Type("text"), h.MaxLength(strconv.Itoa(MaxOrg)))),
				pwa.Field(i18n.T("mediator.phone"), "phone", errs, pwa.Input("phone", displayTyped(in.Phone), errs, h.Type("tel"), h.AutoComplete("off"))),
				h.FieldSet(c.Classes{"field": true, "bad": errs["rooms"].Code != ""},
					h.Legend(g.Text(i18n.T("mediator.rooms"))),
					h.Div(h.Class("chips"), g.Map(p.Names.RoomList, func(r Room) g.Node {
						return h.Label(h.Input(h.Type("checkbox"), h.Name("rooms"), h.Value(r.ID), g.If(slices.Contains(in.Rooms, r.ID), h.Checked())), g.Text(r.Name))
					})),
					g.If(errs["rooms"].Code != "", h.P(h.Class("error"), g.Text(errs["rooms"].Message))),
				),
				h.Div(h.Class("field"), h.Label(h.Class("toggle"), h.For("active"), g.Text(i18n.T("mediator.active")),
					h.Input(h.Type("checkbox"), h.ID("active"), h.Name("active"), h.Value("1"), g.If(in.Active, h.Checked())))),
				h.Div(h.Class("row"),
					h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("mediator.save"))),
					h.A(h.Class("button"), h.Href("/mediators"), g.Text(i18n.T("dispute.cancel"))),
				),
			),
		)},
	})
}
