package main

import (
	"context"
	"encoding/csv"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

func TestBrowserKnowledgePagesAccessibility(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	for _, path := range []string{"/themas", "/themas/gemengd-wonen", "/over", "/toegankelijkheid", "/privacy", "/open-data"} {
		t.Run(path, func(t *testing.T) {
			do(t, ctx, chromedp.Navigate(site.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
			if h1 := eval[string](t, ctx, "document.querySelector('h1').textContent"); h1 == "" {
				t.Fatalf("%s has no heading", path)
			}
			checkAxe(t, ctx)
		})
	}
}

func TestBrowserSkipLinkWorksWithTheKeyboard(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	do(t, ctx, chromedp.Navigate(site.URL+"/themas"), chromedp.WaitReady(chromedp.CSS("main")))
	do(t, ctx, chromedp.KeyEvent(kb.Tab))
	if got := eval[string](t, ctx, "document.activeElement.className"); got != "skip-link" {
		t.Fatalf("first Tab focuses %q, want the skip link", got)
	}
	if visible := eval[bool](t, ctx, "document.activeElement.getBoundingClientRect().top >= 0"); !visible {
		t.Error("the focused skip link is off screen")
	}
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "document.activeElement.id === 'main'")
	// The next Tab continues inside the content, not back in the header.
	do(t, ctx, chromedp.KeyEvent(kb.Tab))
	if inMain := eval[bool](t, ctx, "document.getElementById('main').contains(document.activeElement)"); !inMain {
		t.Error("after the skip link, Tab leaves the main content")
	}
}

func TestBrowserLibraryDownloadLinksFollowTheFilter(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, nil)
	openLive(t, ctx, site.URL+"/voorbeelden", chromedp.WaitVisible(chromedp.ID("q")))
	hrefs := func() []string {
		return eval[[]string](t, ctx, "[...document.querySelectorAll('.downloads a')].map(a => a.getAttribute('href'))")
	}
	if got := hrefs(); len(got) != 5 || got[0] != "/voorbeelden.csv" {
		t.Fatalf("download links on the unfiltered library: %v", got)
	}

	do(t, ctx, chromedp.Click(chromedp.CSS(`label[for="f-provincie-PV26"]`)))
	waitFor(t, ctx, "location.search.includes('provincie=PV26')")
	waitFor(t, ctx, "document.querySelector('.downloads a').getAttribute('href').includes('provincie=PV26')")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "wonen"))
	waitFor(t, ctx, "location.search.includes('q=wonen')")
	waitFor(t, ctx, "document.querySelector('.downloads a').getAttribute('href').includes('q=wonen')")
	// The links carry the page's own query, whatever order htmx put it in; the
	// feed drops the sort order, since a feed is always newest first.
	want := queryOf(t, eval[string](t, ctx, "location.href"))
	got := hrefs()
	for i, ext := range []string{".csv", ".csv", ".json", ".atom"} {
		q := queryOf(t, got[i])
		if ext == ".atom" {
			want.Del("sort")
		}
		if i == 1 && q.Get("excel") == "1" {
			q.Del("excel")
		}
		if !strings.HasPrefix(got[i], "/voorbeelden"+ext+"?") || q.Encode() != want.Encode() {
			t.Errorf("download link %s does not follow the page's query %s", got[i], want.Encode())
		}
	}
	if !eval[bool](t, ctx, "window.__same === true") {
		t.Fatal("the page reloaded instead of swapping results")
	}

	// The CSV behind the link holds exactly the cases the page counts.
	shown := eval[string](t, ctx, "document.getElementById('result-status').textContent")
	body := eval[string](t, ctx, "fetch(document.querySelector('.downloads a').href).then(r => r.text())")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(shown, strconv.Itoa(len(rows)-1)+" ") {
		t.Errorf("the page says %q, the CSV has %d rows", shown, len(rows)-1)
	}
}

func queryOf(t *testing.T, href string) url.Values {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestBrowserCasePrintsCleanly(t *testing.T) {
	ctx := newBrowser(t)
	site := startServer(t, map[string]string{"BASE_URL": "https://opnieuwthuis.example"})
	do(t, ctx, chromedp.Navigate(site.URL+"/voorbeelden/startblok-riekerhaven"), chromedp.WaitReady(chromedp.CSS("main")))
	if eval[string](t, ctx, "getComputedStyle(document.querySelector('.print-only')).display") != "none" {
		t.Error("the print-only line shows on screen")
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for _, sel := range []string{".site-header", ".site-footer", ".breadcrumbs", ".related", ".skip-link", ".case__more"} {
		if d := eval[string](t, ctx, "getComputedStyle(document.querySelector('"+sel+"')).display"); d != "none" {
			t.Errorf("%s prints (display %s)", sel, d)
		}
	}
	if d := eval[string](t, ctx, "getComputedStyle(document.querySelector('.print-only')).display"); d != "block" {
		t.Errorf("the page address does not print (display %s)", d)
	}
	after := eval[string](t, ctx, "getComputedStyle(document.querySelector('.case__facts a[data-print-url]'), '::after').content")
	if !strings.Contains(after, "https://opnieuwthuis.example/gemeenten/GM0363") {
		t.Errorf("the gemeente link prints as %s, want its absolute URL", after)
	}
	external := eval[string](t, ctx, `(() => { const a = document.querySelector('.prose a[href^="http"]'); return a.href + ' ' + getComputedStyle(a, '::after').content })()`)
	parts := strings.SplitN(external, " ", 2)
	if len(parts) != 2 || !strings.Contains(parts[1], parts[0]) {
		t.Errorf("a link in the text prints as %q", external)
	}
	if after := eval[string](t, ctx, "getComputedStyle(document.querySelector('.source-link'), '::after').content"); after != "none" && after != "normal" {
		t.Errorf("the source link, whose text is its URL, prints it twice: %s", after)
	}
	// Printing to PDF works and fits A4 (210 × 297 mm).
	pdf := printPDF(t, ctx)
	boxes := regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`).FindAllStringSubmatch(string(pdf), -1)
	if !strings.HasPrefix(string(pdf), "%PDF-") || len(boxes) == 0 {
		t.Fatalf("print output is not a PDF with pages (%d bytes)", len(pdf))
	}
	for _, b := range boxes {
		// A4 is 595.3 × 841.9 points; Chromium rounds to whole CSS pixels.
		w, _ := strconv.ParseFloat(b[1], 64)
		h, _ := strconv.ParseFloat(b[2], 64)
		if w < 594 || w > 596.5 || h < 841 || h > 843 {
			t.Errorf("a printed page is %.1f × %.1f points, not A4", w, h)
		}
	}
}

func printPDF(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	prefer := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &prefer})
	if err != nil {
		t.Fatal(err)
	}
	return res.Data
}
