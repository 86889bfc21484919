package handlers

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"opnieuwthuis/db"
)

func TestCaseValidationMessages(t *testing.T) {
	_, store, c := editorApp(t)
	raw := rawDB(t, store)
	before := count(t, raw, "SELECT count(*) FROM cases")
	long := strings.Repeat("a", 201)
	cases := []struct {
		field, value, message string
	}{
		{"title", "", "Vul een titel in."},
		{"title", long, "Titel mag maximaal 200 karakters lang zijn"},
		{"summary", "", "Vul een samenvatting in"},
		{"summary", "Een woord.", "Schrijf in de samenvatting twee of drie zinnen, minstens 60 tekens"},
		{"slug", "Hoofd Letters!", "Adres (slug) mag alleen kleine letters zonder accenten, cijfers en losse streepjes bevatten"},
		{"slug", "startblok-riekerhaven", "Adres (slug) is al in gebruik door een ander voorbeeld."},
		{"gemeente", "Atlantis", "Gemeente: kies een bestaande gemeente uit de lijst"},
		{"gemeente", "GM9999", "Gemeente: kies een bestaande gemeente uit de lijst"},
		{"year", "1850", "Jaar moet een jaartal tussen 1990 en"},
		{"year", "twintig", "Jaar moet een jaartal tussen 1990 en"},
		{"homes", "12a", "Aantal woningen moet een heel getal zijn van 0 tot 1.000.000"},
		{"people", "-3", "Aantal personen moet een heel getal zijn van 0 tot 1.000.000"},
		{"source_url", "www.utrecht.nl", "Bronlink moet een volledig webadres zijn dat begint met https:// of http://."},
		{"source_url", "javascript:alert(1)", "Bronlink moet een volledig webadres zijn"},
		{"kind", "", "Kies een soort"},
		{"kind", "gebouw", "Kies bij Soort ‘Woonoplossing’ of ‘Aanpak’."},
		{"themes", "onbekend-thema", "Kies alleen thema’s uit de lijst."},
		{"status", "weg", "Kies een geldige Status."},
		{"status", "gearchiveerd", "U kunt een voorbeeld niet van ‘’ naar ‘Gearchiveerd’ zetten"},
	}
	for _, tc := range cases {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			form := caseValues("Een geldige titel")
			form.Set(tc.field, tc.value)
			res, body := c.createInvalid(t, form, tc.message)
			// The summary at the top links to the field (a choice: to its first
			// option), and takes the focus when the page loads.
			anchor := map[string]string{"kind": "f-kind-woonoplossing", "themes": "f-theme-" + firstTheme(t, res.Body), "status": "f-status"}[tc.field]
			if anchor == "" {
				anchor = "f-" + tc.field
			}
			if !strings.Contains(res.Body, `role="alert"`) || !strings.Contains(res.Body, `href="#`+anchor+`"`) || !strings.Contains(res.Body, `id="`+anchor+`"`) {
				t.Errorf("no error summary linking to #%s, or no such element", anchor)
			}
			if !strings.Contains(res.Body, `id="fouten" autofocus`) {
				t.Error("the error summary does not take the focus")
			}
			// Everything typed is kept.
			original := caseValues("Een geldige titel").Get(tc.field)
			for _, v := range []string{caseValues("").Get("summary"), "Corporatie Mitros", "https://www.utrecht.nl/wonen"} {
				if original != v && !strings.Contains(body, v) {
					t.Errorf("typed value %q lost", v)
				}
			}
			if tc.value != "" && len(tc.value) < 100 && tc.field != "kind" && tc.field != "themes" && tc.field != "status" &&
				!strings.Contains(body, `value="`+tc.value+`"`) && !strings.Contains(body, ">"+tc.value+"<") {
				t.Errorf("the wrong value %q is not kept in its field", tc.value)
			}
		})
	}
	if n := count(t, raw, "SELECT count(*) FROM cases"); n != before {
		t.Fatalf("invalid forms created %d cases", n-before)
	}
}

func TestInlineValidation(t *testing.T) {
	_, _, c := editorApp(t)
	c.get("/beheer/voorbeelden/nieuw")
	form := caseValues("Wonen boven winkels")
	form.Set("year", "1850")
	res := c.post("/beheer/voorbeelden/valideer?veld=year", form, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if res.StatusCode != 200 || !strings.Contains(res.Body, `id="veld-year"`) || !strings.Contains(res.Body, "Jaar moet een jaartal tussen 1990") ||
		!strings.Contains(res.Body, `aria-invalid="true"`) {
		t.Fatalf("inline year=1850: %d %s", res.StatusCode, res.Body)
	}
	if strings.Contains(res.Body, "<html") || strings.Contains(res.Body, `id="veld-title"`) {
		t.Error("inline validation answered more than the field")
	}
	form.Set("year", "2021")
	res = c.post("/beheer/voorbeelden/valideer?veld=year", form, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if strings.Contains(res.Body, "Jaar moet") || strings.Contains(res.Body, "aria-invalid") {
		t.Fatalf("inline year=2021 still shows an error: %s", res.Body)
	}
	// Leaving the title proposes the slug, out of band.
	res = c.post("/beheer/voorbeelden/valideer?veld=title", form, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if !strings.Contains(res.Body, `id="slug-hint" hx-swap-oob="true"`) || !strings.Contains(res.Body, "wonen-boven-winkels") {
		t.Fatalf("no slug proposal: %s", res.Body)
	}
	// A slug already in use, inline.
	form.Set("slug", "startblok-riekerhaven")
	res = c.post("/beheer/voorbeelden/valideer?veld=slug", form, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if !strings.Contains(res.Body, "al in gebruik") {
		t.Fatalf("inline slug uniqueness: %s", res.Body)
	}
	if res := c.post("/beheer/voorbeelden/valideer?veld=password", form, "HX-Request", "true"); res.StatusCode != 404 {
		t.Errorf("unknown field = %d", res.StatusCode)
	}
}

func TestMarkdownPreviewDropsHTML(t *testing.T) {
	app, store, c := editorApp(t)
	body := "## Kop\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[klik](javascript:alert(3)) en *nadruk*\n\n<div style=\"x\">blok</div>"
	res := c.post("/beheer/voorbeelden/voorvertoning", url.Values{"body": {body}}, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if res.StatusCode != 200 || !strings.Contains(res.Body, "<h2") || !strings.Contains(res.Body, "<em>nadruk</em>") {
		t.Fatalf("preview = %d %s", res.StatusCode, res.Body)
	}
	for _, bad := range []string{"<script", "onerror", "javascript:", "<img", "<div style", "alert(1)"} {
		if strings.Contains(strings.ToLower(res.Body), bad) {
			t.Errorf("preview lets %q through: %s", bad, res.Body)
		}
	}
	// Without JavaScript the preview button posts the whole form: the preview
	// appears, nothing is saved.
	form := caseValues("Alleen bekijken")
	form.Set("body", body)
	form.Set("actie", "voorvertoning")
	res = c.post("/beheer/voorbeelden", form)
	if res.StatusCode != 200 || !strings.Contains(res.Body, "<em>nadruk</em>") || strings.Contains(res.Body, "<script>alert") {
		t.Fatalf("no-JS preview = %d", res.StatusCode)
	}
	if n := count(t, rawDB(t, store), "SELECT count(*) FROM cases WHERE title = 'Alleen bekijken'"); n != 0 {
		t.Fatal("preview saved the case")
	}
	// The public page renders the same way.
	form = caseValues("Met gevaarlijke opmaak")
	form.Set("body", body)
	form.Set("status", "gepubliceerd")
	c.createCase(form)
	page := get(t, app, "/voorbeelden/met-gevaarlijke-opmaak")
	if page.StatusCode != 200 || strings.Contains(page.Body, "<script>alert") || strings.Contains(page.Body, "javascript:alert") || strings.Contains(page.Body, "onerror") {
		t.Fatalf("public page = %d, unsafe markup", page.StatusCode)
	}
}

func TestPublishedCaseInSearchArchivedGone(t *testing.T) {
	app, store, c := editorApp(t)
	form := caseValues("Kangoeroewoningen in de polder")
	id := c.createCase(form)
	search := func() bool {
		res := get(t, app, "/voorbeelden?q=kangoeroewoningen")
		return strings.Contains(res.Body, `href="/voorbeelden/kangoeroewoningen-in-de-polder"`)
	}
	if search() {
		t.Fatal("a concept is searchable")
	}
	if res := get(t, app, "/voorbeelden/kangoeroewoningen-in-de-polder"); res.StatusCode != 404 {
		t.Fatalf("concept page = %d", res.StatusCode)
	}
	edit := c.get("/beheer/voorbeelden/" + id)
	form.Set("version", versionOf(t, edit.Body))
	form.Set("status", "gepubliceerd")
	res := c.post("/beheer/voorbeelden/"+id, form)
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "melding=gepubliceerd") {
		t.Fatalf("publish = %d %s", res.StatusCode, messages(res.Body))
	}
	if !search() {
		t.Fatal("the published case is not found at once")
	}
	// The facet counts know it too: Utrecht, tijdelijke woningen.
	if res := get(t, app, "/voorbeelden?gemeente=GM0344&thema=tijdelijke-woningen"); !strings.Contains(res.Body, "Kangoeroewoningen") {
		t.Fatal("the published case is missing from the filtered library")
	}
	edit = c.get("/beheer/voorbeelden/" + id)
	form.Set("version", versionOf(t, edit.Body))
	form.Set("status", "gearchiveerd")
	c.updateCase(id, form)
	if search() {
		t.Fatal("the archived case is still found")
	}
	if res := get(t, app, "/voorbeelden/kangoeroewoningen-in-de-polder"); res.StatusCode != 404 {
		t.Fatalf("archived page = %d", res.StatusCode)
	}
	raw := rawDB(t, store)
	if n := count(t, raw, "SELECT count(*) FROM audit_log WHERE action IN ('publish', 'unpublish')"); n != 2 {
		t.Errorf("%d publication events audited, want 2", n)
	}
}

func versionOf(t testing.TB, body string) string {
	t.Helper()
	const marker = `name="version" value="`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatal("no version in the form")
	}
	rest := body[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestOptimisticLockConflict(t *testing.T) {
	app, store := newTestApp(t)
	ria := signedIn(t, app, store, "ria@gemeente.example", db.RoleEditor)
	kees := signedIn(t, app, store, "kees@gemeente.example", db.RoleEditor)
	id := ria.createCase(caseValues("Twee redacteuren"))

	// Both open the form at the same version.
	v := versionOf(t, ria.get("/beheer/voorbeelden/"+id).Body)
	if versionOf(t, kees.get("/beheer/voorbeelden/"+id).Body) != v {
		t.Fatal("versions differ")
	}
	first := caseValues("Twee redacteuren")
	first.Set("version", v)
	first.Set("summary", "De samenvatting van Ria, lang genoeg om door de controle te komen.")
	ria.updateCase(id, first)
	second := caseValues("Twee redacteuren")
	second.Set("version", v)
	second.Set("summary", "De samenvatting van Kees, lang genoeg om door de controle te komen.")
	res := kees.post("/beheer/voorbeelden/"+id, second)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "Niet opgeslagen: iemand anders was u voor") {
		t.Fatalf("second save = %d %s", res.StatusCode, messages(res.Body))
	}
	if !strings.Contains(res.Body, second.Get("summary")) {
		t.Error("the refused editor's input is lost")
	}
	newer, _ := strconv.Atoi(v)
	if !strings.Contains(res.Body, "/beheer/voorbeelden/"+id+"/verschil?van="+v+"&amp;naar="+strconv.Itoa(newer+1)) {
		t.Error("no link to what the other editor changed")
	}
	cs, err := store.FindCaseByID(context.Background(), mustInt(t, id))
	if err != nil || cs.Summary != first.Get("summary") {
		t.Fatalf("stored summary %q: the second save overwrote the first", cs.Summary)
	}
	// Saving over the newer version on purpose works.
	second.Set("overschrijf", strconv.Itoa(newer+1))
	kees.updateCase(id, second)
}

func mustInt(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStatusTransitionsPerRole(t *testing.T) {
	app, store := newTestApp(t)
	red := signedIn(t, app, store, "ria@gemeente.example", db.RoleEditor)
	adm := signedIn(t, app, store, "beheer@gemeente.example", db.RoleAdmin)
	form := caseValues("Van concept tot archief")
	id := red.createCase(form)
	setStatus := func(c *client, status, note string) response {
		v := versionOf(t, c.get("/beheer/voorbeelden/"+id).Body)
		return c.post("/beheer/voorbeelden/"+id+"/status", url.Values{"status": {status}, "version": {v}, "note": {note}})
	}
	steps := []struct {
		who    *client
		name   string
		status string
		want   int
	}{
		{red, "redacteur submits", "ingediend", http.StatusSeeOther},
		{red, "redacteur publishes", "gepubliceerd", http.StatusSeeOther},
		{red, "redacteur archives", "gearchiveerd", http.StatusSeeOther},
		{red, "redacteur may not republish from the archive", "gepubliceerd", http.StatusForbidden},
		{red, "redacteur may not take it back to concept", "concept", http.StatusForbidden},
		{adm, "beheerder takes it out of the archive", "gepubliceerd", http.StatusSeeOther},
	}
	for _, s := range steps {
		res := setStatus(s.who, s.status, "")
		if res.StatusCode != s.want {
			t.Fatalf("%s: %d, want %d: %s", s.name, res.StatusCode, s.want, messages(res.Body))
		}
	}
	// The form offers only what the role may choose, and refuses the rest with 422.
	setStatus(adm, "gearchiveerd", "")
	page := red.get("/beheer/voorbeelden/" + id)
	if strings.Contains(page.Body, `<option value="gepubliceerd"`) {
		t.Error("the redacteur's form offers publishing an archived case")
	}
	form.Set("version", versionOf(t, page.Body))
	form.Set("status", "gepubliceerd")
	res := red.post("/beheer/voorbeelden/"+id, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(res.Body), "alleen een beheerder terughalen") {
		t.Fatalf("redacteur publishing an archived case by form = %d", res.StatusCode)
	}
}

func TestRejectSuggestionNeedsNote(t *testing.T) {
	_, store, c := editorApp(t)
	form := caseValues("Een ingezonden voorbeeld")
	form.Set("status", "ingediend")
	id := c.createCase(form)
	page := c.get("/beheer/voorbeelden/" + id)
	if !strings.Contains(page.Body, "Afwijzen en archiveren") || !strings.Contains(page.Body, ">Publiceren<") {
		t.Fatal("no moderation box for a submitted case")
	}
	v := versionOf(t, page.Body)
	res := c.post("/beheer/voorbeelden/"+id+"/status", url.Values{"status": {"gearchiveerd"}, "version": {v}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "waarom de tip wordt afgewezen") {
		t.Fatalf("reject without note = %d", res.StatusCode)
	}
	res = c.post("/beheer/voorbeelden/"+id+"/status", url.Values{"status": {"gearchiveerd"}, "version": {v}, "note": {"Geen bron te vinden."}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "melding=afgewezen") {
		t.Fatalf("reject = %d", res.StatusCode)
	}
	raw := rawDB(t, store)
	if count(t, raw, "SELECT count(*) FROM case_revisions WHERE case_id = ? AND note = 'Geen bron te vinden.' AND status = 'gearchiveerd'", id) != 1 {
		t.Error("the rejection note is not in the history")
	}
	if count(t, raw, "SELECT count(*) FROM audit_log WHERE action = 'reject' AND detail = 'Geen bron te vinden.'") != 1 {
		t.Error("the rejection is not audited")
	}
	if hist := c.get("/beheer/voorbeelden/" + id + "/geschiedenis"); !strings.Contains(hist.Body, "Geen bron te vinden.") {
		t.Error("the history page does not show the note")
	}
}

func TestRevisionsDiffAndRestore(t *testing.T) {
	_, store, c := editorApp(t)
	form := caseValues("Versies bijhouden")
	id := c.createCase(form)
	form.Set("version", versionOf(t, c.get("/beheer/voorbeelden/"+id).Body))
	form.Set("title", "Versies bijhouden, herzien")
	form.Set("body", "## Aanpak\n\nEerste regel.\nEen nieuwe tweede regel.")
	form.Set("year", "2025")
	form.Set("note", "Jaartal verbeterd")
	c.updateCase(id, form)
	hist := c.get("/beheer/voorbeelden/" + id + "/geschiedenis")
	if hist.StatusCode != 200 || strings.Count(hist.Body, "<tr>") != 3 || !strings.Contains(hist.Body, "Jaartal verbeterd") || !strings.Contains(hist.Body, "ria") {
		t.Fatalf("history = %d", hist.StatusCode)
	}
	diff := c.get("/beheer/voorbeelden/" + id + "/verschil?van=1&naar=2")
	if diff.StatusCode != 200 {
		t.Fatalf("diff = %d", diff.StatusCode)
	}
	for _, want := range []string{"<th scope=\"row\">Titel</th>", "<del>Versies bijhouden</del>", "<ins>Versies bijhouden, herzien</ins>",
		"<del>2024</del>", "<ins>2025</ins>", `class="diff__del"`, "Tweede regel.", `class="diff__add"`, "Een nieuwe tweede regel.", `class="diff__same"`} {
		if !strings.Contains(diff.Body, want) {
			t.Errorf("diff lacks %q", want)
		}
	}
	if strings.Contains(diff.Body, "<th scope=\"row\">Samenvatting</th>") {
		t.Error("diff lists an unchanged field")
	}
	// Restore version 1: a new version 3 with the old content.
	res := c.post("/beheer/voorbeelden/"+id+"/geschiedenis/1/terugzetten", url.Values{"version": {"2"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore = %d", res.StatusCode)
	}
	cs, err := store.FindCaseByID(context.Background(), mustInt(t, id))
	if err != nil || cs.Version != 3 || cs.Title != "Versies bijhouden" || *cs.Year != 2024 || !strings.Contains(cs.Body, "Tweede regel.") {
		t.Fatalf("after restore: version %d, title %q", cs.Version, cs.Title)
	}
	if d := c.get("/beheer/voorbeelden/" + id + "/verschil?van=1&naar=3"); !strings.Contains(d.Body, "Er is niets veranderd") {
		t.Error("restored version differs from version 1")
	}
	// Restoring from a stale page is refused.
	if res := c.post("/beheer/voorbeelden/"+id+"/geschiedenis/2/terugzetten", url.Values{"version": {"2"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale restore = %d", res.StatusCode)
	}
	if res := c.get("/beheer/voorbeelden/" + id + "/verschil?van=1&naar=9"); res.StatusCode != 404 {
		t.Errorf("unknown revision = %d", res.StatusCode)
	}
	if res := c.get("/beheer/voorbeelden/99999"); res.StatusCode != 404 || !strings.Contains(res.Body, "Voorbeeld niet gevonden") {
		t.Errorf("unknown case = %d", res.StatusCode)
	}
}

func TestEditorCaseListAndDashboard(t *testing.T) {
	_, store, c := editorApp(t)
	form := caseValues("Zeldzaam woord flamingohuis")
	form.Set("status", "ingediend")
	c.createCase(form)
	dash := c.get("/beheer")
	counts, err := store.StatusCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dash.Body, "Te beoordelen (1)") || !strings.Contains(dash.Body, "Zeldzaam woord flamingohuis") ||
		!strings.Contains(dash.Body, `<span class="stat-list__n">`+strconv.Itoa(counts[db.StatusPublished])+`</span> <span class="status status--gepubliceerd">`) {
		t.Fatalf("dashboard lacks queue or counts")
	}
	list := c.get("/beheer/voorbeelden?status=ingediend")
	if !strings.Contains(list.Body, "flamingohuis") || strings.Contains(list.Body, "Startblok") {
		t.Error("status filter wrong")
	}
	list = c.get("/beheer/voorbeelden?q=flamingohuis", "HX-Request", "true")
	if !strings.Contains(list.Body, "1 voorbeeld.") || strings.Contains(list.Body, "<html") {
		t.Errorf("search fragment: %s", list.Body)
	}
}

func TestThemeTexts(t *testing.T) {
	_, store, c := editorApp(t)
	c.get("/beheer/themas/gezinnen")
	res := c.post("/beheer/themas/gezinnen", url.Values{"intro": {""}, "when_text": {"Als er grote woningen leegstaan."}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Vul de uitleg in.") || !strings.Contains(res.Body, "grote woningen leegstaan") {
		t.Fatalf("empty intro = %d", res.StatusCode)
	}
	res = c.post("/beheer/themas/gezinnen", url.Values{"intro": {"Huisvesting van gezinnen."}, "when_text": {"Als er grote woningen leegstaan."}, "version": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d", res.StatusCode)
	}
	th, err := store.FindTheme(context.Background(), "gezinnen")
	if err != nil || th.Intro != "Huisvesting van gezinnen." || th.WhenText != "Als er grote woningen leegstaan." {
		t.Fatalf("stored theme = %+v", th)
	}
	if res := c.get("/beheer/themas/bestaat-niet"); res.StatusCode != 404 {
		t.Errorf("unknown theme = %d", res.StatusCode)
	}
}

var themeVersionInput = regexp.MustCompile(`name="version" value="(\d+)"`)

// Two editors saving the same theme text: the second gets 409 with their input
// kept and the other's text shown, and saves over it only when they choose to.
func TestThemeTextConflict(t *testing.T) {
	app, store := newTestApp(t)
	ria := signedIn(t, app, store, "ria@gemeente.example", db.RoleEditor)
	kees := signedIn(t, app, store, "kees@gemeente.example", db.RoleEditor)
	version := func(c *client) string {
		m := themeVersionInput.FindStringSubmatch(c.get("/beheer/themas/gezinnen").Body)
		if m == nil {
			t.Fatal("the theme form has no version")
		}
		return m[1]
	}
	vr, vk := version(ria), version(kees)
	if res := ria.post("/beheer/themas/gezinnen", url.Values{"intro": {"Tekst van Ria."}, "when_text": {"Wanneer volgens Ria."}, "version": {vr}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save = %d %s", res.StatusCode, messages(res.Body))
	}
	res := kees.post("/beheer/themas/gezinnen", url.Values{"intro": {"Tekst van Kees."}, "when_text": {"Wanneer volgens Kees."}, "version": {vk}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second save from the same version = %d, want 409", res.StatusCode)
	}
	body := html.UnescapeString(res.Body)
	for _, want := range []string{"Niet opgeslagen: iemand anders was u voor", "Tekst van Kees.", "Wanneer volgens Kees.", "Tekst van Ria.", `name="overschrijf" value="2"`} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	if th, _ := store.FindTheme(context.Background(), "gezinnen"); th.Intro != "Tekst van Ria." || th.Version != 2 {
		t.Fatalf("after the refused save: %+v", th)
	}
	res = kees.post("/beheer/themas/gezinnen", url.Values{"intro": {"Tekst van Kees."}, "when_text": {"Wanneer volgens Kees."}, "version": {vk}, "overschrijf": {"2"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving over version 2 = %d", res.StatusCode)
	}
	if th, _ := store.FindTheme(context.Background(), "gezinnen"); th.Intro != "Tekst van Kees." || th.Version != 3 {
		t.Fatalf("after saving over: %+v", th)
	}
}

// firstTheme is the slug of the first theme checkbox of a case form.
func firstTheme(t testing.TB, body string) string {
	t.Helper()
	m := regexp.MustCompile(`id="f-theme-([a-z0-9-]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no theme checkboxes")
	}
	return m[1]
}
