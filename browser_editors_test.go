package main

// Real-browser test of the editors' side: sign in, write a case with a mistake that
// is caught and cleared inline (no page load), publish it, find it in the library;
// axe-core on the login form, the case form (with and without errors), the tip form
// and the dashboard.

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserEditorWritesAndPublishesCase(t *testing.T) {
	// The account is made the way an operator makes the first one.
	dbPath := filepath.Join(t.TempDir(), "site.db")
	env := map[string]string{"DB_PATH": dbPath}
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"user", "add", "--email", "redactie@opnieuwthuis.example", "--role", "redacteur", "--name", "Redactie"},
		getenv, strings.NewReader("browser-test-wachtwoord\n"), io.Discard); err != nil {
		t.Fatal(err)
	}
	site := startSite(t, env)
	ctx := newBrowser(t)

	// Sign in.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/nieuw"), chromedp.WaitVisible(chromedp.ID("f-email")))
	if path := eval[string](t, ctx, "location.pathname"); path != "/inloggen" {
		t.Fatalf("without a session the editor lands on %s", path)
	}
	checkAxe(t, ctx)
	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("f-email"), "redactie@opnieuwthuis.example"),
		chromedp.SendKeys(chromedp.ID("f-password"), "browser-test-wachtwoord"),
		chromedp.Click(chromedp.CSS(`form[action="/inloggen"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("f-title")))
	if path := eval[string](t, ctx, "location.pathname"); path != "/beheer/voorbeelden/nieuw" {
		t.Fatalf("after sign-in the editor is on %s, not back on the form", path)
	}
	checkAxe(t, ctx)

	// Fill in the form; a wrong year is caught as the editor leaves the field.
	waitFor(t, ctx, "typeof htmx !== 'undefined'")
	eval[bool](t, ctx, "window.__same = true")
	// Long texts are set at once (typing them key by key only costs time); the
	// title is focused and left like a person would, which triggers its validation.
	do(t, ctx,
		chromedp.Click(chromedp.ID("f-title")),
		chromedp.SetValue(chromedp.ID("f-title"), "Proefwoningen langs de browserkade"),
		chromedp.Click(chromedp.ID("f-summary")),
		chromedp.SetValue(chromedp.ID("f-summary"), "Een voorbeeld dat een echte browser aanmaakt en publiceert."),
		chromedp.SetValue(chromedp.ID("f-body"), "## Aanpak\n\nDe gemeente en de corporatie bouwden samen."),
		chromedp.Click(chromedp.CSS(`label[for="f-kind-woonoplossing"]`)),
		chromedp.SendKeys(chromedp.ID("f-year"), "1850"))
	eval[bool](t, ctx, "(document.getElementById('f-homes').focus(), true)")
	waitFor(t, ctx, "document.querySelector('#veld-year .field__error').textContent.includes('Jaar moet een jaartal tussen 1990')")
	if eval[string](t, ctx, "document.getElementById('f-year').getAttribute('aria-invalid')") != "true" {
		t.Error("the wrong year is not marked aria-invalid")
	}
	// Leaving the title proposed the slug.
	waitFor(t, ctx, "document.getElementById('slug-hint').textContent.includes('proefwoningen-langs-de-browserkade')")
	checkAxe(t, ctx) // the form with an inline error shown

	// Fix it: the message disappears, still without a page load.
	do(t, ctx, chromedp.Clear(chromedp.ID("f-year")), chromedp.SendKeys(chromedp.ID("f-year"), "2024"))
	eval[bool](t, ctx, "(document.getElementById('f-homes').focus(), true)")
	waitFor(t, ctx, "document.querySelector('#veld-year .field__error').textContent.trim() === '' && !document.getElementById('f-year').hasAttribute('aria-invalid')")
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("inline validation reloaded the page")
	}

	// A submit with a mistake: 422 with the summary at the top, everything kept.
	do(t, ctx, chromedp.SetValue(chromedp.ID("f-source_url"), "www.browserkade.example"),
		chromedp.Click(chromedp.CSS(`.form-actions button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("fouten")))
	if v := eval[string](t, ctx, "document.getElementById('f-title').value"); v != "Proefwoningen langs de browserkade" {
		t.Fatalf("title after 422 = %q", v)
	}
	checkAxe(t, ctx) // the form with the error summary
	do(t, ctx, chromedp.SetValue(chromedp.ID("f-source_url"), "https://browserkade.example/woningen"),
		chromedp.Click(chromedp.CSS(`.form-actions button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	if notice := eval[string](t, ctx, "document.querySelector('.notice').textContent"); !strings.Contains(notice, "aangemaakt") {
		t.Fatalf("after saving: %q", notice)
	}

	// Publish it.
	do(t, ctx, chromedp.SetValue(chromedp.ID("f-status"), "gepubliceerd"),
		chromedp.Click(chromedp.CSS(`.form-actions button[type="submit"]`)))
	// The page before the click had a notice too: wait for the new one.
	waitFor(t, ctx, "location.search.includes('melding=gepubliceerd') && document.querySelector('.notice') !== null")
	if notice := eval[string](t, ctx, "document.querySelector('.notice').textContent"); !strings.Contains(notice, "gepubliceerd") {
		t.Fatalf("after publishing: %q", notice)
	}

	// The dashboard shows the change; axe on it.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer"), chromedp.WaitVisible(chromedp.ID("changes-heading")))
	if !strings.Contains(eval[string](t, ctx, "document.querySelector('.change-list').textContent"), "Proefwoningen langs de browserkade") {
		t.Error("the dashboard does not list the change")
	}
	checkAxe(t, ctx)

	// Find it in the library.
	do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden"), chromedp.WaitVisible(chromedp.ID("q")))
	waitFor(t, ctx, "typeof htmx !== 'undefined'")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "browserkade"))
	waitFor(t, ctx, "document.querySelector('.case-list a[href=\"/voorbeelden/proefwoningen-langs-de-browserkade\"]') !== null")

	// The tip form, empty and with its errors.
	do(t, ctx, chromedp.Navigate(site.URL+"/tip"), chromedp.WaitVisible(chromedp.ID("f-title")))
	checkAxe(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.CSS(`.tip-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	checkAxe(t, ctx)
}

func TestBrowserEditorPagesAccessible(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "site.db")
	env := map[string]string{"DB_PATH": dbPath}
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"user", "add", "--email", "beheer@opnieuwthuis.example", "--role", "beheerder"},
		getenv, strings.NewReader("browser-test-wachtwoord\n"), io.Discard); err != nil {
		t.Fatal(err)
	}
	site := startSite(t, env)
	ctx := newBrowser(t)
	do(t, ctx, chromedp.Navigate(site.URL+"/inloggen"), chromedp.WaitVisible(chromedp.ID("f-email")),
		chromedp.SendKeys(chromedp.ID("f-email"), "beheer@opnieuwthuis.example"),
		chromedp.SendKeys(chromedp.ID("f-password"), "browser-test-wachtwoord"),
		chromedp.Click(chromedp.CSS(`form[action="/inloggen"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("queue-heading")))

	// A second version of a seeded case, for the history and the comparison.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/voorbeelden/1"), chromedp.WaitVisible(chromedp.ID("f-summary")),
		chromedp.SetValue(chromedp.ID("f-summary"), "Een herziene samenvatting voor de toegankelijkheidstest."),
		chromedp.Click(chromedp.CSS(`.form-actions button[type="submit"]`)))
	waitFor(t, ctx, "location.search.includes('melding=opgeslagen')")

	for _, path := range []string{"/beheer/voorbeelden", "/beheer/voorbeelden/1", "/beheer/voorbeelden/1/geschiedenis",
		"/beheer/voorbeelden/1/verschil?van=1&naar=2", "/beheer/accounts", "/beheer/logboek", "/beheer/cijfers",
		"/beheer/themas", "/beheer/themas/gezinnen", "/beheer/wachtwoord", "/tip/bedankt"} {
		t.Run(path, func(t *testing.T) {
			do(t, ctx, chromedp.Navigate(site.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
			if h1 := eval[string](t, ctx, "document.querySelector('h1') ? document.querySelector('h1').textContent : ''"); h1 == "" {
				t.Fatalf("%s has no heading", path)
			}
			checkAxe(t, ctx)
		})
	}
}
