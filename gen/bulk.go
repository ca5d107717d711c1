package gen

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// bulk inserts rows into one table through one prepared statement, a row
// at a time. Measured on 300,000 visits: one row a statement took 7 s,
// eight rows 14 s, 32 rows 18 s — a statement that inserts several rows
// needs SQLite's statement journal, and the driver matches each parameter
// to its argument by a linear search.
type bulk struct {
	table string
	stmt  *sql.Stmt
	ncols int
	rows  int // inserted so far
}

func newBulk(ctx context.Context, tx *sql.Tx, table string, cols []string) (*bulk, error) {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = "[" + c + "]"
	}
	q := "INSERT INTO [" + table + "] (" + strings.Join(quoted, ",") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare %s insert: %w", table, err)
	}
	return &bulk{table: table, stmt: stmt, ncols: len(cols)}, nil
}

// add inserts one row, given in the order of the columns.
func (b *bulk) add(ctx context.Context, vals ...any) error {
	if len(vals) != b.ncols {
		return fmt.Errorf("%s: %d values for %d columns", b.table, len(vals), b.ncols)
	}
	if _, err := b.stmt.ExecContext(ctx, vals...); err != nil {
		return fmt.Errorf("insert into %s: %w", b.table, err)
	}
	b.rows++
	return nil
}

func (b *bulk) close() error { return b.stmt.Close() }
