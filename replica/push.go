package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/i18n"
	"zoufang/patrols"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

// Push limits (DESIGN §6): a push holds at most 1,000 items and 4 MiB.
const (
	MaxPushItems = 1000
	MaxPushBytes = 4 << 20
	// MaxPushDepth is how deeply a push's JSON may nest: an envelope holds
	// lists of items whose fields hold at most a list of strings (depth
	// 3); anything much deeper is refused before it is parsed.
	MaxPushDepth = 8
)

// Envelope is the body of POST /sync/push, items still undecoded: the
// envelope is read first, then each item on its own, so one item that does
// not decode is that item's answer and never the whole push's.
//
//	{"officer": "…", "households": [...], "holiday_watches": [...], "visits": [...]}
type Envelope struct {
	// Officer is who the device believes it is pushing for. A phone that
	// changed hands may hold another officer's records while signed in as
	// someone else: a mismatch refuses the whole push, so nothing is ever
	// saved under the wrong name.
	Officer string
	// Items holds each pushed collection's items.
	Items map[string][]json.RawMessage
	// BaseURL is the site's public address, for links the answer draws
	// (a watch's resident link as a QR); not part of the body.
	BaseURL string
}

// kind is one collection a device pushes: how one of its items is applied
// within the push's transaction. Kinds apply in this order, so a visit
// finds the household made at the door and the watch registered with it.
type kind struct {
	name  string
	apply func(ctx context.Context, tx core.App, o *station.Officer, raw json.RawMessage, env Envelope, now time.Time) Result
}

var kinds = []kind{
	{households.Collection, func(ctx context.Context, tx core.App, o *station.Officer, raw json.RawMessage, _ Envelope, _ time.Time) Result {
		return applyHousehold(ctx, tx, o, raw)
	}},
	{watches.Collection, func(ctx context.Context, tx core.App, o *station.Officer, raw json.RawMessage, env Envelope, _ time.Time) Result {
		return applyWatch(ctx, tx, o, raw, env.BaseURL)
	}},
	{patrols.ShiftsCollection, func(ctx context.Context, tx core.App, o *station.Officer, raw json.RawMessage, _ Envelope, now time.Time) Result {
		return applyShift(ctx, tx, o, raw, now)
	}},
	{patrols.ReportsCollection, func(ctx context.Context, tx core.App, o *station.Officer, raw json.RawMessage, _ Envelope, now time.Time) Result {
		return applyReport(ctx, tx, o, raw, now)
	}},
	// Visits are applied in bulk (their ids are looked up once per push).
	{visits.Collection, nil},
}

// PushedCollections are the collections a device may push, in the order
// they are applied.
func PushedCollections() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.name
	}
	return out
}

// Result is the fate of one pushed item.
type Result struct {
	Collection  string                        `json:"collection"`
	ID          string                        `json:"id"`
	Status      string                        `json:"status"`
	Message     string                        `json:"message,omitempty"`
	Errors      map[string]station.FieldError `json:"errors,omitempty"`
	Doc         any                           `json:"doc,omitempty"`
	DuplicateOf string                        `json:"duplicate_of,omitempty"`

	cause error // an "error" item's cause, for the log
}

// PushAnswer is the body of the answer to a push.
type PushAnswer struct {
	Results []Result `json:"results"`
}

// ReadEnvelope reads a push body of at most MaxPushBytes and MaxPushItems.
func ReadEnvelope(r io.Reader) (Envelope, error) {
	var env Envelope
	body, err := io.ReadAll(io.LimitReader(r, MaxPushBytes+1))
	if err != nil {
		return env, station.Errorf(station.EInvalid, "%s", i18n.T("error.bad_request"))
	}
	if len(body) > MaxPushBytes {
		return env, station.Errorf(station.ETooLarge, "%s", i18n.T("sync.push_too_large", MaxPushBytes>>20, MaxPushItems))
	}
	if jsonDepth(body) > MaxPushDepth {
		return env, station.Errorf(station.EInvalid, "%s", i18n.T("sync.too_deep", MaxPushDepth))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return env, &station.Error{Code: station.EInvalid, Message: i18n.T("error.bad_request"), Err: err}
	}
	bad := func(field string) error {
		msg := i18n.T("sync.bad_envelope", field)
		return &station.Error{Code: station.EInvalid, Message: msg, Fields: map[string]station.FieldError{field: {Code: "type", Message: msg}}}
	}
	env.Items = map[string][]json.RawMessage{}
	n := 0
	for key, v := range raw {
		if key == "officer" {
			if json.Unmarshal(v, &env.Officer) != nil {
				return env, bad(key)
			}
			continue
		}
		if !slices.Contains(PushedCollections(), key) {
			return env, bad(key)
		}
		var items []json.RawMessage
		if json.Unmarshal(v, &items) != nil {
			return env, bad(key)
		}
		env.Items[key] = items
		n += len(items)
	}
	if n > MaxPushItems {
		return env, station.Errorf(station.ETooLarge, "%s", i18n.T("sync.push_too_large", MaxPushBytes>>20, MaxPushItems))
	}
	return env, nil
}

// Push applies every item of env in one transaction, each inside its own
// savepoint: one bad item never blocks or rolls back another, and the
// request pays for one commit, not one per item. Households go first, so
// that visits of a household made at the door find it. If the transaction
// itself fails, nothing was saved and the whole push is an error (the
// device retries it; every item is idempotent). An item that fails for a
// reason of the server's answers "error" and is logged with its cause.
func (s *Store) Push(ctx context.Context, o *station.Officer, env Envelope, now time.Time, log *slog.Logger) (PushAnswer, error) {
	ans := PushAnswer{Results: []Result{}}
	err := s.app.RunInTransaction(func(tx core.App) error {
		for _, k := range kinds {
			if k.apply == nil {
				continue
			}
			for _, raw := range env.Items[k.name] {
				var r Result
				err := savepoint(tx, func() bool {
					r = k.apply(ctx, tx, o, raw, env, now)
					return r.Status == Created || r.Status == Updated
				})
				if err != nil {
					return err
				}
				ans.Results = append(ans.Results, r)
			}
		}
		vs := make([]visitItem, len(env.Items[visits.Collection]))
		for i, raw := range env.Items[visits.Collection] {
			vs[i] = decodeVisit(raw)
		}
		known, err := lookUpVisitIDs(tx, o, vs)
		if err != nil {
			return err
		}
		for _, v := range vs {
			var r Result
			err := savepoint(tx, func() bool {
				r = applyVisit(ctx, tx, o, v, now, known)
				return r.Status == Created || r.Status == Updated
			})
			if err != nil {
				return err
			}
			ans.Results = append(ans.Results, r)
		}
		return nil
	})
	if err != nil {
		return PushAnswer{}, station.Internal(err, "push")
	}
	for _, r := range ans.Results {
		if r.Status == Error && r.cause != nil {
			log.Error("push item failed", "officer", o.ID, "collection", r.Collection, "id", r.ID, "err", r.cause)
		}
	}
	return ans, nil
}

// savepoint runs fn inside a SQLite savepoint of tx and keeps what it
// wrote only if fn says so.
func savepoint(tx core.App, fn func() (keep bool)) error {
	if _, err := station.Prepared(tx, "SAVEPOINT push_item").Execute(); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if !fn() {
		if _, err := station.Prepared(tx, "ROLLBACK TO push_item").Execute(); err != nil {
			return fmt.Errorf("rollback to savepoint: %w", err)
		}
	}
	if _, err := station.Prepared(tx, "RELEASE push_item").Execute(); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// describe puts err's message and field errors on r; an internal error is
// not the item's fault, so it is reported as such and the device retries.
func describe(r *Result, err error) {
	if err == nil {
		return
	}
	var se *station.Error
	if !errors.As(err, &se) {
		se = station.Internal(err, "push item")
	}
	if se.Code == station.EInternal {
		r.Status = Error
		r.cause = se.Err
	}
	r.Message, r.Errors = se.Message, se.Fields
}

// pusher is what the push handler needs.
type pusher interface {
	Push(ctx context.Context, o *station.Officer, env Envelope, now time.Time, log *slog.Logger) (PushAnswer, error)
}

// HandlePush serves POST /sync/push. Live clients hear of what it changed
// through the record hooks (as they hear of office edits and imports), not
// from here.
func HandlePush(p pusher, baseURL func(echo.Context) string, log *slog.Logger) func(c echo.Context) (any, error) {
	return func(c echo.Context) (any, error) {
		o := station.OfficerFrom(c.Request().Context())
		env, err := ReadEnvelope(c.Request().Body)
		if err != nil {
			return nil, err
		}
		env.BaseURL = baseURL(c)
		if env.Officer != "" && env.Officer != o.ID {
			return nil, &station.Error{Code: station.EConflict, Message: i18n.T("sync.wrong_officer"), Fields: map[string]station.FieldError{
				"officer": {Code: "wrong_officer", Message: i18n.T("sync.wrong_officer")},
			}}
		}
		return p.Push(c.Request().Context(), o, env, time.Now(), log)
	}
}

// visitItem is one pushed visit, decoded as far as it would go.
type visitItem struct {
	id  string
	in  visits.Input
	err error // why it did not decode
}

func decodeVisit(raw json.RawMessage) visitItem {
	it, err := decodeItem(raw)
	if err != nil {
		return visitItem{err: err}
	}
	v := visitItem{id: it.id()}
	p := station.Problems{}
	in := &v.in
	it.fields(p, map[string]any{
		"id": &in.ID, "household": &in.Household, "visited_at": &in.VisitedAt, "kind": &in.Kind,
		"outcome": &in.Outcome, "concerns": &in.Concerns, "notes": &in.Notes, "wechat_added": &in.WeChatAdded, "watch": &in.Watch, "dispute": &in.Dispute,
		"check_result": &in.CheckResult,
	})
	v.err = p.Err()
	return v
}

func applyVisit(ctx context.Context, tx core.App, o *station.Officer, it visitItem, now time.Time, known visits.PushFacts) Result {
	r := Result{Collection: visits.Collection, ID: it.id}
	if it.err != nil {
		r.Status = Invalid
		describe(&r, it.err)
		return r
	}
	v, status, err := visits.SaveKnown(ctx, tx, o, it.in, now, known.Of(it.in.ID))
	if err == nil {
		known.Of(it.in.ID).Stored = true // the same id twice in one push is a retry
	}
	r.Status = status
	switch {
	case err == nil:
		r.Doc = v
	case visits.ClosedVisit(err) != nil:
		r.Status, r.Doc = Conflict, visits.ClosedVisit(err)
	default:
		r.Status = Invalid
	}
	describe(&r, err)
	return r
}

func lookUpVisitIDs(tx core.App, o *station.Officer, vs []visitItem) (visits.PushFacts, error) {
	ids := make([]string, 0, len(vs))
	for _, v := range vs {
		if v.err == nil && v.in.ID != "" {
			ids = append(ids, v.in.ID)
		}
	}
	return visits.LookUpIDs(tx, o, ids)
}
