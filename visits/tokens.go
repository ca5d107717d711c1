package visits

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	qrcode "github.com/skip2/go-qrcode"

	"zoufang/i18n"
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

// IssueTokens fills the officer's book: it issues size-have new tokens,
// but never lets the officer hold more than twice the book's size unused,
// however often a device asks.
func IssueTokens(ctx context.Context, app core.App, o *station.Officer, have, size int, baseURL string, now time.Time) ([]Token, error) {
	want := size - max(have, 0)
	if want <= 0 {
		return []Token{}, nil
	}
	var unused int
	err := app.DB().Select("COUNT(*)").From(TokenCollection+" t").
		LeftJoin(Collection+" v", dbx.NewExp("v.id = t.id")).
		Where(dbx.NewExp("t.officer = {:o} AND t.expires_at > {:now} AND v.id IS NULL", dbx.Params{"o": o.ID, "now": dbTime(now)})).
		WithContext(ctx).Row(&unused)
	if err != nil {
		return nil, station.Internal(err, "count unused tokens")
	}
	want = min(want, 2*size-unused)
	if want <= 0 {
		return []Token{}, nil
	}
	coll, err := app.FindCachedCollectionByNameOrId(TokenCollection)
	if err != nil {
		return nil, station.Internal(err, "tokens collection")
	}
	out := make([]Token, 0, want)
	err = app.RunInTransaction(func(tx core.App) error {
		for range want {
			secret, err := randomSecret()
			if err != nil {
				return err
			}
			rec := core.NewRecord(coll)
			rec.Id = core.GenerateDefaultRandomId()
			rec.Set("officer", o.ID)
			rec.Set("secret_hash", HashSecret(secret))
			rec.Set("issued_at", now)
			rec.Set("expires_at", now.Add(TokenTTL))
			if err := tx.SaveWithContext(ctx, rec); err != nil {
				return err
			}
			url := ConfirmURL(baseURL, rec.Id, secret)
			svg, err := QRSVG(url)
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

// QRSVG draws content as a QR code in SVG: one path of horizontal runs,
// crisp at any size, no image files.
func QRSVG(content string) (string, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	bm := q.Bitmap()
	n := len(bm)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

// BaseURL is the site's address as the officer's device reached it.
func BaseURL(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host
}

// HandleTokens serves POST /sync/tokens {"have": N}: new pages for the
// device's token book.
func HandleTokens(app core.App, settings func() station.Settings) echo.HandlerFunc {
	return func(c echo.Context) error {
		o := station.OfficerFrom(c.Request().Context())
		var req struct {
			Have int `json:"have"`
		}
		if err := c.Bind(&req); err != nil {
			return station.Errorf(station.EInvalid, "%s", i18n.T("error.bad_request"))
		}
		toks, err := IssueTokens(c.Request().Context(), app, o, req.Have, settings().TokenBookSize, BaseURL(c), time.Now())
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, map[string]any{"tokens": toks})
	}
}
