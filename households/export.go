package households

import (
	"context"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"
	g "maragu.dev/gomponents"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

type exporter interface {
	SearchAll(ctx context.Context, o *station.Officer, q Query) ([]*Household, error)
	Places(ctx context.Context, o *station.Officer) ([]Community, error)
}

// HandleExport serves /households.xlsx: the households a search lists (the
// same filters as the page's URL), as a workbook, streamed row by row.
func HandleExport(reg exporter, env Env) pwa.Handler {
	return func(c echo.Context) (g.Node, error) {
		ctx := c.Request().Context()
		o := station.OfficerFrom(ctx)
		q, err := env.query(c)
		if err != nil {
			return nil, err
		}
		hs, err := reg.SearchAll(ctx, o, q)
		if err != nil {
			return nil, err
		}
		places, err := reg.Places(ctx, o)
		if err != nil {
			return nil, err
		}
		officers, err := env.Officers()
		if err != nil {
			return nil, station.Internal(err, "officer names")
		}
		name := i18n.T("household.xlsx.title") + "-" + time.Now().In(env.Settings().Location()).Format("2006-01-02") + ".xlsx"
		return nil, WriteXLSX(pwa.XLSX(c, "households.xlsx", name), hs, NamesOf(places), officers, env.Settings().Location())
	}
}

// WriteXLSX writes households as one sheet with Chinese headers, full dates
// and widths a clerk can read, streamed (excelize's StreamWriter keeps
// memory flat for a hundred thousand rows).
func WriteXLSX(w interface{ Write([]byte) (int, error) }, hs []*Household, names Names, officers map[string]string, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range []float64{36, 10, 30, 14, 12, 24, 6, 18, 10, 10} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	// The stream writer takes panes only before the first row.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}}})
	header := []any{}
	for _, k := range []string{"address", "head", "phones", "community", "grid", "tags", "residents", "last", "last_by", "wechat"} {
		header = append(header, excelize.Cell{StyleID: head, Value: i18n.T("household.xlsx." + k)})
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 20}); err != nil {
		return err
	}
	for i, hh := range hs {
		last := ""
		if !hh.LastVisitedAt.IsZero() {
			last = hh.LastVisitedAt.In(loc).Format("2006-01-02 15:04")
		}
		row := []any{hh.Address, hh.HeadName, strings.Join(hh.PhonesDisplay, "、"), names[hh.Community], names[hh.Grid],
			strings.Join(hh.Tags, "、"), hh.Residents, last, officers[hh.LastVisitedBy], officers[hh.WeChatContact]}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
