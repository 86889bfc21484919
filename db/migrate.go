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
	migrateSignInThrottle,       // issue 13: sign-in throttle, session epoch, theme versions
	migrateSessionEpoch,
	migrateThemeVersion,
	migrateEditorSafety, // issue 14: slug redirects, drafts, import history (migrate.go)
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

// hasColumn reports whether table has column (for migrations that add one and
// must not fail where it exists already).
func hasColumn(ctx context.Context, tx *sql.Tx, table, column string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", table, column).Scan(&n)
	return n > 0, err
}

// addColumn adds column to table with its definition unless it is there.
func addColumn(ctx context.Context, tx *sql.Tx, table, column, definition string) error {
	ok, err := hasColumn(ctx, tx, table, column)
	if err != nil || ok {
		return err
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", table, column, definition))
	return err
}

// migrateSignInThrottle replaces the lockout per e-mail address (login_failures)
// by the growing wait per address and client (login_throttle, login_clients,
// which schema.sql has just created). Counts of the old lockout are dropped: at
// worst someone gets a few more attempts once.
func migrateSignInThrottle(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS login_failures")
	return err
}

// migrateSessionEpoch gives accounts the session epoch that a password change
// moves on; sessions made before it carry none, which counts as epoch 0.
func migrateSessionEpoch(ctx context.Context, tx *sql.Tx) error {
	return addColumn(ctx, tx, "users", "session_epoch", "INTEGER NOT NULL DEFAULT 0")
}

// migrateThemeVersion gives theme texts a version for optimistic locking.
func migrateThemeVersion(ctx context.Context, tx *sql.Tx) error {
	return addColumn(ctx, tx, "themes", "version", "INTEGER NOT NULL DEFAULT 1")
}

// migrateEditorSafety adds what keeps editors from losing work or breaking the
// site: old slugs that redirect, drafts of case forms, the history of figure
// imports with what each replaced, and an index for "recently changed". It only
// creates (IF NOT EXISTS, as schema.sql, which ran just before): safe in any
// order relative to other migrations.
func migrateEditorSafety(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS case_slug_redirects (
			old_slug   TEXT PRIMARY KEY,
			case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
			created_at TEXT NOT NULL
		) STRICT`,
		`CREATE INDEX IF NOT EXISTS case_slug_redirects_case ON case_slug_redirects (case_id)`,
		`CREATE TABLE IF NOT EXISTS case_drafts (
			user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			form_key   TEXT NOT NULL,
			case_id    INTEGER REFERENCES cases (id) ON DELETE CASCADE,
			content    TEXT NOT NULL,
			saved      INTEGER NOT NULL DEFAULT 0 CHECK (saved IN (0, 1)),
			updated_at TEXT NOT NULL,
			PRIMARY KEY (user_id, form_key)
		) STRICT`,
		`CREATE INDEX IF NOT EXISTS case_drafts_case ON case_drafts (user_id, case_id, updated_at)`,
		`CREATE TABLE IF NOT EXISTS figure_imports (
			id             INTEGER PRIMARY KEY,
			period         TEXT NOT NULL,
			filename       TEXT NOT NULL,
			user_id        INTEGER REFERENCES users (id),
			actor          TEXT NOT NULL,
			created_at     TEXT NOT NULL,
			summary        TEXT NOT NULL,
			lost_gemeenten INTEGER NOT NULL DEFAULT 0,
			snapshot       BLOB NOT NULL,
			undone_at      TEXT,
			undone_by      TEXT
		) STRICT`,
		`CREATE INDEX IF NOT EXISTS figure_imports_period ON figure_imports (period, id)`,
		`CREATE INDEX IF NOT EXISTS cases_updated ON cases (updated_at)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
