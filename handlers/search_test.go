package handlers

import (
	"context"
	"html"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

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

// hostileText is stored text with every character HTML cares about.
const hostileText = `<script>alert('x')</script> & "quotes" <b>`

// addHostileText names a theme and a gemeente with hostileText and publishes the
// case "korhoen" in both, its title and summary holding hostileText too.
func addHostileText(t *testing.T, store *db.DB, body string) {
	t.Helper()
	raw := rawDB(t, store)
	mustExec(t, raw, "UPDATE themes SET label = ? WHERE slug = 'tijdelijke-woningen'", hostileText)
	mustExec(t, raw, "UPDATE gemeenten SET name = ? WHERE code = 'GM0796'", hostileText)
	year := 2021
	if _, err := store.CreateCase(context.Background(), db.CaseInput{Slug: "korhoen", Title: "Het korhoen " + hostileText,
		Summary: "Korhoenders " + hostileText, Body: body, GemeenteCode: "GM0796", Themes: []string{"tijdelijke-woningen"},
		Kind: db.KindSolution, Year: &year, Status: db.StatusPublished}, nil); err != nil {
		t.Fatal(err)
	}
}

// TestLibraryEscapesStoredText: a case, a theme and a gemeente named with markup
// come out escaped in the library's cards and facet options, on the page and in
// the htmx fragment alike, and nowhere as markup.
func TestLibraryEscapesStoredText(t *testing.T) {
	app, store := newTestApp(t)
	addHostileText(t, store, "Tekst.")
	esc := template.HTMLEscapeString(hostileText) // as html/template escapes text
	for _, target := range []string{"/voorbeelden?q=korhoen", "/voorbeelden?soort=woonoplossing&q=korhoen"} {
		for _, frag := range []bool{false, true} {
			var res response
			if frag {
				res = get(t, app, target, htmx...)
			} else {
				res = get(t, app, target)
			}
			if res.StatusCode != 200 {
				t.Fatalf("%s (fragment %v): status %d", target, frag, res.StatusCode)
			}
			for what, want := range map[string]string{
				"card title":   `<a href="/voorbeelden/korhoen">Het <mark>korhoen</mark> ` + esc + `</a></h3>`,
				"card summary": `<p class="case-card__summary"><mark>Korhoenders</mark> ` + esc + `</p>`,
				"card place":   `<span>` + esc + `</span> <span>2021</span>`,
				"card theme":   `<li>` + esc + `</li>`,
				"theme option": `<label for="f-thema-tijdelijke-woningen">` + esc + ` <span class="facet__count">(1<span class="visually-hidden"> voorbeeld</span>)</span></label>`,
				"place option": `<label for="f-gemeente-GM0796">` + esc + ` <span class="facet__count">(1<span class="visually-hidden"> voorbeeld</span>)</span></label>`,
			} {
				if !strings.Contains(res.Body, want) {
					t.Errorf("%s (fragment %v): %s lacks %s", target, frag, what, want)
				}
			}
			if strings.Contains(res.Body, "<script>alert") || strings.Contains(res.Body, hostileText) {
				t.Errorf("%s (fragment %v): stored markup came through unescaped", target, frag)
			}
		}
	}
}

// TestMarkedEscapesThenMarks: highlights escape the stored text as html/template
// does and only then turn the search-hit sentinels into <mark> elements.
func TestMarkedEscapesThenMarks(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "Den Haag", "Den Haag"},
		{"empty", "", ""},
		{"one mark", "\x01Den Haag\x02: SoZa", "<mark>Den Haag</mark>: SoZa"},
		{"markup inside a mark", "\x01<b>\x02 & 'x'", "<mark>&lt;b&gt;</mark> &amp; &#39;x&#39;"},
		{"hostile", hostileText, template.HTMLEscapeString(hostileText)},
		{"unclosed mark", "a \x01b", "a <mark>b</mark>"},
		{"end before start", "\x02x\x01", "x<mark></mark>"},
		{"nested start", "\x01a\x01b\x02c\x02", "<mark>ab</mark>c"},
		{"NUL", "a\x00b", "a\uFFFDb"},
		{"invalid UTF-8 kept as is", "Frysl\xe2n \xff\x01x\x02", "Frysl\xe2n \xff<mark>x</mark>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(marked(tc.in)); got != tc.want {
				t.Errorf("marked(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// libraryWithHostileText is a test app without the page cache (every answer made
// afresh) whose library holds a case, a theme and a gemeente named with markup,
// and the Handler behind it.
func libraryWithHostileText(t *testing.T) (*fiber.App, *db.DB, *Handler) {
	t.Helper()
	var h *Handler
	app, store := newTestAppWith(t, func(c *Config) {
		c.PageCacheBytes = -1
		c.testRoutes = func(handler *Handler, _ fiber.Router) { h = handler }
	})
	addHostileText(t, store, "Tekst over het korhoen.")
	return app, store, h
}

// renderedLibraryURLs are library addresses for the render-cache tests: browsing,
// facets, searches with marks and passages, corrections, pages, hostile text.
var renderedLibraryURLs = []string{
	"/voorbeelden", "/voorbeelden?q=korhoen", "/voorbeelden?q=wonen", "/voorbeelden?q=statushouers",
	"/voorbeelden?q=tijdelijke+woningen&pagina=2", "/voorbeelden?thema=gemengd-wonen&provincie=PV26",
	"/voorbeelden?alle=gemeente", "/voorbeelden?q=jongeren&soort=woonoplossing&jaar=2016&jaar=2017",
	"/voorbeelden?q=hoe+vinden+jonge+statushouders+een+kamer", "/voorbeelden?q=kantoor&letterlijk=1",
	"/voorbeelden?sort=jaar&status=gerealiseerd", "/voorbeelden?q=" + url.QueryEscape("<script>"),
	"/voorbeelden?gemeente=GM0796", "/voorbeelden?thema=tijdelijke-woningen&q=korhoen", "/voorbeelden?q=wo",
}

// TestLibraryRenderCachesKeepTheSameHTML: the library's cards and facet options
// are rendered by their templates once and then printed from the render caches;
// every page and fragment is byte for byte what it is with the caches emptied
// before the request, hostile stored text included, in a second pass that takes
// every card and option from the caches, and from parallel requests.
func TestLibraryRenderCachesKeepTheSameHTML(t *testing.T) {
	app, _, h := libraryWithHostileText(t)
	type answer struct {
		url  string
		frag bool
	}
	fetch := func(a answer) string {
		var res response
		if a.frag {
			res = get(t, app, a.url, htmx...)
		} else {
			res = get(t, app, a.url)
		}
		if res.StatusCode != 200 {
			t.Fatalf("%s (fragment %v): status %d", a.url, a.frag, res.StatusCode)
		}
		return res.Body
	}
	var answers []answer
	for _, u := range renderedLibraryURLs {
		answers = append(answers, answer{u, false}, answer{u, true})
	}
	fresh := map[answer]string{}
	for _, a := range answers {
		h.cards, h.facetOptions = newCardCache(), newFacetOptionCache()
		fresh[a] = fetch(a)
	}
	if !strings.Contains(fresh[answer{"/voorbeelden?q=korhoen", true}], "<mark>korhoen</mark> "+template.HTMLEscapeString(hostileText)) {
		t.Fatal("the search for korhoen lacks its escaped, marked card")
	}

	// Fill the caches, then ask again: everything from them, nothing different.
	for _, a := range answers {
		fetch(a)
	}
	cardHits, cardMisses, _, _ := h.cards.stats()
	optionHits, optionMisses, _, _ := h.facetOptions.stats()
	for _, a := range slices.Backward(answers) {
		if got := fetch(a); got != fresh[a] {
			t.Errorf("%s (fragment %v) from the render caches differs from its fresh rendering", a.url, a.frag)
		}
	}
	ch, cm, _, _ := h.cards.stats()
	oh, om, _, _ := h.facetOptions.stats()
	if cm != cardMisses || om != optionMisses || ch == cardHits || oh == optionHits {
		t.Errorf("second pass: %d cards and %d options rendered again, %d and %d from the caches; want none rendered",
			cm-cardMisses, om-optionMisses, ch-cardHits, oh-optionHits)
	}

	// Parallel requests, half of them on emptied caches.
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i, a := range answers {
				if (i+w)%2 == 0 {
					continue
				}
				req := httptest.NewRequest(http.MethodGet, a.url, nil)
				if a.frag {
					req.Header.Set("HX-Request", "true")
				}
				res, err := app.Test(req, -1)
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if string(body) != fresh[a] {
					t.Errorf("%s (fragment %v), parallel: differs from its fresh rendering", a.url, a.frag)
				}
			}
		})
	}
	wg.Wait()
}

// TestLibraryShowsAChangedCardAfterTheWrite: a case whose title an editor changed
// shows its new card at once. The write empties the render caches (the first
// answer after it renders every card and option afresh), so no card of the old
// library stays in memory.
func TestLibraryShowsAChangedCardAfterTheWrite(t *testing.T) {
	app, store, h := libraryWithHostileText(t)
	ctx := context.Background()
	for _, u := range []string{"/voorbeelden?q=korhoen", "/voorbeelden"} {
		if res := get(t, app, u, htmx...); !strings.Contains(res.Body, "Het <mark>korhoen</mark>") && !strings.Contains(res.Body, "Het korhoen ") {
			t.Fatalf("%s: the korhoen case is missing before the change", u)
		}
	}
	if _, _, entries, _ := h.cards.stats(); entries == 0 {
		t.Fatal("no card was kept")
	}
	c, err := store.FindCaseBySlug(ctx, "korhoen")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := store.CreateUser(ctx, db.UserInput{Email: "ria@example.org", Role: db.RoleEditor, Password: "een lang wachtwoord"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := c.Input()
	in.Title = "Het korhoen van Zeist"
	if _, err := store.UpdateCase(ctx, c.ID, db.CaseUpdate{Version: c.Version, Input: in}, ed); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct{ url, want string }{
		{"/voorbeelden", `<a href="/voorbeelden/korhoen">Het korhoen van Zeist</a>`},
		{"/voorbeelden?q=korhoen", `<a href="/voorbeelden/korhoen">Het <mark>korhoen</mark> van Zeist</a>`},
	} {
		cardHits, _, _, _ := h.cards.stats()
		optionHits, _, _, _ := h.facetOptions.stats()
		res := get(t, app, tc.url, htmx...)
		if !strings.Contains(res.Body, tc.want) || strings.Contains(res.Body, "Het korhoen "+template.HTMLEscapeString(hostileText)) {
			t.Errorf("%s after the change: want the new title %s and not the old one", tc.url, tc.want)
		}
		if i > 0 {
			continue
		}
		// The first answer after the write: its eleven other cards and its options
		// were kept before it, but belong to the old library.
		ch, _, _, _ := h.cards.stats()
		oh, _, _, _ := h.facetOptions.stats()
		if ch != cardHits || oh != optionHits {
			t.Errorf("%s, the first answer after the write: %d cards and %d options from the render caches, want none (emptied)",
				tc.url, ch-cardHits, oh-optionHits)
		}
	}
}

// TestLibraryCardsAreThePartialsMarkup: a card rendered on its own for the render
// cache is the markup partials/case-card gives inside a page: every card of a
// theme page (which renders the partial in place) is on the library's page for
// that theme, character for character, hostile stored text included.
func TestLibraryCardsAreThePartialsMarkup(t *testing.T) {
	app, _, _ := libraryWithHostileText(t)
	cards := regexp.MustCompile(`(?s)<article class="case-card">.*?</article>`)
	theme := get(t, app, "/themas/tijdelijke-woningen")
	var library strings.Builder
	for p := 1; ; p++ {
		page := get(t, app, "/voorbeelden?thema=tijdelijke-woningen&pagina="+strconv.Itoa(p))
		library.WriteString(page.Body)
		if !strings.Contains(page.Body, `rel="next"`) || p > 20 {
			break
		}
	}
	found := cards.FindAllString(theme.Body, -1)
	if len(found) == 0 || !strings.Contains(theme.Body, template.HTMLEscapeString(hostileText)) {
		t.Fatalf("the theme page shows %d cards", len(found))
	}
	for _, card := range found {
		if !strings.Contains(library.String(), card) {
			t.Errorf("the library lacks the theme page's card\n%s", card)
		}
	}
}

// TestCardKeyHasEveryField: the key of a rendered card holds every field of the
// card, so that a card with any field changed is rendered afresh.
func TestCardKeyHasEveryField(t *testing.T) {
	card, key := reflect.TypeFor[caseCard](), reflect.TypeFor[cardKey]()
	if card.NumField() != key.NumField() {
		t.Fatalf("caseCard has %d fields, cardKey %d", card.NumField(), key.NumField())
	}
	for i := range card.NumField() {
		if _, ok := key.FieldByName(card.Field(i).Name); !ok {
			t.Errorf("cardKey lacks caseCard.%s", card.Field(i).Name)
		}
	}
	a := caseCard{Slug: "a", Title: "t", Themes: []string{"x:1", "y"}}
	b := a
	b.Themes = []string{"x", "1:y"}
	if a.key() == b.key() {
		t.Error("cards with other themes have the same key")
	}
}
