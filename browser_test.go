package main

// Real-browser tests: the real program on a real SQLite file, driven by Debian's
// chromium through chromedp. .ci/run installs chromium; CHROMIUM overrides the path.

import (
	"context"
	_ "embed"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

//go:embed testdata/axe-4.14.1.min.js
var axeSource string

// newBrowser starts headless chromium for one test, watching its pages: the test
// fails for every console error, uncaught exception, failed request or 5xx answer
// (failOnConsoleErrors; consoleOf(ctx).check reports them at a step). Every
// browser test starts its browser here, so none can forget the watch. Under -short
// it skips the test: tests start the browser before the site, so that a skipped
// test has not built one first.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	ctx := startBrowser(t)
	w := failOnConsoleErrors(t, ctx)
	return context.WithValue(ctx, consoleKey{}, w)
}

// consoleKey holds, in a browser context, the consoleWatch newBrowser attached.
type consoleKey struct{}

// consoleOf is the watch newBrowser attached to ctx's browser.
func consoleOf(ctx context.Context) *consoleWatch {
	return ctx.Value(consoleKey{}).(*consoleWatch)
}

// startBrowser starts headless chromium without watching it: only for the test
// of the watch itself. Pages keep the site's Content-Security-Policy (axe-core is
// evaluated through DevTools, which the policy does not govern), so that a
// violation fails the test like any other error.
func startBrowser(t testing.TB) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test (chromium): skipped under -short")
	}
	exec := os.Getenv("CHROMIUM")
	if exec == "" {
		exec = "/usr/bin/chromium"
	}
	if _, err := os.Stat(exec); err != nil {
		t.Fatalf("browser tests need chromium (apt-get install chromium) or CHROMIUM=/path: %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exec),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser: no timeout on this context. It also
	// makes sure that pages keep their CSP.
	if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: false}); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	return ctx
}

// do runs browser steps with a timeout and fails the test on error.
func do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression and returns its value.
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds. Errors while the page is
// navigating (the evaluation context is gone) just mean "not yet".
func waitFor(t testing.TB, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: not true after 10 s (last error: %v)", cond, lastErr)
}

// openLive opens url, waits until ready and htmx are there, and marks the
// document (window.__same): an htmx swap keeps the mark, a page load loses it.
func openLive(t testing.TB, ctx context.Context, url string, ready chromedp.Action[chromedp.Void]) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url), ready)
	waitFor(t, ctx, "typeof htmx !== 'undefined'")
	eval[bool](t, ctx, "window.__same = true")
}

// setJavaScript turns script execution in the page on or off.
func setJavaScript(t testing.TB, ctx context.Context, on bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		t.Fatal(err)
	}
}

// checkAxe runs axe-core on the current page against WCAG 2.1 A and AA and fails
// the test for every violation.
func checkAxe(t testing.TB, ctx context.Context) {
	t.Helper()
	eval[bool](t, ctx, axeSource+";true")
	raw := eval[string](t, ctx, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
		.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))`)
	var violations []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatal(err)
	}
	url := eval[string](t, ctx, "location.pathname + location.search")
	for _, v := range violations {
		t.Errorf("axe on %s: %s (%s): %s\n\t%s", url, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

func TestBrowserLibrarySearchFacetsHistoryAndNoJS(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)

	openLive(t, ctx, site.URL+"/voorbeelden", chromedp.WaitVisible(chromedp.ID("q")))
	all := eval[int](t, ctx, "document.querySelectorAll('.case-list > li').length")
	if all != 12 {
		t.Fatalf("library shows %d cases on page 1, want 12", all)
	}
	total, _ := strconv.Atoi(strings.Fields(eval[string](t, ctx, "document.getElementById('result-status').textContent"))[0])

	// How many cases "startblok" finds, whatever the seed holds: from the download.
	found := eval[int](t, ctx, "fetch('/voorbeelden.json?q=startblok').then(r => r.json()).then(d => d.data.length)")
	if found < 2 {
		t.Fatalf("‘startblok’ finds %d cases, want the two Startblok projects at least", found)
	}

	// Type: results change in place, the URL follows by replacing the history entry.
	historyBefore := eval[int](t, ctx, "history.length")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "startblok"))
	waitFor(t, ctx, "location.search.includes('q=startblok')")
	if h := eval[int](t, ctx, "history.length"); h != historyBefore {
		t.Errorf("typing added %d history entries, want the URL replaced", h-historyBefore)
	}
	waitFor(t, ctx, "document.querySelectorAll('.case-list > li').length === "+strconv.Itoa(min(found, 12)))
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("typing reloaded the page instead of swapping results")
	}
	status := eval[string](t, ctx, "document.getElementById('result-status').textContent")
	if !strings.Contains(status, strconv.Itoa(found)+" voorbeelden gevonden") {
		t.Errorf("live region says %q, want the count", status)
	}
	if n := eval[int](t, ctx, "document.querySelectorAll('#results mark').length"); n == 0 {
		t.Error("no highlighted hits")
	}

	// Clear the search, then click a facet: results and facet counts change in place.
	eval[bool](t, ctx, "(() => { const q = document.getElementById('q'); q.value = ''; q.dispatchEvent(new Event('input', {bubbles: true})); return true })()")
	waitFor(t, ctx, "!location.search.includes('q=startblok') && document.querySelectorAll('.case-list > li').length === 12")
	historyBefore = eval[int](t, ctx, "history.length")
	do(t, ctx, chromedp.Click(chromedp.CSS(`label[for="f-provincie-PV26"]`)))
	waitFor(t, ctx, "location.search.includes('provincie=PV26')")
	if h := eval[int](t, ctx, "history.length"); h != historyBefore+1 {
		t.Errorf("choosing a facet added %d history entries, want 1 (pushed)", h-historyBefore)
	}
	if !eval[bool](t, ctx, "document.activeElement && document.activeElement.id === 'f-provincie-PV26'") {
		t.Error("focus was lost when the facets were swapped")
	}
	waitFor(t, ctx, "document.querySelector('#results .chip') !== null")
	// The cases of the province Utrecht: those of its gemeenten, and those that
	// involve one of them (related gemeenten), whatever the seed holds.
	inUtrecht := eval[[]string](t, ctx, "fetch('/voorbeelden.json?provincie=PV26').then(r => r.json()).then(d => d.data.map(c => c.slug))")
	utrecht := eval[int](t, ctx, "document.querySelectorAll('.case-list > li').length")
	if utrecht == 0 || utrecht != min(len(inUtrecht), 12) {
		t.Fatalf("after choosing Utrecht %d cases are shown, want %d", utrecht, min(len(inUtrecht), 12))
	}
	if all, _ := strconv.Atoi(strings.Fields(eval[string](t, ctx, "document.getElementById('result-status').textContent"))[0]); all >= total {
		t.Errorf("choosing Utrecht left %d of the %d cases", all, total)
	}
	shown := eval[[]string](t, ctx, "[...document.querySelectorAll('.case-list .case-card__title a')].map(a => a.getAttribute('href').split('/').pop())")
	for _, slug := range shown {
		if !slices.Contains(inUtrecht, slug) {
			t.Errorf("case outside Utrecht shown after filtering: %q", slug)
		}
	}
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("clicking a facet reloaded the page")
	}

	// Quick successive searches: only the newest answer may end up on screen.
	eval[bool](t, ctx, `(() => { const q = document.getElementById('q');
		for (const v of ['w', 'wo', 'won', 'place2bu']) { q.value = v; htmx.trigger(q, 'search'); }
		return true })()`)
	waitFor(t, ctx, "location.search.includes('q=place2bu')")
	waitFor(t, ctx, "document.getElementById('result-status').textContent.includes('place2bu')")
	if title := eval[string](t, ctx, "document.querySelector('.case-card__title').textContent"); !strings.Contains(strings.ToLower(title), "place2bu") {
		t.Errorf("after quick typing the list shows %q, not the newest search", title)
	}
	eval[bool](t, ctx, "(() => { const q = document.getElementById('q'); q.value = ''; htmx.trigger(q, 'search'); return true })()")
	waitFor(t, ctx, "!location.search.includes('q=place2bu') && document.querySelectorAll('.case-list > li').length > 1")

	// Back restores the previous state (all cases, no filter).
	do(t, ctx, chromedp.NavigateBack())
	waitFor(t, ctx, "!location.search.includes('provincie=PV26')")
	waitFor(t, ctx, "document.querySelectorAll('.case-list > li').length === 12 && !document.getElementById('f-provincie-PV26').checked")

	// The same URL with JavaScript off: the full page, already filtered.
	ctx2 := newBrowser(t)
	setJavaScript(t, ctx2, false)
	do(t, ctx2, chromedp.Navigate(site.URL+"/voorbeelden?provincie=PV26&q=utrecht"))
	html := eval[string](t, ctx2, "document.documentElement.outerHTML")
	if n := strings.Count(html, `class="case-card"`); n == 0 {
		t.Errorf("without JavaScript the filtered URL shows %d cases", n)
	}
	if !strings.Contains(html, `id="f-provincie-PV26" name="provincie" value="PV26" checked`) {
		t.Error("without JavaScript the facet is not shown as chosen")
	}
	// Without JavaScript the form still works: submit a search.
	do(t, ctx2, chromedp.Navigate(site.URL+"/voorbeelden"),
		chromedp.SendKeys(chromedp.ID("q"), "kantoor"),
		chromedp.Click(chromedp.CSS(`.searchbar button[type="submit"]`)))
	waitFor(t, ctx2, "location.search.includes('q=kantoor') && document.readyState === 'complete'")
	if status := eval[string](t, ctx2, "document.getElementById('result-status').textContent"); !strings.Contains(status, "kantoor") {
		t.Errorf("after submitting without JavaScript the page says %q", status)
	}
}

func TestBrowserAccessibility(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	for _, path := range []string{"/", "/voorbeelden", "/voorbeelden?q=wonen&thema=gemengd-wonen", "/voorbeelden/startblok-riekerhaven", "/bestaat-niet"} {
		t.Run(path, func(t *testing.T) {
			do(t, ctx, chromedp.Navigate(site.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
			checkAxe(t, ctx)
		})
	}
}

// TestBrowserSearchCorrectsATypo types a word with a typo: the results of the
// corrected word replace the list in place, with the notice that says so; its
// link searches the words as typed, and that page offers the correction back.
func TestBrowserSearchCorrectsATypo(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)

	openLive(t, ctx, site.URL+"/voorbeelden", chromedp.WaitVisible(chromedp.ID("q")))

	do(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "kamergewize verhuur"))
	waitFor(t, ctx, "new URLSearchParams(location.search).get('q') === 'kamergewize verhuur' && document.querySelector('#results .search-notice') !== null")
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("typing reloaded the page instead of swapping the results")
	}
	notice := eval[string](t, ctx, "document.querySelector('#results .search-notice').textContent")
	if !strings.Contains(notice, "Resultaten voor kamergewijze verhuur. Zoek in plaats daarvan op kamergewize verhuur.") {
		t.Errorf("notice %q", notice)
	}
	first := eval[string](t, ctx, "document.querySelector('.case-card__title').textContent")
	if !strings.Contains(strings.ToLower(first), "kamergewijze verhuur") {
		t.Errorf("first result %q, want the case about kamergewijze verhuur", first)
	}
	if n := eval[int](t, ctx, "document.querySelectorAll('#results mark').length"); n == 0 {
		t.Error("the corrected words are not marked")
	}
	status := eval[string](t, ctx, "document.getElementById('result-status').textContent")
	if !strings.Contains(status, "gevonden voor ‘kamergewijze verhuur’ (u typte ‘kamergewize verhuur’)") {
		t.Errorf("live region says %q", status)
	}
	checkAxe(t, ctx)

	// The words as typed: nothing matches them all, and the correction is offered.
	do(t, ctx, chromedp.Click(chromedp.CSS("#results .search-notice a")))
	waitFor(t, ctx, "location.search.includes('letterlijk=1')")
	waitFor(t, ctx, "[...document.querySelectorAll('#results a')].some(a => a.textContent === 'kamergewijze verhuur' && a.closest('p, li').textContent.startsWith('Bedoelde u'))")
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("the literal search reloaded the page")
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#results .search-notice a, #results .empty__tips a")))
	waitFor(t, ctx, "new URLSearchParams(location.search).get('q') === 'kamergewijze verhuur' && !location.search.includes('letterlijk')")
	waitFor(t, ctx, "document.querySelector('.case-card__title') !== null && document.querySelector('.case-card__title').textContent.toLowerCase().includes('kamergewijze verhuur')")
}

// TestBrowserLinksInTheResultsGoWhereTheySay: a link inside the library form
// (removing one filter, a search notice) asks for its own address only, not for
// it merged with the form's current values.
func TestBrowserLinksInTheResultsGoWhereTheySay(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	openLive(t, ctx, site.URL+"/voorbeelden?q=statushouders&provincie=PV26&thema=gemengd-wonen", chromedp.WaitVisible(chromedp.ID("q")))
	do(t, ctx, chromedp.Click(chromedp.CSS(`#results .chip[href*="thema=gemengd-wonen"]`)))
	waitFor(t, ctx, "!location.search.includes('provincie=PV26')")
	if got := eval[string](t, ctx, "location.search"); got != "?q=statushouders&thema=gemengd-wonen" {
		t.Errorf("removing the province filter led to %s", got)
	}
	waitFor(t, ctx, "!document.getElementById('f-provincie-PV26').checked && document.getElementById('f-thema-gemengd-wonen').checked")
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("removing a filter reloaded the page")
	}
}
