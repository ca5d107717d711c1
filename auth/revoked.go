package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/spf13/cast"

	"zoufang/station"
)

// RevokedTable lists sessions signed out one by one (a plain sign-out on
// one device): PocketBase's tokens are not stored, so without it the token
// of a signed-out session would open the app and the REST API until it
// expired. Rows go when their token would have expired anyway.
const RevokedTable = "revoked_sessions"

// Revoke records that token is signed out.
func (s *Sessions) Revoke(token string) error {
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		return nil // no token of ours: nothing it could open
	}
	exp := time.Unix(cast.ToInt64(claims["exp"]), 0)
	_, err = s.App.DB().NewQuery("INSERT OR IGNORE INTO " + RevokedTable + " (session, expires) VALUES ({:s}, {:e})").
		Bind(dbx.Params{"s": sessionID(token), "e": station.DBTime(exp)}).Execute()
	if err != nil {
		return station.Internal(err, "revoke session")
	}
	return nil
}

// isRevoked reports whether token's session was signed out. A failed
// look-up counts as revoked: a session must not outlive its sign-out
// because the database hiccupped.
func isRevoked(app core.App, token string) bool {
	var n int
	err := app.DB().NewQuery("SELECT COUNT(*) FROM " + RevokedTable + " WHERE session = {:s}").
		Bind(dbx.Params{"s": sessionID(token)}).Row(&n)
	return err != nil || n > 0
}

// PurgeRevoked forgets revoked sessions whose tokens have expired.
func PurgeRevoked(app core.App, now time.Time) (int, error) {
	res, err := app.DB().Delete(RevokedTable, dbx.NewExp("expires < {:now}", dbx.Params{"now": station.DBTime(now)})).Execute()
	if err != nil {
		return 0, fmt.Errorf("purge revoked sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// restToken is the token a REST request carries, as PocketBase reads it.
func restToken(e *core.RequestEvent) string {
	return strings.TrimPrefix(e.Request.Header.Get("Authorization"), "Bearer ")
}
