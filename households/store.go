package households

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/text/width"

	"zoufang/i18n"
	"zoufang/station"
)

// Store reads and writes households within an officer's area.
type Store struct {
	app   core.App
	index *searchIndex
}

// NewStore returns the households store of app.
func NewStore(app core.App) *Store { return &Store{app: app, index: newSearchIndex(app)} }

// Duplicate is why a household was refused: it is the same door or shares a
// phone number with Of.
type Duplicate struct {
	Of *Household
	By string // "address" or "phone"
}

func (d *Duplicate) Error() string { return "duplicate of " + d.Of.ID + " by " + d.By }

// DuplicateOf returns the household err says this one duplicates.
func DuplicateOf(err error) *Duplicate {
	var d *Duplicate
	if errors.As(err, &d) {
		return d
	}
	return nil
}

// duplicateError refuses a duplicate. One the officer may open is a
// conflict that names and links the existing household; one in another
// officer's area is an input problem that names nothing, since the officer
// may not see that household.
func duplicateError(o *station.Officer, d *Duplicate) error {
	if !o.CoversCommunity(d.Of.Community) {
		p := station.Problems{}
		if d.By == "phone" {
			p.Add("phones", "duplicate_elsewhere_phone")
		} else {
			p.Add("building", "duplicate_elsewhere_address")
		}
		return p.Err()
	}
	return &station.Error{Code: station.EConflict, Message: i18n.T("household.duplicate_"+d.By, d.Of.Address), Err: d}
}

func notFound() error {
	return &station.Error{Code: station.ENotFound, Message: i18n.T("household.not_found")}
}

// Get returns a household the officer may see; one outside their area is
// "not found", exactly like one that does not exist.
func (s *Store) Get(ctx context.Context, o *station.Officer, id string) (*Household, error) {
	return Get(ctx, s.app, o, id)
}

// Get is Store.Get on app (which may be a transaction).
func Get(ctx context.Context, app core.App, o *station.Officer, id string) (*Household, error) {
	if !IDPattern.MatchString(id) {
		return nil, notFound()
	}
	rec, err := app.FindRecordById(Collection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, station.Internal(err, "find household")
	}
	h := FromRecord(rec)
	if !o.CoversCommunity(h.Community) {
		return nil, notFound()
	}
	return h, nil
}

// places answers the two questions validation asks of the registry's
// geography. The database answers them one row at a time; an import answers
// them from maps loaded once.
type places interface {
	communityExists(id string) bool
	// gridCommunity is the community a grid belongs to.
	gridCommunity(id string) (string, bool)
}

// dbPlaces looks places up in app (or a transaction).
type dbPlaces struct{ app core.App }

func (d dbPlaces) communityExists(id string) bool {
	_, err := d.app.FindRecordById("communities", id)
	return err == nil
}

func (d dbPlaces) gridCommunity(id string) (string, bool) {
	g, err := d.app.FindRecordById("grids", id)
	if err != nil {
		return "", false
	}
	return g.GetString("community"), true
}

// checkPlace checks that h's community exists and is in the officer's area
// and that its grid belongs to it.
func checkPlace(pl places, o *station.Officer, h *Household, p station.Problems) {
	if h.Community == "" {
		return
	}
	if !pl.communityExists(h.Community) {
		p.Add("community", "community_unknown")
		return
	}
	if !o.CoversCommunity(h.Community) {
		p.Add("community", "out_of_area")
		return
	}
	if h.Grid != "" {
		if c, ok := pl.gridCommunity(h.Grid); !ok || c != h.Community {
			p.Add("grid", "grid_mismatch")
		}
	}
}

// Validate checks in as the officer would save it and returns the
// household it describes, or an EInvalid error with every problem.
func (s *Store) Validate(o *station.Officer, in Input) (*Household, error) {
	return validate(dbPlaces{s.app}, o, in)
}

func validate(pl places, o *station.Officer, in Input) (*Household, error) {
	h, ps := in.normalize()
	p := station.Problems{}
	for _, x := range ps {
		p.Add(x.field, x.code, x.args...)
	}
	checkPlace(pl, o, h, p)
	return h, p.Err()
}

// FindDuplicate returns the active household, other than excludeID, at the
// same door or sharing a phone with h.
func FindDuplicate(ctx context.Context, app core.App, h *Household, excludeID string) (*Duplicate, error) {
	rec := &core.Record{}
	err := app.RecordQuery(Collection).WithContext(ctx).
		AndWhere(dbx.HashExp{"address_key": h.AddressKey, "archived": false}).
		AndWhere(dbx.Not(dbx.HashExp{"id": excludeID})).
		Limit(1).One(rec)
	switch {
	case err == nil:
		return &Duplicate{Of: FromRecord(rec), By: "address"}, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("find duplicate address: %w", err)
	}
	if len(h.Phones) == 0 {
		return nil, nil
	}
	phones := make([]any, len(h.Phones))
	for i, p := range h.Phones {
		phones[i] = p
	}
	var ids []string
	err = app.DB().Select("household").From(phoneIndexTable).
		Where(dbx.In("phone", phones...)).AndWhere(dbx.Not(dbx.HashExp{"household": excludeID})).
		Limit(1).WithContext(ctx).Column(&ids)
	if err != nil {
		return nil, fmt.Errorf("find duplicate phone: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	other, err := app.FindRecordById(Collection, ids[0])
	if err != nil {
		return nil, fmt.Errorf("load duplicate: %w", err)
	}
	return &Duplicate{Of: FromRecord(other), By: "phone"}, nil
}

// Create saves a new household in the officer's area, refusing a duplicate.
func (s *Store) Create(ctx context.Context, o *station.Officer, in Input) (*Household, error) {
	var out *Household
	err := s.app.RunInTransaction(func(tx core.App) error {
		h, err := Create(ctx, tx, o, in)
		out = h
		return err
	})
	return out, err
}

// Create is Store.Create within the caller's transaction tx.
func Create(ctx context.Context, tx core.App, o *station.Officer, in Input) (*Household, error) {
	return create(ctx, tx, dbPlaces{tx}, o, in)
}

func create(ctx context.Context, tx core.App, pl places, o *station.Officer, in Input) (*Household, error) {
	h, err := validate(pl, o, in)
	if err != nil {
		return nil, err
	}
	if err := probeBlocked(o, h.Phones, nil); err != nil {
		return nil, err
	}
	if h.ID != "" {
		if _, err := tx.FindRecordById(Collection, h.ID); err == nil {
			p := station.Problems{}
			p.Add("id", "id_taken")
			return nil, p.Err()
		}
	}
	coll, err := tx.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, station.Internal(err, "households collection")
	}
	rec := core.NewRecord(coll)
	if h.ID != "" {
		rec.Id = h.ID
	}
	write(rec, h)
	// The record hooks derive the key, search text and revision and refuse
	// a duplicate door or phone, as they do for every other write path.
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, saveError(tx, o, err, "save household")
	}
	return FromRecord(rec), nil
}

// saveError words a refused save for the officer: a duplicate the hooks
// found as the officer may see it (one in another area counted and
// logged, see probe.go), anything else by its code.
func saveError(app core.App, o *station.Officer, err error, doing string) error {
	if d := DuplicateOf(err); d != nil {
		if !o.CoversCommunity(d.Of.Community) {
			noteElsewhere(app, o, d)
		}
		return duplicateError(o, d)
	}
	return station.SaveError(err, doing)
}

// write copies what a person typed of h onto rec; the hooks derive the rest.
func write(rec *core.Record, h *Household) {
	rec.Set("community", h.Community)
	rec.Set("grid", h.Grid)
	rec.Set("address", h.Address)
	rec.Set("building", h.Building)
	rec.Set("unit", h.Unit)
	rec.Set("room", h.Room)
	rec.Set("head_name", h.HeadName)
	rec.Set("phones", h.Phones)
	rec.Set("residents", h.Residents)
	rec.Set("tags", h.Tags)
	rec.Set("notes", h.Notes)
}

// StaleBase is the conflict of an edit made on an outdated copy; Current is
// the server's copy, which the device keeps.
type StaleBase struct{ Current *Household }

func (s *StaleBase) Error() string { return "edit based on a stale copy" }

// Update edits a household in the officer's area. A non-empty
// in.BaseRev must equal the stored revision, else the edit is a
// conflict carrying the current copy.
func (s *Store) Update(ctx context.Context, o *station.Officer, id string, in Input) (*Household, error) {
	var out *Household
	err := s.app.RunInTransaction(func(tx core.App) error {
		h, err := Update(ctx, tx, o, id, in)
		out = h
		return err
	})
	return out, err
}

// Update is Store.Update within the caller's transaction tx.
func Update(ctx context.Context, tx core.App, o *station.Officer, id string, in Input) (*Household, error) {
	cur, err := Get(ctx, tx, o, id)
	if err != nil {
		return nil, err
	}
	if cur.Archived {
		return nil, &station.Error{Code: station.EConflict, Message: i18n.T("household.archived")}
	}
	if in.BaseRev != "" && in.BaseRev != cur.Rev {
		return nil, &station.Error{Code: station.EConflict, Message: i18n.T("household.stale"), Err: &StaleBase{Current: cur}}
	}
	in.ID = ""
	h, err := validate(dbPlaces{tx}, o, in)
	if err != nil {
		return nil, err
	}
	if err := probeBlocked(o, h.Phones, cur.Phones); err != nil {
		return nil, err
	}
	rec, err := tx.FindRecordById(Collection, id)
	if err != nil {
		return nil, station.Internal(err, "reload household")
	}
	write(rec, h)
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, saveError(tx, o, err, "save household")
	}
	return FromRecord(rec), nil
}

// SetArchived archives a household (or brings it back). Archiving is the
// only delete: visits keep pointing at it, devices receive the tombstone.
// Restoring refuses if another active household took its door meanwhile.
func (s *Store) SetArchived(ctx context.Context, o *station.Officer, id string, archived bool) (*Household, error) {
	var out *Household
	err := s.app.RunInTransaction(func(tx core.App) error {
		if _, err := Get(ctx, tx, o, id); err != nil {
			return err
		}
		rec, err := tx.FindRecordById(Collection, id)
		if err != nil {
			return station.Internal(err, "reload household")
		}
		rec.Set("archived", archived)
		// Restoring is refused by the hooks while another household
		// holds the door or a phone.
		if err := tx.SaveWithContext(ctx, rec); err != nil {
			return saveError(tx, o, err, "archive household")
		}
		out = FromRecord(rec)
		return nil
	})
	return out, err
}

// Query is a registry search. The coverage review's numbers link to the
// queries that list exactly the households they count.
type Query struct {
	Text      string // address fragment, head-of-household name or phone fragment
	Community string
	Grid      string
	Tag       string
	// NotVisitedDays keeps households not visited (met) for at least this
	// many days, never visited included; 0 keeps all.
	NotVisitedDays int
	// VisitedDays keeps households visited (met) within this many days.
	VisitedDays int
	// Never keeps households never visited.
	Never bool
	// WeChat keeps households with a WeChat contact.
	WeChat bool
	// Officer keeps the households of an officer's communities (their id;
	// Communities holds the communities it stands for).
	Officer     string
	Communities []string
	Archived    bool // search the archive instead of active households
	Sort        string
	Limit       int
	Offset      int
	Now         time.Time
}

// Sort orders.
const (
	SortAddress     = "address"
	SortLastVisited = "last_visited" // longest unvisited first
	SortRecent      = "recent"       // most recently visited first
)

// Values is q as the search page's URL says it (links, pages, exports).
func (q Query) Values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	num := func(k string, n int) {
		if n > 0 {
			v.Set(k, strconv.Itoa(n))
		}
	}
	set("q", q.Text)
	set("community", q.Community)
	set("grid", q.Grid)
	set("tag", q.Tag)
	num("days", q.NotVisitedDays)
	num("visited", q.VisitedDays)
	set("officer", q.Officer)
	set("sort", q.Sort)
	if q.Never {
		v.Set("never", "1")
	}
	if q.WeChat {
		v.Set("wechat", "1")
	}
	if q.Archived {
		v.Set("archived", "1")
	}
	return v
}

// QueryOf reads a search from its URL values.
func QueryOf(v url.Values) Query {
	atoi := func(k string) int {
		n, _ := strconv.Atoi(v.Get(k))
		return max(n, 0)
	}
	q := Query{
		Text: strings.TrimSpace(v.Get("q")), Community: v.Get("community"), Grid: v.Get("grid"), Tag: v.Get("tag"),
		NotVisitedDays: atoi("days"), VisitedDays: atoi("visited"), Never: v.Get("never") == "1", WeChat: v.Get("wechat") == "1",
		Officer: v.Get("officer"), Archived: v.Get("archived") == "1", Offset: atoi("offset"), Sort: v.Get("sort"),
	}
	if q.Sort == "" && (q.NotVisitedDays > 0 || q.Never) {
		q.Sort = SortLastVisited
	}
	return q
}

// Result is one page of a search.
type Result struct {
	Items []*Household
	Total int
}

var digitsSepRe = regexp.MustCompile(`^[\d\s\-+()（）]+$`)

// searchTerms splits the user's text into LIKE terms: phone-shaped terms
// lose their separators, everything is width-folded and lower-cased.
func searchTerms(text string) []string {
	text = strings.ToLower(width.Narrow.String(strings.TrimSpace(text)))
	if text == "" {
		return nil
	}
	if digitsSepRe.MatchString(text) {
		return []string{station.PhoneDigits(strings.TrimPrefix(text, "+"))}
	}
	return strings.Fields(text)
}

// inList is a dbx IN over ids (no list at all matches nothing).
func inList(col string, ids []string) dbx.Expression {
	if len(ids) == 0 {
		return dbx.NewExp("1=0")
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return dbx.In(col, args...)
}

// CountArea counts, within tx, the active households of communities and
// those whose WeChat contact is officerID (a handover's preview).
func CountArea(tx core.App, communities []string, officerID string) (all, wechat int, err error) {
	err = tx.DB().Select("COUNT(*)", "COALESCE(SUM(wechat_contact = {:o}), 0)").From(Collection).
		Where(inList("community", communities)).AndWhere(dbx.HashExp{"archived": false}).
		Bind(dbx.Params{"o": officerID}).Row(&all, &wechat)
	if err != nil {
		return 0, 0, fmt.Errorf("count area: %w", err)
	}
	return all, wechat, nil
}

// MoveWeChatContacts makes to the WeChat contact of every household of
// communities whose contact was from, within tx (a handover: the work
// WeChat account goes with the area). Each is saved as a record, so its
// sync stamp moves and the officers' phones pull it.
func MoveWeChatContacts(ctx context.Context, tx core.App, from, to string, communities []string) (int, error) {
	var recs []*core.Record
	err := tx.RecordQuery(Collection).WithContext(ctx).
		AndWhere(inList("community", communities)).AndWhere(dbx.HashExp{"wechat_contact": from}).
		OrderBy("id ASC").All(&recs)
	if err != nil {
		return 0, fmt.Errorf("households to hand over: %w", err)
	}
	for _, r := range recs {
		r.Set("wechat_contact", to)
		if err := tx.SaveWithContext(ctx, r); err != nil {
			return 0, fmt.Errorf("hand over household %s: %w", r.Id, err)
		}
	}
	return len(recs), nil
}
