package handlers

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"opnieuwthuis/db"
)

// addRichCase publishes a case that uses every field of the richer case model:
// in 's-Hertogenbosch with three related gemeenten, one in another province.
func addRichCase(t testing.TB, store *db.DB) db.Case {
	t.Helper()
	n := func(v int) *int { return &v }
	c, err := store.CreateCase(context.Background(), db.CaseInput{
		Slug: "regionale-proef", Title: "Regionale proef met flexwoningen", Summary: "Vier gemeenten bouwen samen flexwoningen.",
		Body: "De gemeenten werken samen.", GemeenteCode: "GM0796", RelatedGemeenten: []string{"GM0828", "GM1948", "GM0344"},
		Themes: []string{"tijdelijke-woningen", "regionale-samenwerking"}, Kind: db.KindSolution, Year: n(2023),
		Stage: db.StageRealised, StageDate: "2024-05", TargetGroups: []string{db.GroupFamilies, db.GroupYoung},
		Homes: n(800), HomesQualifier: db.QualifierTarget, People: n(9), PeopleQualifier: db.QualifierMaximum,
		Financing:   "Het Rijk betaalt de helft.\n\nDe gemeenten betalen de rest.",
		LessonsHard: "- Bezwaren van **omwonenden**.", LessonsWorked: "- Vroeg overleg met de corporatie.",
		SourceURL: "https://example.org/bron", SourceChecked: "2026-12", Status: db.StatusPublished,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCasePageShowsWhatHappened(t *testing.T) {
	app, store := newTestApp(t)
	addRichCase(t, store)
	res := getPage(t, app, "/voorbeelden/regionale-proef")
	body := html.UnescapeString(res.Body)
	for _, want := range []string{
		`<h2 id="financiering">Financiering</h2>`, "Het Rijk betaalt de helft.", "De gemeenten betalen de rest.",
		`<h2 id="wat-ging-moeilijk">Wat ging moeilijk</h2>`, "<strong>omwonenden</strong>",
		`<h2 id="wat-werkte">Wat werkte</h2>`, "Vroeg overleg met de corporatie.",
		"<dt>Stand van zaken</dt>", "Gerealiseerd, stand per mei 2024",
		"<dt>Doelgroep</dt>", "Gezinnen, Jongeren",
		"doel: 800 woningen", "maximaal 9 personen",
		"<dt>Betrokken gemeenten</dt>", `<a href="/gemeenten/GM0828">Oss</a>`, `<a href="/gemeenten/GM1948">Meierijstad</a>`, `<a href="/gemeenten/GM0344">Utrecht</a>`,
		"<dt>Provincies</dt>", "Noord-Brabant, Utrecht",
		"<dt>Bron gecontroleerd op</dt>", "december 2026",
		`href="/begrippen#vergunninghouder"`, `href="/begrippen#flexwoning"`,
		"<dt>Gepubliceerd</dt>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	// Numbers never bare.
	m := regexp.MustCompile(`(?s)<dt>Aantallen</dt>\s*<dd>(.*?)</dd>`).FindStringSubmatch(body)
	if m == nil || strings.Count(m[1], "<li>") != 2 || regexp.MustCompile(`<li>\d`).MatchString(m[1]) {
		t.Errorf("the numbers are shown without what they mean: %v", m)
	}
}

// TestFurtherReadingComesLast: a body's closing "## Meer lezen" (the sources, as
// every seed case has) is shown after financing and lessons, not between the
// story and them; a body where another section follows keeps its order.
func TestFurtherReadingComesLast(t *testing.T) {
	app, store := newTestApp(t)
	c := addRichCase(t, store)
	in := c.Input()
	in.Slug = "proef-met-bronnen"
	in.Body = "Het verhaal.\n\n## Wat niet zeker is\n\nHet aantal.\n\n## Meer lezen\n\n- [Het rapport](https://example.org/rapport)\n"
	if _, err := store.CreateCase(context.Background(), in, nil); err != nil {
		t.Fatal(err)
	}
	body := get(t, app, "/voorbeelden/proef-met-bronnen").Body
	order := []string{"Het verhaal.", "Wat niet zeker is", "Financiering", "Wat ging moeilijk", "Wat werkte", "Meer lezen", "https://example.org/rapport", "Kenmerken"}
	at := -1
	for _, w := range order {
		i := strings.Index(body, w)
		if i <= at {
			t.Fatalf("%q is not after %q on the page (order wanted: %q)", w, order[max(0, slices.Index(order, w)-1)], order)
		}
		at = i
	}
	for md, wantSplit := range map[string]bool{
		"A.\n\n## Meer lezen\n\n- x\n":                  true,
		"A.\n\n## Meer lezen\n\n- x\n\n## Verder\n\nB.": false,
		"A.\n\nMeer lezen":                              false,
	} {
		if _, more := splitFurtherReading(md); (more != "") != wantSplit {
			t.Errorf("splitFurtherReading(%q) split: %v, want %v", md, more != "", wantSplit)
		}
	}
}

func TestStartingContentShowsNoInstallDate(t *testing.T) {
	app, _ := newTestApp(t)
	res := getPage(t, app, "/voorbeelden/startblok-riekerhaven")
	for _, bad := range []string{"<dt>Gepubliceerd</dt>", "<dt>Laatst bijgewerkt</dt>"} {
		if strings.Contains(res.Body, bad) {
			t.Errorf("a seeded case shows %s: the day the database was made", bad)
		}
	}
	if !strings.Contains(res.Body, "<dt>Jaar</dt>") {
		t.Error("the year of the initiative is not shown")
	}
}

// TestCardsShowStageAndQualifiedNumbers: every card in the library, on the home
// page and in a theme says what became of the initiative, and shows its numbers
// only with their meaning.
func TestCardsShowStageAndQualifiedNumbers(t *testing.T) {
	app, store := newTestApp(t)
	addRichCase(t, store)
	cardNumbers := regexp.MustCompile(`(?s)<p class="case-card__numbers">(.*?)</p>`)
	qualified := regexp.MustCompile(`^(doel: |gerealiseerd: |maximaal )[\d.]+ (woning|woningen|persoon|personen)$|\(niet vastgelegd of dit een doel, een resultaat of een maximum is\)$`)
	for _, path := range []string{"/voorbeelden?pagina=1", "/voorbeelden?pagina=2", "/voorbeelden?pagina=3", "/", "/themas/tijdelijke-woningen"} {
		res := get(t, app, path)
		cards := strings.Count(res.Body, `<article class="case-card">`)
		if cards == 0 {
			t.Fatalf("%s shows no cards", path)
		}
		if n := strings.Count(res.Body, `class="tag tag--stage`); n != cards {
			t.Errorf("%s: %d cards, %d with a stage", path, cards, n)
		}
		for _, m := range cardNumbers.FindAllStringSubmatch(res.Body, -1) {
			for _, part := range regexp.MustCompile(`<span>(.*?)</span>`).FindAllStringSubmatch(m[1], -1) {
				if !qualified.MatchString(html.UnescapeString(part[1])) {
					t.Errorf("%s: a card shows %q", path, part[1])
				}
			}
		}
	}
	res := get(t, app, "/voorbeelden?q=regionale+proef")
	for _, want := range []string{"doel: 800 woningen", "maximaal 9 personen", "Gerealiseerd", "'s-Hertogenbosch en 3 andere gemeenten"} {
		if !strings.Contains(html.UnescapeString(res.Body), want) {
			t.Errorf("the card lacks %q", want)
		}
	}
}

// TestNewFacetCountsMatchTheirResults follows every option of the Status and
// Doelgroep facets on the page: the count it shows is the number of results the
// library says choosing it gives.
func TestNewFacetCountsMatchTheirResults(t *testing.T) {
	app, store := newTestApp(t)
	addRichCase(t, store)
	option := regexp.MustCompile(`id="f-(status|doelgroep)-([a-z-]+)" name="(?:status|doelgroep)" value="[a-z-]+"(?: checked)?(?: disabled)?>\s*<label[^>]*>[^<]*<span class="facet__count">\((\d+)`)
	total := regexp.MustCompile(`(\d+) (?:voorbeeld|voorbeelden) gevonden|Niets gevonden`)
	for _, base := range []url.Values{{}, {"thema": {"tijdelijke-woningen"}}, {"status": {"gerealiseerd"}}, {"doelgroep": {"gezinnen", "gemengd"}}} {
		page := "/voorbeelden?" + base.Encode()
		res := get(t, app, page)
		opts := option.FindAllStringSubmatch(res.Body, -1)
		if len(opts) != len(db.Stages)+len(db.TargetGroups) {
			t.Fatalf("%s: %d options in Status and Doelgroep, want %d", page, len(opts), len(db.Stages)+len(db.TargetGroups))
		}
		for _, o := range opts {
			facet, value, want := o[1], o[2], o[3]
			q := url.Values{}
			for k, v := range base {
				q[k] = v
			}
			q.Set(facet, value) // choosing this option alone within its facet
			got := total.FindStringSubmatch(get(t, app, "/voorbeelden?"+q.Encode()).Body)
			n := "0"
			if got != nil && got[1] != "" {
				n = got[1]
			}
			if n != want {
				t.Errorf("%s: %s %s shows %s, choosing it gives %s", page, facet, value, want, n)
			}
		}
	}
	res := get(t, app, "/voorbeelden?status=gerealiseerd&doelgroep=gezinnen&sort=gecontroleerd")
	body := html.UnescapeString(res.Body)
	for _, want := range []string{"Status: Gerealiseerd", "Doelgroep: Gezinnen", `value="gecontroleerd" selected`, "Filters<span id=\"filter-count\"> (2 actief)</span>"} {
		if !strings.Contains(body, want) {
			t.Errorf("filtered library lacks %q", want)
		}
	}
	// The downloads and the feed follow the new facets.
	if !strings.Contains(body, "/voorbeelden.csv?doelgroep=gezinnen&amp;sort=gecontroleerd&amp;status=gerealiseerd") &&
		!strings.Contains(res.Body, "doelgroep=gezinnen") {
		t.Error("download links do not carry the new facets")
	}
}

// TestRegionalCaseOnEachGemeentePage is the proof that a case involving several
// gemeenten appears on the page of each of them, and in each map panel.
func TestRegionalCaseOnEachGemeentePage(t *testing.T) {
	app, store := newTestApp(t)
	c := addRichCase(t, store)
	for _, code := range []string{"GM0796", "GM0828", "GM1948", "GM0344"} {
		res := get(t, app, "/gemeenten/"+code)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `href="/voorbeelden/`+c.Slug+`"`) {
			t.Errorf("/gemeenten/%s (%d) does not list the regional case", code, res.StatusCode)
		}
		panel := get(t, app, "/gemeenten/"+code+"?periode=2025-H1", "HX-Request", "true", "HX-Target", "kaart-paneel")
		if !strings.Contains(panel.Body, `href="/voorbeelden/`+c.Slug+`"`) {
			t.Errorf("the map panel of %s does not list the regional case", code)
		}
	}
	if res := get(t, app, "/gemeenten/GM0014"); strings.Contains(res.Body, `href="/voorbeelden/`+c.Slug+`"`) {
		t.Error("a gemeente that is not involved lists the regional case")
	}
}

func TestGlossaryPageAndLinks(t *testing.T) {
	app, _ := newTestApp(t)
	res := getPage(t, app, "/begrippen")
	for _, id := range []string{"vergunninghouder", "taakstelling", "gecorrigeerde-taakstelling", "achterstand",
		"nareizigers", "gezinshereniging", "koppeling", "doorstroomlocatie", "woningdelen", "kostendelersnorm", "flexwoning"} {
		if !strings.Contains(res.Body, `id="`+id+`"`) {
			t.Errorf("the glossary has no term with id %q", id)
		}
	}
	if !strings.Contains(res.Body, "statushouder") || !strings.Contains(res.Body, `href="/themas/landelijk-beleid"`) {
		t.Error("the glossary does not say vergunninghouder = statushouder, or does not link Beleid en regels")
	}
	// Every link to a term points at a term that exists.
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`id="([a-z-]+)"`).FindAllStringSubmatch(res.Body, -1) {
		ids[m[1]] = true
	}
	for _, path := range []string{"/begrippen", "/taakstelling", "/kaart", "/voorbeelden/startblok-riekerhaven", "/"} {
		page := get(t, app, path).Body
		links := regexp.MustCompile(`href="/begrippen(?:#([a-z-]+))?"`).FindAllStringSubmatch(page, -1)
		if path != "/begrippen" && len(links) == 0 {
			t.Errorf("%s does not link to the glossary", path)
		}
		for _, l := range links {
			if l[1] != "" && !ids[l[1]] {
				t.Errorf("%s links to /begrippen#%s, which is no term", path, l[1])
			}
		}
		for _, l := range regexp.MustCompile(`href="#([a-z-]+)"`).FindAllStringSubmatch(page, -1) {
			if path == "/begrippen" && !ids[l[1]] {
				t.Errorf("the glossary links to #%s, which is not on it", l[1])
			}
		}
	}
	if page := get(t, app, "/taakstelling").Body; !strings.Contains(page, `href="/themas/landelijk-beleid"`) {
		t.Error("/taakstelling does not link Beleid en regels")
	}
	if sm := get(t, app, "/sitemap.xml").Body; !strings.Contains(sm, "https://opnieuwthuis.example/begrippen</loc>") {
		t.Error("the sitemap lacks /begrippen")
	}
}

// setCaseModel fills a case form's related gemeenten, stage with its date and
// target groups.
func setCaseModel(form url.Values, related, stage, stageDate string, groups ...string) {
	form.Set("related", related)
	form.Set("stage", stage)
	form.Set("stage_date", stageDate)
	form["groups"] = groups
}

func TestCaseFormSavesTheCaseModel(t *testing.T) {
	_, store, c := editorApp(t)
	form := caseValues("Flexwoningen in de regio")
	setCaseModel(form, "Oss\nGM1948\nAmersfoort (GM0307)\nUtrecht", "in-uitvoering", "2024-05", "gezinnen", "jongeren")
	form.Set("people", "9")
	form.Set("people_qualifier", "maximaal")
	form.Set("financing", "Het Rijk betaalt mee.")
	form.Set("lessons_hard", "- Weinig ruimte.")
	form.Set("lessons_worked", "- Samen optrekken.")
	form.Set("source_checked", "2026-12-05")
	id := c.createCase(form)
	n, _ := strconv.ParseInt(id, 10, 64)
	cs, err := store.FindCaseByID(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Stage != db.StageInProgress || cs.StageDate != "2024-05" || strings.Join(cs.TargetGroups, ",") != "gezinnen,jongeren" ||
		*cs.People != 9 || cs.PeopleQualifier != db.QualifierMaximum || *cs.Homes != 40 || cs.HomesQualifier != db.QualifierTarget ||
		cs.Financing != "Het Rijk betaalt mee." || cs.LessonsHard != "- Weinig ruimte." || cs.LessonsWorked != "- Samen optrekken." ||
		cs.SourceChecked != "2026-12-05" || len(cs.RelatedGemeenten) != 3 {
		t.Fatalf("saved case: %+v", cs)
	}
	// The form shows it all again.
	page := html.UnescapeString(c.get("/beheer/voorbeelden/" + id).Body)
	for _, want := range []string{`value="in-uitvoering" checked`, `value="2024-05"`, `id="f-groups-gezinnen" name="groups" value="gezinnen" checked`,
		`<option value="maximaal" selected>`, "Meierijstad (GM1948)", "Het Rijk betaalt mee.", `value="2026-12-05"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the edit form lacks %q", want)
		}
	}
	// A case without gemeente keeps its province.
	form = caseValues("Provinciaal toezicht")
	form.Set("gemeente", "")
	form.Set("province", "PV21")
	id = c.createCase(form)
	n, _ = strconv.ParseInt(id, 10, 64)
	if cs, _ := store.FindCaseByID(context.Background(), n); cs.ProvinceCode != "PV21" || cs.GemeenteCode != "" {
		t.Errorf("province of a case without gemeente: %q", cs.ProvinceCode)
	}
}

func TestCaseModelValidationMessages(t *testing.T) {
	_, _, c := editorApp(t)
	for _, tc := range []struct {
		name    string
		set     map[string][]string
		field   string
		message string
	}{
		{"homes without meaning", map[string][]string{"homes_qualifier": {""}}, "homes_qualifier", "Kies wat het aantal woningen betekent"},
		{"meaning without people", map[string][]string{"people_qualifier": {"doel"}}, "people_qualifier", "Vul ook het aantal personen in"},
		{"unknown qualifier", map[string][]string{"homes_qualifier": {"ongeveer"}}, "homes_qualifier", "Kies bij Betekenis van het aantal woningen doel, gerealiseerd of maximaal."},
		{"stage", map[string][]string{"stage": {"klaar"}}, "stage", "Kies bij Status van het initiatief plan, in uitvoering, gerealiseerd, beëindigd of onbekend."},
		{"stage date in words", map[string][]string{"stage_date": {"mei 2024"}}, "stage_date", "Stand per moet een jaar, een maand of een dag zijn"},
		{"stage date not a day", map[string][]string{"stage_date": {"2024-02-30"}}, "stage_date", "Stand per moet een jaar, een maand of een dag zijn"},
		{"source checked a year", map[string][]string{"source_checked": {"2026"}}, "source_checked", "Bron gecontroleerd op moet een maand of een dag zijn"},
		{"target group", map[string][]string{"groups": {"ouderen"}}, "groups", "Kies bij Doelgroep alleen alleenstaanden, gezinnen, jongeren of gemengd."},
		{"unknown related", map[string][]string{"related": {"Oss\nAtlantis"}}, "related", "Betrokken gemeenten: ‘Atlantis’ is geen bestaande gemeente."},
		{"province with gemeente", map[string][]string{"province": {"PV26"}}, "province", "Kies een provincie alleen bij een voorbeeld zonder gemeente"},
		{"unknown province", map[string][]string{"gemeente": {""}, "province": {"PV99"}}, "province", "Kies bij Provincie een provincie uit de lijst."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := caseValues("Een geldige titel")
			for k, v := range tc.set {
				form[k] = v
			}
			res, _ := c.createInvalid(t, form, tc.message)
			if !strings.Contains(res.Body, `href="#f-`+tc.field+`"`) || !strings.Contains(res.Body, `id="f-`+tc.field+`"`) {
				t.Errorf("the error summary does not link to the field f-%s", tc.field)
			}
		})
	}
	// Inline validation of the new text fields answers with the field's block.
	for field, value := range map[string]string{"related": "Atlantis", "stage_date": "morgen", "source_checked": "2026"} {
		form := caseValues("Een geldige titel")
		form.Set(field, value)
		res := c.post("/beheer/voorbeelden/valideer?veld="+field, form, "HX-Request", "true")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `id="veld-`+field+`"`) || !strings.Contains(res.Body, `aria-invalid="true"`) {
			t.Errorf("inline validation of %s: %d %s", field, res.StatusCode, res.Body)
		}
	}
}

// TestTipFormKeepsItsScope: a visitor cannot set what only editors can know.
func TestTipFormKeepsItsScope(t *testing.T) {
	app, _ := newTestApp(t)
	body := get(t, app, "/tip").Body
	for _, field := range []string{"stage", "stage_date", "groups", "homes_qualifier", "financing", "lessons_hard", "lessons_worked", "related", "province", "source_checked"} {
		if strings.Contains(body, `name="`+field+`"`) {
			t.Errorf("the tip form asks for %s", field)
		}
	}
}

func TestDownloadsAndFeedCarryTheCaseModel(t *testing.T) {
	app, store := newTestApp(t)
	addRichCase(t, store)
	_, rows := readCSV(t, get(t, app, "/voorbeelden.csv?q=regionale+proef").Body, ',')
	// Search finds more forms of the words than these two (proefproject): the
	// case whose title has both comes first.
	if len(rows) == 0 || rows[0]["slug"] != "regionale-proef" {
		t.Fatalf("rows %v: want regionale-proef first", csvSlugs(rows))
	}
	r := rows[0]
	for k, v := range map[string]string{
		"stand_van_zaken": "gerealiseerd", "stand_per": "2024-05", "doelgroep": "gezinnen | jongeren",
		"woningen": "800", "woningen_betekenis": "doel", "personen": "9", "personen_betekenis": "maximaal",
		"financiering":        "Het Rijk betaalt de helft.\n\nDe gemeenten betalen de rest.",
		"wat_ging_moeilijk":   "'- Bezwaren van **omwonenden**.", // a leading - is neutralised for spreadsheets
		"betrokken_gemeenten": "GM1948 | GM0828 | GM0344", "betrokken_gemeente_namen": "Meierijstad | Oss | Utrecht",
		"bron_gecontroleerd": "2026-12", "startinhoud": "nee",
	} {
		if r[k] != v {
			t.Errorf("CSV %s = %q, want %q", k, r[k], v)
		}
	}
	var doc struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(get(t, app, "/open-data/voorbeelden.json").Body), &doc); err != nil {
		t.Fatal(err)
	}
	for _, rec := range doc.Data {
		switch rec["slug"] {
		case "regionale-proef":
			rel, _ := json.Marshal(rec["betrokken_gemeenten"])
			if string(rel) != `[{"gemeente":"Meierijstad","gemeente_code":"GM1948"},{"gemeente":"Oss","gemeente_code":"GM0828"},{"gemeente":"Utrecht","gemeente_code":"GM0344"}]` {
				t.Errorf("JSON betrokken_gemeenten = %s", rel)
			}
			if rec["gepubliceerd"] == nil || rec["startinhoud"] != false || rec["woningen_betekenis"] != "doel" {
				t.Errorf("JSON record = %v", rec)
			}
		case "startblok-riekerhaven":
			if rec["gepubliceerd"] != nil || rec["startinhoud"] != true {
				t.Errorf("a seeded case's publication in JSON: %v, startinhoud %v", rec["gepubliceerd"], rec["startinhoud"])
			}
		}
	}
	feed := get(t, app, "/voorbeelden.atom?doelgroep=jongeren").Body
	for _, want := range []string{"Regionale proef met flexwoningen", "doel: 800 woningen", "maximaal 9 personen",
		"Gerealiseerd (stand per mei 2024)", `term="gerealiseerd"`, `term="jongeren"`, "Wat ging moeilijk", "Financiering"} {
		if !strings.Contains(html.UnescapeString(feed), want) {
			t.Errorf("the feed lacks %q", want)
		}
	}
	if res := get(t, app, "/voorbeelden.atom?status=klaar"); res.StatusCode != http.StatusOK {
		t.Errorf("a status value of no stage: %d", res.StatusCode)
	}
}

// TestLegacyNumberMaySaveUnchanged: a number saved before qualifiers existed does
// not block an editor's other changes; a changed number needs its meaning.
func TestLegacyNumberMaySaveUnchanged(t *testing.T) {
	_, store, c := editorApp(t)
	// A case as the first release stored it: a number, no meaning.
	twelve := 12
	cs, err := store.CreateCase(context.Background(), db.CaseInput{Slug: "oud-aantal", Title: "Oud aantal",
		Summary:      "Een voorbeeld zoals de eerste versie van de site het opsloeg, met een aantal zonder betekenis.",
		GemeenteCode: "GM0193", Kind: db.KindSolution, Homes: &twelve, Themes: []string{"gezinnen"}, Status: db.StatusPublished}, nil)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"title": {cs.Title}, "summary": {"Een nieuwe samenvatting die lang genoeg is voor de eisen van het formulier."}, "body": {cs.Body},
		"gemeente": {cs.GemeenteCode}, "kind": {cs.Kind}, "homes": {strconv.Itoa(*cs.Homes)},
		"status": {cs.Status}, "version": {strconv.Itoa(cs.Version)}, "stage": {cs.Stage}}
	for _, th := range cs.Themes {
		form.Add("themes", th.Slug)
	}
	res := c.post("/beheer/voorbeelden/"+strconv.FormatInt(cs.ID, 10), form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving with the old number: %d %s", res.StatusCode, messages(res.Body))
	}
	form.Set("version", strconv.Itoa(cs.Version+1))
	form.Set("homes", strconv.Itoa(*cs.Homes+1))
	res = c.post("/beheer/voorbeelden/"+strconv.FormatInt(cs.ID, 10), form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Kies wat het aantal woningen betekent") {
		t.Fatalf("a changed number without meaning: %d %s", res.StatusCode, messages(res.Body))
	}
}

// TestDiffOfALegacyRevisionSaysWhatItLacks: comparing a revision from before the
// richer case model says that it lacks those fields and what a restore keeps.
func TestDiffOfALegacyRevisionSaysWhatItLacks(t *testing.T) {
	_, store, c := editorApp(t)
	id := c.createCase(caseValues("Een oude versie"))
	raw := rawDB(t, store)
	// Make version 1 look as the first release wrote it: without the new keys.
	var content string
	if err := raw.QueryRow("SELECT content FROM case_revisions WHERE case_id = ? AND version = 1", id).Scan(&content); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal([]byte(content), &m)
	for _, k := range []string{"related_gemeente_codes", "province_code", "initiative_status", "status_date", "target_groups",
		"homes_qualifier", "people_qualifier", "financing", "lessons_hard", "lessons_worked", "source_checked"} {
		delete(m, k)
	}
	old, _ := json.Marshal(m)
	if _, err := raw.Exec("UPDATE case_revisions SET content = ? WHERE case_id = ? AND version = 1", string(old), id); err != nil {
		t.Fatal(err)
	}
	form := caseValues("Een nieuwe versie")
	form.Set("version", "1")
	form.Set("stage", "gerealiseerd")
	c.updateCase(id, form)
	res := c.get("/beheer/voorbeelden/" + id + "/verschil?van=1&naar=2")
	body := html.UnescapeString(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Versie 1 is opgeslagen voordat") || !strings.Contains(body, "Status van het initiatief") {
		t.Errorf("diff with a legacy revision: %d %s", res.StatusCode, messages(res.Body))
	}
	if strings.Contains(body, "Versie 2 is opgeslagen voordat") {
		t.Error("a new revision is called legacy")
	}
}

// TestPreviewShowsTheCaseModel: the editor's preview of unsaved input shows the
// new fields as the public page will.
func TestPreviewShowsTheCaseModel(t *testing.T) {
	_, _, c := editorApp(t)
	form := caseValues("Een voorvertoning")
	setCaseModel(form, "Oss", "plan", "2025-03", "alleenstaanden")
	form.Set("lessons_worked", "- Vroeg beginnen.")
	res := c.post("/beheer/voorbeelden/bekijken", form)
	body := html.UnescapeString(res.Body)
	for _, want := range []string{"Voorvertoning", "doel: 40 woningen", `<a href="/gemeenten/GM0828">Oss</a>`, "Plan, stand per maart 2025",
		"Alleenstaanden", "Wat werkte", "Noord-Brabant, Utrecht"} {
		if !strings.Contains(body, want) {
			t.Errorf("the preview lacks %q (%d)", want, res.StatusCode)
		}
	}
}
