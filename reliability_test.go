package main

// Crash safety of the real binary: kill -9 in the middle of a stream of editors'
// saves, restart on the same file, and check that every acknowledged save is there,
// whole. The in-process reliability tests (50 concurrent clients, a full disk, a
// read-only database) are in handlers/reliability_test.go.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"opnieuwthuis/db"
	"opnieuwthuis/internal/testkit"
)

const crashPassword = "lange-zin-als-wachtwoord"

var (
	crashSaved = regexp.MustCompile(`^/beheer/voorbeelden/(\d+)\?melding=`)
	crashTotal = regexp.MustCompile(`id="result-status"[^>]*>\s*(?:(Niets)|([0-9.]+) voorbeeld)`)
)

// crashCase is a case form; marker is a word in title, summary and body that no
// other save uses, and every case holds the word "crashproef".
func crashCase(slug, marker, status string) url.Values {
	return url.Values{
		"slug":     {slug},
		"title":    {"Crashproef " + marker},
		"summary":  {"Samenvatting " + marker + ", een voorbeeld dat de proef na een harde stop terug moet vinden."},
		"body":     {"## Aanpak\n\nDe crashproef schrijft " + marker + ".\n\n" + strings.Repeat("Woningen voor statushouders in de gemeente. ", 30)},
		"gemeente": {"Utrecht"},
		"themes":   {"tijdelijke-woningen"},
		"kind":     {"aanpak"},
		"year":     {"2025"},
		"status":   {status},
	}
}

// crashSave is one save sent: acknowledged (303) or in doubt (no answer: the
// process died while it was on its way).
type crashSave struct {
	id      int64 // 0 for a create in doubt
	version int   // the version the save makes
	slug    string
	marker  string
	status  string
}

// TestKillDuringSavesLosesNothingAcknowledged starts the real binary, lets six
// editors stream saves (new cases and changes, published and concept), kills the
// process with SIGKILL in the middle, and restarts it on the same file. Every save
// that got its 303 is there with its content; a save in doubt is there whole or not
// at all; PRAGMA integrity_check and FTS5's own check pass; the full-text index
// and the public search count the same cases as the table; and a backup taken
// right after the restart holds the same.
func TestKillDuringSavesLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test: builds and runs the real binary under a stream of saves: skipped under -short")
	}
	const editors = 6
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "site.db")
	env := testEnv(dir, map[string]string{"DB_PATH": dbPath})
	for i := range editors {
		err := run(ctx, []string{"user", "add", "--email", fmt.Sprintf("redacteur%d@gemeente.example", i), "--role", db.RoleEditor},
			env, strings.NewReader(crashPassword+"\n"), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
	}
	p := startProcess(t, dbPath)

	var (
		mu       sync.Mutex
		acked    []crashSave
		doubtful []crashSave
		inFlight atomic.Int64
		wg       sync.WaitGroup
		markers  atomic.Int64
	)
	team := make([]*testkit.Client, editors)
	for i := range team {
		team[i] = testkit.NewClient(p.URL, nil)
		if err := team[i].SignIn(fmt.Sprintf("redacteur%d@gemeente.example", i), crashPassword); err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range team {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last *crashSave // the editor's case to change next
			for n := 0; ; n++ {
				s := crashSave{marker: fmt.Sprintf("ks%06d", markers.Add(1)), status: db.StatusPublished}
				if n%3 == 2 {
					s.status = db.StatusDraft
				}
				path := "/beheer/voorbeelden"
				form := crashCase(fmt.Sprintf("crash-%d-%d", i, n), s.marker, s.status)
				s.version = 1
				if last != nil && n%2 == 1 {
					path += "/" + strconv.FormatInt(last.id, 10)
					s.id, s.slug, s.version = last.id, last.slug, last.version+1
					form = crashCase(s.slug, s.marker, s.status)
					form.Set("version", strconv.Itoa(last.version))
				}
				s.slug = form.Get("slug")
				form.Set("_csrf", e.CSRF)
				inFlight.Add(1)
				res, body, err := e.Send(http.MethodPost, path, form)
				inFlight.Add(-1)
				if err != nil {
					// No answer: the server is gone. This save may or may not be there.
					mu.Lock()
					doubtful = append(doubtful, s)
					mu.Unlock()
					return
				}
				m := crashSaved.FindStringSubmatch(res.Header.Get("Location"))
				if res.StatusCode != http.StatusSeeOther || m == nil {
					t.Errorf("save %s: status %d %.300s", s.marker, res.StatusCode, body)
					return
				}
				s.id, _ = strconv.ParseInt(m[1], 10, 64)
				mu.Lock()
				acked = append(acked, s)
				mu.Unlock()
				last = &s
			}
		}()
	}

	// Kill in the middle of the stream, once a good number of saves is through.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 150 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	flying := inFlight.Load()
	p.Signal(t, syscall.SIGKILL)
	if code := p.Wait(t, 10*time.Second); code != -1 {
		t.Fatalf("exit code %d, want death by SIGKILL", code)
	}
	wg.Wait()
	var wal int64
	if fi, err := os.Stat(dbPath + "-wal"); err == nil {
		wal = fi.Size()
	}
	if strings.Contains(p.Log.String(), "locked") || strings.Contains(p.Log.String(), "request failed") {
		t.Errorf("the server logged failures before the kill:\n%s", p.Log)
	}
	if len(acked) < 20 {
		t.Fatalf("only %d saves acknowledged before the kill", len(acked))
	}
	t.Logf("%d saves acknowledged by %d editors; killed with %d in flight, %d without an answer, %d KB in the write-ahead log",
		len(acked), editors, flying, len(doubtful), wal/1024)

	// Restart on the same file.
	p2 := startProcess(t, dbPath)
	store, err := db.Open(ctx, dbPath, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	there := checkCrashSaves(t, store, acked, doubtful)
	t.Logf("after the restart: all %d acknowledged saves there; of the %d in doubt, %d made it whole and %d not at all",
		len(acked), len(doubtful), there, len(doubtful)-there)
	checkCrashIndex(t, dbPath, p2.URL)
	if err := store.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}

	// A backup right after the restart holds the same.
	copyPath := filepath.Join(dir, "backup.db")
	if err := run(ctx, []string{"backup", copyPath}, env, nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	backup, err := db.Open(ctx, copyPath, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer backup.Close()
	if err := backup.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}
	checkCrashSaves(t, backup, acked, doubtful)
	checkCrashIndex(t, copyPath, "")
	for _, table := range []string{"cases", "case_revisions", "case_themes", "audit_log", "users"} {
		if a, b := testkit.CountRows(t, dbPath, table), testkit.CountRows(t, copyPath, table); a != b {
			t.Errorf("%s: %d rows live, %d in the backup", table, a, b)
		}
	}
	if strings.Contains(p2.Log.String(), "locked") || strings.Contains(p2.Log.String(), `"level":"ERROR"`) {
		t.Errorf("the restarted server logged errors:\n%s", p2.Log)
	}
}

// checkCrashSaves checks that every acknowledged save is in store with its
// content, that each case is at least at its last acknowledged version, and that a
// save in doubt is there whole or not at all.
func checkCrashSaves(t *testing.T, store *db.DB, acked, doubtful []crashSave) (doubtfulThere int) {
	t.Helper()
	ctx := context.Background()
	latest := map[int64]crashSave{}
	for _, s := range acked {
		rev, err := store.FindRevision(ctx, s.id, s.version)
		if err != nil {
			t.Errorf("acknowledged save %s (case %d version %d): %v", s.marker, s.id, s.version, err)
			continue
		}
		if rev.Content.Title != "Crashproef "+s.marker || rev.Status != s.status || !strings.Contains(rev.Content.Body, s.marker) {
			t.Errorf("case %d version %d holds %q (%s), want the acknowledged %s (%s)", s.id, s.version, rev.Content.Title, rev.Status, s.marker, s.status)
		}
		if s.version > latest[s.id].version {
			latest[s.id] = s
		}
	}
	for id, s := range latest {
		cs, err := store.FindCaseByID(ctx, id)
		if err != nil {
			t.Errorf("case %d: %v", id, err)
			continue
		}
		if cs.Version < s.version || (cs.Version == s.version && (cs.Title != "Crashproef "+s.marker || cs.Status != s.status)) {
			t.Errorf("case %d is version %d %q, want at least the acknowledged version %d %s", id, cs.Version, cs.Title, s.version, s.marker)
		}
	}
	for _, s := range doubtful {
		cs, err := store.FindCaseBySlug(ctx, s.slug)
		if errors.Is(err, db.ErrNotFound) && s.id == 0 {
			continue // a create that did not make it
		}
		if err != nil {
			t.Errorf("save in doubt %s (%s): %v", s.marker, s.slug, err)
			continue
		}
		whole := cs.Title == "Crashproef "+s.marker && cs.Version == s.version && cs.Status == s.status && strings.Contains(cs.Body, s.marker)
		before := s.id != 0 && cs.Version == s.version-1 && !strings.Contains(cs.Body, s.marker)
		if !whole && !before {
			t.Errorf("save in doubt %s is half there: case %s version %d %q", s.marker, s.slug, cs.Version, cs.Title)
		}
		if whole {
			doubtfulThere++
		}
	}
	return doubtfulThere
}

// checkCrashIndex checks that the search index of the file at path holds the
// current document of every case (db.CheckSearchIndex, with FTS5's integrity
// check) and compares what the index finds for the word every test case holds
// with the table, and, when site is not "", with the public search.
func checkCrashIndex(t *testing.T, path, site string) {
	t.Helper()
	store, err := db.Open(context.Background(), path, schema)
	if err != nil {
		t.Fatal(err)
	}
	err = store.CheckSearchIndex(context.Background())
	store.Close()
	if err != nil {
		t.Fatalf("%s: the full-text index does not match the cases: %v", path, err)
	}
	c, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var indexed, rows, indexedPublished, published int
	for q, n := range map[string]*int{
		"SELECT count(*) FROM case_search WHERE case_search MATCH 'crashproef'":                                                                &indexed,
		"SELECT count(*) FROM cases WHERE body_text LIKE '%crashproef%'":                                                                       &rows,
		"SELECT count(*) FROM case_search f JOIN cases c ON c.id = f.rowid WHERE case_search MATCH 'crashproef' AND c.status = 'gepubliceerd'": &indexedPublished,
		"SELECT count(*) FROM cases WHERE body_text LIKE '%crashproef%' AND status = 'gepubliceerd'":                                           &published,
	} {
		if err := c.QueryRow(q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	if indexed != rows || indexedPublished != published || rows == 0 {
		t.Errorf("%s: the index finds %d cases (%d published), the table holds %d (%d published)", path, indexed, indexedPublished, rows, published)
	}
	if site == "" {
		return
	}
	_, body := httpGet(t, site+"/voorbeelden?q=crashproef")
	m := crashTotal.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no result count on the search page")
	}
	found, _ := strconv.Atoi(strings.ReplaceAll(m[2], ".", ""))
	if found != published {
		t.Errorf("the public search finds %d cases, the table holds %d published", found, published)
	}
}
