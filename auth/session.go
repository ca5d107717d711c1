// Package auth signs officers in and out and turns the session cookie into
// the signed-in officer on every request.
package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/spf13/cast"

	"zoufang/i18n"
	"zoufang/people"
	"zoufang/station"
)

// CookieName holds the officer's PocketBase auth token.
const CookieName = "zf_session"

// Collection is the auth collection officers sign in to.
const Collection = "officers"

// renewBefore: a session with less than this left is renewed on the next
// request, so an officer who opens the app weekly never meets the sign-in
// page.
const renewBefore = 20 * 24 * time.Hour

// Sessions issues and reads session cookies.
type Sessions struct {
	App core.App
	// Secure marks cookies Secure even when the request looks like plain
	// HTTP. Requests that arrived over HTTPS (directly, or as the proxy's
	// X-Forwarded-Proto says) always get Secure cookies.
	Secure bool
	// Log receives what goes wrong renewing a session.
	Log *slog.Logger
}

// Officer returns the officer of a valid session token, or nil.
func (s *Sessions) Officer(token string) (*core.Record, *station.Officer) {
	if token == "" {
		return nil, nil
	}
	rec, err := s.App.FindAuthRecordByToken(token, core.TokenTypeAuth)
	if err != nil || rec.Collection().Name != Collection || !rec.GetBool("active") || isRevoked(s.App, token) {
		return nil, nil
	}
	o := station.OfficerFromRecord(rec)
	o.Session = sessionID(token)
	areas, err := people.FormerAreas(s.App, rec.Id)
	if err != nil && s.Log != nil {
		s.Log.Error("former areas", "officer", rec.Id, "err", err)
	}
	o.FormerAreas = areas
	return rec, o
}

// sessionID names a session without keeping its token.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:8])
}

// Start issues a fresh token for rec and sets it as the session cookie.
func (s *Sessions) Start(c echo.Context, rec *core.Record) error {
	token, err := newSessionToken(rec)
	if err != nil {
		return station.Internal(err, "issue auth token")
	}
	c.SetCookie(s.cookie(c, token, int(rec.Collection().AuthToken.Duration)))
	return nil
}

// End clears the session cookie. (The token itself is revoked by the
// sign-out, see Revoke; "sign out everywhere" rotates the token key.)
func (s *Sessions) End(c echo.Context) {
	c.SetCookie(s.cookie(c, "", -1))
}

func (s *Sessions) cookie(c echo.Context, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.Secure || c.Scheme() == "https",
		SameSite: http.SameSiteLaxMode,
	}
}

// Middleware resolves the session cookie into the signed-in officer (put on
// the request context) and renews a session nearing its end. It never
// refuses a request: RequireOfficer does that where needed.
func (s *Sessions) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(CookieName)
		if err != nil {
			return next(c)
		}
		rec, o := s.Officer(ck.Value)
		if o == nil {
			s.End(c) // a stale cookie is dropped, not kept around
			return next(c)
		}
		if claims, err := security.ParseUnverifiedJWT(ck.Value); err == nil {
			exp := time.Unix(cast.ToInt64(claims["exp"]), 0)
			if time.Until(exp) < renewBefore {
				if err := s.Start(c, rec); err != nil && s.Log != nil {
					// The old session still holds; the next request tries again.
					s.Log.Error("renew session", "officer", rec.Id, "err", err)
				}
			}
		}
		r := c.Request()
		c.SetRequest(r.WithContext(station.WithOfficer(r.Context(), o)))
		return next(c)
	}
}

// RequireOfficer refuses requests without a signed-in officer: a page
// request is sent to /login (by the error handler), an API call gets 401.
func RequireOfficer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if station.OfficerFrom(c.Request().Context()) == nil {
			return &station.Error{Code: station.EUnauthorized, Message: i18n.T("error.unauthorized")}
		}
		return next(c)
	}
}

// RequireChief refuses everyone but a deputy chief.
func RequireChief(next echo.HandlerFunc) echo.HandlerFunc {
	return RequireOfficer(func(c echo.Context) error {
		if !station.OfficerFrom(c.Request().Context()).IsChief() {
			return &station.Error{Code: station.EForbidden, Message: i18n.T("error.chief_only")}
		}
		return next(c)
	})
}

// newSessionToken is PocketBase's auth token for rec (the same claims and
// key, so FindAuthRecordByToken and the REST API accept it) with two
// differences: a random session id, so that two sign-ins in the same
// second get different tokens and revoking one (Revoke) leaves the other,
// and not refreshable, so PocketBase's auth-refresh would not extend it
// even if it were opened to officers again.
func newSessionToken(rec *core.Record) (string, error) {
	key := rec.TokenKey() + rec.Collection().AuthToken.Secret
	if !rec.Collection().IsAuth() || key == "" {
		return "", fmt.Errorf("no signing key for %s", rec.Collection().Name)
	}
	return security.NewJWT(map[string]any{
		core.TokenClaimType:         core.TokenTypeAuth,
		core.TokenClaimId:           rec.Id,
		core.TokenClaimCollectionId: rec.Collection().Id,
		core.TokenClaimRefreshable:  false,
		"sid":                       security.RandomString(16),
	}, key, rec.Collection().AuthToken.DurationTime())
}
