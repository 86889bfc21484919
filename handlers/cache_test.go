package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"opnieuwthuis/db"
)

func TestPageCacheServesUntilTheDataChanges(t *testing.T) {
	app, store := newTestApp(t)
	first := get(t, app, "/voorbeelden?q=korhoen")
	if first.Header.Get("X-Cache") != "miss" || !strings.Contains(first.Body, "Niets gevonden") {
		t.Fatalf("first answer: X-Cache %q", first.Header.Get("X-Cache"))
	}
	second := get(t, app, "/voorbeelden?q=korhoen")
	if second.Header.Get("X-Cache") != "hit" || second.Body != first.Body {
		t.Fatalf("second answer: X-Cache %q, same body %v", second.Header.Get("X-Cache"), second.Body == first.Body)
	}
	if frag := get(t, app, "/voorbeelden?q=korhoen", htmx...); frag.Header.Get("X-Cache") != "miss" || strings.Contains(frag.Body, "<html") {
		t.Error("the fragment came from the page's cache entry")
	}

	// A write to cases: the cached search is stale at once.
	if _, err := store.CreateCase(context.Background(), db.CaseInput{Slug: "korhoen", Title: "Het korhoen",
		Summary: "Een samenvatting.", Kind: db.KindSolution, Status: db.StatusPublished}, nil); err != nil {
		t.Fatal(err)
	}
	after := get(t, app, "/voorbeelden?q=korhoen")
	if after.Header.Get("X-Cache") != "miss" || !strings.Contains(after.Body, `href="/voorbeelden/korhoen"`) {
		t.Fatalf("after publishing: X-Cache %q, new case shown %v", after.Header.Get("X-Cache"), strings.Contains(after.Body, `href="/voorbeelden/korhoen"`))
	}

	// Figures written by anyone (the triggers move figures_version): stale too.
	get(t, app, "/kaart")
	if get(t, app, "/kaart").Header.Get("X-Cache") != "hit" {
		t.Fatal("the map is not cached")
	}
	mustExec(t, rawDB(t, store), "UPDATE realisaties SET realised = realised + 1 WHERE gemeente_code = 'GM0344' AND peildatum = '2025-08-01'")
	// What the store's watcher does every second.
	if err := store.NoticeOutsideWrites(context.Background()); err != nil {
		t.Fatal(err)
	}
	if get(t, app, "/kaart").Header.Get("X-Cache") == "hit" {
		t.Fatal("the map stayed cached after its figures were changed by another program")
	}
}

func TestPageCacheKeepsHeadersAndSkipsWhatDiffers(t *testing.T) {
	app, _ := newTestApp(t)
	for i := 0; i < 2; i++ {
		res := get(t, app, "/gemeenten/GM0344?periode=2025-H1", "HX-Request", "true", "HX-Target", "kaart-paneel")
		if res.Header.Get("HX-Push-Url") == "" || !strings.Contains(res.Header.Get("Vary"), "HX-Request") {
			t.Errorf("answer %d lost the handler's headers: %v", i+1, res.Header)
		}
		if res.Header.Get("X-Request-Id") == "" {
			t.Error("no request id of its own")
		}
	}
	a := get(t, app, "/kaart")
	b := get(t, app, "/kaart")
	if a.Header.Get("X-Request-Id") == b.Header.Get("X-Request-Id") {
		t.Error("a cached answer repeats another answer's request id")
	}
	for _, target := range []string{"/tip", "/inloggen", "/open-data/voorbeelden.csv", "/voorbeelden.atom", "/bestaat-niet"} {
		get(t, app, target)
		if c := get(t, app, target).Header.Get("X-Cache"); c != "" {
			t.Errorf("%s: X-Cache %q, want it never cached", target, c)
		}
	}
}

func TestCachedPagesAreCompressedAndRevalidate(t *testing.T) {
	app, _ := newTestApp(t)
	plain := get(t, app, "/kaart").Body
	for _, enc := range []string{"br", "gzip"} {
		req := httptest.NewRequest("GET", "/kaart", nil)
		req.Header.Set("Accept-Encoding", enc)
		res := do(t, app, req)
		if res.Header.Get("Content-Encoding") != enc {
			t.Fatalf("%s: Content-Encoding %q", enc, res.Header.Get("Content-Encoding"))
		}
		var r io.Reader
		if enc == "br" {
			r = brotli.NewReader(strings.NewReader(res.Body))
		} else {
			zr, err := gzip.NewReader(strings.NewReader(res.Body))
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		body, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(body, []byte(plain)) {
			t.Fatalf("%s: body differs from the plain page (%v)", enc, err)
		}
		if len(res.Body) > len(plain)/4 {
			t.Errorf("%s: %d of %d bytes", enc, len(res.Body), len(plain))
		}
		req = httptest.NewRequest("GET", "/kaart", nil)
		req.Header.Set("Accept-Encoding", enc)
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
		if again := do(t, app, req); again.StatusCode != 304 || again.Body != "" {
			t.Errorf("%s: revalidation gave %d with %d bytes", enc, again.StatusCode, len(again.Body))
		}
	}
}

func TestStaticFiles(t *testing.T) {
	app, _ := newTestApp(t)
	h := &Handler{}
	var err error
	if _, h.assets, err = loadStatic(os.DirFS(filepath.Join("..", "public"))); err != nil {
		t.Fatal(err)
	}
	url := h.asset("site.css")
	req := httptest.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	res := do(t, app, req)
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "br" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("site.css: %d %q %q", res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Content-Type"))
	}
	if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("the current version is not cached for long: %q", res.Header.Get("Cache-Control"))
	}
	if cc := get(t, app, "/static/site.css?v=oud").Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("an old version is cached for a year: %q", cc)
	}
	for _, target := range []string{"/static/../main.go", "/static/%2e%2e/schema.sql", "/static/..%2fschema.sql", "/static/", "/static/vendor", "/static/nope.css"} {
		if res := get(t, app, target); res.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", target, res.StatusCode)
		}
	}
}

func TestPageCacheCanBeTurnedOff(t *testing.T) {
	app, _ := newTestAppWith(t, func(c *Config) { c.PageCacheBytes = 0 })
	for i := 0; i < 2; i++ {
		if c := get(t, app, "/kaart").Header.Get("X-Cache"); c != "" {
			t.Fatalf("answer %d: X-Cache %q with the cache off", i+1, c)
		}
	}
}

func TestAcceptEncodingWeights(t *testing.T) {
	app, _ := newTestApp(t)
	get(t, app, "/voorbeelden") // fill the page cache
	for _, tt := range []struct{ accept, want string }{
		{"gzip, deflate, br", "br"},
		{"br;q=0, gzip", "gzip"},
		{"br; q=0.0, gzip;q=0.5", "gzip"},
		{"BR;Q=0, GZIP;q=0", ""},
		{"gzip;q=0, br;q=0.1", "br"},
		{"*", "br"},
		{"*;q=0, gzip", "gzip"},
		{"br;q=0, *", "gzip"},
		{"identity", ""},
		{"", ""},
	} {
		res := get(t, app, "/voorbeelden", "Accept-Encoding", tt.accept)
		if res.Header.Get("X-Cache") != "hit" {
			t.Fatalf("%q: not from the page cache", tt.accept)
		}
		if got := res.Header.Get("Content-Encoding"); got != tt.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tt.accept, got, tt.want)
		}
	}
}

// Public pages may be kept briefly by a shared cache; anything with a session, a
// form token or editor content may not be kept at all.
func TestCacheControl(t *testing.T) {
	app, store := newTestAppWith(t, func(c *Config) { c.SharedCacheSeconds = 7 })
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	const public, private = "public, max-age=0, s-maxage=7", "private, no-store"
	anon := newClient(t, app)
	for _, path := range []string{"/", "/voorbeelden", "/voorbeelden?q=wonen", "/kaart", "/themas", "/over"} {
		for range 2 { // made, then from the page cache
			res := anon.get(path)
			if cc := res.Header.Get("Cache-Control"); cc != public {
				t.Errorf("%s (%s): Cache-Control %q, want %q", path, res.Header.Get("X-Cache"), cc, public)
			}
			if !strings.Contains(res.Header.Get("Vary"), "Cookie") || res.Header.Get("ETag") == "" {
				t.Errorf("%s: Vary %q, ETag %q", path, res.Header.Get("Vary"), res.Header.Get("ETag"))
			}
		}
	}
	for _, path := range []string{"/inloggen", "/tip", "/bestaat-niet", "/voorbeelden/bestaat-niet", "/voorbeelden.csv", "/beheer"} {
		if cc := anon.get(path).Header.Get("Cache-Control"); cc != private && cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want %q", path, cc, private)
		}
	}
	// An editor's requests carry the session: nothing they get may be kept,
	// public pages included, and they never come from or go into the page cache.
	ed := signIn(t, app, "ria@gemeente.example")
	for _, path := range []string{"/beheer", "/beheer/voorbeelden", "/voorbeelden", "/", "/kaart", "/voorbeelden.atom"} {
		res := ed.get(path)
		if cc := res.Header.Get("Cache-Control"); cc != private {
			t.Errorf("editor %s: Cache-Control %q, want %q", path, cc, private)
		}
		if x := res.Header.Get("X-Cache"); x != "" {
			t.Errorf("editor %s: X-Cache %q, want the page made for them", path, x)
		}
	}
	if cc := ed.get("/static/site.css").Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
		t.Errorf("static file for an editor: %q, the same for everyone", cc)
	}
}

// TestRenderCacheStaysWithinItsBudget: the render cache never holds more than its
// byte budget, drops the oldest entries first, refuses an entry larger than the
// budget, empties itself when the generation moves on and ignores output made
// from data older than what it holds.
func TestRenderCacheStaysWithinItsBudget(t *testing.T) {
	const budget = 10_000
	r := newRenderCache(budget, budget/10, func(k string) int { return len(k) })
	size := func(k string, s template.HTML) int { return len(k) + len(s) + renderEntryOverhead }
	key := func(i int) string { return fmt.Sprintf("option %05d", i) }
	out := func(i int) template.HTML { return template.HTML(strings.Repeat("x", 100+i%50)) }
	for i := range 1000 {
		if _, ok := r.get(1, key(i)); ok {
			t.Fatalf("%s found before it was put", key(i))
		}
		r.put(1, false, key(i), out(i))
		_, _, entries, bytes := r.stats()
		sum := 0
		for k, s := range r.entries {
			sum += size(k, s)
		}
		if bytes > budget || bytes != sum || entries != len(r.order) {
			t.Fatalf("after %d entries: %d bytes counted, %d held, budget %d; %d entries, %d in order", i+1, bytes, sum, budget, entries, len(r.order))
		}
		if s, ok := r.get(1, key(i)); !ok || s != out(i) {
			t.Fatalf("%s not kept", key(i))
		}
	}
	if _, ok := r.get(1, key(0)); ok {
		t.Error("the oldest entry was kept beyond the budget")
	}
	hits, misses, entries, _ := r.stats()
	if hits != 1000 || misses != 1001 || entries < 40 {
		t.Errorf("%d hits, %d misses, %d entries; want 1000, 1001 and about 50", hits, misses, entries)
	}

	r.put(1, false, "huge", template.HTML(strings.Repeat("x", budget)))
	if _, ok := r.get(1, "huge"); ok {
		t.Error("an entry larger than the budget was kept")
	}
	r.put(2, false, "new", "<li>nieuw</li>")
	if _, _, entries, bytes := r.stats(); entries != 1 || bytes != size("new", "<li>nieuw</li>") {
		t.Errorf("after a new generation: %d entries of %d bytes, want only the new one", entries, bytes)
	}
	if _, ok := r.get(1, "new"); ok {
		t.Error("an entry of generation 2 answered for generation 1")
	}
	r.put(1, false, "old", "<li>oud</li>")
	if _, ok := r.get(2, "old"); ok {
		t.Error("output made from older data was kept")
	}

	// A large library's generation gets the smaller budget.
	for i := range 1000 {
		r.put(3, true, key(i), out(i))
	}
	if _, _, _, bytes := r.stats(); bytes > budget/10 || bytes < budget/20 {
		t.Errorf("a large library's cache holds %d bytes, want at most %d (and about that)", bytes, budget/10)
	}
}
