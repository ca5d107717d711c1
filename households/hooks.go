package households

import (
	"encoding/json"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// phoneIndexTable maps each active household's phone numbers to it.
const phoneIndexTable = "household_phones"

// BindHooks keeps the phone index in step with every save of a household,
// whoever saves it (the store, an import, a superuser in the admin UI), in
// the same transaction.
func BindHooks(app core.App) {
	reindex := func(e *core.RecordEvent) error {
		// Most saves (a visit moving last_visited_at) leave the phones and
		// the archive flag alone: then the index stands as it is.
		orig := e.Record.Original()
		same := !e.Record.IsNew() && orig.GetBool("archived") == e.Record.GetBool("archived") &&
			string(jsonRaw(orig.GetRaw("phones"))) == string(jsonRaw(e.Record.GetRaw("phones")))
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := e.Next(); err != nil || same {
				return err
			}
			return indexPhones(tx, e.Record)
		})
	}
	app.OnRecordCreateExecute(Collection).BindFunc(reindex)
	app.OnRecordUpdateExecute(Collection).BindFunc(reindex)
	app.OnRecordDeleteExecute(Collection).BindFunc(func(e *core.RecordEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := e.Next(); err != nil {
				return err
			}
			_, err := tx.DB().Delete(phoneIndexTable, dbx.HashExp{"household": e.Record.Id}).Execute()
			return err
		})
	})
}

// jsonRaw is a JSON field's stored form, however it was set.
func jsonRaw(v any) types.JSONRaw {
	switch x := v.(type) {
	case types.JSONRaw:
		return x
	case nil:
		return nil
	default:
		b, _ := json.Marshal(x)
		return b
	}
}

func indexPhones(tx core.App, rec *core.Record) error {
	if _, err := tx.DB().Delete(phoneIndexTable, dbx.HashExp{"household": rec.Id}).Execute(); err != nil {
		return fmt.Errorf("clear phone index: %w", err)
	}
	if rec.GetBool("archived") {
		return nil // an archived household blocks no one
	}
	var phones []string
	_ = rec.UnmarshalJSONField("phones", &phones)
	for _, p := range phones {
		_, err := tx.DB().NewQuery("INSERT OR IGNORE INTO " + phoneIndexTable + " (phone, household) VALUES ({:p}, {:h})").
			Bind(dbx.Params{"p": p, "h": rec.Id}).Execute()
		if err != nil {
			return fmt.Errorf("index phone: %w", err)
		}
	}
	return nil
}
