package people

import (
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/text/width"

	"zoufang/station"
)

// Collection is the auth collection of officers.
const Collection = "officers"

var badgeRe = regexp.MustCompile(`^[0-9A-Z]{3,20}$`)

// NormalizeBadge is a 警号 in the form it is stored and looked up by:
// trimmed, half-width, upper case ("ab１２3" is "AB123").
func NormalizeBadge(s string) string {
	return strings.ToUpper(width.Narrow.String(strings.TrimSpace(s)))
}

// BindHooks makes an officer's rules hold whoever writes the record (the
// people pages, a superuser in the admin UI or through REST), and makes a
// handovers record perform its handover, with what movers hold.
func BindHooks(app core.App, movers []Mover) {
	app.OnRecordCreate(Collection).BindFunc(onSave)
	app.OnRecordUpdate(Collection).BindFunc(onSave)
	bindHandover(app, movers)
}

func onSave(e *core.RecordEvent) error {
	// A handover may take an officer's last community.
	handing, _ := e.Context.Value(handingOver{}).(bool)
	if err := checkOfficer(e.App, e.Record, handing); err != nil {
		return err
	}
	return e.Next()
}

// Check normalises an officer record in place and returns every problem as
// field errors: the badge's form and uniqueness, the phone, a community
// for a community officer.
func Check(app core.App, rec *core.Record) error { return checkOfficer(app, rec, false) }

func checkOfficer(app core.App, rec *core.Record, noAreaAllowed bool) error {
	p := station.Problems{}
	badge := NormalizeBadge(rec.GetString("badge"))
	rec.Set("badge", badge)
	switch {
	case badge == "":
		p.Add("badge", "required")
	case !badgeRe.MatchString(badge):
		p.Add("badge", "badge_format")
	default:
		other, err := app.FindFirstRecordByData(Collection, "badge", badge)
		if err == nil && other.Id != rec.Id {
			p.Add("badge", "badge_taken")
		}
	}
	if raw := strings.TrimSpace(rec.GetString("phone")); raw != "" {
		phone, code := station.NormalizePhone(raw)
		if code != "" {
			p.Add("phone", code, raw)
		} else {
			rec.Set("phone", phone)
		}
	}
	if rec.GetString("role") == station.RoleOfficer && len(rec.GetStringSlice("communities")) == 0 && !noAreaAllowed {
		p.Add("communities", "no_community")
	}
	return p.Err()
}
