package handlers

import (
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

const casesPerPage = 12

// libraryPage is the view model of /voorbeelden, page and fragment alike.
type libraryPage struct {
	page
	Query       string
	Results     db.CaseResults
	Cards       []template.HTML // the hits of Results as views/partials/case-card.html renders them (cardRendered)
	Active      []activeFilter
	ClearURL    string
	pager       // the template reads the page numbers from Results
	SortOptions []option
	NoTerms     bool // the query held no searchable words at all
	OOB         bool // rendering the fragment: facets swap out of band
	Downloads   selectionDownloads
	Facets      []facetGroup
	// AllGemeenten shows every gemeente option instead of the top few.
	AllGemeenten bool
	// What search did with the words (see db.CaseResults): the addresses of the
	// words as typed, without correction, and of a suggested correction.
	Literal       bool
	LiteralURL    string
	SuggestionURL string
	// RelatedThemes are offered when nothing is found.
	RelatedThemes []themeLink
}

// themeLink is a theme of the library with the address that filters on it.
type themeLink struct {
	Label, URL string
}

// selectionDownloads are the addresses of the library's current selection as files.
// They sit inside the swapped results, so they follow every htmx change.
type selectionDownloads struct {
	CSV, Excel, JSON, Feed string
}

// activeFilter is a chosen facet value with the URL that removes it.
type activeFilter struct {
	Facet     string
	Label     string
	RemoveURL string
}

// listCases is the case library: search, facets, sort and pages. The same URL gives
// the full page, or with htmx just the results and facets.
func (h *Handler) listCases(c *fiber.Ctx) error {
	f := parseCaseFilter(c)
	generation := h.db.Generation() // before the search: what it finds is at least this new
	res, err := h.db.FindCases(c.UserContext(), f)
	if err != nil {
		return err
	}
	vm := libraryPage{Query: f.Query, Results: res, OOB: wantsFragment(c)}
	vm.Cards = make([]template.HTML, len(res.Hits))
	for i, hit := range res.Hits {
		if vm.Cards[i], err = h.cardRendered(generation, res.LargeLibrary(), cardOf(hit)); err != nil {
			return err
		}
	}
	vm.NoTerms = strings.TrimSpace(f.Query) != "" && !res.Searched
	known := knownFilter(f, res)
	vm.Active = activeFilters(known, res.Facets)
	vm.ClearURL = libraryURL(db.CaseFilter{Query: f.Query, Sort: f.Sort, Literal: f.Literal})
	vm.Literal = known.Literal
	if res.Corrected != "" {
		literal := known
		literal.Literal = true
		vm.LiteralURL = libraryURL(literal)
	}
	if res.Suggestion != "" {
		suggested := known
		suggested.Query, suggested.Literal = res.Suggestion, false
		vm.SuggestionURL = libraryURL(suggested)
	}
	for _, t := range res.RelatedThemes {
		vm.RelatedThemes = append(vm.RelatedThemes, themeLink{Label: t.Label, URL: libraryURL(db.CaseFilter{Themes: []string{t.Slug}})})
	}
	vm.pager = newPager(res.Page, res.Pages, func(p int) string {
		known.Page = p
		return libraryURL(known)
	})
	vm.SortOptions = sortOptions(res)
	vm.AllGemeenten = c.Query("alle") == "gemeente"
	vm.Facets = facetGroups(res.Facets, known, vm.AllGemeenten)
	for i := range vm.Facets {
		g := &vm.Facets[i]
		g.Rendered = make([]template.HTML, len(g.Options))
		for j, o := range g.Options {
			if g.Rendered[j], err = h.facetRendered(generation, res.LargeLibrary(), o); err != nil {
				return err
			}
		}
	}
	known.Page = 0
	vm.Downloads = selectionDownloads{
		CSV:   downloadURL(known, "csv"),
		Excel: excelURL(downloadURL(known, "csv")),
		JSON:  downloadURL(known, "json"),
		Feed:  downloadURL(known, "atom"),
	}

	vm.Title = "Goede voorbeelden"
	if f.Query != "" {
		vm.Title = "Zoeken naar ‘" + db.Truncate(f.Query, 60) + "’ in goede voorbeelden"
	}
	vm.Description = "Zoek en filter goede voorbeelden van huisvesting van vergunninghouders: woonoplossingen en aanpakken van gemeenten."
	vm.Canonical = h.canonical("/voorbeelden")
	vm.Nav = "voorbeelden"
	vm.Feeds = []feedLink{{Title: "Nieuwe goede voorbeelden", URL: h.canonical("/voorbeelden.atom")}}
	if vm.Downloads.Feed != "/voorbeelden.atom" {
		vm.Feeds = append(vm.Feeds, feedLink{Title: "Nieuwe goede voorbeelden bij deze zoekvraag en filters", URL: h.canonical(vm.Downloads.Feed)})
	}
	return h.render(c, fiber.StatusOK, "voorbeelden/index", "voorbeelden/fragment", vm)
}

// The library's cards and facet options, rendered once per distinct view model
// and content generation (renderCache in cache.go says why). A search answer
// holds 12 cards (about 3 KB each kept, key and output) and about 60 options
// (about 400 bytes); the budgets keep about 2,700 cards and 5,000 options. With a
// different search every request at 1,000 cases that gave 67 % of the cards and
// 96 % of the options from the caches (4 MB of cards: 54 %); see BENCHMARKS.md.
// In a large library (more than 2,000 cases) the same card or count comes back
// far less often (63 % and 47 % hits at 100,000 cases with the full budgets, no
// gain measured), so there they get a quarter, to keep the server's memory
// within its bound (BENCHMARKS.md).
const (
	cardCacheBytes        = 8 << 20
	facetOptionCacheBytes = 2 << 20
	largeLibraryShare     = 4
)

func newCardCache() *renderCache[cardKey] {
	return newRenderCache(cardCacheBytes, cardCacheBytes/largeLibraryShare, cardKey.size)
}

func newFacetOptionCache() *renderCache[facetOption] {
	return newRenderCache(facetOptionCacheBytes, facetOptionCacheBytes/largeLibraryShare, func(o facetOption) int {
		return len(o.ID) + len(o.Name) + len(o.Value) + len(o.Label) + len(o.Count)
	})
}

// cardRendered is card as views/partials/case-card.html renders it.
func (h *Handler) cardRendered(generation uint64, large bool, card caseCard) (template.HTML, error) {
	return renderCached(h, h.cards, generation, large, card.key(), "partials/case-card", card)
}

// facetRendered is o as views/voorbeelden/facet-option.html renders it.
func (h *Handler) facetRendered(generation uint64, large bool, o facetOption) (template.HTML, error) {
	return renderCached(h, h.facetOptions, generation, large, o, "voorbeelden/facet-option", o)
}

// renderCached is view name rendered with data, taken from cache under key k when
// the cache holds it for generation and put there when not.
func renderCached[K comparable](h *Handler, cache *renderCache[K], generation uint64, large bool, k K, name string, data any) (template.HTML, error) {
	if s, ok := cache.get(generation, k); ok {
		return s, nil
	}
	var b strings.Builder
	if err := h.views.Render(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	// Made by html/template, which escaped every value the view prints.
	s := template.HTML(b.String())
	cache.put(generation, large, k, s)
	return s, nil
}

// casePage is the view model of one case.
type casePage struct {
	page
	Case          db.Case
	Body          template.HTML
	LessonsHard   template.HTML
	LessonsWorked template.HTML
	// FurtherReading is the body's closing "Meer lezen" section, shown last.
	FurtherReading template.HTML
	Terms          []glossaryLink // terms of the glossary that the case touches
	Related        []db.Case
	// Preview marks an editor's preview of a case that is not (yet) public as it
	// would look (editor_preview.go); BackURL leads back to its form.
	Preview  bool
	BackURL  string
	Problems formErrors // what the form still lacks, in a preview of unsaved input
}

func (p casePage) Crumbs() []crumb {
	return []crumb{{Label: "Home", URL: "/"}, {Label: "Goede voorbeelden", URL: "/voorbeelden"},
		{Label: p.Case.Title, URL: "/voorbeelden/" + p.Case.Slug, Current: true}}
}

// showCase shows one published case with related cases. The address a published
// case had before its slug changed answers 301 to its current one.
func (h *Handler) showCase(c *fiber.Ctx) error {
	slug := c.Params("slug")
	if !slugPattern.MatchString(slug) {
		return fiber.ErrNotFound
	}
	cs, err := h.db.FindCaseBySlug(c.UserContext(), slug)
	if errors.Is(err, db.ErrNotFound) || (err == nil && cs.Status != db.StatusPublished) {
		if current, rerr := h.db.FindSlugRedirect(c.UserContext(), slug); rerr == nil {
			// Permanent for search engines, but checked again by browsers: a slug
			// can come back (a restored version), and a remembered 301 would then
			// loop between the two addresses.
			c.Set(fiber.HeaderCacheControl, "no-cache")
			return c.Redirect("/voorbeelden/"+current, fiber.StatusMovedPermanently)
		} else if !errors.Is(rerr, db.ErrNotFound) {
			return rerr
		}
		return clientError(fiber.StatusNotFound, "Voorbeeld niet gevonden",
			"Dit voorbeeld bestaat niet of is niet (meer) openbaar. Zoek verder in de goede voorbeelden.")
	}
	if err != nil {
		return err
	}
	vm, err := h.newCasePage(c, cs)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "voorbeelden/show", "", vm)
}

// newCasePage is the view model of a case's public page.
func (h *Handler) newCasePage(c *fiber.Ctx, cs db.Case) (casePage, error) {
	related, err := h.db.RelatedCases(c.UserContext(), cs, 4)
	if err != nil {
		return casePage{}, err
	}
	body, more := splitFurtherReading(cs.Body)
	vm := casePage{Case: cs, Body: renderMarkdown(body), Related: related, Terms: glossaryLinks(cs)}
	if more != "" {
		vm.FurtherReading = renderMarkdown(more)
	}
	if cs.LessonsHard != "" {
		vm.LessonsHard = renderMarkdown(cs.LessonsHard)
	}
	if cs.LessonsWorked != "" {
		vm.LessonsWorked = renderMarkdown(cs.LessonsWorked)
	}
	vm.Title = cs.Title
	vm.Description = cs.Summary
	vm.Canonical = h.canonical("/voorbeelden/" + cs.Slug)
	vm.Nav = "voorbeelden"
	vm.OGType = "article"
	vm.Feeds = []feedLink{{Title: "Nieuwe goede voorbeelden", URL: h.canonical("/voorbeelden.atom")}}
	if cs.ProvinceCode != "" {
		vm.Feeds = append(vm.Feeds, feedLink{Title: "Nieuwe goede voorbeelden in " + cs.ProvinceName, URL: h.canonical("/voorbeelden.atom?provincie=" + cs.ProvinceCode)})
	}
	return vm, nil
}

// furtherReading is the heading of a case body's closing list of sources
// (db/seed/cases-format.md).
const furtherReading = "## Meer lezen"

// splitFurtherReading takes a closing "## Meer lezen" section off a case body, so
// the page can show the sources after financing and lessons, which have their
// own fields, instead of between the story and them. A body without that
// heading as its last section is returned whole.
func splitFurtherReading(md string) (body, more string) {
	i := strings.LastIndex(md, "\n"+furtherReading+"\n")
	if i < 0 {
		return md, ""
	}
	more = md[i+1:]
	if strings.Contains(more[len(furtherReading):], "\n## ") || strings.Contains(more[len(furtherReading):], "\n# ") {
		return md, "" // another section follows: keep the editor's order
	}
	return strings.TrimRight(md[:i], "\n"), more
}

var (
	slugPattern     = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	provincePattern = regexp.MustCompile(`^PV[0-9]{2}$`)
	gemeentePattern = regexp.MustCompile(`^GM[0-9]{4}$`)
)

// maxQueryLen bounds what is kept of a search string; the search itself uses less.
const maxQueryLen = 500

// parseCaseFilter reads the library's query string. Values of the wrong shape are
// dropped here; well-formed values that name nothing are ignored by db.FindCases.
func parseCaseFilter(c *fiber.Ctx) db.CaseFilter {
	f := db.CaseFilter{
		Query:   db.Truncate(strings.ToValidUTF8(c.Query("q"), "�"), maxQueryLen),
		Sort:    c.Query("sort"),
		PerPage: casesPerPage,
	}
	// letterlijk=1: the words as typed, without typo correction.
	f.Literal = c.Query("letterlijk") == "1" && f.Query != ""
	f.Provinces = queryValues(c, "provincie", provincePattern.MatchString)
	f.Gemeenten = queryValues(c, "gemeente", gemeentePattern.MatchString)
	f.Themes = queryValues(c, "thema", slugPattern.MatchString)
	f.Kinds = queryValues(c, "soort", func(s string) bool { return slices.Contains(db.Kinds, s) })
	f.Stages = queryValues(c, "status", func(s string) bool { return slices.Contains(db.Stages, s) })
	f.Groups = queryValues(c, "doelgroep", func(s string) bool { return slices.Contains(db.TargetGroups, s) })
	for _, y := range queryValues(c, "jaar", nil) {
		if n, err := strconv.Atoi(y); err == nil && n >= 1990 && n <= 2100 {
			f.Years = append(f.Years, n)
		}
	}
	if p, err := strconv.Atoi(c.Query("pagina")); err == nil && p > 0 {
		f.Page = p
	}
	switch f.Sort {
	case db.SortRelevance, db.SortNewest, db.SortYear, db.SortChecked:
	default:
		f.Sort = ""
	}
	return f
}

// queryValues returns the distinct values of a repeated query parameter that pass ok.
func queryValues(c *fiber.Ctx, key string, ok func(string) bool) []string {
	var out []string
	for _, b := range c.Context().QueryArgs().PeekMulti(key) {
		v := string(b)
		if v == "" || len(v) > 64 || (ok != nil && !ok(v)) || slices.Contains(out, v) {
			continue
		}
		out = append(out, v)
		if len(out) == 64 {
			break
		}
	}
	return out
}

// knownFilter keeps only the facet values the library knows, so that links built
// from it never carry junk along.
func knownFilter(f db.CaseFilter, res db.CaseResults) db.CaseFilter {
	k := db.CaseFilter{Query: f.Query, Sort: f.Sort, Literal: f.Literal}
	k.Provinces = selectedValues(res.Facets.Provinces)
	k.Gemeenten = selectedValues(res.Facets.Gemeenten)
	k.Themes = selectedValues(res.Facets.Themes)
	k.Kinds = selectedValues(res.Facets.Kinds)
	k.Stages = selectedValues(res.Facets.Stages)
	k.Groups = selectedValues(res.Facets.Groups)
	for _, y := range selectedValues(res.Facets.Years) {
		n, _ := strconv.Atoi(y)
		k.Years = append(k.Years, n)
	}
	return k
}

func selectedValues(opts []db.FacetOption) []string {
	var out []string
	for _, o := range opts {
		if o.Selected {
			out = append(out, o.Value)
		}
	}
	return out
}

// activeFilters lists every chosen facet value with a link that removes just that one.
func activeFilters(f db.CaseFilter, facets db.Facets) []activeFilter {
	var out []activeFilter
	add := func(facet string, opts []db.FacetOption, without func(v string) db.CaseFilter) {
		for _, o := range opts {
			if o.Selected {
				out = append(out, activeFilter{Facet: facet, Label: o.Label, RemoveURL: libraryURL(without(o.Value))})
			}
		}
	}
	add("Provincie", facets.Provinces, func(v string) db.CaseFilter { g := f; g.Provinces = remove(f.Provinces, v); return g })
	add("Gemeente", facets.Gemeenten, func(v string) db.CaseFilter { g := f; g.Gemeenten = remove(f.Gemeenten, v); return g })
	add("Thema", facets.Themes, func(v string) db.CaseFilter { g := f; g.Themes = remove(f.Themes, v); return g })
	add("Status", facets.Stages, func(v string) db.CaseFilter { g := f; g.Stages = remove(f.Stages, v); return g })
	add("Doelgroep", facets.Groups, func(v string) db.CaseFilter { g := f; g.Groups = remove(f.Groups, v); return g })
	add("Soort", facets.Kinds, func(v string) db.CaseFilter { g := f; g.Kinds = remove(f.Kinds, v); return g })
	add("Jaar", facets.Years, func(v string) db.CaseFilter {
		g := f
		n, _ := strconv.Atoi(v)
		g.Years = slices.DeleteFunc(slices.Clone(f.Years), func(y int) bool { return y == n })
		return g
	})
	return out
}

func remove(values []string, v string) []string {
	return slices.DeleteFunc(slices.Clone(values), func(s string) bool { return s == v })
}

// libraryURL is the shareable URL of a library state.
func libraryURL(f db.CaseFilter) string {
	v := url.Values{}
	if f.Query != "" {
		v.Set("q", f.Query)
		if f.Literal {
			v.Set("letterlijk", "1")
		}
	}
	v["provincie"] = f.Provinces
	v["gemeente"] = f.Gemeenten
	v["thema"] = f.Themes
	v["soort"] = f.Kinds
	v["status"] = f.Stages
	v["doelgroep"] = f.Groups
	for _, y := range f.Years {
		v.Add("jaar", strconv.Itoa(y))
	}
	if f.Sort != "" {
		v.Set("sort", f.Sort)
	}
	if f.Page > 1 {
		v.Set("pagina", strconv.Itoa(f.Page))
	}
	if q := v.Encode(); q != "" {
		return "/voorbeelden?" + q
	}
	return "/voorbeelden"
}

func sortOptions(res db.CaseResults) []option {
	var out []option
	if res.Searched {
		out = append(out, option{Value: db.SortRelevance, Label: "Best passend"})
	}
	out = append(out,
		option{Value: db.SortNewest, Label: "Nieuwste eerst"},
		option{Value: db.SortYear, Label: "Jaar van het initiatief"},
		option{Value: db.SortChecked, Label: "Laatst gecontroleerd"})
	for i := range out {
		out[i].Selected = out[i].Value == res.Sort
	}
	return out
}

// topGemeenten is how many gemeente options the library shows until asked for all:
// a list of 300 checkboxes would make every keystroke's answer heavy.
const topGemeenten = 10

// facetGroups lists the facets in display order. The gemeente facet shows the
// chosen gemeenten and those with the most results, with a link to show them all.
func facetGroups(f db.Facets, known db.CaseFilter, allGemeenten bool) []facetGroup {
	gemeenten := facetGroup{Name: "gemeente", Label: "Gemeente", Long: true, Total: len(f.Gemeenten), Plural: "gemeenten"}
	shown := f.Gemeenten
	if !allGemeenten && len(f.Gemeenten) > topGemeenten {
		// The topGemeenten with the most results (the first of equals in name
		// order) and every chosen one, in name order. One pass: a broad search
		// lists 300 gemeenten, and sorting them all cost more than the search.
		var top []int // indexes into f.Gemeenten, most results first
		for i, o := range f.Gemeenten {
			at := len(top)
			for at > 0 && f.Gemeenten[top[at-1]].Count < o.Count {
				at--
			}
			if at < topGemeenten {
				top = slices.Insert(top, at, i)
				if len(top) > topGemeenten {
					top = top[:topGemeenten]
				}
			}
		}
		keep := make([]bool, len(f.Gemeenten))
		for _, i := range top {
			keep[i] = true
		}
		shown = nil
		for i, o := range f.Gemeenten {
			if keep[i] || o.Selected {
				shown = append(shown, o)
			}
		}
		gemeenten.MoreURL = libraryURL(known) + sep(libraryURL(known)) + "alle=gemeente"
	}
	gemeenten.Options = facetOptions("gemeente", shown)
	return []facetGroup{
		{Name: "provincie", Label: "Provincie", Options: facetOptions("provincie", f.Provinces)},
		{Name: "thema", Label: "Thema", Options: facetOptions("thema", f.Themes)},
		{Name: "status", Label: "Status", Options: facetOptions("status", f.Stages), Hint: "Stand van het initiatief volgens de nieuwste bron"},
		{Name: "doelgroep", Label: "Doelgroep", Options: facetOptions("doelgroep", f.Groups)},
		{Name: "soort", Label: "Soort", Options: facetOptions("soort", f.Kinds)},
		{Name: "jaar", Label: "Jaar", Options: facetOptions("jaar", f.Years), Long: true},
		gemeenten,
	}
}

// facetOptions prepares a facet's options for the view.
func facetOptions(name string, opts []db.FacetOption) []facetOption {
	out := make([]facetOption, len(opts))
	for i, o := range opts {
		out[i] = facetOption{ID: "f-" + name + "-" + o.Value, Name: name, Value: o.Value, Label: o.Label,
			Count: strconv.Itoa(o.Count), One: o.Count == 1,
			Selected: o.Selected, Disabled: o.Count == 0 && !o.Selected}
	}
	return out
}

// sep is the separator that appends a parameter to url.
func sep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}
