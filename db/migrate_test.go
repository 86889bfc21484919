package db

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
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
