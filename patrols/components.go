package patrols

import (
	"slices"
	"strconv"

	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// Small pieces of markup the patrols pages share.

// option is one choice of a select.
type option struct{ value, label string }

// selectOf is a select named name with options; blank, if given, is a
// first option with no value.
func selectOf(name, selected string, errs map[string]station.FieldError, opts []option, blank string, attrs ...g.Node) g.Node {
	_, bad := errs[name]
	return h.Select(h.ID(name), h.Name(name),
		g.If(bad, g.Group{g.Attr("aria-invalid", "true"), g.Attr("aria-describedby", name+"-error")}),
		g.Group(attrs),
		g.If(blank != "", h.Option(h.Value(""), g.Text(blank))),
		g.Map(opts, func(o option) g.Node {
			return h.Option(h.Value(o.value), g.If(o.value == selected, h.Selected()), g.Text(o.label))
		}),
	)
}

// textField is a labelled text input of at most max characters.
func textField(label, name, value string, max int, errs map[string]station.FieldError, attrs ...g.Node) g.Node {
	return pwa.Field(label, name, errs, pwa.Input(name, value, errs, append([]g.Node{h.Type("text"), h.MaxLength(strconv.Itoa(max))}, attrs...)...))
}

// textArea is a labelled textarea of at most max characters.
func textArea(label, name, value string, max int, errs map[string]station.FieldError, attrs ...g.Node) g.Node {
	_, bad := errs[name]
	return pwa.Field(label, name, errs, h.Textarea(h.ID(name), h.Name(name), h.MaxLength(strconv.Itoa(max)),
		g.If(bad, g.Group{g.Attr("aria-invalid", "true"), g.Attr("aria-describedby", name+"-error")}),
		g.Group(attrs), g.Text(value)))
}

// checks is a fieldset (with id) of checkboxes named name.
func checks(legend, id, name string, selected []string, opts []option, errs map[string]station.FieldError) g.Node {
	fe, bad := errs[name]
	return h.FieldSet(c.Classes{"field": true, "bad": bad}, h.ID(id),
		h.Legend(g.Text(legend)),
		h.Div(h.Class("chips"), g.Map(opts, func(o option) g.Node {
			return h.Label(h.Input(h.Type("checkbox"), h.Name(name), h.Value(o.value), g.If(slices.Contains(selected, o.value), h.Checked())), g.Text(o.label))
		})),
		g.If(len(opts) == 0, h.P(h.Class("muted small"), g.Text(i18n.T("patrols.none_to_choose")))),
		g.If(bad, h.P(h.Class("error"), h.ID(name+"-error"), g.Text(fe.Message))),
	)
}

// communityOptions are the communities of places.
func communityOptions(places []households.Community) []option {
	out := make([]option, len(places))
	for i, c := range places {
		out[i] = option{c.ID, c.Name}
	}
	return out
}

// gridOptions are the grids of community id among places.
func gridOptions(places []households.Community, id string) []option {
	var out []option
	for _, c := range places {
		if c.ID == id {
			for _, gr := range c.Grids {
				out = append(out, option{gr.ID, gr.Name})
			}
		}
	}
	return out
}

// communityFilter is a GET form choosing the community a page shows.
func communityFilter(action, selected string, places []households.Community, any string, extra ...g.Node) g.Node {
	return h.Form(h.Method("get"), h.Action(action), h.Class("filters no-print"),
		h.Div(h.Class("field"),
			h.Label(h.For("community"), g.Text(i18n.T("patrols.community"))),
			selectOf("community", selected, nil, communityOptions(places), any),
		),
		g.Group(extra),
		h.Div(h.Class("field"), h.Button(h.Type("submit"), h.Class("primary"), g.Text(i18n.T("patrols.show")))),
	)
}

// onlyCommunity is the community a page defaults to: the officer's one
// community, or none when they have several.
func onlyCommunity(places []households.Community) string {
	if len(places) == 1 {
		return places[0].ID
	}
	return ""
}

func hasPlace(places []households.Community, id string) bool {
	for _, c := range places {
		if c.ID == id {
			return true
		}
	}
	return false
}

// facts is a definition list of label/value pairs.
func fact(label string, value ...g.Node) g.Node {
	return g.Group{h.Dt(g.Text(label)), h.Dd(value...)}
}

// yesNo says 是 or 否.
func yesNo(b bool) string {
	if b {
		return i18n.T("patrols.yes")
	}
	return i18n.T("patrols.no")
}
