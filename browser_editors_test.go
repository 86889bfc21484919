package main

// Real-browser tests of the editors' side, at 1280 and 390 px, every one of them
// failing on any error the browser reports (as every browser test does): sign in, write a
// case with mistakes caught inline and in the error summary (which takes the
// focus), publish it with the button that says so, the "Bewerken" link on its
// public page; a tip sent too fast and again, published with the editor's edits;
// a save after the session ended that comes back after signing in; a draft offered
// back after leaving (which asks first); an import whose preview says how many
// gemeenten lose figures, undone again; a changed slug that redirects; restoring a
// published version, which asks first; axe-core on every editor page.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const browserPassword = "browser-test-wachtwoord"

// browserAccount adds an account the way an operator does, on the site's file.
func browserAccount(t *testing.T, dbPath, email, role string) {
	t.Helper()
	env := map[string]string{"DB_PATH": dbPath}
	if err := run(context.Background(), []string{"user", "add", "--email", email, "--role", role, "--name", strings.Split(email, "@")[0]},
		func(k string) string { return env[k] }, strings.NewReader(browserPassword+"\n"), io.Discard); err != nil {
		t.Fatal(err)
	}
}

// editorSite is a site with one account, and a browser that watches for errors.
func editorSite(t *testing.T, email, role string) (*server, context.Context, *consoleWatch) {
	t.Helper()
	ctx := newBrowser(t)
	dbPath := filepath.Join(t.TempDir(), "site.db")
	browserAccount(t, dbPath, email, role)
	site := startServer(t, map[string]string{"DB_PATH": dbPath})
	return site, ctx, consoleOf(ctx)
}

// signInBrowser fills in the sign-in form the page shows now.
func signInBrowser(t *testing.T, ctx context.Context, email string) {
	t.Helper()
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("f-email")),
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-password"), browserPassword),
		chromedp.Click(chromedp.CSS(`form[action="/inloggen"] button[type="submit"]`)))
	waitFor(t, ctx, "location.pathname !== '/inloggen' && document.readyState === 'complete'")
}

// siteDB opens the site's file directly, for what a test must arrange or check
// behind the site's back (an ended session, the figures).
func siteDB(t *testing.T, site *server) *sql.DB {
	t.Helper()
	c, err := sql.Open("sqlite3", "file:"+site.DBPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// tipTokenIssuedAt is a token for the tip form as the site signs one it issued
// at the given time (handlers' formToken: purpose 2, the issue time in seconds, a
// nonce, then HMAC-SHA256 of those with the site's form-token key).
func tipTokenIssuedAt(t *testing.T, site *server, at time.Time) string {
	t.Helper()
	var key []byte
	if err := siteDB(t, site).QueryRow("SELECT value FROM settings WHERE name = 'form-token-key'").Scan(&key); err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 1+8+8, 1+8+8+sha256.Size)
	msg[0] = 2 // purposeTip
	binary.BigEndian.PutUint64(msg[1:9], uint64(at.Unix()))
	rand.Read(msg[9:17])
	mac := hmac.New(sha256.New, key)
	mac.Write(msg)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(msg))
}

func queryInt(t *testing.T, c *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := c.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkBothWidths runs axe on the current page at 1280 and at 390 px, and checks
// that at 390 px nothing scrolls sideways.
func checkBothWidths(t *testing.T, ctx context.Context) {
	t.Helper()
	setViewport(t, ctx, 1280)
	checkAxe(t, ctx)
	setViewport(t, ctx, 390)
	checkAxe(t, ctx)
	noHorizontalScroll(t, ctx)
	setViewport(t, ctx, 1280)
}

// submitAndWait clicks a submit button and waits for the page it leads to.
func submitAndWait(t *testing.T, ctx context.Context, button string) {
	t.Helper()
	eval[bool](t, ctx, "window.__before = true")
	do(t, ctx, chromedp.Click(chromedp.CSS(button)))
	waitFor(t, ctx, "window.__before !== true && document.readyState === 'complete'")
}

const longSummary = "Een voorbeeld dat een echte browser aanmaakt en publiceert, in twee korte zinnen. Zo lang vraagt de hint."

func TestBrowserEditorWritesAndPublishesCase(t *testing.T) {
	site, ctx, watch := editorSite(t, "redactie@opnieuwthuis.example", "redacteur")

	// Sign in.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/nieuw"), chromedp.WaitVisible(chromedp.ID("f-email")))
	if path := eval[string](t, ctx, "location.pathname"); path != "/inloggen" {
		t.Fatalf("without a session the editor lands on %s", path)
	}
	checkAxe(t, ctx)
	signInBrowser(t, ctx, "redactie@opnieuwthuis.example")
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("f-title")))
	if path := eval[string](t, ctx, "location.pathname"); path != "/beheer/voorbeelden/nieuw" {
		t.Fatalf("after sign-in the editor is on %s, not back on the form", path)
	}
	checkBothWidths(t, ctx)

	// Fill in the form; a wrong year is caught as the editor leaves the field.
	waitFor(t, ctx, "typeof htmx !== 'undefined'")
	eval[bool](t, ctx, "window.__same = true")
	do(t, ctx,
		chromedp.Click(chromedp.ID("f-title")),
		chromedp.SetValue(chromedp.ID("f-title"), "Proefwoningen langs de browserkade"),
		chromedp.Click(chromedp.ID("f-summary")),
		chromedp.SetValue(chromedp.ID("f-summary"), longSummary),
		chromedp.SetValue(chromedp.ID("f-body"), "## Aanpak\n\nDe gemeente en de corporatie bouwden samen."),
		chromedp.SendKeys(chromedp.ID("f-year"), "1850"))
	eval[bool](t, ctx, "(document.getElementById('f-homes').focus(), true)")
	waitFor(t, ctx, "document.querySelector('#veld-year .field__error').textContent.includes('Jaar moet een jaartal tussen 1990')")
	if eval[string](t, ctx, "document.getElementById('f-year').getAttribute('aria-invalid')") != "true" {
		t.Error("the wrong year is not marked aria-invalid")
	}
	waitFor(t, ctx, "document.getElementById('slug-hint').textContent.includes('proefwoningen-langs-de-browserkade')")
	// The gemeente as people say it; leaving the field logs no htmx:sendAbort.
	do(t, ctx, chromedp.SendKeys(chromedp.ID("f-gemeente"), "Den Bosch"))
	eval[bool](t, ctx, "(document.getElementById('f-partners').focus(), true)")
	waitFor(t, ctx, "document.getElementById('f-gemeente').value === \"'s-Hertogenbosch (GM0796)\"")
	watch.check(t, "inline validation")
	checkAxe(t, ctx) // the form with an inline error shown

	do(t, ctx, chromedp.Clear(chromedp.ID("f-year")), chromedp.SendKeys(chromedp.ID("f-year"), "2024"))
	eval[bool](t, ctx, "(document.getElementById('f-homes').focus(), true)")
	waitFor(t, ctx, "document.querySelector('#veld-year .field__error').textContent.trim() === '' && !document.getElementById('f-year').hasAttribute('aria-invalid')")
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("inline validation reloaded the page")
	}

	// Save with two mistakes (no kind, a bad link): 422, the summary takes the
	// focus, its links reach the fields, everything typed is kept.
	do(t, ctx, chromedp.SetValue(chromedp.ID("f-source_url"), "www.browserkade.example"),
		chromedp.Click(chromedp.ID("f-status")),
		chromedp.WaitVisible(chromedp.ID("fouten")))
	waitFor(t, ctx, "document.activeElement && document.activeElement.id === 'fouten'")
	if v := eval[string](t, ctx, "document.getElementById('f-title').value"); v != "Proefwoningen langs de browserkade" {
		t.Fatalf("title after 422 = %q", v)
	}
	if msg := eval[string](t, ctx, "document.getElementById('fouten').textContent"); !strings.Contains(msg, "Kies een soort") || strings.Contains(msg, "Vul Soort in") {
		t.Errorf("error summary: %q", msg)
	}
	checkBothWidths(t, ctx) // the form with the error summary
	do(t, ctx, chromedp.Click(chromedp.CSS(`#fouten a[href="#f-kind-woonoplossing"]`)))
	waitFor(t, ctx, "document.activeElement && document.activeElement.id === 'f-kind-woonoplossing'")
	do(t, ctx, chromedp.Click(chromedp.CSS(`#fouten a[href="#f-source_url"]`)))
	waitFor(t, ctx, "document.activeElement && document.activeElement.id === 'f-source_url'")

	// Fixed, and published straight away with the button that says so.
	// (Leaving the link field checks it inline and swaps it: wait for that, as a
	// person would see it, before going on.)
	do(t, ctx, chromedp.SetValue(chromedp.ID("f-source_url"), "https://browserkade.example/woningen"))
	eval[bool](t, ctx, "(document.getElementById('f-contact').focus(), true)")
	waitFor(t, ctx, "document.querySelector('#veld-source_url .field__error').textContent.trim() === ''")
	do(t, ctx, chromedp.Click(chromedp.CSS(`label[for="f-kind-woonoplossing"]`)),
		chromedp.Click(chromedp.CSS(`.action-bar button[name="status"][value="gepubliceerd"]`)))
	waitFor(t, ctx, "location.search.includes('melding=gepubliceerd') && document.querySelector('.notice') !== null")
	notice := eval[string](t, ctx, "document.querySelector('.notice').textContent")
	if !strings.Contains(notice, "gepubliceerd") || !strings.Contains(notice, "staat nu op de site") {
		t.Fatalf("after publishing: %q", notice)
	}
	editURL := eval[string](t, ctx, "location.pathname")

	// The public page: a "Bewerken" link for this editor, leading to the form.
	do(t, ctx, chromedp.Click(chromedp.CSS(`.notice a`)))
	waitFor(t, ctx, "location.pathname === '/voorbeelden/proefwoningen-langs-de-browserkade'")
	waitFor(t, ctx, "!document.getElementById('bewerk-link').hidden")
	if href := eval[string](t, ctx, "document.querySelector('#bewerk-link a').getAttribute('href')"); href != editURL {
		t.Fatalf("Bewerken leads to %q, want %q", href, editURL)
	}
	checkAxe(t, ctx)

	// The dashboard shows the change once.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer"), chromedp.WaitVisible(chromedp.ID("changes-heading")))
	if n := eval[int](t, ctx, "[...document.querySelectorAll('.change-list li')].filter(l => l.textContent.includes('Proefwoningen langs de browserkade')).length"); n != 1 {
		t.Errorf("the dashboard lists the case %d times", n)
	}

	// Find it in the library.
	do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden"), chromedp.WaitVisible(chromedp.ID("q")))
	waitFor(t, ctx, "typeof htmx !== 'undefined'")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "browserkade"))
	waitFor(t, ctx, "document.querySelector('.case-list a[href=\"/voorbeelden/proefwoningen-langs-de-browserkade\"]') !== null")

	// A visitor's browser on the same page: no link, and it does not even ask.
	visitor := newBrowser(t)
	do(t, visitor, chromedp.Navigate(site.URL+"/voorbeelden/proefwoningen-langs-de-browserkade"), chromedp.WaitReady(chromedp.CSS("footer")))
	waitFor(t, visitor, "document.readyState === 'complete'")
	if eval[bool](t, visitor, "!document.getElementById('bewerk-link').hidden || performance.getEntriesByType('resource').some(e => e.name.includes('/redactie/'))") {
		t.Error("a visitor's browser asked for or shows the edit link")
	}
	if !eval[bool](t, visitor, "[...document.querySelectorAll('footer a')].some(a => a.getAttribute('href') === '/inloggen' && a.textContent === 'Inloggen voor redacteuren')") {
		t.Error("no discreet sign-in link in the footer")
	}
}

// A tip sent too fast says to wait and works a few seconds later; the editor
// improves it and presses "Publiceren" in the Beoordelen box: the improved version
// goes live.
func TestBrowserTipRetryAndPublishWithEdits(t *testing.T) {
	site, ctx, watch := editorSite(t, "redactie@opnieuwthuis.example", "redacteur")

	// An empty form: the summary of what is missing takes the focus.
	do(t, ctx, chromedp.Navigate(site.URL+"/tip"), chromedp.WaitVisible(chromedp.ID("f-title")))
	checkBothWidths(t, ctx)
	submitAndWait(t, ctx, `.tip-form button[type="submit"]`)
	waitFor(t, ctx, "document.activeElement && document.activeElement.id === 'fouten'")
	if msg := eval[string](t, ctx, "document.getElementById('fouten').textContent"); !strings.Contains(msg, "Vul een titel in.") || !strings.Contains(msg, "Kies wat voor voorbeeld het is") {
		t.Errorf("error summary: %q", msg)
	}
	checkBothWidths(t, ctx)

	// Filled in and sent right after opening: too fast for a person, and it says to wait.
	do(t, ctx, chromedp.Navigate(site.URL+"/tip"), chromedp.WaitVisible(chromedp.ID("f-title")),
		chromedp.SetValue(chromedp.ID("f-title"), "Buurtmaatjes in Den Haag"),
		chromedp.SetValue(chromedp.ID("f-gemeente"), "Den Haag"),
		chromedp.Click(chromedp.CSS(`label[for="f-kind-aanpak"]`)),
		chromedp.SetValue(chromedp.ID("f-summary"), "Buren helpen nieuwkomers op weg."),
		chromedp.SetValue(chromedp.ID("f-why"), "Vrijwilligers en gemeente trekken samen op."),
		chromedp.SetValue(chromedp.ID("f-name"), "Anna"),
		chromedp.SetValue(chromedp.ID("f-email"), "anna@example.org"),
		chromedp.Click(chromedp.CSS(`label[for="f-consent"]`)))
	submitAndWait(t, ctx, `.tip-form button[type="submit"]`)
	if eval[bool](t, ctx, "document.getElementById('too-fast-title') === null") {
		t.Fatal("a tip sent right after opening the form was not held back")
	}
	if msg := eval[string](t, ctx, "document.getElementById('fouten').textContent"); !strings.Contains(msg, "wacht een paar seconden") {
		t.Fatalf("too-fast message: %q", msg)
	}
	checkAxe(t, ctx)
	// Sent again once the minimum fill time has passed since the form was first
	// opened: its token, issued that long ago, stands in for the wait.
	slow := tipTokenIssuedAt(t, site, time.Now().Add(-5*time.Second))
	eval[bool](t, ctx, "(() => { document.querySelector('.tip-form input[name=_token]').value = '"+slow+"'; return true })()")
	submitAndWait(t, ctx, `.tip-form button[type="submit"]`)
	if p := eval[string](t, ctx, "location.pathname"); p != "/tip/bedankt" {
		t.Fatalf("the second try ended on %s", p)
	}
	watch.check(t, "the tip form")

	// The editor: the dashboard marks it as a visitor's tip and counts it.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer"))
	signInBrowser(t, ctx, "redactie@opnieuwthuis.example")
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("queue-heading")))
	if !eval[bool](t, ctx, "document.querySelector('.beheer-bar .count') && document.querySelector('.beheer-bar .count').textContent.startsWith('1')") {
		t.Error("the menu does not count the waiting tip")
	}
	if !strings.Contains(eval[string](t, ctx, "document.querySelector('section[aria-labelledby=queue-heading] tbody').textContent"), "Tip van een bezoeker") {
		t.Error("the tip is not marked as a visitor's")
	}
	checkBothWidths(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.CSS(`section[aria-labelledby="queue-heading"] a`)), chromedp.WaitVisible(chromedp.ID("moderation-heading")))
	checkBothWidths(t, ctx)
	if !strings.Contains(eval[string](t, ctx, "document.getElementById('publish-tip-note').textContent"), "worden de naam en het e-mailadres van de tipgever verwijderd") {
		t.Error("the page does not say the tipper's details go")
	}
	// Edit the title, tick a theme, write a longer summary; then Publiceren above.
	do(t, ctx,
		chromedp.SetValue(chromedp.ID("f-title"), "Buurtmaatjes helpen nieuwkomers in Den Haag"),
		chromedp.SetValue(chromedp.ID("f-summary"), "Buren helpen nieuwkomers de eerste maanden op weg. Vaste koppels, een coördinator en de gemeente trekken samen op."),
		chromedp.Click(chromedp.CSS(`label[for="f-theme-begeleiding-en-integratie"]`)),
		chromedp.Click(chromedp.CSS(`.moderation button[value="gepubliceerd"]`)))
	waitFor(t, ctx, "location.search.includes('melding=gepubliceerd') && document.readyState === 'complete'")
	if n := eval[int](t, ctx, "document.querySelectorAll('#publish-tip-note').length"); n != 0 {
		t.Error("the tipper's details are still shown after publishing")
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`.notice a`)))
	waitFor(t, ctx, "location.pathname.startsWith('/voorbeelden/') && document.readyState === 'complete' && document.querySelector('h1') !== null")
	if h1 := eval[string](t, ctx, "document.querySelector('h1').textContent"); h1 != "Buurtmaatjes helpen nieuwkomers in Den Haag" {
		t.Errorf("published title %q: the edits were not published", h1)
	}
	if !eval[bool](t, ctx, "document.querySelector('.case__facts a[href=\"/themas/begeleiding-en-integratie\"]') !== null") {
		t.Error("the ticked theme was not published")
	}
	if g := eval[string](t, ctx, "document.querySelector('.case__facts dd').textContent"); !strings.Contains(g, "s-Gravenhage") {
		t.Errorf("gemeente %q: Den Haag was not understood", g)
	}
}

// The session ends while the editor writes; their save keeps the text, the
// sign-in says so and brings them back to the form with everything they typed.
func TestBrowserExpiredSessionSaveComesBack(t *testing.T) {
	site, ctx, _ := editorSite(t, "redactie@opnieuwthuis.example", "redacteur")
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/nieuw"))
	signInBrowser(t, ctx, "redactie@opnieuwthuis.example")
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("f-title")),
		chromedp.SetValue(chromedp.ID("f-title"), "Een voorbeeld van een half uur werk"),
		chromedp.SetValue(chromedp.ID("f-summary"), longSummary),
		chromedp.SetValue(chromedp.ID("f-body"), "Alinea na alinea, een half uur lang geschreven."),
		chromedp.Click(chromedp.CSS(`label[for="f-kind-aanpak"]`)),
		chromedp.Click(chromedp.CSS(`label[for="f-theme-gezinnen"]`)))

	// 30 minutes without a request: the session is gone.
	if _, err := siteDB(t, site).Exec("DELETE FROM sessions"); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Click(chromedp.ID("f-status")))
	waitFor(t, ctx, "location.pathname === '/inloggen' && document.readyState === 'complete'")
	if n := eval[string](t, ctx, "document.body.textContent"); !strings.Contains(n, "Wat u in het formulier typte is wel bewaard") {
		t.Error("the sign-in page does not say the text was kept")
	}
	checkBothWidths(t, ctx)
	signInBrowser(t, ctx, "redactie@opnieuwthuis.example")
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("f-title")))
	if p := eval[string](t, ctx, "location.pathname + location.search"); !strings.HasPrefix(p, "/beheer/voorbeelden/nieuw?klad=") {
		t.Fatalf("after signing in the editor is on %s", p)
	}
	for id, want := range map[string]string{"f-title": "Een voorbeeld van een half uur werk", "f-body": "Alinea na alinea, een half uur lang geschreven."} {
		if v := eval[string](t, ctx, "document.getElementById('"+id+"').value"); v != want {
			t.Errorf("%s = %q after signing in, want %q", id, v, want)
		}
	}
	if !eval[bool](t, ctx, "document.getElementById('f-kind-aanpak').checked && document.getElementById('f-theme-gezinnen').checked") {
		t.Error("the choices were lost")
	}
	checkBothWidths(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.ID("f-status")))
	waitFor(t, ctx, "location.search.includes('melding=aangemaakt') && document.readyState === 'complete'")
	if title := eval[string](t, ctx, "document.getElementById('f-title').value"); title != "Een voorbeeld van een half uur werk" {
		t.Fatalf("saved title %q", title)
	}
}

// What the editor types is kept on the server a few seconds later; leaving the
// changed form asks first; coming back offers the text back.
func TestBrowserDraftOfferedBackAfterLeaving(t *testing.T) {
	site, ctx, _ := editorSite(t, "redactie@opnieuwthuis.example", "redacteur")
	asked := acceptDialogs(t, ctx)
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/nieuw"))
	signInBrowser(t, ctx, "redactie@opnieuwthuis.example")
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("f-title")))
	waitFor(t, ctx, "typeof htmx !== 'undefined'")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("f-title"), "Kamers in het oude klooster"),
		chromedp.SendKeys(chromedp.ID("f-body"), "Nog lang niet af"))
	waitFor(t, ctx, "document.getElementById('autosave-status').textContent.includes('Automatisch bewaard om')")

	// Leave through the menu: the browser asks first (answered: leave).
	do(t, ctx, chromedp.Click(chromedp.CSS(`.beheer-bar a[href="/beheer/voorbeelden"]`)))
	waitFor(t, ctx, "location.pathname === '/beheer/voorbeelden' && document.readyState === 'complete'")
	if asked.count("beforeunload") != 1 {
		t.Fatalf("leaving the changed form asked %d times", asked.count("beforeunload"))
	}
	checkBothWidths(t, ctx) // the editors' list: no sideways scrolling on a phone

	// Back: the draft is offered.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/nieuw"), chromedp.WaitVisible(chromedp.ID("draft-heading")))
	checkBothWidths(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.CSS(`.draft-offer a.button`)))
	waitFor(t, ctx, "document.getElementById('f-title') && document.getElementById('f-title').value === 'Kamers in het oude klooster'")
	if b := eval[string](t, ctx, "document.getElementById('f-body').value"); b != "Nog lang niet af" {
		t.Errorf("body after restoring = %q", b)
	}
	// Saving is not leaving: no question; the draft is done.
	do(t, ctx, chromedp.SetValue(chromedp.ID("f-summary"), longSummary),
		chromedp.Click(chromedp.CSS(`label[for="f-kind-woonoplossing"]`)),
		chromedp.Click(chromedp.ID("f-status")))
	waitFor(t, ctx, "location.search.includes('melding=aangemaakt') && document.readyState === 'complete'")
	if asked.count("beforeunload") != 1 {
		t.Error("saving the form asked before leaving")
	}
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/nieuw"), chromedp.WaitVisible(chromedp.ID("f-title")))
	if eval[bool](t, ctx, "document.getElementById('draft-heading') !== null") {
		t.Error("a saved draft is offered again")
	}
}

// The import preview says in words how many gemeenten lose their figures and asks
// for an explicit confirmation; afterwards it links to the map of that period;
// the history's undo brings every figure back.
func TestBrowserImportPreviewAndUndo(t *testing.T) {
	site, ctx, _ := editorSite(t, "beheer@opnieuwthuis.example", "beheerder")
	raw := siteDB(t, site)
	var period string
	if err := raw.QueryRow("SELECT period FROM realisaties WHERE basis = 'fictief' ORDER BY period DESC LIMIT 1").Scan(&period); err != nil {
		t.Fatal(err)
	}
	had := queryInt(t, raw, "SELECT count(DISTINCT gemeente_code) FROM realisaties WHERE period = ?", period)
	fictitious := queryInt(t, raw, "SELECT count(*) FROM realisaties WHERE period = ? AND basis = 'fictief'", period)
	var first string
	if err := raw.QueryRow("SELECT min(peildatum) FROM realisaties WHERE period = ?", period).Scan(&first); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "cijfers.csv")
	content := "gemeente_code,periode,taakstelling,peildatum,gerealiseerd,officieel\n" +
		"GM0363," + period + ",," + first + ",20,ja\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	year, half := period[:4], period[6:]
	label := half + "e halfjaar " + year

	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/cijfers"))
	signInBrowser(t, ctx, "beheer@opnieuwthuis.example")
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("f-bestand")),
		chromedp.SetValue(chromedp.ID("f-periode"), period),
		chromedp.SetUploadFiles(chromedp.ID("f-bestand"), []string{file}),
		chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("preview-heading")))
	want := fmt.Sprintf("%d gemeenten krijgen ‘geen gegevens’ voor %s, omdat officiële cijfers de fictieve vervangen", had-1, label)
	if text := eval[string](t, ctx, "document.getElementById('verlies').textContent"); !strings.Contains(text, want) {
		t.Fatalf("preview says %q, want %q", text, want)
	}
	checkBothWidths(t, ctx)
	// Not without ticking the box.
	do(t, ctx, chromedp.Click(chromedp.CSS(`.confirm-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("begrepen-error")))
	waitFor(t, ctx, "document.getElementById('begrepen-error').textContent.includes('Vink aan')")
	if n := queryInt(t, raw, "SELECT count(*) FROM realisaties WHERE period = ? AND basis = 'fictief'", period); n != fictitious {
		t.Fatal("the import ran without the extra confirmation")
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`label[for="f-begrepen"]`)),
		chromedp.Click(chromedp.CSS(`.confirm-form button[type="submit"]`)))
	waitFor(t, ctx, "location.search.includes('melding=geimporteerd') && document.querySelector('.done-links') !== null")
	if n := queryInt(t, raw, "SELECT count(DISTINCT gemeente_code) FROM realisaties WHERE period = ?", period); n != 1 {
		t.Fatalf("%d gemeenten have realisations after the import, want 1", n)
	}
	checkBothWidths(t, ctx) // with the history
	// The link to the map of that period.
	do(t, ctx, chromedp.Click(chromedp.CSS(`.done-links a[href^="/kaart?periode="]`)))
	waitFor(t, ctx, "location.pathname === '/kaart' && location.search.includes('periode="+period+"')")

	// Undo.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/cijfers"), chromedp.WaitVisible(chromedp.ID("history-heading")),
		chromedp.Click(chromedp.CSS(`form[action$="/ongedaan"] button`)))
	waitFor(t, ctx, "location.search.includes('melding=ongedaan') && document.readyState === 'complete'")
	if n := queryInt(t, raw, "SELECT count(*) FROM realisaties WHERE period = ? AND basis = 'fictief'", period); n != fictitious {
		t.Fatalf("%d fictitious realisations after the undo, want %d", n, fictitious)
	}
	if n := queryInt(t, raw, "SELECT count(DISTINCT gemeente_code) FROM realisaties WHERE period = ?", period); n != had {
		t.Fatalf("%d gemeenten have realisations after the undo, want %d", n, had)
	}
	if !strings.Contains(eval[string](t, ctx, "document.getElementById('history-heading').parentElement.textContent"), "Ongedaan gemaakt door beheer") {
		t.Error("the history does not show the undo")
	}
	checkBothWidths(t, ctx)
}

// A changed slug of a published case keeps the old address working (301); an old
// version of a published case is restored only after a question that says it
// goes live.
func TestBrowserOldSlugRedirectsAndRestoreAsks(t *testing.T) {
	site, ctx, _ := editorSite(t, "redactie@opnieuwthuis.example", "redacteur")
	do(t, ctx, chromedp.Navigate(site.URL+"/inloggen"))
	signInBrowser(t, ctx, "redactie@opnieuwthuis.example")
	// From the public page, through its "Bewerken" link.
	do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden/startblok-riekerhaven"))
	waitFor(t, ctx, "!document.getElementById('bewerk-link').hidden")
	do(t, ctx, chromedp.Click(chromedp.CSS(`#bewerk-link a`)), chromedp.WaitVisible(chromedp.ID("f-slug")))
	if hint := eval[string](t, ctx, "document.getElementById('slug-public').textContent"); !strings.Contains(hint, "blijft het oude adres /voorbeelden/startblok-riekerhaven werken") {
		t.Errorf("slug hint: %q", hint)
	}
	do(t, ctx, chromedp.SetValue(chromedp.ID("f-slug"), "startblok-riekerhaven-amsterdam"),
		chromedp.Click(chromedp.ID("f-status")))
	waitFor(t, ctx, "location.search.includes('melding=opgeslagen') && document.readyState === 'complete'")
	if notice := eval[string](t, ctx, "document.querySelector('.notice').textContent"); !strings.Contains(notice, "Het staat nu op de site") {
		t.Errorf("notice: %q", notice)
	}
	do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden/startblok-riekerhaven"))
	waitFor(t, ctx, "location.pathname === '/voorbeelden/startblok-riekerhaven-amsterdam' && document.readyState === 'complete'")

	// Restore version 1: asked first.
	do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden/startblok-riekerhaven-amsterdam"))
	waitFor(t, ctx, "!document.getElementById('bewerk-link').hidden")
	editURL := eval[string](t, ctx, "document.querySelector('#bewerk-link a').getAttribute('href')")
	do(t, ctx, chromedp.Navigate(site.URL+editURL+"/geschiedenis"), chromedp.WaitVisible(chromedp.CSS("table")))
	checkBothWidths(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.CSS(`form[action$="/geschiedenis/1/terugzetten"] button`)))
	waitFor(t, ctx, "document.querySelector('h1') && document.querySelector('h1').textContent === 'Versie 1 terugzetten?'")
	if text := eval[string](t, ctx, "document.querySelector('.warning').textContent"); !strings.Contains(text, "meteen op de site") {
		t.Errorf("the question does not say it goes live: %q", text)
	}
	checkBothWidths(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.CSS(`form[action$="/terugzetten"] button[type="submit"]`)))
	waitFor(t, ctx, "location.search.includes('melding=teruggezet') && document.readyState === 'complete'")
	// Version 1 had the old slug: it is the address again, and the newer one redirects.
	do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden/startblok-riekerhaven-amsterdam"))
	waitFor(t, ctx, "location.pathname === '/voorbeelden/startblok-riekerhaven' && document.readyState === 'complete'")
}

func TestBrowserEditorPagesAccessible(t *testing.T) {
	site, ctx, _ := editorSite(t, "beheer@opnieuwthuis.example", "beheerder")
	do(t, ctx, chromedp.Navigate(site.URL+"/inloggen"))
	signInBrowser(t, ctx, "beheer@opnieuwthuis.example")
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("queue-heading")))

	// A second version of a seeded case, for the history and the comparison.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/1"), chromedp.WaitVisible(chromedp.ID("f-summary")),
		chromedp.SetValue(chromedp.ID("f-summary"), "Een herziene samenvatting voor de toegankelijkheidstest, lang genoeg voor de hint."),
		chromedp.Click(chromedp.ID("f-status")))
	waitFor(t, ctx, "location.search.includes('melding=opgeslagen') && document.readyState === 'complete'")

	for _, path := range []string{"/beheer", "/beheer/voorbeelden", "/beheer/voorbeelden?auteur=ik", "/beheer/voorbeelden?status=gepubliceerd&gemeente=GM0363",
		"/beheer/voorbeelden/nieuw", "/beheer/voorbeelden/1", "/beheer/voorbeelden/1/geschiedenis",
		"/beheer/voorbeelden/1/verschil?van=1&naar=2", "/beheer/voorbeelden/1/bekijken", "/beheer/accounts", "/beheer/logboek", "/beheer/cijfers",
		"/beheer/themas", "/beheer/themas/gezinnen", "/beheer/wachtwoord", "/tip/bedankt", "/inloggen?reden=bewaard"} {
		t.Run(path, func(t *testing.T) {
			do(t, ctx, chromedp.Navigate(site.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
			if h1 := eval[string](t, ctx, "document.querySelector('h1') ? document.querySelector('h1').textContent : ''"); h1 == "" {
				t.Fatalf("%s has no heading", path)
			}
			checkBothWidths(t, ctx)
		})
	}
	// The save bar stays in view on a phone, wherever the editor is in the form.
	setViewport(t, ctx, 390)
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/1"), chromedp.WaitVisible(chromedp.ID("f-title")))
	eval[bool](t, ctx, "(document.getElementById('f-body').scrollIntoView({block: 'center'}), true)")
	if !eval[bool](t, ctx, "(() => { const r = document.getElementById('f-status').getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight })()") {
		t.Error("the save button is out of sight on a phone")
	}
	setViewport(t, ctx, 1280)
}

// Before the session ends the page warns and offers to extend it; extending
// hides the warning and moves the end on the server.
func TestBrowserSessionWarningExtends(t *testing.T) {
	site, ctx, _ := editorSite(t, "redactie@opnieuwthuis.example", "redacteur")
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/nieuw"))
	signInBrowser(t, ctx, "redactie@opnieuwthuis.example")
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("f-title")))
	if s := eval[int](t, ctx, "Number(document.getElementById('sessie-waarschuwing').dataset.seconden)"); s < 1700 {
		t.Fatalf("the page says the session lasts %d s", s)
	}
	if !eval[bool](t, ctx, "document.getElementById('sessie-waarschuwing').hidden") {
		t.Fatal("the warning shows at once")
	}
	// As if an answer said the session ends in 121 seconds (every htmx answer of
	// an editor page says how long it lasts): the warning shows a second later.
	eval[bool](t, ctx, `(document.dispatchEvent(new CustomEvent('htmx:afterRequest',
		{detail: {xhr: {getResponseHeader: n => n === 'X-Sessie-Seconden' ? '121' : null}}})), true)`)
	waitFor(t, ctx, "!document.getElementById('sessie-waarschuwing').hidden")
	if text := eval[string](t, ctx, "document.getElementById('sessie-tekst').textContent"); !strings.Contains(text, "Uw sessie verloopt om") {
		t.Errorf("warning: %q", text)
	}
	checkBothWidths(t, ctx)
	raw := siteDB(t, site)
	if _, err := raw.Exec("UPDATE sessions SET expires_at = expires_at - 1500"); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Click(chromedp.ID("sessie-verlengen")))
	waitFor(t, ctx, "document.getElementById('sessie-waarschuwing').hidden")
	if left := queryInt(t, raw, "SELECT max(expires_at) - unixepoch() FROM sessions"); left < 1700 {
		t.Errorf("after extending the session lasts %d s", left)
	}
}
