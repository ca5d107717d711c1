package auth

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"golang.org/x/crypto/bcrypt"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/i18n"
	"zoufang/people"
	"zoufang/pwa"
	"zoufang/ratelimit"
	"zoufang/station"
)

// Sign-in limits (DESIGN §4). Failures are counted per officer record,
// not per typed identity, so the badge and the email share one count. A
// client may fail 10 times per officer in 15 minutes: a stranger who
// guesses locks out only themself, and the officer on their own phone
// still signs in. An officer's failures from every client together are
// capped more slowly (100 an hour), which only a guesser spread over many
// clients reaches; that is logged. No honest officer meets either.
const (
	FailuresPerClient    = 10
	ClientFailureWindow  = 15 * time.Minute
	FailuresPerAccount   = 100
	AccountFailureWindow = time.Hour
)

// Login holds what the sign-in handlers need.
type Login struct {
	Sessions *Sessions
	Layout   pwa.Layout
	// ClientFailures counts failed sign-ins per client and officer;
	// AccountFailures per officer from every client. An attempt is
	// reserved in both before its password is checked, so parallel
	// attempts cannot slip past the count.
	ClientFailures  *ratelimit.Limiter
	AccountFailures *ratelimit.Limiter
	// Tokens revokes the unused QR tokens of a device signing out.
	Tokens tokenRevoker
	// Log hears of an account whose global limit tripped.
	Log *slog.Logger

	dummyOnce sync.Once
	dummy     []byte // a bcrypt hash checked when no officer matches
}

type tokenRevoker interface {
	Revoke(ctx context.Context, officerID, device string) (int, error)
}

// NewLogin returns the sign-in handlers with the standard failure limits.
func NewLogin(s *Sessions, layout pwa.Layout, tokens tokenRevoker) *Login {
	return &Login{
		Sessions: s, Layout: layout, Tokens: tokens, Log: s.Log,
		ClientFailures:  ratelimit.New(FailuresPerClient, ClientFailureWindow),
		AccountFailures: ratelimit.New(FailuresPerAccount, AccountFailureWindow),
	}
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

	rec := l.find(f.Identity)
	account := "?" + strings.ToLower(f.Identity) // no officer: the identity as typed
	if rec != nil {
		account = rec.Id
	}
	client := station.ClientIP(c.Request().Context())
	if client == "" {
		client = c.Request().RemoteAddr
	}
	perClient := client + "|" + account
	refuse := func(wait time.Duration) error {
		f.Password = ""
		return pwa.Render(c, http.StatusTooManyRequests, LoginPage(l.Layout, f, ratelimit.TooMany(c, wait)))
	}
	// Reserve the attempt in both counts before the password is checked;
	// a right password gives the reservation back.
	if !l.ClientFailures.Allow(perClient) {
		return refuse(l.ClientFailures.RetryAfter(perClient))
	}
	if !l.AccountFailures.Allow(account) {
		l.ClientFailures.Release(perClient)
		if l.Log != nil && rec != nil {
			l.Log.Warn("sign-in: an officer's failures from many clients reached the limit", "officer", rec.Id, "client", client)
		}
		return refuse(l.AccountFailures.RetryAfter(account))
	}
	if !l.passwordMatches(rec, f.Password) || !rec.GetBool("active") {
		err := station.Errorf(station.EUnauthorized, "%s", i18n.T("login.wrong"))
		f.Password = ""
		return pwa.Render(c, http.StatusUnauthorized, LoginPage(l.Layout, f, err))
	}
	l.ClientFailures.Reset(perClient)
	l.AccountFailures.Release(account)
	if err := l.Sessions.Start(c, rec); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, f.Next)
}

// passwordMatches checks password against rec's, or, when no officer
// matched, against a dummy hash of the same cost: a badge that does not
// exist must take as long to refuse as a wrong password (the timing
// would otherwise tell which badges exist).
func (l *Login) passwordMatches(rec *core.Record, password string) bool {
	if rec != nil {
		return rec.ValidatePassword(password)
	}
	l.dummyOnce.Do(func() {
		cost := bcrypt.DefaultCost
		if coll, err := l.Sessions.App.FindCachedCollectionByNameOrId(Collection); err == nil {
			if pf, ok := coll.Fields.GetByName(core.FieldNamePassword).(*core.PasswordField); ok && pf.Cost > 0 {
				cost = pf.Cost
			}
		}
		l.dummy, _ = bcrypt.GenerateFromPassword([]byte(security.RandomString(24)), cost)
	})
	_ = bcrypt.CompareHashAndPassword(l.dummy, []byte(password))
	return false
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
	// The token of this session opens nothing any more, here or in /api/.
	if ck, err := c.Cookie(CookieName); err == nil && ck.Value != "" {
		if err := l.Sessions.Revoke(ck.Value); err != nil {
			return err
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
