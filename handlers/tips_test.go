package handlers

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"opnieuwthuis/db"
)

// tipValues is a valid suggestion with a form token issued a minute ago.
func tipValues(t testing.TB, app *appWithSecret, title string) url.Values {
	t.Helper()
	return url.Values{
		"_token":     {app.h.formToken(purposeTip, time.Now().Add(-time.Minute))},
		"title":      {title},
		"gemeente":   {"Zeist (GM0355)"},
		"kind":       {"aanpak"},
		"summary":    {"Buren helpen nieuwkomers de eerste maanden op weg."},
		"why":        {"Het werkt omdat vrijwilligers en de gemeente samen optrekken."},
		"source_url": {"https://www.zeist.nl/nieuws"},
		"name":       {"Anna de Vries"},
		"email":      {"anna.tipgever@example.org"},
		"consent":    {"true"},
		"website":    {""},
	}
}

// appWithSecret gives tests the handler, to sign form tokens with any issue time.
type appWithSecret struct {
	h *Handler
}

func tipApp(t testing.TB) (*client, *appWithSecret, *db.DB) {
	t.Helper()
	app, store := newTestApp(t)
	secret, err := store.Secret(t.Context(), "form-token-key", 32)
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, app), &appWithSecret{h: &Handler{formSecret: secret}}, store
}

// sendTip sends the tip form and fails unless the tip is accepted (303).
func (c *client) sendTip(form url.Values) {
	c.t.Helper()
	if res := c.post("/tip", form); res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("tip %q = %d %s", form.Get("title"), res.StatusCode, messages(res.Body))
	}
}

func TestTipLandsInQueue(t *testing.T) {
	c, a, store := tipApp(t)
	res := c.post("/tip", tipValues(t, a, "Buddy's voor nieuwkomers in Zeist"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tip/bedankt" {
		t.Fatalf("tip = %d %s", res.StatusCode, messages(res.Body))
	}
	if thanks := c.get("/tip/bedankt"); thanks.StatusCode != 200 || !strings.Contains(thanks.Body, "Bedankt voor uw tip") {
		t.Fatalf("thanks = %d", thanks.StatusCode)
	}
	raw := rawDB(t, store)
	if n := count(t, raw, "SELECT count(*) FROM cases WHERE title = ? AND status = 'ingediend' AND gemeente_code = 'GM0355' AND contact = ''",
		"Buddy's voor nieuwkomers in Zeist"); n != 1 {
		t.Fatalf("%d submitted cases", n)
	}
	if n := count(t, raw, "SELECT count(*) FROM case_tippers WHERE email = 'anna.tipgever@example.org' AND name = 'Anna de Vries'"); n != 1 {
		t.Fatal("tipper not stored")
	}
	// Not public, not searchable; the e-mail address appears nowhere public.
	if res := get(t, c.app, "/voorbeelden?q=nieuwkomers+zeist"); strings.Contains(res.Body, "Buddy") {
		t.Fatal("a suggestion is searchable before an editor published it")
	}
	if res := get(t, c.app, "/voorbeelden/buddy-s-voor-nieuwkomers-in-zeist"); res.StatusCode != 404 {
		t.Fatalf("suggestion page = %d", res.StatusCode)
	}
	// An editor sees it in the queue with the tipper's contact, and publishes it.
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	ed := signIn(t, c.app, "ria@gemeente.example")
	dash := ed.get("/beheer")
	if !strings.Contains(html.UnescapeString(dash.Body), "Buddy's voor nieuwkomers in Zeist") {
		t.Fatal("the tip is not in the queue")
	}
	var id string
	raw.QueryRow("SELECT id FROM cases WHERE slug = 'buddy-s-voor-nieuwkomers-in-zeist'").Scan(&id)
	page := ed.get("/beheer/voorbeelden/" + id)
	if !strings.Contains(page.Body, "anna.tipgever@example.org") || !strings.Contains(page.Body, "Getipt door een bezoeker") {
		t.Fatal("the editor does not see who tipped")
	}
	v := versionOf(t, page.Body)
	if res := ed.post("/beheer/voorbeelden/"+id+"/status", url.Values{"status": {"gepubliceerd"}, "version": {v}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish tip = %d", res.StatusCode)
	}
	// Handled: the tipper's contact details are gone (privacy statement).
	if n := count(t, raw, "SELECT count(*) FROM case_tippers"); n != 0 {
		t.Error("the tipper's contact details are kept after publication")
	}
	pub := get(t, c.app, "/voorbeelden/buddy-s-voor-nieuwkomers-in-zeist")
	if pub.StatusCode != 200 || strings.Contains(pub.Body, "anna.tipgever") || strings.Contains(pub.Body, "Anna de Vries") {
		t.Fatalf("published tip = %d, or shows the tipper", pub.StatusCode)
	}
}

func TestTipValidation(t *testing.T) {
	c, a, store := tipApp(t)
	cases := []struct{ field, value, message string }{
		{"title", "", "Vul een titel in."},
		{"summary", "", "Vul een korte beschrijving in."},
		{"why", "", "Schrijf op wat het een goed voorbeeld maakt."},
		{"email", "anna@", "Uw e-mailadres moet een geldig e-mailadres zijn"},
		{"name", "", "Vul uw naam in."},
		{"gemeente", "Gondor", "Gemeente: kies een bestaande gemeente uit de lijst"},
		{"source_url", "ftp://x.example", "Link naar meer informatie moet een volledig webadres zijn"},
		{"consent", "", "Geef toestemming om uw naam en e-mailadres te bewaren"},
		{"kind", "", "Kies wat voor voorbeeld het is"},
	}
	for _, tc := range cases {
		form := tipValues(t, a, "Een tip met een fout")
		form.Set(tc.field, tc.value)
		res := c.post("/tip", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(res.Body), tc.message) {
			t.Errorf("%s=%q: %d %s", tc.field, tc.value, res.StatusCode, messages(res.Body))
		}
		if !strings.Contains(res.Body, "anna.tipgever@example.org") && tc.field != "email" {
			t.Errorf("%s: typed e-mail lost", tc.field)
		}
	}
	// Inline, the same rule.
	form := tipValues(t, a, "x")
	form.Set("email", "anna@")
	res := c.post("/tip/valideer?veld=email", form, "HX-Request", "true")
	if res.StatusCode != 200 || !strings.Contains(res.Body, "moet een geldig e-mailadres zijn") || strings.Contains(res.Body, "<html") {
		t.Fatalf("inline tip validation: %d %s", res.StatusCode, res.Body)
	}
	if n := count(t, rawDB(t, store), "SELECT count(*) FROM cases WHERE title = 'Een tip met een fout'"); n != 0 {
		t.Fatal("an invalid tip was stored")
	}
}

func TestTipSpamDefences(t *testing.T) {
	c, a, store := tipApp(t)
	raw := rawDB(t, store)
	stored := func(title string) int {
		return count(t, raw, "SELECT count(*) FROM cases WHERE title = ?", title)
	}

	// Honeypot: looks like success, stores nothing.
	form := tipValues(t, a, "Honingpot")
	form.Set("website", "https://spam.example")
	if res := c.post("/tip", form); res.StatusCode != http.StatusSeeOther || stored("Honingpot") != 0 {
		t.Fatalf("honeypot: %d, stored %d", res.StatusCode, stored("Honingpot"))
	}
	// Sent faster than a person fills in the form.
	form = tipValues(t, a, "Te snel")
	form.Set("_token", a.h.formToken(purposeTip, time.Now()))
	res := c.post("/tip", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "wel erg snel") || stored("Te snel") != 0 {
		t.Fatalf("too fast: %d", res.StatusCode)
	}
	// No token, a forged one, an expired one, a login token: refused.
	for name, tok := range map[string]string{
		"none":    "",
		"forged":  "QUJD",
		"expired": a.h.formToken(purposeTip, time.Now().Add(-25*time.Hour)),
		"login":   a.h.formToken(purposeLogin, time.Now().Add(-time.Minute)),
	} {
		form := tipValues(t, a, "Token "+name)
		form.Set("_token", tok)
		if res := c.post("/tip", form); res.StatusCode != http.StatusForbidden || stored("Token "+name) != 0 {
			t.Errorf("token %s: %d", name, res.StatusCode)
		}
	}
	// Rate limit per address: the honeypot tip counted as one.
	for i := 1; i < tipMaxPerHour; i++ {
		c.sendTip(tipValues(t, a, "Tip nummer "+string(rune('A'+i))))
	}
	res = c.post("/tip", tipValues(t, a, "Een tip te veel"))
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "Probeer het over een uur opnieuw") || stored("Een tip te veel") != 0 {
		t.Fatalf("over the limit: %d", res.StatusCode)
	}
}

// Behind a trusted proxy the tip limit counts per visitor, not for the proxy's
// one address, and a forged X-Forwarded-For does not reset it.
func TestTipLimitPerClientBehindProxy(t *testing.T) {
	app, store := newTestAppWith(t, func(c *Config) { c.TrustedProxies = []string{"0.0.0.0"} })
	secret, err := store.Secret(t.Context(), "form-token-key", 32)
	if err != nil {
		t.Fatal(err)
	}
	a := &appWithSecret{h: &Handler{formSecret: secret}}
	first := newClient(t, app)
	for i := 1; i <= tipMaxPerHour; i++ {
		first.xff = fmt.Sprintf("198.51.100.%d, 203.0.113.1", i) // forged left, real right
		if res := first.post("/tip", tipValues(t, a, fmt.Sprintf("Tip %d", i))); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("tip %d = %d", i, res.StatusCode)
		}
	}
	first.xff = "198.51.100.99, 203.0.113.1"
	if res := first.post("/tip", tipValues(t, a, "Een te veel")); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the limit with a forged address = %d, want 429", res.StatusCode)
	}
	other := newClient(t, app)
	other.xff = "203.0.113.2"
	if res := other.post("/tip", tipValues(t, a, "Van iemand anders")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("another visitor behind the same proxy = %d", res.StatusCode)
	}
}
