package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"opnieuwthuis/db"
	"opnieuwthuis/internal/testkit"
)

func TestLoginOK(t *testing.T) {
	app, store := newTestApp(t)
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	c := newClient(t, app)
	res := c.login("Ria@Gemeente.example ", testPassword)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/beheer" {
		t.Fatalf("sign in = %d to %q: %s", res.StatusCode, res.Header.Get("Location"), messages(res.Body))
	}
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "ot_sessie" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/", session)
	}
	home := c.get("/beheer")
	if home.StatusCode != 200 || !strings.Contains(home.Body, "ria") || !strings.Contains(home.Body, "Te beoordelen") {
		t.Fatalf("dashboard = %d", home.StatusCode)
	}
	// The session id in the database is hashed: the cookie value is not stored.
	raw := rawDB(t, store)
	if n := count(t, raw, "SELECT count(*) FROM sessions WHERE id = ?", session.Value); n != 0 {
		t.Error("the session id is stored in plain text")
	}
	if n := count(t, raw, "SELECT count(*) FROM audit_log WHERE action = 'login' AND actor = 'ria@gemeente.example'"); n != 1 {
		t.Errorf("sign-in audited %d times", n)
	}
}

func TestLoginWrongAndUnknownAnswerAlike(t *testing.T) {
	app, store := newTestApp(t)
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	wrong := newClient(t, app).login("ria@gemeente.example", "niet-het-goede-wachtwoord")
	unknown := newClient(t, app).login("niemand@gemeente.example", "niet-het-goede-wachtwoord")
	for name, res := range map[string]response{"wrong password": wrong, "unknown e-mail": unknown} {
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", name, res.StatusCode)
		}
		if !strings.Contains(res.Body, "E-mailadres of wachtwoord klopt niet.") {
			t.Errorf("%s: message %q", name, messages(res.Body))
		}
		if len(res.Cookies()) != 0 {
			t.Errorf("%s: a failed sign-in set cookies %v", name, res.Cookies())
		}
	}
	if messages(wrong.Body) != messages(unknown.Body) {
		t.Errorf("answers differ:\n%s\n%s", messages(wrong.Body), messages(unknown.Body))
	}
	// The typed address of an unknown account is not logged (it may be a password).
	raw := rawDB(t, store)
	if n := count(t, raw, "SELECT count(*) FROM audit_log WHERE action = 'login_failed'"); n != 2 {
		t.Errorf("%d failed sign-ins audited, want 2", n)
	}
	if n := count(t, raw, "SELECT count(*) FROM audit_log WHERE subject LIKE '%niemand%' OR detail LIKE '%niet-het-goede%'"); n != 0 {
		t.Error("the audit log holds what was typed for an unknown account or a password")
	}
}

// Five wrong passwords from one client make that client wait (growing), not the
// account's owner elsewhere; a beheerder can lift the wait at once (audited).
func TestSignInThrottlePerAccountAndClient(t *testing.T) {
	// app.Test connects from 0.0.0.0: as a trusted proxy, X-Forwarded-For
	// gives each test client its own address.
	app, store := newTestAppWith(t, func(c *Config) { c.TrustedProxies = []string{"0.0.0.0"} })
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	addUser(t, store, "baas@gemeente.example", db.RoleAdmin)
	for _, email := range []string{"ria@gemeente.example", "onbekend@gemeente.example"} {
		attacker := newClient(t, app)
		attacker.xff = "203.0.113.9"
		for i := 1; i <= 4; i++ {
			if res := attacker.login(email, "fout-wachtwoord-nummer"); res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%s: failure %d = %d", email, i, res.StatusCode)
			}
		}
		last := attacker.login(email, "fout-wachtwoord-nummer")
		if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(last.Body, "Probeer het over 30 seconden opnieuw") ||
			last.Header.Get("Retry-After") != "30" {
			t.Fatalf("%s: 5th failure = %d, Retry-After %q: %s", email, last.StatusCode, last.Header.Get("Retry-After"), messages(last.Body))
		}
		// While it waits, that client gets nowhere, even with the right password.
		if res := attacker.login(email, testPassword); res.StatusCode != http.StatusTooManyRequests || len(res.Cookies()) != 0 {
			t.Fatalf("%s: the waiting client's right password = %d", email, res.StatusCode)
		}
	}
	// The owner, on another address, is not locked out.
	owner := newClient(t, app)
	owner.xff = "198.51.100.7"
	if res := owner.login("ria@gemeente.example", testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner elsewhere = %d %s", res.StatusCode, messages(res.Body))
	}

	// A beheerder sees the wait and lifts it.
	admin := signIn(t, app, "baas@gemeente.example")
	page := admin.get("/beheer/accounts")
	if !strings.Contains(page.Body, "5 mislukte inlogpogingen; vertraagd tot") || !strings.Contains(page.Body, `value="vertraging"`) {
		t.Fatalf("the accounts page does not show the wait: %s", messages(page.Body))
	}
	ria, _ := store.FindUserByEmail(context.Background(), "ria@gemeente.example")
	if res := admin.post("/beheer/accounts/"+strconv.FormatInt(ria.ID, 10), url.Values{"actie": {"vertraging"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("lift = %d", res.StatusCode)
	}
	again := newClient(t, app)
	again.xff = "203.0.113.9"
	if res := again.login("ria@gemeente.example", testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lift, that client's right password = %d %s", res.StatusCode, messages(res.Body))
	}
	raw := rawDB(t, store)
	if n := count(t, raw, "SELECT count(*) FROM audit_log WHERE action = 'account_change' AND subject = 'ria@gemeente.example' AND detail LIKE 'inlogvertraging opgeheven%'"); n != 1 {
		t.Errorf("%d audit entries for the lift, want 1", n)
	}
	// A redacteur cannot lift anything.
	red := signIn(t, app, "ria@gemeente.example")
	if res := red.post("/beheer/accounts/"+strconv.FormatInt(ria.ID, 10), url.Values{"actie": {"vertraging"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a redacteur lifting = %d, want 403", res.StatusCode)
	}
}

func TestLoginRateLimitedPerAddress(t *testing.T) {
	app, _ := newTestApp(t)
	c := newClient(t, app)
	for i := 0; i < loginMaxPerAddress; i++ {
		res := c.login("iemand"+strings.Repeat("x", i)+"@example.org", "fout-wachtwoord-nummer")
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d = %d", i+1, res.StatusCode)
		}
	}
	res := c.login("nog-een@example.org", "fout-wachtwoord-nummer")
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "te vaak geprobeerd") {
		t.Fatalf("attempt past the limit = %d %s", res.StatusCode, messages(res.Body))
	}
}

func TestLoginNeedsFormToken(t *testing.T) {
	app, store := newTestApp(t)
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	c := newClient(t, app)
	form := url.Values{"email": {"ria@gemeente.example"}, "password": {testPassword}}
	if res := c.post("/inloggen", form); res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "Formulier verlopen") {
		t.Fatalf("no token = %d", res.StatusCode)
	}
	form.Set("_token", "bm9wZQ")
	if res := c.post("/inloggen", form); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged token = %d", res.StatusCode)
	}
	// A valid token, but the browser says the form was posted from another site.
	if res := c.login("ria@gemeente.example", testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("control: %d", res.StatusCode)
	}
	c2 := newClient(t, app)
	page := c2.get("/inloggen")
	tok := tokenInput.FindStringSubmatch(page.Body)[1]
	res := c2.post("/inloggen", url.Values{"_token": {tok}, "email": {"ria@gemeente.example"}, "password": {testPassword}},
		"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if res.StatusCode != http.StatusForbidden || len(res.Cookies()) != 0 {
		t.Fatalf("cross-site sign-in = %d", res.StatusCode)
	}
}

func TestLoginReturnsOnlyToThisSite(t *testing.T) {
	app, store := newTestApp(t)
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	res := newClient(t, app).login("ria@gemeente.example", testPassword, "terug", "/beheer/themas")
	if res.Header.Get("Location") != "/beheer/themas" {
		t.Errorf("back to %q", res.Header.Get("Location"))
	}
	for _, evil := range []string{"//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)"} {
		res := newClient(t, app).login("ria@gemeente.example", testPassword, "terug", evil)
		if res.Header.Get("Location") != "/beheer" {
			t.Errorf("terug=%q redirected to %q", evil, res.Header.Get("Location"))
		}
	}
}

func TestSecureCookies(t *testing.T) {
	app, store := newTestAppWith(t, func(c *Config) { c.SecureCookies = true })
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	c := newClient(t, app)
	res := c.login("ria@gemeente.example", testPassword)
	var session, marker *http.Cookie
	for _, ck := range res.Cookies() {
		switch ck.Name {
		case "__Host-ot_sessie":
			session = ck
		case "__Host-ot_redacteur":
			marker = ck
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly {
		t.Fatalf("cookies = %+v, want a Secure, HttpOnly __Host- session cookie", res.Cookies())
	}
	// The editor marker (for the "Bewerken" link of public pages) holds nothing secret.
	if marker == nil || !marker.Secure || marker.Value != "1" {
		t.Fatalf("cookies = %+v, want a Secure __Host- editor marker", res.Cookies())
	}
}

func TestVisitorsGetNoCookie(t *testing.T) {
	app, _ := newTestApp(t)
	c := newClient(t, app)
	for _, p := range []string{"/", "/voorbeelden", "/voorbeelden/startblok-riekerhaven", "/tip", "/inloggen", "/beheer", "/beheer/voorbeelden/1", "/tip/bedankt"} {
		if res := c.get(p); len(res.Cookies()) != 0 {
			t.Errorf("GET %s set %v", p, res.Cookies())
		}
	}
	tok := tokenInput.FindStringSubmatch(c.get("/tip").Body)[1]
	if res := c.post("/tip", url.Values{"_token": {tok}, "title": {""}}); len(res.Cookies()) != 0 {
		t.Errorf("POST /tip set %v", res.Cookies())
	}
}

func TestSessionSurvivesRestart(t *testing.T) {
	_, store := newTestApp(t)
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	path := store.Path()
	c := signIn(t, appOn(t, store), "ria@gemeente.example")
	store.Close()

	// A new program on the same file.
	store2, err := db.Open(context.Background(), path, testkit.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store2.Close()
	c.app = appOn(t, store2)
	res := c.get("/beheer")
	if res.StatusCode != 200 || !strings.Contains(res.Body, "ria") {
		t.Fatalf("after restart /beheer = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// The CSRF token kept in the session still works.
	id := c.createCase(caseValues("Na een herstart"))
	if id == "" {
		t.Fatal("no case")
	}
}

func TestLogout(t *testing.T) {
	app, _, c := editorApp(t)
	old := c.cookies["ot_sessie"]
	res := c.post("/uitloggen", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/inloggen") {
		t.Fatalf("logout = %d", res.StatusCode)
	}
	// The old cookie no longer opens anything.
	c2 := newClient(t, app)
	c2.cookies["ot_sessie"] = old
	if res := c2.get("/beheer"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session after logout = %d", res.StatusCode)
	}
}

func TestUnauthorised(t *testing.T) {
	app, store := newTestApp(t)
	anon := newClient(t, app)
	res := anon.get("/beheer/voorbeelden?status=ingediend")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/inloggen?terug="+url.QueryEscape("/beheer/voorbeelden?status=ingediend") {
		t.Fatalf("no session = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = anon.get("/beheer/voorbeelden", "HX-Request", "true")
	if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("HX-Redirect"), "/inloggen") {
		t.Fatalf("htmx without session = %d, HX-Redirect %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
	// A write without a session changes nothing.
	raw := rawDB(t, store)
	before := count(t, raw, "SELECT count(*) FROM cases")
	res = anon.post("/beheer/voorbeelden", caseValues("Zonder sessie"))
	if res.StatusCode != http.StatusSeeOther || count(t, raw, "SELECT count(*) FROM cases") != before {
		t.Fatalf("POST without session = %d", res.StatusCode)
	}

	// A redacteur on the beheerders' pages.
	red := signedIn(t, app, store, "ria@gemeente.example", db.RoleEditor)
	for _, p := range []string{"/beheer/accounts", "/beheer/logboek"} {
		if res := red.get(p); res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "Alleen voor beheerders") {
			t.Errorf("redacteur GET %s = %d", p, res.StatusCode)
		}
	}
	res = red.post("/beheer/accounts", url.Values{"email": {"nieuw@example.org"}, "role": {"beheerder"}})
	if res.StatusCode != http.StatusForbidden || count(t, raw, "SELECT count(*) FROM users WHERE email = 'nieuw@example.org'") != 0 {
		t.Errorf("redacteur adding an account = %d", res.StatusCode)
	}
	if strings.Contains(red.get("/beheer").Body, `href="/beheer/accounts"`) {
		t.Error("the redacteur's menu links to the accounts page")
	}
}

func TestCSRF(t *testing.T) {
	_, store, c := editorApp(t)
	raw := rawDB(t, store)
	before := count(t, raw, "SELECT count(*) FROM cases")

	cases := []struct {
		name    string
		token   string
		headers []string
	}{
		{"form, no token", "", nil},
		{"form, wrong token", "00000000-0000-4000-8000-000000000000", nil},
		{"htmx, no token", "", []string{"HX-Request", "true"}},
		{"htmx, wrong header", "", []string{"HX-Request", "true", "X-Csrf-Token", "00000000-0000-4000-8000-000000000000"}},
	}
	for _, tc := range cases {
		form := caseValues("Vervalst " + tc.name)
		form.Set("_csrf", tc.token)
		res := c.post("/beheer/voorbeelden", form, tc.headers...)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "Formulier verlopen of ongeldig") {
			t.Errorf("%s: %d", tc.name, res.StatusCode)
		}
	}
	if n := count(t, raw, "SELECT count(*) FROM cases"); n != before {
		t.Fatalf("refused requests created %d cases", n-before)
	}

	// The right token works as a form field and, for htmx, as a header.
	if id := c.createCase(caseValues("Met formulierveld")); id == "" {
		t.Fatal("form field token refused")
	}
	form := caseValues("Met htmx-kop")
	form.Set("_csrf", "")
	res := c.post("/beheer/voorbeelden", form, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if res.StatusCode != http.StatusNoContent || !strings.HasPrefix(res.Header.Get("HX-Redirect"), "/beheer/voorbeelden/") {
		t.Fatalf("htmx with header token = %d, HX-Redirect %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
	// The editor pages give htmx the token in hx-headers.
	if page := c.get("/beheer/voorbeelden/nieuw"); !strings.Contains(page.Body, `hx-headers='{"X-Csrf-Token": "`+c.csrf+`"}'`) {
		t.Error("case form has no hx-headers with the CSRF token")
	}
	// Logout needs the token too.
	if res := c.post("/uitloggen", url.Values{"_csrf": {""}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("logout without token = %d", res.StatusCode)
	}
}

func TestDisabledAccountLosesSession(t *testing.T) {
	app, store := newTestApp(t)
	admin := addUser(t, store, "beheer@gemeente.example", db.RoleAdmin)
	ria := addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	c := signIn(t, app, "ria@gemeente.example")
	off := true
	if _, err := store.UpdateUser(context.Background(), ria.ID, db.UserUpdate{Disabled: &off}, admin); err != nil {
		t.Fatal(err)
	}
	res := c.get("/beheer")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "reden=uitgeschakeld") {
		t.Fatalf("disabled account = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.login("ria@gemeente.example", testPassword); res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "uitgeschakeld") {
		t.Fatalf("disabled sign-in = %d", res.StatusCode)
	}
}

// The CSRF token counts only from the body or the X-Csrf-Token header: a token in
// the query string (which ends up in logs and Referer headers) is refused.
func TestCSRFTokenNotFromTheQueryString(t *testing.T) {
	_, store, c := editorApp(t)
	form := url.Values{"_csrf": {""}, "intro": {"Nieuwe uitleg."}, "when_text": {"Altijd."}, "version": {"1"}}
	if res := c.post("/beheer/themas/gezinnen?_csrf="+url.QueryEscape(c.csrf), form); res.StatusCode != http.StatusForbidden {
		t.Fatalf("token in the query string = %d, want 403", res.StatusCode)
	}
	if th, _ := store.FindTheme(context.Background(), "gezinnen"); th.Intro == "Nieuwe uitleg." {
		t.Fatal("the post changed the theme")
	}
	form.Del("_csrf")
	if res := c.post("/beheer/themas/gezinnen", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("token in the body = %d", res.StatusCode)
	}
}
