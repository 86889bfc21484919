package handlers

import (
	"context"
	"html"
	"html/template"
	"regexp"
	"strings"
	"testing"
	"time"

	"opnieuwthuis/db"
)

func TestThemeOverviewListsEveryTheme(t *testing.T) {
	app, store := newTestApp(t)
	res := getPage(t, app, "/themas")
	themes, err := store.Themes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	all, err := store.FindCases(t.Context(), db.CaseFilter{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i, th := range themes {
		if !strings.Contains(res.Body, `<h2><a href="/themas/`+th.Slug+`">`) {
			t.Errorf("/themas does not link %s", th.Slug)
		}
		count := all.Facets.Themes[i].Count
		if count > 0 && !strings.Contains(res.Body, `<a href="/voorbeelden?thema=`+th.Slug+`">`+formatNumber(count)+` voorbeeld`) {
			t.Errorf("/themas does not give %s its %d cases", th.Slug, count)
		}
	}
	if !strings.Contains(res.Body, `<a href="/themas" aria-current="page">`) {
		t.Error("the navigation does not mark Thema’s as current")
	}
}

func TestThemePage(t *testing.T) {
	app, store := newTestApp(t)
	addCaseInEveryStatus(t, store) // one published case with tijdelijke-woningen and gezinnen
	later(store, 2*time.Second)    // timestamps have whole seconds
	newest := addCase(t, store, db.CaseInput{Slug: "nieuw-flexwonen", Title: "Nieuw flexwonen",
		Themes: []string{"tijdelijke-woningen"}, Status: db.StatusPublished})
	hidden := addCase(t, store, db.CaseInput{Slug: "concept-flexwonen", Title: "Concept flexwonen",
		Themes: []string{"tijdelijke-woningen"}, Status: db.StatusDraft})

	res := getPage(t, app, "/themas/tijdelijke-woningen")
	body := res.Body
	theme, err := store.FindTheme(t.Context(), "tijdelijke-woningen")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<h1>" + theme.Label + "</h1>",
		template.HTMLEscapeString(theme.Intro[:60]),
		"Wanneer helpt dit?",
		template.HTMLEscapeString(theme.WhenText[:60]),
		`<link rel="canonical" href="https://opnieuwthuis.example/themas/tijdelijke-woningen">`,
		`<meta property="og:url" content="https://opnieuwthuis.example/themas/tijdelijke-woningen">`,
		`<meta property="og:title" content="` + theme.Label + `">`,
		`<meta property="og:type" content="website">`,
		`<meta property="og:site_name" content="Opnieuw Thuis">`,
		`<meta property="og:locale" content="nl_NL">`,
		`<meta name="description" content="`,
		`<a href="/voorbeelden?thema=tijdelijke-woningen">`,
		`href="/voorbeelden.csv?thema=tijdelijke-woningen"`,
		`href="/voorbeelden.atom?thema=tijdelijke-woningen"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("theme page lacks %q", want)
		}
	}
	related, err := store.RelatedThemes(t.Context(), "tijdelijke-woningen", 5)
	if err != nil || len(related) == 0 {
		t.Fatalf("related themes: %v, %v", related, err)
	}
	for _, r := range related {
		if !strings.Contains(body, `<li><a href="/themas/`+r.Slug+`">`+template.HTMLEscapeString(r.Label)+`</a> <span class="related-themes__count">(`+formatNumber(r.Shared)) {
			t.Errorf("related theme %s (%d shared) is not shown", r.Slug, r.Shared)
		}
	}
	// Cases: newest first, published only, at most themeCasesShown.
	cards := regexp.MustCompile(`<h3 class="case-card__title"><a href="/voorbeelden/([a-z0-9-]+)">`).FindAllStringSubmatch(body, -1)
	if len(cards) == 0 || cards[0][1] != newest.Slug {
		t.Fatalf("first case on the theme page is %v, want the newest %s", cards, newest.Slug)
	}
	if len(cards) > themeCasesShown {
		t.Errorf("%d cases shown, want at most %d", len(cards), themeCasesShown)
	}
	res2, err := store.FindCases(t.Context(), db.CaseFilter{Themes: []string{"tijdelijke-woningen"}, PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := min(res2.Total, themeCasesShown); len(cards) != want {
		t.Errorf("%d cases shown, want %d", len(cards), want)
	}
	if strings.Contains(body, hidden.Slug) {
		t.Error("a concept case is on the theme page")
	}

	for _, target := range []string{"/themas/bestaat-niet", "/themas/Niet_Goed", "/themas/%3Cscript%3E"} {
		res := get(t, app, target)
		if res.StatusCode != 404 || !strings.Contains(res.Body, "Thema niet gevonden") || !strings.Contains(res.Body, `lang="nl"`) {
			t.Errorf("%s: %d, want a Dutch 404", target, res.StatusCode)
		}
	}
}

func TestCasePageMetaForSharingAndPrinting(t *testing.T) {
	app, store := newTestApp(t)
	body := get(t, app, "/voorbeelden/startblok-riekerhaven").Body
	cs, err := store.FindCaseBySlug(context.Background(), "startblok-riekerhaven")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<link rel="canonical" href="https://opnieuwthuis.example/voorbeelden/startblok-riekerhaven">`,
		`<meta property="og:url" content="https://opnieuwthuis.example/voorbeelden/startblok-riekerhaven">`,
		`<meta property="og:type" content="article">`,
		`<meta property="og:title" content="` + html.EscapeString(cs.Title),
		`<meta property="og:description" content="`,
		`data-print-url="https://opnieuwthuis.example/gemeenten/GM0363"`,
		`<p class="print-only">Dit voorbeeld staat op https://opnieuwthuis.example/voorbeelden/startblok-riekerhaven.`,
		`<a href="/themas/gemengd-wonen">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
}

func TestThemeTextHelpers(t *testing.T) {
	got := paragraphs("Eerste alinea\nloopt door.\r\n\r\nTweede.\n\n\n  \n\nDerde.  ")
	if want := []string{"Eerste alinea\nloopt door.", "Tweede.", "Derde."}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("paragraphs = %q, want %q", got, want)
	}
	if paragraphs("  \n\n ") != nil {
		t.Error("blank text gives paragraphs")
	}
	long := strings.Repeat("woningen voor statushouders, ", 20)
	s := summarize(long, 160)
	if n := len([]rune(s)); n > 160 || !strings.HasSuffix(s, "…") || strings.HasSuffix(s, ",…") || strings.Contains(s, "  ") {
		t.Errorf("summarize = %q (%d runes)", s, n)
	}
	if summarize("Kort.", 160) != "Kort." {
		t.Error("short text changed")
	}
}
