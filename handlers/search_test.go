package handlers

import (
	"context"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	htmlviews "github.com/gofiber/template/html/v2"

	"opnieuwthuis/db"
)

// libraryResults follows the library's pages for a query string and returns the
// slugs it lists, in order, with the count its live region states.
func libraryResults(t *testing.T, app *fiber.App, query string) ([]string, int) {
	t.Helper()
	var slugs []string
	total := -1
	for p := 1; ; p++ {
		res := get(t, app, "/voorbeelden?"+query+"&pagina="+strconv.Itoa(p), htmx...)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d", query, res.StatusCode)
		}
		if total < 0 {
			total = resultCount(t, res.Body)
		}
		for _, m := range caseLink.FindAllStringSubmatch(res.Body, -1) {
			slugs = append(slugs, m[1])
		}
		if !strings.Contains(res.Body, `rel="next"`) {
			return slugs, total
		}
	}
}

// TestSearchNoticesSayWhatWasSearched: a corrected search says what it searched
// and links to the words as typed; that literal search offers the correction;
// relaxed searches say so; every notice sits in the swapped results.
func TestSearchNoticesSayWhatWasSearched(t *testing.T) {
	app, _ := newTestApp(t)
	tests := []struct {
		name, query string
		want        []string
		wantNot     []string
	}{
		{"typo corrected", "q=statushouers",
			[]string{`Resultaten voor <strong>statushouders</strong>. Zoek in plaats daarvan op <a href="/voorbeelden?letterlijk=1&amp;q=statushouers"`,
				"voorbeelden gevonden voor ‘statushouders’ (u typte ‘statushouers’)."},
			[]string{"Bedoelde u"}},
		{"literal search offers the correction", "q=statushouers&letterlijk=1",
			[]string{"Niets gevonden", `Bedoelde u <a href="/voorbeelden?q=statushouders"`, `name="letterlijk" value="1"`},
			[]string{"Resultaten voor"}},
		{"two words, one typo", "q=tijdelijke+wonignen",
			[]string{"Resultaten voor <strong>tijdelijke woningen</strong>", "(u typte ‘tijdelijke wonignen’)"}, nil},
		{"question: stop words not needed", "q=hoe+vinden+jonge+statushouders+een+kamer",
			[]string{"voorbeelden gevonden voor ‘hoe vinden jonge statushouders een kamer’."},
			[]string{"Resultaten voor", "gedeeltelijke", "search-notice"}},
		{"question: few cases have every word", "q=wat+kan+een+gemeente+met+een+leeg+kantoorgebouw",
			[]string{"Weinig voorbeelden hebben alle zoekwoorden; daarna volgen de beste gedeeltelijke treffers.",
				"Veelvoorkomende woorden zijn weggelaten: ‘wat’, ‘kan’, ‘een’, ‘met’.", ", de meeste met een deel van de zoekwoorden."},
			[]string{"Resultaten voor", "Geen voorbeelden met alle"}},
		{"best partial matches", "q=gezinnen+in+Assen",
			[]string{"Geen voorbeelden met alle zoekwoorden; dit zijn de beste gedeeltelijke treffers.",
				"Veelvoorkomende woorden zijn weggelaten: ‘in’", ", met een deel van de zoekwoorden."},
			[]string{"Resultaten voor"}},
		{"nothing at all", "q=zwaluwnestkastje",
			[]string{"Niets gevonden", "Ook andere vormen van de woorden, samenstellingen en synoniemen gaven niets.",
				`<a href="/voorbeelden">Bekijk alle voorbeelden</a>`},
			[]string{"wis de filters"}},
		{"found, but not with these filters", "q=startblok&provincie=PV20",
			[]string{"Niets gevonden", "Zonder filters zijn er ", " voorbeelden voor ‘startblok’", `<a href="/voorbeelden?q=startblok"`}, nil},
		{"a theme to try", "q=woningdelen&provincie=PV21",
			[]string{`Bekijk de voorbeelden bij het thema <a href="/voorbeelden?thema=woningdelen">Woningdelen en kamerverhuur</a>`}, nil},
	}
	// The corrected search finds what the corrected words find.
	_, corrected := libraryResults(t, app, "q=statushouers")
	if _, want := libraryResults(t, app, "q=statushouders"); corrected != want || want == 0 {
		t.Errorf("q=statushouers finds %d, q=statushouders %d", corrected, want)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, h := range [][]string{nil, htmx} {
				res := get(t, app, "/voorbeelden?"+tt.query, h...)
				if res.StatusCode != 200 {
					t.Fatalf("status %d", res.StatusCode)
				}
				for _, w := range tt.want {
					if !strings.Contains(res.Body, w) {
						t.Errorf("htmx %v: missing %q", h != nil, w)
					}
				}
				for _, w := range tt.wantNot {
					if strings.Contains(res.Body, w) {
						t.Errorf("htmx %v: unexpected %q", h != nil, w)
					}
				}
			}
		})
	}
}

// TestSearchResultsAgreeEverywhere: under the new matching (stems, compounds,
// synonyms, corrections, relaxing) the live region's count, the cards over all
// pages, the CSV and JSON of the selection and the Atom feed of the search all
// hold the same cases.
func TestSearchResultsAgreeEverywhere(t *testing.T) {
	app, _ := newTestApp(t)
	for _, query := range []string{
		"q=statushouers",
		"q=statushouers&letterlijk=1",
		"q=tijdelijke+wonignen&provincie=PV30",
		"q=hoe+vinden+jonge+statushouders+een+kamer",
		"q=wat+kan+een+gemeente+met+een+leeg+kantoorgebouw",
		"q=gezinnen+in+Assen",
		"q=kantoren&sort=nieuwste",
		"q=vergunninghouders&thema=woningdelen",
		"q=Den+Haag",
		"q=woningdelen&sort=jaar",
		"q=wo",
	} {
		t.Run(query, func(t *testing.T) {
			slugs, total := libraryResults(t, app, query)
			if total != len(slugs) {
				t.Fatalf("the live region says %d, the pages list %d", total, len(slugs))
			}
			_, rows := readCSV(t, get(t, app, "/voorbeelden.csv?"+query).Body, ',')
			if got := csvSlugs(rows); !slices.Equal(got, slugs) {
				t.Errorf("CSV holds %v\nthe library lists %v", got, slugs)
			}
			if got := jsonSlugs(readJSON(t, get(t, app, "/voorbeelden.json?"+query).Body)); !slices.Equal(got, slugs) {
				t.Errorf("JSON holds %v\nthe library lists %v", got, slugs)
			}
			// The feed holds the newest feedSize of the same cases.
			v, _ := url.ParseQuery(query)
			v.Set("sort", db.SortNewest)
			newest, _ := libraryResults(t, app, v.Encode())
			if !slices.Equal(slices.Sorted(slices.Values(newest)), slices.Sorted(slices.Values(slugs))) {
				t.Fatalf("sorted newest first the library lists %v\nelse %v", newest, slugs)
			}
			feed := readFeed(t, get(t, app, "/voorbeelden.atom?"+query).Body)
			var inFeed []string
			for _, e := range feed.Entries {
				inFeed = append(inFeed, e.Links[0].Href[strings.LastIndex(e.Links[0].Href, "/")+1:])
			}
			if want := newest[:min(feedSize, len(newest))]; !slices.Equal(inFeed, want) {
				t.Errorf("the feed holds %v\nthe library lists %v first", inFeed, want)
			}
		})
	}
}

// TestFacetCountsAgreeUnderDutchSearch follows every facet option of searches
// that are corrected, relaxed or matched through compounds and synonyms: each
// count shown is what choosing the option gives.
func TestFacetCountsAgreeUnderDutchSearch(t *testing.T) {
	app, _ := newTestApp(t)
	for _, base := range []url.Values{
		{"q": {"statushouers"}},
		{"q": {"hoe vinden jonge statushouders een kamer"}},
		{"q": {"gezinnen in Assen"}},
		{"q": {"welke gemeenten gebruiken hotels voor statushouders"}},
		{"q": {"kantoor"}, "soort": {"woonoplossing"}},
		{"q": {"flexwonen"}},
	} {
		res := get(t, app, "/voorbeelden?"+base.Encode())
		opts := optionRe.FindAllStringSubmatch(res.Body, -1)
		if len(opts) < 20 {
			t.Fatalf("%v: found %d facet options", base, len(opts))
		}
		for _, o := range opts {
			name, value, shown := o[1], html.UnescapeString(o[2]), o[3]
			v := url.Values{}
			for k, vs := range base {
				v[k] = vs
			}
			v.Set(name, value)
			got := resultCount(t, get(t, app, "/voorbeelden?"+v.Encode()).Body)
			if strconv.Itoa(got) != shown {
				t.Errorf("%v: %s=%s shows (%s) but gives %d results", base, name, value, shown, got)
			}
		}
	}
}

// TestSearchHighlightsEveryKindOfMatch: stems, compounds, synonyms and corrected
// words are marked in the results.
func TestSearchHighlightsEveryKindOfMatch(t *testing.T) {
	app, _ := newTestApp(t)
	for q, want := range map[string]string{
		"kantoren ":        "UWV-<mark>kantoor</mark>",                // stem
		"kantoor ":         "voormalig <mark>Belastingkantoor</mark>", // compound
		"vergunninghouder": "naar <mark>statushouders</mark>",         // synonym
		"kamergewize ":     "<mark>kamergewijze</mark> verhuur",       // corrected
		"Den Haag":         "<mark>Den Haag</mark>: SoZa",             // two words, one mark
	} {
		res := get(t, app, "/voorbeelden?q="+url.QueryEscape(q), htmx...)
		if !strings.Contains(res.Body, want) {
			t.Errorf("q=%q: no %q in the results", q, want)
		}
	}
}

// testViews loads the views as the app does.
func testViews(t *testing.T) *htmlviews.Engine {
	t.Helper()
	engine := htmlviews.NewFileSystem(http.FS(os.DirFS(filepath.Join("..", "views"))), ".html")
	engine.AddFuncMap((&Handler{assets: map[string]string{}}).templateFuncs())
	if err := engine.Load(); err != nil {
		t.Fatal(err)
	}
	return engine
}

// hostileText is stored text with every character HTML cares about.
const hostileText = `<script>alert('x')</script> & "quotes" <b>`

// TestFacetItemsAreTheTemplatesItems: the facet options written in Go are what
// views/voorbeelden/facet-option.html makes of them, hostile labels included.
func TestFacetItemsAreTheTemplatesItems(t *testing.T) {
	engine := testViews(t)
	opts := []facetOption{
		{ID: `f-thema-a"b`, Name: "thema", Value: `a"b<c>`, Label: hostileText, Count: "3", Noun: "voorbeelden", Selected: true},
		{ID: "f-jaar-2016", Name: "jaar", Value: "2016", Label: "2016", Count: "0", Noun: "voorbeelden", Disabled: true},
		{ID: "f-provincie-PV26", Name: "provincie", Value: "PV26", Label: "Utrecht", Count: "1", Noun: "voorbeeld"},
	}
	var want strings.Builder
	for _, o := range opts {
		var item strings.Builder
		if err := engine.Render(&item, "voorbeelden/facet-option", o); err != nil {
			t.Fatal(err)
		}
		want.WriteString("\n    " + strings.TrimSuffix(item.String(), "\n"))
	}
	if got := string(facetItems(opts)); got != want.String() {
		t.Errorf("facetItems =\n%s\nthe template gives\n%s", got, want.String())
	}
	if strings.Contains(string(facetItems(opts)), "<script>") {
		t.Error("a label came through unescaped")
	}
}

// TestCaseCardsAreTheTemplatesCards: the cards written in Go for the library are
// what views/partials/case-card.html makes of every seeded case, marked by a
// search, and of a case full of hostile text.
func TestCaseCardsAreTheTemplatesCards(t *testing.T) {
	engine := testViews(t)
	_, store := newTestApp(t)
	res, err := store.FindCases(context.Background(), db.CaseFilter{Query: "statushouders woningen", PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	all, err := store.FindCases(context.Background(), db.CaseFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	hits := append(res.Hits, all.Hits...)
	year := 2016
	hits = append(hits, db.CaseHit{Case: db.Case{Slug: "a-b", Kind: "aanpak", GemeenteName: hostileText, Year: &year,
		Themes: []db.Theme{{Label: hostileText}}}, TitleMarked: hostileText + "\x01x\x02", SummaryMarked: hostileText, Snippet: "…" + hostileText + "…"})
	if len(hits) < 30 {
		t.Fatalf("%d cards", len(hits))
	}
	for _, h := range hits {
		var want, got strings.Builder
		if err := engine.Render(&want, "partials/case-card", cardOf(h)); err != nil {
			t.Fatal(err)
		}
		writeCard(&got, cardOf(h))
		if got.String() != want.String() {
			t.Errorf("card of %s written in Go:\n%s\nthe template gives\n%s", h.Slug, got.String(), want.String())
		}
	}
}

// FuzzEscaping: the one-pass escaping of the cards (escapeInto, marked) gives
// what html/template's escaper gives, then the sentinels as <mark> elements.
func FuzzEscaping(f *testing.F) {
	for _, s := range []string{"", hostileText, "a\x00b", `"'&<>`, "Fryslân \xff\xfe", "\x01Den Haag\x02: \x01<b>\x02", "\x02x\x01", "é\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		escapeInto(&b, s)
		if want := template.HTMLEscapeString(s); b.String() != want {
			t.Errorf("escapeInto(%q) = %q, want %q", s, b.String(), want)
		}
		// The reference: escape, then turn balanced sentinels into marks.
		esc := template.HTMLEscapeString(s)
		var want strings.Builder
		open := false
		for i := 0; i < len(esc); i++ {
			switch {
			case esc[i] == db.MarkStart[0] && !open:
				want.WriteString("<mark>")
				open = true
			case esc[i] == db.MarkEnd[0] && open:
				want.WriteString("</mark>")
				open = false
			case esc[i] == db.MarkStart[0], esc[i] == db.MarkEnd[0]:
			default:
				want.WriteByte(esc[i])
			}
		}
		if open {
			want.WriteString("</mark>")
		}
		if got := string(marked(s)); got != want.String() {
			t.Errorf("marked(%q) = %q, want %q", s, got, want.String())
		}
	})
}
