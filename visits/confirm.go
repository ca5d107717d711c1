package visits

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase/core"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/pwa"
	"zoufang/station"
)

// The resident's confirmation (DESIGN §7): the QR on the officer's phone
// opens /c/{visit_id}.{secret}; the page needs no account and no
// JavaScript (it must work in WeChat's browser with scripts off).

const (
	ConfirmCollection = "confirmations"
	MaxComment        = 500
)

var (
	tokenRe = regexp.MustCompile(`^([a-z0-9]{15})\.([0-9a-f]{32})$`)
	last4Re = regexp.MustCompile(`^\d{4}$`)
)

// confirmation is what a resident's page is about.
type confirmation struct {
	visitID     string
	officerName string
	badge       string
	visit       *Visit // nil until the officer's phone has synced it
	phones      []string
	done        *core.Record // an earlier confirmation of this token
}

// errBadToken and errExpiredToken are the two refusals a resident can meet.
var (
	errBadToken     = errors.New("bad token")
	errExpiredToken = errors.New("expired token")
)

// Confirmations is the store of residents' answers.
type Confirmations struct {
	app core.App
}

// NewConfirmations returns the confirmations store of app.
func NewConfirmations(app core.App) *Confirmations { return &Confirmations{app: app} }

// ParseToken splits a confirmation link's token into the visit id and the
// secret; ok is false for anything that is not of that shape.
func ParseToken(token string) (visitID, secret string, ok bool) {
	m := tokenRe.FindStringSubmatch(token)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// Load checks the token of a confirmation link and returns what its page
// is about.
func (cs *Confirmations) Load(ctx context.Context, token string, now time.Time) (*confirmation, error) {
	app := cs.app
	id, secret, ok := ParseToken(token)
	if !ok {
		return nil, errBadToken
	}
	rec, err := app.FindRecordById(TokenCollection, id)
	if err != nil || !SecretMatches(secret, rec.GetString("secret_hash")) {
		return nil, errBadToken
	}
	if rec.GetDateTime("expires_at").Time().Before(now) {
		return nil, errExpiredToken
	}
	c := &confirmation{visitID: id}
	if o, err := app.FindRecordById("officers", rec.GetString("officer")); err == nil {
		c.officerName, c.badge = o.GetString("name"), o.GetString("badge")
	}
	if v, err := app.FindRecordById(Collection, id); err == nil {
		c.visit = FromRecord(v)
		if hh, err := app.FindRecordById(households.Collection, c.visit.Household); err == nil {
			c.phones = households.FromRecord(hh).Phones
		}
	}
	done, err := app.FindFirstRecordByData(ConfirmCollection, "visit", id)
	switch {
	case err == nil:
		c.done = done
	case !errors.Is(err, sql.ErrNoRows):
		return nil, station.Internal(err, "find confirmation")
	}
	return c, nil
}

// ConfirmInput is the resident's answer.
type ConfirmInput struct {
	Visited string // "yes" or "no"
	Last4   string
	Rating  string
	Comment string
}

// clientHash fingerprints the resident's device for fraud flags (the same
// device confirming many households) without keeping the address: an HMAC
// keyed with a server secret, so it cannot be reversed by trying addresses.
func (cs *Confirmations) clientHash(ip, ua string) string {
	mac := hmac.New(sha256.New, hashKey(cs.app))
	mac.Write([]byte(ip + "|" + ua))
	return hex.EncodeToString(mac.Sum(nil))
}

// Save stores the answer, once per token. The visit learns it in the same
// transaction (the record hooks).
func (cs *Confirmations) Save(c *confirmation, in ConfirmInput, ip, ua string, now time.Time) error {
	app := cs.app
	client := cs.clientHash(ip, ua)
	p := station.Problems{}
	if in.Visited != "yes" && in.Visited != "no" {
		p.Add("visited", "choose_one")
	}
	rating := 0
	if in.Rating != "" {
		n, err := strconv.Atoi(in.Rating)
		if err != nil || n < 1 || n > 5 {
			p.Add("rating", "range", 1, 5)
		}
		rating = n
	}
	comment := strings.TrimSpace(station.CleanText(in.Comment, true))
	if utf8.RuneCountInString(comment) > MaxComment {
		p.Add("comment", "too_long", MaxComment)
	}
	last4 := strings.TrimSpace(in.Last4)
	if last4 != "" && !last4Re.MatchString(last4) {
		p.Add("last4", "last4")
	}
	if err := p.Err(); err != nil {
		return err
	}
	check := "skipped"
	if last4 != "" && len(c.phones) > 0 {
		check = "mismatched"
		for _, ph := range c.phones {
			if strings.HasSuffix(ph, last4) {
				check = "matched"
			}
		}
	}
	coll, err := app.FindCachedCollectionByNameOrId(ConfirmCollection)
	if err != nil {
		return station.Internal(err, "confirmations collection")
	}
	rec := core.NewRecord(coll)
	rec.Set("visit", c.visitID)
	rec.Set("confirmed_at", now)
	rec.Set("rating", rating)
	rec.Set("comment", comment)
	rec.Set("phone_check", check)
	rec.Set("client_hash", client)
	if ip != "" {
		rec.Set("ip_hash", addressHash(app, ip))
	}
	rec.Set("denied", in.Visited == "no")
	if err := app.Save(rec); err != nil {
		if _, e := app.FindFirstRecordByData(ConfirmCollection, "visit", c.visitID); e == nil {
			return errAlreadyConfirmed // a double submit lost the race
		}
		return station.Internal(err, "save confirmation")
	}
	return nil
}

var errAlreadyConfirmed = errors.New("already confirmed")

type confirmStore interface {
	Load(ctx context.Context, token string, now time.Time) (*confirmation, error)
	Save(c *confirmation, in ConfirmInput, ip, ua string, now time.Time) error
}

// HandleConfirm serves GET and POST /c/{visit_id}.{secret}.
func HandleConfirm(store confirmStore, layout pwa.Layout, settings func() station.Settings) pwa.Handler {
	return func(ec echo.Context) (g.Node, error) {
		now := time.Now()
		ctx := ec.Request().Context()
		token := ec.Param("token")
		loc := settings().Location()
		ec.Response().Header().Set("Cache-Control", "no-store")
		c, err := store.Load(ctx, token, now)
		switch {
		case errors.Is(err, errBadToken):
			// Forged, mistyped or revoked: the same page, revealing nothing.
			return confirmMessage(layout, "confirm.bad_title", "confirm.bad"), station.Errorf(station.ENotFound, "%s", i18n.T("confirm.bad"))
		case errors.Is(err, errExpiredToken):
			return confirmMessage(layout, "confirm.expired_title", "confirm.expired"), station.Errorf(station.EGone, "%s", i18n.T("confirm.expired"))
		case err != nil:
			return nil, err
		}
		if c.done != nil {
			return confirmDone(layout, c, loc), nil
		}
		if ec.Request().Method == http.MethodGet {
			return ConfirmPage(layout, c, token, ConfirmInput{}, nil, loc), nil
		}
		in := ConfirmInput{Visited: ec.FormValue("visited"), Last4: ec.FormValue("last4"), Rating: ec.FormValue("rating"), Comment: ec.FormValue("comment")}
		err = store.Save(c, in, station.ClientIP(ctx), ec.Request().UserAgent(), now)
		switch {
		case errors.Is(err, errAlreadyConfirmed):
			if c, err = store.Load(ctx, token, now); err != nil {
				return nil, err
			}
			return confirmDone(layout, c, loc), nil
		case station.ErrorCode(err) == station.EInvalid:
			return ConfirmPage(layout, c, token, in, err, loc), err
		case err != nil:
			return nil, err
		}
		return nil, ec.Redirect(http.StatusSeeOther, "/c/"+token)
	}
}

// ConfirmPage asks the resident whether the officer visited.
func ConfirmPage(layout pwa.Layout, c *confirmation, token string, in ConfirmInput, err error, loc *time.Location) g.Node {
	errs := station.FieldsOf(err)
	radio := func(name, value, label string, checked bool) g.Node {
		return h.Label(h.Input(h.Type("radio"), h.Name(name), h.Value(value), g.If(checked, h.Checked())), g.Text(label))
	}
	fieldErr := func(name string) g.Node {
		if fe, ok := errs[name]; ok {
			return h.P(h.Class("error"), g.Text(fe.Message))
		}
		return nil
	}
	return layout(pwa.Page{
		Title: i18n.T("confirm.title"),
		Body: []g.Node{h.Section(h.Class("card narrow"),
			h.H1(g.Text(i18n.T("confirm.title"))),
			h.P(h.Class("lead"), g.Text(i18n.T("confirm.officer", c.officerName, c.badge))),
			g.Iff(c.visit != nil, func() g.Node {
				return h.P(h.Class("muted"), g.Text(i18n.T("confirm.when", pwa.DateTime(c.visit.VisitedAt, loc))))
			}),
			pwa.ErrorSummary(err),
			h.Form(h.Method("post"), h.Action("/c/"+token),
				h.FieldSet(h.Class("field"),
					h.Legend(g.Text(i18n.T("confirm.question"))),
					h.Div(h.Class("choices"), radio("visited", "yes", i18n.T("confirm.yes"), in.Visited == "yes"), radio("visited", "no", i18n.T("confirm.no"), in.Visited == "no")),
					fieldErr("visited"),
				),
				g.If(len(c.phones) > 0, pwa.Field(i18n.T("confirm.last4"), "last4", errs,
					pwa.Input("last4", in.Last4, errs, h.Type("text"), g.Attr("inputmode", "numeric"), h.MaxLength("4"), h.AutoComplete("off")), i18n.T("confirm.last4_hint"))),
				h.FieldSet(h.Class("field"),
					h.Legend(g.Text(i18n.T("confirm.rating"))),
					h.Div(h.Class("choices"), g.Map([]string{"1", "2", "3", "4", "5"}, func(n string) g.Node { return radio("rating", n, n+"★", in.Rating == n) })),
					fieldErr("rating"),
				),
				pwa.Field(i18n.T("confirm.comment"), "comment", errs, h.Textarea(h.ID("comment"), h.Name("comment"), h.MaxLength(strconv.Itoa(MaxComment)), g.Text(in.Comment))),
				h.Button(h.Type("submit"), h.Class("primary big"), g.Text(i18n.T("confirm.submit"))),
			),
			h.P(h.Class("small muted"), g.Text(i18n.T("confirm.privacy"))),
		)},
	})
}

// confirmDone is the page of an answered token: thanks for a
// confirmation, or for the report when the resident said the officer never
// came (that is no confirmation, and the page never says it is).
func confirmDone(layout pwa.Layout, c *confirmation, loc *time.Location) g.Node {
	at := pwa.DateTime(c.done.GetDateTime("confirmed_at").Time(), loc)
	title, body := "confirm.done_title", "confirm.done"
	if c.done.GetBool("denied") {
		title, body = "confirm.denied_title", "confirm.denied"
	}
	return layout(pwa.Page{
		Title: i18n.T(title),
		Body: []g.Node{h.Section(h.Class("card narrow"),
			h.H1(g.Text(i18n.T(title))),
			h.P(g.Text(i18n.T(body, at))),
			h.P(h.Class("muted"), g.Text(i18n.T("confirm.officer", c.officerName, c.badge))),
		)},
	})
}

func confirmMessage(layout pwa.Layout, title, body string) g.Node {
	return layout(pwa.Page{
		Title: i18n.T(title),
		Body:  []g.Node{h.Section(h.Class("card narrow"), h.H1(g.Text(i18n.T(title))), h.P(g.Text(i18n.T(body))))},
	})
}
