package households

import (
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/i18n"
	"zoufang/ratelimit"
	"zoufang/station"
)

// Probing (docs/security.md): "this phone is registered in another
// officer's area" is an answer about a household the officer may not see.
// One now and then is the registry doing its job (a landlord's number on
// flats in two communities); a push of a thousand made-up numbers would
// map which phones are registered elsewhere. So an officer hears it at
// most ElsewherePerHour times an hour; each is logged; past the limit
// every household write of theirs that brings a new phone is refused for
// the rest of the hour, whatever the phone, so the refusal itself tells
// nothing.
const (
	ElsewherePerHour = 10
	elsewhereWindow  = time.Hour
)

// elsewhere counts, per officer, the duplicates found in other areas. It
// lives as long as the process: a restart forgets the counts, which only
// gives a prober one more hour's allowance.
var elsewhere = ratelimit.New(ElsewherePerHour, elsewhereWindow)

// noteElsewhere counts and logs one "registered elsewhere" answer to o.
func noteElsewhere(app core.App, o *station.Officer, d *Duplicate) {
	elsewhere.Hit(o.ID)
	app.Logger().Warn("household write: a phone or door is registered in another officer's area",
		"officer", o.ID, "badge", o.Badge, "by", d.By, "registered_household", d.Of.ID, "limit_reached", elsewhere.Blocked(o.ID))
}

// probeBlocked refuses a household write that brings phones the household
// does not hold yet, while o is over the limit.
func probeBlocked(o *station.Officer, phones, had []string) error {
	if o.IsChief() || !elsewhere.Blocked(o.ID) {
		return nil
	}
	for _, p := range phones {
		if !slices.Contains(had, p) {
			mins := int(elsewhere.RetryAfter(o.ID).Minutes()) + 1
			return &station.Error{Code: station.ETooMany, Message: i18n.T("household.probe_limit", mins)}
		}
	}
	return nil
}
