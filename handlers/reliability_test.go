package handlers

// Reliability, proven through the real server over real HTTP connections: many
// visitors and signed-in editors at once, and editors saving into a full disk or a
// read-only database. The crash test (kill -9 of the real binary in the middle of
// saves) is in the main package: reliability_test.go.

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"html/template"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	fiberlog "github.com/gofiber/fiber/v2/log"

	"opnieuwthuis/db"
	"opnieuwthuis/internal/testkit"
)

// webEditor is an editor's browser on a real connection (testkit.Client): saves
// go as plain forms, or as htmx requests.
type webEditor struct {
	*testkit.Client
	htmx bool // send saves as htmx requests
	// gemeente (a CBS code), when set, is the gemeente of every case it saves.
	gemeente string
}

func newWebEditor(base string) *webEditor {
	return &webEditor{Client: testkit.NewClient(base, nil)}
}

// send makes one request; headers are name, value pairs.
func (e *webEditor) send(method, path string, form url.Values, headers ...string) (response, error) {
	res, body, err := e.Send(method, path, form, headers...)
	if err != nil {
		return response{}, err
	}
	return response{Response: res, Body: body}, nil
}

// post sends a form with the editor's CSRF token: as a form field, or for htmx as
// the X-Csrf-Token header.
func (e *webEditor) post(path string, form url.Values) (response, error) {
	if e.htmx {
		return e.send(http.MethodPost, path, form, "HX-Request", "true", "X-Csrf-Token", e.CSRF)
	}
	form.Set("_csrf", e.CSRF)
	return e.send(http.MethodPost, path, form)
}

var (
	formVersion = regexp.MustCompile(`name="version" value="(\d+)"`)
	savedCase   = regexp.MustCompile(`^/beheer/voorbeelden/(\d+)\?melding=`)
)

// markedCase is a valid case form whose title, summary and body carry marker, a
// word that occurs nowhere else, so that a search for it finds this save only.
func markedCase(slug, marker, status string) url.Values {
	v := caseValues("Proef " + marker)
	v.Set("slug", slug)
	v.Set("summary", "Samenvatting "+marker+" van een opgeslagen voorbeeld, lang genoeg voor de controle.")
	v.Set("body", "## Aanpak\n\nDe tekst van "+marker+" over woningen voor statushouders.\n\n"+
		strings.Repeat("Een alinea die de opslag wat werk geeft. ", 40))
	v.Set("status", status)
	return v
}

// ackedSave is a save the server acknowledged (303, or 204 with HX-Redirect):
// version is the one it made.
type ackedSave struct {
	id      int64
	version int
	slug    string
	marker  string
	status  string
}

// saveLedger is what the editors of a test had acknowledged, and the cases they
// work on.
type saveLedger struct {
	mu     sync.Mutex
	acks   []ackedSave
	cases  []int64          // every case created, in order
	slugs  map[int64]string // case id → slug
	latest map[int64]ackedSave
}

func newSaveLedger() *saveLedger {
	return &saveLedger{slugs: map[int64]string{}, latest: map[int64]ackedSave{}}
}

func (l *saveLedger) ack(a ackedSave) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acks = append(l.acks, a)
	if _, ok := l.slugs[a.id]; !ok {
		l.cases = append(l.cases, a.id)
		l.slugs[a.id] = a.slug
	}
	if a.version > l.latest[a.id].version {
		l.latest[a.id] = a
	}
}

// pick returns a case to edit: mostly one of the first few (the ones everybody
// edits, which makes conflicts), otherwise any.
func (l *saveLedger) pick(r *rand.Rand, hot int) (int64, string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.cases) == 0 {
		return 0, "", false
	}
	n := len(l.cases)
	if r.IntN(2) == 0 {
		n = min(n, hot)
	}
	id := l.cases[r.IntN(n)]
	return id, l.slugs[id], true
}

// saveOutcome is how the server answered a save.
type saveOutcome int

const (
	saveAcked    saveOutcome = iota
	saveConflict             // 409: someone else saved first (optimistic lock)
	saveRefused              // 422: the form came back, e.g. a slug taken a moment ago
)

// createCase opens the new-case form and saves a case through it.
func (e *webEditor) createCase(slug, marker, status string) (ackedSave, saveOutcome, error) {
	if res, err := e.send(http.MethodGet, "/beheer/voorbeelden/nieuw", nil); err != nil {
		return ackedSave{}, 0, err
	} else if res.StatusCode != http.StatusOK {
		return ackedSave{}, 0, fmt.Errorf("new-case form: status %d", res.StatusCode)
	}
	v := markedCase(slug, marker, status)
	if e.gemeente != "" {
		v.Set("gemeente", e.gemeente)
	}
	res, err := e.post("/beheer/voorbeelden", v)
	if err != nil {
		return ackedSave{}, 0, err
	}
	return e.outcome(res, 0, slug, marker, status)
}

// updateCase opens case id's form, takes the version from it, waits think (the
// editor typing, while others may save) and saves new content.
func (e *webEditor) updateCase(id int64, slug, marker, status string, think time.Duration) (ackedSave, saveOutcome, error) {
	path := "/beheer/voorbeelden/" + strconv.FormatInt(id, 10)
	form, err := e.send(http.MethodGet, path, nil)
	if err != nil {
		return ackedSave{}, 0, err
	}
	m := formVersion.FindStringSubmatch(form.Body)
	if form.StatusCode != http.StatusOK || m == nil {
		return ackedSave{}, 0, fmt.Errorf("form of case %d: status %d, version found: %v", id, form.StatusCode, m != nil)
	}
	version, _ := strconv.Atoi(m[1])
	time.Sleep(think)
	v := markedCase(slug, marker, status)
	v.Set("version", m[1])
	if e.gemeente != "" {
		v.Set("gemeente", e.gemeente)
	}
	res, err := e.post(path, v)
	if err != nil {
		return ackedSave{}, 0, err
	}
	return e.outcome(res, version, slug, marker, status)
}

// outcome reads a save's answer. from is the version the save started from (0: new).
func (e *webEditor) outcome(res response, from int, slug, marker, status string) (ackedSave, saveOutcome, error) {
	switch res.StatusCode {
	case http.StatusSeeOther, http.StatusNoContent:
		target := res.Header.Get("Location")
		if e.htmx {
			target = res.Header.Get("HX-Redirect")
		}
		m := savedCase.FindStringSubmatch(target)
		if m == nil || (res.StatusCode == http.StatusNoContent) != e.htmx {
			return ackedSave{}, 0, fmt.Errorf("save of %s: status %d to %q", marker, res.StatusCode, target)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return ackedSave{id: id, version: from + 1, slug: slug, marker: marker, status: status}, saveAcked, nil
	case http.StatusConflict:
		if !strings.Contains(res.Body, "Niet opgeslagen: iemand anders was u voor") || !strings.Contains(res.Body, marker) {
			return ackedSave{}, 0, fmt.Errorf("save of %s: 409 without the conflict notice and the editor's input", marker)
		}
		return ackedSave{}, saveConflict, nil
	case http.StatusUnprocessableEntity:
		if !strings.Contains(res.Body, marker) {
			return ackedSave{}, 0, fmt.Errorf("save of %s: 422 without the editor's input", marker)
		}
		return ackedSave{}, saveRefused, nil
	}
	return ackedSave{}, 0, fmt.Errorf("save of %s: status %d %s", marker, res.StatusCode, messages(res.Body))
}

// visitorPages are what the visitors of the concurrency test open: the library
// (page, search fragment, facets), a case, the map and gemeente panels.
var visitorPages = []struct {
	path string
	htmx bool
}{
	{"/voorbeelden", false},
	{"/voorbeelden?q=wonen", false},
	{"/voorbeelden?q=woningen+statushouders", true},
	{"/voorbeelden?q=proef", true},
	{"/voorbeelden?q=aanpak&sort=nieuwste", true},
	{"/voorbeelden?thema=tijdelijke-woningen&provincie=PV26", true},
	{"/voorbeelden?gemeente=GM0344&soort=woonoplossing", false},
	{"/voorbeelden?pagina=2", true},
	{"/voorbeelden/startblok-riekerhaven", false},
	{"/", false},
	{"/kaart", false},
	{"/kaart/tabel", false},
	{"/gemeenten/GM0363", true},
	{"/gemeenten/GM0344", true},
	{"/gemeenten/GM0599", false},
}

// TestConcurrentSearchesAndEditorSaves runs 50 clients for a bounded time against
// the real server: 30 visitors searching the library and opening the map and
// gemeente panels, and 20 signed-in editors creating and updating cases through the
// real forms (half of them as htmx requests), often the same few cases at once. Nothing may answer 5xx or say
// "database is locked", in a response or in the log; optimistic-lock conflicts (409)
// are expected and counted. Afterwards every acknowledged save is in the database
// with its content, and the public search finds exactly the published ones.
func TestConcurrentSearchesAndEditorSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: 50 clients over real connections: skipped under -short")
	}
	const (
		visitors = 30
		editors  = 20
		duration = 12 * time.Second
		hotCases = 4 // the cases that every editor edits half of the time
	)
	var logs, fiberLogs logBuffer
	fiberlog.SetOutput(&fiberLogs) // Fiber's own warnings (its middleware logs there)
	t.Cleanup(func() { fiberlog.SetOutput(io.Discard) })
	app, store := newTestAppWith(t, withLog(&logs))
	figureFixture(t, store)
	base := "http://" + listen(t, app)
	ctx := context.Background()

	gemeenten, err := store.Gemeenten(ctx)
	if err != nil || len(gemeenten) < editors {
		t.Fatalf("%d gemeenten, %v", len(gemeenten), err)
	}
	// Each editor's new cases go to a gemeente of their own, so that the library
	// filtered on it, newest first, must show their latest published case: the
	// page visitors ask for most, so that it is often in the page cache.
	ownLibrary := func(i int) string { return "/voorbeelden?gemeente=" + gemeenten[i].Code + "&sort=nieuwste" }
	team := make([]*webEditor, editors)
	for i := range team {
		email := fmt.Sprintf("redacteur%d@gemeente.example", i)
		addUser(t, store, email, db.RoleEditor)
		team[i] = newWebEditor(base)
		team[i].htmx = i%2 == 1
		team[i].gemeente = gemeenten[i].Code
		if err := team[i].SignIn(email, testPassword); err != nil {
			t.Fatal(err)
		}
	}

	var (
		ledger                        = newSaveLedger()
		requests, creates, updates    atomic.Int64
		conflicts, refused, serverErr atomic.Int64
		markers, stale                atomic.Int64
		failures                      = make(chan error, 100)
		wg                            sync.WaitGroup
	)
	fail := func(err error) {
		select {
		case failures <- err:
		default:
		}
	}
	check := func(what string, res response) {
		requests.Add(1)
		if res.StatusCode >= 500 {
			serverErr.Add(1)
			fail(fmt.Errorf("%s: status %d %s", what, res.StatusCode, messages(res.Body)))
		}
		if strings.Contains(strings.ToLower(res.Body), "locked") {
			fail(fmt.Errorf("%s: the answer says %q", what, "locked"))
		}
	}
	deadline := time.Now().Add(duration)

	for i := range visitors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			v := newWebEditor(base) // a visitor: no sign-in, no cookie
			for time.Now().Before(deadline) {
				p := visitorPages[r.IntN(len(visitorPages))]
				if r.IntN(2) == 0 {
					p.path, p.htmx = ownLibrary(r.IntN(editors)), true
				}
				var headers []string
				if p.htmx {
					headers = htmx
				}
				res, err := v.send(http.MethodGet, p.path, nil, headers...)
				if err != nil {
					fail(err)
					return
				}
				check("GET "+p.path, res)
				if res.StatusCode != http.StatusOK {
					fail(fmt.Errorf("GET %s: status %d", p.path, res.StatusCode))
				}
			}
		}()
	}

	for i, e := range team {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 2))
			for n := 0; time.Now().Before(deadline); n++ {
				marker := fmt.Sprintf("mk%06d", markers.Add(1))
				status := db.StatusPublished
				if r.IntN(3) == 0 {
					status = db.StatusDraft
				}
				var (
					a   ackedSave
					out saveOutcome
					err error
				)
				id, slug, ok := ledger.pick(r, hotCases)
				switch {
				case r.IntN(10) == 0:
					// Now and then the editors' own list, searched.
					res, err := e.send(http.MethodGet, "/beheer/voorbeelden?q=proef", nil)
					if err != nil {
						fail(err)
						return
					}
					check("GET /beheer/voorbeelden", res)
					continue
				case !ok || r.IntN(4) == 0:
					a, out, err = e.createCase(fmt.Sprintf("betrouwbaar-%d-%d", i, n), marker, status)
					creates.Add(1)
				default:
					think := time.Duration(r.IntN(20)) * time.Millisecond
					a, out, err = e.updateCase(id, slug, marker, status, think)
					updates.Add(1)
				}
				requests.Add(2) // the form and the save
				if err != nil {
					fail(err)
					return
				}
				switch out {
				case saveAcked:
					if a.version == 1 && a.status == db.StatusPublished {
						// Read your own write: the library shows the new case at once,
						// also when visitors asked for the same page meanwhile.
						res, err := e.send(http.MethodGet, ownLibrary(i), nil, htmx...)
						if err != nil {
							fail(err)
							return
						}
						check("GET "+ownLibrary(i), res)
						if !strings.Contains(res.Body, `href="/voorbeelden/`+a.slug+`"`) {
							stale.Add(1)
							fail(fmt.Errorf("the library of %s does not show %s, published a moment ago (X-Cache: %s)",
								e.gemeente, a.slug, res.Header.Get("X-Cache")))
						}
					}
					ledger.ack(a)
				case saveConflict:
					conflicts.Add(1)
				case saveRefused:
					refused.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
	t.Logf("%d requests in %v by %d visitors and %d editors: %d creates, %d updates; %d saves acknowledged, %d conflicts (409), %d refused (422), %d server errors",
		requests.Load(), duration, visitors, editors, creates.Load(), updates.Load(), len(ledger.acks), conflicts.Load(), refused.Load(), serverErr.Load())

	// The log: no lock errors, no failed requests, no warnings from Fiber.
	for _, l := range logs.lines(t) {
		if strings.Contains(strings.ToLower(fmt.Sprint(l)), "locked") || l["level"] == "ERROR" || l["level"] == "WARN" || l["msg"] == "request failed" {
			t.Errorf("log line: %v", l)
		}
		if s, ok := l["status"].(float64); ok && s >= 500 {
			t.Errorf("logged status %v: %v", s, l)
		}
	}
	if s := fiberLogs.String(); s != "" {
		t.Errorf("Fiber logged:\n%.2000s", s)
	}
	if len(ledger.acks) < 20 || conflicts.Load() == 0 {
		t.Errorf("%d saves acknowledged and %d conflicts: the test did not exercise concurrent saves", len(ledger.acks), conflicts.Load())
	}

	// Every acknowledged save is a revision with its content; every case holds
	// its last acknowledged save.
	for _, a := range ledger.acks {
		rev, err := store.FindRevision(ctx, a.id, a.version)
		if err != nil {
			t.Errorf("acknowledged save %s (case %d, version %d): %v", a.marker, a.id, a.version, err)
			continue
		}
		if rev.Content.Title != "Proef "+a.marker || rev.Status != a.status || !strings.Contains(rev.Content.Body, a.marker) {
			t.Errorf("case %d version %d is %q (%s), want the acknowledged %s (%s)", a.id, a.version, rev.Content.Title, rev.Status, a.marker, a.status)
		}
	}
	published := 0
	for id, a := range ledger.latest {
		cs, err := store.FindCaseByID(ctx, id)
		if err != nil {
			t.Errorf("case %d: %v", id, err)
			continue
		}
		if cs.Version != a.version || cs.Title != "Proef "+a.marker || cs.Status != a.status || !strings.Contains(cs.Summary, a.marker) {
			t.Errorf("case %d is version %d %q (%s), want the last acknowledged save: version %d %s (%s)",
				id, cs.Version, cs.Title, cs.Status, a.version, a.marker, a.status)
		}
		// The public search agrees: a published case is found by its marker, a
		// concept is not, and neither is found by the words of an older version.
		inSearch := func(marker string) bool {
			res := get(t, app, "/voorbeelden?q="+marker, htmx...)
			return strings.Contains(res.Body, `href="/voorbeelden/`+a.slug+`"`)
		}
		if want := a.status == db.StatusPublished; inSearch(a.marker) != want {
			t.Errorf("case %d (%s, %s): found by the public search = %v", id, a.marker, a.status, !want)
		}
		if a.status == db.StatusPublished {
			published++
			if res := get(t, app, "/voorbeelden/"+a.slug); res.StatusCode != 200 || !strings.Contains(res.Body, a.marker) {
				t.Errorf("published case %s: page status %d", a.slug, res.StatusCode)
			}
		}
	}
	for _, a := range ledger.acks {
		if a.version < ledger.latest[a.id].version && found(t, app, a.marker) {
			t.Errorf("case %d is still found by %s, the words of its version %d", a.id, a.marker, a.version)
		}
	}
	t.Logf("%d cases touched, %d of them published at the end", len(ledger.latest), published)
	file, wal := store.FileSizes()
	t.Logf("database file %d KB, write-ahead log %d KB", file/1024, wal/1024)
	checkSound(t, store)
}

// found reports whether the public search for word finds anything.
func found(t *testing.T, app *fiber.App, word string) bool {
	t.Helper()
	return strings.Contains(get(t, app, "/voorbeelden?q="+word, htmx...).Body, `class="case-card"`)
}

// checkSound runs SQLite's integrity check and the check that the search index
// holds the current document of every case.
func checkSound(t *testing.T, store *db.DB) {
	t.Helper()
	if err := store.CheckIntegrity(context.Background()); err != nil {
		t.Error(err)
	}
	if err := store.CheckSearchIndex(context.Background()); err != nil {
		t.Errorf("full-text index does not match the cases: %v", err)
	}
}

// TestEditorPageViewsDoNotWriteTheSession: a signed-in editor's requests write the
// session only when it changes (sign-in, and the idle expiry moved at most once a
// minute), not on every page view as Fiber's csrf middleware did, which made most
// writes of the concurrency test session saves through the single writer.
func TestEditorPageViewsDoNotWriteTheSession(t *testing.T) {
	ctx := context.Background()
	_, store, c := editorApp(t)
	id := c.createCase(caseValues("Alleen lezen"))

	conn, err := rawDB(t, store).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// data_version changes when another connection commits anything.
	dataVersion := func() int {
		var v int
		if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := dataVersion()
	for _, p := range []string{"/beheer", "/beheer/voorbeelden", "/beheer/voorbeelden/nieuw", "/beheer/voorbeelden/" + id,
		"/beheer/voorbeelden/" + id + "/geschiedenis", "/beheer/themas", "/beheer/voorbeelden?q=lezen"} {
		if res := c.get(p); res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", p, res.StatusCode)
		}
	}
	res := c.post("/beheer/voorbeelden/valideer?veld=title", url.Values{"title": {"Nog een titel"}}, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if res.StatusCode != 200 {
		t.Fatalf("inline validation: %d", res.StatusCode)
	}
	if after := dataVersion(); after != before {
		t.Fatal("reading editor pages wrote to the database")
	}

	// A minute after the expiry was last moved, the next request moves it again.
	sessions := store.Sessions()
	key := c.cookies["ot_sessie"]
	data, err := sessions.Get(key)
	if err != nil || data == nil {
		t.Fatalf("session: %v", err)
	}
	var values map[string]any
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&values); err != nil {
		t.Fatal(err)
	}
	values[sessSeenAt] = time.Now().Add(-sessionTouchEvery - time.Second).Unix()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(values); err != nil {
		t.Fatal(err)
	}
	if err := sessions.Set(key, buf.Bytes(), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	res = c.get("/beheer")
	var renewed bool
	for _, ck := range res.Cookies() {
		renewed = renewed || (ck.Name == "ot_sessie" && ck.Value == key && ck.MaxAge == int(sessionIdle.Seconds()))
	}
	expires := count(t, rawDB(t, store), "SELECT expires_at FROM sessions")
	if !renewed || time.Until(time.Unix(int64(expires), 0)) < sessionIdle-time.Minute {
		t.Fatalf("the idle expiry was not moved: cookie renewed %v, session ends in %v", renewed, time.Until(time.Unix(int64(expires), 0)))
	}
	// The CSRF token stays the same.
	if id := c.createCase(caseValues("Na het verlengen")); id == "" {
		t.Fatal("no case")
	}
}

// publishedChange is the case form of a published case titled title, saved over
// version, with a new summary.
func publishedChange(title, version, summary string) url.Values {
	v := caseValues(title)
	v.Set("status", db.StatusPublished)
	v.Set("version", version)
	v.Set("summary", summary)
	return v
}

// checkBothNotSaved has the editor save a new case (fresh) and a change of case id
// (changed) that the database cannot write: neither is saved (checkNotSaved).
func checkBothNotSaved(t *testing.T, c *client, logs *logBuffer, fresh url.Values, id string, changed url.Values) {
	t.Helper()
	c.get("/beheer/voorbeelden/nieuw")
	logged := len(logs.lines(t))
	checkNotSaved(t, c.post("/beheer/voorbeelden", fresh), fresh, logs, logged)
	logged = len(logs.lines(t))
	checkNotSaved(t, c.post("/beheer/voorbeelden/"+id, changed), changed, logs, logged)
}

// checkNotSaved checks the answer to a save that the database could not write: 503,
// the case form again with the notice and everything the editor typed, and exactly
// one warning-or-worse line in the log since logged lines (an error line saying why).
func checkNotSaved(t *testing.T, res response, typed url.Values, logs *logBuffer, logged int) {
	t.Helper()
	if res.StatusCode != fiber.StatusServiceUnavailable || !strings.Contains(res.Body, `<html lang="nl">`) ||
		!strings.Contains(res.Body, "Niet opgeslagen: opslaan lukt op dit moment niet") || !strings.Contains(res.Body, "Er is <strong>niets</strong> gewijzigd") {
		t.Fatalf("save into an unwritable database: status %d, not the form with the Dutch notice: %s", res.StatusCode, messages(res.Body))
	}
	for _, field := range []string{"title", "summary", "partners", "contact"} {
		want := template.HTMLEscapeString(strings.Split(typed.Get(field), "\n")[0])
		if !strings.Contains(res.Body, want) {
			t.Errorf("the form lost the editor's %s %q", field, want)
		}
	}
	if !strings.Contains(res.Body, `name="_csrf"`) || !strings.Contains(res.Body, `type="submit"`) {
		t.Error("the form cannot be sent again")
	}
	lines := logs.lines(t)[logged:]
	var bad []map[string]any
	for _, l := range lines {
		if l["level"] == "WARN" || l["level"] == "ERROR" {
			bad = append(bad, l)
		}
	}
	if len(bad) != 1 || bad[0]["msg"] != "request failed" || bad[0]["status"] != float64(503) ||
		!strings.Contains(fmt.Sprint(bad[0]["err"]), "database not writable") || bad[0]["request_id"] == "" {
		t.Errorf("want one error line saying the database is not writable, got %d: %v", len(bad), bad)
	}
}

// checkReadsWork opens public and editor pages: all must answer 200.
func checkReadsWork(t *testing.T, c *client, caseID, word string) {
	t.Helper()
	for _, p := range []string{"/", "/voorbeelden?q=" + word, "/voorbeelden/startblok-riekerhaven", "/kaart", "/gemeenten/GM0363", "/healthz"} {
		if res := get(t, c.app, p); res.StatusCode != 200 {
			t.Errorf("GET %s: status %d", p, res.StatusCode)
		}
	}
	if res := get(t, c.app, "/voorbeelden?q="+word, htmx...); !strings.Contains(res.Body, `class="case-card"`) {
		t.Errorf("the search for %q finds nothing", word)
	}
	for _, p := range []string{"/beheer", "/beheer/voorbeelden", "/beheer/voorbeelden/" + caseID} {
		if res := c.get(p); res.StatusCode != 200 {
			t.Errorf("editor GET %s: status %d", p, res.StatusCode)
		}
	}
}

// TestEditorSaveOnFullDisk: an editor saves a new case and a change into a full
// disk. Each gets the form back with a clear notice (503) and their input, and one
// log line; reading goes on; the database stays sound; with room again the same
// forms save.
func TestEditorSaveOnFullDisk(t *testing.T) {
	ctx := context.Background()
	store, dir := storeOnSmallDisk(t)
	var logs logBuffer
	app, _ := newTestAppWith(t, func(c *Config) { withLog(&logs)(c); c.DB = store })
	c := signedIn(t, app, store, "ria@gemeente.example", db.RoleEditor)
	existing := caseValues("Woonschip voor statushouders")
	existing.Set("status", db.StatusPublished)
	id := c.createCase(existing)
	version := versionOf(t, c.get("/beheer/voorbeelden/"+id).Body)
	raw := rawDB(t, store)
	cases := count(t, raw, "SELECT count(*) FROM cases")

	// An empty write-ahead log, then a full disk: the next commit needs room.
	var busy, walPages, done int
	if err := raw.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &walPages, &done); err != nil || busy != 0 {
		t.Fatalf("checkpoint: busy %d, %v", busy, err)
	}
	filler := testkit.FillDisk(t, dir)

	fresh := caseValues("Kamerverhuur boven winkels")
	fresh.Set("summary", "Wat de redacteur net typte over kamers boven winkels in de binnenstad.")
	changed := publishedChange("Woonschip voor statushouders", version, "Een bijgewerkte samenvatting die niet verloren mag gaan, wat er ook gebeurt.")
	checkBothNotSaved(t, c, &logs, fresh, id, changed)

	checkReadsWork(t, c, id, "woonschip")
	if err := store.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, raw, "SELECT count(*) FROM cases"); n != cases {
		t.Fatalf("%d cases after the refused saves, want %d", n, cases)
	}

	// With room again, the same forms save.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	newID := c.createCase(fresh)
	c.updateCase(id, changed)
	for cid, want := range map[string]string{newID: fresh.Get("summary"), id: changed.Get("summary")} {
		cs, err := store.FindCaseByID(ctx, mustInt(t, cid))
		if err != nil || cs.Summary != want {
			t.Errorf("case %s: summary %q, err %v; want %q", cid, cs.Summary, err, want)
		}
	}
	checkSound(t, store)
}

// TestEditorSaveOnReadOnlyDatabase: the site restarts on a database file that has
// become read-only (a volume mounted read-only, a restore with the wrong owner).
// A signed-in editor still reads everything; their saves get the form back with a
// clear notice (503) and their input, and one log line; nothing in the file changes;
// once the file is writable again the same forms save.
func TestEditorSaveOnReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	_, first := newTestApp(t)
	addUser(t, first, "ria@gemeente.example", db.RoleEditor)
	c := signIn(t, appOn(t, first), "ria@gemeente.example")
	existing := caseValues("Hospitahuisvesting in de regio")
	existing.Set("status", db.StatusPublished)
	id := c.createCase(existing)
	version := versionOf(t, c.get("/beheer/voorbeelden/"+id).Body)
	path := first.Path()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	cases := testkit.CountRows(t, path, "cases")
	writable := testkit.ReadOnlyFile(t, path)

	store, err := db.Open(ctx, path, testkit.Schema(t))
	if err != nil {
		t.Fatalf("open the read-only database: %v", err)
	}
	ro := store
	t.Cleanup(func() { ro.Close() }) // before the file is unmounted
	var logs logBuffer
	c.app, _ = newTestAppWith(t, func(cfg *Config) { withLog(&logs)(cfg); cfg.DB = store })

	checkReadsWork(t, c, id, "hospitahuisvesting")
	fresh := caseValues("Tijdelijke units op een sportveld")
	changed := publishedChange("Hospitahuisvesting in de regio", version, "Een wijziging op een alleen-lezen bestand, die terug moet komen in het formulier.")
	checkBothNotSaved(t, c, &logs, fresh, id, changed)

	if err := store.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatalf("close the read-only database: %v", err)
	}
	if n := testkit.CountRows(t, path, "cases"); n != cases {
		t.Fatalf("%d cases in the read-only file, want %d", n, cases)
	}

	// Writable again (and the site restarted): the same forms save.
	writable()
	store, err = db.Open(ctx, path, testkit.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c.app = appOn(t, store)
	newID := c.createCase(fresh)
	c.updateCase(id, changed)
	if cs, err := store.FindCaseByID(ctx, mustInt(t, newID)); err != nil || cs.Title != fresh.Get("title") {
		t.Errorf("new case after the restart: %q, %v", cs.Title, err)
	}
	checkSound(t, store)
}
