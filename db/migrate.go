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
	migrateSearchIndex,
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
		if err := ensureSearchIndex(ctx, tx, false); err != nil {
			return err
		}
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
	// After every migration, whatever their order: a document may use their columns.
	if err := ensureSearchIndex(ctx, tx, version == 0); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion())); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	return mapError(tx.Commit())
}

// migrateSearchIndex replaces the first release's full-text index (cases_fts, an
// external-content table over the view cases_search, kept by triggers) with
// case_search, which the db package writes itself (searchindex.go). schema.sql has
// created case_search already; ensureSearchIndex fills it once every migration has
// run. It touches no other table.
func migrateSearchIndex(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range []string{
		"DROP TRIGGER IF EXISTS cases_fts_insert",
		"DROP TRIGGER IF EXISTS cases_fts_update",
		"DROP TRIGGER IF EXISTS cases_fts_delete",
		"DROP TABLE IF EXISTS cases_fts",
		"DROP VIEW IF EXISTS cases_search",
		"DELETE FROM settings WHERE name = 'search-document-version'",
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}
