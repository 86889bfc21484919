package db

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
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

func TestReleaseOneDatabaseOpensAtTheCurrentVersion(t *testing.T) {
	path := releaseFile(t)
	d, err := Open(context.Background(), path, testSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
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

// TestReleaseOneGetsTheDutchSearchIndex upgrades the first release's database: its
// trigger-kept index (cases_fts over the view cases_search) is gone, every case is
// in case_search with its current document, and search understands Dutch there.
func TestReleaseOneGetsTheDutchSearchIndex(t *testing.T) {
	path := releaseFile(t)
	ctx := context.Background()
	d, err := Open(ctx, path, testSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
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
	d, err := Open(ctx, path, testSchema(t))
	if err != nil {
		t.Fatal(err)
	}
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
	if d, err = Open(ctx, path, testSchema(t)); err != nil {
		t.Fatal(err)
	}
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
