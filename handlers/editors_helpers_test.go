package handlers

import (
	"context"
	"database/sql"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	_ "github.com/mattn/go-sqlite3"

	"opnieuwthuis/db"
)

// testPassword is the password of every account the tests create.
const testPassword = "lange-zin-als-wachtwoord"

// addUser creates an active account.
func addUser(t testing.TB, store *db.DB, email, role string) db.User {
	t.Helper()
	u, err := store.CreateUser(context.Background(), db.UserInput{Email: email, Name: strings.Split(email, "@")[0], Role: role, Password: testPassword}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// editorApp is the real app on a new database with one editor,
// ria@gemeente.example, signed in as c.
func editorApp(t testing.TB) (*fiber.App, *db.DB, *client) {
	t.Helper()
	app, store := newTestApp(t)
	return app, store, signedIn(t, app, store, "ria@gemeente.example", db.RoleEditor)
}

// signedIn creates an active account and signs it in (signIn).
func signedIn(t testing.TB, app *fiber.App, store *db.DB, email, role string) *client {
	t.Helper()
	addUser(t, store, email, role)
	return signIn(t, app, email)
}

// client is a browser stand-in: it keeps cookies and the last CSRF token seen.
type client struct {
	t       testing.TB
	app     *fiber.App
	cookies map[string]string
	csrf    string
	xff     string // sent as X-Forwarded-For when set (an app that trusts 0.0.0.0)
}

func newClient(t testing.TB, app *fiber.App) *client {
	return &client{t: t, app: app, cookies: map[string]string{}}
}

var (
	csrfInput  = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	tokenInput = regexp.MustCompile(`name="_token" value="([^"]+)"`)
)

func (c *client) send(req *http.Request, headers ...string) response {
	c.t.Helper()
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if c.xff != "" {
		req.Header.Set("X-Forwarded-For", c.xff)
	}
	res := do(c.t, c.app, req)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now())) {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	if m := csrfInput.FindStringSubmatch(res.Body); m != nil {
		c.csrf = m[1]
	}
	return res
}

func (c *client) get(target string, headers ...string) response {
	c.t.Helper()
	return c.send(httptest.NewRequest(http.MethodGet, target, nil), headers...)
}

// post sends a form; it adds the last CSRF token seen unless the form has one
// (an empty "_csrf" value sends none).
func (c *client) post(target string, form url.Values, headers ...string) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok && c.csrf != "" {
		form.Set("_csrf", c.csrf)
	}
	if v, ok := form["_csrf"]; ok && len(v) == 1 && v[0] == "" {
		form.Del("_csrf")
	}
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req, headers...)
}

// signIn signs in through the real form and opens the dashboard (which gives the
// CSRF token).
func signIn(t testing.TB, app *fiber.App, email string) *client {
	t.Helper()
	c := newClient(t, app)
	res := c.login(email, testPassword)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d %s", email, res.StatusCode, messages(res.Body))
	}
	if res := c.get("/beheer"); res.StatusCode != 200 {
		t.Fatalf("dashboard after sign-in: %d", res.StatusCode)
	}
	return c
}

func (c *client) login(email, password string, extra ...string) response {
	c.t.Helper()
	page := c.get("/inloggen")
	m := tokenInput.FindStringSubmatch(page.Body)
	if m == nil {
		c.t.Fatal("no form token on /inloggen")
	}
	form := url.Values{"_token": {m[1]}, "email": {email}, "password": {password}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return c.post("/inloggen", form)
}

// errorText picks the visible messages out of a page, for failure output.
func messages(body string) string {
	var out []string
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?s)<p class="field__error"[^>]*>(.*?)</p>`),
		regexp.MustCompile(`(?s)<p class="lead">(.*?)</p>`),
		regexp.MustCompile(`(?s)<p id="login-error">(.*?)</p>`),
	} {
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			if s := strings.TrimSpace(m[1]); s != "" {
				out = append(out, s)
			}
		}
	}
	return strings.Join(out, " | ")
}

// caseValues is a valid case form.
func caseValues(title string) url.Values {
	return url.Values{
		"title":           {title},
		"summary":         {"Een korte samenvatting van dit voorbeeld. Zij is lang genoeg voor de hint."},
		"body":            {"## Aanpak\n\nEerste regel.\nTweede regel."},
		"gemeente":        {"Utrecht"},
		"themes":          {"tijdelijke-woningen", "gezinnen"},
		"kind":            {"woonoplossing"},
		"year":            {"2024"},
		"homes":           {"40"},
		"homes_qualifier": {"doel"},
		"people":          {""},
		"partners":        {"Gemeente Utrecht\nCorporatie Mitros"},
		"contact":         {"Afdeling Wonen"},
		"source_url":      {"https://www.utrecht.nl/wonen"},
		"status":          {"concept"},
	}
}

var caseLocation = regexp.MustCompile(`^/beheer/voorbeelden/(\d+)\?melding=`)

// createCase makes a case through the form and returns its id.
func (c *client) createCase(form url.Values) string {
	c.t.Helper()
	res := c.post("/beheer/voorbeelden", form)
	m := caseLocation.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		c.t.Fatalf("create case: %d %q %s", res.StatusCode, res.Header.Get("Location"), messages(res.Body))
	}
	return m[1]
}

// updateCase saves the case form of case id and fails unless it is saved (303).
func (c *client) updateCase(id string, form url.Values) {
	c.t.Helper()
	if res := c.post("/beheer/voorbeelden/"+id, form); res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("save case %s: %d %s", id, res.StatusCode, messages(res.Body))
	}
}

// createInvalid posts a new case whose form holds a mistake and fails t (the test
// or subtest at hand) unless the form comes back with 422 and message. It returns
// the answer and its body with the HTML entities decoded.
func (c *client) createInvalid(t testing.TB, form url.Values, message string) (response, string) {
	t.Helper()
	res := c.post("/beheer/voorbeelden", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	body := html.UnescapeString(res.Body)
	if !strings.Contains(body, message) {
		t.Fatalf("message %q not shown; got %s", message, messages(res.Body))
	}
	return res, body
}

// rawDB opens the test database file directly, for fixtures of tables that have
// no API here (the figures of the map) and for checks that nothing changed.
func rawDB(t testing.TB, store *db.DB) *sql.DB {
	t.Helper()
	c, err := sql.Open("sqlite3", "file:"+store.Path()+"?_busy_timeout=5000&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func count(t testing.TB, c *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
