package handlers

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"opnieuwthuis/db"
)

// Proof for issue 11: labels that cannot be lost, one meaning per word, one sign
// convention, fair verdicts, national figures as they are.

// statesFigures reports whether a text states a gemeente's status or realisation.
func statesFigures(s string) bool {
	for _, st := range db.Standings {
		if st != db.StandingNoData && strings.Contains(s, string(st)) {
			return true
		}
	}
	for _, w := range []string{"Gerealiseerd", "huisvestte", "Realisatie", "Stand van de taakstelling", "Taakstelling en realisatie"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var textPlaces = []struct {
	name string
	re   *regexp.Regexp
}{
	{"map title", regexp.MustCompile(`<a href="/gemeenten/[^"]+"[^>]*><title>([^<]*)</title>`)},
	{"map accessible name", regexp.MustCompile(`class="s-[a-z-]+" aria-label="([^"]*)"`)},
	{"map label", regexp.MustCompile(`<svg class="kaart__svg" viewBox="[^"]+" role="group" aria-label="([^"]*)"`)},
	{"map desc", regexp.MustCompile(`<desc>([^<]*)</desc>`)},
	{"meta description", regexp.MustCompile(`<meta name="description" content="([^"]*)"`)},
	{"og:description", regexp.MustCompile(`<meta property="og:description" content="([^"]*)"`)},
	{"lead", regexp.MustCompile(`(?s)<p class="lead">(.*?)</p>`)},
	{"panel sentence", regexp.MustCompile(`(?s)<p class="paneel__zin">(.*?)</p>`)},
	{"caption", regexp.MustCompile(`(?s)<caption[^>]*>(.*?)</caption>`)},
	{"chart summary", regexp.MustCompile(`(?s)<p id="grafiek-zin-[^"]+">(.*?)</p>`)},
	{"chart bar", regexp.MustCompile(`<rect class="grafiek__staaf"[^>]*><title>([^<]*)</title>`)},
}

// checkKindFirst fails for every text on a page that states figures without
// starting with their kind. It returns how many such texts it checked.
func checkKindFirst(t *testing.T, path, body string) int {
	t.Helper()
	n := 0
	for _, place := range textPlaces {
		for _, m := range place.re.FindAllStringSubmatch(body, -1) {
			text := html.UnescapeString(m[1])
			if !statesFigures(text) {
				continue
			}
			n++
			if !strings.HasPrefix(text, "Fictieve cijfers — ") && !strings.HasPrefix(text, "Fictieve cijfers (gesimuleerd)") && !strings.HasPrefix(text, "Fictief: ") {
				t.Errorf("%s: %s %q does not start with the kind of its figures", path, place.name, text)
			}
		}
	}
	return n
}

func TestEveryTextAboutAGemeentesFiguresStartsWithItsKind(t *testing.T) {
	app, _ := newTestApp(t)
	for _, tc := range []struct {
		path    string
		headers []string
		min     int // texts stating figures that the page must have
	}{
		{"/kaart?periode=2025-H2", nil, 2 * 342},
		{"/kaart?periode=2025-H1&provincie=PV21", nil, 2 * 18},
		{"/kaart?periode=2025-H2&gemeente=GM0344", nil, 2*342 + 1},
		{"/kaart?periode=2025-H2", htmx, 2 * 342},
		{"/kaart/tabel?periode=2025-H2", nil, 1},
		{"/kaart/tabel?periode=2025-H2&status=te-klein", htmx, 1},
		{"/gemeenten/GM0344?periode=2025-H2", nil, 6},
		{"/gemeenten/GM0344", nil, 6},
		{"/gemeenten/GM0088?periode=2025-H2", nil, 6},
		{"/gemeenten/GM0344?periode=2025-H2", htmx, 3},
		{"/gemeenten/GM0344?periode=2025-H2", []string{"HX-Request", "true", "HX-Target", "kaart-paneel"}, 3},
		{"/kaart/zoek?q=Utrecht&periode=2025-H2", htmx, 3},
	} {
		res := get(t, app, tc.path, tc.headers...)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", tc.path, res.StatusCode)
		}
		if n := checkKindFirst(t, tc.path, res.Body); n < tc.min {
			t.Errorf("%s (%v): %d texts state figures, want at least %d", tc.path, tc.headers, n, tc.min)
		}
	}

	// The gemeente page's lead, description and og:description all begin with the
	// labelled sentence.
	page := get(t, app, "/gemeenten/GM0344?periode=2025-H2").Body
	for _, want := range []string{`<meta name="description" content="Fictieve cijfers — Utrecht, 2e halfjaar 2025: `,
		`<meta property="og:description" content="Fictieve cijfers — Utrecht, 2e halfjaar 2025: `,
		`<p class="lead">Fictieve cijfers — Utrecht, 2e halfjaar 2025: `,
		`<caption id="perioden-caption">Fictieve cijfers — Taakstelling en realisatie van Utrecht per halfjaar</caption>`} {
		if !strings.Contains(page, want) {
			t.Errorf("gemeente page lacks %q", want)
		}
	}
	table := get(t, app, "/kaart/tabel?periode=2025-H2").Body
	if !strings.Contains(table, `<caption id="tabel-caption">Fictieve cijfers — Stand van de taakstelling per gemeente, 2e halfjaar 2025, Nederland</caption>`) ||
		!strings.Contains(table, `<meta name="description" content="Fictieve cijfers — `) {
		t.Error("the table's caption or description does not start with the kind of its figures")
	}

	// Downloads: the kind is the first column of every row, and the first key.
	for _, path := range []string{"/open-data/cijfers.csv", "/open-data/cijfers.csv?periode=2025-H2", "/open-data/cijfers.csv?periode=2025-H1&excel=1"} {
		body := get(t, app, path).Body
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		if strings.Contains(path, "excel") {
			r.Comma = ';'
		}
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "cijfers" {
			t.Errorf("%s: first column %q", path, rows[0][0])
		}
		for _, row := range rows[1:] {
			if row[len(row)-3] != "geen gegevens" && row[0] != "fictief" {
				t.Fatalf("%s: row %v has figures but does not start with their kind", path, row)
			}
		}
	}
	j := get(t, app, "/open-data/cijfers.json").Body
	if !strings.HasPrefix(j, `{"meta":{"let_op":"Fictieve cijfers — `) || strings.Count(j, `{"cijfers":`) != 6*342 {
		t.Errorf("the JSON download does not put the kind first: %.150s", j)
	}
}

func TestOfficialFiguresLoseTheLabel(t *testing.T) {
	app, store := newTestApp(t)
	ctx := context.Background()
	editor, err := store.CreateUser(ctx, db.UserInput{Email: "ria@example.org", Role: db.RoleEditor, Password: "een lang wachtwoord"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	imp, lineErrs, err := store.ParseFigureImport(ctx, "2025-H1", "f.csv", []byte("gemeente_code,periode,taakstelling,peildatum,gerealiseerd,officieel\n"+
		"GM0363,2025-H1,1000,2025-04-01,400,ja\nGM0344,2025-H1,,2025-04-01,150,ja\n"))
	if err != nil || lineErrs != nil {
		t.Fatalf("parse: %v %v", err, lineErrs)
	}
	imp.AllowLoss = true // the other gemeenten lose their fictitious realisations (issue 14)
	if _, err := store.ImportFigures(ctx, imp, editor); err != nil {
		t.Fatal(err)
	}
	m := get(t, app, "/kaart?periode=2025-H1").Body
	// Official throughout: no label. Official realisation, computed taakstelling:
	// that kind first.
	for _, want := range []string{"<title>Amsterdam, 1e halfjaar 2025: ", "<title>Berekende taakstelling — Utrecht, 1e halfjaar 2025: ",
		`aria-label="Amsterdam, `, `aria-label="Berekend: Utrecht, `} {
		if !strings.Contains(m, want) {
			t.Errorf("after the import the map lacks %q", want)
		}
	}
	if strings.Contains(m, "Fictieve cijfers (gesimuleerd)") || strings.Contains(m, "<title>Fictieve cijfers — ") {
		t.Error("2025-H1 still carries the fictitious label after official realisations replaced them")
	}
	if !strings.Contains(m, ">Taakstelling berekend naar inwonertal</text>") {
		t.Error("the map's label does not say that most taakstellingen are computed")
	}
	// 2025-H2's realisations are still fictitious.
	if !strings.Contains(get(t, app, "/kaart?periode=2025-H2").Body, "<title>Fictieve cijfers — Amsterdam, 2e halfjaar 2025: ") {
		t.Error("2025-H2 lost its label")
	}
}

func TestTheMapDrawingCarriesItsLabel(t *testing.T) {
	app, _ := newTestApp(t)
	for _, path := range []string{"/kaart?periode=2025-H2", "/kaart?periode=2025-H2&provincie=PV29"} {
		body := get(t, app, path).Body
		start := strings.Index(body, `<svg class="kaart__svg"`)
		end := strings.Index(body[start:], "</svg>")
		svg := body[start : start+end+len("</svg>")]
		// The description is the drawing's first child, so a saved SVG has it.
		if !regexp.MustCompile(`^<svg class="kaart__svg" viewBox="[^"]+" role="group" aria-label="Fictieve cijfers — [^"]+">\n<desc>Fictieve cijfers \(gesimuleerd\): `).MatchString(svg) {
			t.Errorf("%s: the SVG does not open with its labelled description: %.300s", path, svg)
		}
		// A visible line inside the drawing, bottom left, with presentation
		// attributes (no stylesheet needed), on a white ground, not catching clicks.
		m := regexp.MustCompile(`<g class="kaart__label" aria-hidden="true" pointer-events="none" font-family="[^"]+" font-size="(\d+)"><rect x="(-?\d+)" y="(-?\d+)" width="(\d+)" height="(\d+)" fill="#fff" fill-opacity="[.0-9]+"/><text x="\d+" y="\d+" fill="#1a1a1a" font-weight="700">Fictieve cijfers \(gesimuleerd\)</text><text[^>]*>Taakstelling berekend naar inwonertal</text><text[^>]*>Land in beeld · 2e halfjaar 2025[^<]*</text><text[^>]*>Opnieuw Thuis · grenzen: CBS / Kadaster</text></g>`).FindStringSubmatch(svg)
		if m == nil {
			t.Fatalf("%s: no visible label in the drawing", path)
		}
		vb := strings.Fields(regexp.MustCompile(`viewBox="([^"]+)"`).FindStringSubmatch(svg)[1])
		num := func(s string) int { n, _ := strconv.Atoi(s); return n }
		x, y, w, h := num(m[2]), num(m[3]), num(m[4]), num(m[5])
		vx, vy, vw, vh := num(vb[0]), num(vb[1]), num(vb[2]), num(vb[3])
		if x < vx || y < vy || x+w > vx+vw || y+h > vy+vh || x > vx+vw/10 || y+h < vy+vh*9/10 {
			t.Errorf("%s: label at %d,%d %d×%d is not in the bottom-left corner of %v", path, x, y, w, h, vb)
		}
		if path == "/kaart?periode=2025-H2" && (x+w > 1400 || y < 2700) {
			// South of Zeeland and west of Limburg the drawing is empty (Belgium).
			t.Errorf("the label at %d,%d %d×%d covers part of the country", x, y, w, h)
		}
	}
}

func TestNoClassIsNamedAfterTheCarryOver(t *testing.T) {
	app, _ := newTestApp(t)
	css, err := os.ReadFile(filepath.Join("..", "public", "site.css"))
	if err != nil {
		t.Fatal(err)
	}
	bad := regexp.MustCompile(`(s|sw|p|l|status)-(grote-)?(achterstand|voorsprong)\b|<strong>(grote )?(achterstand|voorsprong)</strong>:|<option value="[^"]*">(grote )?(achterstand|voorsprong)</option>|status=(achterstand|voorsprong)`)
	pages := map[string]string{"site.css": string(css)}
	for _, path := range []string{"/kaart?periode=2025-H2", "/kaart/tabel?periode=2025-H2", "/gemeenten/GM0344", "/taakstelling", "/", "/open-data"} {
		pages[path] = get(t, app, path).Body
	}
	for name, body := range pages {
		if m := bad.FindString(body); m != "" {
			t.Errorf("%s names a pace class after the carry-over: %q", name, m)
		}
	}
	legend := pages["/kaart?periode=2025-H2"]
	for _, s := range db.Standings {
		if !strings.Contains(legend, "<strong>"+string(s)+"</strong>") || !strings.Contains(legend, `<pattern id="p-`+s.Slug()+`"`) {
			t.Errorf("the legend lacks class %q or its pattern", s)
		}
	}
	// The yardstick is stated as the platform's own.
	if !strings.Contains(legend, "maatstaf van deze site") || !strings.Contains(legend, "geen wettelijke tussentijdse verplichting") {
		t.Error("the legend does not say the monthly yardstick is the platform's own")
	}
}

func TestSchiermonnikoogIsTooSmallToJudgeOnTheMap(t *testing.T) {
	app, store := newTestApp(t)
	pf := periodFigures(t, store, "2025-H2")
	res := get(t, app, "/kaart?periode=2025-H2")
	if !strings.Contains(res.Body, `class="s-te-klein" aria-label="Fictief: Schiermonnikoog, te klein om te beoordelen"><title>Fictieve cijfers — Schiermonnikoog, 2e halfjaar 2025: te klein om te beoordelen.`) {
		t.Error("Schiermonnikoog is not 'te klein om te beoordelen' on the map of 2025-H2")
	}
	count := pf.Totals.Count(db.StandingTooSmall)
	want := `<strong>te klein om te beoordelen</strong>: naar rato worden minder dan 5 personen verwacht: te weinig voor een oordeel</span><span class="legenda__aantal">` + formatNumber(count) + " "
	if count < 1 || !strings.Contains(res.Body, want) {
		t.Errorf("the legend does not count the %d gemeenten too small to judge", count)
	}
	tab := get(t, app, "/kaart/tabel?periode=2025-H2&status=te-klein")
	if !strings.Contains(tab.Body, `href="/gemeenten/GM0088?periode=2025-H2">Schiermonnikoog</a>`) ||
		len(tableRowRe.FindAllString(tab.Body, -1)) != count {
		t.Error("the table's filter on te klein om te beoordelen does not list Schiermonnikoog")
	}
}

func TestOneSignConventionInPanelTableAndCSV(t *testing.T) {
	app, store := newTestApp(t)
	pf := periodFigures(t, store, "2025-H2")
	// A gemeente behind on both counts, and one ahead on both.
	var behind, ahead db.GemeenteFigures
	for _, g := range pf.Gemeenten {
		if g.CarriedIn == nil || g.Difference == nil || !g.Standing.Judged() {
			continue
		}
		if *g.CarriedIn > 1 && *g.Difference < -1 && behind.Code == "" {
			behind = g
		}
		if *g.CarriedIn < -1 && *g.Difference > 1 && ahead.Code == "" {
			ahead = g
		}
	}
	if behind.Code == "" || ahead.Code == "" {
		t.Fatal("no gemeente behind or ahead on both counts in 2025-H2")
	}
	_, rows := readCSV(t, get(t, app, "/open-data/cijfers.csv?periode=2025-H2").Body, ',')
	table := html.UnescapeString(get(t, app, "/kaart/tabel?periode=2025-H2").Body)
	for _, g := range []db.GemeenteFigures{behind, ahead} {
		carry, diff := -*g.CarriedIn, *g.Difference // the convention: negative is behind
		sign := func(n int) string {
			if n < 0 {
				return "−" + formatNumber(-n)
			}
			return "+" + formatNumber(n)
		}
		// CSV: overloop_saldo and verschil have the same sign for the same direction.
		for _, r := range rows {
			if r["gemeente_code"] == g.Code && (r["overloop_saldo"] != strconv.Itoa(carry) || r["verschil"] != strconv.Itoa(diff)) {
				t.Errorf("%s in the CSV: overloop_saldo %s, verschil %s; want %d and %d", g.Name, r["overloop_saldo"], r["verschil"], carry, diff)
			}
		}
		// Table: the same numbers with the same signs in the row.
		row := regexp.MustCompile(`(?s)<th scope="row"><a href="/gemeenten/` + g.Code + `\?periode=2025-H2">.*?</tr>`).FindString(table)
		if !strings.Contains(row, `<td class="num">`+sign(carry)+`</td>`) || !strings.Contains(row, `<td class="num">`+sign(diff)+`</td>`) {
			t.Errorf("%s in the table: want %s and %s in %s", g.Name, sign(carry), sign(diff), row)
		}
		// Panel: the same signed numbers, in words too.
		panel := html.UnescapeString(get(t, app, "/gemeenten/"+g.Code+"?periode=2025-H2", htmx...).Body)
		words := map[bool][2]string{true: {"achterstand van ", " achter op schema"}, false: {"voorsprong van ", " voor op schema"}}[carry < 0]
		wantCarry := "<dd>" + sign(carry) + ": " + words[0] + formatNumber(abs(carry)) + " personen</dd>"
		wantDiff := "<dd>" + sign(diff) + ": " + formatNumber(abs(diff)) + " personen" + words[1] + "</dd>"
		if !strings.Contains(panel, wantCarry) || !strings.Contains(panel, wantDiff) {
			t.Errorf("%s in the panel: want %q and %q", g.Name, wantCarry, wantDiff)
		}
		// Stated once, in the same words, wherever signed numbers appear.
		if !strings.Contains(panel, signRule) {
			t.Errorf("%s: the panel does not state the sign convention", g.Name)
		}
	}
	if !strings.Contains(table, signRule) || !strings.Contains(html.UnescapeString(get(t, app, "/gemeenten/"+behind.Code).Body), signRule) ||
		!strings.Contains(get(t, app, "/open-data/cijfers.json?periode=2025-H2").Body, `"`+signRule+`"`) {
		t.Error("the table, the gemeente page or the JSON notes do not state the sign convention")
	}
	for _, header := range []string{">Overloop uit vorig halfjaar<", ">Verschil met verwacht<"} {
		if !strings.Contains(table, header) {
			t.Errorf("the table lacks the header %q", header)
		}
	}
}

func abs(n int) int { return max(n, -n) }

func TestPeriodsAfterTheLastNationalFigureSaySo(t *testing.T) {
	app, store := newTestApp(t)
	all, _ := store.Periods(context.Background())
	pending := db.PendingPeriods(all, time.Now())
	if len(pending) == 0 {
		t.Fatal("the seed ends with 2025-H2: from 2026 on there are half years without a national figure")
	}
	m := get(t, app, "/kaart").Body
	if !strings.Contains(m, `<option value="2025-H2" selected>`) {
		t.Error("the map does not open on the latest half year with figures")
	}
	for _, p := range pending {
		if !strings.Contains(m, `<option value="`+p.Code+`">`+p.Label()+` (nog geen landelijk cijfer)</option>`) {
			t.Errorf("the period list ends silently before %s", p.Code)
		}
	}
	if !strings.Contains(m, "heeft deze site nog geen landelijk cijfer; u kunt") {
		t.Error("the map does not say that later half years have no national figure yet")
	}
	p := get(t, app, "/kaart?periode="+pending[0].Code)
	if p.StatusCode != 200 || !strings.Contains(p.Body, "heeft deze site nog geen landelijk cijfer.</strong>") ||
		len(mapLinkRe.FindAllString(p.Body, -1)) != 342 || strings.Contains(p.Body, "Fictieve cijfers") {
		t.Errorf("map of %s: %d", pending[0].Code, p.StatusCode)
	}
	if res := get(t, app, "/gemeenten/GM0344?periode="+pending[0].Code); res.StatusCode != 200 ||
		!strings.Contains(res.Body, "Voor dit halfjaar heeft deze site nog geen landelijk cijfer") {
		t.Errorf("gemeente page of %s: %d", pending[0].Code, res.StatusCode)
	}
	if res := get(t, app, "/kaart/tabel?periode="+pending[0].Code); res.StatusCode != 200 || !strings.Contains(res.Body, "nog geen landelijk cijfer") {
		t.Errorf("table of %s: %d", pending[0].Code, res.StatusCode)
	}
	// Downloads hold figures only: a pending period is a Dutch 404 there.
	if res := get(t, app, "/open-data/cijfers.csv?periode="+pending[0].Code); res.StatusCode != 404 {
		t.Errorf("figures download of %s: %d", pending[0].Code, res.StatusCode)
	}
}

func TestBeheerderAddsANationalFigure(t *testing.T) {
	app, store := newTestApp(t)
	addUser(t, store, "beheer@gemeente.example", db.RoleAdmin)
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	all, _ := store.Periods(context.Background())
	next := db.PendingPeriods(all, time.Now())[0]

	// Only beheerders.
	ed := signIn(t, app, "ria@gemeente.example")
	if res := ed.get("/beheer/landelijk"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a redacteur gets %d", res.StatusCode)
	}
	if res := ed.post("/beheer/landelijk", url.Values{"periode": {next.Code}, "totaal": {"1000"}, "status": {"vastgesteld"},
		"bron_url": {"https://example.org"}, "bron_datum": {"2026-01"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a redacteur's post gets %d", res.StatusCode)
	}

	c := signIn(t, app, "beheer@gemeente.example")
	page := c.get("/beheer/landelijk")
	if page.StatusCode != 200 || !strings.Contains(page.Body, `<option value="`+next.Code+`" selected>`) {
		t.Fatalf("form: %d, the first half year without a figure is not chosen", page.StatusCode)
	}
	// Source URL and status are required, everything is checked, in Dutch.
	res := c.post("/beheer/landelijk", url.Values{"periode": {next.Code}, "totaal": {"veel"}, "bron_datum": {"2099-01-01"}, "opmerking": {"Mijn opmerking"}})
	body := html.UnescapeString(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("incomplete form: %d", res.StatusCode)
	}
	for _, want := range []string{"Landelijk cijfer moet een heel aantal personen zijn", "Kies een status.",
		"Vul de link naar de bron in.", "Datum van de bron moet een datum zijn", "Mijn opmerking", `value="veel"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form with errors lacks %q", want)
		}
	}
	res = c.post("/beheer/landelijk", url.Values{"periode": {"2031-H1"}, "totaal": {"1000"}, "status": {"officieel"},
		"bron_url": {"ftp://example.org"}, "bron_datum": {"2026-01"}})
	body = html.UnescapeString(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Kies een periode uit de lijst") ||
		!strings.Contains(body, "Bron moet een volledig webadres zijn") || !strings.Contains(body, "Kies bij Status vastgesteld, bijgesteld, prognose of afgeleid.") {
		t.Errorf("period out of range, bad URL: %d %s", res.StatusCode, messages(res.Body))
	}
	if periods, _ := store.Periods(context.Background()); len(periods) != len(all) {
		t.Fatal("a refused form changed the periods")
	}

	res = c.post("/beheer/landelijk", url.Values{"periode": {next.Code}, "totaal": {"12.500"}, "status": {"prognose"},
		"bron_url": {"https://www.rijksoverheid.nl/actueel/nieuws/prognose"}, "bron_datum": {"2025-10"}, "opmerking": {"Prognose; het vastgestelde cijfer volgt."}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/beheer/landelijk?melding=landelijk" {
		t.Fatalf("save: %d %q %s", res.StatusCode, res.Header.Get("Location"), messages(res.Body))
	}
	if !strings.Contains(c.get("/beheer/landelijk?melding=landelijk").Body, "Het landelijke cijfer is opgeslagen") {
		t.Error("no confirmation")
	}
	// The split appears: the map lists the period with figures, computed, and says
	// the national figure is a forecast.
	m := get(t, app, "/kaart?periode="+next.Code)
	if m.StatusCode != 200 || !strings.Contains(m.Body, `<option value="`+next.Code+`" selected>`+next.Label()+`</option>`) ||
		!strings.Contains(m.Body, "12.500 personen, prognose (geen vastgesteld getal).") {
		t.Errorf("map of %s after the figure: %d", next.Code, m.StatusCode)
	}
	pf := periodFigures(t, store, next.Code)
	if pf.Totals.Taakstelling != 12500 || !pf.Totals.Computed {
		t.Errorf("split of %s: %+v", next.Code, pf.Totals)
	}
	if g, _ := pf.Gemeente("GM0344"); !strings.Contains(m.Body, "Utrecht, "+next.Label()+": geen gegevens. Taakstelling "+formatNumber(*g.Taakstelling)+" (berekend naar inwonertal)") {
		t.Error("the map does not show Utrecht's computed taakstelling for the new period")
	}
	// The national download and /taakstelling carry it with its status and source.
	nat, _ := csv.NewReader(strings.NewReader(get(t, app, "/open-data/taakstelling-landelijk.csv").Body)).ReadAll()
	found := false
	for _, r := range nat {
		if r[0] == next.Code {
			found = r[1] == "12500" && r[2] == "prognose" && r[3] == "nee" && r[5] == "Rijksoverheid" && r[6] == "2025-10"
		}
	}
	if !found {
		t.Error("the national download does not carry the new figure with its status and source")
	}
	// Audited.
	audit := html.UnescapeString(c.get("/beheer/logboek?actie=national_figure").Body)
	if !strings.Contains(audit, "landelijk "+next.Code) || !strings.Contains(audit, "12500 (prognose)") {
		t.Error("the audit log does not record the national figure")
	}
	// A known figure is replaced only on purpose.
	res = c.post("/beheer/landelijk", url.Values{"periode": {next.Code}, "totaal": {"13000"}, "status": {"vastgesteld"},
		"bron_url": {"https://example.org/circulaire"}, "bron_datum": {"2025-12"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(res.Body), "staat al een landelijk cijfer (12.500, prognose)") {
		t.Errorf("replacing without the box: %d %s", res.StatusCode, messages(res.Body))
	}
	res = c.post("/beheer/landelijk", url.Values{"periode": {next.Code}, "totaal": {"13000"}, "status": {"vastgesteld"},
		"bron_url": {"https://example.org/circulaire"}, "bron_datum": {"2025-12"}, "vervangen": {"true"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("replace: %d %s", res.StatusCode, messages(res.Body))
	}
	if pf := periodFigures(t, store, next.Code); pf.Totals.Taakstelling != 13000 || !pf.Period.Official() {
		t.Errorf("after the replacement: %d %s", pf.Totals.Taakstelling, pf.Period.TotalStatus)
	}
}

func TestPrivacyStatementNamesTheController(t *testing.T) {
	app, store := newTestAppWith(t, func(c *Config) {
		c.PrivacyController = "Stichting Opnieuw Thuis, Postbus 1, 1000 AA Amsterdam"
		c.PrivacyDPOEmail = "fg@opnieuwthuis.example"
		c.ContactEmail = "redactie@opnieuwthuis.example"
	})
	body := html.UnescapeString(get(t, app, "/privacy").Body)
	for _, want := range []string{"Stichting Opnieuw Thuis, Postbus 1, 1000 AA Amsterdam", `href="mailto:fg@opnieuwthuis.example"`,
		`href="mailto:redactie@opnieuwthuis.example"`,
		// A legal basis per processing.
		"Gerechtvaardigd belang (onder f)", "Toestemming (onder a)", "taak van algemeen belang (onder e)", "Serverlogboek",
		// The retention periods the code enforces.
		"uiterlijk 183 dagen", "Auditlog:</strong> 2 jaar", "na 30 minuten zonder activiteit en uiterlijk 12 uur", "24 uur na de laatste mislukte poging", "90 dagen na de laatste aanmelding",
		"minstens elk uur",
		// Visitors' rights.
		"inzage", "rectificatie", "overdraagbaarheid", "bezwaar", "Autoriteit Persoonsgegevens"} {
		if !strings.Contains(body, want) {
			t.Errorf("/privacy lacks %q", want)
		}
	}
	if strings.Contains(body, "Nog niet ingevuld") {
		t.Error("/privacy says a configured setting is missing")
	}
	if days := int(db.TipperRetention / (24 * time.Hour)); days != 183 {
		t.Errorf("the statement says 183 days, the code keeps tippers %d", days)
	}
	// Configured: no notice for beheerders.
	addUser(t, store, "beheer@gemeente.example", db.RoleAdmin)
	if strings.Contains(signIn(t, app, "beheer@gemeente.example").get("/beheer").Body, "De privacyverklaring is nog niet af") {
		t.Error("the dashboard warns although everything is configured")
	}
}

func TestUnconfiguredPrivacyStatementIsVisibleToBeheerders(t *testing.T) {
	app, store := newTestApp(t)
	addUser(t, store, "beheer@gemeente.example", db.RoleAdmin)
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	dash := signIn(t, app, "beheer@gemeente.example").get("/beheer").Body
	for _, want := range []string{"De privacyverklaring is nog niet af", "PRIVACY_CONTROLLER", "CONTACT_EMAIL", "PRIVACY_DPO_EMAIL"} {
		if !strings.Contains(dash, want) {
			t.Errorf("the beheerder's dashboard lacks %q", want)
		}
	}
	if strings.Contains(signIn(t, app, "ria@gemeente.example").get("/beheer").Body, "De privacyverklaring is nog niet af") {
		t.Error("a redacteur, who cannot change it, gets the notice")
	}
	body := get(t, app, "/privacy").Body
	if strings.Count(body, "Nog niet ingevuld") != 2 || !strings.Contains(body, "Niet opgegeven") {
		t.Error("/privacy does not say what the operator must still fill in")
	}
}

func TestNoColloquialWordForFictitiousFigures(t *testing.T) {
	// "verzonnen" became "fictief (gesimuleerd)" everywhere: views, Go and README.
	var files []string
	for _, pattern := range []string{"../views/*/*.html", "*.go", "../db/*.go", "../README.md", "../db/seed/README.md"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(string(b)), "verzonnen") {
			t.Errorf("%s says verzonnen", f)
		}
	}
}
