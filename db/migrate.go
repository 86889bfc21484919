package db

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
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
	migrateCaseModel,    // issue 10: what became of an initiative (migrate.go)
	migrateNewThemes,    // issue 10: the five themes the first release lacked
	migrateSeedLedger,   // issue 10: which cases the first release seeded
	migrateSearchIndex,  // issue 9: the search index written from Go (searchindex.go)
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
		// The seed files may be newer than the database (a new release with more
		// cases); when they are not, this reads nothing but one setting.
		if _, err := syncSeedCases(ctx, tx); err != nil {
			if isReadOnly(err) {
				slog.WarnContext(ctx, "database cannot be written: seed cases not synchronised, serving reads only", "err", err.Error())
				return nil
			}
			return fmt.Errorf("seed cases: %w", err)
		}
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
	if _, err := syncSeedCases(ctx, tx); err != nil {
		return fmt.Errorf("seed cases: %w", err)
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

// caseModelColumns are the columns of cases added after the first release, as
// schema.sql declares them (a new database gets them from there).
var caseModelColumns = []struct{ name, decl string }{
	{"stage", `TEXT NOT NULL DEFAULT 'onbekend' CHECK (stage IN ('plan', 'in-uitvoering', 'gerealiseerd', 'beeindigd', 'onbekend'))`},
	{"stage_date", `TEXT NOT NULL DEFAULT '' CHECK (stage_date = '' OR stage_date GLOB '[12][0-9][0-9][0-9]'
		OR stage_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]' OR stage_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]')`},
	{"target_groups", `TEXT NOT NULL DEFAULT ''`},
	{"homes_qualifier", `TEXT CHECK (homes_qualifier IN ('doel', 'gerealiseerd', 'maximaal'))`},
	{"people_qualifier", `TEXT CHECK (people_qualifier IN ('doel', 'gerealiseerd', 'maximaal'))`},
	{"financing", `TEXT NOT NULL DEFAULT ''`},
	{"lessons_hard", `TEXT NOT NULL DEFAULT ''`},
	{"lessons_worked", `TEXT NOT NULL DEFAULT ''`},
	{"province_code", `TEXT REFERENCES provinces (code)`},
	{"source_checked", `TEXT NOT NULL DEFAULT '' CHECK (source_checked = ''
		OR source_checked GLOB '[12][0-9][0-9][0-9]-[01][0-9]' OR source_checked GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]')`},
}

// migrateCaseModel gives cases the fields that tell what became of an initiative
// (stage and its date, target groups, qualified numbers, financing, lessons, a
// province, the source check). Existing cases get the defaults: stage onbekend,
// everything else empty. The tables case_gemeenten and seeded_cases come from
// schema.sql, which runs before the migrations. Only columns missing are added,
// so the order among other migrations does not matter.
func migrateCaseModel(ctx context.Context, tx *sql.Tx) error {
	for _, c := range caseModelColumns {
		if err := addColumn(ctx, tx, "cases", c.name, c.decl); err != nil {
			return fmt.Errorf("add cases.%s: %w", c.name, err)
		}
	}
	return nil
}

// migrateNewThemes adds the themes of seed/themes.json that the database lacks,
// with their texts (the first release had 13; the cases added later use five
// more). Themes that exist, and texts editors changed, stay as they are.
func migrateNewThemes(ctx context.Context, tx *sql.Tx) error {
	var themes []struct{ Slug, Label string }
	if err := readJSON("seed/themes.json", &themes); err != nil {
		return err
	}
	var texts map[string]struct{ Intro, When string }
	if err := readJSON("seed/theme-texts.json", &texts); err != nil {
		return err
	}
	for i, t := range themes {
		txt := texts[t.Slug]
		if _, err := tx.ExecContext(ctx, `INSERT INTO themes (slug, label, position, intro, when_text)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING`, t.Slug, t.Label, i, txt.Intro, txt.When); err != nil {
			return fmt.Errorf("add theme %s: %w", t.Slug, err)
		}
	}
	return nil
}

// releaseOneSeed is the slug of each case the first release seeded, in the order
// of its seed file: entry i was written from cases-facts.json#i.
var releaseOneSeed = []string{
	"startblok-riekerhaven", "startblok-elzenhagen", "stek-oost", "plan-einstein", "place2bu",
	"majella-wonen", "soza-den-haag", "nieuw-thuis-rotterdam", "huisvestingsplan-rotterdam-2021",
	"castricum-containerwoningen", "middelburg-buitenruststraat", "emmen-uwv-kantoor-boslaan",
	"assen-flexwoningen-groene-dijk", "kasteel-ooijen-doorstroomvoorziening", "actieplan-statushouders-eindhoven",
	"meerhoven-verplaatsbare-woningen", "eindhoven-belastingkantoor", "actieplan-woonstart-breda",
	"woonpilot-zwolle", "kamergewijze-verhuur-achterhoek", "tijdelijke-woonunits-sinderen",
	"utrecht-zes-weken-toewijzing", "takecarebnb", "gemeentelijk-versnellingsarrangement",
}

// migrateSeedLedger records in seeded_cases the cases the first release seeded,
// so that syncSeedCases knows them: it recognises each by its first revision
// (written by the seed, under the slug the seed gave it, whatever the slug is now)
// and notes the version and content the seed wrote. An editor's later change moved
// the version on, so the corrected seed text passes it by; a case that is gone was
// deleted by an editor and is recorded without a case, so it is not seeded again.
func migrateSeedLedger(ctx context.Context, tx *sql.Tx) error {
	found := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT r.case_id, r.content, r.created_at FROM case_revisions r
		WHERE r.version = 1 AND r.editor_id IS NULL AND r.editor_name = ? AND r.note = ?`, seedEditor, seedNoteNew)
	if err != nil {
		return err
	}
	type seeded struct {
		id      int64
		facts   string
		digest  string
		created string
	}
	var list []seeded
	for rows.Next() {
		var (
			s       seeded
			content string
		)
		if err := rows.Scan(&s.id, &content, &s.created); err != nil {
			rows.Close()
			return err
		}
		in, _, err := decodeRevision(content)
		if err != nil {
			rows.Close()
			return fmt.Errorf("first revision of case %d: %w", s.id, err)
		}
		i := slices.Index(releaseOneSeed, in.Slug)
		if i < 0 {
			continue
		}
		s.facts = fmt.Sprintf("cases-facts.json#%d", i)
		s.digest = contentDigest(in)
		found[in.Slug] = true
		list = append(list, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range list {
		if _, err := tx.ExecContext(ctx, `INSERT INTO seeded_cases (facts, case_id, version, digest, seeded_at, updated_at)
			VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (facts) DO NOTHING`, s.facts, s.id, s.digest, s.created, s.created); err != nil {
			return err
		}
	}
	ts, err := sqliteNow(ctx, tx)
	if err != nil {
		return err
	}
	for i, slug := range releaseOneSeed {
		if found[slug] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO seeded_cases (facts, case_id, version, digest, seeded_at, updated_at)
			VALUES (?, NULL, 0, '', ?, ?) ON CONFLICT (facts) DO NOTHING`, fmt.Sprintf("cases-facts.json#%d", i), ts, ts); err != nil {
			return err
		}
	}
	return nil
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
