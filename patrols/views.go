package patrols

import (
	"net/url"
	"strconv"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// OverviewProps is what the patrols page shows.
type OverviewProps struct {
	Officer    *station.Officer
	Places     []households.Community
	Community  string // "" for every community in the area
	Teams      []*Team
	Volunteers []*Volunteer
	Shifts     []*Shift
	Figures    Figures
	Names      Names
	Notice     string
}

// OverviewPage is /patrols: the teams, the roster, the latest shifts and
// the year's figures.
func OverviewPage(layout pwa.Layout, p OverviewProps) g.Node {
	members := map[string]int{}
	for _, v := range p.Volunteers {
		members[v.Team]++
	}
	q := ""
	if p.Community != "" {
		q = "?community=" + url.QueryEscape(p.Community)
	}
	return layout(pwa.Page{
		Title:   i18n.T("patrols.title"),
		Officer: p.Officer,
		Nav:     "/patrols",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(i18n.T("patrols.title"))),
					h.Div(h.Class("row no-print"),
						h.A(h.Class("button primary"), h.Href("/patrols/shifts/new"+q), g.Text(i18n.T("patrols.shift_new"))),
						h.A(h.Class("button"), h.Href("/reports"+q), g.Text(i18n.T("patrols.reports"))),
						h.A(h.Class("button"), h.Href("/patrols/map"+q), g.Text(i18n.T("patrols.map"))),
						g.If(p.Officer.IsChief(), h.A(h.Class("button"), h.Href("/praise/deeds"), g.Text(i18n.T("patrols.deeds")))),
						h.A(h.Class("button"), h.Href("/praise"), g.Text(i18n.T("patrols.praise_title"))),
					),
				),
				h.P(h.Class("lead"), g.Text(i18n.T("patrols.lead"))),
				communityFilter("/patrols", p.Community, p.Places, i18n.T("patrols.all_communities"),
					h.Div(h.Class("field"), h.Label(h.For("year"), g.Text(i18n.T("patrols.year"))),
						h.Input(h.Type("number"), h.ID("year"), h.Name("year"), h.Min("2000"), h.Max("9999"), h.Value(strconv.Itoa(p.Figures.Year)), g.Attr("inputmode", "numeric"))),
				),
			),
			FiguresSection(p.Figures),
			h.Section(h.Class("card"), h.ID("teams"),
				h.Div(h.Class("spread"),
					h.H2(g.Text(i18n.T("patrols.teams"))),
					h.A(h.Class("button no-print"), h.Href("/patrols/teams/new"+q), g.Text(i18n.T("patrols.team_new"))),
				),
				g.If(len(p.Teams) == 0, pwa.EmptyState(i18n.T("patrols.no_teams"))),
				g.If(len(p.Teams) > 0, h.Div(h.Class("table-wrap"), h.Table(
					h.THead(h.Tr(
						h.Th(g.Text(i18n.T("patrols.team"))), h.Th(g.Text(i18n.T("patrols.community"))),
						h.Th(g.Text(i18n.T("patrols.leader"))), h.Th(g.Text(i18n.T("patrols.grids"))),
						h.Th(h.Class("num"), g.Text(i18n.T("patrols.members"))), h.Th(h.Class("no-print")),
					)),
					h.TBody(g.Map(p.Teams, func(t *Team) g.Node {
						return h.Tr(
							h.Td(g.Text(t.Name)), h.Td(g.Text(p.Names[t.Community])),
							h.Td(g.Text(p.Names[t.Leader])), h.Td(g.Text(p.Names.List(t.Grids))),
							h.Td(h.Class("num"), g.Textf("%d", members[t.ID])),
							h.Td(h.Class("no-print"),
								h.A(h.Href("/patrols/shifts/new?team="+t.ID), g.Text(i18n.T("patrols.shift_new"))), g.Text(" · "),
								h.A(h.Href("/patrols/teams/"+t.ID), g.Text(i18n.T("patrols.edit")))),
						)
					})),
				))),
			),
			h.Section(h.Class("card"), h.ID("volunteers"),
				h.Div(h.Class("spread"),
					h.H2(g.Text(i18n.T("patrols.volunteers"))),
					h.A(h.Class("button no-print"), h.Href("/patrols/volunteers/new"+q), g.Text(i18n.T("patrols.volunteer_new"))),
				),
				g.If(len(p.Volunteers) == 0, pwa.EmptyState(i18n.T("patrols.no_volunteers"))),
				g.If(len(p.Volunteers) > 0, h.Div(h.Class("table-wrap"), h.Table(
					h.THead(h.Tr(
						h.Th(g.Text(i18n.T("patrols.name"))), h.Th(g.Text(i18n.T("patrols.phone"))),
						h.Th(g.Text(i18n.T("patrols.team"))), h.Th(g.Text(i18n.T("patrols.unit"))),
						h.Th(g.Text(i18n.T("patrols.party_member"))), h.Th(g.Text(i18n.T("patrols.joined_at"))), h.Th(h.Class("no-print")),
					)),
					h.TBody(g.Map(p.Volunteers, func(v *Volunteer) g.Node {
						return h.Tr(
							h.Td(g.Text(v.Name)),
							h.Td(g.If(v.Phone != "", h.A(h.Href("tel:"+v.Phone), g.Text(v.PhoneDisplay)))),
							h.Td(g.Text(p.Names[v.Team])), h.Td(g.Text(v.Unit)),
							h.Td(g.If(v.PartyMember, h.Span(h.Class("tag"), g.Text(i18n.T("patrols.party_member_short"))))),
							h.Td(g.Text(v.JoinedAt)),
							h.Td(h.Class("no-print"), h.A(h.Href("/patrols/volunteers/"+v.ID), g.Text(i18n.T("patrols.edit")))),
						)
					})),
				))),
			),
			h.Section(h.Class("card"), h.ID("shifts"),
				h.H2(g.Text(i18n.T("patrols.shifts"))),
				g.If(len(p.Shifts) == 0, pwa.EmptyState(i18n.T("patrols.no_shifts"))),
				g.If(len(p.Shifts) > 0, ShiftsTable(p.Shifts, p.Names)),
			),
		},
	})
}

// ShiftsTable lists shifts: day and time, team, grids, who was present.
func ShiftsTable(shifts []*Shift, names Names) g.Node {
	return h.Div(h.Class("table-wrap"), h.Table(
		h.THead(h.Tr(
			h.Th(g.Text(i18n.T("patrols.date"))), h.Th(g.Text(i18n.T("patrols.time"))), h.Th(g.Text(i18n.T("patrols.team"))),
			h.Th(g.Text(i18n.T("patrols.grids"))), h.Th(h.Class("num"), g.Text(i18n.T("patrols.col_person_turns"))),
			h.Th(g.Text(i18n.T("patrols.present"))), h.Th(g.Text(i18n.T("patrols.officer"))), h.Th(g.Text(i18n.T("patrols.notes"))),
		)),
		h.TBody(g.Map(shifts, func(s *Shift) g.Node {
			return h.Tr(
				h.Td(h.Class("nowrap"), g.Text(s.Date)), h.Td(h.Class("nowrap"), g.Text(s.Starts+"–"+s.Ends)), h.Td(g.Text(names[s.Team])),
				h.Td(g.Text(names.List(s.Grids))), h.Td(h.Class("num"), g.Textf("%d", s.PersonTurns)),
				h.Td(g.Text(names.List(s.Volunteers))), h.Td(g.Text(names[s.Officer])), h.Td(g.Text(s.Notes)),
			)
		})),
	))
}

// TeamFormProps is what the team form shows.
type TeamFormProps struct {
	Officer    *station.Officer
	Places     []households.Community
	Team       *Team // nil: a new team
	Input      TeamInput
	Volunteers []*Volunteer // who may lead it
	Err        error
}

// TeamFormPage creates or edits a team.
func TeamFormPage(layout pwa.Layout, p TeamFormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	title, action := i18n.T("patrols.team_new"), "/patrols/teams"
	if p.Team != nil {
		title, action = i18n.T("patrols.team_edit", p.Team.Name), "/patrols/teams/"+p.Team.ID
	}
	var leaders []option
	for _, v := range p.Volunteers {
		if v.Community == p.Input.Community && (v.Team == "" || p.Team == nil || v.Team == p.Team.ID) {
			leaders = append(leaders, option{v.ID, v.Name})
		}
	}
	return formPage(layout, p.Officer, title, p.Err, action,
		pwa.Field(i18n.T("patrols.community"), "community", errs, selectOf("community", p.Input.Community, errs, communityOptions(p.Places), i18n.T("patrols.choose"), h.Required())),
		textField(i18n.T("patrols.team_name"), "name", p.Input.Name, MaxTeamName, errs, h.Required(), h.Placeholder(i18n.T("patrols.team_name_hint"))),
		g.If(p.Input.Community != "", checks(i18n.T("patrols.grids"), "grids", "grids", p.Input.Grids, gridOptions(p.Places, p.Input.Community), errs)),
		g.If(p.Input.Community != "", pwa.Field(i18n.T("patrols.leader"), "leader", errs, selectOf("leader", p.Input.Leader, errs, leaders, i18n.T("patrols.no_leader")))),
		textArea(i18n.T("patrols.notes"), "notes", p.Input.Notes, MaxTeamNotes, errs),
	)
}

// formPage is the frame of every patrols form: a card with the title, the
// problems, and the fields above the save button.
func formPage(layout pwa.Layout, o *station.Officer, title string, err error, action string, fields ...g.Node) g.Node {
	return layout(pwa.Page{
		Title:   title,
		Officer: o,
		Nav:     "/patrols",
		Body: []g.Node{h.Section(h.Class("card form"),
			h.H1(g.Text(title)),
			pwa.ErrorSummary(err),
			h.Form(h.Method("post"), h.Action(action), g.Attr("novalidate"),
				g.Group(fields),
				h.Div(h.Class("row"),
					h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("patrols.save"))),
					h.A(h.Class("button"), h.Href("/patrols"), g.Text(i18n.T("patrols.cancel"))),
				),
			),
		)},
	})
}

// VolunteerFormProps is what the volunteer form shows.
type VolunteerFormProps struct {
	Officer   *station.Officer
	Places    []households.Community
	Volunteer *Volunteer // nil: a new volunteer
	Input     VolunteerInput
	Teams     []*Team
	Err       error
}

// VolunteerFormPage adds a volunteer to the roster, or edits one.
func VolunteerFormPage(layout pwa.Layout, p VolunteerFormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	title, action := i18n.T("patrols.volunteer_new"), "/patrols/volunteers"
	if p.Volunteer != nil {
		title, action = i18n.T("patrols.volunteer_edit", p.Volunteer.Name), "/patrols/volunteers/"+p.Volunteer.ID
	}
	var teams []option
	for _, t := range p.Teams {
		if in.Community == "" || t.Community == in.Community {
			teams = append(teams, option{t.ID, t.Name})
		}
	}
	return formPage(layout, p.Officer, title, p.Err, action,
		textField(i18n.T("patrols.name"), "name", in.Name, MaxName, errs, h.Required()),
		pwa.Field(i18n.T("patrols.phone"), "phone", errs, pwa.Input("phone", in.Phone, errs, h.Type("tel"), h.AutoComplete("off"), h.MaxLength("40")), i18n.T("patrols.phone_hint")),
		pwa.Field(i18n.T("patrols.community"), "community", errs, selectOf("community", in.Community, errs, communityOptions(p.Places), i18n.T("patrols.choose"), h.Required())),
		pwa.Field(i18n.T("patrols.team"), "team", errs, selectOf("team", in.Team, errs, teams, i18n.T("patrols.no_team"))),
		textField(i18n.T("patrols.unit"), "unit", in.Unit, MaxUnit, errs, h.Placeholder(i18n.T("patrols.unit_hint"))),
		pwa.Field(i18n.T("patrols.joined_at"), "joined_at", errs, pwa.Input("joined_at", in.JoinedAt, errs, h.Type("date"))),
		h.Div(h.Class("field"), h.Label(h.Class("toggle"), h.Input(h.Type("checkbox"), h.Name("party_member"), h.Value("1"), g.If(in.PartyMember, h.Checked())), g.Text(i18n.T("patrols.party_member")))),
		h.Div(h.Class("field"), h.Label(h.Class("toggle"), h.Input(h.Type("checkbox"), h.Name("active"), h.Value("1"), g.If(in.Active, h.Checked())), g.Text(i18n.T("patrols.active")))),
	)
}

// ShiftFormProps is what the shift form shows.
type ShiftFormProps struct {
	Officer    *station.Officer
	Places     []households.Community
	Teams      []*Team
	Team       *Team        // nil: choose a team first
	Volunteers []*Volunteer // the team's community's active volunteers
	Input      ShiftInput
	Err        error
}

// ShiftFormPage records a shift. Without a team chosen it asks for one
// first (a plain GET form), so the roster it offers is that team's
// community's.
func ShiftFormPage(layout pwa.Layout, p ShiftFormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	title := i18n.T("patrols.shift_new")
	teams := make([]option, len(p.Teams))
	names := households.NamesOf(p.Places)
	for i, t := range p.Teams {
		teams[i] = option{t.ID, names[t.Community] + " · " + t.Name}
	}
	if p.Team == nil {
		return layout(pwa.Page{
			Title: title, Officer: p.Officer, Nav: "/patrols",
			Body: []g.Node{h.Section(h.Class("card form"),
				h.H1(g.Text(title)),
				pwa.ErrorSummary(p.Err),
				g.If(len(teams) == 0, pwa.EmptyState(i18n.T("patrols.no_teams"))),
				h.Form(h.Method("get"), h.Action("/patrols/shifts/new"),
					pwa.Field(i18n.T("patrols.team"), "team", errs, selectOf("team", "", errs, teams, i18n.T("patrols.choose"), h.Required())),
					h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("patrols.next"))),
				),
			)},
		})
	}
	in := p.Input
	// The team's own members first, then the rest of the community.
	var own, others []option
	for _, v := range p.Volunteers {
		o := option{v.ID, v.Name}
		if v.Unit != "" {
			o.label += "（" + v.Unit + "）"
		}
		if v.Team == p.Team.ID {
			own = append(own, o)
		} else {
			others = append(others, o)
		}
	}
	return formPage(layout, p.Officer, title, p.Err, "/patrols/shifts",
		h.Input(h.Type("hidden"), h.Name("team"), h.Value(p.Team.ID)),
		h.Input(h.Type("hidden"), h.Name("id"), h.Value(in.ID)),
		h.P(h.Class("lead"), g.Text(names[p.Team.Community]+" · "+p.Team.Name),
			g.Text(" "), h.A(h.Class("small"), h.Href("/patrols/shifts/new"), g.Text(i18n.T("patrols.other_team")))),
		g.If(errs["team"].Code != "", h.P(h.Class("error"), g.Text(errs["team"].Message))),
		pwa.Field(i18n.T("patrols.date"), "date", errs, pwa.Input("date", in.Date, errs, h.Type("date"), h.Required())),
		h.Div(h.Class("row"),
			h.Div(h.Class("grow"), pwa.Field(i18n.T("patrols.starts"), "starts", errs, pwa.Input("starts", in.Starts, errs, h.Type("time"), h.Required()))),
			h.Div(h.Class("grow"), pwa.Field(i18n.T("patrols.ends"), "ends", errs, pwa.Input("ends", in.Ends, errs, h.Type("time"), h.Required()))),
		),
		checks(i18n.T("patrols.grids"), "grids", "grids", in.Grids, gridOptions(p.Places, p.Team.Community), errs),
		checks(i18n.T("patrols.present_team"), "volunteers", "volunteers", in.Volunteers, own, errs),
		g.If(len(others) > 0, checks(i18n.T("patrols.present_others"), "volunteers-others", "volunteers", in.Volunteers, others, nil)),
		textArea(i18n.T("patrols.notes"), "notes", in.Notes, MaxShiftNotes, errs, h.Placeholder(i18n.T("patrols.shift_notes_hint"))),
	)
}
