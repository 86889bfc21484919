package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"opnieuwthuis/db"
)

// startSiteWithRichCase starts the site on a database that holds, besides the
// seed, a published case using every field of the richer case model
// (/voorbeelden/regionale-proef).
func startSiteWithRichCase(t *testing.T) *server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "site.db")
	store, err := db.Open(context.Background(), path, schema)
	if err != nil {
		t.Fatal(err)
	}
	n := func(v int) *int { return &v }
	_, err = store.CreateCase(context.Background(), db.CaseInput{
		Slug: "regionale-proef", Title: "Regionale proef met flexwoningen", Summary: "Vier gemeenten bouwen samen flexwoningen voor statushouders en andere woningzoekenden.",
		Body:         "De gemeenten werken samen aan [flexwoningen](https://example.org/flex).\n\n## Hoe het werkt\n\n- Een gezamenlijke locatie.\n- Eén corporatie.",
		GemeenteCode: "GM0796", RelatedGemeenten: []string{"GM0828", "GM1948", "GM0344"},
		Themes: []string{"tijdelijke-woningen", "regionale-samenwerking"}, Kind: db.KindSolution, Year: n(2023),
		Stage: db.StageRealised, StageDate: "2024-05", TargetGroups: []string{db.GroupFamilies, db.GroupYoung},
		Homes: n(800), HomesQualifier: db.QualifierTarget, People: n(9), PeopleQualifier: db.QualifierMaximum,
		Financing:   "Het Rijk betaalt de helft; de gemeenten betalen de rest.",
		LessonsHard: "- Bezwaren van omwonenden.\n- Vertraging bij de vergunning.", LessonsWorked: "- Vroeg overleg met de corporatie.",
		Partners: []string{"Gemeente 's-Hertogenbosch", "Corporatie"}, SourceURL: "https://example.org/bron", SourceChecked: "2026-12",
		Status: db.StatusPublished,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return startServer(t, map[string]string{"DB_PATH": path, "BASE_URL": "https://opnieuwthuis.example"})
}

func TestBrowserCaseModelPagesAccessibility(t *testing.T) {
	ctx := newBrowser(t)
	site := startSiteWithRichCase(t)
	for _, path := range []string{"/begrippen", "/begrippen#kostendelersnorm", "/taakstelling", "/voorbeelden/regionale-proef",
		"/voorbeelden?status=gerealiseerd&doelgroep=gezinnen&sort=gecontroleerd", "/gemeenten/GM0828"} {
		t.Run(path, func(t *testing.T) {
			do(t, ctx, chromedp.Navigate(site.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
			checkAxe(t, ctx)
		})
	}
}

// TestBrowserFiltersOnAPhone: at 390 px the filters come after the results; the
// "Filters" button at the top (with the number of active filters) brings them
// above the results and "Terug naar de resultaten" takes them back, with and
// without JavaScript.
func TestBrowserFiltersOnAPhone(t *testing.T) {
	site := startServer(t, nil)
	for _, js := range []bool{true, false} {
		name := "with JavaScript"
		if !js {
			name = "without JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			ctx := newBrowser(t)
			if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: 390, Height: 844, DeviceScaleFactor: 3, Mobile: true}); err != nil {
				t.Fatal(err)
			}
			setJavaScript(t, ctx, js)
			do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden?thema=gezinnen"), chromedp.WaitReady(chromedp.CSS("main")))
			if js {
				waitFor(t, ctx, "typeof htmx !== 'undefined'")
			}
			top := func(sel string) float64 {
				t.Helper()
				return eval[float64](t, ctx, "document.querySelector('"+sel+"').getBoundingClientRect().top")
			}
			control := eval[string](t, ctx, "(() => { const a = document.querySelector('.filters-open a'); return getComputedStyle(a).display === 'none' ? '' : a.textContent })()")
			if !strings.Contains(control, "Filters") || !strings.Contains(control, "(1 actief)") {
				t.Fatalf("the Filters control says %q, want it visible with the one active filter", control)
			}
			if y := top(".filters-open a"); y < 0 || y > 844 {
				t.Errorf("the Filters control is at %.0f px, not on the first screen", y)
			}
			if top("#filters") < top("#results") {
				t.Fatal("on a phone the filters already come before the results")
			}
			// Open: the filters move above the results and into view.
			do(t, ctx, chromedp.Click(chromedp.CSS(".filters-open a")))
			waitFor(t, ctx, "location.hash === '#filters'")
			if top("#filters") > top("#results") {
				t.Fatal("after Filters, the filters are still below the results")
			}
			if y := top("#filters"); y < -5 || y > 400 {
				t.Errorf("after Filters, the filters are at %.0f px, not in view", y)
			}
			if js {
				// Choosing a filter swaps the results; the filters stay on top and the
				// control counts two active filters.
				do(t, ctx, chromedp.Click(chromedp.CSS(`label[for="f-soort-woonoplossing"]`)))
				waitFor(t, ctx, "location.search.includes('soort=woonoplossing')")
				waitFor(t, ctx, "document.getElementById('filter-count').textContent.includes('2 actief')")
				if top("#filters") > top("#results") {
					t.Error("after choosing a filter with JavaScript the filters moved below the results")
				}
			} else {
				// Without JavaScript the filters are applied with their button: the
				// new page shows the results first again.
				do(t, ctx, chromedp.Click(chromedp.CSS(`label[for="f-soort-woonoplossing"]`)),
					chromedp.Click(chromedp.CSS(`#filters button[type="submit"]`)))
				waitFor(t, ctx, "location.search.includes('soort=woonoplossing') && document.readyState === 'complete'")
				if c := eval[string](t, ctx, "document.querySelector('.filters-open a').textContent"); !strings.Contains(c, "(2 actief)") {
					t.Errorf("after applying, the control says %q", c)
				}
				if top("#filters") < top("#results") {
					t.Error("after applying the filters without JavaScript they still come before the results")
				}
				do(t, ctx, chromedp.Click(chromedp.CSS(".filters-open a")))
				waitFor(t, ctx, "location.hash === '#filters'")
			}
			if js { // axe needs JavaScript; the page is the same without it
				checkAxe(t, ctx)
			}
			// Back: the filters go below the results, the results are in view.
			do(t, ctx, chromedp.Click(chromedp.CSS("#filters .filters-back a")))
			waitFor(t, ctx, "location.hash === '#result-status'")
			if top("#filters") < top("#results") {
				t.Error("after ‘Terug naar de resultaten’ the filters still come first")
			}
			if y := top("#result-status"); y < -5 || y > 400 {
				t.Errorf("after ‘Terug naar de resultaten’ the results are at %.0f px, not in view", y)
			}
		})
	}
	// On a wide screen neither control shows: the filters sit beside the results.
	ctx := newBrowser(t)
	do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden"), chromedp.WaitReady(chromedp.CSS("main")))
	if eval[string](t, ctx, "getComputedStyle(document.querySelector('.filters-open')).display") != "none" ||
		eval[string](t, ctx, "getComputedStyle(document.querySelector('.filters-back')).display") != "none" {
		t.Error("the phone's filter controls show on a wide screen")
	}
}

// TestBrowserCasePrintsAsOnePageHandout prints every published case (the whole
// seed, and the case with every field) to PDF: each fits one A4 page.
func TestBrowserCasePrintsAsOnePageHandout(t *testing.T) {
	site := startSiteWithRichCase(t)
	store, err := db.Open(context.Background(), site.DBPath, schema)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	err = store.EachCase(context.Background(), db.CaseFilter{}, func(c db.Case) error {
		slugs = append(slugs, c.Slug)
		return nil
	})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	pages := regexp.MustCompile(`/Type\s*/Page[^s]`)
	for _, slug := range slugs {
		do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden/"+slug), chromedp.WaitReady(chromedp.CSS("main")))
		if n := len(pages.FindAll(printPDF(t, ctx), -1)); n != 1 {
			t.Errorf("%s prints on %d pages, want a one-page handout", slug, n)
		}
	}
	do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden/regionale-proef"), chromedp.WaitReady(chromedp.CSS("main")))
	// The handout holds the facts and the lessons.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for _, sel := range []string{".case__facts", "#wat-ging-moeilijk", "#financiering"} {
		if d := eval[string](t, ctx, "getComputedStyle(document.querySelector('"+sel+"')).display"); d == "none" {
			t.Errorf("%s does not print", sel)
		}
	}
}
