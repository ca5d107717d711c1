package patrols

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// PraiseProps is what the public praise board shows.
type PraiseProps struct {
	Officer *station.Officer // whoever is signed in, if anyone
	Station string
	Entries []PraiseEntry
	A3      bool // the poster is printed on A3
}

// PraisePage is /praise, the public praise board (表扬榜): no account, no
// script, printable as an A4 or A3 poster. It is built from PraiseEntry
// alone, which holds nothing of a person but the name they consented to
// have published.
func PraisePage(layout pwa.Layout, p PraiseProps) g.Node {
	cls := "praise-poster"
	if p.A3 {
		cls += " a3"
	}
	return layout(pwa.Page{
		Title:   i18n.T("patrols.praise_title"),
		Officer: p.Officer,
		Class:   cls,
		Body: []g.Node{
			h.Section(h.Class("praise"),
				h.Header(h.Class("praise-head"),
					h.P(h.Class("praise-station"), g.Text(p.Station)),
					h.H1(g.Text(i18n.T("patrols.praise_title"))),
					h.P(h.Class("praise-sub"), g.Text(i18n.T("patrols.praise_sub"))),
				),
				g.If(len(p.Entries) == 0, pwa.EmptyState(i18n.T("patrols.praise_empty"))),
				h.Ol(h.Class("praise-list"), g.Map(p.Entries, func(e PraiseEntry) g.Node {
					return h.Li(h.Class("praise-card"),
						h.Div(h.Class("praise-who"),
							h.Strong(h.Class("praise-name"), g.Text(e.Name)),
							h.Span(h.Class("praise-community"), g.Text(e.Community)),
						),
						h.Div(h.Class("praise-what"),
							h.Span(h.Class("tag ok"), g.Text(i18n.T("patrols.deed_kind."+e.Kind))),
							h.Time(h.DateTime(e.Date), g.Text(dayLabel(e.Date))),
						),
						h.P(h.Class("praise-story"), g.Text(e.Story)),
						h.P(h.Class("praise-times"), g.Text(i18n.T("patrols.praise_times", e.Times))),
					)
				})),
				h.Footer(h.Class("praise-foot"),
					h.P(g.Text(i18n.T("patrols.praise_foot", p.Station))),
					h.P(h.Class("no-print small"),
						g.Text(i18n.T("patrols.praise_print")+" "),
						h.A(h.Href("/praise"), g.Text("A4")), g.Text(" · "),
						h.A(h.Href("/praise?paper=a3"), g.Text("A3")),
					),
				),
			),
		},
	})
}

// dayLabel writes 2026-12-01 as 2026年12月1日.
func dayLabel(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return i18n.T("patrols.day", t.Year(), int(t.Month()), t.Day())
}

// praiseStore is what the praise pages need of the store.
type praiseStore interface {
	Praise(ctx context.Context) ([]PraiseEntry, error)
	Places(ctx context.Context, o *station.Officer) ([]households.Community, error)
	Names(ctx context.Context, o *station.Officer) (Names, error)
	Settings() station.Settings
	Deeds(ctx context.Context, o *station.Officer) ([]*Deed, error)
	Deed(ctx context.Context, o *station.Officer, id string) (*Deed, error)
	SaveDeed(ctx context.Context, o *station.Officer, id string, in DeedInput) (*Deed, error)
	Volunteers(ctx context.Context, o *station.Officer, q VolunteerQuery) ([]*Volunteer, error)
}

// HandlePraise serves the public board.
func HandlePraise(store praiseStore, layout pwa.Layout) pwa.Handler {
	return func(ec echo.Context) (g.Node, error) {
		ctx, o := officerOf(ec)
		entries, err := store.Praise(ctx)
		if err != nil {
			return nil, err
		}
		return PraisePage(layout, PraiseProps{Officer: o, Station: store.Settings().StationName, Entries: entries, A3: ec.QueryParam("paper") == "a3"}), nil
	}
}

// DeedsProps is what the deputy chief's list of good deeds shows.
type DeedsProps struct {
	Officer *station.Officer
	Deeds   []*Deed
	Names   Names
	Notice  string
}

// DeedsPage lists every good deed with whether it is on the board.
func DeedsPage(layout pwa.Layout, p DeedsProps) g.Node {
	return layout(pwa.Page{
		Title:   i18n.T("patrols.deeds"),
		Officer: p.Officer,
		Nav:     "/patrols",
		Body: []g.Node{
			pwa.Notice(p.Notice),
			h.Section(h.Class("card"),
				h.Div(h.Class("spread"),
					h.H1(g.Text(i18n.T("patrols.deeds"))),
					h.Div(h.Class("row no-print"),
						h.A(h.Class("button primary"), h.Href("/praise/deeds/new"), g.Text(i18n.T("patrols.deed_new"))),
						h.A(h.Class("button"), h.Href("/praise"), g.Text(i18n.T("patrols.praise_open"))),
					),
				),
				h.P(h.Class("small muted"), g.Text(i18n.T("patrols.deeds_lead"))),
				g.If(len(p.Deeds) == 0, pwa.EmptyState(i18n.T("patrols.no_deeds"))),
				g.If(len(p.Deeds) > 0, h.Div(h.Class("table-wrap"), h.Table(
					h.THead(h.Tr(
						h.Th(g.Text(i18n.T("patrols.date"))), h.Th(g.Text(i18n.T("patrols.name"))), h.Th(g.Text(i18n.T("patrols.community"))),
						h.Th(g.Text(i18n.T("patrols.deed_kind"))), h.Th(g.Text(i18n.T("patrols.story"))),
						h.Th(g.Text(i18n.T("patrols.consent"))), h.Th(g.Text(i18n.T("patrols.published"))), h.Th(h.Class("no-print")),
					)),
					h.TBody(g.Map(p.Deeds, func(d *Deed) g.Node {
						return h.Tr(
							h.Td(g.Text(d.Date)), h.Td(g.Text(d.Name)), h.Td(g.Text(p.Names[d.Community])),
							h.Td(g.Text(i18n.T("patrols.deed_kind."+d.Kind))), h.Td(g.Text(excerpt(d.Story, 40))),
							h.Td(g.Text(yesNo(d.Consent))),
							h.Td(g.If(d.Published && d.Consent, h.Span(h.Class("tag ok"), g.Text(i18n.T("patrols.on_board")))), g.If(!d.Published, g.Text(yesNo(false)))),
							h.Td(h.Class("no-print"), h.A(h.Href("/praise/deeds/"+d.ID), g.Text(i18n.T("patrols.edit")))),
						)
					})),
				))),
			),
		},
	})
}

func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// DeedFormProps is what the deed form shows.
type DeedFormProps struct {
	Officer    *station.Officer
	Places     []households.Community
	Deed       *Deed // nil: a new deed
	Input      DeedInput
	Volunteers []*Volunteer
	Err        error
}

// DeedFormPage records or edits a good deed.
func DeedFormPage(layout pwa.Layout, p DeedFormProps) g.Node {
	errs := station.FieldsOf(p.Err)
	in := p.Input
	title, action := i18n.T("patrols.deed_new"), "/praise/deeds"
	if p.Deed != nil {
		title, action = i18n.T("patrols.deed_edit"), "/praise/deeds/"+p.Deed.ID
	}
	kinds := make([]option, len(DeedKinds))
	for i, k := range DeedKinds {
		kinds[i] = option{k, i18n.T("patrols.deed_kind." + k)}
	}
	_, volBad := errs["volunteer"]
	vols := h.Select(h.ID("volunteer"), h.Name("volunteer"), g.If(volBad, g.Attr("aria-invalid", "true")),
		h.Option(h.Value(""), g.Text(i18n.T("patrols.not_a_volunteer"))),
		g.Map(p.Places, func(pl households.Community) g.Node {
			return h.OptGroup(g.Attr("label", pl.Name), g.Map(p.Volunteers, func(v *Volunteer) g.Node {
				if v.Community != pl.ID {
					return nil
				}
				return h.Option(h.Value(v.ID), g.If(v.ID == in.Volunteer, h.Selected()), g.Text(v.Name))
			}))
		}),
	)
	box := func(name, label string, on bool, hint string) g.Node {
		fe, bad := errs[name]
		return h.Div(c.Classes{"field": true, "bad": bad},
			h.Label(h.Class("toggle"), h.Input(h.Type("checkbox"), h.ID(name), h.Name(name), h.Value("1"), g.If(on, h.Checked())), g.Text(label)),
			g.If(!bad, h.Small(h.Class("hint"), g.Text(hint))),
			g.If(bad, h.P(h.Class("error"), h.ID(name+"-error"), g.Text(fe.Message))),
		)
	}
	return layout(pwa.Page{
		Title:   title,
		Officer: p.Officer,
		Nav:     "/patrols",
		Body: []g.Node{h.Section(h.Class("card form"),
			h.H1(g.Text(title)),
			pwa.ErrorSummary(p.Err),
			h.Form(h.Method("post"), h.Action(action), g.Attr("novalidate"),
				pwa.Field(i18n.T("patrols.community"), "community", errs, selectOf("community", in.Community, errs, communityOptions(p.Places), i18n.T("patrols.choose"), h.Required())),
				pwa.Field(i18n.T("patrols.volunteer"), "volunteer", errs, vols, i18n.T("patrols.volunteer_hint")),
				textField(i18n.T("patrols.published_name"), "name", in.Name, MaxName, errs, h.Placeholder(i18n.T("patrols.published_name_hint"))),
				pwa.Field(i18n.T("patrols.date"), "date", errs, pwa.Input("date", in.Date, errs, h.Type("date"), h.Required())),
				pwa.Field(i18n.T("patrols.deed_kind"), "kind", errs, selectOf("kind", in.Kind, errs, kinds, i18n.T("patrols.choose"), h.Required())),
				textArea(i18n.T("patrols.story"), "story", in.Story, MaxStory, errs, h.Required(), h.Placeholder(i18n.T("patrols.story_hint"))),
				box("consent", i18n.T("patrols.consent_label"), in.Consent, i18n.T("patrols.consent_hint")),
				box("published", i18n.T("patrols.published_label"), in.Published, i18n.T("patrols.published_hint")),
				h.Div(h.Class("row"),
					h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("patrols.save"))),
					h.A(h.Class("button"), h.Href("/praise/deeds"), g.Text(i18n.T("patrols.cancel"))),
				),
			),
		)},
	})
}

// HandleDeeds serves the deputy chief's list of good deeds.
func HandleDeeds(store praiseStore, layout pwa.Layout) pwa.Handler {
	return func(ec echo.Context) (g.Node, error) {
		ctx, o := officerOf(ec)
		deeds, err := store.Deeds(ctx, o)
		if err != nil {
			return nil, err
		}
		names, err := store.Names(ctx, o)
		if err != nil {
			return nil, err
		}
		return DeedsPage(layout, DeedsProps{Officer: o, Deeds: deeds, Names: names, Notice: doneNotice(ec)}), nil
	}
}

// HandleDeedForm serves the new-deed form (id "") or a deed's edit form.
func HandleDeedForm(store praiseStore, layout pwa.Layout) pwa.Handler {
	return func(ec echo.Context) (g.Node, error) {
		ctx, o := officerOf(ec)
		if !o.IsChief() {
			return nil, forbidden("patrols.chief_only")
		}
		var d *Deed
		in := DeedInput{Date: store.Settings().DayString(time.Now())}
		if id := ec.Param("id"); id != "" {
			var err error
			if d, err = store.Deed(ctx, o, id); err != nil {
				return nil, err
			}
			in = DeedInput{Volunteer: d.Volunteer, Name: d.Name, Community: d.Community, Date: d.Date, Kind: d.Kind, Story: d.Story, Consent: d.Consent, Published: d.Published}
		}
		return deedForm(ctx, store, layout, o, d, in, nil)
	}
}

func deedForm(ctx context.Context, store praiseStore, layout pwa.Layout, o *station.Officer, d *Deed, in DeedInput, formErr error) (g.Node, error) {
	places, err := store.Places(ctx, o)
	if err != nil {
		return nil, err
	}
	vols, err := store.Volunteers(ctx, o, VolunteerQuery{All: true})
	if err != nil {
		return nil, err
	}
	return DeedFormPage(layout, DeedFormProps{Officer: o, Places: places, Deed: d, Input: in, Volunteers: vols, Err: formErr}), formErr
}

// HandleSaveDeed saves the deed form.
func HandleSaveDeed(store praiseStore, layout pwa.Layout) pwa.Handler {
	return func(ec echo.Context) (g.Node, error) {
		ctx, o := officerOf(ec)
		in := DeedInput{
			Volunteer: ec.FormValue("volunteer"), Name: strings.TrimSpace(ec.FormValue("name")), Community: ec.FormValue("community"),
			Date: ec.FormValue("date"), Kind: ec.FormValue("kind"), Story: ec.FormValue("story"),
			Consent: ec.FormValue("consent") == "1", Published: ec.FormValue("published") == "1",
		}
		id := ec.Param("id")
		var d *Deed
		if id != "" {
			var err error
			if d, err = store.Deed(ctx, o, id); err != nil {
				return nil, err
			}
		}
		if _, err := store.SaveDeed(ctx, o, id, in); err != nil {
			if station.ErrorCode(err) != station.EInvalid {
				return nil, err
			}
			return deedForm(ctx, store, layout, o, d, in, err)
		}
		return nil, ec.Redirect(http.StatusSeeOther, "/praise/deeds?done=deed")
	}
}
