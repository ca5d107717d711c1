package visits

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/i18n"
	"zoufang/station"
)

// Answer is a resident's answer as the coverage review lists it: in the
// feed of comments and denials, and behind each fraud flag.
type Answer struct {
	Visit      string
	Household  string
	Address    string
	Officer    string // name
	OfficerID  string
	VisitedAt  time.Time
	At         time.Time // answered
	Denied     bool
	Rating     int
	Comment    string
	PhoneCheck string
	Synced     bool // the visit has reached the server
}

// Flag is one fraud flag (DESIGN §7) with the visits behind it: Total of
// them, the latest first in Items (at most the limit Flags was asked for).
type Flag struct {
	Key   string // flag.<key> names and explains it
	Total int
	Items []Answer
}

// How many of a flag's visits the coverage page lists (the rest are in its
// workbook), and how many the workbook holds.
const (
	FlagShown    = 10
	FlagWorkbook = 2000
)

// Thresholds of the flags: one device confirming visits to this many
// households within a week; one address (a user agent is easy to change,
// but many residents share a carrier's address, so the bar is higher).
const (
	SameClientHouseholds  = 3
	SameAddressHouseholds = 4
	FlagWindow            = 7 * 24 * time.Hour
	UnsyncedAfter         = 3 * 24 * time.Hour
)

// answerQuery selects answers with their visits and households, in scope.
func (s *Store) answerQuery(ctx context.Context, scope Scope) *dbx.SelectQuery {
	q := s.app.DB().Select("c.visit", "c.confirmed_at", "c.denied", "c.rating", "c.comment", "c.phone_check",
		"COALESCE(v.household, '') AS household", "COALESCE(h.address, '') AS address", "COALESCE(v.visited_at, '') AS visited_at",
		"COALESCE(v.officer, t.officer, '') AS officer_id", "COALESCE(o.name, '') AS officer", "(v.id IS NOT NULL) AS synced").
		From(ConfirmCollection+" c").
		LeftJoin(Collection+" v", dbx.NewExp("v.id = c.visit")).
		LeftJoin("households h", dbx.NewExp("h.id = v.household")).
		LeftJoin(TokenCollection+" t", dbx.NewExp("t.id = c.visit")).
		LeftJoin("officers o", dbx.NewExp("o.id = COALESCE(v.officer, t.officer)")).
		WithContext(ctx)
	if scope.Officer != "" {
		q = q.AndWhere(dbx.NewExp("COALESCE(v.officer, t.officer) = {:so}", dbx.Params{"so": scope.Officer}))
	}
	if scope.Community != "" {
		q = q.AndWhere(dbx.HashExp{"h.community": scope.Community})
	}
	if scope.Grid != "" {
		q = q.AndWhere(dbx.HashExp{"h.grid": scope.Grid})
	}
	return q
}

type answerRow struct {
	Visit      string `db:"visit"`
	At         string `db:"confirmed_at"`
	Denied     bool   `db:"denied"`
	Rating     int    `db:"rating"`
	Comment    string `db:"comment"`
	PhoneCheck string `db:"phone_check"`
	Household  string `db:"household"`
	Address    string `db:"address"`
	VisitedAt  string `db:"visited_at"`
	OfficerID  string `db:"officer_id"`
	Officer    string `db:"officer"`
	Synced     bool   `db:"synced"`
}

func (r answerRow) answer() Answer {
	a := Answer{Visit: r.Visit, Household: r.Household, Address: r.Address, Officer: r.Officer, OfficerID: r.OfficerID,
		Denied: r.Denied, Rating: r.Rating, Comment: r.Comment, PhoneCheck: r.PhoneCheck, Synced: r.Synced}
	a.At = parseDB(r.At)
	a.VisitedAt = parseDB(r.VisitedAt)
	return a
}

func parseDB(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000Z", s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func (s *Store) listAnswers(q *dbx.SelectQuery, what string) ([]Answer, error) {
	var rows []answerRow
	if err := q.OrderBy("c.confirmed_at DESC").All(&rows); err != nil {
		return nil, station.Internal(err, what)
	}
	out := make([]Answer, len(rows))
	for i, r := range rows {
		out[i] = r.answer()
	}
	return out, nil
}

// answers is the feed: residents' comments and denials since, newest first.
func (s *Store) answers(ctx context.Context, scope Scope, since time.Time, limit int) ([]Answer, error) {
	q := s.answerQuery(ctx, scope).
		AndWhere(dbx.NewExp("c.confirmed_at >= {:since} AND (c.comment != '' OR c.denied = TRUE)", dbx.Params{"since": station.DBTime(since)})).
		Limit(int64(limit))
	return s.listAnswers(q, "answers feed")
}

// Flags computes the fraud flags of scope at now (DESIGN §7), each with
// how many visits are behind it and the latest limit of them.
func (s *Store) Flags(ctx context.Context, scope Scope, now time.Time, limit int) ([]Flag, error) {
	week := station.DBTime(now.Add(-FlagWindow))
	month := station.DBTime(now.AddDate(0, 0, -RecentDays))
	var flags []Flag
	add := func(key string, cond dbx.Expression) error {
		f := Flag{Key: key}
		if err := s.answerQuery(ctx, scope).AndWhere(cond).Select("COUNT(*)").Row(&f.Total); err != nil {
			return station.Internal(err, "count flag "+key)
		}
		if f.Total > 0 {
			items, err := s.listAnswers(s.answerQuery(ctx, scope).AndWhere(cond).Limit(int64(limit)), "flag "+key)
			if err != nil {
				return err
			}
			f.Items = items
		}
		flags = append(flags, f)
		return nil
	}
	// One client, then one address alone, confirming visits to several
	// households within a week.
	same := func(col string, n int) dbx.Expression {
		return dbx.NewExp("c.confirmed_at >= {:week} AND c."+col+" != '' AND c."+col+` IN (
			SELECT c2.`+col+` FROM `+ConfirmCollection+` c2 INDEXED BY idx_confirmations_at JOIN `+Collection+` v2 ON v2.id = c2.visit
			WHERE c2.confirmed_at >= {:week} AND c2.`+col+` != '' GROUP BY c2.`+col+` HAVING COUNT(DISTINCT v2.household) >= {:n})`,
			dbx.Params{"week": week, "n": n})
	}
	if err := add("same_client", same("client_hash", SameClientHouseholds)); err != nil {
		return nil, err
	}
	if err := add("same_address", same("ip_hash", SameAddressHouseholds)); err != nil {
		return nil, err
	}
	// Confirmed from the address the officer's own session used that day
	// (or the day before or after).
	if err := add("officer_address", dbx.NewExp(`c.confirmed_at >= {:month} AND c.ip_hash != '' AND EXISTS (
		SELECT 1 FROM officer_addresses a WHERE a.ip_hash = c.ip_hash AND a.officer = COALESCE(v.officer, t.officer)
		AND a.day BETWEEN date(c.confirmed_at, '-1 day') AND date(c.confirmed_at, '+1 day'))`, dbx.Params{"month": month})); err != nil {
		return nil, err
	}
	// A resident confirmed a visit that has not reached the server 3 days
	// later: a QR shown without a visit behind it.
	if err := add("unsynced", dbx.NewExp("v.id IS NULL AND c.confirmed_at >= {:month} AND c.confirmed_at < {:cut}",
		dbx.Params{"month": month, "cut": station.DBTime(now.Add(-UnsyncedAfter))})); err != nil {
		return nil, err
	}
	if err := add("phone_mismatch", dbx.NewExp("c.phone_check = 'mismatched' AND c.confirmed_at >= {:month}", dbx.Params{"month": month})); err != nil {
		return nil, err
	}
	if err := add("denied", dbx.NewExp("c.denied = TRUE AND c.confirmed_at >= {:month}", dbx.Params{"month": month})); err != nil {
		return nil, err
	}
	return flags, nil
}

// FlagTitle names a flag.
func FlagTitle(key string) string { return i18n.T("flag." + key) }

// Addresses records the (hashed) addresses officers' sessions come from,
// once per officer, address and day, for the "confirmed from the officer's
// own address" flag. The raw address is never kept.
type Addresses struct {
	app  core.App
	mu   sync.Mutex
	seen map[string]bool
}

// NewAddresses returns the address book of app.
func NewAddresses(app core.App) *Addresses { return &Addresses{app: app, seen: map[string]bool{}} }

// Seen notes that officerID's session came from ip at now.
func (a *Addresses) Seen(ctx context.Context, officerID, ip string, st station.Settings, now time.Time) error {
	if ip == "" || officerID == "" {
		return nil
	}
	hash := addressHash(a.app, ip)
	day := st.DayString(now)
	key := officerID + "|" + hash + "|" + day
	a.mu.Lock()
	if a.seen[key] {
		a.mu.Unlock()
		return nil
	}
	if len(a.seen) > 100000 {
		a.seen = map[string]bool{} // a new day's worth, roughly
	}
	a.seen[key] = true
	a.mu.Unlock()
	_, err := a.app.DB().NewQuery("INSERT OR IGNORE INTO officer_addresses (officer, ip_hash, day) VALUES ({:o}, {:h}, {:d})").
		Bind(dbx.Params{"o": officerID, "h": hash, "d": day}).WithContext(ctx).Execute()
	return err
}

// hashKey keys the fingerprints of residents' and officers' addresses: a
// server secret, so they cannot be reversed by trying addresses.
func hashKey(app core.App) []byte {
	if c, err := app.FindCachedCollectionByNameOrId("officers"); err == nil && c.AuthToken.Secret != "" {
		return []byte(c.AuthToken.Secret)
	}
	return []byte("zoufang")
}

// addressHash fingerprints an address alone.
func addressHash(app core.App, ip string) string {
	mac := hmac.New(sha256.New, hashKey(app))
	mac.Write([]byte("ip|" + ip))
	return hex.EncodeToString(mac.Sum(nil))
}
