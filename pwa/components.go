package pwa

import (
	"fmt"
	"math"

	g "maragu.dev/gomponents"
	c "maragu.dev/gomponents/components"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/station"
)

// Field is a labelled form control with its error, if any. The control's
// name doubles as its id and as the key of its error in errs.
func Field(label, name string, errs map[string]station.FieldError, control g.Node, hint ...string) g.Node {
	fe, bad := errs[name]
	return h.Div(c.Classes{"field": true, "bad": bad},
		h.Label(h.For(name), g.Text(label)),
		control,
		g.If(len(hint) > 0 && !bad, h.Small(h.Class("hint"), g.Textf("%s", first(hint)))),
		g.If(bad, h.P(h.Class("error"), h.ID(name+"-error"), g.Text(fe.Message))),
	)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// Input is a text input bound to name with value; attrs are added as is.
func Input(name, value string, errs map[string]station.FieldError, attrs ...g.Node) g.Node {
	_, bad := errs[name]
	return h.Input(h.ID(name), h.Name(name), h.Value(value),
		g.If(bad, g.Group{g.Attr("aria-invalid", "true"), g.Attr("aria-describedby", name+"-error")}),
		g.Group(attrs))
}

// ErrorSummary lists a form's problems at its top, so a keyboard or screen
// reader user learns of them first.
func ErrorSummary(err error) g.Node {
	if err == nil {
		return nil
	}
	msg := i18n.T("error.internal")
	if e, ok := err.(*station.Error); ok {
		msg = e.Message
	}
	return h.Div(h.Class("alert"), h.Role("alert"), g.Text(msg))
}

// Notice is a short confirmation shown after a redirect ("已保存").
func Notice(msg string) g.Node {
	if msg == "" {
		return nil
	}
	return h.Div(h.Class("notice"), h.Role("status"), g.Text(msg))
}

// EmptyState says plainly that a list has nothing in it.
func EmptyState(msg string) g.Node {
	return h.P(h.Class("empty"), g.Text(msg))
}

// Ring is a progress ring: done of target, drawn in SVG without script.
// The field app updates the same markup through its data attributes.
func Ring(id, label string, done, target int) g.Node {
	const r = 42.0
	circ := 2 * math.Pi * r
	frac := 0.0
	if target > 0 {
		frac = math.Min(float64(done)/float64(target), 1)
	}
	return h.Figure(c.Classes{"ring": true, "met": target > 0 && done >= target}, h.ID(id),
		g.Attr("data-done", fmt.Sprint(done)), g.Attr("data-target", fmt.Sprint(target)),
		g.El("svg", g.Attr("viewBox", "0 0 100 100"), g.Attr("aria-hidden", "true"),
			g.El("circle", g.Attr("class", "track"), g.Attr("cx", "50"), g.Attr("cy", "50"), g.Attr("r", fmt.Sprint(r))),
			g.El("circle", g.Attr("class", "bar"), g.Attr("cx", "50"), g.Attr("cy", "50"), g.Attr("r", fmt.Sprint(r)),
				g.Attr("stroke-dasharray", fmt.Sprintf("%.2f %.2f", circ*frac, circ))),
		),
		h.FigCaption(
			h.Strong(h.Class("ring-count"), g.Textf("%d", done), h.Small(g.Textf("/%d", target))),
			h.Span(g.Text(label)),
		),
	)
}
