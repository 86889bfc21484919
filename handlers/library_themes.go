package handlers

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// themeCasesShown is how many of a theme's newest cases its page shows; the rest
// are one click away in the library.
const themeCasesShown = 12

// themesPage is the view model of /themas.
type themesPage struct {
	page
	Themes []themeSummary
}

type themeSummary struct {
	db.Theme
	Count int // published cases
}

// themeSummaries are the themes with their numbers of published cases, and the
// number of published cases in all: the library's unfiltered facets count them.
func (h *Handler) themeSummaries(ctx context.Context) ([]themeSummary, int, error) {
	themes, err := h.db.Themes(ctx)
	if err != nil {
		return nil, 0, err
	}
	all, err := h.db.FindCases(ctx, db.CaseFilter{PerPage: 1})
	if err != nil {
		return nil, 0, err
	}
	counts := map[string]int{}
	for _, o := range all.Facets.Themes {
		counts[o.Value] = o.Count
	}
	out := make([]themeSummary, 0, len(themes))
	for _, t := range themes {
		out = append(out, themeSummary{Theme: t, Count: counts[t.Slug]})
	}
	return out, all.Total, nil
}

// listThemes shows every theme with its explanation and number of cases.
func (h *Handler) listThemes(c *fiber.Ctx) error {
	themes, _, err := h.themeSummaries(c.UserContext())
	if err != nil {
		return err
	}
	vm := themesPage{Themes: themes}
	vm.Title = "Thema’s"
	vm.Description = "Alle thema’s van de goede voorbeelden: wat ze inhouden, wanneer ze een gemeente helpen en welke voorbeelden erbij horen."
	vm.Canonical = h.canonical("/themas")
	vm.Nav = "themas"
	vm.Feeds = []feedLink{{Title: "Nieuwe goede voorbeelden", URL: h.canonical("/voorbeelden.atom")}}
	return h.render(c, fiber.StatusOK, "themas/index", "", vm)
}

// themePage is the view model of /themas/{slug}.
type themePage struct {
	page
	Theme      db.Theme
	Cases      db.CaseResults // newest first, first page only
	Related    []db.RelatedTheme
	LibraryURL string
	CSVURL     string
	JSONURL    string
	FeedURL    string
}

func (p themePage) Crumbs() []crumb {
	return []crumb{{Label: "Home", URL: "/"}, {Label: "Thema’s", URL: "/themas"},
		{Label: p.Theme.Label, URL: "/themas/" + p.Theme.Slug, Current: true}}
}

// showTheme explains one theme and lists its newest cases and related themes.
func (h *Handler) showTheme(c *fiber.Ctx) error {
	ctx := c.UserContext()
	slug := c.Params("slug")
	if !slugPattern.MatchString(slug) {
		return themeNotFound()
	}
	theme, err := h.db.FindTheme(ctx, slug)
	if errors.Is(err, db.ErrNotFound) {
		return themeNotFound()
	}
	if err != nil {
		return err
	}
	f := db.CaseFilter{Themes: []string{slug}, Sort: db.SortNewest, PerPage: themeCasesShown}
	cases, err := h.db.FindCases(ctx, f)
	if err != nil {
		return err
	}
	related, err := h.db.RelatedThemes(ctx, slug, 5)
	if err != nil {
		return err
	}
	lib := db.CaseFilter{Themes: []string{slug}}
	vm := themePage{
		Theme: theme, Cases: cases, Related: related,
		LibraryURL: libraryURL(lib),
		CSVURL:     downloadURL(lib, "csv"),
		JSONURL:    downloadURL(lib, "json"),
		FeedURL:    downloadURL(lib, "atom"),
	}
	vm.Title = theme.Label
	vm.Description = summarize(theme.Intro, 160)
	if vm.Description == "" {
		vm.Description = "Goede voorbeelden over " + theme.Label + "."
	}
	vm.Canonical = h.canonical("/themas/" + slug)
	vm.Nav = "themas"
	vm.Feeds = []feedLink{{Title: "Nieuwe voorbeelden over " + theme.Label, URL: h.canonical(vm.FeedURL)}}
	return h.render(c, fiber.StatusOK, "themas/show", "", vm)
}

func themeNotFound() error {
	return clientError(fiber.StatusNotFound, "Thema niet gevonden",
		"Dit thema bestaat niet (meer). Bekijk de lijst met alle thema’s.")
}
