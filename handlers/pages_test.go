package handlers

import (
	"strings"
	"testing"
)

func TestInfoPages(t *testing.T) {
	app, _ := newTestApp(t)
	for path, wants := range map[string][]string{
		"/over": {
			"<h1>Over Opnieuw Thuis</h1>", "cartomap.github.io/nl", "CBS / Kadaster", "1 januari 2025",
			`href="/taakstelling"`, "berekend naar inwonertal", "Fictieve cijfers", "Platform Opnieuw Thuis",
			"2015", "in eigen woorden", "bron",
			// Only the set and adjusted national figures are official (issue 11).
			"alleen de vastgestelde en bijgestelde (16 van de 18 gevonden cijfers)", "prognose", "afgeleid",
			"nieuwsberichten en vakmedia, waar dat de bron is", "eigen maatstaf",
		},
		"/toegankelijkheid": {
			"<h1>Toegankelijkheidsverklaring</h1>", "WCAG", "2.1", "EN 301 549", "Status C", "axe-core",
			"Chromium", "Toetsenbord", "Zonder JavaScript", "Bekende knelpunten", `href="/kaart/tabel"`,
			"Een probleem melden", "25 november 2026",
		},
		"/privacy": {
			"<h1>Privacyverklaring</h1>", "Geen tracking", "Geen cookies", "CSRF", "zes maanden",
			"wachtwoord", "Auditlog", "Autoriteit Persoonsgegevens", "sleutelhash", "90 dagen",
			// Not configured: the page says the operator must fill it in.
			"Verwerkingsverantwoordelijke", "Nog niet ingevuld", "PRIVACY_CONTROLLER", "PRIVACY_DPO_EMAIL",
		},
	} {
		res := get(t, app, path)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		for _, want := range wants {
			if !strings.Contains(res.Body, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
		if !strings.Contains(res.Body, `<link rel="canonical" href="https://opnieuwthuis.example`+path+`">`) {
			t.Errorf("%s has no canonical URL", path)
		}
		// Without CONTACT_EMAIL the pages point to the tip form.
		if path != "/over" && !strings.Contains(res.Body, `<a href="/tip">tipformulier</a>`) {
			t.Errorf("%s gives no way to make contact", path)
		}
	}
}
