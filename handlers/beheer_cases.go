package handlers

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strconv"

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
}

func (h *Handler) newEditorPage(c *fiber.Ctx, title, section string) editorPage {
	p := editorPage{User: currentUser(c), CSRF: csrfToken(c), Section: section, Notice: notices[c.Query("melding")]}
	p.Title = title
	p.NoIndex = true
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	return p
}

// notices are the confirmations a redirect can ask for; anything else shows nothing.
var notices = map[string]string{
	"aangemaakt":                 "Het voorbeeld is aangemaakt.",
	"opgeslagen":                 "De wijzigingen zijn opgeslagen.",
	"gepubliceerd":               "Het voorbeeld is gepubliceerd en staat nu in de bibliotheek.",
	"afgewezen":                  "De tip is afgewezen en gearchiveerd; de toelichting staat in de geschiedenis.",
	"status":                     "De status is gewijzigd.",
	"teruggezet":                 "De oude versie is teruggezet als nieuwe versie.",
	"thema":                      "De themateksten zijn opgeslagen.",
	"account":                    "Het account is gewijzigd.",
	"wachtwoord":                 "Uw nieuwe wachtwoord is opgeslagen. Waar u verder nog was ingelogd, bent u afgemeld.",
	"vertraging":                 "De inlogvertraging van het account is opgeheven: het kan meteen weer inloggen.",
	"geimporteerd":               "De cijfers zijn geïmporteerd.",
	"geannuleerd":                "De import is geannuleerd; er is niets gewijzigd.",
	"uitgeschakeld":              "Het account is uitgeschakeld; de sessies ervan werken niet meer.",
	"landelijk":                  "Het landelijke cijfer is opgeslagen. De taakstelling van elke gemeente is er naar inwonertal uit berekend; de periode staat op de kaart.",
	"landelijk-officieel":        "Het landelijke cijfer is opgeslagen. Voor deze periode zijn officiële taakstellingen per gemeente ingelezen; die zijn niet veranderd.",
	"landelijk-zonder-verdeling": "Het landelijke cijfer is opgeslagen. Voor deze periode is er geen gemeentelijke indeling met inwonertallen, dus geen taakstelling per gemeente.",
}

// caseForm is the editors' case form. Numbers are kept as typed, so that a wrong
// value comes back in the field with its message.
type caseForm struct {
	ID        int64    `form:"id"`
	Version   int      `form:"version"`
	Overwrite int      `form:"overschrijf"` // the newer version the editor chose to save over
	Title     string   `form:"title" label:"Titel" validate:"required,max=200"`
	Slug      string   `form:"slug" label:"Adres (slug)" validate:"omitempty,max=80,slug"`
	Summary   string   `form:"summary" label:"Samenvatting" validate:"required,max=600"`
	Body      string   `form:"body" label:"Tekst" validate:"max=50000"`
	Gemeente  string   `form:"gemeente" label:"Gemeente" validate:"omitempty,max=120,gemeente"`
	Themes    []string `form:"themes" label:"Thema’s" validate:"max=20,dive,theme"`
	Kind      string   `form:"kind" label:"Soort" validate:"required,kind"`
	Year      string   `form:"year" label:"Jaar" validate:"omitempty,year"`
	Homes     string   `form:"homes" label:"Aantal woningen" validate:"omitempty,count"`
	People    string   `form:"people" label:"Aantal personen" validate:"omitempty,count"`
	Partners  string   `form:"partners" label:"Betrokken partijen" validate:"max=2000"`
	Contact   string   `form:"contact" label:"Contact" validate:"max=300"`
	SourceURL string   `form:"source_url" label:"Bronlink" validate:"omitempty,max=500,weburl"`
	Status    string   `form:"status" label:"Status" validate:"required,status"`
	Note      string   `form:"note" label:"Toelichting bij deze wijziging" validate:"max=500"`
	Action    string   `form:"actie"` // "voorvertoning": show the preview, save nothing
}

// caseFields are the fields with their own inline validation block
// (views/beheer/case-form.html: "beheer/veld-<name>").
// Choices (themes, kind, status) have none: swapping a group of checkboxes while
// the editor works through it would move their focus.
var caseFields = map[string]bool{
	"title": true, "slug": true, "summary": true, "body": true, "gemeente": true, "year": true,
	"homes": true, "people": true, "partners": true, "contact": true, "source_url": true, "note": true,
}

func (h *Handler) caseFormFrom(cs db.Case) caseForm {
	f := caseForm{
		ID: cs.ID, Version: cs.Version, Title: cs.Title, Slug: cs.Slug, Summary: cs.Summary, Body: cs.Body,
		Kind: cs.Kind, Contact: cs.Contact, SourceURL: cs.SourceURL, Status: cs.Status,
	}
	if cs.GemeenteCode != "" {
		f.Gemeente = h.forms.gemeenteLabel(cs.GemeenteCode)
	}
	for _, t := range cs.Themes {
		f.Themes = append(f.Themes, t.Slug)
	}
	num := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	f.Year, f.Homes, f.People = num(cs.Year), num(cs.Homes), num(cs.People)
	for i, p := range cs.Partners {
		if i > 0 {
			f.Partners += "\n"
		}
		f.Partners += p
	}
	return f
}

func parseCaseForm(c *fiber.Ctx) (caseForm, error) {
	var f caseForm
	if err := c.BodyParser(&f); err != nil {
		return f, clientError(fiber.StatusBadRequest, "Formulier onleesbaar",
			"Het formulier kwam niet goed aan. Laad de pagina opnieuw en probeer het nog eens.")
	}
	f.Title, f.Slug, f.Gemeente = cleanLine(f.Title), cleanLine(f.Slug), cleanLine(f.Gemeente)
	f.Summary, f.Body, f.Partners = cleanText(f.Summary), cleanText(f.Body), cleanText(f.Partners)
	f.Contact, f.SourceURL, f.Note = cleanLine(f.Contact), cleanLine(f.SourceURL), cleanText(f.Note)
	f.Year, f.Homes, f.People = cleanLine(f.Year), cleanLine(f.Homes), cleanLine(f.People)
	return f, nil
}

// validateCase checks the form as the submit and the inline validation both do,
// and returns the input to save. from is the case's current status ("" for new).
// It also returns the slug that will be used when the slug field is left empty.
func (h *Handler) validateCase(ctx context.Context, f *caseForm, u db.User, from string) (db.CaseInput, formErrors, string, error) {
	errs := h.forms.check(f)
	slug := f.Slug
	if slug == "" && f.Title != "" {
		var err error
		if slug, err = h.db.FreeSlug(ctx, db.Slugify(f.Title), f.ID); err != nil {
			return db.CaseInput{}, nil, "", err
		}
	} else if slug != "" && !errs.Has("slug") {
		taken, err := h.db.SlugTaken(ctx, slug, f.ID)
		if err != nil {
			return db.CaseInput{}, nil, "", err
		}
		if taken {
			errs.add("slug", "Adres (slug)", "Adres (slug) is al in gebruik door een ander voorbeeld. Kies een ander adres.")
		}
	}
	if !errs.Has("status") && !db.CanTransition(u.Role, from, f.Status) {
		errs.add("status", "Status", fmt.Sprintf("U kunt een voorbeeld niet van ‘%s’ naar ‘%s’ zetten; een gearchiveerd voorbeeld kan alleen een beheerder terughalen.",
			db.StatusLabel(from), db.StatusLabel(f.Status)))
	}
	in := db.CaseInput{
		Slug: slug, Title: f.Title, Summary: f.Summary, Body: f.Body, Themes: f.Themes, Kind: f.Kind,
		Year: optionalInt(f.Year), Homes: optionalInt(f.Homes), People: optionalInt(f.People),
		Partners: lines(f.Partners), Contact: f.Contact, SourceURL: f.SourceURL, Status: f.Status,
	}
	if g, ok := h.forms.findGemeente(f.Gemeente); ok {
		in.GemeenteCode = g.Code
	}
	return in, sortErrors(f, errs), slug, nil
}

// statusOption is a status the editor may choose in the form.
type statusOption struct {
	Value, Label string
	Selected     bool
}

// caseFormPage is the view model of the case form, for a new and an existing case.
type caseFormPage struct {
	editorPage
	Form       caseForm
	Errors     formErrors
	Case       *db.Case // nil for a new case
	Tipper     *db.Tipper
	Statuses   []statusOption
	Gemeenten  []db.Gemeente
	Themes     []db.Theme
	SlugHint   string // the slug that an empty slug field will get
	Preview    template.HTML
	HasPreview bool
	Conflict   *db.Case // the newer version that refused the save
	// Unavailable: the database cannot be written now (disk full, read-only file);
	// nothing was saved and the form comes back with the editor's input (503).
	Unavailable bool
	Action      string // where the form posts
	OOB         bool   // inline validation: update the slug hint out of band
	// Moderation (publish, reject with a note) of an existing case.
	RejectNote  string
	RejectError string
}

func (h *Handler) newCaseFormPage(c *fiber.Ctx, f caseForm, cs *db.Case) caseFormPage {
	title, from, action := "Nieuw voorbeeld", "", "/beheer/voorbeelden"
	if cs != nil {
		title, from, action = "Bewerken: "+cs.Title, cs.Status, fmt.Sprintf("/beheer/voorbeelden/%d", cs.ID)
	}
	vm := caseFormPage{
		editorPage: h.newEditorPage(c, title, "voorbeelden"),
		Form:       f, Case: cs, Gemeenten: h.forms.gemeenten, Themes: h.forms.themes, Action: action,
	}
	for _, s := range db.AllowedStatuses(vm.User.Role, from) {
		vm.Statuses = append(vm.Statuses, statusOption{s, db.StatusLabel(s), s == f.Status})
	}
	if cs != nil && !slicesContainsOption(vm.Statuses, f.Status) && f.Status != "" {
		// A status the editor may not choose but typed in: show it, marked wrong.
		vm.Statuses = append(vm.Statuses, statusOption{f.Status, db.StatusLabel(f.Status), true})
	}
	return vm
}

func slicesContainsOption(opts []statusOption, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// newCase shows an empty case form.
func (h *Handler) newCase(c *fiber.Ctx) error {
	vm := h.newCaseFormPage(c, caseForm{Status: db.StatusDraft}, nil)
	return h.render(c, fiber.StatusOK, "beheer/case-form", "", vm)
}

// editCase shows the form for an existing case.
func (h *Handler) editCase(c *fiber.Ctx) error {
	cs, err := h.editorCase(c)
	if err != nil {
		return err
	}
	vm := h.newCaseFormPage(c, h.caseFormFrom(cs), &cs)
	if t, err := h.db.FindTipper(c.UserContext(), cs.ID); err == nil {
		vm.Tipper = &t
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	return h.render(c, fiber.StatusOK, "beheer/case-form", "", vm)
}

// editorCase loads the case named by the :id parameter (404 in Dutch otherwise).
func (h *Handler) editorCase(c *fiber.Ctx) (db.Case, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return db.Case{}, errCaseNotFound
	}
	cs, err := h.db.FindCaseByID(c.UserContext(), id)
	if errors.Is(err, db.ErrNotFound) {
		return db.Case{}, errCaseNotFound
	}
	return cs, err
}

var errCaseNotFound = clientError(fiber.StatusNotFound, "Voorbeeld niet gevonden",
	"Dit voorbeeld bestaat niet (meer). Zoek het op in de lijst met voorbeelden.")

// createCase saves a new case, or shows the form again with its errors (422).
func (h *Handler) createCase(c *fiber.Ctx) error {
	f, err := parseCaseForm(c)
	if err != nil {
		return err
	}
	f.ID, f.Version = 0, 0
	u := currentUser(c)
	in, errs, slug, err := h.validateCase(c.UserContext(), &f, u, "")
	if err != nil {
		return err
	}
	vm := h.newCaseFormPage(c, f, nil)
	vm.SlugHint = slug
	if f.Action == "voorvertoning" {
		vm.Preview, vm.HasPreview = renderMarkdown(f.Body), true
		return h.render(c, fiber.StatusOK, "beheer/case-form", "", vm)
	}
	if len(errs) > 0 {
		vm.Errors = errs
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/case-form", "", vm)
	}
	cs, err := h.db.CreateCase(c.UserContext(), in, &u.ID)
	if errors.Is(err, db.ErrReadOnly) {
		return h.notSaved(c, vm, err)
	}
	if errors.Is(err, db.ErrDuplicate) {
		// Another editor took the slug a moment ago.
		vm.Errors = formErrors{{"slug", "Adres (slug)", "Adres (slug) is zojuist door een ander voorbeeld in gebruik genomen. Kies een ander adres."}}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/case-form", "", vm)
	}
	if errors.Is(err, db.ErrForbidden) {
		return errNotAllowed
	}
	if err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/beheer/voorbeelden/%d?melding=aangemaakt", cs.ID))
}

var errNotAllowed = clientError(fiber.StatusForbidden, "Niet toegestaan",
	"Uw rol staat deze wijziging niet toe. Er is niets gewijzigd.")

// updateCase saves an editor's changes. When someone else saved the case since the
// form was opened, nothing is saved: the form comes back (409) with everything the
// editor typed, a link to the newer version and to what changed.
func (h *Handler) updateCase(c *fiber.Ctx) error {
	cur, err := h.editorCase(c)
	if err != nil {
		return err
	}
	f, err := parseCaseForm(c)
	if err != nil {
		return err
	}
	f.ID = cur.ID
	u := currentUser(c)
	in, errs, slug, err := h.validateCase(c.UserContext(), &f, u, cur.Status)
	if err != nil {
		return err
	}
	vm := h.newCaseFormPage(c, f, &cur)
	vm.SlugHint = slug
	if f.Action == "voorvertoning" {
		vm.Preview, vm.HasPreview = renderMarkdown(f.Body), true
		return h.render(c, fiber.StatusOK, "beheer/case-form", "", vm)
	}
	if len(errs) > 0 {
		vm.Errors = errs
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/case-form", "", vm)
	}
	version := f.Version
	if f.Overwrite > 0 {
		version = f.Overwrite
	}
	cs, err := h.db.UpdateCase(c.UserContext(), cur.ID, version, in, u, f.Note)
	switch {
	case errors.Is(err, db.ErrConflict):
		newer, err := h.db.FindCaseByID(c.UserContext(), cur.ID)
		if err != nil {
			return err
		}
		vm.Case, vm.Conflict = &newer, &newer
		return h.render(c, fiber.StatusConflict, "beheer/case-form", "", vm)
	case errors.Is(err, db.ErrReadOnly):
		return h.notSaved(c, vm, err)
	case errors.Is(err, db.ErrDuplicate):
		vm.Errors = formErrors{{"slug", "Adres (slug)", "Adres (slug) is zojuist door een ander voorbeeld in gebruik genomen. Kies een ander adres."}}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/case-form", "", vm)
	case errors.Is(err, db.ErrForbidden):
		return errNotAllowed
	case errors.Is(err, db.ErrNotFound):
		return errCaseNotFound
	case err != nil:
		return err
	}
	notice := "opgeslagen"
	if cs.Status == db.StatusPublished && cur.Status != db.StatusPublished {
		notice = "gepubliceerd"
	}
	return redirect(c, fmt.Sprintf("/beheer/voorbeelden/%d?melding=%s", cs.ID, notice))
}

// notSaved answers a save that the database refused because it cannot be written
// now (db.ErrReadOnly: disk full, read-only file). The generic error page would
// drop what the editor typed; instead the form comes back (503) with all of it and
// a notice that nothing was saved, so they can try again later or keep their text.
// The failure is logged once, in the shape handleError gives a 5xx.
func (h *Handler) notSaved(c *fiber.Ctx, vm caseFormPage, err error) error {
	h.log.ErrorContext(c.UserContext(), "request failed", "method", c.Method(), "path", safePath(c.Path()),
		"status", fiber.StatusServiceUnavailable, "request_id", requestID(c), "err", redact(err.Error()))
	vm.Unavailable = true
	return h.render(c, fiber.StatusServiceUnavailable, "beheer/case-form", "", vm)
}

// validateCaseField is the inline validation of one field (htmx, as the editor
// leaves it): the same checks as the submit, answered with that field's block.
func (h *Handler) validateCaseField(c *fiber.Ctx) error {
	field := c.Query("veld")
	if !caseFields[field] {
		return fiber.ErrNotFound
	}
	f, err := parseCaseForm(c)
	if err != nil {
		return err
	}
	var cur *db.Case
	from := ""
	if f.ID > 0 {
		cs, err := h.db.FindCaseByID(c.UserContext(), f.ID)
		if errors.Is(err, db.ErrNotFound) {
			return errCaseNotFound
		}
		if err != nil {
			return err
		}
		cur, from = &cs, cs.Status
	}
	_, errs, slug, err := h.validateCase(c.UserContext(), &f, currentUser(c), from)
	if err != nil {
		return err
	}
	vm := h.newCaseFormPage(c, f, cur)
	// Leaving the title also updates the slug that an empty slug field will get.
	vm.SlugHint, vm.OOB = slug, field == "title"
	if e := errs.Get(field); e != "" {
		vm.Errors = formErrors{{Field: field, Message: e}}
	}
	c.Vary("HX-Request")
	return c.Render("beheer/veld-"+field, vm)
}

// previewCase renders the Markdown body as it will be shown (htmx).
func (h *Handler) previewCase(c *fiber.Ctx) error {
	vm := caseFormPage{Preview: renderMarkdown(cleanText(c.FormValue("body"))), HasPreview: true}
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	return c.Render("beheer/preview", vm)
}

// setCaseStatus publishes, rejects (with a required note) or otherwise moves a case
// from the moderation box of its page.
func (h *Handler) setCaseStatus(c *fiber.Ctx) error {
	cur, err := h.editorCase(c)
	if err != nil {
		return err
	}
	status := c.FormValue("status")
	note := cleanText(c.FormValue("note"))
	version, _ := strconv.Atoi(c.FormValue("version"))
	u := currentUser(c)
	rejecting := status == db.StatusArchived && cur.Status == db.StatusSubmitted
	if (rejecting && note == "") || len([]rune(note)) > 500 {
		vm := h.newCaseFormPage(c, h.caseFormFrom(cur), &cur)
		vm.RejectNote = note
		vm.RejectError = "Schrijf kort op waarom de tip wordt afgewezen (hoogstens 500 tekens); dat blijft bewaard in de geschiedenis."
		if t, err := h.db.FindTipper(c.UserContext(), cur.ID); err == nil {
			vm.Tipper = &t
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/case-form", "", vm)
	}
	cs, err := h.db.SetCaseStatus(c.UserContext(), cur.ID, version, status, u, note)
	switch {
	case errors.Is(err, db.ErrConflict):
		return clientError(fiber.StatusConflict, "Intussen gewijzigd",
			"Iemand anders heeft dit voorbeeld intussen gewijzigd, dus de status is niet veranderd. Open het voorbeeld opnieuw, bekijk de nieuwe versie en probeer het nog eens.")
	case errors.Is(err, db.ErrForbidden):
		return clientError(fiber.StatusForbidden, "Niet toegestaan",
			fmt.Sprintf("Uw rol staat niet toe een voorbeeld van ‘%s’ naar ‘%s’ te zetten. Er is niets gewijzigd.",
				db.StatusLabel(cur.Status), db.StatusLabel(status)))
	case err != nil:
		return err
	}
	notice := "status"
	switch {
	case rejecting:
		notice = "afgewezen"
	case cs.Status == db.StatusPublished:
		notice = "gepubliceerd"
	}
	return redirect(c, fmt.Sprintf("/beheer/voorbeelden/%d?melding=%s", cs.ID, notice))
}
