package db

import (
	"compress/gzip"
	"context"
	"errors"
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

// The release's file gets the sign-in throttle, the session epoch and the theme
// versions, and keeps its themes' texts.
func TestMigrationsOfProxyBranchOnReleaseOne(t *testing.T) {
	path := releaseFile(t)
	d, err := Open(context.Background(), path, testSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
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
