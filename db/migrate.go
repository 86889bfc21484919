package db

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
)

// migrations are the ordered schema changes made after the first release of
// schema.sql. migrations[i] brings user_version from i+1 to i+2. A new database gets
// schema.sql (which always holds the whole current schema) and skips them all.
var migrations = []func(ctx context.Context, tx *sql.Tx) error{
	migrateNationalFigureStatus, // issue 11: bijgesteld, corrected notes (migrate_figures.go)
}

// SchemaVersion is the user_version of a database that is fully up to date.
func SchemaVersion() int { return 1 + len(migrations) }

// migrate applies the schema, the migrations and, on a new file, the seed data,
// all in one transaction: a start that fails half-way leaves the file untouched.
func migrate(ctx context.Context, w *sql.DB, schema string) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", mapError(err))
	}
	defer tx.Rollback()

	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > SchemaVersion() {
		return fmt.Errorf("database has schema version %d, this program knows up to %d: use a newer program", version, SchemaVersion())
	}
	// Every statement in schema.sql is "IF NOT EXISTS": on an up-to-date file this
	// changes nothing.
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		if version == SchemaVersion() && isReadOnly(err) {
			// An up-to-date file that cannot be written (a read-only file or
			// volume, a full disk): serve it, and every write fails with ErrReadOnly.
			slog.WarnContext(ctx, "database cannot be written: serving reads only", "err", err.Error())
			return nil
		}
		return fmt.Errorf("apply schema: %w", err)
	}
	if version == SchemaVersion() {
		return mapError(tx.Commit())
	}
	if version == 0 {
		if err := seed(ctx, tx); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	} else {
		for v := version; v < SchemaVersion(); v++ {
			if err := migrations[v-1](ctx, tx); err != nil {
				return fmt.Errorf("migrate to version %d: %w", v+1, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion())); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	return mapError(tx.Commit())
}
