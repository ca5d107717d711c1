package mediation

import (
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
)

// TodayCard lists, on the lead officer's Today, the follow-up visits (回访)
// due or overdue, from the disputes on the phone (js/screens/today.js);
// each opens the visit form as a follow-up of its case, offline too.
func TodayCard() g.Node {
	return h.Div(h.ID("followups-due"), h.Class("card"), h.Hidden("hidden"),
		h.H2(g.Text(i18n.T("js.followups_due"))),
		h.Ul(h.ID("followups-list"), h.Class("list")),
	)
}
