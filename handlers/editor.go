package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// editorPage is what every page of /beheer needs besides its content.
type editorPage struct {
	page
	User    db.User
	CSRF    string
	Section string // active item of the editors' menu
	Notice  string // confirmation after a redirect (?melding=…)
	// NoticeLink and NoticeLinkText follow the notice: where the result is.
	NoticeLink, NoticeLinkText string
	// Waiting is the number of cases waiting for review, shown in the menu.
	Waiting int
	// SessionSeconds is how long the session lasts without another request; the
	// page warns before it ends and offers to extend it (public/beheer.js).
	SessionSeconds int
}

func (h *Handler) newEditorPage(c *fiber.Ctx, title, section string) editorPage {
	p := editorPage{User: currentUser(c), CSRF: csrfToken(c), Section: section, Notice: notices[c.Query("melding")],
		SessionSeconds: sessionSecondsLeft(c)}
	p.Title = title
	p.NoIndex = true
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	n, err := h.db.WaitingCount(c.UserContext())
	if err != nil {
		// The menu's count is not worth failing a page for.
		h.log.WarnContext(c.UserContext(), "waiting count", "request_id", requestID(c), "err", err)
	}
	p.Waiting = n
	return p
}

// notices are the confirmations a redirect can ask for; anything else shows nothing.
// A case's confirmations get a sentence saying where the case now is (caseNotice).
var notices = map[string]string{
	"aangemaakt":                 "Het voorbeeld is aangemaakt.",
	"opgeslagen":                 "De wijzigingen zijn opgeslagen.",
	"gepubliceerd":               "Het voorbeeld is gepubliceerd.",
	"offline":                    "Het voorbeeld is offline gehaald.",
	"gearchiveerd":               "Het voorbeeld is gearchiveerd.",
	"ingediend":                  "Het voorbeeld is ter beoordeling aangeboden.",
	"afgewezen":                  "De tip is afgewezen en gearchiveerd; de toelichting staat in de geschiedenis.",
	"status":                     "De status is gewijzigd.",
	"teruggezet":                 "De oude versie is teruggezet als nieuwe versie.",
	"thema":                      "De themateksten zijn opgeslagen.",
	"account":                    "Het account is gewijzigd.",
	"wachtwoord":                 "Uw nieuwe wachtwoord is opgeslagen. Waar u verder nog was ingelogd, bent u afgemeld.",
	"vertraging":                 "De inlogvertraging van het account is opgeheven: het kan meteen weer inloggen.",
	"geimporteerd":               "De cijfers zijn geïmporteerd.",
	"geannuleerd":                "De import is geannuleerd; er is niets gewijzigd.",
	"ongedaan":                   "De import is ongedaan gemaakt: de cijfers van die periode staan weer zoals ze ervoor waren.",
	"uitgeschakeld":              "Het account is uitgeschakeld; de sessies ervan werken niet meer.",
	"weggegooid":                 "De niet-opgeslagen versie is weggegooid.",
	"landelijk":                  "Het landelijke cijfer is opgeslagen. De taakstelling van elke gemeente is er naar inwonertal uit berekend; de periode staat op de kaart.",
	"landelijk-officieel":        "Het landelijke cijfer is opgeslagen. Voor deze periode zijn officiële taakstellingen per gemeente ingelezen; die zijn niet veranderd.",
	"landelijk-zonder-verdeling": "Het landelijke cijfer is opgeslagen. Voor deze periode is er geen gemeentelijke indeling met inwonertallen, dus geen taakstelling per gemeente.",
}

// dashboardPage is the view model of /beheer.
type dashboardPage struct {
	editorPage
	Counts  []statusCount
	Queue   []db.Case
	Queued  int
	Changes []db.RecentChange
	// PrivacyMissing lists, for beheerders, the settings the privacy statement
	// still lacks (privacyConfig.Missing).
	PrivacyMissing []string
}

type statusCount struct {
	Status, Label string
	Count         int
}

// dashboard shows the moderation queue, the counts per status and recent changes.
func (h *Handler) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	vm := dashboardPage{editorPage: h.newEditorPage(c, "Beheer", "dashboard")}
	if vm.User.IsAdmin() {
		vm.PrivacyMissing = h.privacyCfg.Missing()
	}
	counts, err := h.db.StatusCounts(ctx)
	if err != nil {
		return err
	}
	for _, s := range db.Statuses {
		vm.Counts = append(vm.Counts, statusCount{s, db.StatusLabel(s), counts[s]})
	}
	if vm.Queue, vm.Queued, err = h.db.FindEditorCases(ctx, db.EditorCaseFilter{Status: db.StatusSubmitted, Oldest: true, PerPage: 20}); err != nil {
		return err
	}
	if vm.Changes, err = h.db.RecentChanges(ctx, 15); err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "beheer/dashboard", "", vm)
}

// editorListPage is the view model of /beheer/voorbeelden.
type editorListPage struct {
	editorPage
	Query     string
	Status    string
	Statuses  []option
	Authors   []option
	Gemeenten []option
	Mine      bool // only the signed-in editor's own cases
	MineURL   string
	AllURL    string
	Cases     []db.Case
	Total     int
	pager
}

const editorCasesPerPage = 25

// listEditorCases lists cases of every status with search and filters by status,
// author ("Mijn voorbeelden": auteur=ik) and gemeente.
func (h *Handler) listEditorCases(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	q := db.Truncate(strings.ToValidUTF8(c.Query("q"), "�"), maxQueryLen)
	status := c.Query("status")
	if !slices.Contains(db.Statuses, status) {
		status = ""
	}
	choices, err := h.db.CaseFilterChoices(ctx)
	if err != nil {
		return err
	}
	f := db.EditorCaseFilter{Query: q, Status: status, PerPage: editorCasesPerPage}
	author := c.Query("auteur")
	switch author {
	case "ik":
		f.AuthorID = u.ID
	case "geen":
		f.AuthorID = db.NoAuthor
	default:
		id, _ := strconv.ParseInt(author, 10, 64)
		if !slices.ContainsFunc(choices.Authors, func(a db.CaseAuthor) bool { return a.ID == id }) {
			id, author = 0, ""
		}
		if id == u.ID {
			author = "ik"
		}
		f.AuthorID = id
	}
	gemeente := c.Query("gemeente")
	switch {
	case gemeente == db.NoGemeente:
	case slices.ContainsFunc(choices.Gemeenten, func(g db.Gemeente) bool { return g.Code == gemeente }):
	default:
		gemeente = ""
	}
	f.Gemeente = gemeente
	f.Page = max(1, c.QueryInt("pagina", 1))
	cases, total, err := h.db.FindEditorCases(ctx, f)
	if err != nil {
		return err
	}
	title := "Voorbeelden beheren"
	if author == "ik" {
		title = "Mijn voorbeelden"
	}
	vm := editorListPage{editorPage: h.newEditorPage(c, title, "voorbeelden"),
		Query: q, Status: status, Cases: cases, Total: total, Mine: author == "ik"}
	vm.Statuses, vm.Authors, vm.Gemeenten = editorListOptions(status, author, gemeente, u, choices)
	list := editorListQuery{query: q, status: status, author: author, gemeente: gemeente}
	vm.pager = newPager(f.Page, max(1, (total+editorCasesPerPage-1)/editorCasesPerPage), list.url)
	mine, all := list, list
	mine.author, all.author = "ik", ""
	vm.MineURL, vm.AllURL = mine.url(1), all.url(1)
	return h.render(c, fiber.StatusOK, "beheer/cases", "beheer/case-rows", vm)
}

// editorListOptions are the choices of the editors' case list's filters.
func editorListOptions(status, author, gemeente string, u db.User, choices db.CaseFilterChoices) (statuses, authorOpts, gemeenteOpts []option) {
	statuses = append(statuses, option{"", "Alle statussen", status == ""})
	for _, s := range db.Statuses {
		statuses = append(statuses, option{s, db.StatusLabel(s), s == status})
	}
	authorOpts = []option{{"", "Iedereen", author == ""}, {"ik", "Ikzelf", author == "ik"}}
	for _, a := range choices.Authors {
		if a.ID != u.ID {
			id := strconv.FormatInt(a.ID, 10)
			authorOpts = append(authorOpts, option{id, a.Name, author == id})
		}
	}
	authorOpts = append(authorOpts, option{"geen", "Tips en startvoorbeelden (geen auteur)", author == "geen"})
	gemeenteOpts = []option{{"", "Alle gemeenten", gemeente == ""}, {db.NoGemeente, "Regionaal of landelijk", gemeente == db.NoGemeente}}
	for _, g := range choices.Gemeenten {
		gemeenteOpts = append(gemeenteOpts, option{g.Code, g.Name, g.Code == gemeente})
	}
	return statuses, authorOpts, gemeenteOpts
}

// editorListQuery is a state of the editors' case list: its filters, as in its URL.
type editorListQuery struct {
	query, status, author, gemeente string
}

// url is the list's address at page p.
func (l editorListQuery) url(p int) string {
	page := ""
	if p > 1 {
		page = strconv.Itoa(p)
	}
	return withQuery("/beheer/voorbeelden", "q", l.query, "status", l.status, "auteur", l.author, "gemeente", l.gemeente, "pagina", page)
}

// historyPage is the view model of a case's history.
type historyPage struct {
	editorPage
	Case      db.Case
	Revisions []db.Revision
}

// caseHistory lists the revisions of a case.
func (h *Handler) caseHistory(c *fiber.Ctx) error {
	cs, err := h.editorCase(c)
	if err != nil {
		return err
	}
	revs, err := h.db.Revisions(c.UserContext(), cs.ID)
	if err != nil {
		return err
	}
	vm := historyPage{editorPage: h.newEditorPage(c, "Geschiedenis: "+cs.Title, "voorbeelden"), Case: cs, Revisions: revs}
	return h.render(c, fiber.StatusOK, "beheer/history", "", vm)
}

// caseCrumbs are the first steps of the trail of a case's editor pages.
func caseCrumbs(cs db.Case) []crumb {
	return []crumb{{Label: "Beheer", URL: "/beheer"}, {Label: cs.Title, URL: fmt.Sprintf("/beheer/voorbeelden/%d", cs.ID)}}
}

// historyCrumb is the step of a case's history.
func historyCrumb(cs db.Case, current bool) crumb {
	return crumb{Label: "Geschiedenis", URL: fmt.Sprintf("/beheer/voorbeelden/%d/geschiedenis", cs.ID), Current: current}
}

func (p historyPage) Crumbs() []crumb { return append(caseCrumbs(p.Case), historyCrumb(p.Case, true)) }

// diffPage is the view model of the comparison of two revisions.
type diffPage struct {
	editorPage
	Case   db.Case
	From   db.Revision
	To     db.Revision
	Diff   db.CaseDiff
	Latest bool // To is the current version
	// LegacyRevisions are From and To when written before the richer case model.
	LegacyRevisions []db.Revision
}

func (p diffPage) Crumbs() []crumb {
	return append(caseCrumbs(p.Case), historyCrumb(p.Case, false), crumb{
		Label:   fmt.Sprintf("Versie %d en %d", p.From.Version, p.To.Version),
		URL:     fmt.Sprintf("/beheer/voorbeelden/%d/verschil?van=%d&naar=%d", p.Case.ID, p.From.Version, p.To.Version),
		Current: true})
}

// caseDiff shows what changed between revision ?van= and revision ?naar= (default:
// the one before it, and the current version).
func (h *Handler) caseDiff(c *fiber.Ctx) error {
	cs, err := h.editorCase(c)
	if err != nil {
		return err
	}
	to := c.QueryInt("naar", cs.Version)
	from := c.QueryInt("van", to-1)
	ctx := c.UserContext()
	a, err := h.db.FindRevision(ctx, cs.ID, from)
	if err == nil {
		var b db.Revision
		if b, err = h.db.FindRevision(ctx, cs.ID, to); err == nil {
			vm := diffPage{editorPage: h.newEditorPage(c, fmt.Sprintf("Versie %d en %d vergelijken: %s", from, to, cs.Title), "voorbeelden"),
				Case: cs, From: a, To: b, Latest: to == cs.Version}
			vm.Diff = db.DiffCases(a.Content, b.Content, h.displayName)
			for _, r := range []db.Revision{a, b} {
				if r.Legacy {
					vm.LegacyRevisions = append(vm.LegacyRevisions, r)
				}
			}
			return h.render(c, fiber.StatusOK, "beheer/diff", "", vm)
		}
	}
	if errors.Is(err, db.ErrNotFound) {
		return clientError(fiber.StatusNotFound, "Versie niet gevonden",
			"Deze versie van het voorbeeld bestaat niet. Kies twee versies uit de geschiedenis.")
	}
	return err
}

// displayName turns a gemeente code or theme slug into what editors read.
func (h *Handler) displayName(kind, value string) string {
	switch kind {
	case "gemeente":
		return h.forms.gemeenteLabel(value)
	case "province":
		return h.forms.provinceName(value)
	case "theme":
		for _, t := range h.forms.themes {
			if t.Slug == value {
				return t.Label
			}
		}
	}
	return value
}

// restoreConfirmPage asks before an old version of a published case goes live.
type restoreConfirmPage struct {
	editorPage
	Case     db.Case
	Revision db.Revision
}

func (p restoreConfirmPage) Crumbs() []crumb {
	return append(caseCrumbs(p.Case), historyCrumb(p.Case, false))
}

// restoreRevision makes an older revision's content current, as a new revision.
// For a published case that content goes live at once, so the editor is asked
// first (a page that says so; bevestigd=ja restores).
func (h *Handler) restoreRevision(c *fiber.Ctx) error {
	cs, err := h.editorCase(c)
	if err != nil {
		return err
	}
	rev, err := strconv.Atoi(c.Params("rev"))
	if err != nil {
		return fiber.ErrNotFound
	}
	if cs.Status == db.StatusPublished && c.FormValue("bevestigd") != "ja" {
		r, err := h.db.FindRevision(c.UserContext(), cs.ID, rev)
		if errors.Is(err, db.ErrNotFound) {
			return clientError(fiber.StatusNotFound, "Versie niet gevonden", "Deze versie van het voorbeeld bestaat niet.")
		}
		if err != nil {
			return err
		}
		vm := restoreConfirmPage{editorPage: h.newEditorPage(c, fmt.Sprintf("Versie %d terugzetten: %s", rev, cs.Title), "voorbeelden"),
			Case: cs, Revision: r}
		return h.render(c, fiber.StatusOK, "beheer/restore-confirm", "", vm)
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	_, err = h.db.RestoreRevision(c.UserContext(), cs.ID, rev, version, currentUser(c))
	switch {
	case errors.Is(err, db.ErrNotFound):
		return clientError(fiber.StatusNotFound, "Versie niet gevonden", "Deze versie van het voorbeeld bestaat niet.")
	case errors.Is(err, db.ErrConflict):
		return clientError(fiber.StatusConflict, "Intussen gewijzigd",
			"Iemand anders heeft dit voorbeeld intussen gewijzigd, dus er is niets teruggezet. Open de geschiedenis opnieuw en probeer het nog eens.")
	case errors.Is(err, db.ErrDuplicate):
		return clientError(fiber.StatusConflict, "Adres in gebruik",
			"Het adres (slug) van die versie is inmiddels van een ander voorbeeld, dus er is niets teruggezet. Pas het adres eerst aan in het formulier.")
	case errors.Is(err, db.ErrForbidden):
		return errNotAllowed
	case err != nil:
		return err
	}
	return redirect(c, fmt.Sprintf("/beheer/voorbeelden/%d?melding=teruggezet", cs.ID))
}

// themeTextsPage lists the themes with their texts, for editing.
type themeTextsPage struct {
	editorPage
	Themes []db.Theme
}

func (h *Handler) listThemeTexts(c *fiber.Ctx) error {
	themes, err := h.db.Themes(c.UserContext())
	if err != nil {
		return err
	}
	vm := themeTextsPage{editorPage: h.newEditorPage(c, "Themateksten", "themas"), Themes: themes}
	return h.render(c, fiber.StatusOK, "beheer/themes", "", vm)
}

// themeForm is the form of a theme's texts. Version is the version of the texts
// the editor started from; Overwrite the newer version they chose to save over.
type themeForm struct {
	Intro     string `form:"intro" label:"Uitleg" validate:"required,max=2000" required:"Vul de uitleg in."`
	WhenText  string `form:"when_text" label:"Wanneer helpt dit" validate:"required,max=2000" required:"Vul in wanneer dit thema helpt."`
	Version   int    `form:"version"`
	Overwrite int    `form:"overschrijf"`
}

type themeFormPage struct {
	editorPage
	Theme  db.Theme
	Form   themeForm
	Errors formErrors
	// Conflict is the newer version that refused the save: the editor's input
	// stays in the form, the other's texts are shown beside it.
	Conflict *db.Theme
}

func (p themeFormPage) Crumbs() []crumb {
	return []crumb{{Label: "Beheer", URL: "/beheer"}, {Label: "Themateksten", URL: "/beheer/themas"},
		{Label: p.Theme.Label, URL: "/beheer/themas/" + p.Theme.Slug, Current: true}}
}

func (h *Handler) editThemeText(c *fiber.Ctx) error {
	t, err := h.theme(c)
	if err != nil {
		return err
	}
	vm := themeFormPage{editorPage: h.newEditorPage(c, "Thema bewerken: "+t.Label, "themas"), Theme: t,
		Form: themeForm{Intro: t.Intro, WhenText: t.WhenText, Version: t.Version}}
	return h.render(c, fiber.StatusOK, "beheer/theme-form", "", vm)
}

func (h *Handler) updateThemeText(c *fiber.Ctx) error {
	t, err := h.theme(c)
	if err != nil {
		return err
	}
	var f themeForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	f.Intro, f.WhenText = cleanText(f.Intro), cleanText(f.WhenText)
	vm := themeFormPage{editorPage: h.newEditorPage(c, "Thema bewerken: "+t.Label, "themas"), Theme: t, Form: f}
	if vm.Errors = h.forms.check(&f); len(vm.Errors) > 0 {
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/theme-form", "", vm)
	}
	version := f.Version
	if f.Overwrite > f.Version {
		version = f.Overwrite
	}
	_, err = h.db.UpdateTheme(c.UserContext(), t.Slug, version, f.Intro, f.WhenText, currentUser(c))
	if errors.Is(err, db.ErrConflict) {
		newer, err := h.db.FindTheme(c.UserContext(), t.Slug)
		if err != nil {
			return err
		}
		vm.Theme, vm.Conflict = newer, &newer
		return h.render(c, fiber.StatusConflict, "beheer/theme-form", "", vm)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/beheer/themas?melding=thema")
}

func (h *Handler) theme(c *fiber.Ctx) (db.Theme, error) {
	slug := c.Params("slug")
	if !slugPattern.MatchString(slug) {
		return db.Theme{}, fiber.ErrNotFound
	}
	t, err := h.db.FindTheme(c.UserContext(), slug)
	if errors.Is(err, db.ErrNotFound) {
		return db.Theme{}, clientError(fiber.StatusNotFound, "Thema niet gevonden", "Dit thema bestaat niet.")
	}
	return t, err
}

// auditPage is the view model of the audit log (beheerders only).
type auditPage struct {
	editorPage
	Entries []db.AuditEntry
	Action  string
	Actions []option
	Total   int
	pager
}

const auditPerPage = 50

func (h *Handler) auditLog(c *fiber.Ctx) error {
	action := c.Query("actie")
	if !slices.Contains(db.AuditActions, action) {
		action = ""
	}
	page := max(1, c.QueryInt("pagina", 1))
	entries, total, err := h.db.AuditLog(c.UserContext(), db.AuditFilter{Action: action, Page: page, PerPage: auditPerPage})
	if err != nil {
		return err
	}
	vm := auditPage{editorPage: h.newEditorPage(c, "Logboek", "logboek"), Entries: entries, Action: action, Total: total}
	vm.Actions = append(vm.Actions, option{"", "Alle gebeurtenissen", action == ""})
	for _, a := range db.AuditActions {
		vm.Actions = append(vm.Actions, option{a, db.AuditActionLabel(a), a == action})
	}
	link := func(p int) string {
		v := url.Values{}
		if action != "" {
			v.Set("actie", action)
		}
		v.Set("pagina", strconv.Itoa(p))
		return "/beheer/logboek?" + v.Encode()
	}
	vm.pager = newPager(page, (total+auditPerPage-1)/auditPerPage, link)
	vm.Prev, vm.Next = "Nieuwer", "Ouder"
	return h.render(c, fiber.StatusOK, "beheer/audit", "", vm)
}
