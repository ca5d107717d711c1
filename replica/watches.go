package replica

import (
	"context"
	"encoding/json"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/pwa"
	"zoufang/station"
	"zoufang/watches"
)

// applyWatch applies one pushed holiday watch (registered, edited or
// cancelled on the phone), idempotent by its client-minted id.
func applyWatch(ctx context.Context, tx core.App, o *station.Officer, raw json.RawMessage, baseURL string) Result {
	r := Result{Collection: watches.Collection}
	it, err := decodeItem(raw)
	if err != nil {
		r.Status = Invalid
		describe(&r, err)
		return r
	}
	r.ID = it.id()
	var in watches.Input
	p := station.Problems{}
	it.fields(p, map[string]any{
		"id": &in.ID, "household": &in.Household, "from": &in.From, "to": &in.To, "contact_name": &in.ContactName,
		"contact_phone": &in.ContactPhone, "key_holder": &in.KeyHolder, "interval_days": &in.IntervalDays, "camera": &in.Camera,
		"notes": &in.Notes, "status": &in.Status, "cancel_reason": &in.CancelReason, "secret": &in.Secret,
	})
	if in.ID == "" {
		p.Add("id", "id_format")
	}
	if err := p.Err(); err != nil {
		r.Status = Invalid
		describe(&r, err)
		return r
	}
	w, status, _, err := watches.Save(ctx, tx, o, in)
	switch {
	case err == nil && status == Created && in.Secret != "":
		// The phone minted the resident's link (it showed it at the door,
		// perhaps offline); the answer draws it as a QR, this once.
		link := baseURL + watches.SummaryPath(w.ID, in.Secret)
		svg, qerr := pwa.QRSVG(link)
		if qerr != nil {
			svg = ""
		}
		r.Status, r.Doc = status, createdWatch{HolidayWatch: w, SummaryURL: link, SummaryQR: svg}
	case err == nil:
		r.Status, r.Doc = status, w
	case station.ErrorCode(err) == station.EConflict:
		r.Status = Conflict
		if rec, ferr := tx.FindRecordById(watches.Collection, in.ID); ferr == nil {
			if st, serr := station.LoadSettings(tx); serr == nil {
				r.Doc = watches.WatchFromRecord(rec, st.Location())
			}
		}
	default:
		r.Status = Invalid
	}
	describe(&r, err)
	return r
}

// createdWatch is a new watch's answer with the resident's link.
type createdWatch struct {
	*watches.HolidayWatch
	SummaryURL string `json:"summary_url"`
	SummaryQR  string `json:"summary_qr"`
}
