package watches

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/i18n"
	"zoufang/station"
)

// Check is one holiday check of a watch, as the watch's pages and the
// resident's summary list it (the visit log owns the visits).
type Check struct {
	Visit     string
	At        time.Time
	Officer   string // name
	Badge     string
	Result    string // "normal" | "abnormal"
	Outcome   string
	Notes     string
	Household string
}

// CheckLister lists the holiday checks of watches, newest first; the visit
// log provides it.
type CheckLister interface {
	ChecksOf(ctx context.Context, watchIDs []string) (map[string][]Check, error)
}

// Store reads and writes holiday watches.
type Store struct {
	app    core.App
	checks CheckLister
	loc    func() *time.Location
}

// NewStore returns the watches store of app; checks lists their checks.
func NewStore(app core.App, checks CheckLister, settings func() station.Settings) *Store {
	return &Store{app: app, checks: checks, loc: func() *time.Location { return settings().Location() }}
}

var secretRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// HashSecret is what the server keeps of a resident link's secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func newSecret() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// SummaryPath is the resident's link to a watch's checks.
func SummaryPath(id, secret string) string { return "/w/" + id + "." + secret }

// ParseLink splits the token of a resident's link ("{id}.{secret}", what
// follows /w/) into the watch id and the secret; anything else is refused
// with nothing returned.
func ParseLink(token string) (id, secret string, ok bool) {
	id, secret, ok = strings.Cut(token, ".")
	if !ok || !idRe.MatchString(id) || !secretRe.MatchString(secret) {
		return "", "", false
	}
	return id, secret, true
}

func notFound() error {
	return &station.Error{Code: station.ENotFound, Message: i18n.T("watch.not_found")}
}

// inArea loads household hid if it is in the officer's area.
func inArea(tx core.App, o *station.Officer, hid string) (*core.Record, error) {
	h, err := tx.FindRecordById("households", hid)
	if err != nil || !o.CoversCommunity(h.GetString("community")) {
		p := station.Problems{}
		p.Add("household", "out_of_area")
		return nil, p.Err()
	}
	return h, nil
}

// get loads a watch the officer may see.
func get(tx core.App, o *station.Officer, id string) (*core.Record, error) {
	rec, err := tx.FindRecordById(Collection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, station.Internal(err, "find watch")
	}
	if _, err := inArea(tx, o, rec.GetString("household")); err != nil {
		return nil, notFound()
	}
	return rec, nil
}

// Saved is what a write did, as the sync protocol names it.
const (
	Created = "created"
	Exists  = "exists"
	Updated = "updated"
)

// Save registers a watch (a new id) or edits or cancels one (a stored
// id), for officer o within tx. It is idempotent by the client-minted id:
// the same content again is Exists. A new watch gets the resident's link:
// the phone's secret if it minted one (it showed the link at the door,
// offline), else a new one, returned once (secret is "" otherwise).
func Save(ctx context.Context, tx core.App, o *station.Officer, in Input) (w *HolidayWatch, status, secret string, err error) {
	st, err := station.LoadSettings(tx)
	if err != nil {
		return nil, "", "", station.Internal(err, "settings")
	}
	zone := st.Location()
	if in.ID != "" && !idRe.MatchString(in.ID) {
		p := station.Problems{}
		p.Add("id", "id_format")
		return nil, "", "", p.Err()
	}
	var rec *core.Record
	if in.ID != "" {
		rec, err = tx.FindRecordById(Collection, in.ID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, "", "", station.Internal(err, "find watch")
		}
	}
	if rec != nil {
		if _, err := inArea(tx, o, rec.GetString("household")); err != nil {
			p := station.Problems{}
			p.Add("id", "id_taken")
			return nil, "", "", p.Err()
		}
		cur := inputOf(rec, zone)
		if sameInput(cur, in) {
			return WatchFromRecord(rec, zone), Exists, "", nil
		}
		if in.Household != cur.Household {
			p := station.Problems{}
			p.Add("household", "immutable_watch")
			return nil, "", "", p.Err()
		}
		if rec.GetString("status") != StatusActive {
			return nil, "", "", &station.Error{Code: station.EConflict, Message: i18n.T("watch.closed"), Fields: map[string]station.FieldError{
				"status": {Code: "watch_closed", Message: i18n.T("field.watch_closed")},
			}}
		}
	} else {
		if _, err := inArea(tx, o, in.Household); err != nil {
			return nil, "", "", err
		}
		coll, err := tx.FindCachedCollectionByNameOrId(Collection)
		if err != nil {
			return nil, "", "", station.Internal(err, "watches collection")
		}
		rec = core.NewRecord(coll)
		if in.ID != "" {
			rec.Id = in.ID
		}
		rec.Set("created_by", o.ID)
		secret = in.Secret
		if secret == "" {
			if secret, err = newSecret(); err != nil {
				return nil, "", "", station.Internal(err, "watch link")
			}
		} else if !secretRe.MatchString(secret) {
			p := station.Problems{}
			p.Add("secret", "id_format")
			return nil, "", "", p.Err()
		}
		rec.Set("summary_hash", HashSecret(secret))
		status = Created
	}
	today := DayOf(time.Now(), zone)
	fresh := rec.IsNew() || in.From != inputOf(rec, zone).From || in.To != inputOf(rec, zone).To
	w0, p := in.normalize(zone, today, fresh)
	if rec.IsNew() && w0.status != StatusActive {
		p.Add("status", "choice")
	}
	if err := p.Err(); err != nil {
		return nil, "", "", err
	}
	w0.write(rec)
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, "", "", station.SaveError(err, "save watch")
	}
	if status == "" {
		status = Updated
	}
	if status == Created && in.Secret != "" {
		secret = "" // the phone has it already
	}
	return WatchFromRecord(rec, zone), status, secret, nil
}

var idRe = regexp.MustCompile(`^[a-z0-9]{15}$`)

// sameInput reports whether in says what cur says (a retried push).
func sameInput(cur, in Input) bool {
	norm := func(x Input) Input {
		if x.IntervalDays == 0 {
			x.IntervalDays = DefaultInterval
		}
		if x.Status == "" {
			x.Status = StatusActive
		}
		if p, code := station.NormalizePhone(x.ContactPhone); code == "" {
			x.ContactPhone = p
		}
		x.ID, x.Secret = "", ""
		return x
	}
	return norm(cur) == norm(in)
}

// Create registers a watch in its own transaction.
func (s *Store) Create(ctx context.Context, o *station.Officer, in Input) (*HolidayWatch, string, error) {
	var (
		w      *HolidayWatch
		secret string
	)
	err := s.app.RunInTransaction(func(tx core.App) error {
		in.ID = ""
		var err error
		w, _, secret, err = Save(ctx, tx, o, in)
		return err
	})
	return w, secret, err
}

// Update edits (or cancels) a watch in its own transaction.
func (s *Store) Update(ctx context.Context, o *station.Officer, id string, in Input) (*HolidayWatch, error) {
	var w *HolidayWatch
	err := s.app.RunInTransaction(func(tx core.App) error {
		rec, err := get(tx, o, id)
		if err != nil {
			return err
		}
		in.ID, in.Household = id, rec.GetString("household")
		w, _, _, err = Save(ctx, tx, o, in)
		return err
	})
	return w, err
}

// Cancel ends a watch early, with the reason.
func (s *Store) Cancel(ctx context.Context, o *station.Officer, id, reason string) (*HolidayWatch, error) {
	var w *HolidayWatch
	err := s.app.RunInTransaction(func(tx core.App) error {
		rec, err := get(tx, o, id)
		if err != nil {
			return err
		}
		in := inputOf(rec, s.loc())
		in.Status, in.CancelReason = StatusCancelled, reason
		w, _, _, err = Save(ctx, tx, o, in)
		return err
	})
	return w, err
}

// NewLink replaces a watch's resident link (the old one stops working) and
// returns the new secret, once.
func (s *Store) NewLink(ctx context.Context, o *station.Officer, id string) (string, error) {
	var secret string
	err := s.app.RunInTransaction(func(tx core.App) error {
		rec, err := get(tx, o, id)
		if err != nil {
			return err
		}
		if rec.GetString("status") != StatusActive {
			return &station.Error{Code: station.EConflict, Message: i18n.T("watch.closed")}
		}
		if secret, err = newSecret(); err != nil {
			return station.Internal(err, "watch link")
		}
		rec.Set("summary_hash", HashSecret(secret))
		return station.SaveError(tx.SaveWithContext(ctx, rec), "new watch link")
	})
	return secret, err
}

// View is a watch with what its pages show.
type View struct {
	*HolidayWatch
	Address  string
	Checks   []Check
	Progress Progress
}

// Get is one watch the officer may see, with its checks.
func (s *Store) Get(ctx context.Context, o *station.Officer, id string) (*View, error) {
	rec, err := get(s.app, o, id)
	if err != nil {
		return nil, err
	}
	vs, err := s.views(ctx, []*core.Record{rec}, time.Now())
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// List is the watches of the officer's area (the station's for a deputy
// chief), each with its checks: active and upcoming first, then ended and
// cancelled ones of the last 90 days.
func (s *Store) List(ctx context.Context, o *station.Officer, now time.Time) ([]*View, error) {
	q := s.app.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.NewExp("(status = 'active' OR ended_at >= {:since})", dbx.Params{"since": station.DBTime(now.AddDate(0, 0, -90))})).
		OrderBy("status ASC", "[[from]] ASC")
	if !o.IsChief() {
		ids := make([]any, len(o.Communities))
		for i, c := range o.Communities {
			ids[i] = c
		}
		if len(ids) == 0 {
			return nil, nil
		}
		q = q.InnerJoin("households h", dbx.NewExp("h.id = holiday_watches.household")).AndWhere(dbx.In("h.community", ids...))
	}
	var recs []*core.Record
	if err := q.All(&recs); err != nil {
		return nil, station.Internal(err, "list watches")
	}
	return s.views(ctx, recs, now)
}

func (s *Store) views(ctx context.Context, recs []*core.Record, now time.Time) ([]*View, error) {
	loc := s.loc()
	ids := make([]string, len(recs))
	hids := make([]string, 0, len(recs))
	for i, r := range recs {
		ids[i] = r.Id
		if !slices.Contains(hids, r.GetString("household")) {
			hids = append(hids, r.GetString("household"))
		}
	}
	checks, err := s.checks.ChecksOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	addr := map[string]string{}
	if len(hids) > 0 {
		hs, err := s.app.FindRecordsByIds("households", hids)
		if err != nil {
			return nil, station.Internal(err, "watch households")
		}
		for _, h := range hs {
			addr[h.Id] = h.GetString("address")
		}
	}
	today := DayOf(now, loc)
	out := make([]*View, len(recs))
	for i, r := range recs {
		w := WatchFromRecord(r, loc)
		v := &View{HolidayWatch: w, Address: addr[w.Household], Checks: checks[w.ID]}
		from, to := DayOf(r.GetDateTime("from").Time(), loc), DayOf(r.GetDateTime("to").Time(), loc)
		ats := make([]time.Time, len(v.Checks))
		for j, c := range v.Checks {
			ats[j] = c.At
		}
		due := Schedule(from, to, w.IntervalDays)
		if w.Status == StatusCancelled {
			// Nothing is due after a cancellation; what was due before stays.
			end := DayOf(r.GetDateTime("ended_at").Time(), loc)
			due = slices.DeleteFunc(due, func(d Day) bool { return d.After(end) })
		}
		v.Progress = ProgressOf(due, from, ats, today, loc)
		if w.Status != StatusActive {
			v.Progress.Today, v.Progress.Next = false, time.Time{}
		}
		out[i] = v
	}
	return out, nil
}

// Summary is what a resident's link shows: the window and each check's
// day, result and officer; nothing else about the household.
type Summary struct {
	From, To string
	Status   string
	Checks   []Check
}

// Summary opens a resident's link: id.secret. A wrong or forged secret,
// or a watch whose contacts were purged, is "not found", revealing nothing.
func (s *Store) Summary(ctx context.Context, id, secret string) (*Summary, error) {
	if !idRe.MatchString(id) || !secretRe.MatchString(secret) {
		return nil, notFound()
	}
	rec, err := s.app.FindRecordById(Collection, id)
	if err != nil || rec.GetString("summary_hash") == "" ||
		subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(rec.GetString("summary_hash"))) != 1 {
		return nil, notFound()
	}
	loc := s.loc()
	w := WatchFromRecord(rec, loc)
	checks, err := s.checks.ChecksOf(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return &Summary{From: w.From, To: w.To, Status: w.Status, Checks: checks[id]}, nil
}

// CloseWatches ends the active watches whose window has passed and, 30
// days after a watch ended or was cancelled, erases who to call and who
// holds the key and revokes the resident's link: the station keeps that the
// home was watched and checked, not the family's contacts. It runs nightly
// and returns how many watches it ended and purged.
func CloseWatches(app core.App, now time.Time) (ended, purged int, err error) {
	st, err := station.LoadSettings(app)
	if err != nil {
		return 0, 0, err
	}
	today := DayOf(now, st.Location())
	var due []*core.Record
	err = app.RecordQuery(Collection).
		AndWhere(dbx.HashExp{"status": StatusActive}).
		AndWhere(dbx.NewExp("[[to]] < {:today}", dbx.Params{"today": station.DBTime(today)})).All(&due)
	if err != nil {
		return 0, 0, fmt.Errorf("due watches: %w", err)
	}
	for _, w := range due {
		w.Set("status", StatusEnded)
		w.Set("ended_at", DayOf(w.GetDateTime("to").Time(), st.Location()).AddDate(0, 0, 1))
		if err := app.Save(w); err != nil {
			return ended, purged, fmt.Errorf("end watch %s: %w", w.Id, err)
		}
		ended++
	}
	var old []*core.Record
	err = app.RecordQuery(Collection).
		AndWhere(dbx.NewExp("status != 'active' AND purged_at = '' AND ended_at != '' AND ended_at < {:cut}",
			dbx.Params{"cut": station.DBTime(now.Add(-PurgeAfter))})).All(&old)
	if err != nil {
		return ended, 0, fmt.Errorf("old watches: %w", err)
	}
	for _, w := range old {
		w.Set("contact_name", "")
		w.Set("contact_phone", "")
		w.Set("key_holder", "")
		w.Set("summary_hash", "")
		w.Set("purged_at", now)
		if err := app.Save(w); err != nil {
			return ended, purged, fmt.Errorf("purge watch %s: %w", w.Id, err)
		}
		purged++
	}
	return ended, purged, nil
}

// ForHousehold is a household's watches (newest first) the officer may see.
func (s *Store) ForHousehold(ctx context.Context, o *station.Officer, householdID string) ([]*View, error) {
	if _, err := inArea(s.app, o, householdID); err != nil {
		return nil, notFound()
	}
	var recs []*core.Record
	err := s.app.RecordQuery(Collection).WithContext(ctx).AndWhere(dbx.HashExp{"household": householdID}).
		OrderBy("[[from]] DESC").Limit(20).All(&recs)
	if err != nil {
		return nil, station.Internal(err, "household watches")
	}
	return s.views(ctx, recs, time.Now())
}

// MoveOpen makes to the officer of the active watches of communities that
// from registered, within tx (a handover).
func MoveOpen(ctx context.Context, tx core.App, from, to string, communities []string, count bool) (int, error) {
	ids := make([]any, len(communities))
	for i, c := range communities {
		ids[i] = c
	}
	if len(ids) == 0 {
		return 0, nil
	}
	var recs []*core.Record
	err := tx.RecordQuery(Collection).WithContext(ctx).
		InnerJoin("households h", dbx.NewExp("h.id = holiday_watches.household")).
		AndWhere(dbx.In("h.community", ids...)).
		AndWhere(dbx.HashExp{"holiday_watches.status": StatusActive, "holiday_watches.created_by": from}).All(&recs)
	if err != nil {
		return 0, fmt.Errorf("watches to hand over: %w", err)
	}
	if count {
		return len(recs), nil
	}
	for _, r := range recs {
		r.Set("created_by", to)
		if err := tx.SaveWithContext(ctx, r); err != nil {
			return 0, fmt.Errorf("hand over watch %s: %w", r.Id, err)
		}
	}
	return len(recs), nil
}
