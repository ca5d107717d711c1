package visits

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/station"
)

// Sync limits (DESIGN §6): a push holds at most 1,000 items and 4 MiB; a
// pull page at most 1,000 documents.
const (
	MaxPushItems   = 1000
	MaxPushBytes   = 4 << 20
	MaxPullLimit   = 1000
	DefaultPull    = 500
	ReplicaWindow  = 90 * 24 * time.Hour // how far back devices keep visits
	CollHouseholds = "households"
	CollVisits     = "visits"
	CollWatches    = "holiday_watches"
)

// Checkpoint is where a device's pull of one collection stands: the sync
// stamp and id of the last document it has.
type Checkpoint struct {
	Updated string `json:"updated"`
	ID      string `json:"id"`
}

// PullAnswer is one page of a pull.
type PullAnswer struct {
	Docs       []any      `json:"docs"`
	Checkpoint Checkpoint `json:"checkpoint"`
	More       bool       `json:"more"`
	// Scope changes when the officer's area does; a device that sees a new
	// scope drops its replica and pulls again from the start.
	Scope string `json:"scope"`
}

// Scope is a fingerprint of who is signed in and what they may see: a
// device that sees it change (another officer on a shared phone, or an
// officer given other communities) starts its replica afresh.
func Scope(o *station.Officer) string {
	cs := slices.Clone(o.Communities)
	slices.Sort(cs)
	sum := sha256.Sum256([]byte(o.ID + "|" + o.Role + "|" + strings.Join(cs, ",")))
	return hex.EncodeToString(sum[:8])
}

func inCommunities(col string, o *station.Officer) dbx.Expression {
	ids := make([]any, len(o.Communities))
	for i, c := range o.Communities {
		ids[i] = c
	}
	if len(ids) == 0 {
		return dbx.NewExp("1=0")
	}
	return dbx.In(col, ids...)
}

func after(table string, cp Checkpoint) dbx.Expression {
	return dbx.NewExp("([["+table+".updated]] > {:cu} OR ([["+table+".updated]] = {:cu} AND [["+table+".id]] > {:ci}))",
		dbx.Params{"cu": cp.Updated, "ci": cp.ID})
}

// Pull returns the page after cp of collection, scoped to what o may see
// and ordered by (updated, id), tombstones (archived households, ended
// watches) included.
func Pull(app core.App, o *station.Officer, collection string, cp Checkpoint, limit int, now time.Time) (PullAnswer, error) {
	if limit <= 0 {
		limit = DefaultPull
	}
	limit = min(limit, MaxPullLimit)
	q := app.RecordQuery(collection)
	switch collection {
	case CollHouseholds:
		if !o.IsChief() {
			q = q.AndWhere(inCommunities("households.community", o))
		}
	case CollVisits:
		q = q.AndWhere(dbx.NewExp("[[visits.visited_at]] >= {:since}", dbx.Params{"since": dbTime(now.Add(-ReplicaWindow))}))
		if !o.IsChief() {
			q = q.InnerJoin("households", dbx.NewExp("[[households.id]] = [[visits.household]]")).
				AndWhere(dbx.Or(dbx.HashExp{"visits.officer": o.ID}, inCommunities("households.community", o)))
		}
	case CollWatches:
		if !o.IsChief() {
			q = q.InnerJoin("households", dbx.NewExp("[[households.id]] = [[holiday_watches.household]]")).
				AndWhere(inCommunities("households.community", o))
		}
	default:
		return PullAnswer{}, station.Errorf(station.EInvalid, "%s", i18n.T("sync.unknown_collection"))
	}
	var recs []*core.Record
	err := q.AndWhere(after(collection, cp)).
		OrderBy(collection+".updated ASC", collection+".id ASC").
		Limit(int64(limit + 1)).All(&recs)
	if err != nil {
		return PullAnswer{}, station.Internal(err, "pull "+collection)
	}
	ans := PullAnswer{Docs: []any{}, Checkpoint: cp, Scope: Scope(o)}
	if len(recs) > limit {
		ans.More, recs = true, recs[:limit]
	}
	for _, r := range recs {
		switch collection {
		case CollHouseholds:
			ans.Docs = append(ans.Docs, households.FromRecord(r))
		case CollVisits:
			ans.Docs = append(ans.Docs, FromRecord(r))
		case CollWatches:
			ans.Docs = append(ans.Docs, WatchFromRecord(r))
		}
		ans.Checkpoint = Checkpoint{Updated: r.GetString("updated"), ID: r.Id}
	}
	return ans, nil
}

// HandlePull serves GET /sync/pull?collection=C&updated=U&id=I&limit=N.
func HandlePull(app core.App) echo.HandlerFunc {
	return func(c echo.Context) error {
		o := station.OfficerFrom(c.Request().Context())
		limit, _ := strconv.Atoi(c.QueryParam("limit"))
		ans, err := Pull(app, o, c.QueryParam("collection"), Checkpoint{Updated: c.QueryParam("updated"), ID: c.QueryParam("id")}, limit, time.Now())
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, ans)
	}
}

// PushRequest is the body of POST /sync/push.
type PushRequest struct {
	// Officer is who the device believes it is pushing for. A phone that
	// changed hands may hold another officer's records while signed in as
	// someone else: a mismatch refuses the whole push, so nothing is ever
	// saved under the wrong name.
	Officer    string            `json:"officer"`
	Households []households.Push `json:"households"`
	Visits     []Input           `json:"visits"`
}

// PushResult is the fate of one pushed item.
type PushResult struct {
	Collection  string                        `json:"collection"`
	ID          string                        `json:"id"`
	Status      string                        `json:"status"`
	Message     string                        `json:"message,omitempty"`
	Errors      map[string]station.FieldError `json:"errors,omitempty"`
	Doc         any                           `json:"doc,omitempty"`
	DuplicateOf string                        `json:"duplicate_of,omitempty"`
}

// PushAnswer is the body of the answer to a push.
type PushAnswer struct {
	Results []PushResult `json:"results"`
}

// Push applies every item of req in one transaction, each inside its own
// savepoint: one bad item never blocks or rolls back another, and the
// request pays for one commit, not one per item. Households go first, so
// that visits of a household made at the door find it. If the transaction
// itself fails, nothing was saved and the whole push is an error (the
// device retries it; every item is idempotent).
func Push(ctx context.Context, app core.App, o *station.Officer, req PushRequest, now time.Time) (PushAnswer, error) {
	ans := PushAnswer{Results: make([]PushResult, 0, len(req.Households)+len(req.Visits))}
	err := app.RunInTransaction(func(tx core.App) error {
		for _, p := range req.Households {
			var a households.Applied
			err := savepoint(tx, func() bool {
				a = households.Apply(ctx, tx, o, p)
				return a.Status == households.SyncCreated || a.Status == households.SyncUpdated
			})
			if err != nil {
				return err
			}
			r := PushResult{Collection: CollHouseholds, ID: p.ID, Status: a.Status}
			if a.Doc != nil {
				r.Doc = a.Doc
			}
			if a.Status == households.SyncDuplicate {
				r.DuplicateOf = a.Doc.ID
			}
			describe(&r, a.Err)
			ans.Results = append(ans.Results, r)
		}
		known, err := lookUpIDs(tx, o, req.Visits)
		if err != nil {
			return err
		}
		for _, in := range req.Visits {
			var (
				v      *Visit
				status string
				err    error
			)
			serr := savepoint(tx, func() bool {
				v, status, err = save(ctx, tx, o, in, now, known.of(in.ID))
				return err == nil
			})
			if err == nil {
				known.of(in.ID).stored = true // the same id twice in one push is a retry
			}
			if serr != nil {
				return serr
			}
			r := PushResult{Collection: CollVisits, ID: in.ID, Status: status}
			switch {
			case err == nil:
				r.Doc = v
			case ClosedVisit(err) != nil:
				r.Status, r.Doc = "conflict", ClosedVisit(err)
			default:
				r.Status = "invalid"
			}
			describe(&r, err)
			ans.Results = append(ans.Results, r)
		}
		return nil
	})
	if err != nil {
		return PushAnswer{}, station.Internal(err, "push")
	}
	return ans, nil
}

// pushFacts holds what a push learned of its visits' ids.
type pushFacts map[string]*idFacts

func (f pushFacts) of(id string) *idFacts {
	if f[id] == nil {
		f[id] = &idFacts{}
	}
	return f[id]
}

// lookUpIDs finds, in one query each for the whole push, which of the
// pushed visits' ids are stored and which are QR tokens of another officer.
func lookUpIDs(tx core.App, o *station.Officer, vs []Input) (pushFacts, error) {
	facts := make(pushFacts, len(vs))
	ids := make([]any, 0, len(vs))
	for _, v := range vs {
		if v.ID != "" {
			ids = append(ids, v.ID)
		}
	}
	if len(ids) == 0 {
		return facts, nil
	}
	var stored []string
	if err := tx.DB().Select("id").From(Collection).Where(dbx.In("id", ids...)).Column(&stored); err != nil {
		return nil, fmt.Errorf("look up pushed ids: %w", err)
	}
	for _, id := range stored {
		facts.of(id).stored = true
	}
	var foreign []string
	err := tx.DB().Select("id").From(TokenCollection).
		Where(dbx.In("id", ids...)).AndWhere(dbx.Not(dbx.HashExp{"officer": o.ID})).Column(&foreign)
	if err != nil {
		return nil, fmt.Errorf("look up pushed tokens: %w", err)
	}
	for _, id := range foreign {
		facts.of(id).foreignToken = true
	}
	return facts, nil
}

// savepoint runs fn inside a SQLite savepoint of tx and keeps what it
// wrote only if fn says so.
func savepoint(tx core.App, fn func() (keep bool)) error {
	if _, err := tx.DB().NewQuery("SAVEPOINT push_item").Execute(); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if !fn() {
		if _, err := tx.DB().NewQuery("ROLLBACK TO push_item").Execute(); err != nil {
			return fmt.Errorf("rollback to savepoint: %w", err)
		}
	}
	if _, err := tx.DB().NewQuery("RELEASE push_item").Execute(); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// describe puts err's message and field errors on r; an internal error is
// not the item's fault, so it is reported as such and the device retries.
func describe(r *PushResult, err error) {
	if err == nil {
		return
	}
	var se *station.Error
	if !errors.As(err, &se) {
		se = station.Internal(err, "push")
	}
	if se.Code == station.EInternal {
		r.Status = "error"
	}
	r.Message, r.Errors = se.Message, se.Fields
}

// HandlePush serves POST /sync/push.
// Live clients hear of what it changed through the record hooks (the same
// way they hear of office edits and imports), not from here.
func HandlePush(app core.App) echo.HandlerFunc {
	return func(c echo.Context) error {
		o := station.OfficerFrom(c.Request().Context())
		body, err := io.ReadAll(io.LimitReader(c.Request().Body, MaxPushBytes+1))
		if err != nil {
			return station.Errorf(station.EInvalid, "%s", i18n.T("error.bad_request"))
		}
		if len(body) > MaxPushBytes {
			return station.Errorf(station.ETooLarge, "%s", i18n.T("sync.push_too_large", MaxPushBytes>>20, MaxPushItems))
		}
		var req PushRequest
		if err := json.Unmarshal(body, &req); err != nil {
			return &station.Error{Code: station.EInvalid, Message: i18n.T("error.bad_request"), Err: err}
		}
		if len(req.Households)+len(req.Visits) > MaxPushItems {
			return station.Errorf(station.ETooLarge, "%s", i18n.T("sync.push_too_large", MaxPushBytes>>20, MaxPushItems))
		}
		if req.Officer != "" && req.Officer != o.ID {
			return &station.Error{Code: station.EConflict, Message: i18n.T("sync.wrong_officer"), Fields: map[string]station.FieldError{
				"officer": {Code: "wrong_officer", Message: i18n.T("sync.wrong_officer")},
			}}
		}
		ans, err := Push(c.Request().Context(), app, o, req, time.Now())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, ans)
	}
}
