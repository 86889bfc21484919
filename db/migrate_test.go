package db

import (
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// releaseFile copies the database that the first release (schema version 1, commit
// 8626417) created on its first start into a temporary folder and returns its path.
// Every migration is tested on it: an upgrade must keep what that file holds.
func releaseFile(t testing.TB) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "release-1.db.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "release-1.db")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// openRelease opens a copy of the first release's database with this code, which
// upgrades it, and closes it when the test ends.
func openRelease(t testing.TB) *DB {
	t.Helper()
	d := openFile(t, releaseFile(t))
	t.Cleanup(func() { d.Close() })
	return d
}

func TestReleaseOneDatabaseOpensAtTheCurrentVersion(t *testing.T) {
	d := openRelease(t)
	var version, cases int
	if err := d.r.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != SchemaVersion() {
		t.Errorf("user_version %d, want %d", version, SchemaVersion())
	}
	if err := d.r.QueryRow("SELECT count(*) FROM cases WHERE status = 'gepubliceerd'").Scan(&cases); err != nil {
		t.Fatal(err)
	}
	if cases < 24 {
		t.Errorf("%d published cases after the upgrade, want the release's 24 or more", cases)
	}
}

// The release's file gets the sign-in throttle, the session epoch and the theme
// versions, and keeps its themes' texts.
func TestMigrationsOfProxyBranchOnReleaseOne(t *testing.T) {
	d := openRelease(t)
	var n int
	if err := d.r.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'login_failures'").Scan(&n); err != nil || n != 0 {
		t.Errorf("login_failures still there (%d, %v)", n, err)
	}
	for _, table := range []string{"login_throttle", "login_clients"} {
		if err := d.r.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Errorf("%s: %v", table, err)
		}
	}
	ctx := context.Background()
	admin, err := d.CreateUser(ctx, UserInput{Email: "baas@example.org", Role: RoleAdmin, Password: "een heel lang wachtwoord"}, nil)
	if err != nil || admin.SessionEpoch != 0 {
		t.Fatalf("new account on the upgraded file: %+v, %v", admin, err)
	}
	if _, err := d.Authenticate(ctx, "baas@example.org", "fout", "c"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("a failed sign-in on the upgraded file: %v", err)
	}
	themes, err := d.Themes(ctx)
	if err != nil || len(themes) == 0 {
		t.Fatalf("themes: %d, %v", len(themes), err)
	}
	th := themes[0]
	if th.Version != 1 {
		t.Errorf("theme %s has version %d, want 1", th.Slug, th.Version)
	}
	if _, err := d.UpdateTheme(ctx, th.Slug, 1, th.Intro+" Meer.", th.WhenText, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := d.UpdateTheme(ctx, th.Slug, 1, "Oud.", th.WhenText, admin); !errors.Is(err, ErrConflict) {
		t.Fatalf("a save from the old version: %v, want ErrConflict", err)
	}
	if _, err := d.ChangePassword(ctx, admin.ID, "een heel lang wachtwoord", "nog een heel lang wachtwoord", "c"); err != nil {
		t.Fatal(err)
	}
}

// schemaSQL returns the stored definitions of the figures tables and of the
// triggers and indexes on them, with the quotes ALTER TABLE … RENAME adds removed.
func schemaSQL(t *testing.T, d *DB) map[string]string {
	t.Helper()
	rows, err := d.r.Query(`SELECT type || ' ' || name, sql FROM sqlite_schema
		WHERE sql IS NOT NULL AND tbl_name IN ('periods', 'taakstellingen', 'realisaties')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, s string
		if err := rows.Scan(&name, &s); err != nil {
			t.Fatal(err)
		}
		out[name] = strings.Join(strings.Fields(strings.ReplaceAll(s, `"periods"`, "periods")), " ")
	}
	return out
}

func TestMigrateNationalFigureStatusOnTheReleaseFile(t *testing.T) {
	ctx := context.Background()
	path := releaseFile(t)
	raw := openReadOnly(t, path)
	var taakBefore, realBefore, lowered int
	raw.QueryRow("SELECT count(*) FROM taakstellingen").Scan(&taakBefore)
	raw.QueryRow("SELECT count(*) FROM realisaties").Scan(&realBefore)
	raw.QueryRow("SELECT count(*) FROM periods WHERE total_status = 'vastgesteld (verlaagd)'").Scan(&lowered)
	raw.Close()
	if taakBefore == 0 || realBefore == 0 || lowered != 3 {
		t.Fatalf("the release file is not what this test expects: %d taakstellingen, %d realisaties, %d lowered", taakBefore, realBefore, lowered)
	}

	d := openFile(t, path)
	closed := false
	defer func() {
		if !closed {
			d.Close()
		}
	}()
	var version, taakAfter, realAfter int
	d.r.QueryRow("PRAGMA user_version").Scan(&version)
	d.r.QueryRow("SELECT count(*) FROM taakstellingen").Scan(&taakAfter)
	d.r.QueryRow("SELECT count(*) FROM realisaties").Scan(&realAfter)
	if version != SchemaVersion() || taakAfter != taakBefore || realAfter != realBefore {
		t.Fatalf("after the upgrade: version %d (want %d), %d taakstellingen (had %d), %d realisaties (had %d)",
			version, SchemaVersion(), taakAfter, taakBefore, realAfter, realBefore)
	}
	periods, err := d.Periods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range periods {
		want := map[string]string{"2019-H1": TotalAdjusted, "2023-H2": TotalAdjusted, "2025-H1": TotalAdjusted, "2025-H2": TotalSet, "2018-H2": TotalForecast}[p.Code]
		if want != "" && p.TotalStatus != want {
			t.Errorf("%s: status %q, want %q", p.Code, p.TotalStatus, want)
		}
		switch p.Code {
		case "2016-H2":
			if !strings.Contains(p.Note, "ongeveer 4.714 per maand, de achterstand inbegrepen") {
				t.Errorf("2016-H2 note not corrected: %q", p.Note)
			}
		case "2022-H2":
			if !strings.Contains(p.Note, "1.833 volgens NRC, 1.836 volgens Trouw") || !strings.Contains(p.Note, "niet 13.500 maar 20.000") {
				t.Errorf("2022-H2 note not corrected: %q", p.Note)
			}
		}
	}
	// The same tables, constraints, indexes and triggers as a new file.
	fresh := openTest(t)
	got, want := schemaSQL(t, d), schemaSQL(t, fresh)
	for name, s := range want {
		if got[name] != s {
			t.Errorf("%s after the upgrade:\n%s\nwant (as a new file):\n%s", name, got[name], s)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d definitions after the upgrade, a new file has %d", len(got), len(want))
	}
	// The same figures as a new file computes (the release seeded the same ones).
	if figureDigest(t, d) != figureDigest(t, fresh) {
		t.Error("the upgrade changed the taakstellingen or realisaties")
	}
	// Constraints and triggers work on the rebuilt tables.
	var check string
	d.r.QueryRow("PRAGMA integrity_check").Scan(&check)
	fkProblems := queryInt(t, d, "SELECT count(*) FROM pragma_foreign_key_check")
	if check != "ok" || fkProblems != 0 {
		t.Errorf("integrity %q, %d foreign key problems", check, fkProblems)
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO taakstellingen (period, division, gemeente_code, amount, basis) VALUES ('2031-H1', 2025, 'GM0344', 1, 'berekend')")
		return err
	})
	if err == nil {
		t.Error("a taakstelling for a period that does not exist was accepted: the foreign key is gone")
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("UPDATE periods SET total_status = 'vastgesteld (verlaagd)' WHERE code = '2019-H1'")
		return err
	})
	if err == nil {
		t.Error("the old status is still allowed")
	}
	var v1, v2 int64
	d.r.QueryRow("SELECT version FROM figures_version").Scan(&v1)
	if err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("UPDATE realisaties SET realised = realised + 1 WHERE period = '2025-H2' AND gemeente_code = 'GM0344' AND peildatum = '2026-01-01'")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d.r.QueryRow("SELECT version FROM figures_version").Scan(&v2)
	if v2 <= v1 {
		t.Error("a write to realisaties no longer moves figures_version: the triggers are gone")
	}
	// Opening the upgraded file again changes nothing.
	d.Close()
	closed = true
	d2 := openFile(t, path)
	defer d2.Close()
	if n := len(schemaSQL(t, d2)); n != len(want) {
		t.Errorf("a second start left %d definitions", n)
	}
}

// TestReleaseOneGetsTheDutchSearchIndex upgrades the first release's database: its
// trigger-kept index (cases_fts over the view cases_search) is gone, every case is
// in case_search with its current document, and search understands Dutch there.
func TestReleaseOneGetsTheDutchSearchIndex(t *testing.T) {
	ctx := context.Background()
	d := openRelease(t)
	var old int
	if err := d.r.QueryRow(`SELECT count(*) FROM sqlite_schema
		WHERE name IN ('cases_fts', 'cases_search', 'cases_fts_insert', 'cases_fts_update', 'cases_fts_delete')`).Scan(&old); err != nil {
		t.Fatal(err)
	}
	if old != 0 {
		t.Errorf("%d objects of the old full-text index are left", old)
	}
	if err := d.CheckSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	var cases, indexed int
	d.r.QueryRow("SELECT count(*) FROM cases").Scan(&cases)
	d.r.QueryRow("SELECT count(*) FROM case_search_docsize").Scan(&indexed)
	if cases < 24 || indexed != cases {
		t.Errorf("%d of %d cases indexed", indexed, cases)
	}
	for q, want := range map[string]string{
		"Den Haag":                    "soza-den-haag",
		"belastingkantoor":            "eindhoven-belastingkantoor",
		"vergunninghouders Eindhoven": "actieplan-statushouders-eindhoven",
		"Castricm":                    "castricum-containerwoningen",
	} {
		res, err := d.FindCases(ctx, CaseFilter{Query: q, PerPage: 3})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(res.Hits, func(h CaseHit) bool { return h.Slug == want }) {
			t.Errorf("%q on the upgraded file: %d results, want %s in the top 3", q, res.Total, want)
		}
	}
}

// TestSearchIndexIsRebuiltForANewDocumentVersion: a file indexed by another
// version of caseSearchDoc is indexed afresh when it is opened, however its cases
// got there.
func TestSearchIndexIsRebuiltForANewDocumentVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ctx := context.Background()
	d := openFile(t, path)
	var noted string
	d.r.QueryRow("SELECT CAST(value AS TEXT) FROM settings WHERE name = 'search-document-version'").Scan(&noted)
	if noted != searchDocVersion {
		t.Fatalf("a new file notes document version %q, want %q", noted, searchDocVersion)
	}
	// As an older program would have left it: another document version, and a case
	// whose words are not (yet) in the index.
	for _, stmt := range []string{
		"UPDATE settings SET value = CAST('0' AS BLOB) WHERE name = 'search-document-version'",
		"UPDATE cases SET title = 'Het ijsvogelproject' WHERE slug = 'stek-oost'",
	} {
		if _, err := d.w.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	d = openFile(t, path)
	defer d.Close()
	if err := d.CheckSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := d.FindCases(ctx, CaseFilter{Query: "ijsvogelproject"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 {
		t.Errorf("the re-indexed case is found %d times", res.Total)
	}
	var version string
	d.r.QueryRow("SELECT CAST(value AS TEXT) FROM settings WHERE name = 'search-document-version'").Scan(&version)
	if version != searchDocVersion {
		t.Errorf("document version %q after the start, want %q", version, searchDocVersion)
	}
}
