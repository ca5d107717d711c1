package pwa

import (
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
)

// Pager is a list's "上一页 · 第 p / n 页 · 下一页" for a page of limit items
// starting at offset, of total; link is the URL of the page at an offset.
// A list that fits one page has no pager.
func Pager(offset, limit, total int, link func(offset int) string) g.Node {
	if limit <= 0 || total <= limit {
		return nil
	}
	return h.Nav(h.Class("pager no-print"), g.Attr("aria-label", i18n.T("household.pages")),
		g.If(offset > 0, h.A(h.Class("button"), h.Href(link(max(offset-limit, 0))), g.Attr("rel", "prev"), g.Text(i18n.T("household.prev")))),
		h.Span(h.Class("muted"), g.Text(i18n.T("household.page_of", offset/limit+1, (total+limit-1)/limit))),
		g.If(offset+limit < total, h.A(h.Class("button"), h.Href(link(offset+limit)), g.Attr("rel", "next"), g.Text(i18n.T("household.next")))),
	)
}
