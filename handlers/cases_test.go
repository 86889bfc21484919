package handlers

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestLibraryPageAndFragment(t *testing.T) {
	app, _ := newTestApp(t)
	tests := []struct {
		name     string
		headers  []string
		fullPage bool
	}{
		{"browser", nil, true},
		{"htmx", htmx, false},
		{"htmx history restore", []string{"HX-Request", "true", "HX-History-Restore-Request", "true"}, true},
		{"htmx boosted", []string{"HX-Request", "true", "HX-Boosted", "true"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, app, "/voorbeelden?q=wonen&thema=gemengd-wonen", tt.headers...)
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			if !strings.Contains(res.Header.Get("Vary"), "HX-Request") {
				t.Errorf("Vary = %q, want HX-Request", res.Header.Get("Vary"))
			}
			isPage := strings.Contains(res.Body, "<html")
			if isPage != tt.fullPage {
				t.Fatalf("full page = %v, want %v", isPage, tt.fullPage)
			}
			if !strings.Contains(res.Body, `class="case-card"`) {
				t.Error("no results in the answer")
			}
			if tt.fullPage {
				return
			}
			for _, want := range []string{`id="facet-groups" hx-swap-oob="true"`, `id="result-status" hx-swap-oob="innerHTML"`, "<title>"} {
				if !strings.Contains(res.Body, want) {
					t.Errorf("fragment lacks %s", want)
				}
			}
		})
	}
}

var (
	cardRe   = regexp.MustCompile(`class="case-card"`)
	statusRe = regexp.MustCompile(`(?s)id="result-status"[^>]*>([^<]*)<`)
	optionRe = regexp.MustCompile(`name="(provincie|thema|soort|jaar|gemeente)" value="([^"]+)"(?: checked)?(?: disabled)?>\s*<label[^>]*>[^<]*<span class="facet__count">\((\d+)`)
)

// resultCount reads the total from the live region.
func resultCount(t *testing.T, body string) int {
	t.Helper()
	m := statusRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no result status")
	}
	if strings.HasPrefix(strings.TrimSpace(m[1]), "Niets") || strings.HasPrefix(strings.TrimSpace(m[1]), "Geen") {
		return 0
	}
	n, err := strconv.Atoi(strings.ReplaceAll(strings.Fields(m[1])[0], ".", ""))
	if err != nil {
		t.Fatalf("result status %q", m[1])
	}
	return n
}

// TestFacetCountsInPageMatchResults follows every facet option shown on the page
// and checks that the count it shows is the number of results the link gives.
func TestFacetCountsInPageMatchResults(t *testing.T) {
	app, _ := newTestApp(t)
	base := url.Values{"q": {"statushouders"}, "thema": {"tijdelijke-woningen"}}
	res := get(t, app, "/voorbeelden?"+base.Encode())
	opts := optionRe.FindAllStringSubmatch(res.Body, -1)
	if len(opts) < 20 {
		t.Fatalf("found %d facet options", len(opts))
	}
	for _, o := range opts {
		name, value, shown := o[1], o[2], o[3]
		v := url.Values{"q": base["q"], "thema": base["thema"]}
		v.Set(name, value) // this option alone within its facet, other filters kept
		got := resultCount(t, get(t, app, "/voorbeelden?"+v.Encode()).Body)
		if strconv.Itoa(got) != shown {
			t.Errorf("%s=%s shows (%s) but gives %d results", name, value, shown, got)
		}
	}
}

func TestLibraryHostileInput(t *testing.T) {
	app, _ := newTestApp(t)
	queries := []string{
		`"`, `a"b`, `*`, `-`, `:`, `NEAR(`, `AND`, `OR`, `wonen AND OR`, "🏠", `'; DROP TABLE cases; --`,
		strings.Repeat("x", 10*1024), strings.Repeat("wo ", 3000),
	}
	for _, q := range queries {
		for _, h := range [][]string{nil, htmx} {
			res := get(t, app, "/voorbeelden?q="+url.QueryEscape(q), h...)
			if res.StatusCode != 200 {
				t.Errorf("q=%.40q: status %d", q, res.StatusCode)
				continue
			}
			if !strings.Contains(res.Body, "gevonden") && !strings.Contains(res.Body, "Niets gevonden") {
				t.Errorf("q=%.40q: neither results nor 'niets gevonden'", q)
			}
		}
	}
	// Reflected input is escaped.
	res := get(t, app, "/voorbeelden?q="+url.QueryEscape(`<script>alert(1)</script>`))
	if strings.Contains(res.Body, "<script>alert(1)") {
		t.Error("search string reflected unescaped")
	}
	// Invalid UTF-8, junk parameters and unknown facet values are answered normally.
	for _, target := range []string{
		"/voorbeelden?q=%ff%fe",
		"/voorbeelden?thema=bestaat-niet&provincie=PV99&gemeente=GM9999&soort=x&jaar=1800&jaar=abc&pagina=-3&sort=drop",
		"/voorbeelden?thema=%3Cscript%3E&provincie=%27%22&pagina=99999999999999999999",
	} {
		res := get(t, app, target)
		if res.StatusCode != 200 || !strings.Contains(res.Body, "24 voorbeelden gevonden") && !strings.Contains(res.Body, "gevonden") {
			t.Errorf("%s: status %d", target, res.StatusCode)
		}
	}
	all := resultCount(t, get(t, app, "/voorbeelden").Body)
	junk := resultCount(t, get(t, app, "/voorbeelden?thema=bestaat-niet&provincie=PV99&soort=x&jaar=1800").Body)
	if junk != all {
		t.Errorf("unknown facet values changed the result: %d vs %d", junk, all)
	}
}

func TestActiveFiltersAreRemovableOneByOne(t *testing.T) {
	app, _ := newTestApp(t)
	res := get(t, app, "/voorbeelden?thema=gemengd-wonen&thema=tijdelijke-woningen&provincie=PV27")
	for _, want := range []string{
		`href="/voorbeelden?provincie=PV27&amp;thema=tijdelijke-woningen"`,      // remove gemengd wonen
		`href="/voorbeelden?provincie=PV27&amp;thema=gemengd-wonen"`,            // remove tijdelijke woningen
		`href="/voorbeelden?thema=tijdelijke-woningen&amp;thema=gemengd-wonen"`, // remove the province
		`>Wis alle filters</a>`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("missing %s", want)
		}
	}
}

func TestCasePage(t *testing.T) {
	app, store := newTestApp(t)
	res := getPage(t, app, "/voorbeelden/startblok-riekerhaven")
	cs, err := store.FindCaseBySlug(context.Background(), "startblok-riekerhaven")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<h1>" + html.EscapeString(cs.Title),
		`href="https://www.nul20.nl/dossiers/startblok-recept-voor-meer"`, // source link
		`href="/gemeenten/GM0363">Amsterdam</a>`,
		"Vergelijkbare voorbeelden",
		`<link rel="canonical" href="https://opnieuwthuis.example/voorbeelden/startblok-riekerhaven">`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("case page lacks %s", want)
		}
	}
	if n := len(cardRe.FindAllString(res.Body, -1)); n == 0 || n > 4 {
		t.Errorf("%d related cases, want 1 to 4", n)
	}
}

func TestNotFound(t *testing.T) {
	app, _ := newTestApp(t)
	for _, target := range []string{"/voorbeelden/bestaat-niet", "/voorbeelden/%3Cscript%3E", "/voorbeelden/" + strings.Repeat("a", 300), "/nergens", "/static/bestaat-niet.css"} {
		res := get(t, app, target)
		if res.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", target, res.StatusCode)
		}
		if !strings.Contains(res.Body, `lang="nl"`) || !strings.Contains(res.Body, "niet") {
			t.Errorf("%s: no Dutch error page", target)
		}
	}
}

func TestHomePage(t *testing.T) {
	app, _ := newTestApp(t)
	res := getPage(t, app, "/")
	for _, want := range []string{`action="/voorbeelden"`, `name="q"`, "Nieuwste voorbeelden", `href="/voorbeelden"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("home lacks %s", want)
		}
	}
	if n := len(cardRe.FindAllString(res.Body, -1)); n != 6 {
		t.Errorf("home shows %d latest cases, want 6", n)
	}
}

func TestGemeenteFacetShowsTopAndAllOnRequest(t *testing.T) {
	app, _ := newTestApp(t)
	gemeenteOpts := regexp.MustCompile(`name="gemeente" value="(GM\d{4})"`)
	top := get(t, app, "/voorbeelden?gemeente=GM1507")
	shown := gemeenteOpts.FindAllStringSubmatch(top.Body, -1)
	if len(shown) != topGemeenten+1 { // the ten with most cases plus the chosen one
		t.Errorf("gemeente facet shows %d options, want %d", len(shown), topGemeenten+1)
	}
	if !strings.Contains(top.Body, `value="GM1507" checked`) {
		t.Error("the chosen gemeente is not among the options shown")
	}
	if !strings.Contains(top.Body, `href="/voorbeelden?gemeente=GM1507&amp;alle=gemeente"`) {
		t.Fatal("no link to show all gemeenten")
	}
	all := get(t, app, "/voorbeelden?gemeente=GM1507&alle=gemeente")
	if n := len(gemeenteOpts.FindAllStringSubmatch(all.Body, -1)); n <= len(shown) {
		t.Errorf("asking for all gemeenten shows %d options", n)
	}
	if !strings.Contains(all.Body, `<input type="hidden" name="alle" value="gemeente">`) {
		t.Error("the form forgets that all gemeenten are shown")
	}
}
