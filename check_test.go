package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"opnieuwthuis/db"
)

// TestCheckCommand: `opnieuwthuis check` passes on a sound database, fails on
// one whose search index lost a case, and refuses a file that is not there
// (without creating it). The Litestream test uses it on the restored file.
func TestCheckCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := testEnv(dir, nil)
	if err := run(ctx, []string{"check"}, env, nil, io.Discard); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Fatalf("check without a database: err = %v, want a refusal", err)
	}
	store, err := db.Open(ctx, env("DB_PATH"), schema)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"check"}, env, nil, &out); err != nil {
		t.Fatalf("check of a fresh database: %v", err)
	}
	if !strings.Contains(out.String(), "ok") {
		t.Fatalf("check said %q", out.String())
	}

	// A case missing from the search index.
	raw, err := sql.Open("sqlite3", filepath.Join(dir, "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("DELETE FROM case_search WHERE rowid = (SELECT min(id) FROM cases)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := run(ctx, []string{"check"}, env, nil, io.Discard); err == nil {
		t.Fatal("check passed a database whose search index lacks a case")
	}
}
