package handlers

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

var (
	mapLinkRe  = regexp.MustCompile(`<a href="/gemeenten/(GM\d{4})\?periode=([^"&]+)[^"]*" hx-get="[^"]+" class="s-([a-z-]+)" aria-label="([^"]+)"><title>([^<]+)</title><path d="M[^"]+"/></a>`)
	viewBoxRe  = regexp.MustCompile(`<svg class="kaart__svg" viewBox="([^"]+)"`)
	tableRowRe = regexp.MustCompile(`<th scope="row"><a href="/gemeenten/(GM\d{4})\?periode=`)
)

func mustExec(t *testing.T, c *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := c.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func periodFigures(t *testing.T, store *db.DB, period string) *db.PeriodFigures {
	t.Helper()
	pf, err := store.PeriodFigures(context.Background(), period)
	if err != nil {
		t.Fatal(err)
	}
	return pf
}

// mapLinks returns the gemeente links drawn on a map (mapLinkRe's groups) and
// fails the test unless there are want of them.
func mapLinks(t testing.TB, body string, want int) [][]string {
	t.Helper()
	links := mapLinkRe.FindAllStringSubmatch(body, -1)
	if len(links) != want {
		t.Fatalf("%d gemeente links on the map, want %d", len(links), want)
	}
	return links
}

func TestMapDrawsEveryGemeenteAsALinkWithItsStanding(t *testing.T) {
	app, store := newTestApp(t)
	res := getPage(t, app, "/kaart?periode=2025-H1")
	links := mapLinks(t, res.Body, 342)
	if strings.Count(res.Body, `<a href="/gemeenten/`) != 342+countCasesLinks(res.Body) {
		t.Error("a gemeente link on the map does not have the expected form")
	}
	if vb := viewBoxRe.FindStringSubmatch(res.Body); vb == nil || vb[1] != "0 0 2710 3180" {
		t.Errorf("viewBox %v, want the data's 0 0 2710 3180", vb)
	}
	if !strings.Contains(res.Body, `<g class="kaart__gemeenten" fill-rule="evenodd">`) {
		t.Error("gemeenten are not drawn with fill-rule evenodd")
	}
	// The province borders come after (on top of) the gemeenten.
	if strings.Index(res.Body, `class="kaart__provincies"`) < strings.Index(res.Body, `class="kaart__gemeenten"`) {
		t.Error("province borders are not drawn on top")
	}
	pf := periodFigures(t, store, "2025-H1")
	counts := map[string]int{}
	for _, l := range links {
		code, period, slug, name, title := l[1], l[2], l[3], l[4], l[5]
		g, ok := pf.Gemeente(code)
		if !ok || period != "2025-H1" {
			t.Fatalf("link to %s for %s", code, period)
		}
		counts[slug]++
		// The accessible name starts with the kind of the figures, like the title.
		if slug != g.Standing.Slug() || name != template_escape("Fictief: "+g.Name+", "+string(g.Standing)) {
			t.Errorf("%s: class %s, name %q; want %s", code, slug, name, g.Standing)
		}
		if !strings.HasPrefix(title, "Fictieve cijfers — "+template_escape(g.Name)+", 1e halfjaar 2025: ") {
			t.Errorf("%s: title %q does not start with the kind of its figures", code, title)
		}
		// The title states name, status and numbers in words.
		for _, want := range []string{g.Name, string(g.Standing), "Gerealiseerd " + formatNumber(*g.Realised),
			"de " + formatNumber(*g.Expected) + " die naar rato verwacht worden", "berekend naar inwonertal"} {
			if !strings.Contains(title, template_escape(want)) {
				t.Errorf("%s: title %q lacks %q", code, title, want)
				break
			}
		}
		if strings.Contains(title, " achter.") || strings.Contains(title, " voor.") {
			t.Errorf("%s: telegram style in %q", code, title)
		}
	}
	// Each class has a pattern (the second cue besides colour) and the legend counts.
	for _, s := range db.Standings {
		if !strings.Contains(res.Body, `<pattern id="p-`+s.Slug()+`"`) {
			t.Errorf("no pattern for %s", s)
		}
		want := fmt.Sprintf(`<strong>%s</strong>: %s</span><span class="legenda__aantal">%s `, s, template_escape(s.Rule()), formatNumber(pf.Totals.Count(s)))
		if !strings.Contains(res.Body, want) {
			t.Errorf("legend lacks %q", want)
		}
		if counts[s.Slug()] != pf.Totals.Count(s) {
			t.Errorf("%d links of class %s, totals say %d", counts[s.Slug()], s, pf.Totals.Count(s))
		}
	}
	// National totals of the period, with their labels.
	for _, want := range []string{
		"<dd>" + formatNumber(pf.Totals.Taakstelling) + "</dd>", "<dd>" + formatNumber(pf.Totals.Realised) + "</dd>",
		"<dd>" + formatNumber(pf.Totals.Remaining) + "</dd>", "fictieve cijfers", "berekend naar inwonertal",
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("/kaart lacks %q", want)
		}
	}
	if pf.Totals.Taakstelling != 15000 {
		t.Errorf("2025-H1 taakstelling sums to %d, want the national 15000", pf.Totals.Taakstelling)
	}
}

// countCasesLinks counts gemeente links outside the map (none on a plain /kaart).
func countCasesLinks(body string) int {
	return strings.Count(body, `<a href="/gemeenten/`) - len(mapLinkRe.FindAllString(body, -1))
}

// template_escape is how html/template writes text.
func template_escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

func TestMapWithoutNationalTotalSaysSo(t *testing.T) {
	app, _ := newTestApp(t)
	res := getPage(t, app, "/kaart?periode=2024-H2")
	links := mapLinks(t, res.Body, 342)
	for _, l := range links {
		if l[3] != "geen-gegevens" || !strings.Contains(l[5], "landelijke taakstelling voor deze periode is niet gevonden") {
			t.Fatalf("%s in 2024-H2: %s %q", l[1], l[3], l[5])
		}
	}
	if !strings.Contains(res.Body, "is geen landelijke taakstelling gevonden") || strings.Contains(res.Body, "<dd>0</dd>") {
		t.Error("2024-H2 must say that the national total is unknown, and show no zero totals")
	}
	// The period after it counts without carry-over, and says so.
	next := get(t, app, "/kaart?periode=2025-H1")
	if !strings.Contains(next.Body, "De overloop uit het vorige halfjaar is onbekend") {
		t.Error("2025-H1 does not say that its carry-over is unknown")
	}
	if strings.Contains(get(t, app, "/kaart?periode=2025-H2").Body, "overloop uit het vorige halfjaar is onbekend") {
		t.Error("2025-H2 has a known carry-over but says it is unknown")
	}
}

func TestMapOfImported2016FiguresUsesThe2016Boundaries(t *testing.T) {
	app, store := newTestApp(t)
	// What issue 4's import will do: official figures for a 2016 period, on the
	// 2016 codes (390 gemeenten, several of which no longer exist).
	raw := rawDB(t, store)
	mustExec(t, raw, `INSERT INTO taakstellingen (period, division, gemeente_code, amount, basis)
		SELECT '2016-H1', 2016, code, 30, 'officieel' FROM division_gemeenten WHERE division = 2016`)
	mustExec(t, raw, `INSERT INTO realisaties (period, division, gemeente_code, peildatum, realised, basis)
		SELECT '2016-H1', 2016, code, '2016-04-01', 10 + (CAST(substr(code, 3) AS INTEGER) % 10), 'officieel'
		FROM division_gemeenten WHERE division = 2016`)
	res := get(t, app, "/kaart?periode=2016-H1")
	links := mapLinkRe.FindAllStringSubmatch(res.Body, -1)
	if res.StatusCode != 200 || len(links) != 390 {
		t.Fatalf("status %d, %d links; want 390 gemeenten of 2016", res.StatusCode, len(links))
	}
	var appingedam bool
	for _, l := range links {
		appingedam = appingedam || (l[1] == "GM0003" && strings.HasPrefix(l[5], "Appingedam"))
	}
	if !appingedam {
		t.Error("Appingedam (2016, merged since) is not on the 2016 map")
	}
	// Expected after 3 months: half of 30 = 15; realised 10–19.
	pf := periodFigures(t, store, "2016-H1")
	if pf.Totals.Computed || pf.Totals.Fictitious || pf.Totals.Count(db.StandingNoData) != 0 {
		t.Errorf("2016-H1 totals %+v", pf.Totals)
	}
	if strings.Contains(res.Body, "berekend naar inwonertal") || strings.Contains(res.Body, "fictieve cijfers") {
		t.Error("official 2016 figures are labelled as computed or fictitious")
	}
	// The period selector offers it; the 2025 map still has 342.
	if !strings.Contains(res.Body, `<option value="2016-H1" selected>`) {
		t.Error("2016-H1 is not in the period selector")
	}
	mapLinks(t, get(t, app, "/kaart?periode=2025-H2").Body, 342) // the 2025-H2 map after the 2016 import
}

func TestMapFollowsChangedFigures(t *testing.T) {
	app, store := newTestApp(t)
	before := get(t, app, "/kaart?periode=2025-H2")
	if !strings.Contains(before.Body, "Utrecht, 2e halfjaar 2025") {
		t.Fatal("no Utrecht on the map")
	}
	raw := rawDB(t, store)
	mustExec(t, raw, `UPDATE realisaties SET realised = 999, basis = 'officieel' WHERE period = '2025-H2' AND gemeente_code = 'GM0344' AND peildatum = '2026-01-01'`)
	// Another program wrote the figures: the store notices within a second, or at
	// once when asked.
	if err := store.NoticeOutsideWrites(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := get(t, app, "/kaart?periode=2025-H2")
	if !strings.Contains(after.Body, "Utrecht, 2e halfjaar 2025: voor op schema. Gerealiseerd 999 van de") {
		t.Error("the cached map did not follow a change of the figures")
	}
}

func TestGemeentePanelFragmentAndPage(t *testing.T) {
	app, store := newTestApp(t)
	g, _ := periodFigures(t, store, "2025-H1").Gemeente("GM0344")
	const u = "/gemeenten/GM0344?periode=2025-H1"

	page := get(t, app, u)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "<!doctype html>") {
		t.Fatalf("page: %d", page.StatusCode)
	}
	if !strings.Contains(page.Header.Get("Vary"), "HX-Request") {
		t.Errorf("Vary = %q", page.Header.Get("Vary"))
	}
	for _, want := range []string{
		`<link rel="canonical" href="https://opnieuwthuis.example/gemeenten/GM0344">`,
		`<meta name="description" content="Fictieve cijfers — Utrecht, 1e halfjaar 2025: `,
		`<meta property="og:description" content="Fictieve cijfers — Utrecht, 1e halfjaar 2025: `,
		`<p class="lead">Fictieve cijfers — Utrecht, 1e halfjaar 2025: `,
		"<h1>Utrecht</h1>", "Alle perioden", "Verloop per maand", "Cijfers per maand als tabel",
		`href="/voorbeelden?gemeente=GM0344"`, `href="/kaart?gemeente=GM0344&amp;periode=2025-H1"`,
		"Fictieve cijfers", "berekend naar inwonertal", "Plan Einstein",
		"<dd>" + formatNumber(*g.Realised) + "</dd>", "<dd>" + formatNumber(*g.Corrected) + "</dd>",
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// All six periods with figures in the table, and the half years after the last
	// national figure ("nog geen landelijk cijfer"), newest first.
	all, _ := store.Periods(context.Background())
	pending := db.PendingPeriods(all, time.Now())
	if n := strings.Count(page.Body, `<th scope="row"><a href="/gemeenten/GM0344?periode=`); n != 6+len(pending) {
		t.Errorf("the page lists %d periods, want 6 and %d pending", n, len(pending))
	}
	if len(pending) > 0 && !strings.Contains(page.Body, "Nog geen landelijk cijfer, dus nog geen taakstelling.") {
		t.Error("the periods after the last national figure end silently")
	}

	// htmx (a click on the map, or a link in the map's search results): the panel,
	// the outline on the map, and the map's URL.
	fromMap := get(t, app, u, htmx...)
	if strings.Contains(fromMap.Body, "<html") ||
		!strings.Contains(fromMap.Body, `<div id="kaart-selectie" class="kaart__selectie-laag" hx-swap-oob="true"><svg class="kaart__selectie" viewBox="0 0 2710 3180"`) ||
		!strings.Contains(fromMap.Body, `<input type="hidden" id="kaart-gemeente" name="gemeente" value="GM0344" hx-swap-oob="true">`) ||
		!strings.Contains(fromMap.Body, ` autofocus>Utrecht</h3>`) {
		t.Errorf("map panel fragment: %.300s", fromMap.Body)
	}
	if got := fromMap.Header.Get("HX-Push-Url"); got != "/kaart?gemeente=GM0344&periode=2025-H1" {
		t.Errorf("HX-Push-Url = %q", got)
	}
	if !strings.Contains(fromMap.Header.Get("Vary"), "HX-Request") {
		t.Errorf("Vary = %q, want HX-Request", fromMap.Header.Get("Vary"))
	}

	// A history restore gets the whole page.
	restore := get(t, app, u, "HX-Request", "true", "HX-History-Restore-Request", "true")
	if !strings.Contains(restore.Body, "<!doctype html>") {
		t.Error("a history restore did not get the full page")
	}

	// The map URL that the panel pushes renders the same panel, also without JS.
	mapPage := get(t, app, "/kaart?gemeente=GM0344&periode=2025-H1")
	if !strings.Contains(mapPage.Body, `data-gemeente="GM0344"`) || !strings.Contains(mapPage.Body, `class="kaart__selectie"`) ||
		strings.Contains(mapPage.Body, "autofocus") {
		t.Error("/kaart?gemeente= does not show the panel and outline (without stealing focus)")
	}
}

func TestMapPeriodFormFragment(t *testing.T) {
	app, _ := newTestApp(t)
	res := get(t, app, "/kaart?periode=2023-H2&provincie=", htmx...)
	if res.StatusCode != 200 || strings.Contains(res.Body, "<!doctype") {
		t.Fatalf("fragment %d", res.StatusCode)
	}
	for _, want := range []string{"<title>Land in beeld: 2e halfjaar 2023 · Opnieuw Thuis</title>", `id="kaart-titel"`,
		`<p id="kaart-status" hx-swap-oob="innerHTML">De kaart toont 2e halfjaar 2023: 342 gemeenten.</p>`,
		`<span id="kaart-zoekperiode" hx-swap-oob="outerHTML">`, `value="2023-H2"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("fragment lacks %q", want)
		}
	}
	mapLinks(t, res.Body, 342)
}

func TestProvinceZoom(t *testing.T) {
	app, store := newTestApp(t)
	dv, err := store.Division(context.Background(), 2025)
	if err != nil {
		t.Fatal(err)
	}
	box, _ := dv.ProvinceBox("PV27")
	res := get(t, app, "/kaart?periode=2025-H2&provincie=PV27")
	vb := viewBoxRe.FindStringSubmatch(res.Body)
	// Noord-Holland's box, with a strip below it for the map's label.
	framed := box
	framed.H += stampHeight(box)
	if vb == nil || vb[1] != framed.String() || vb[1] == "0 0 2710 3180" {
		t.Fatalf("viewBox %v, want Noord-Holland's %s with the label strip", vb, box)
	}
	if !strings.Contains(res.Body, `<text x="`) || !strings.Contains(res.Body, ">Land in beeld · 2e halfjaar 2025 in Noord-Holland</text>") {
		t.Error("the zoomed map lacks its label")
	}
	f := strings.Fields(vb[1])
	if w, _ := strconv.Atoi(f[2]); w > 700 {
		t.Errorf("the zoom is %d units wide: not zoomed", w)
	}
	mapLinks(t, res.Body, 44) // the gemeenten of Noord-Holland
	pf := periodFigures(t, store, "2025-H2")
	tot := db.SumFigures(pf.Select("PV27", ""))
	if !strings.Contains(res.Body, "<dd>"+formatNumber(tot.Realised)+"</dd>") || tot.Realised == pf.Totals.Realised {
		t.Error("totals are not those of the province")
	}
	if !strings.Contains(res.Body, `class="kaart__context"`) {
		t.Error("the rest of the country is not drawn as context")
	}
	// The links keep the zoom for the panel's way back.
	if !strings.Contains(res.Body, `href="/gemeenten/GM0363?periode=2025-H2&amp;provincie=PV27"`) {
		t.Error("links do not carry the province")
	}
	// The table filters the same way.
	tab := get(t, app, "/kaart/tabel?periode=2025-H2&provincie=PV27")
	if n := len(tableRowRe.FindAllString(tab.Body, -1)); n != 44 {
		t.Errorf("table for Noord-Holland has %d rows", n)
	}
}

func TestTableSortsByEveryColumn(t *testing.T) {
	app, store := newTestApp(t)
	pf := periodFigures(t, store, "2025-H1")
	for _, col := range tableColumns {
		for _, desc := range []bool{false, true} {
			u := tableURL(tableQuery{Period: "2025-H1", Sort: col.Key, Desc: desc})
			res := get(t, app, u)
			codes := tableRowRe.FindAllStringSubmatch(res.Body, -1)
			if res.StatusCode != 200 || len(codes) != 342 {
				t.Fatalf("%s: %d, %d rows", u, res.StatusCode, len(codes))
			}
			rows := make([]db.GemeenteFigures, len(codes))
			for i, c := range codes {
				rows[i], _ = pf.Gemeente(c[1])
			}
			for i := 1; i < len(rows); i++ {
				if c := compareColumn(col, rows[i-1], rows[i]); (!desc && c > 0) || (desc && c < 0) {
					t.Fatalf("%s: %s before %s", u, rows[i-1].Name, rows[i].Name)
				}
				if col.value != nil && col.value(rows[i-1]) == nil && col.value(rows[i]) != nil {
					t.Fatalf("%s: unknown %s before known %s", u, rows[i-1].Name, rows[i].Name)
				}
			}
			dir := "ascending"
			if desc {
				dir = "descending"
			}
			if !strings.Contains(res.Body, `aria-sort="`+dir+`"><a id="sorteer-`+col.Key+`"`) || strings.Count(res.Body, "aria-sort=") != 1 {
				t.Errorf("%s: the sorted column is not marked %s", u, dir)
			}
			// Its header link reverses the order.
			next := template_escape(tableURL(tableQuery{Period: "2025-H1", Sort: col.Key, Desc: !desc}))
			if !strings.Contains(res.Body, `<a id="sorteer-`+col.Key+`" href="`+next+`"`) {
				t.Errorf("%s: header link does not reverse to %s", u, next)
			}
		}
	}
	// Explicit checks of a few orders.
	first := func(u string) string { return tableRowRe.FindStringSubmatch(get(t, app, u).Body)[1] }
	if c := first("/kaart/tabel?periode=2025-H1&sorteer=inwoners&richting=af"); c != "GM0363" {
		t.Errorf("largest population first: %s, want Amsterdam", c)
	}
	if c := first("/kaart/tabel?periode=2025-H1"); c != "GM1680" {
		t.Errorf("by name, first is %s, want Aa en Hunze", c)
	}
	// With htmx the same URL gives the table part only.
	frag := get(t, app, "/kaart/tabel?periode=2025-H1&sorteer=verschil", htmx...)
	if strings.Contains(frag.Body, "<!doctype") || !strings.Contains(frag.Body, `<span id="tabel-sortering" hx-swap-oob="outerHTML"><input type="hidden" name="sorteer" value="verschil">`) {
		t.Error("table fragment")
	}
}

// compareColumn compares two rows the way the table should have sorted them,
// ignoring the name tie-break: 0 when equal or when both are unknown.
func compareColumn(col tableColumn, a, b db.GemeenteFigures) int {
	if col.text != nil {
		return strings.Compare(col.text(a), col.text(b))
	}
	va, vb := col.value(a), col.value(b)
	switch {
	case va == nil && vb == nil:
		return 0
	case va == nil || vb == nil:
		return 0 // unknown sorts last in both directions: checked by the caller
	}
	return *va - *vb
}

func TestTableFiltersByStatus(t *testing.T) {
	app, store := newTestApp(t)
	pf := periodFigures(t, store, "2025-H2")
	for _, s := range db.Standings {
		res := get(t, app, "/kaart/tabel?periode=2025-H2&status="+s.Slug())
		rows := tableRowRe.FindAllStringSubmatch(res.Body, -1)
		if len(rows) != pf.Totals.Count(s) {
			t.Errorf("status %s: %d rows, want %d", s, len(rows), pf.Totals.Count(s))
		}
		for _, r := range rows {
			if g, _ := pf.Gemeente(r[1]); g.Standing != s {
				t.Errorf("status %s shows %s (%s)", s, g.Name, g.Standing)
			}
		}
	}
	// A link of the first release (status=voorsprong) is sent to the new name.
	old := get(t, app, "/kaart/tabel?periode=2025-H2&provincie=PV26&status=voorsprong")
	if old.StatusCode != fiber.StatusMovedPermanently || !strings.Contains(old.Header.Get("Location"), "status=voor-op-schema") {
		t.Errorf("old status link: %d %q", old.StatusCode, old.Header.Get("Location"))
	}
	res := get(t, app, "/kaart/tabel?periode=2025-H2&provincie=PV26&status=voor-op-schema")
	want := 0
	for _, g := range pf.Select("PV26", db.StandingAhead) {
		want++
		if !strings.Contains(res.Body, "/gemeenten/"+g.Code+"?") {
			t.Errorf("%s missing", g.Name)
		}
	}
	if n := len(tableRowRe.FindAllString(res.Body, -1)); n != want {
		t.Errorf("Utrecht voor op schema: %d rows, want %d", n, want)
	}
}

func TestUnknownCodesAreDutch404s(t *testing.T) {
	app, _ := newTestApp(t)
	tests := []struct {
		path   string
		status int
		text   string
	}{
		{"/gemeenten/GM9999", 404, "Gemeente niet gevonden"},
		{"/gemeenten/amsterdam", 404, "Gemeente niet gevonden"},
		{"/gemeenten/GM0344?periode=2019-H1", 404, "Geen cijfers voor deze periode"},
		{"/gemeenten/GM0344?periode=2025-H3", 404, "Periode niet gevonden"},
		{"/gemeenten/GM0003?periode=2025-H1", 404, "Geen cijfers voor deze gemeente in deze periode"},
		{"/gemeenten/GM0003", 200, "Geen cijfers"},
		{"/kaart?periode=2030-H1", 404, "Geen cijfers voor deze periode"},
		{"/kaart?periode=%27%3Bdrop", 404, "Periode niet gevonden"},
		{"/kaart?provincie=PV99", 404, "Provincie niet gevonden"},
		{"/kaart?gemeente=GM9999", 404, "Gemeente niet gevonden"},
		{"/kaart?gemeente=GM0003&periode=2025-H1", 200, "Appingedam hoort niet bij de gemeentelijke indeling van 1e halfjaar 2025"},
		{"/kaart?gemeente=GM0000", 404, "Gemeente niet gevonden"},
		{"/kaart?gemeente=GM0344&provincie=PV27", 200, "Utrecht ligt niet in Noord-Holland"},
		{"/kaart?gemeente=%3Cscript%3E", 404, "Gemeente niet gevonden"},
		{"/kaart/tabel?status=prima", 404, "Status niet gevonden"},
		{"/kaart/tabel?sorteer=naam%22", 400, "Onbekende sortering"},
		{"/kaart/tabel?richting=zijwaarts", 400, "Onbekende sorteerrichting"},
		{"/kaart/zoek?periode=1999-H1&q=x", 404, "Geen cijfers voor deze periode"},
		{"/open-data/cijfers.csv?periode=2019-H2", 404, "Geen cijfers voor deze periode"},
		{"/open-data/cijfers.json?periode=x", 404, "Periode niet gevonden"},
	}
	for _, tt := range tests {
		res := get(t, app, tt.path)
		if res.StatusCode != tt.status || !strings.Contains(res.Body, tt.text) || !strings.Contains(res.Body, `lang="nl"`) {
			t.Errorf("%s: %d, want %d with %q", tt.path, res.StatusCode, tt.status, tt.text)
		}
	}
	// A lower-case code is sent to the real address.
	res := get(t, app, "/gemeenten/gm0344?periode=2025-H1")
	if res.StatusCode != fiber.StatusMovedPermanently || res.Header.Get("Location") != "/gemeenten/GM0344?periode=2025-H1" {
		t.Errorf("lower-case code: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestMapSearch(t *testing.T) {
	app, _ := newTestApp(t)
	for q, want := range map[string]string{
		"Utrecht": "GM0344", "utrecht": "GM0344", "den haag": "GM0518", "GM0363": "GM0363", "0363": "GM0363",
		"sudwest fryslan": "GM1900", "Súdwest-Fryslân": "GM1900", "hengelo": "GM0164", "'s-hertogenbosch": "GM0796",
	} {
		res := get(t, app, "/kaart/zoek?periode=2025-H1&q="+url.QueryEscape(q))
		if res.StatusCode != fiber.StatusSeeOther || res.Header.Get("Location") != "/gemeenten/"+want+"?periode=2025-H1" {
			t.Errorf("search %q: %d to %q, want %s", q, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	// With htmx the map's panel opens and the URL follows.
	res := get(t, app, "/kaart/zoek?periode=2025-H1&q=Utrecht", "HX-Request", "true", "HX-Target", "kaart-paneel")
	if res.StatusCode != 200 || !strings.Contains(res.Body, `data-gemeente="GM0344"`) || res.Header.Get("HX-Push-Url") != "/kaart?gemeente=GM0344&periode=2025-H1" ||
		!strings.Contains(res.Body, `id="kaart-selectie"`) {
		t.Errorf("htmx search: %d %q", res.StatusCode, res.Header.Get("HX-Push-Url"))
	}
	// Several or none: a clear answer, with and without JS.
	many := get(t, app, "/kaart/zoek?periode=2025-H1&q=bergen")
	if many.StatusCode != 200 || !strings.Contains(many.Body, "Bergen (L.)") || !strings.Contains(many.Body, "Bergen (NH.)") || !strings.Contains(many.Body, "<!doctype") {
		t.Errorf("search bergen: %d", many.StatusCode)
	}
	none := get(t, app, "/kaart/zoek?periode=2025-H1&q=Atlantis", htmx...)
	if none.StatusCode != 200 || !strings.Contains(none.Body, "Geen gemeente gevonden") || strings.Contains(none.Body, "<!doctype") {
		t.Errorf("search Atlantis: %d %.200s", none.StatusCode, none.Body)
	}
	// Zoomed in on Limburg, Bergen means Bergen (L.).
	res = get(t, app, "/kaart/zoek?periode=2025-H1&provincie=PV31&q=bergen")
	if res.Header.Get("Location") != "/gemeenten/GM0893?periode=2025-H1" {
		t.Errorf("bergen in Limburg: %q", res.Header.Get("Location"))
	}
}

func TestFigureExportsMatchTheMap(t *testing.T) {
	app, store := newTestApp(t)
	res := get(t, app, "/open-data/cijfers.csv")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The kind of the figures comes first.
	if strings.Join(rows[0], ",") != "cijfers,periode,gemeente_code,gemeente,provincie_code,provincie,inwoners,taakstelling,taakstelling_bron,overloop_saldo,gecorrigeerde_taakstelling,peildatum,gerealiseerd,verwacht_pro_rata,verschil,percentage_pro_rata,status,realisatie_bron,bekende_afwijking" {
		t.Fatalf("header %v", rows[0])
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "opnieuwthuis-cijfers-fictief.csv") {
		t.Errorf("Content-Disposition %q: a saved file of fictitious figures says so in its name", cd)
	}
	if len(rows)-1 != 6*342 {
		t.Fatalf("%d rows, want 6 periods × 342", len(rows)-1)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	num := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	figures := map[string]*db.PeriodFigures{}
	deviations := 0
	for _, r := range rows[1:] {
		period := r[col["periode"]]
		pf := figures[period]
		if pf == nil {
			pf = periodFigures(t, store, period)
			figures[period] = pf
		}
		g, ok := pf.Gemeente(r[col["gemeente_code"]])
		if !ok {
			t.Fatalf("unknown row %v", r)
		}
		// The carry-over in the sign of verschil: an achterstand carried in (CarriedIn
		// positive) is negative.
		balance := ""
		if g.CarriedIn != nil {
			balance = strconv.Itoa(-*g.CarriedIn)
		}
		deviation := ""
		for i, d := range g.Deviations {
			if i > 0 {
				deviation += " | "
			}
			deviation += d.Short + " (/taakstelling#" + d.ID + ")"
			deviations++
		}
		want := []string{g.Source(), g.Period, g.Code, g.Name, g.ProvinceCode, g.ProvinceName, num(g.Population), num(g.Taakstelling),
			g.TaakstellingBasis, balance, num(g.Corrected), "", num(g.Realised), num(g.Expected), num(g.Difference),
			num(g.Percentage), string(g.Standing), g.RealisedBasis, deviation}
		if !g.Peildatum.IsZero() {
			want[11] = g.Peildatum.Format("2006-01-02")
		}
		if !slices.Equal(r, want) {
			t.Fatalf("row %v\nwant %v", r, want)
		}
	}
	if deviations != 5*5 {
		t.Errorf("%d rows name a known deviation, want 5 gemeenten × 5 periods with a computed taakstelling", deviations)
	}
	// 2024-H2: unknown, not zero.
	for _, r := range rows[1:] {
		if r[col["periode"]] == "2024-H2" && (r[col["taakstelling"]] != "" || r[col["status"]] != "geen gegevens" || r[col["cijfers"]] != "") {
			t.Fatalf("2024-H2 row %v", r)
		}
		if r[col["periode"]] == "2025-H1" && (r[col["overloop_saldo"]] != "" || r[col["cijfers"]] != "fictief" || r[col["taakstelling_bron"]] != "berekend") {
			t.Fatalf("2025-H1 row %v", r)
		}
		if r[col["periode"]] == "2025-H2" && r[col["gemeente_code"]] == "GM0088" && r[col["status"]] != "te klein om te beoordelen" {
			t.Errorf("Schiermonnikoog 2025-H2 in the export: %v", r)
		}
	}

	// The numbers in the map's title of Utrecht are those of the export.
	var utrecht []string
	for _, r := range rows[1:] {
		if r[col["periode"]] == "2025-H2" && r[col["gemeente_code"]] == "GM0344" {
			utrecht = r
		}
	}
	m := get(t, app, "/kaart?periode=2025-H2")
	wantTitle := fmt.Sprintf("Gerealiseerd %s van de %s die naar rato verwacht worden (%s %%)",
		dutch(utrecht[col["gerealiseerd"]]), dutch(utrecht[col["verwacht_pro_rata"]]), utrecht[col["percentage_pro_rata"]])
	if !strings.Contains(m.Body, "<title>Fictieve cijfers — Utrecht, 2e halfjaar 2025: "+utrecht[col["status"]]+". "+wantTitle) {
		t.Errorf("map title of Utrecht does not match the export %v", utrecht)
	}

	// JSON: same records, numbers as numbers, null where unknown.
	j := get(t, app, "/open-data/cijfers.json?periode=2024-H2")
	var doc struct {
		Meta struct {
			Licence     string   `json:"licentie"`
			GeneratedAt string   `json:"gegenereerd"`
			Notes       []string `json:"toelichting"`
			Columns     []string `json:"kolommen"`
			Periods     []string `json:"perioden"`
		} `json:"meta"`
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(j.Body), &doc); err != nil {
		t.Fatalf("json: %v\n%.300s", err, j.Body)
	}
	if len(doc.Data) != 342 || doc.Meta.Licence == "" || doc.Meta.GeneratedAt == "" || len(doc.Meta.Notes) == 0 ||
		!slices.Equal(doc.Meta.Columns, rows[0]) || !slices.Equal(doc.Meta.Periods, []string{"2024-H2"}) {
		t.Fatalf("json 2024-H2: %d records, meta %+v", len(doc.Data), doc.Meta)
	}
	if strings.Contains(j.Body, `"let_op"`) {
		t.Error("2024-H2 has no figures, yet its download warns about their kind")
	}
	for _, rec := range doc.Data {
		if len(rec) != len(rows[0]) {
			t.Fatalf("record keys %v", rec)
		}
		if rec["taakstelling"] != nil || rec["gerealiseerd"] != nil || rec["status"] != "geen gegevens" || rec["cijfers"] != nil {
			t.Fatalf("2024-H2 record %v", rec)
		}
		if _, ok := rec["inwoners"].(float64); !ok {
			t.Fatalf("inwoners is not a number: %v", rec["inwoners"])
		}
	}
	j = get(t, app, "/open-data/cijfers.json?periode=2025-H2")
	if err := json.Unmarshal([]byte(j.Body), &doc); err != nil {
		t.Fatal(err)
	}
	// The kind comes first: the meta's first key, and every record's.
	if !strings.HasPrefix(j.Body, `{"meta":{"let_op":"Fictieve cijfers — `) || !strings.Contains(j.Body, `"data":[{"cijfers":"fictief","periode":"2025-H2"`) {
		t.Errorf("the JSON does not start with the kind of its figures: %.200s", j.Body)
	}
	for _, rec := range doc.Data {
		if rec["gemeente_code"] == "GM0344" {
			if rec["gerealiseerd"] != mustFloat(utrecht[col["gerealiseerd"]]) || rec["overloop_saldo"] != mustFloat(utrecht[col["overloop_saldo"]]) ||
				rec["peildatum"] != utrecht[col["peildatum"]] || rec["realisatie_bron"] != "fictief" {
				t.Errorf("json Utrecht %v, csv %v", rec, utrecht)
			}
		}
	}
}

func dutch(s string) string {
	n, _ := strconv.Atoi(s)
	return formatNumber(n)
}

func mustFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func TestNationalExports(t *testing.T) {
	app, store := newTestApp(t)
	res := get(t, app, "/open-data/taakstelling-landelijk.csv")
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	periods, _ := store.Periods(context.Background())
	periods = append(periods, db.PendingPeriods(periods, time.Now())...)
	if strings.Join(rows[0], ",") != "periode,totaal,status,officieel,bron_url,bron_soort,bron_datum,opmerking" || len(rows) != len(periods)+1 {
		t.Fatalf("header %v, %d rows for %d periods", rows[0], len(rows), len(periods))
	}
	statuses := map[string]bool{}
	for i, p := range periods {
		r := rows[i+1]
		total := ""
		if p.NationalTotal != nil {
			total = strconv.Itoa(*p.NationalTotal)
		}
		official := map[bool]string{true: "ja", false: "nee"}[p.Official()]
		if r[0] != p.Code || r[1] != total || r[2] != p.TotalStatus || r[3] != official || r[4] != p.SourceURL || r[6] != p.SourceDate {
			t.Errorf("row %v for %+v", r, p)
		}
		// Every row has a status: the figure's own, from the data.
		if r[2] == "" {
			t.Errorf("%s has no status", r[0])
		}
		statuses[r[2]] = true
		if (p.Code == "2021-H1" || p.Code == "2024-H2") && (r[1] != "" || r[2] != "niet gevonden" || r[3] != "nee") {
			t.Errorf("%s: %v; want an empty total, not zero", p.Code, r)
		}
		if p.Pending && (r[1] != "" || r[2] != "nog geen landelijk cijfer") {
			t.Errorf("%s after the last national figure: %v", p.Code, r)
		}
		// Only vastgesteld and bijgesteld are official.
		if (r[3] == "ja") != (r[2] == "vastgesteld" || r[2] == "bijgesteld") {
			t.Errorf("%s: status %s, officieel %s", r[0], r[2], r[3])
		}
	}
	for _, s := range []string{"vastgesteld", "bijgesteld", "prognose", "afgeleid", "niet gevonden"} {
		if !statuses[s] {
			t.Errorf("no period with status %q", s)
		}
	}
	kinds := map[string]string{}
	for _, r := range rows[1:] {
		kinds[r[0]] = r[5]
	}
	if kinds["2019-H1"] != "Rijksoverheid" || kinds["2022-H2"] != "nieuws of vakmedia" || kinds["2017-H1"] != "Platform Opnieuw Thuis" || kinds["2021-H1"] != "" {
		t.Errorf("source kinds %v", kinds)
	}
	var doc struct {
		Meta struct {
			Attribution string `json:"naamsvermelding"`
		} `json:"meta"`
		Data []struct {
			Period   string `json:"periode"`
			Total    *int   `json:"totaal"`
			Status   string `json:"status"`
			Official bool   `json:"officieel"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(get(t, app, "/open-data/taakstelling-landelijk.json").Body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Data) != len(periods) || doc.Data[5].Period != "2018-H2" || doc.Data[5].Status != "prognose" || doc.Data[5].Official || doc.Data[10].Total != nil {
		t.Errorf("json %+v", doc.Data)
	}
	// The attribution names the sources as they are: the Rijksoverheid, and news
	// reports where that is the source.
	for _, want := range []string{"Rijksoverheid (", "nieuwsberichten en vakmedia, waar dat de bron is", "gemeente.nu", "blikopnieuws.nl"} {
		if !strings.Contains(doc.Meta.Attribution, want) {
			t.Errorf("attribution %q lacks %q", doc.Meta.Attribution, want)
		}
	}
}

func TestFigureExportsAreSafeInSpreadsheets(t *testing.T) {
	app, store := newTestApp(t)
	raw := rawDB(t, store)
	// Hostile text as an import could bring it (no figures are loaded yet, so the
	// renamed gemeente is read fresh).
	mustExec(t, raw, `UPDATE division_gemeenten SET name = '=HYPERLINK("http://evil.example","klik")' WHERE division = 2025 AND code = 'GM0344'`)
	mustExec(t, raw, `UPDATE periods SET note = '@SUM(1+1)', source_url = '+cmd|x' WHERE code = '2025-H2'`)
	_, rows := readCSV(t, get(t, app, "/open-data/cijfers.csv?periode=2025-H2").Body, ',')
	var negative, negativeCarry bool
	for _, r := range rows {
		if r["gemeente_code"] == "GM0344" && r["gemeente"] != `'=HYPERLINK("http://evil.example","klik")` {
			t.Errorf("formula not neutralised: %q", r["gemeente"])
		}
		// Negative numbers stay numbers.
		if d := r["verschil"]; strings.HasPrefix(d, "-") {
			if _, err := strconv.Atoi(d); err != nil {
				t.Errorf("verschil %q is no longer a number", d)
			}
			negative = true
		}
		if d := r["overloop_saldo"]; strings.HasPrefix(d, "-") {
			if _, err := strconv.Atoi(d); err != nil {
				t.Errorf("overloop_saldo %q is no longer a number", d)
			}
			negativeCarry = true
		}
	}
	if !negative || !negativeCarry {
		t.Error("no negative verschil or overloop_saldo to check")
	}
	nat, _ := csv.NewReader(strings.NewReader(get(t, app, "/open-data/taakstelling-landelijk.csv").Body)).ReadAll()
	var h2 []string
	for _, r := range nat {
		if r[0] == "2025-H2" {
			h2 = r
		}
	}
	if h2 == nil || h2[4] != "'+cmd|x" || h2[7] != "'@SUM(1+1)" {
		t.Errorf("national row %v", h2)
	}
}

func TestTaakstellingPage(t *testing.T) {
	app, store := newTestApp(t)
	res := getPage(t, app, "/taakstelling")
	all, _ := store.Periods(context.Background())
	pending := db.PendingPeriods(all, time.Now())
	for _, want := range []string{
		"<h1>Hoe werkt de taakstelling?</h1>", "gecorrigeerde taakstelling = nieuwe taakstelling + achterstand − voorsprong",
		"op schema", "De provincie houdt toezicht", `aria-current="page">Taakstelling</a>`,
		"Rekenvoorbeeld: Utrecht, 2e halfjaar 2025", "2 perioden zonder gevonden getal (2021-H1, 2024-H2)",
		// The yardstick is the platform's own, not the law's.
		`id="maatstaf"`, "eigen maatstaf", "Een wettelijke tussenstand is er niet",
		// The worked example's carry-over is stated as made up.
		`<span class="label label--fictief">Fictief vervolg</span> Stel dat Utrecht uit het vorige halfjaar een achterstand van 40 personen meeneemt`,
		// Known deviations, with their sources, and not called small.
		`id="afwijkingen"`, `id="afwijking-waddeneilanden"`, `id="afwijking-eemsdelta"`, "100 procent te hoog",
		"https://www.debewonersraad.nl/huisvesting-statushouders", "westerwoldeactueel.nl",
		// Every class of the legend, te klein included.
		"<strong>te klein om te beoordelen</strong>", "<strong>ver achter op schema</strong>",
	} {
		if !strings.Contains(res.Body, template_escape(want)) && !strings.Contains(res.Body, want) {
			t.Errorf("/taakstelling lacks %q", want)
		}
	}
	// Missing periods and those without a national figure yet are frames with a
	// question mark, never bars of zero.
	if n := strings.Count(res.Body, `<g class="grafiek__ontbreekt">`); n != 2+len(pending) {
		t.Errorf("%d missing-period marks, want 2 and %d pending", n, len(pending))
	}
	if regexp.MustCompile(`<rect[^>]* height="0"`).MatchString(res.Body) {
		t.Error("a bar of height zero is drawn")
	}
	if n := strings.Count(res.Body, `class="grafiek__staaf grafiek__staaf--`); n != 18 {
		t.Errorf("%d bars, want 18 known totals", n)
	}
	// Every figure with its source and status.
	for _, p := range all {
		if p.SourceURL != "" && !strings.Contains(res.Body, `href="`+template_escape(p.SourceURL)+`"`) {
			t.Errorf("source of %s not linked", p.Code)
		}
	}
	if strings.Count(res.Body, `<span class="onbekend">niet gevonden</span>`) != 2 || !strings.Contains(res.Body, "<td>prognose</td>") ||
		!strings.Contains(res.Body, "<td>bijgesteld (officieel)</td>") || !strings.Contains(res.Body, "<td>afgeleid</td>") {
		t.Error("the table does not mark missing, forecast, adjusted and inferred totals")
	}
	if strings.Count(res.Body, `<span class="onbekend">nog geen landelijk cijfer</span>`) != len(pending) {
		t.Error("the half years after the last national figure end silently")
	}
	for _, bad := range []string{"verzonnen", "iets afwijken", "<strong>voorsprong</strong>:", "<strong>achterstand</strong>:"} {
		if strings.Contains(res.Body, bad) {
			t.Errorf("/taakstelling says %q", bad)
		}
	}
}

func TestHomeShowsNationalFiguresOfTheCurrentPeriod(t *testing.T) {
	app, store := newTestApp(t)
	pf := periodFigures(t, store, "2025-H2")
	res := get(t, app, "/")
	for _, want := range []string{`<span class="label label--fictief">Fictieve cijfers</span> Landelijk, 2e halfjaar 2025`, "Het meest recente halfjaar met cijfers",
		"Landelijke taakstelling 2e halfjaar 2025: 13.000 personen, vastgesteld.",
		"<dd>" + formatNumber(pf.Totals.Taakstelling) + "</dd>", "<dd>" + formatNumber(pf.Totals.Realised) + "</dd>",
		"<dd>" + formatNumber(pf.Totals.Remaining) + "</dd>", "fictieve cijfers", `href="/kaart?periode=2025-H2"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
}

func TestGemeentePanelListsTheNewestCasesAndLinksToAll(t *testing.T) {
	app, store := newTestApp(t)
	for i := range 10 {
		year := 2000 + i
		if _, err := store.CreateCase(context.Background(), db.CaseInput{Slug: fmt.Sprintf("amsterdam-%d", i), Title: fmt.Sprintf("Amsterdams voorbeeld %d", i),
			Summary: "Een samenvatting.", GemeenteCode: "GM0363", Year: &year, Kind: db.KindSolution, Status: db.StatusPublished}, nil); err != nil {
			t.Fatal(err)
		}
	}
	res := get(t, app, "/gemeenten/GM0363", htmx...)
	if n := strings.Count(res.Body, `<li><a href="/voorbeelden/`); n != panelCases {
		t.Errorf("the panel lists %d cases, want %d", n, panelCases)
	}
	all, err := store.FindCases(context.Background(), db.CaseFilter{Gemeenten: []string{"GM0363"}})
	if err != nil {
		t.Fatal(err)
	}
	if link := fmt.Sprintf(`<a href="/voorbeelden?gemeente=GM0363">Alle %d voorbeelden uit Amsterdam</a>`, all.Total); !strings.Contains(res.Body, link) {
		t.Errorf("no link to all %d cases of Amsterdam", all.Total)
	}
}
