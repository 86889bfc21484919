package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// newTestApp builds the real app on a new database file with the real views.
func newTestApp(t testing.TB) (*fiber.App, *db.DB) {
	t.Helper()
	return newTestAppWith(t, nil)
}

// newTestAppWith is newTestApp with changes to the configuration (a logger to read,
// a metrics registry, test routes) made by configure.
func newTestAppWith(t testing.TB, configure func(*Config)) (*fiber.App, *db.DB) {
	t.Helper()
	schema, err := os.ReadFile(filepath.Join("..", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), string(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := Config{
		DB:      store,
		Views:   os.DirFS(filepath.Join("..", "views")),
		Public:  os.DirFS(filepath.Join("..", "public")),
		Logger:  slog.New(slog.NewJSONHandler(io.Discard, nil)),
		BaseURL: "https://opnieuwthuis.example",
		// As main sets it by default (PAGE_CACHE_MB=48).
		PageCacheBytes: 48 << 20,
	}
	if configure != nil {
		configure(&cfg)
	}
	app, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return app, store
}

// response is a finished request: status, headers and body as text.
type response struct {
	*http.Response
	Body string
}

// get sends a GET through app.Test; headers are name, value pairs.
func get(t testing.TB, app *fiber.App, target string, headers ...string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, app, req)
}

func do(t testing.TB, app *fiber.App, req *http.Request) response {
	t.Helper()
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Response: res, Body: string(b)}
}

// htmx are the headers htmx sends with a normal request.
var htmx = []string{"HX-Request", "true"}

func TestHealthz(t *testing.T) {
	app, _ := newTestApp(t)
	res := get(t, app, "/healthz")
	if res.StatusCode != 200 || !strings.Contains(res.Body, `"database":"ok"`) {
		t.Fatalf("healthz = %d %s", res.StatusCode, res.Body)
	}
}

// TestETagAnswersNotModified: a page made afresh (the page cache off) carries a
// strong ETag; asking with it, also as a weak one, gets 304 without a body.
func TestETagAnswersNotModified(t *testing.T) {
	app, _ := newTestAppWith(t, func(c *Config) { c.PageCacheBytes = -1 })
	res := get(t, app, "/voorbeelden?q=statushouers", htmx...)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("status %d, ETag %q", res.StatusCode, etag)
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag} {
		again := get(t, app, "/voorbeelden?q=statushouers", append(htmx, "If-None-Match", inm)...)
		if again.StatusCode != 304 || again.Body != "" {
			t.Errorf("If-None-Match %s: status %d, %d bytes", inm, again.StatusCode, len(again.Body))
		}
	}
	if other := get(t, app, "/voorbeelden?q=statushouers", append(htmx, "If-None-Match", `"12-34"`)...); other.StatusCode != 200 {
		t.Errorf("another ETag: status %d", other.StatusCode)
	}
}
