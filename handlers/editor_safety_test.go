package handlers

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"opnieuwthuis/db"
)

var formKeyInput = regexp.MustCompile(`name="version" value="\d*">\s*<input type="hidden" name="formsleutel" value="([^"]+)"`)

// formKey is the key of the case form on a page.
func formKey(t testing.TB, body string) string {
	t.Helper()
	m := formKeyInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no form key in the case form")
	}
	return m[1]
}

// The action bar offers per status and role only what may be done, each button
// saying what it does; the confirmation says where the case now is, with a link.
func TestCaseActionsAndWhereTheCaseIs(t *testing.T) {
	for _, tc := range []struct {
		role, from string
		want       []string
	}{
		{db.RoleEditor, "", []string{"Opslaan als concept", "Opslaan en publiceren", "Ter beoordeling aanbieden"}},
		{db.RoleEditor, db.StatusDraft, []string{"Opslaan als concept", "Opslaan en publiceren", "Ter beoordeling aanbieden", "Archiveren"}},
		{db.RoleEditor, db.StatusSubmitted, []string{"Opslaan en publiceren", "Opslaan, blijft ter beoordeling", "Opslaan als concept"}},
		{db.RoleEditor, db.StatusPublished, []string{"Opslaan en gepubliceerd laten", "Offline halen", "Archiveren"}},
		{db.RoleEditor, db.StatusArchived, []string{"Opslaan, blijft gearchiveerd"}},
		{db.RoleAdmin, db.StatusArchived, []string{"Opslaan, blijft gearchiveerd", "Terughalen als concept", "Opslaan en publiceren"}},
	} {
		var got []string
		for _, a := range caseActions(tc.role, tc.from) {
			got = append(got, a.Label)
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s from %q: %v, want %v", tc.role, tc.from, got, tc.want)
		}
	}

	app, store, c := editorApp(t)
	form := caseValues("Kamers boven de bibliotheek")
	id := c.createCase(form)
	page := html.UnescapeString(c.get("/beheer/voorbeelden/" + id + "?melding=aangemaakt").Body)
	for _, want := range []string{"Het voorbeeld is aangemaakt. Het is een concept en staat niet op de site.",
		`href="/beheer/voorbeelden/` + id + `/bekijken">Bekijk zoals het op de site komt`,
		`name="status" value="concept" id="f-status">Opslaan als concept`, `name="status" value="gepubliceerd" class="button--secondary">Opslaan en publiceren`} {
		if !strings.Contains(page, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	if strings.Contains(page, `<select id="f-status"`) {
		t.Error("the status is still a dropdown")
	}
	// Publish through the button: the notice says it is on the site, with the link.
	form.Set("version", versionOf(t, page))
	form.Set("status", db.StatusPublished)
	res := c.post("/beheer/voorbeelden/"+id, form)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "melding=gepubliceerd") {
		t.Fatalf("publish = %d %q", res.StatusCode, loc)
	}
	page = html.UnescapeString(c.get(res.Header.Get("Location")).Body)
	if !strings.Contains(page, "Het voorbeeld is gepubliceerd. Het staat nu op de site.") || !strings.Contains(page, `<a href="/voorbeelden/kamers-boven-de-bibliotheek">Bekijk het op de site</a>`) {
		t.Errorf("publish notice: %s", page[strings.Index(page, `class="notice"`):][:300])
	}
	// Offline halen: concept again, and the notice says it is gone from the site.
	form.Set("version", versionOf(t, page))
	form.Set("status", db.StatusDraft)
	res = c.post("/beheer/voorbeelden/"+id, form)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "melding=offline") {
		t.Fatalf("offline = %d %q", res.StatusCode, loc)
	}
	page = html.UnescapeString(c.get(res.Header.Get("Location")).Body)
	if !strings.Contains(page, "Het voorbeeld is offline gehaald. Het is een concept en staat niet op de site.") {
		t.Error("no 'offline gehaald' notice")
	}
	if get(t, app, "/voorbeelden/kamers-boven-de-bibliotheek").StatusCode != 404 {
		t.Error("the case is still on the site")
	}
	// A save without a button (Enter) keeps the status.
	form.Set("version", versionOf(t, page))
	form.Del("status")
	form.Set("title", "Kamers boven de openbare bibliotheek")
	if res := c.post("/beheer/voorbeelden/"+id, form); !strings.HasSuffix(res.Header.Get("Location"), "melding=opgeslagen") {
		t.Fatalf("save without a status = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if cs, _ := store.FindCaseByID(t.Context(), mustInt(t, id)); cs.Status != db.StatusDraft {
		t.Fatalf("status after a save without a button = %s", cs.Status)
	}
}

// "Publiceren" on a tip saves the form as it is on screen: edited title and a
// ticked theme go live, and the tipper's details go (which the page says first).
func TestPublishTipPublishesTheEdits(t *testing.T) {
	c, a, store := tipApp(t)
	c.sendTip(tipValues(t, a, "Buddy's in de wijk"))
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	ed := signIn(t, c.app, "ria@gemeente.example")
	raw := rawDB(t, store)
	var id string
	if err := raw.QueryRow("SELECT id FROM cases WHERE title = ?", "Buddy's in de wijk").Scan(&id); err != nil {
		t.Fatal(err)
	}
	page := ed.get("/beheer/voorbeelden/" + id)
	body := html.UnescapeString(page.Body)
	for _, want := range []string{`<button type="submit" form="case-form" name="status" value="gepubliceerd" aria-describedby="publish-tip-note">Publiceren</button>`,
		"bij publiceren of afwijzen worden de naam en het e-mailadres van de tipgever verwijderd", "anna.tipgever@example.org", `id="case-form"`} {
		if !strings.Contains(body, want) {
			t.Errorf("tip form lacks %q", want)
		}
	}
	// The form as the editor left it: a new title, a theme ticked, a longer summary.
	form := url.Values{"id": {id}, "version": {versionOf(t, page.Body)}, "formsleutel": {formKey(t, page.Body)},
		"title": {"Buddy's helpen nieuwkomers in Zeist"}, "summary": {"Buren helpen nieuwkomers de eerste maanden op weg, met vaste koppels en een vrijwilligerscoördinator."},
		"body": {"## Waarom\n\nHet werkt."}, "gemeente": {"Zeist"}, "themes": {"participatie-en-werk"}, "kind": {"aanpak"}, "status": {db.StatusPublished}}
	res := ed.post("/beheer/voorbeelden/"+id, form)
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "melding=gepubliceerd") {
		t.Fatalf("publish = %d %s", res.StatusCode, messages(res.Body))
	}
	cs, err := store.FindCaseByID(t.Context(), mustInt(t, id))
	if err != nil || cs.Status != db.StatusPublished || cs.Title != "Buddy's helpen nieuwkomers in Zeist" || len(cs.Themes) != 1 || cs.Themes[0].Slug != "participatie-en-werk" {
		t.Fatalf("published = %+v %v", cs, err)
	}
	if n := count(t, raw, "SELECT count(*) FROM case_tippers WHERE case_id = ?", id); n != 0 {
		t.Error("the tipper's details were kept after publishing")
	}
}

// A save that arrives after the session ended keeps the form (as a draft of the
// account that opened it), sends the editor to sign in with a word about it, and
// the sign-in leads back to the form with the text.
func TestExpiredSessionSaveComesBackAfterSignIn(t *testing.T) {
	app, store, c := editorApp(t)
	id := c.createCase(caseValues("Wonen op de werf"))
	page := c.get("/beheer/voorbeelden/" + id)
	key := formKey(t, page.Body)
	form := caseValues("Wonen op de werf")
	form.Set("id", id)
	form.Set("version", versionOf(t, page.Body))
	form.Set("formsleutel", key)
	form.Set("body", "Een lange tekst die de redacteur een half uur kostte.")
	form.Set("status", db.StatusPublished)

	// The session ends (30 minutes idle).
	if _, err := rawDB(t, store).Exec("DELETE FROM sessions"); err != nil {
		t.Fatal(err)
	}
	res := c.post("/beheer/voorbeelden/"+id, form)
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || loc.Path != "/inloggen" || loc.Query().Get("reden") != "bewaard" ||
		loc.Query().Get("terug") != "/beheer/voorbeelden/"+id+"?klad="+key {
		t.Fatalf("expired save = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if cs, _ := store.FindCaseByID(t.Context(), mustInt(t, id)); cs.Status != db.StatusDraft || strings.Contains(cs.Body, "half uur") {
		t.Fatal("a save without a session changed the case")
	}
	login := html.UnescapeString(c.get(res.Header.Get("Location")).Body)
	if !strings.Contains(login, "Wat u in het formulier typte is wel bewaard") {
		t.Error("the sign-in page does not say the text was kept")
	}
	// Another editor signing in with that address gets nothing of it.
	addUser(t, store, "kees@gemeente.example", db.RoleEditor)
	kees := newClient(t, app)
	kres := kees.login("kees@gemeente.example", testPassword, "terug", loc.Query().Get("terug"))
	if kpage := kees.get(kres.Header.Get("Location")); strings.Contains(kpage.Body, "half uur") || !strings.Contains(html.UnescapeString(kpage.Body), "Die niet-opgeslagen versie is er niet meer") {
		t.Fatal("another account got the kept text")
	}
	// The editor signs in: back on the form, with the text, marked as not saved.
	res = c.login("ria@gemeente.example", testPassword, "terug", loc.Query().Get("terug"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != loc.Query().Get("terug") {
		t.Fatalf("sign-in = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	page = c.get(res.Header.Get("Location"))
	body := html.UnescapeString(page.Body)
	if !strings.Contains(body, "Een lange tekst die de redacteur een half uur kostte.") || !strings.Contains(body, "Dit is uw niet-opgeslagen versie") {
		t.Fatal("the form came back without the text")
	}
	// Saving it works, and the draft is done.
	form.Set("_csrf", c.csrf)
	form.Set("formsleutel", formKey(t, page.Body))
	c.updateCase(id, form)
	if cs, _ := store.FindCaseByID(t.Context(), mustInt(t, id)); cs.Status != db.StatusPublished || !strings.Contains(cs.Body, "half uur") {
		t.Fatal("the kept text was not saved")
	}
	if strings.Contains(c.get("/beheer/voorbeelden/"+id).Body, "U heeft niet-opgeslagen wijzigingen") {
		t.Error("a saved draft is offered again")
	}

	// A forged form key, or a post from another site, keeps nothing.
	if _, err := rawDB(t, store).Exec("DELETE FROM sessions"); err != nil {
		t.Fatal(err)
	}
	before := count(t, rawDB(t, store), "SELECT count(*) FROM case_drafts")
	form.Set("formsleutel", key[:len(key)-4]+"AAAA")
	if res := c.post("/beheer/voorbeelden/"+id, form); !strings.HasPrefix(res.Header.Get("Location"), "/inloggen") || strings.Contains(res.Header.Get("Location"), "klad") {
		t.Fatalf("forged key: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	form.Set("formsleutel", key)
	if res := c.post("/beheer/voorbeelden/"+id, form, "Sec-Fetch-Site", "cross-site"); strings.Contains(res.Header.Get("Location"), "klad") {
		t.Fatalf("cross-site post was kept: %q", res.Header.Get("Location"))
	}
	if n := count(t, rawDB(t, store), "SELECT count(*) FROM case_drafts"); n != before {
		t.Fatalf("%d drafts kept from refused posts", n-before)
	}
}

// The autosave keeps the form on the server as the editor types; the form offers
// it back; a save ends it; the autosave of an ended session is kept and answered
// in place (no redirect).
func TestAutosaveDraftOfferedBackAndDoneOnSave(t *testing.T) {
	app, store, c := editorApp(t)
	page := c.get("/beheer/voorbeelden/nieuw")
	if !strings.Contains(page.Body, `hx-post="/beheer/voorbeelden/bewaren" hx-trigger="input delay:3s"`) {
		t.Fatal("the form does not autosave")
	}
	key := formKey(t, page.Body)
	form := caseValues("Een half geschreven voorbeeld")
	form.Set("formsleutel", key)
	res := c.post("/beheer/voorbeelden/bewaren", form, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if res.StatusCode != 200 || !strings.Contains(res.Body, "Automatisch bewaard om") || strings.Contains(res.Body, "<html") {
		t.Fatalf("autosave = %d %s", res.StatusCode, res.Body)
	}
	if res.Header.Get("X-Sessie-Seconden") == "" {
		t.Error("the answer does not say how long the session lasts")
	}
	// Another account's key is refused.
	kees := signedIn(t, app, store, "kees@gemeente.example", db.RoleEditor)
	if res := kees.post("/beheer/voorbeelden/bewaren", form, "HX-Request", "true", "X-Csrf-Token", kees.csrf); !strings.Contains(res.Body, "lukt niet") {
		t.Fatalf("autosave with another's key: %s", res.Body)
	}
	// Back on "Nieuw voorbeeld": the draft is offered; following the link restores it.
	page = c.get("/beheer/voorbeelden/nieuw")
	body := html.UnescapeString(page.Body)
	if !strings.Contains(body, "U heeft niet-opgeslagen wijzigingen") || !strings.Contains(body, "/beheer/voorbeelden/nieuw?klad="+key) {
		t.Fatal("the draft is not offered back")
	}
	if strings.Contains(html.UnescapeString(kees.get("/beheer/voorbeelden/nieuw").Body), "U heeft niet-opgeslagen wijzigingen") {
		t.Error("another editor is offered the draft")
	}
	page = c.get("/beheer/voorbeelden/nieuw?klad=" + url.QueryEscape(key))
	if !strings.Contains(page.Body, `value="Een half geschreven voorbeeld"`) || formKey(t, page.Body) != key {
		t.Fatal("the draft was not restored into the form")
	}
	// Saving ends it: no offer any more, and a late autosave does not revive it.
	form.Set("_csrf", c.csrf)
	id := c.createCase(form)
	c.post("/beheer/voorbeelden/bewaren", form, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if strings.Contains(c.get("/beheer/voorbeelden/nieuw").Body, "niet-opgeslagen wijzigingen") {
		t.Error("the saved draft is still offered")
	}
	// Throw away a draft of an existing case.
	page = c.get("/beheer/voorbeelden/" + id)
	key = formKey(t, page.Body)
	edit := caseValues("Een half geschreven voorbeeld")
	edit.Set("id", id)
	edit.Set("formsleutel", key)
	edit.Set("body", "Nog niet af.")
	c.post("/beheer/voorbeelden/bewaren", edit, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if !strings.Contains(c.get("/beheer/voorbeelden/"+id).Body, "niet-opgeslagen wijzigingen") {
		t.Fatal("the draft of an existing case is not offered")
	}
	res = c.post("/beheer/voorbeelden/klad/weggooien", url.Values{"formsleutel": {key}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/beheer/voorbeelden/"+id+"?melding=weggegooid" {
		t.Fatalf("discard = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if strings.Contains(c.get("/beheer/voorbeelden/"+id).Body, "niet-opgeslagen wijzigingen") {
		t.Error("a discarded draft is offered")
	}

	// The session ends while typing: the autosave keeps the text and says so in
	// place, with a sign-in link back to the form; no redirect.
	edit.Set("body", "Getypt na het verlopen van de sessie.")
	if _, err := rawDB(t, store).Exec("DELETE FROM sessions"); err != nil {
		t.Fatal(err)
	}
	res = c.post("/beheer/voorbeelden/bewaren", edit, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if res.StatusCode != 200 || res.Header.Get("HX-Redirect") != "" || !strings.Contains(res.Body, "Uw sessie is verlopen") ||
		!strings.Contains(res.Body, url.QueryEscape("/beheer/voorbeelden/"+id+"?klad=")) || res.Header.Get("HX-Trigger") != "sessie-verlopen" {
		t.Fatalf("autosave after the session = %d %q %s", res.StatusCode, res.Header.Get("HX-Redirect"), res.Body)
	}
	c = signIn(t, app, "ria@gemeente.example")
	if !strings.Contains(c.get("/beheer/voorbeelden/"+id+"?klad="+url.QueryEscape(key)).Body, "Getypt na het verlopen van de sessie.") {
		t.Fatal("the autosave of an ended session was not kept")
	}
	// A form from before this sign-in (its CSRF token is the old session's): the
	// save is not refused blindly; the form comes back with its text.
	edit.Set("_csrf", "een-oud-token")
	edit.Set("body", "Opgeslagen met een oud token.")
	edit.Set("status", db.StatusDraft)
	res = c.post("/beheer/voorbeelden/"+id, edit)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/beheer/voorbeelden/"+id+"?klad="+url.QueryEscape(key) {
		t.Fatalf("save with an old token = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if !strings.Contains(c.get(res.Header.Get("Location")).Body, "Opgeslagen met een oud token.") {
		t.Fatal("the text of the old form was lost")
	}
}

// The session can be extended, and every editor page says when it ends.
func TestSessionExtendAndWarning(t *testing.T) {
	_, store, c := editorApp(t)
	page := c.get("/beheer")
	m := regexp.MustCompile(`id="sessie-waarschuwing" role="alert" data-seconden="(\d+)"`).FindStringSubmatch(page.Body)
	if m == nil || !strings.Contains(page.Body, "/static/beheer.js") {
		t.Fatal("no session warning on the editor pages")
	}
	if n, _ := strconv.Atoi(m[1]); n < 1700 || n > 1800 {
		t.Errorf("session lasts %d s, want about 30 minutes", n)
	}
	// Age the session's last move by 20 minutes, then extend.
	raw := rawDB(t, store)
	if _, err := raw.Exec("UPDATE sessions SET expires_at = expires_at - 1200"); err != nil {
		t.Fatal(err)
	}
	res := c.post("/beheer/sessie", nil, "X-Csrf-Token", c.csrf)
	var v struct{ Seconden int }
	if err := json.Unmarshal([]byte(res.Body), &v); err != nil || res.StatusCode != 200 || v.Seconden < 1700 {
		t.Fatalf("extend = %d %s", res.StatusCode, res.Body)
	}
	var expires int64
	raw.QueryRow("SELECT max(expires_at) FROM sessions").Scan(&expires)
	if left := time.Until(time.Unix(expires, 0)); left < 29*time.Minute {
		t.Errorf("the session lasts %s after extending", left)
	}
	if res := c.post("/beheer/sessie", url.Values{"_csrf": {""}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("extend without the CSRF token = %d", res.StatusCode)
	}
}

// The gemeente field of the case form and /tip takes the names the map's search
// takes, and stores the CBS code.
func TestGemeenteEverydayNames(t *testing.T) {
	_, store, c := editorApp(t)
	raw := rawDB(t, store)
	for i, tc := range []struct{ typed, code string }{
		{"Den Haag", "GM0518"}, {"den bosch", "GM0796"}, {"Sudwest Fryslan", "GM1900"}, {"Hengelo", "GM0164"},
		{"'s-Gravenhage", "GM0518"}, {"GM0363", "GM0363"}, {"0344", "GM0344"}, {"Utrecht (GM0344)", "GM0344"},
	} {
		form := caseValues("Gemeentenaam " + strconv.Itoa(i))
		form.Set("gemeente", tc.typed)
		id := c.createCase(form)
		if n := count(t, raw, "SELECT count(*) FROM cases WHERE id = ? AND gemeente_code = ?", id, tc.code); n != 1 {
			t.Errorf("%q not stored as %s", tc.typed, tc.code)
		}
	}
	// Inline, the understood name is written out as the list gives it.
	form := caseValues("Inline")
	form.Set("gemeente", "Den Bosch")
	res := c.post("/beheer/voorbeelden/valideer?veld=gemeente", form, "HX-Request", "true", "X-Csrf-Token", c.csrf)
	if !strings.Contains(html.UnescapeString(res.Body), `value="'s-Hertogenbosch (GM0796)"`) || strings.Contains(res.Body, "aria-invalid") {
		t.Fatalf("inline Den Bosch: %s", res.Body)
	}
	// Several fit: the message names them.
	form.Set("gemeente", "Bergen")
	c.createInvalid(t, form, "Meerdere gemeenten passen bij ‘Bergen’: Bergen (L.) (Limburg), Bergen (NH.) (Noord-Holland)")
	// The form's field has no htmx trigger that cancels its own request
	// (htmx:sendAbort on leaving the field).
	if page := c.get("/beheer/voorbeelden/nieuw").Body; !strings.Contains(page, `hx-post="/beheer/voorbeelden/valideer?veld=gemeente" hx-trigger="change" hx-target`) {
		t.Error("the gemeente field still validates on change and blur")
	}
	// The tip form too.
	tc, a, tstore := tipApp(t)
	tip := tipValues(t, a, "Een tip uit Den Haag")
	tip.Set("gemeente", "Den Haag")
	tc.sendTip(tip)
	if n := count(t, rawDB(t, tstore), "SELECT count(*) FROM cases WHERE title = 'Een tip uit Den Haag' AND gemeente_code = 'GM0518'"); n != 1 {
		t.Error("the tip's gemeente was not stored as GM0518")
	}
}

// A tip sent too fast says to wait a few seconds; sending it again after that works,
// with the form's own token.
func TestTipTooFastThenRetry(t *testing.T) {
	c, a, store := tipApp(t)
	form := tipValues(t, a, "Snel getipt")
	form.Set("_token", a.h.formToken(purposeTip, time.Now().Add(-time.Second)))
	res := c.post("/tip", form)
	body := html.UnescapeString(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "wacht een paar seconden") || !strings.Contains(body, `id="fouten" autofocus`) {
		t.Fatalf("too fast: %d %s", res.StatusCode, messages(res.Body))
	}
	m := tokenInput.FindStringSubmatch(res.Body)
	if m == nil || m[1] != form.Get("_token") {
		t.Fatal("the form did not come back with its own token")
	}
	// The same token, as if a few seconds had passed since the form was opened.
	form.Set("_token", a.h.formToken(purposeTip, time.Now().Add(-4*time.Second)))
	c.sendTip(form)
	if n := count(t, rawDB(t, store), "SELECT count(*) FROM cases WHERE title = 'Snel getipt'"); n != 1 {
		t.Fatal("the retried tip was not stored")
	}
}

// createPublished creates a published case through the form and returns the
// form, set to the case's current version for the next save, the case's id and
// its edit page.
func (c *client) createPublished(title string) (form url.Values, id string, page response) {
	c.t.Helper()
	form = caseValues(title)
	form.Set("status", db.StatusPublished)
	id = c.createCase(form)
	page = c.get("/beheer/voorbeelden/" + id)
	form.Set("version", versionOf(c.t, page.Body))
	return form, id, page
}

// A published case's old address answers 301 to the new one; the form says so.
func TestChangedSlugRedirects(t *testing.T) {
	app, _, c := editorApp(t)
	form, id, page := c.createPublished("Tiny houses aan de rand")
	if !strings.Contains(html.UnescapeString(page.Body), "het oude adres /voorbeelden/tiny-houses-aan-de-rand werken: het stuurt bezoekers door naar het nieuwe") {
		t.Error("the form does not say the old address keeps working")
	}
	if res := get(t, app, "/voorbeelden/tiny-houses-aan-de-rand"); res.StatusCode != 200 {
		t.Fatalf("page = %d", res.StatusCode)
	}
	form.Set("slug", "tiny-houses-in-de-polder")
	c.updateCase(id, form)
	res := get(t, app, "/voorbeelden/tiny-houses-aan-de-rand")
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/voorbeelden/tiny-houses-in-de-polder" {
		t.Fatalf("old address = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Browsers check it again each time: the slug may come back.
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("redirect Cache-Control = %q", cc)
	}
	if res := get(t, app, "/voorbeelden/tiny-houses-in-de-polder"); res.StatusCode != 200 {
		t.Fatalf("new address = %d", res.StatusCode)
	}
	if !strings.Contains(c.get("/beheer/voorbeelden/"+id).Body, "Ook eerdere adressen sturen door: /voorbeelden/tiny-houses-aan-de-rand") {
		t.Error("the form does not list the old address")
	}
}

// Restoring an old version of a published case asks first and says it goes live;
// confirmed, it restores. Of an unpublished case it restores at once.
func TestRestorePublishedAsksFirst(t *testing.T) {
	_, store, c := editorApp(t)
	form, id, _ := c.createPublished("Oude tekst terug")
	form.Set("body", "Een nieuwe tekst.")
	c.post("/beheer/voorbeelden/"+id, form)
	res := c.post("/beheer/voorbeelden/"+id+"/geschiedenis/1/terugzetten", url.Values{"version": {"2"}})
	body := html.UnescapeString(res.Body)
	if res.StatusCode != 200 || !strings.Contains(body, "Versie 1 terugzetten?") || !strings.Contains(body, "meteen op de site") ||
		!strings.Contains(body, `name="bevestigd" value="ja"`) {
		t.Fatalf("restore of a published case = %d %s", res.StatusCode, messages(res.Body))
	}
	if cs, _ := store.FindCaseByID(t.Context(), mustInt(t, id)); cs.Version != 2 {
		t.Fatal("restored without asking")
	}
	res = c.post("/beheer/voorbeelden/"+id+"/geschiedenis/1/terugzetten", url.Values{"version": {"2"}, "bevestigd": {"ja"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed restore = %d", res.StatusCode)
	}
	if cs, _ := store.FindCaseByID(t.Context(), mustInt(t, id)); cs.Version != 3 || cs.Body != caseValues("").Get("body") {
		t.Fatalf("after the restore: version %d body %q", cs.Version, cs.Body)
	}
	// A concept: no question.
	draft := c.createCase(caseValues("Concept terug"))
	page := c.get("/beheer/voorbeelden/" + draft)
	f := caseValues("Concept terug")
	f.Set("version", versionOf(t, page.Body))
	f.Set("body", "Anders.")
	c.post("/beheer/voorbeelden/"+draft, f)
	if res := c.post("/beheer/voorbeelden/"+draft+"/geschiedenis/1/terugzetten", url.Values{"version": {"2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore of a concept = %d", res.StatusCode)
	}
}

// "Bekijk zoals op de site": a concept's saved version and the unsaved form, in
// the real case template, marked, never cached or indexed, only for editors.
func TestPreviewAsOnTheSite(t *testing.T) {
	app, store, c := editorApp(t)
	form := caseValues("Een concept om te bekijken")
	id := c.createCase(form)
	if get(t, app, "/voorbeelden/een-concept-om-te-bekijken").StatusCode != 404 {
		t.Fatal("a concept is public")
	}
	res := c.get("/beheer/voorbeelden/" + id + "/bekijken")
	body := html.UnescapeString(res.Body)
	if res.StatusCode != 200 || !strings.Contains(body, "Voorvertoning</strong>: zo komt dit voorbeeld op de site te staan") ||
		!strings.Contains(body, `<h1>Een concept om te bekijken</h1>`) || !strings.Contains(body, `id="facts-heading"`) ||
		!strings.Contains(body, `<meta name="robots" content="noindex">`) || res.Header.Get("Cache-Control") != privateNoStore ||
		!strings.Contains(res.Header.Get("X-Robots-Tag"), "noindex") || strings.Contains(body, `rel="canonical"`) {
		t.Fatalf("saved preview = %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	// The form as it is on screen, with what it still lacks.
	form.Set("id", id)
	form.Set("title", "Een nieuwe titel, nog niet opgeslagen")
	form.Set("kind", "")
	res = c.post("/beheer/voorbeelden/bekijken", form)
	body = html.UnescapeString(res.Body)
	if res.StatusCode != 200 || !strings.Contains(body, "<h1>Een nieuwe titel, nog niet opgeslagen</h1>") || !strings.Contains(body, "Kies een soort") ||
		!strings.Contains(body, "Utrecht") {
		t.Fatalf("form preview = %d %s", res.StatusCode, body[:200])
	}
	if cs, _ := store.FindCaseByID(t.Context(), mustInt(t, id)); cs.Title != "Een concept om te bekijken" {
		t.Fatal("the preview saved the form")
	}
	// Visitors cannot see it.
	if res := get(t, app, "/beheer/voorbeelden/"+id+"/bekijken"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("visitor's preview = %d", res.StatusCode)
	}
}

// The "Bewerken" link of public case pages: the page is the same for editors and
// visitors (and cached); only the editor's browser gets the link, from an
// endpoint that answers per session and that no cache keeps.
func TestEditLinkKeepsThePageCacheClean(t *testing.T) {
	app, _, c := editorApp(t)
	if c.cookies["ot_redacteur"] != "1" {
		t.Fatalf("no editor marker after sign-in: %v", c.cookies)
	}
	visitor := get(t, app, "/voorbeelden/startblok-riekerhaven")
	editor := c.get("/voorbeelden/startblok-riekerhaven")
	if visitor.Body != editor.Body {
		t.Fatal("the public page differs for an editor")
	}
	if !strings.Contains(visitor.Body, `<p class="editor-link" id="bewerk-link" hidden></p>`) || !strings.Contains(visitor.Body, "/static/redactie.js") ||
		strings.Contains(visitor.Body, "/beheer/voorbeelden/") {
		t.Fatal("the public page has no empty slot, or holds an editor's link")
	}
	// The editor's link.
	res := c.get("/redactie/bewerklink?pad=/voorbeelden/startblok-riekerhaven")
	var v struct{ URL string }
	if err := json.Unmarshal([]byte(res.Body), &v); err != nil || res.StatusCode != 200 || !regexp.MustCompile(`^/beheer/voorbeelden/\d+$`).MatchString(v.URL) {
		t.Fatalf("edit link = %d %s", res.StatusCode, res.Body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("edit link Cache-Control = %q", cc)
	}
	// A visitor: nothing, and no cookie.
	res = get(t, app, "/redactie/bewerklink?pad=/voorbeelden/startblok-riekerhaven")
	if res.StatusCode != http.StatusNoContent || len(res.Cookies()) != 0 {
		t.Fatalf("visitor's edit link = %d, cookies %v", res.StatusCode, res.Cookies())
	}
	// Signed out: the marker goes.
	c.post("/uitloggen", nil)
	if _, ok := c.cookies["ot_redacteur"]; ok {
		t.Error("the editor marker outlived the sign-out")
	}
	if !strings.Contains(get(t, app, "/robots.txt").Body, "Disallow: /redactie") {
		t.Error("robots.txt does not keep out /redactie")
	}
}

// The editors' list: Mijn voorbeelden, filters by author, gemeente and status, and
// search; the dashboard marks tips, the menu counts waiting items, and recent
// changes show one line per case; the public footer has a discreet sign-in link.
func TestFindingOnesWork(t *testing.T) {
	c, a, store := tipApp(t)
	c.sendTip(tipValues(t, a, "Een tip van een bezoeker"))
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	addUser(t, store, "kees@gemeente.example", db.RoleEditor)
	ria := signIn(t, c.app, "ria@gemeente.example")
	kees := signIn(t, c.app, "kees@gemeente.example")
	mine := caseValues("Ria's eigen voorbeeld")
	mine.Set("gemeente", "Urk")
	ria.createCase(mine)
	theirs := caseValues("Kees zijn voorbeeld")
	id := kees.createCase(theirs)
	for i := 0; i < 3; i++ { // three saves of one case: one line in recent changes
		page := kees.get("/beheer/voorbeelden/" + id)
		theirs.Set("version", versionOf(t, page.Body))
		theirs.Set("body", "Versie "+strconv.Itoa(i))
		kees.post("/beheer/voorbeelden/"+id, theirs)
	}
	list := func(query string) string {
		t.Helper()
		return html.UnescapeString(ria.get("/beheer/voorbeelden" + query).Body)
	}
	page := list("?auteur=ik")
	if !strings.Contains(page, "<h1>Mijn voorbeelden</h1>") || !strings.Contains(page, "Ria's eigen voorbeeld") || strings.Contains(page, "Kees zijn voorbeeld") {
		t.Error("Mijn voorbeelden shows the wrong cases")
	}
	if page := list("?gemeente=GM0184"); !strings.Contains(page, "Ria's eigen voorbeeld") || strings.Contains(page, "Kees zijn voorbeeld") || !strings.Contains(page, "1 voorbeeld.") {
		t.Error("the gemeente filter")
	}
	if page := list("?status=ingediend&auteur=geen"); !strings.Contains(page, "Een tip van een bezoeker") || strings.Contains(page, "Ria's eigen") || !strings.Contains(page, "tip van een bezoeker") {
		t.Error("the status and author filters")
	}
	if page := list("?q=kees&auteur=ik"); !strings.Contains(page, "0 voorbeelden.") {
		t.Error("search and author together")
	}
	if page := list("?auteur=999&gemeente=GM9999&status=x"); !strings.Contains(page, "Ria's eigen voorbeeld") || !strings.Contains(page, "Kees zijn voorbeeld") {
		t.Error("unknown filter values are not ignored")
	}
	// Fragments for htmx.
	if res := ria.get("/beheer/voorbeelden?auteur=ik", "HX-Request", "true"); strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, "Ria&#39;s eigen voorbeeld") {
		t.Error("the filtered list is not a fragment for htmx")
	}
	dash := html.UnescapeString(ria.get("/beheer").Body)
	if !strings.Contains(dash, `Tip van een bezoeker</span>`) {
		t.Error("the dashboard does not mark the public tip")
	}
	if !strings.Contains(dash, `Overzicht <span class="count">1<span class="visually-hidden"> te beoordelen</span></span>`) {
		t.Error("the menu does not count the waiting item")
	}
	changes := dash[strings.Index(dash, `id="changes-heading"`):]
	if n := strings.Count(changes, "Kees zijn voorbeeld"); n != 1 {
		t.Errorf("recent changes list the case %d times, want once", n)
	}
	if !strings.Contains(changes, "(versie 4)") {
		t.Error("recent changes do not show the latest version")
	}
	if foot := get(t, c.app, "/").Body; !strings.Contains(foot, `<a href="/inloggen">Inloggen voor redacteuren</a>`) {
		t.Error("no sign-in link in the public footer")
	}
}
