package households

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
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

// Query is a registry search.
type Query struct {
	Text      string // address fragment, head-of-household name or phone fragment
	Community string
	Grid      string
	Tag       string
	// NotVisitedDays keeps households not visited for at least this many
	// days (never visited included); 0 keeps all.
	NotVisitedDays int
	Archived       bool // search the archive instead of active households
	Sort           string
	Limit, Offset  int
	Now            time.Time
}

// Sort orders.
const (
	SortAddress     = "address"
	SortLastVisited = "last_visited" // longest unvisited first
)

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
