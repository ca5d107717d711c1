package app

import (
	"context"
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/auth"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/people"
	"zoufang/replica"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

// bindRecordHooks registers the hooks that keep the data model's promises
// whoever writes (DESIGN §3): each feature's own rules, the sync stamp on
// replicated collections, the settings cache and the live channel.
func bindRecordHooks(app core.App, s *Server) {
	station.BindCleanText(app)
	auth.BindHooks(app)
	households.BindHooks(app)
	visits.BindHooks(app)
	watches.BindHooks(app)
	people.BindHooks(app, s.movers())
	patrols.BindHooks(app, s.Settings)
	mediation.BindHooks(app)
	replica.BindStamp(app)

	app.OnRecordAfterCreateSuccess("settings").BindFunc(func(e *core.RecordEvent) error {
		s.reloadSettingsOrLog()
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess("settings").BindFunc(func(e *core.RecordEvent) error {
		s.reloadSettingsOrLog()
		if s.Hub != nil {
			s.Hub.BoardChanged()
		}
		return e.Next()
	})

	// The live channel hears of every committed change, whoever made it (a
	// push, an office edit, an import, the admin UI).
	live := func(e *core.RecordEvent) error {
		if s.Hub != nil {
			s.announce(e.App, e.Record)
		}
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(watches.AlertCollection).BindFunc(func(e *core.RecordEvent) error {
		if s.Hub != nil && s.Watches != nil {
			a, err := s.Watches.AlertByID(context.Background(), e.Record.Id)
			if err != nil {
				s.Log.Error("load watch alert", "alert", e.Record.Id, "err", err)
			} else if a != nil {
				s.Hub.Alert(a.Message())
			}
		}
		return e.Next()
	})
	app.OnRecordAfterCreateSuccess(replica.Collections()...).BindFunc(live)
	app.OnRecordAfterUpdateSuccess(replica.Collections()...).BindFunc(live)
	app.OnRecordUpdateExecute("officers").BindFunc(func(e *core.RecordEvent) error {
		// Judged before the save: afterwards Original is the new state. A
		// new role or area also ends open sockets, which hold the old one.
		orig := e.Record.Original()
		signedOut := e.Record.TokenKey() != orig.TokenKey() || !e.Record.GetBool("active")
		revoked := signedOut || e.Record.GetString("role") != orig.GetString("role") ||
			!slices.Equal(e.Record.GetStringSlice("communities"), orig.GetStringSlice("communities"))
		if err := e.Next(); err != nil {
			return err
		}
		if signedOut && s.Tokens != nil {
			// Signed out everywhere, or deactivated: no device keeps live
			// QR codes.
			if _, err := s.Tokens.Revoke(context.Background(), e.Record.Id, ""); err != nil {
				return err
			}
		}
		if revoked && s.Hub != nil {
			s.Hub.DropOfficer(e.Record.Id)
		}
		return nil
	})
}

// announce tells the live channel which community's records changed.
func (s *Server) announce(app core.App, r *core.Record) {
	switch r.Collection().Name {
	case households.Collection:
		s.communities.Store(r.Id, r.GetString("community"))
		s.Hub.CollectionChanged(r.GetString("community"), households.Collection)
	case visits.Collection:
		s.Hub.VisitsChanged(r.GetString("officer"))
		if c := s.communityOf(app, r.GetString("household")); c != "" {
			s.Hub.CollectionChanged(c, visits.Collection)
		}
	case watches.Collection:
		if c := s.communityOf(app, r.GetString("household")); c != "" {
			s.Hub.CollectionChanged(c, watches.Collection)
		}
	case mediation.Collection:
		s.Hub.OwnChanged(r.GetString("officer"), mediation.Collection)
		if o := r.Original().GetString("officer"); o != "" && o != r.GetString("officer") {
			s.Hub.OwnChanged(o, mediation.Collection) // handed over
		}
	default: // the patrols' collections carry their community
		if c := r.GetString("community"); c != "" {
			s.Hub.CollectionChanged(c, r.Collection().Name)
		}
	}
}

// communityOf is a household's community, remembered: a push of a thousand
// visits should not look a household up a thousand times just to say who
// should pull.
func (s *Server) communityOf(app core.App, household string) string {
	if c, ok := s.communities.Load(household); ok {
		return c.(string)
	}
	h, err := app.FindRecordById(households.Collection, household)
	if err != nil {
		return ""
	}
	c := h.GetString("community")
	s.communities.Store(household, c)
	return c
}
