package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"opnieuwthuis/db"
)

func TestAccountsAndAudit(t *testing.T) {
	app, store := newTestApp(t)
	adm := signedIn(t, app, store, "beheer@gemeente.example", db.RoleAdmin)
	raw := rawDB(t, store)

	// Validation.
	adm.get("/beheer/accounts")
	res := adm.post("/beheer/accounts", url.Values{"email": {"geen-adres"}, "role": {"koning"}, "password": {"kort"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid account = %d", res.StatusCode)
	}
	for _, msg := range []string{"E-mailadres moet een geldig e-mailadres zijn", "Kies als Rol ‘redacteur’ of ‘beheerder’.", "Wachtwoord moet minstens 12"} {
		if !strings.Contains(res.Body, msg) && !strings.Contains(strings.ReplaceAll(res.Body, "&#39;", "'"), msg) {
			t.Errorf("missing %q: %s", msg, messages(res.Body))
		}
	}
	if strings.Contains(res.Body, `value="kort"`) {
		t.Error("a typed password is echoed back")
	}

	// A new account with a one-time password, shown once.
	res = adm.post("/beheer/accounts", url.Values{"email": {"Nieuw@Gemeente.example"}, "name": {"Nina"}, "role": {"redacteur"}})
	m := regexp.MustCompile(`<code class="one-time__pw">([^<]+)</code>`).FindStringSubmatch(res.Body)
	if res.StatusCode != 200 || m == nil || res.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("one-time password not shown: %d", res.StatusCode)
	}
	oneTime := m[1]
	if again := adm.get("/beheer/accounts"); strings.Contains(again.Body, oneTime) {
		t.Fatal("the one-time password is shown twice")
	}
	if res := adm.post("/beheer/accounts", url.Values{"email": {"nieuw@gemeente.example"}, "role": {"redacteur"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Er is al een account met dit e-mailadres.") {
		t.Errorf("duplicate address = %d", res.StatusCode)
	}

	// The new editor must choose a password first.
	nina := newClient(t, app)
	if res := nina.login("nieuw@gemeente.example", oneTime); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("one-time sign-in = %d", res.StatusCode)
	}
	if res := nina.get("/beheer/voorbeelden"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/beheer/wachtwoord" {
		t.Fatalf("before choosing a password = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	nina.get("/beheer/wachtwoord")
	res = nina.post("/beheer/wachtwoord", url.Values{"current": {oneTime}, "new": {"mijn eigen lange zin"}, "repeat": {"mijn eigen lange zinn"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "De twee nieuwe wachtwoorden zijn niet gelijk.") {
		t.Fatalf("different repeat = %d %s", res.StatusCode, messages(res.Body))
	}
	res = nina.post("/beheer/wachtwoord", url.Values{"current": {"fout"}, "new": {"mijn eigen lange zin"}, "repeat": {"mijn eigen lange zin"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Het huidige wachtwoord klopt niet.") {
		t.Fatalf("wrong current = %d", res.StatusCode)
	}
	// Keeping the one-time password as one's own is refused.
	res = nina.post("/beheer/wachtwoord", url.Values{"current": {oneTime}, "new": {oneTime}, "repeat": {oneTime}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Kies een ander wachtwoord dan het huidige") {
		t.Fatalf("the one-time password as the new one = %d %s", res.StatusCode, messages(res.Body))
	}
	res = nina.post("/beheer/wachtwoord", url.Values{"current": {oneTime}, "new": {"mijn eigen lange zin"}, "repeat": {"mijn eigen lange zin"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password = %d %s", res.StatusCode, messages(res.Body))
	}
	if res := nina.get("/beheer/voorbeelden"); res.StatusCode != 200 {
		t.Fatalf("after choosing a password = %d", res.StatusCode)
	}

	// Role change and disabling, by id.
	var id string
	raw.QueryRow("SELECT id FROM users WHERE email = 'nieuw@gemeente.example'").Scan(&id)
	adm.get("/beheer/accounts")
	if res := adm.post("/beheer/accounts/"+id, url.Values{"actie": {"rol"}, "role": {"beheerder"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("role change = %d", res.StatusCode)
	}
	if res := nina.get("/beheer/logboek"); res.StatusCode != 200 {
		t.Fatalf("new beheerder on the audit log = %d", res.StatusCode)
	}
	if res := adm.post("/beheer/accounts/"+id, url.Values{"actie": {"uitschakelen"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable = %d", res.StatusCode)
	}
	if res := nina.get("/beheer"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled account's session still works: %d", res.StatusCode)
	}
	// A beheerder cannot lock themselves out, nor remove the last beheerder.
	var self string
	raw.QueryRow("SELECT id FROM users WHERE email = 'beheer@gemeente.example'").Scan(&self)
	if res := adm.post("/beheer/accounts/"+self, url.Values{"actie": {"uitschakelen"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "eigen rol of toegang") {
		t.Errorf("disabling oneself = %d", res.StatusCode)
	}

	// The audit log has sign-ins, account changes and password changes; never a password.
	audit := adm.get("/beheer/logboek")
	for _, want := range []string{"Aangemeld", "Account aangemaakt", "Account gewijzigd", "Wachtwoord gewijzigd", "uitgeschakeld", "rol redacteur → beheerder"} {
		if !strings.Contains(audit.Body, want) {
			t.Errorf("audit log lacks %q", want)
		}
	}
	if filtered := adm.get("/beheer/logboek?actie=account_create"); strings.Contains(filtered.Body, "<td>Aangemeld</td>") {
		t.Error("audit filter ignored")
	}
	for _, secret := range []string{oneTime, "mijn eigen lange zin", testPassword} {
		if n := count(t, raw, "SELECT count(*) FROM audit_log WHERE subject LIKE ? OR detail LIKE ?", "%"+secret+"%", "%"+secret+"%"); n != 0 {
			t.Errorf("a password is in the audit log")
		}
	}
	if n := count(t, raw, "SELECT count(*) FROM users WHERE password_hash LIKE '%mijn eigen%'"); n != 0 {
		t.Error("password stored in plain text")
	}
}

// Changing one's password ends one's other sessions and gives this one a new id;
// guessing the current password on the form is slowed down like sign-ins.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	app, store := newTestApp(t)
	addUser(t, store, "ria@gemeente.example", db.RoleEditor)
	here, there := signIn(t, app, "ria@gemeente.example"), signIn(t, app, "ria@gemeente.example")
	before := here.cookies["ot_sessie"]
	here.get("/beheer/wachtwoord")
	res := here.post("/beheer/wachtwoord", url.Values{"current": {testPassword}, "new": {"een ander lang wachtwoord"}, "repeat": {"een ander lang wachtwoord"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change = %d %s", res.StatusCode, messages(res.Body))
	}
	if after := here.cookies["ot_sessie"]; after == "" || after == before {
		t.Fatalf("session id not rotated: %q → %q", before, after)
	}
	if res := here.get("/beheer"); res.StatusCode != 200 {
		t.Fatalf("this session after the change = %d", res.StatusCode)
	}
	if res := there.get("/redactie/bewerklink?pad=/voorbeelden/startblok-riekerhaven"); res.StatusCode != http.StatusNoContent {
		t.Fatalf("the other session still gets the public pages' edit link: %d %s", res.StatusCode, res.Body)
	}
	if res := there.get("/beheer"); res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "reden=wachtwoord") {
		t.Fatalf("the other session after the change = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	old := newClient(t, app)
	old.cookies["ot_sessie"] = before
	if res := old.get("/beheer"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the old session id still works: %d", res.StatusCode)
	}
	if res := newClient(t, app).login("ria@gemeente.example", "een ander lang wachtwoord"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the new password = %d", res.StatusCode)
	}

	// Wrong current passwords: the fifth makes this client wait.
	here.get("/beheer/wachtwoord")
	for i := 1; i <= 5; i++ {
		res = here.post("/beheer/wachtwoord", url.Values{"current": {"geraden-wachtwoord-" + strconv.Itoa(i)}, "new": {"nog een lang wachtwoord"}, "repeat": {"nog een lang wachtwoord"}})
	}
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "Te veel mislukte pogingen") {
		t.Fatalf("5th wrong current password = %d %s", res.StatusCode, messages(res.Body))
	}
	res = here.post("/beheer/wachtwoord", url.Values{"current": {"een ander lang wachtwoord"}, "new": {"nog een lang wachtwoord"}, "repeat": {"nog een lang wachtwoord"}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the right current password while waiting = %d", res.StatusCode)
	}
}
