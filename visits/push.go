package visits

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// IDFacts is what a push has already learned about a visit's id in its
// batched lookups (LookUpIDs).
type IDFacts struct {
	Stored       bool // a visit with this id is stored
	ForeignToken bool // the id is a QR token issued to another officer
}

// PushFacts holds what a push learned of its visits' ids.
type PushFacts map[string]*IDFacts

// Of is the facts of id (empty ones for an id not looked up).
func (f PushFacts) Of(id string) *IDFacts {
	if f[id] == nil {
		f[id] = &IDFacts{}
	}
	return f[id]
}

// LookUpIDs finds, in one query each for the whole push, which of the
// pushed visits' ids are stored and which are QR tokens of another officer.
func LookUpIDs(tx core.App, o *station.Officer, ids []string) (PushFacts, error) {
	facts := make(PushFacts, len(ids))
	if len(ids) == 0 {
		return facts, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var stored []string
	if err := tx.DB().Select("id").From(Collection).Where(dbx.In("id", args...)).Column(&stored); err != nil {
		return nil, fmt.Errorf("look up pushed ids: %w", err)
	}
	for _, id := range stored {
		facts.Of(id).Stored = true
	}
	var foreign []string
	err := tx.DB().Select("id").From(TokenCollection).
		Where(dbx.In("id", args...)).AndWhere(dbx.Not(dbx.HashExp{"officer": o.ID})).Column(&foreign)
	if err != nil {
		return nil, fmt.Errorf("look up pushed tokens: %w", err)
	}
	for _, id := range foreign {
		facts.Of(id).ForeignToken = true
	}
	return facts, nil
}

// SaveKnown is Save within tx, with what a push already knows of in.ID.
func SaveKnown(ctx context.Context, tx core.App, o *station.Officer, in Input, now time.Time, known *IDFacts) (*Visit, string, error) {
	return save(ctx, tx, o, in, now, known)
}
