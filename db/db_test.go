package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"opnieuwthuis/internal/testkit"
)

// mustCreateCase creates a case as by (nil: the system) and fails t when that fails.
func mustCreateCase(t testing.TB, d *DB, in CaseInput, by *int64) Case {
	t.Helper()
	c, err := d.CreateCase(context.Background(), in, by)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mustUser adds an account with a long enough password, or fails the test.
func mustUser(t testing.TB, d *DB, email, role string) User {
	t.Helper()
	u, err := d.CreateUser(context.Background(), UserInput{Email: email, Role: role, Password: "een lang wachtwoord"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// openAs opens a new database (openTest) with one account in it, email with role.
func openAs(t testing.TB, email, role string) (*DB, User) {
	t.Helper()
	d := openTest(t)
	return d, mustUser(t, d, email, role)
}

// openFile opens the database file at path with the module's schema, or fails
// t; the caller closes it.
func openFile(t testing.TB, path string) *DB {
	t.Helper()
	d, err := Open(context.Background(), path, testkit.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// queryInt runs a query for one number on d's read pool, or fails t.
func queryInt(t testing.TB, d *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.r.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// openTest opens a new database file in a temporary folder.
func openTest(t testing.TB) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	// A copy of a new database built once: the schema, the seed and the index.
	testkit.CopyOfBuilt(t, "new database", path, func(path string) error {
		d, err := Open(context.Background(), path, testkit.Schema(t))
		if err != nil {
			return err
		}
		return d.Close()
	})
	d := openFile(t, path)
	t.Cleanup(func() { d.Close() })
	d.PasswordCost = bcrypt.MinCost // accounts cost the tests no time
	return d
}

// openReadOnly opens the database file at path read-only with database/sql
// alone, to look at it as it is; it is closed when the test ends.
func openReadOnly(t testing.TB, path string) *sql.DB {
	t.Helper()
	c, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// tableDigest hashes the contents of every table, to see whether anything changed.
func tableDigest(t *testing.T, path string) string {
	t.Helper()
	c := openReadOnly(t, path)
	defer c.Close()
	h := sha256.New()
	for _, table := range []string{"provinces", "gemeenten", "themes", "cases", "case_themes", "case_gemeenten", "seeded_cases", "users",
		"divisions", "division_provinces", "division_gemeenten", "periods", "taakstellingen", "realisaties", "figures_version"} {
		rows, err := c.Query("SELECT * FROM " + table + " ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s %v\n", table, vals)
		}
		rows.Close()
	}
	var version int
	c.QueryRow("PRAGMA user_version").Scan(&version)
	fmt.Fprintf(h, "version %d", version)
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestOpenSeedsOnceAndSecondStartChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.db")
	d := openFile(t, path)
	counts := map[string]int{}
	for _, table := range []string{"provinces", "gemeenten", "themes", "cases"} {
		var n int
		if err := d.r.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	if counts["provinces"] != 12 || counts["gemeenten"] != 342 || counts["themes"] < 10 || counts["cases"] < 24 {
		t.Fatalf("seeded counts = %v, want 12 provinces, 342 gemeenten, ≥10 themes, ≥24 cases", counts)
	}
	pop := queryInt(t, d, "SELECT sum(population) FROM gemeenten")
	if pop != 18044027 {
		t.Errorf("national population = %d, want 18044027 (CBS, 1 Jan 2025)", pop)
	}
	checkSecondStartChangesNothing(t, d, path)
}

// checkSecondStartChangesNothing closes d, the database at path, then opens and
// closes the file again and fails when that changed any table.
func checkSecondStartChangesNothing(t *testing.T, d *DB, path string) {
	t.Helper()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	before := tableDigest(t, path)
	d = openFile(t, path)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if after := tableDigest(t, path); after != before {
		t.Fatal("a second start changed the database")
	}
}
