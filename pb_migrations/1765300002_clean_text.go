package pb_migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"zoufang/station"
)

// Text stored before control characters and bidi overrides were stripped
// at the edge is cleaned once, in place (station.CleanText). Rows are
// found in SQL and rewritten without hooks: only the characters change.
func init() {
	m.Register(CleanStoredText, nil)
}

// CleanStoredText cleans every text field of zoufang's collections in
// place.
func CleanStoredText(app core.App) error {
	{
		var chars []string
		for r := 1; r < 0x20; r++ {
			chars = append(chars, fmt.Sprintf("char(%d)", r))
		}
		for _, r := range []int{0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
			0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
			0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069} {
			chars = append(chars, fmt.Sprintf("char(%d)", r))
		}
		colls, err := app.FindAllCollections(core.CollectionTypeBase, core.CollectionTypeAuth)
		if err != nil {
			return err
		}
		for _, c := range colls {
			if c.System {
				continue
			}
			for _, f := range c.Fields {
				if _, ok := f.(*core.TextField); !ok || f.GetSystem() {
					continue
				}
				col := f.GetName()
				var terms []string
				for _, ch := range chars {
					terms = append(terms, "instr([["+col+"]], "+ch+") > 0")
				}
				var rows []struct {
					ID    string `db:"id"`
					Value string `db:"value"`
				}
				err := app.DB().Select("id", "[["+col+"]] AS value").From(c.Name).Where(dbx.NewExp(strings.Join(terms, " OR "))).All(&rows)
				if err != nil {
					return fmt.Errorf("find %s.%s to clean: %w", c.Name, col, err)
				}
				for _, r := range rows {
					v := station.CleanText(r.Value, station.MultiLineFields[col])
					if _, err := app.DB().Update(c.Name, dbx.Params{col: v}, dbx.HashExp{"id": r.ID}).Execute(); err != nil {
						return fmt.Errorf("clean %s.%s: %w", c.Name, col, err)
					}
				}
			}
		}
		return nil
	}
}
