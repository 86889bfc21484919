package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"opnieuwthuis/internal/testkit"
)

// testCaseInput is a valid published case; i makes slug and title unique.
func testCaseInput(i int, body string) CaseInput {
	year := 2024
	return CaseInput{
		Slug:    fmt.Sprintf("proefcase-%d", i),
		Title:   fmt.Sprintf("Proefcase %d", i),
		Summary: "Een voorbeeld uit een test.",
		Body:    body,
		Kind:    KindSolution,
		Year:    &year,
		Status:  StatusPublished,
	}
}

// checkFTS checks that the search index of the file holds the current document of
// every case (CheckSearchIndex, with FTS5's own integrity check).
func checkFTS(t *testing.T, path string) {
	t.Helper()
	d := openFile(t, path)
	defer d.Close()
	if err := d.CheckSearchIndex(context.Background()); err != nil {
		t.Fatalf("full-text index of %s does not match its cases: %v", path, err)
	}
}

func TestBackupWhileWritingIsConsistentAndNeverOverwrites(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	seeded := testkit.CountRows(t, d.path, "cases")

	// Writes go on while the backup is made.
	var (
		wg      sync.WaitGroup
		stop    atomic.Bool
		written atomic.Int64
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			if _, err := d.CreateCase(ctx, testCaseInput(i, strings.Repeat("woning ", 500)), nil); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
			written.Add(1)
		}
	}()
	for written.Load() < 5 {
		// let the writer get going
	}
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "backup.db")
	err := d.Backup(ctx, copyPath)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}

	fi, err := os.Stat(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v, want 0600 (it holds accounts)", fi.Mode().Perm())
	}
	if err := checkIntegrity(ctx, copyPath); err != nil {
		t.Fatal(err)
	}
	n := testkit.CountRows(t, copyPath, "cases")
	if n < seeded+5 || n > seeded+int(written.Load()) {
		t.Errorf("backup holds %d cases; the live database had %d before and %d after", n, seeded+5, seeded+int(written.Load()))
	}
	if _, err := os.Stat(copyPath + "-wal"); err == nil {
		t.Error("the backup left a -wal file: the copy is not one file")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
	checkFTS(t, copyPath)

	// A second backup to the same file is refused and leaves the first intact.
	before, _ := os.ReadFile(copyPath)
	if err := d.Backup(ctx, copyPath); !errors.Is(err, ErrExists) {
		t.Fatalf("backup over an existing file: err = %v, want ErrExists", err)
	}
	if after, _ := os.ReadFile(copyPath); string(after) != string(before) {
		t.Fatal("a refused backup changed the existing file")
	}
	if err := d.Backup(ctx, filepath.Join(dir, "no-such-folder", "b.db")); err == nil {
		t.Fatal("backup into a missing folder succeeded")
	}

	// The copy opens as a database with the same content.
	r := openFile(t, copyPath)
	defer r.Close()
	res, err := r.FindCases(ctx, CaseFilter{Query: "woning", PerPage: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total < 5 {
		t.Errorf("search in the restored copy finds %d cases, want at least the 5 written before the backup", res.Total)
	}
}

func TestDiskFullFailsWritesCleanlyAndReadsGoOn(t *testing.T) {
	ctx := context.Background()
	dir := testkit.MountTmpfs(t, "24m")
	path := filepath.Join(dir, "full.db")
	d := openFile(t, path)
	t.Cleanup(func() { d.Close() })
	if _, err := d.CreateCase(ctx, testCaseInput(1, "vóór de volle schijf"), nil); err != nil {
		t.Fatal(err)
	}
	before := testkit.CountRows(t, path, "cases")

	filler := testkit.FillDisk(t, dir)
	// A case with a long body needs new pages in the WAL and the index: no room.
	big := strings.Repeat("huisvesting statushouders gemeente woningcorporatie ", 40000)
	_, err := d.CreateCase(ctx, testCaseInput(2, big), nil)
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write on a full disk: err = %v, want ErrReadOnly", err)
	}
	if !strings.Contains(err.Error(), "full") {
		t.Errorf("error %q does not say the disk is full", err)
	}

	// Reads keep working, and show what was there.
	if err := d.Ping(ctx); err != nil {
		t.Fatalf("ping on a full disk: %v", err)
	}
	res, err := d.FindCases(ctx, CaseFilter{Query: "volle schijf", PerPage: 5})
	if err != nil || res.Total != 1 {
		t.Fatalf("search on a full disk: %d results, err %v; want the case written before", res.Total, err)
	}
	if _, err := d.FindCaseBySlug(ctx, "proefcase-2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the failed case is there: %v", err)
	}

	// With room again, writes work and nothing is damaged.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateCase(ctx, testCaseInput(3, "na de volle schijf"), nil); err != nil {
		t.Fatalf("write after freeing space: %v", err)
	}
	if err := d.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}
	checkFTS(t, path)
	if n := testkit.CountRows(t, path, "cases"); n != before+1 {
		t.Errorf("cases = %d, want %d", n, before+1)
	}
}

func TestReadOnlyDatabaseServesReadsAndRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	d := openFile(t, path)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	before := tableDigest(t, path)
	testkit.ReadOnlyFile(t, path)

	d, err := Open(ctx, path, testkit.Schema(t))
	if err != nil {
		t.Fatalf("open a read-only database: %v", err)
	}
	_, err = d.CreateCase(ctx, testCaseInput(1, "tekst"), nil)
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write to a read-only database: err = %v, want ErrReadOnly", err)
	}
	res, err := d.FindCases(ctx, CaseFilter{Query: "wonen", PerPage: 5})
	if err != nil || res.Total == 0 {
		t.Fatalf("search on a read-only database: %d results, err %v", res.Total, err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("close a read-only database: %v", err)
	}
	if after := tableDigest(t, path); after != before {
		t.Fatal("the read-only database changed")
	}
	if err := checkIntegrity(ctx, path); err != nil {
		t.Fatal(err)
	}
}
