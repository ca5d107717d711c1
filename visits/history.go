package visits

import (
	"context"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// HistoryLimit is how many visits a household page lists.
const HistoryLimit = 200

// History renders a household's visit history for its page.
func History(store *Store, env households.Env) households.HistoryFunc {
	return func(ctx context.Context, o *station.Officer, hh *households.Household) (g.Node, error) {
		vs, err := store.ForHousehold(ctx, hh.ID, HistoryLimit)
		if err != nil {
			return nil, err
		}
		officers, err := env.Officers()
		if err != nil {
			return nil, station.Internal(err, "officer names")
		}
		return h.Section(h.Class("card"),
			h.H2(g.Text(i18n.T("household.history"))),
			HistoryList(vs, officers, env.Settings().Location(), time.Now(), o),
		), nil
	}
}

// HistoryList is a list of visits, newest first.
func HistoryList(vs []*Visit, officers map[string]string, loc *time.Location, now time.Time, o *station.Officer) g.Node {
	if len(vs) == 0 {
		return pwa.EmptyState(i18n.T("visit.none_yet"))
	}
	return h.Ul(h.Class("list"), g.Map(vs, func(v *Visit) g.Node {
		return h.Li(h.Div(h.Class("item"),
			h.Div(h.Class("spread"),
				h.Span(h.Class("title"), g.Text(pwa.DateTime(v.VisitedAt, loc)+" · "+i18n.T("kind."+v.Kind))),
				outcomeTag(v.Outcome),
			),
			h.Div(h.Class("meta"),
				g.Text(officers[v.Officer]),
				g.If(v.WeChatAdded, h.Span(h.Class("tag ok"), g.Text(i18n.T("visit.wechat_added")))),
				g.If(v.ResidentAnswer == AnswerConfirmed, h.Span(h.Class("tag ok"), g.Text(AnswerText(v)))),
				g.If(v.ResidentAnswer == AnswerDenied, h.Span(h.Class("tag bad"), g.Text(AnswerText(v)))),
				g.Map(v.Concerns, func(cn string) g.Node { return h.Span(h.Class("tag warn"), g.Text(cn)) }),
			),
			g.If(v.Notes != "", h.P(g.Text(v.Notes))),
			g.If(v.Officer == o.ID && v.Editable(now), h.A(h.Class("small"), h.Href("/visits/"+v.ID), g.Text(i18n.T("visit.edit")))),
		))
	}))
}

func outcomeTag(outcome string) g.Node {
	cls := "tag ok"
	switch outcome {
	case OutcomeNotHome:
		cls = "tag"
	case OutcomeRefused:
		cls = "tag bad"
	}
	return h.Span(h.Class(cls), g.Text(i18n.T("outcome."+outcome)))
}
