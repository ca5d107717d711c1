package auth

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase/core"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/people"
	"zoufang/pwa"
	"zoufang/ratelimit"
	"zoufang/station"
)

// Sign-in limits: an identity may fail 10 times in 15 minutes; a client may
// try 60 times a minute. No honest officer meets either.
const (
	FailuresPerIdentity = 10
	FailureWindow       = 15 * time.Minute
)

// Login holds what the sign-in handlers need.
type Login struct {
	Sessions *Sessions
	Layout   pwa.Layout
	// Failures counts failed sign-ins per identity.
	Failures *ratelimit.Limiter
	// Tokens revokes the unused QR tokens of a device signing out.
	Tokens tokenRevoker
}

type tokenRevoker interface {
	Revoke(ctx context.Context, officerID, device string) (int, error)
}

// NewLogin returns the sign-in handlers with the standard failure limit.
func NewLogin(s *Sessions, layout pwa.Layout, tokens tokenRevoker) *Login {
	return &Login{Sessions: s, Layout: layout, Failures: ratelimit.New(FailuresPerIdentity, FailureWindow), Tokens: tokens}
}

// LoginForm is what the sign-in form carries.
type LoginForm struct {
	Identity string
	Password string
	Next     string
}

// HandleForm shows the sign-in page (or moves a signed-in officer on).
func (l *Login) HandleForm(c echo.Context) error {
	next := pwa.SafeNext(c.QueryParam("next"))
	if station.OfficerFrom(c.Request().Context()) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return pwa.RenderOK(c, LoginPage(l.Layout, LoginForm{Next: next}, nil))
}

// HandleSubmit checks the badge or email and password and starts a session.
func (l *Login) HandleSubmit(c echo.Context) error {
	f := LoginForm{
		Identity: strings.TrimSpace(c.FormValue("identity")),
		Password: c.FormValue("password"),
		Next:     pwa.SafeNext(c.FormValue("next")),
	}
	p := station.Problems{}
	if f.Identity == "" {
		p.Add("identity", "required")
	}
	if f.Password == "" {
		p.Add("password", "required")
	}
	if err := p.Err(); err != nil {
		return pwa.Render(c, http.StatusUnprocessableEntity, LoginPage(l.Layout, f, err))
	}

	key := strings.ToLower(f.Identity)
	if l.Failures.Blocked(key) {
		err := ratelimit.TooMany(c, l.Failures.RetryAfter(key))
		return pwa.Render(c, http.StatusTooManyRequests, LoginPage(l.Layout, f, err))
	}
	rec := l.find(f.Identity)
	if rec == nil || !rec.ValidatePassword(f.Password) || !rec.GetBool("active") {
		l.Failures.Hit(key)
		err := station.Errorf(station.EUnauthorized, "%s", i18n.T("login.wrong"))
		f.Password = ""
		return pwa.Render(c, http.StatusUnauthorized, LoginPage(l.Layout, f, err))
	}
	l.Failures.Reset(key)
	if err := l.Sessions.Start(c, rec); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, f.Next)
}

// find looks an officer up by badge (警号) or email.
func (l *Login) find(identity string) *core.Record {
	app := l.Sessions.App
	if strings.Contains(identity, "@") {
		rec, err := app.FindAuthRecordByEmail(Collection, identity)
		if err == nil {
			return rec
		}
		return nil
	}
	rec, err := app.FindFirstRecordByData(Collection, "badge", people.NormalizeBadge(identity))
	if err != nil {
		return nil
	}
	return rec
}

// HandleLogout ends the session and revokes the unused QR tokens of the
// device it names (the field app sends its device id), so a phone that is
// wiped or handed on leaves no live QR codes behind. With everywhere=1 it
// also rotates the officer's token key, which signs out every other device
// (and revokes every device's tokens, in the officers hook).
func (l *Login) HandleLogout(c echo.Context) error {
	ctx := c.Request().Context()
	if o := station.OfficerFrom(ctx); o != nil {
		if device := c.FormValue("device"); device != "" && l.Tokens != nil {
			if _, err := l.Tokens.Revoke(ctx, o.ID, device); err != nil {
				return err
			}
		}
		if c.FormValue("everywhere") == "1" {
			rec, err := l.Sessions.App.FindRecordById(Collection, o.ID)
			if err != nil {
				return station.Internal(err, "find officer")
			}
			rec.RefreshTokenKey()
			if err := l.Sessions.App.Save(rec); err != nil {
				return station.Internal(err, "rotate token key")
			}
		}
	}
	l.Sessions.End(c)
	return c.Redirect(http.StatusSeeOther, "/login")
}

// LoginPage is the sign-in form, with err's messages when it comes back.
func LoginPage(layout pwa.Layout, f LoginForm, err error) g.Node {
	errs := station.FieldsOf(err)
	return layout(pwa.Page{
		Title: i18n.T("login.title"),
		Body: []g.Node{h.Section(h.Class("card narrow login"),
			h.H1(g.Text(i18n.T("login.title"))),
			h.P(h.Class("lead"), g.Text(i18n.T("login.lead"))),
			pwa.ErrorSummary(err),
			h.Form(h.Method("post"), h.Action("/login"), g.Attr("novalidate"),
				h.Input(h.Type("hidden"), h.Name("next"), h.Value(f.Next)),
				pwa.Field(i18n.T("login.identity"), "identity", errs,
					pwa.Input("identity", f.Identity, errs, h.Type("text"), h.AutoComplete("username"), g.Attr("autocapitalize", "off"), h.Required(), h.AutoFocus())),
				pwa.Field(i18n.T("login.password"), "password", errs,
					pwa.Input("password", "", errs, h.Type("password"), h.AutoComplete("current-password"), h.Required())),
				h.Button(h.Type("submit"), h.Class("primary big"), g.Text(i18n.T("login.submit"))),
			),
		)},
	})
}
