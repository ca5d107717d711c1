package visits

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// The QR token book (DESIGN §7): each device keeps a few pre-issued tokens so
// that a resident can confirm a visit even when the officer is offline.
const (
	TokenCollection = "visit_tokens"
	// TokenTTL is how long an issued token may be used for a visit and its
	// confirmation.
	TokenTTL = 30 * 24 * time.Hour
)

// Token is one page of the token book, as the device receives it. The
// secret leaves the server only here, once.
type Token struct {
	VisitID   string    `json:"visit_id"`
	Secret    string    `json:"secret"`
	URL       string    `json:"url"`
	QRSVG     string    `json:"qr_svg"`
	ExpiresAt time.Time `json:"expires_at"`
}

// HashSecret is what the server keeps of a secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SecretMatches compares a presented secret with a stored hash in constant
// time.
func SecretMatches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(hash)) == 1
}

// TokenMargin: a token this close to expiring is not handed out (the
// resident may scan it days later); it stays for the visits that used it.
const TokenMargin = 7 * 24 * time.Hour

// maxDevicesPerOfficer bounds how many books one officer may hold at once
// (a phone, a spare, a tablet …), so that a client inventing device ids
// cannot mint tokens without end.
const maxDevicesPerOfficer = 6

// DevicePattern is the shape of a device id (the field app mints it like
// a record id).
var DevicePattern = regexp.MustCompile(`^[a-z0-9]{15}$`)

// Holding is what a device says of its token book: the ids of every token
// it holds (used on it or not), and how many of them it can still use.
type Holding struct {
	Device string   `json:"device"`
	Held   []string `json:"held"`
	Usable int      `json:"usable"`
}

// TokenBook issues and revokes the QR tokens of officers' devices.
type TokenBook struct {
	app core.App
}

// NewTokenBook returns the token book of app.
func NewTokenBook(app core.App) *TokenBook { return &TokenBook{app: app} }

// Issue fills a device's book to size, in one transaction (two refills
// racing are serialised by the write lock: the second finds the book full).
// The server's own count decides: tokens issued to the device that it no
// longer holds (an answer lost on the way, a wiped phone) are revoked, and
// the device gets size minus the tokens it holds that are still unused and
// not about to expire. The client's Usable can only lower that figure.
func (b *TokenBook) Issue(ctx context.Context, o *station.Officer, hold Holding, size int, baseURL string, now time.Time) ([]Token, error) {
	if !DevicePattern.MatchString(hold.Device) {
		p := station.Problems{}
		p.Add("device", "id_format")
		return nil, p.Err()
	}
	coll, err := b.app.FindCachedCollectionByNameOrId(TokenCollection)
	if err != nil {
		return nil, station.Internal(err, "tokens collection")
	}
	out := []Token{}
	err = b.app.RunInTransaction(func(tx core.App) error {
		var rows []struct {
			ID      string `db:"id"`
			Device  string `db:"device"`
			Expires string `db:"expires_at"`
		}
		err := tx.DB().Select("t.id", "t.device", "t.expires_at").From(TokenCollection+" t").
			LeftJoin(Collection+" v", dbx.NewExp("v.id = t.id")).
			Where(dbx.NewExp("t.officer = {:o} AND t.expires_at > {:now} AND v.id IS NULL", dbx.Params{"o": o.ID, "now": station.DBTime(now)})).
			WithContext(ctx).All(&rows)
		if err != nil {
			return fmt.Errorf("unused tokens: %w", err)
		}
		held := map[string]bool{}
		for _, id := range hold.Held {
			held[id] = true
		}
		margin := station.DBTime(now.Add(TokenMargin))
		var orphans []any
		kept, elsewhere := 0, 0
		for _, r := range rows {
			switch {
			case r.Device != hold.Device:
				elsewhere++
			case !held[r.ID]:
				orphans = append(orphans, r.ID)
			case r.Expires > margin:
				kept++
			}
		}
		if len(orphans) > 0 {
			if _, err := tx.DB().Delete(TokenCollection, dbx.In("id", orphans...)).WithContext(ctx).Execute(); err != nil {
				return fmt.Errorf("revoke orphaned tokens: %w", err)
			}
		}
		want := size - min(kept, max(hold.Usable, 0))
		want = min(want, maxDevicesPerOfficer*size-elsewhere-kept)
		for range max(want, 0) {
			secret, err := randomSecret()
			if err != nil {
				return err
			}
			rec := core.NewRecord(coll)
			rec.Id = core.GenerateDefaultRandomId()
			rec.Set("officer", o.ID)
			rec.Set("device", hold.Device)
			rec.Set("secret_hash", HashSecret(secret))
			rec.Set("issued_at", now)
			rec.Set("expires_at", now.Add(TokenTTL))
			if err := tx.SaveWithContext(ctx, rec); err != nil {
				return err
			}
			url := ConfirmURL(baseURL, rec.Id, secret)
			svg, err := pwa.QRSVG(url)
			if err != nil {
				return err
			}
			out = append(out, Token{VisitID: rec.Id, Secret: secret, URL: url, QRSVG: svg, ExpiresAt: now.Add(TokenTTL).UTC()})
		}
		return nil
	})
	if err != nil {
		return nil, station.Internal(err, "issue tokens")
	}
	return out, nil
}

// Revoke deletes the unused tokens of an officer's device, or of all their
// devices when device is "" (signed out everywhere, deactivated): a wiped
// or lost phone leaves no live QR codes behind, and its book no longer
// counts against the officer's.
func (b *TokenBook) Revoke(ctx context.Context, officerID, device string) (int, error) {
	where := dbx.NewExp("officer = {:o} AND id NOT IN (SELECT id FROM "+Collection+")", dbx.Params{"o": officerID})
	if device != "" {
		where = dbx.And(where, dbx.HashExp{"device": device})
	}
	res, err := b.app.DB().Delete(TokenCollection, where).WithContext(ctx).Execute()
	if err != nil {
		return 0, station.Internal(err, "revoke tokens")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func randomSecret() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ConfirmURL is the address a resident's phone opens from the QR code.
func ConfirmURL(baseURL, visitID, secret string) string {
	return strings.TrimSuffix(baseURL, "/") + "/c/" + visitID + "." + secret
}

// BaseURL is the address residents' phones open QR and watch links at:
// the station's public address (the settings page, or serve's
// --public-url), or, while none is set, the address the officer's own
// browser reached this request at. That fallback is safe enough for the
// links of a signed-in officer's request (a browser sends the Host it
// connected to, and another site cannot make it send the officer's cookie
// with a Host of its choosing), and the scheme is the request's only when
// the trusted proxy says so; the settings page asks for the address until
// it is set (docs/security.md).
func BaseURL(c echo.Context, st station.Settings) string {
	if st.PublicURL != "" {
		return st.PublicURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

type tokenIssuer interface {
	Issue(ctx context.Context, o *station.Officer, hold Holding, size int, baseURL string, now time.Time) ([]Token, error)
}

// HandleTokens serves POST /sync/tokens {"device", "held", "usable"}: new
// pages for the device's token book.
func HandleTokens(book tokenIssuer, settings func() station.Settings) func(c echo.Context) (any, error) {
	return func(c echo.Context) (any, error) {
		o := station.OfficerFrom(c.Request().Context())
		var hold Holding
		if err := json.NewDecoder(io.LimitReader(c.Request().Body, 64<<10)).Decode(&hold); err != nil {
			return nil, &station.Error{Code: station.EInvalid, Message: i18n.T("error.bad_request"), Err: err}
		}
		toks, err := book.Issue(c.Request().Context(), o, hold, settings().TokenBookSize, BaseURL(c, settings()), time.Now())
		if err != nil {
			return nil, err
		}
		return map[string]any{"tokens": toks}, nil
	}
}
