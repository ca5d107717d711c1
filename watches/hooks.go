package watches

import (
	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// Collection is the PocketBase collection of holiday watches.
const Collection = "holiday_watches"

// BindHooks makes a watch's rules hold on every write path.
func BindHooks(app core.App) {
	app.OnRecordCreate(Collection).BindFunc(onSave)
	app.OnRecordUpdate(Collection).BindFunc(onSave)
}

func onSave(e *core.RecordEvent) error {
	p := station.Problems{}
	if raw := e.Record.GetString("contact_phone"); raw != "" {
		phone, code := station.NormalizePhone(raw)
		if code != "" {
			p.Add("contact_phone", code, raw)
		} else {
			e.Record.Set("contact_phone", phone)
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return e.Next()
}
