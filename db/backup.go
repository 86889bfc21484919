package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
)

// ErrExists means a file is in the way: a backup never overwrites one.
var ErrExists = errors.New("file exists")

// Backup writes a consistent copy of the live database to path while the site keeps
// serving. VACUUM INTO copies one snapshot (a single read transaction, so writers
// carry on) into a temporary file next to path; the copy is checked with PRAGMA
// integrity_check and only then linked into place, which fails rather than replace
// a file that is there. The copy is readable by its owner only: it holds accounts.
func (d *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("backup to %s: %w", path, ErrExists)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+strconv.Itoa(os.Getpid()))
	os.Remove(tmp)
	defer os.Remove(tmp)

	// A read-only connection of its own: the pool's readers are query-only, which
	// forbids VACUUM INTO, and the single writer must stay free for the site.
	src, err := sql.Open("sqlite3", fileURI(d.path)+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer src.Close()
	src.SetMaxOpenConns(1)
	if _, err := src.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return fmt.Errorf("backup: copy: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := checkIntegrity(ctx, tmp); err != nil {
		return fmt.Errorf("backup: check copy: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("backup to %s: %w", path, ErrExists)
		}
		return fmt.Errorf("backup: %w", err)
	}
	return syncFile(filepath.Dir(path))
}

// checkIntegrity opens the database file at path read-only and runs PRAGMA
// integrity_check, which also checks the full-text index against its content.
func checkIntegrity(ctx context.Context, path string) error {
	c, err := sql.Open("sqlite3", fileURI(path)+"?mode=ro")
	if err != nil {
		return err
	}
	defer c.Close()
	rows, err := c.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check: %q", problems)
	}
	return nil
}

// CheckIntegrity runs PRAGMA integrity_check on the live database.
func (d *DB) CheckIntegrity(ctx context.Context) error {
	if err := checkIntegrity(ctx, d.path); err != nil {
		return fmt.Errorf("%s: %w", d.path, err)
	}
	return nil
}

// fileURI is the SQLite URI of the file at path, without parameters.
func fileURI(path string) string { return "file:" + (&url.URL{Path: path}).EscapedPath() }

// syncFile flushes a file or folder to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
