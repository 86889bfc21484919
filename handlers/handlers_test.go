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
	"golang.org/x/crypto/bcrypt"

	"opnieuwthuis/db"
	"opnieuwthuis/internal/testkit"
)

// newTestApp builds the real app on a new database file with the real views.
func newTestApp(t testing.TB) (*fiber.App, *db.DB) {
	t.Helper()
	return newTestAppWith(t, nil)
}

// newTestAppWith is newTestApp with changes to the configuration (a logger to read,
// a metrics registry, test routes, secure cookies) made by configure. When
// configure sets DB (a second app on the same file, a file on a full disk), the
// app runs on that database; otherwise on a new file (a copy of one built once:
// testkit.CopyOfBuilt).
func newTestAppWith(t testing.TB, configure func(*Config)) (*fiber.App, *db.DB) {
	t.Helper()
	cfg := Config{
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
	if cfg.DB == nil {
		path := filepath.Join(t.TempDir(), "test.db")
		testkit.CopyOfBuilt(t, "new database", path, func(path string) error {
			store, err := db.Open(context.Background(), path, testkit.Schema(t))
			if err != nil {
				return err
			}
			return store.Close()
		})
		store, err := db.Open(context.Background(), path, testkit.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		cfg.DB = store
	}
	// The accounts tests make and sign in with cost no bcrypt time.
	cfg.DB.PasswordCost = bcrypt.MinCost
	app, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return app, cfg.DB
}

// appOn is the real app on an open database.
func appOn(t testing.TB, store *db.DB) *fiber.App {
	t.Helper()
	app, _ := newTestAppWith(t, func(c *Config) { c.DB = store })
	return app
}

// storeOnSmallDisk opens a new database on a file system of its own, 24 MB,
// for tests that fill it (testkit.FillDisk on dir); it needs root.
func storeOnSmallDisk(t testing.TB) (store *db.DB, dir string) {
	t.Helper()
	dir = testkit.MountTmpfs(t, "24m")
	store, err := db.Open(context.Background(), filepath.Join(dir, "site.db"), testkit.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, dir
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

// getPage is get for a page that must be there: anything but 200 ends the test.
func getPage(t testing.TB, app *fiber.App, target string, headers ...string) response {
	t.Helper()
	res := get(t, app, target, headers...)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", target, res.StatusCode)
	}
	return res
}

func do(t testing.TB, app *fiber.App, req *http.Request) response {
	t.Helper()
	res, err := app.Test(req, -1)
	return readResponse(t, res, err)
}

// readResponse reads the whole answer of a request that gave res and err.
func readResponse(t testing.TB, res *http.Response, err error) response {
	t.Helper()
	body := testkit.Body(t, res, err)
	return response{Response: res, Body: body}
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
