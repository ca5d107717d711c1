package station

import (
	"database/sql"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// prepared holds, per open transaction, the statements of Prepared.
var prepared TxLocal[map[string]*dbx.Query]

// Prepared is sql prepared once in tx's transaction (and closed when it
// ends), or a plain query outside one. A push of a thousand visits is one
// transaction that runs the same few statements a thousand times, and
// SQLite's parser was a fifth of its time.
//
// The query is shared by every caller in the transaction, which holds the
// write lock and runs on one goroutine: bind its parameters and run it
// straight away.
func Prepared(tx core.App, sql string) *dbx.Query {
	qs, ok := prepared.Get(tx, func() map[string]*dbx.Query { return map[string]*dbx.Query{} }, func(qs map[string]*dbx.Query) {
		for _, q := range qs {
			_ = q.Close()
		}
	})
	if !ok {
		return tx.DB().NewQuery(sql)
	}
	if q, ok := qs[sql]; ok {
		// Bind merges into the parameters of the last run: start afresh,
		// so a parameter left unbound is an error, not the last value.
		clear(q.Params())
		return q
	}
	q := tx.DB().NewQuery(sql).Prepare()
	if q.LastError != nil {
		return tx.DB().NewQuery(sql)
	}
	qs[sql] = q
	return q
}

// FindRecord is tx.FindRecordById for the hot paths of a write
// transaction: the same record, read through a statement prepared once
// per transaction (PocketBase builds, parses and times out each lookup
// afresh, which was a fifth of a push's time). Outside a transaction, or
// for an auth collection, it is FindRecordById. A missing record is
// sql.ErrNoRows.
func FindRecord(tx core.App, collection, id string) (*core.Record, error) {
	if tx.TxInfo() == nil {
		return tx.FindRecordById(collection, id)
	}
	coll, err := tx.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, fmt.Errorf("find record: %w", err)
	}
	if !coll.IsBase() {
		// An auth record's password field keeps more than its column;
		// only PocketBase builds those right.
		return tx.FindRecordById(collection, id)
	}
	row := dbx.NullStringMap{}
	q := Prepared(tx, "SELECT * FROM {{"+coll.Name+"}} WHERE [[id]] = {:id} LIMIT 1")
	if err := q.Bind(dbx.Params{"id": id}).One(row); err != nil {
		return nil, err
	}
	rec := core.NewRecord(coll)
	for _, f := range coll.Fields {
		var raw any
		if s, ok := row[f.GetName()]; ok && s.Valid {
			raw = s.String
		}
		v, err := f.PrepareValue(rec, raw)
		if err != nil {
			return nil, fmt.Errorf("find record: field %s: %w", f.GetName(), err)
		}
		rec.SetRaw(f.GetName(), v)
	}
	rec.Id = rec.GetString(core.FieldNameId)
	if rec.Id == "" {
		return nil, sql.ErrNoRows
	}
	if err := rec.PostScan(); err != nil {
		return nil, fmt.Errorf("find record: %w", err)
	}
	return rec, nil
}
