package main

// Real-browser tests of Land in beeld: the map, its panel, the period form, the
// keyboard, the search, the table, and axe-core on every page of it.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// choose picks value in the select with the given id as a visitor does: the
// change event follows, bubbling to the form.
func choose(t *testing.T, ctx context.Context, id, value string) {
	t.Helper()
	eval[bool](t, ctx, `(() => { const s = document.getElementById('`+id+`'); s.value = '`+value+`';
		s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
}

// clickGemeente clicks with the mouse on a point inside a gemeente's shape: the
// point where the browser itself says that gemeente's link is on top.
func clickGemeente(t *testing.T, ctx context.Context, code string) {
	t.Helper()
	xy := eval[[]float64](t, ctx, `(() => {
		const a = document.querySelector('.kaart__gemeenten a[href^="/gemeenten/`+code+`?"]');
		a.scrollIntoView({block: 'center'});
		const p = a.querySelector('path'), b = p.getBBox(), m = p.getScreenCTM();
		for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) {
			const pt = new DOMPoint(b.x + b.width * i / 24, b.y + b.height * j / 24);
			if (!p.isPointInFill(pt)) continue;
			const s = pt.matrixTransform(m);
			const el = document.elementFromPoint(s.x, s.y);
			if (el && el.closest('a') === a) return [s.x, s.y];
		}
		return [];
	})()`)
	if len(xy) != 2 {
		t.Fatalf("no clickable point inside %s", code)
	}
	do(t, ctx, chromedp.MouseClickXY(xy[0], xy[1]))
}

func TestBrowserMapPanelPeriodAndHistory(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	openLive(t, ctx, site.URL+"/kaart?periode=2025-H2", chromedp.WaitVisible(chromedp.CSS(".kaart__svg")))

	// Click Utrecht: its panel opens beside the map, in place; the URL follows.
	clickGemeente(t, ctx, "GM0344")
	waitFor(t, ctx, `document.querySelector('#kaart-paneel [data-gemeente="GM0344"]') !== null`)
	waitFor(t, ctx, "location.search.includes('gemeente=GM0344')")
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("clicking a gemeente reloaded the page")
	}
	panel := eval[string](t, ctx, "document.getElementById('kaart-paneel').innerText")
	for _, want := range []string{"Utrecht", "Provincie Utrecht", "Gecorrigeerde taakstelling", "Gerealiseerd", "Nog te huisvesten",
		"Fictieve cijfers", "berekend naar inwonertal", "Verloop per maand", "Plan Einstein", "Alle cijfers van Utrecht"} {
		if !strings.Contains(panel, want) {
			t.Errorf("panel lacks %q", want)
		}
	}
	if !eval[bool](t, ctx, "document.activeElement.id === 'paneel-titel'") {
		t.Error("the focus did not move to the panel")
	}
	if !eval[bool](t, ctx, "document.querySelector('#kaart-selectie .kaart__selectie path') !== null") {
		t.Error("the chosen gemeente is not outlined on the map")
	}
	// The outline lies exactly on the gemeente.
	same := eval[bool](t, ctx, `(() => {
		const a = document.querySelector('.kaart__gemeenten a[href^="/gemeenten/GM0344?"] path').getBoundingClientRect();
		const b = document.querySelector('#kaart-selectie path').getBoundingClientRect();
		return Math.abs(a.x - b.x) < 2 && Math.abs(a.y - b.y) < 2 && Math.abs(a.width - b.width) < 2;
	})()`)
	if !same {
		t.Error("the outline is not on top of the gemeente")
	}

	// Change the period: the map swaps in place, the URL follows, Utrecht stays chosen.
	choose(t, ctx, "periode", "2024-H1")
	waitFor(t, ctx, "location.search.includes('periode=2024-H1')")
	waitFor(t, ctx, "document.getElementById('kaart-titel').textContent.includes('1e halfjaar 2024')")
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("changing the period reloaded the page")
	}
	title := eval[string](t, ctx, `document.querySelector('.kaart__gemeenten a[href^="/gemeenten/GM0363?"] title').textContent`)
	if !strings.HasPrefix(title, "Fictieve cijfers — Amsterdam, 1e halfjaar 2024:") {
		t.Errorf("map title after the swap: %q", title)
	}
	if !eval[bool](t, ctx, `document.querySelector('#kaart-paneel [data-gemeente="GM0344"] .paneel__sub').textContent.includes('1e halfjaar 2024')`) {
		t.Error("the panel did not follow the period")
	}
	if n := eval[int](t, ctx, "document.querySelectorAll('.kaart__gemeenten a').length"); n != 342 {
		t.Errorf("%d gemeenten after the swap", n)
	}
	if !strings.Contains(eval[string](t, ctx, "document.title"), "1e halfjaar 2024") {
		t.Error("the document title did not follow")
	}

	// Back: the previous state returns.
	do(t, ctx, chromedp.NavigateBack())
	waitFor(t, ctx, "location.search.includes('periode=2025-H2')")
	waitFor(t, ctx, "document.getElementById('kaart-titel').textContent.includes('2e halfjaar 2025')")

	// Zoom to a province through the same form.
	choose(t, ctx, "provincie", "PV29")
	waitFor(t, ctx, "location.search.includes('provincie=PV29')")
	waitFor(t, ctx, "document.querySelectorAll('.kaart__gemeenten a').length === 13")
	if vb := eval[string](t, ctx, "document.querySelector('.kaart__svg').getAttribute('viewBox')"); vb == "0 0 2710 3180" {
		t.Error("the map did not zoom to Zeeland")
	}
}

func TestBrowserMapKeyboardAndSearch(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	do(t, ctx, chromedp.Navigate(site.URL+"/kaart?periode=2025-H1"), chromedp.WaitVisible(chromedp.CSS(".kaart__svg")))
	waitFor(t, ctx, "typeof htmx !== 'undefined'")

	// Tab from the element before the map to the first gemeente, and open it with Enter.
	eval[bool](t, ctx, "document.querySelector('.skip-inline').focus(); true")
	do(t, ctx, chromedp.KeyEvent("\t"))
	href := eval[string](t, ctx, "document.activeElement.getAttribute('href') || ''")
	if !strings.HasPrefix(href, "/gemeenten/GM") {
		t.Fatalf("Tab moved the focus to %q, not to a gemeente on the map", href)
	}
	code := href[len("/gemeenten/") : len("/gemeenten/")+6]
	// The focus is visible: a thick outline on the focused shape.
	if w := eval[string](t, ctx, "getComputedStyle(document.activeElement.querySelector('path')).strokeWidth"); w != "4px" {
		t.Errorf("focused gemeente has stroke width %q: focus not visible", w)
	}
	do(t, ctx, chromedp.KeyEvent("\r"))
	waitFor(t, ctx, `document.querySelector('#kaart-paneel [data-gemeente="`+code+`"]') !== null`)
	if !eval[bool](t, ctx, "document.activeElement.id === 'paneel-titel'") {
		t.Error("Enter opened the panel but the focus did not follow")
	}

	// Search a gemeente by name: its panel opens and it is outlined.
	do(t, ctx, chromedp.SendKeys(chromedp.ID("kaart-q"), "Den Haag"), chromedp.Click(chromedp.CSS(`.kaart-zoek button[type="submit"]`)))
	waitFor(t, ctx, `document.querySelector('#kaart-paneel [data-gemeente="GM0518"]') !== null`)
	waitFor(t, ctx, "location.search.includes('gemeente=GM0518')")
	if !eval[bool](t, ctx, "document.querySelector('#kaart-selectie path') !== null") {
		t.Error("the found gemeente is not outlined")
	}
	// The name list helps typing.
	if n := eval[int](t, ctx, "document.querySelectorAll('#gemeente-namen option').length"); n != 342 {
		t.Errorf("%d suggestions, want 342", n)
	}
}

func TestBrowserMapWithoutJavaScript(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	setJavaScript(t, ctx, false)
	do(t, ctx, chromedp.Navigate(site.URL+"/kaart?periode=2025-H1"), chromedp.WaitVisible(chromedp.CSS(".kaart__svg")))
	// A gemeente is a plain link to its page.
	clickGemeente(t, ctx, "GM0363")
	waitForPage(t, ctx, "/gemeenten/GM0363?periode=2025-H1")
	waitFor(t, ctx, "document.querySelector('h1') && document.querySelector('h1').textContent === 'Amsterdam'")
	// The period form works as a plain GET form.
	do(t, ctx, chromedp.Navigate(site.URL+"/kaart"), chromedp.WaitVisible(chromedp.ID("periode")))
	eval[bool](t, ctx, "document.getElementById('periode').value = '2023-H1'; true")
	do(t, ctx, chromedp.Click(chromedp.CSS(`#kaart-keuze button[type="submit"]`)))
	waitForPage(t, ctx, "/kaart?periode=2023-H1&provincie=")
	waitFor(t, ctx, "document.getElementById('kaart-titel').textContent.includes('1e halfjaar 2023')")
	// The search goes to the gemeente's page.
	do(t, ctx, chromedp.SendKeys(chromedp.ID("kaart-q"), "Zwolle"), chromedp.Click(chromedp.CSS(`.kaart-zoek button[type="submit"]`)))
	waitForPage(t, ctx, "/gemeenten/GM0193?periode=2023-H1")
}

// waitForPage waits until a full page load has reached path (with query). Unlike
// waitFor it survives the page being replaced while it polls.
func waitForPage(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		got, err := chromedp.Run(tctx, chromedp.Evaluate[string]("document.readyState === 'complete' ? location.pathname + location.search : ''"))
		cancel()
		if err == nil && got == path {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for page %s: at %q (%v)", path, got, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBrowserTableSortsInPlace(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	openLive(t, ctx, site.URL+"/kaart/tabel?periode=2025-H2", chromedp.WaitVisible(chromedp.CSS(".tabel--cijfers")))
	do(t, ctx, chromedp.Click(chromedp.ID("sorteer-inwoners")))
	waitFor(t, ctx, "location.search.includes('sorteer=inwoners')")
	waitFor(t, ctx, `document.querySelector('th[aria-sort="ascending"] #sorteer-inwoners') !== null`)
	first := eval[string](t, ctx, "document.querySelector('.tabel--cijfers tbody th').textContent")
	if first != "Schiermonnikoog" {
		t.Errorf("smallest gemeente first: %q", first)
	}
	if !eval[bool](t, ctx, "document.activeElement.id === 'sorteer-inwoners'") {
		t.Error("sorting lost the focus of the column header")
	}
	// Again: descending.
	do(t, ctx, chromedp.Click(chromedp.ID("sorteer-inwoners")))
	waitFor(t, ctx, "location.search.includes('richting=af')")
	waitFor(t, ctx, "document.querySelector('.tabel--cijfers tbody th').textContent === 'Amsterdam'")
	// Filter by status through the form; the sort is kept.
	choose(t, ctx, "status", "voor-op-schema")
	waitFor(t, ctx, "location.search.includes('status=voor-op-schema') && location.search.includes('sorteer=inwoners')")
	waitFor(t, ctx, "[...document.querySelectorAll('.tabel--cijfers tbody .status')].every(s => s.textContent.trim() === 'voor op schema')")
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Error("sorting or filtering reloaded the page")
	}
}

func TestBrowserMapAccessibility(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	for _, path := range []string{"/kaart", "/kaart?periode=2024-H2", "/kaart?gemeente=GM0344&periode=2025-H1&provincie=PV26",
		"/kaart?periode=2026-H1", "/kaart?periode=2025-H2&provincie=PV29",
		"/kaart/zoek?q=bergen&periode=2025-H1", "/kaart/tabel", "/kaart/tabel?provincie=PV24&sorteer=verschil&richting=af",
		"/kaart/tabel?periode=2025-H2&status=te-klein", "/gemeenten/GM0088?periode=2025-H2", "/gemeenten/GM1979",
		"/gemeenten/GM0344", "/gemeenten/GM0003", "/taakstelling", "/", "/privacy", "/over", "/open-data"} {
		t.Run(path, func(t *testing.T) {
			do(t, ctx, chromedp.Navigate(site.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
			checkAxe(t, ctx)
		})
	}
	// Also with a panel swapped in by htmx.
	do(t, ctx, chromedp.Navigate(site.URL+"/kaart"), chromedp.WaitVisible(chromedp.CSS(".kaart__svg")))
	waitFor(t, ctx, "typeof htmx !== 'undefined'")
	clickGemeente(t, ctx, "GM0599")
	waitFor(t, ctx, `document.querySelector('#kaart-paneel [data-gemeente="GM0599"]') !== null`)
	checkAxe(t, ctx)
}

// TestBrowserMapLabelIsInTheDrawing checks in a real browser that the label inside
// the map is drawn where it should be: visible, bottom left, on top of nothing
// clickable, and part of what a screenshot of the drawing shows.
func TestBrowserMapLabelIsInTheDrawing(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	for _, path := range []string{"/kaart?periode=2025-H2", "/kaart?periode=2025-H2&provincie=PV29"} {
		do(t, ctx, chromedp.Navigate(site.URL+path), chromedp.WaitVisible(chromedp.CSS(".kaart__svg")))
		got := eval[map[string]any](t, ctx, `(() => {
			const svg = document.querySelector('.kaart__svg').getBoundingClientRect();
			const g = document.querySelector('.kaart__label'), r = g.getBoundingClientRect();
			const text = g.querySelector('text');
			// What is under the label's middle, for a click: a gemeente, never the label.
			const under = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
			return {inside: r.left >= svg.left - 1 && r.bottom <= svg.bottom + 1 && r.width > 40,
				left: r.left - svg.left < svg.width / 8, bottom: svg.bottom - r.bottom < svg.height / 8,
				first: text.textContent, size: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
				visible: getComputedStyle(g).display !== 'none' && getComputedStyle(g).visibility !== 'hidden',
				catches: under !== null && under.closest('.kaart__label') !== null};
		})()`)
		if got["inside"] != true || got["left"] != true || got["bottom"] != true || got["visible"] != true {
			t.Errorf("%s: the label is not visible in the bottom-left corner of the map: %v", path, got)
		}
		if got["first"] != "Fictieve cijfers (gesimuleerd)" {
			t.Errorf("%s: the label's first line is %v", path, got["first"])
		}
		if size, _ := got["size"].(float64); size < 9 {
			t.Errorf("%s: the label is drawn at %.1f px: too small to read", path, size)
		}
		if got["catches"] == true {
			t.Errorf("%s: the label catches clicks meant for the map", path)
		}
	}
}

// TestBrowserNationalFigureForm fills in the beheerders' form for a national figure
// in a real browser: errors next to their fields (axe-clean), then the saved
// figure, whose period the map then offers with its split.
func TestBrowserNationalFigureForm(t *testing.T) {
	site, ctx, _ := editorSite(t, "beheer@opnieuwthuis.example", "beheerder")
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/landelijk"))
	signInBrowser(t, ctx, "beheer@opnieuwthuis.example")
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("f-totaal")))
	checkAxe(t, ctx)
	// The dashboard tells the beheerder that the privacy statement is not complete.
	do(t, ctx, chromedp.Navigate(site.URL+"/beheer"), chromedp.WaitVisible(chromedp.ID("privacy-missing-title")))
	checkAxe(t, ctx)

	do(t, ctx, chromedp.Navigate(site.URL+"/beheer/landelijk"), chromedp.WaitVisible(chromedp.ID("f-totaal")))
	period := eval[string](t, ctx, "document.getElementById('f-periode').value")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("f-totaal"), "12.000"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]:not(.button--link)`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	if v := eval[string](t, ctx, "document.getElementById('f-totaal').value"); v != "12.000" {
		t.Errorf("the form lost the typed figure: %q", v)
	}
	if !eval[bool](t, ctx, `document.getElementById('bron_url-error').textContent.includes('Vul de link naar de bron in')`) {
		t.Error("no message next to the missing source")
	}
	checkAxe(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.ID("f-status-vastgesteld")),
		chromedp.SendKeys(chromedp.ID("f-bron_url"), "https://www.rijksoverheid.nl/documenten/circulaires/taakstelling"),
		chromedp.SendKeys(chromedp.ID("f-bron_datum"), "2025-10"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]:not(.button--link)`)))
	waitForPage(t, ctx, "/beheer/landelijk?melding=landelijk")
	do(t, ctx, chromedp.Navigate(site.URL+"/kaart?periode="+period), chromedp.WaitVisible(chromedp.CSS(".kaart__svg")))
	if !strings.Contains(eval[string](t, ctx, "document.querySelector('.landelijk-regel').textContent"), "12.000 personen, vastgesteld") {
		t.Error("the map does not show the new national figure")
	}
}
