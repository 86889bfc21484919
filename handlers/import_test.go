package handlers

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"opnieuwthuis/db"
)

// figureFixture gives the test database what the map's seed provides: the 2025
// division with its gemeenten, the period 2025-H1 and two fictitious realisations.
// INSERT OR IGNORE: where the real seed already has these rows, it is left as is.
func figureFixture(t testing.TB, store *db.DB) {
	t.Helper()
	raw := rawDB(t, store)
	for _, q := range []string{
		`INSERT OR IGNORE INTO divisions (year, view_box, source) VALUES (2025, '0 0 2710 3180', 'test')`,
		`INSERT OR IGNORE INTO division_gemeenten (division, code, name, province_code, population, label_x, label_y, path)
			SELECT 2025, code, name, province_code, population, 0, 0, 'M0 0z' FROM gemeenten`,
		`INSERT OR IGNORE INTO periods (code, division, national_total, total_status) VALUES ('2025-H1', 2025, 10000, 'vastgesteld')`,
		`INSERT OR IGNORE INTO realisaties (period, division, gemeente_code, peildatum, realised, basis) VALUES
			('2025-H1', 2025, 'GM0363', '2025-03-01', 17, 'fictief'), ('2025-H1', 2025, 'GM0344', '2025-03-01', 5, 'fictief')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// upload posts a file to the import form.
func (c *client) upload(period, filename string, content []byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", c.csrf)
	w.WriteField("periode", period)
	fw, _ := w.CreateFormFile("bestand", filename)
	fw.Write(content)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/beheer/cijfers", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.send(req)
}

const goodFigures = "gemeente_code;periode;taakstelling;peildatum;gerealiseerd;officieel\r\n" +
	"GM0363;2025-H1;1200;;;ja\r\n" +
	"GM0363;2025-H1;;2025-03-01;20;ja\r\n" +
	"GM0363;2025-H1;;2025-04-01;45;ja\r\n" +
	"GM0344;2025-H1;500;2025-02-01;10;ja\r\n"

func TestImportGoodFile(t *testing.T) {
	app, store := newTestApp(t)
	figureFixture(t, store)
	c := signedIn(t, app, store, "bea@gemeente.example", db.RoleAdmin)
	raw := rawDB(t, store)
	if page := c.get("/beheer/cijfers"); !strings.Contains(page.Body, `<option value="2025-H1"`) {
		t.Fatal("the period is not offered")
	}
	// Gemeenten with (fictitious) realisations now: all but the two in the file lose them.
	had := count(t, raw, "SELECT count(DISTINCT gemeente_code) FROM realisaties WHERE period = '2025-H1'")
	lost := had - 2

	res := c.upload("2025-H1", "cijfers.csv", []byte("\xef\xbb\xbf"+goodFigures))
	if res.StatusCode != 200 || !strings.Contains(res.Body, "Controleer: dit verandert er voor 2025-H1") {
		t.Fatalf("upload = %d %s", res.StatusCode, messages(res.Body))
	}
	body := html.UnescapeString(res.Body)
	for _, want := range []string{"2 gemeenten in het bestand", "fictieve realisaties van deze periode verdwijnen", "Realisatie tot 2025-04-01", "Amsterdam (GM0363)",
		// The effect in plain words, and an explicit extra confirmation.
		strconv.Itoa(lost) + " gemeenten krijgen ‘geen gegevens’ voor 1e halfjaar 2025, omdat officiële cijfers de fictieve vervangen",
		`name="begrepen" value="ja"`} {
		if !strings.Contains(body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	// Nothing is written before the editor confirms.
	if n := count(t, raw, "SELECT count(*) FROM realisaties WHERE basis = 'officieel'"); n != 0 {
		t.Fatal("the preview wrote figures")
	}
	m := regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatal("no confirm form")
	}
	// Without ticking "I understand": the preview again (422), nothing written.
	res = c.post("/beheer/cijfers/bevestigen", url.Values{"upload": {m[1]}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(res.Body), "Vink aan dat u begrijpt") {
		t.Fatalf("confirm without the extra confirmation = %d %s", res.StatusCode, messages(res.Body))
	}
	if n := count(t, raw, "SELECT count(*) FROM realisaties WHERE basis = 'officieel'"); n != 0 {
		t.Fatal("an unconfirmed destructive import wrote figures")
	}
	res = c.post("/beheer/cijfers/bevestigen", url.Values{"upload": {m[1]}, "begrepen": {"ja"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/beheer/cijfers?melding=geimporteerd&periode=2025-H1" {
		t.Fatalf("confirm = %d %q %s", res.StatusCode, res.Header.Get("Location"), messages(res.Body))
	}
	// The result links to the map and the table of the period.
	done := c.get(res.Header.Get("Location")).Body
	if !strings.Contains(done, `href="/kaart?periode=2025-H1"`) || !strings.Contains(done, `href="/kaart/tabel?periode=2025-H1"`) {
		t.Error("no links to the map and table of the imported period")
	}
	if n := count(t, raw, "SELECT count(*) FROM taakstellingen WHERE period = '2025-H1' AND gemeente_code = 'GM0363' AND amount = 1200 AND basis = 'officieel'"); n != 1 {
		t.Error("taakstelling not written")
	}
	if n := count(t, raw, "SELECT count(*) FROM realisaties WHERE period = '2025-H1' AND gemeente_code = 'GM0363' AND peildatum = '2025-03-01' AND realised = 20 AND basis = 'officieel'"); n != 1 {
		t.Error("realisation not written")
	}
	// Official figures replace the fictitious ones of the period: no "fictief" left.
	if n := count(t, raw, "SELECT count(*) FROM realisaties WHERE period = '2025-H1' AND basis = 'fictief'"); n != 0 {
		t.Errorf("%d fictitious realisations left", n)
	}
	if n := count(t, raw, "SELECT count(*) FROM audit_log WHERE action = 'import' AND subject = 'cijfers 2025-H1' AND detail LIKE 'cijfers.csv: 2 gemeenten%'"); n != 1 {
		t.Error("import not audited")
	}
	if n := count(t, raw, "SELECT count(*) FROM figure_uploads"); n != 0 {
		t.Error("the upload was kept after the import")
	}
	// The same upload cannot be imported twice.
	if res := c.post("/beheer/cijfers/bevestigen", url.Values{"upload": {m[1]}}); res.StatusCode != 404 {
		t.Errorf("second confirm = %d", res.StatusCode)
	}
	// Importing the same file again changes nothing, and loses nothing more.
	again := html.UnescapeString(c.upload("2025-H1", "cijfers.csv", []byte(goodFigures)).Body)
	if !strings.Contains(again, "0 nieuwe cijfers, 0 gewijzigde, 5 ongewijzigd") || strings.Contains(again, "‘geen gegevens’ voor") {
		t.Errorf("re-upload preview: %s", messages(again))
	}
}

// A redacteur may import figures that lose nothing, but not an import that leaves
// gemeenten without the figures they have: the preview says so, and the
// confirmation is refused.
func TestImportThatLosesFiguresNeedsABeheerder(t *testing.T) {
	_, store, c := editorApp(t)
	figureFixture(t, store)
	raw := rawDB(t, store)
	res := c.upload("2025-H1", "cijfers.csv", []byte(goodFigures))
	body := html.UnescapeString(res.Body)
	if res.StatusCode != 200 || !strings.Contains(body, "alleen een beheerder hem bevestigen") || strings.Contains(body, `action="/beheer/cijfers/bevestigen" method="post" class="inline-form confirm-form"`) {
		t.Fatalf("redacteur's preview of a destructive import = %d %s", res.StatusCode, messages(res.Body))
	}
	m := regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatal("no cancel form")
	}
	res = c.post("/beheer/cijfers/bevestigen", url.Values{"upload": {m[1]}, "begrepen": {"ja"}})
	if res.StatusCode != http.StatusForbidden || count(t, raw, "SELECT count(*) FROM realisaties WHERE basis = 'officieel'") != 0 {
		t.Fatalf("redacteur confirmed a destructive import: %d", res.StatusCode)
	}
	// Taakstellingen only lose nothing: a redacteur imports them.
	res = c.upload("2025-H1", "taak.csv", []byte("gemeente_code,periode,taakstelling,officieel\nGM0363,2025-H1,1300,ja\n"))
	m = regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`).FindStringSubmatch(res.Body)
	if m == nil || strings.Contains(html.UnescapeString(res.Body), "‘geen gegevens’ voor") {
		t.Fatalf("taakstelling preview: %s", messages(res.Body))
	}
	if res := c.post("/beheer/cijfers/bevestigen", url.Values{"upload": {m[1]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("taakstelling import = %d %s", res.StatusCode, messages(res.Body))
	}
}

// Every import is in the history (who, when, what); undo puts the period's
// figures back exactly as they were, in one transaction, audited; only the latest
// import of a period can be undone, by its editor or a beheerder.
func TestImportHistoryAndUndo(t *testing.T) {
	app, store := newTestApp(t)
	figureFixture(t, store)
	addUser(t, store, "bea@gemeente.example", db.RoleAdmin)
	addUser(t, store, "kees@gemeente.example", db.RoleEditor)
	c := signIn(t, app, "bea@gemeente.example")
	raw := rawDB(t, store)
	snapshot := func() string {
		var out []string
		for _, q := range []string{
			"SELECT gemeente_code || ':' || amount || ':' || basis FROM taakstellingen WHERE period = '2025-H1' ORDER BY 1",
			"SELECT gemeente_code || ':' || peildatum || ':' || realised || ':' || basis FROM realisaties WHERE period = '2025-H1' ORDER BY 1",
		} {
			rows, err := raw.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				rows.Scan(&s)
				out = append(out, s)
			}
			rows.Close()
		}
		return strings.Join(out, "\n")
	}
	before := snapshot()
	confirm := func(c *client, content string) {
		t.Helper()
		res := c.upload("2025-H1", "cijfers.csv", []byte(content))
		m := regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`).FindStringSubmatch(res.Body)
		if m == nil {
			t.Fatalf("upload: %s", messages(res.Body))
		}
		if res := c.post("/beheer/cijfers/bevestigen", url.Values{"upload": {m[1]}, "begrepen": {"ja"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm = %d %s", res.StatusCode, messages(res.Body))
		}
	}
	confirm(c, goodFigures)
	afterFirst := snapshot()
	if afterFirst == before {
		t.Fatal("the import changed nothing")
	}
	confirm(c, "gemeente_code,periode,taakstelling,officieel\nGM0363,2025-H1,1500,ja\n")
	page := html.UnescapeString(c.get("/beheer/cijfers").Body)
	for _, want := range []string{"Eerdere imports", "bea", "1e halfjaar 2025", "cijfers.csv: 2 gemeenten", "cijfers.csv: 1 gemeenten"} {
		if !strings.Contains(page, want) {
			t.Errorf("import history lacks %q", want)
		}
	}
	ids := regexp.MustCompile(`action="/beheer/cijfers/(\d+)/ongedaan"`).FindAllStringSubmatch(page, -1)
	if len(ids) != 1 {
		t.Fatalf("%d undo buttons, want 1: only the latest import of a period can be undone", len(ids))
	}
	var first, second string
	if err := raw.QueryRow("SELECT min(id), max(id) FROM figure_imports").Scan(&first, &second); err != nil {
		t.Fatal(err)
	}
	if ids[0][1] != second {
		t.Fatalf("undo offered for import %s, want the latest (%s)", ids[0][1], second)
	}
	// The older one cannot be undone before the newer.
	if res := c.post("/beheer/cijfers/"+first+"/ongedaan", nil); res.StatusCode != http.StatusConflict || snapshot() == before {
		t.Fatalf("undo of the older import = %d", res.StatusCode)
	}
	// Someone else's import is not a redacteur's to undo.
	kees := signIn(t, app, "kees@gemeente.example")
	if res := kees.post("/beheer/cijfers/"+second+"/ongedaan", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("another redacteur's undo = %d", res.StatusCode)
	}
	res := c.post("/beheer/cijfers/"+second+"/ongedaan", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/beheer/cijfers?melding=ongedaan&periode=2025-H1" {
		t.Fatalf("undo = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if snapshot() != afterFirst {
		t.Fatal("undoing the second import did not bring back the figures after the first")
	}
	if res := c.post("/beheer/cijfers/"+first+"/ongedaan", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("undo of the first import = %d", res.StatusCode)
	}
	if snapshot() != before {
		t.Fatal("undoing both imports did not bring back the figures as they were")
	}
	if n := count(t, raw, "SELECT count(*) FROM audit_log WHERE action = 'import_undo' AND subject = 'cijfers 2025-H1'"); n != 2 {
		t.Errorf("%d undos audited, want 2", n)
	}
	page = html.UnescapeString(c.get("/beheer/cijfers?melding=ongedaan&periode=2025-H1").Body)
	if strings.Count(page, "Ongedaan gemaakt door bea") != 2 || !strings.Contains(page, "De import is ongedaan gemaakt") {
		t.Error("the history does not show the undos")
	}
	// Undone twice: refused.
	if res := c.post("/beheer/cijfers/"+first+"/ongedaan", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("second undo = %d", res.StatusCode)
	}
}

// The import page offers a template CSV with the header row and example rows that
// the import itself accepts.
func TestImportTemplate(t *testing.T) {
	app, store := newTestApp(t)
	figureFixture(t, store)
	c := signedIn(t, app, store, "bea@gemeente.example", db.RoleAdmin)
	if page := c.get("/beheer/cijfers"); !strings.Contains(page.Body, "/beheer/cijfers/sjabloon.csv") || !strings.Contains(page.Body, "GM0363,2025-H2,1234,,,ja") {
		t.Fatal("the import page offers no template or example row")
	}
	res := c.get("/beheer/cijfers/sjabloon.csv?periode=2025-H1")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("template = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(res.Body, "gemeente_code,periode,taakstelling,peildatum,gerealiseerd,officieel\r\n") || !strings.Contains(res.Body, "GM0363,2025-H1,,2025-02-01,120,ja") {
		t.Fatalf("template = %q", res.Body)
	}
	// The template's rows pass the import's checks.
	if up := c.upload("2025-H1", "sjabloon.csv", []byte(res.Body)); up.StatusCode != 200 || !strings.Contains(up.Body, "Controleer: dit verandert er") {
		t.Fatalf("the template does not import: %d %s", up.StatusCode, messages(up.Body))
	}
}

func TestImportBadFileWritesNothing(t *testing.T) {
	_, store, c := editorApp(t)
	figureFixture(t, store)
	c.get("/beheer/cijfers")
	raw := rawDB(t, store)
	before := count(t, raw, "SELECT count(*) FROM taakstellingen") + count(t, raw, "SELECT count(*) FROM realisaties")

	bad := "gemeente_code,periode,taakstelling,peildatum,gerealiseerd,officieel\n" +
		"GM0363,2025-H1,1200,,,ja\n" + // 2: fine
		"GM9999,2025-H1,10,,,ja\n" + // 3: unknown code
		"GM0344,2025-H1,veel,,,ja\n" + // 4: not a number
		"GM0363,2025-H1,1300,,,ja\n" + // 5: duplicate of line 2
		"GM0599,2024-H2,10,,,ja\n" + // 6: wrong period
		"GM0599,2025-H1,,2025-09-01,3,ja\n" + // 7: peildatum outside the period
		"GM0518,2025-H1,,2025-03-01,abc,ja\n" + // 8: not a number
		"GM0518,2025-H1,,2025-04-01,4,misschien\n" + // 9: official flag
		"GM0014,2025-H1,,2025-04-01,9,ja\n" +
		"GM0014,2025-H1,,2025-05-01,7,ja\n" // 11: cumulative count goes down
	res := c.upload("2025-H1", "fout.csv", []byte(bad))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad file = %d", res.StatusCode)
	}
	body := html.UnescapeString(res.Body)
	for _, want := range []string{
		"Regel 3: Onbekende gemeentecode ‘GM9999’",
		"Regel 4: De taakstelling ‘veel’ is geen geheel getal",
		"Regel 5: Dubbele regel: de taakstelling van GM0363 staat ook op regel 2.",
		"Regel 6: Verkeerde periode ‘2024-H2’",
		"Regel 7: Ongeldige peildatum ‘2025-09-01’",
		"Regel 8: Het aantal gerealiseerd ‘abc’ is geen geheel getal",
		"Regel 9: Vul bij ‘officieel’ ja of nee in.",
		"Regel 11: Het aantal gerealiseerd van GM0014 op 2025-05-01 (7) is lager dan op 2025-04-01 (9)",
		"Er is niets opgeslagen.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(body, "Regel 2:") {
		t.Error("a good line is reported")
	}
	after := count(t, raw, "SELECT count(*) FROM taakstellingen") + count(t, raw, "SELECT count(*) FROM realisaties")
	if after != before || count(t, raw, "SELECT count(*) FROM figure_uploads") != 0 {
		t.Fatal("a bad file wrote something")
	}

	// A file without the required columns, an empty file, an unknown period.
	for name, tc := range map[string]struct{ period, file, want string }{
		"header":  {"2025-H1", "code,jaar\nGM0363,2025\n", "De kolom ‘gemeente_code’ ontbreekt in de kopregel."},
		"empty":   {"2025-H1", "", "Bestand: Het bestand is leeg."},
		"period":  {"2031-H1", goodFigures, "Kies de periode waarvoor u cijfers inleest."},
		"nothing": {"2025-H1", "gemeente_code,periode,taakstelling,officieel\n", "Het bestand bevat geen regels met cijfers."},
	} {
		res := c.upload(tc.period, "x.csv", []byte(tc.file))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(res.Body), tc.want) {
			t.Errorf("%s: %d %s", name, res.StatusCode, messages(res.Body))
		}
	}
}

func TestImportTooLarge(t *testing.T) {
	_, store, c := editorApp(t)
	figureFixture(t, store)
	c.get("/beheer/cijfers")
	big := bytes.Repeat([]byte("GM0363;2025-H1;1200;;;ja\n"), db.MaxImportBytes/25+10)
	res := c.upload("2025-H1", "groot.csv", big)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "groter dan 5 MB") {
		t.Fatalf("5 MB+ file = %d %s", res.StatusCode, messages(res.Body))
	}
	if n := count(t, rawDB(t, store), "SELECT count(*) FROM figure_uploads"); n != 0 {
		t.Fatal("a refused file was stored")
	}
}

func TestImportCancel(t *testing.T) {
	app, store, c := editorApp(t)
	figureFixture(t, store)
	c.get("/beheer/cijfers")
	res := c.upload("2025-H1", "cijfers.csv", []byte(goodFigures))
	id := regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`).FindStringSubmatch(res.Body)[1]
	// Another editor cannot confirm someone else's upload.
	kees := signedIn(t, app, store, "kees@gemeente.example", db.RoleEditor)
	if res := kees.post("/beheer/cijfers/bevestigen", url.Values{"upload": {id}}); res.StatusCode != 404 {
		t.Errorf("someone else's upload = %d", res.StatusCode)
	}
	res = c.post("/beheer/cijfers/bevestigen", url.Values{"upload": {id}, "actie": {"annuleren"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel = %d", res.StatusCode)
	}
	raw := rawDB(t, store)
	if count(t, raw, "SELECT count(*) FROM figure_uploads")+count(t, raw, "SELECT count(*) FROM realisaties WHERE basis = 'officieel'") != 0 {
		t.Fatal("cancel left something behind")
	}
}

// A quote error in the first field of a data line is a bad line like any other
// (it used to crash the handler: the reader has no field positions after it).
func TestImportQuoteErrorInFirstField(t *testing.T) {
	_, store, c := editorApp(t)
	figureFixture(t, store)
	c.get("/beheer/cijfers")
	head := "gemeente_code,periode,taakstelling,peildatum,gerealiseerd,officieel\n" +
		"GM0363,2025-H1,1200,,,ja\n"
	for name, line := range map[string]string{
		"bare quote":        "GM\"0014,2025-H1,10,,,ja\n",
		"text after quotes": "\"GM0014\"x,2025-H1,10,,,ja\n",
		"unclosed at end":   "\"GM0014,2025-H1,10,,,ja\n",
		"second field":      "GM0014,2025\"-H1,10,,,ja\n",
	} {
		t.Run(name, func(t *testing.T) {
			res := c.upload("2025-H1", "fout.csv", []byte(head+line))
			body := html.UnescapeString(res.Body)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Regel 3: Deze regel is geen geldige CSV") {
				t.Fatalf("= %d %s", res.StatusCode, messages(res.Body))
			}
		})
	}
}
