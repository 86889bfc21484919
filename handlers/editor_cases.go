package handlers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// caseNotices are the notices about a saved case, which say where it now is.
var caseNotices = map[string]bool{"aangemaakt": true, "opgeslagen": true, "gepubliceerd": true, "offline": true,
	"gearchiveerd": true, "ingediend": true, "status": true, "teruggezet": true}

// caseNotice completes a case's confirmation with where the case now is, and a
// link to it: on the site, or its preview.
func caseNotice(p *editorPage, key string, cs db.Case) {
	if !caseNotices[key] {
		return
	}
	preview := fmt.Sprintf("/beheer/voorbeelden/%d/bekijken", cs.ID)
	switch cs.Status {
	case db.StatusPublished:
		p.Notice += " Het staat nu op de site."
		p.NoticeLink, p.NoticeLinkText = "/voorbeelden/"+cs.Slug, "Bekijk het op de site"
	case db.StatusDraft:
		p.Notice += " Het is een concept en staat niet op de site."
		p.NoticeLink, p.NoticeLinkText = preview, "Bekijk zoals het op de site komt"
	case db.StatusSubmitted:
		p.Notice += " Het wacht op beoordeling en staat niet op de site."
		p.NoticeLink, p.NoticeLinkText = preview, "Bekijk zoals het op de site komt"
	case db.StatusArchived:
		p.Notice += " Het is gearchiveerd en staat niet (meer) op de site."
	}
}

// savedNotice is the confirmation after a save that moved a case from one status
// to another.
func savedNotice(from, to string) string {
	switch {
	case from == to:
		return "opgeslagen"
	case to == db.StatusPublished:
		return "gepubliceerd"
	case from == db.StatusPublished && to == db.StatusDraft:
		return "offline"
	case to == db.StatusArchived:
		return "gearchiveerd"
	case to == db.StatusSubmitted:
		return "ingediend"
	}
	return "opgeslagen"
}

// caseForm is the editors' case form. Numbers are kept as typed, so that a wrong
// value comes back in the field with its message.
type caseForm struct {
	ID        int64    `form:"id"`
	Version   int      `form:"version"`
	Overwrite int      `form:"overschrijf"` // the newer version the editor chose to save over
	Title     string   `form:"title" label:"Titel" validate:"required,max=200" required:"Vul een titel in."`
	Slug      string   `form:"slug" label:"Adres (slug)" validate:"omitempty,max=80,slug"`
	Summary   string   `form:"summary" label:"Samenvatting" validate:"required,min=60,max=600" required:"Vul een samenvatting in: twee of drie zinnen." min:"Schrijf in de samenvatting twee of drie zinnen, minstens 60 tekens: wat is het en waarom is het een goed voorbeeld?"`
	Body      string   `form:"body" label:"Tekst" validate:"max=50000"`
	Gemeente  string   `form:"gemeente" label:"Gemeente" validate:"omitempty,max=120,gemeente"`
	Themes    []string `form:"themes" label:"Thema’s" validate:"max=20,dive,theme"`
	Kind      string   `form:"kind" label:"Soort" validate:"required,kind" required:"Kies een soort: woonoplossing of aanpak."`
	Year      string   `form:"year" label:"Jaar" validate:"omitempty,year"`
	Related   string   `form:"related" label:"Betrokken gemeenten" validate:"max=5000"`
	Province  string   `form:"province" label:"Provincie" validate:"omitempty,province"`
	Stage     string   `form:"stage" label:"Status van het initiatief" validate:"omitempty,stage"`
	StageDate string   `form:"stage_date" label:"Stand per" validate:"omitempty,partialdate"`
	Groups    []string `form:"groups" label:"Doelgroep" validate:"max=4,dive,targetgroup"`
	Homes     string   `form:"homes" label:"Aantal woningen" validate:"omitempty,count"`
	// HomesQ and PeopleQ say what the number means (db.Qualifiers).
	HomesQ        string `form:"homes_qualifier" label:"Betekenis van het aantal woningen" validate:"omitempty,qualifier"`
	People        string `form:"people" label:"Aantal personen" validate:"omitempty,count"`
	PeopleQ       string `form:"people_qualifier" label:"Betekenis van het aantal personen" validate:"omitempty,qualifier"`
	Financing     string `form:"financing" label:"Financiering" validate:"max=2000"`
	LessonsHard   string `form:"lessons_hard" label:"Wat ging moeilijk" validate:"max=10000"`
	LessonsWorked string `form:"lessons_worked" label:"Wat werkte" validate:"max=10000"`
	Partners      string `form:"partners" label:"Betrokken partijen" validate:"max=2000"`
	Contact       string `form:"contact" label:"Contact" validate:"max=300"`
	SourceURL     string `form:"source_url" label:"Bronlink" validate:"omitempty,max=500,weburl"`
	SourceChecked string `form:"source_checked" label:"Bron gecontroleerd op" validate:"omitempty,monthdate"`
	Status        string `form:"status" label:"Status" validate:"required,status" required:"Kies een status."`
	Note          string `form:"note" label:"Toelichting bij deze wijziging" validate:"max=500"`
	Action        string `form:"actie"` // "voorvertoning": show the preview, save nothing
	// FormKey names this opened form and the account it was opened by (editor_drafts.go):
	// autosaves and a save after the session ended are kept under it.
	FormKey string `form:"formsleutel"`
}

// caseFields are the fields with their own inline validation block
// (views/beheer/case-form.html: "beheer/veld-<name>").
// Choices (themes, kind, status) have none: swapping a group of checkboxes while
// the editor works through it would move their focus.
var caseFields = map[string]bool{
	"title": true, "slug": true, "summary": true, "body": true, "gemeente": true, "year": true,
	"homes": true, "people": true, "partners": true, "contact": true, "source_url": true, "note": true,
	"related": true, "stage_date": true, "financing": true, "lessons_hard": true, "lessons_worked": true,
	"source_checked": true,
}

func (h *Handler) caseFormFrom(cs db.Case) caseForm {
	f := caseForm{
		ID: cs.ID, Version: cs.Version, Title: cs.Title, Slug: cs.Slug, Summary: cs.Summary, Body: cs.Body,
		Kind: cs.Kind, Contact: cs.Contact, SourceURL: cs.SourceURL, Status: cs.Status,
		Stage: cs.Stage, StageDate: cs.StageDate, Groups: cs.TargetGroups, HomesQ: cs.HomesQualifier, PeopleQ: cs.PeopleQualifier,
		Financing: cs.Financing, LessonsHard: cs.LessonsHard, LessonsWorked: cs.LessonsWorked, SourceChecked: cs.SourceChecked,
	}
	if cs.GemeenteCode != "" {
		f.Gemeente = h.forms.gemeenteLabel(cs.GemeenteCode)
	} else {
		f.Province = cs.ProvinceCode
	}
	var related []string
	for _, g := range cs.RelatedGemeenten {
		related = append(related, h.forms.gemeenteLabel(g.Code))
	}
	f.Related = strings.Join(related, "\n")
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
		return f, errUnreadableForm
	}
	f.Title, f.Slug, f.Gemeente = cleanLine(f.Title), cleanLine(f.Slug), cleanLine(f.Gemeente)
	f.Summary, f.Body, f.Partners = cleanText(f.Summary), cleanText(f.Body), cleanText(f.Partners)
	f.Contact, f.SourceURL, f.Note = cleanLine(f.Contact), cleanLine(f.SourceURL), cleanText(f.Note)
	f.Year, f.Homes, f.People = cleanLine(f.Year), cleanLine(f.Homes), cleanLine(f.People)
	f.Related, f.Province, f.Stage, f.StageDate = cleanText(f.Related), cleanLine(f.Province), cleanLine(f.Stage), cleanLine(f.StageDate)
	f.HomesQ, f.PeopleQ, f.SourceChecked = cleanLine(f.HomesQ), cleanLine(f.PeopleQ), cleanLine(f.SourceChecked)
	f.Financing, f.LessonsHard, f.LessonsWorked = cleanText(f.Financing), cleanText(f.LessonsHard), cleanText(f.LessonsWorked)
	return f, nil
}

// caseCheck is what validateCase makes of a case form.
type caseCheck struct {
	Input  db.CaseInput // what a save writes
	Errors formErrors   // per field, in the order of the form
	Slug   string       // the slug a save uses when the slug field is left empty
}

// validateCase checks the form as the submit, the inline validation and the
// preview all do, and reads it into the input to save. Whether the editor's role
// may give the case its status is the database's to say when it saves
// (db.TransitionError, answered by caseNotSaved).
func (h *Handler) validateCase(ctx context.Context, f *caseForm) (caseCheck, error) {
	errs := h.forms.check(f)
	slug := f.Slug
	if slug == "" && f.Title != "" {
		var err error
		if slug, err = h.db.FreeSlug(ctx, db.Slugify(f.Title), f.ID); err != nil {
			return caseCheck{}, err
		}
	} else if slug != "" && !errs.Has("slug") {
		taken, err := h.db.SlugTaken(ctx, slug, f.ID)
		if err != nil {
			return caseCheck{}, err
		}
		if taken {
			errs.add("slug", "Adres (slug)", "Adres (slug) is al in gebruik door een ander voorbeeld. Kies een ander adres.")
		}
	}
	in := db.CaseInput{
		Slug: slug, Title: f.Title, Summary: f.Summary, Body: f.Body, Themes: f.Themes, Kind: f.Kind,
		Year: optionalInt(f.Year), Homes: optionalInt(f.Homes), People: optionalInt(f.People),
		Partners: db.Lines(f.Partners), Contact: f.Contact, SourceURL: f.SourceURL, Status: f.Status,
		ProvinceCode: f.Province, Stage: f.Stage, StageDate: f.StageDate, TargetGroups: f.Groups,
		HomesQualifier: f.HomesQ, PeopleQualifier: f.PeopleQ,
		Financing: f.Financing, LessonsHard: f.LessonsHard, LessonsWorked: f.LessonsWorked, SourceChecked: f.SourceChecked,
	}
	if in.Stage == "" {
		in.Stage = db.StageUnknown
	}
	if g, ok := h.forms.findGemeente(f.Gemeente); ok {
		in.GemeenteCode = g.Code
	}
	h.forms.explainGemeente(errs, "gemeente", f.Gemeente)
	if err := h.checkCaseModel(ctx, f, &in, &errs); err != nil {
		return caseCheck{}, err
	}
	return caseCheck{Input: in, Errors: sortErrors(f, errs), Slug: slug}, nil
}

// checkCaseModel adds the checks of the richer case model that involve more than
// one field, and reads the related gemeenten into in.
func (h *Handler) checkCaseModel(ctx context.Context, f *caseForm, in *db.CaseInput, errs *formErrors) error {
	// A number saved before qualifiers existed may stay as it is (the site says its
	// meaning was not recorded); a new or changed number needs its meaning.
	var cur db.Case
	if f.ID > 0 && ((f.Homes != "" && f.HomesQ == "") || (f.People != "" && f.PeopleQ == "")) {
		var err error
		if cur, err = h.db.FindCaseByID(ctx, f.ID); err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	unchanged := func(typed string, old *int, oldQ string) bool {
		return old != nil && oldQ == "" && typed == strconv.Itoa(*old)
	}
	// A number is never shown without what it means.
	for _, n := range []struct {
		number, qualifier, field, label, what string
		legacy                                bool
	}{
		{f.Homes, f.HomesQ, "homes_qualifier", "Betekenis van het aantal woningen", "woningen", unchanged(f.Homes, cur.Homes, cur.HomesQualifier)},
		{f.People, f.PeopleQ, "people_qualifier", "Betekenis van het aantal personen", "personen", unchanged(f.People, cur.People, cur.PeopleQualifier)},
	} {
		switch {
		case n.number != "" && n.qualifier == "" && !n.legacy:
			errs.add(n.field, n.label, "Kies wat het aantal "+n.what+" betekent: een doel, een gerealiseerd aantal of een maximum.")
		case n.number == "" && n.qualifier != "":
			errs.add(n.field, n.label, "Vul ook het aantal "+n.what+" in, of laat de betekenis leeg.")
		}
	}
	if f.Province != "" && strings.TrimSpace(f.Gemeente) != "" {
		errs.add("province", "Provincie", "Kies een provincie alleen bij een voorbeeld zonder gemeente: bij een gemeente geldt haar provincie al.")
	}
	var unknown []string
	for _, l := range db.Lines(f.Related) {
		g, ok := h.forms.findGemeente(l)
		if !ok {
			unknown = append(unknown, "‘"+l+"’")
			continue
		}
		in.RelatedGemeenten = append(in.RelatedGemeenten, g.Code)
	}
	if len(unknown) > 0 {
		errs.add("related", "Betrokken gemeenten", "Betrokken gemeenten: "+strings.Join(unknown, ", ")+
			" "+plural(len(unknown), "is geen bestaande gemeente", "zijn geen bestaande gemeenten")+". Zet één gemeente per regel, met haar naam of CBS-code (zoals GM0363).")
	}
	return nil
}

// caseAction is a button of the case form's action bar: it saves what is on
// screen and gives the case the status it names.
type caseAction struct {
	Status, Label string
	Primary       bool
}

// caseActions are the buttons for a case now in status from ("" for a new one),
// in the order shown, limited to what role may do (db.CanTransition). Each says
// what it does: saving as a concept, publishing, taking offline.
func caseActions(role, from string) []caseAction {
	var all []caseAction
	switch from {
	case "", db.StatusDraft:
		all = []caseAction{{db.StatusDraft, "Opslaan als concept", true}, {db.StatusPublished, "Opslaan en publiceren", false},
			{db.StatusSubmitted, "Ter beoordeling aanbieden", false}, {db.StatusArchived, "Archiveren", false}}
	case db.StatusSubmitted:
		all = []caseAction{{db.StatusPublished, "Opslaan en publiceren", true}, {db.StatusSubmitted, "Opslaan, blijft ter beoordeling", false},
			{db.StatusDraft, "Opslaan als concept", false}}
	case db.StatusPublished:
		all = []caseAction{{db.StatusPublished, "Opslaan en gepubliceerd laten", true}, {db.StatusDraft, "Offline halen", false},
			{db.StatusArchived, "Archiveren", false}}
	case db.StatusArchived:
		all = []caseAction{{db.StatusArchived, "Opslaan, blijft gearchiveerd", true}, {db.StatusDraft, "Terughalen als concept", false},
			{db.StatusPublished, "Opslaan en publiceren", false}}
	}
	var out []caseAction
	for _, a := range all {
		if db.CanTransition(role, from, a.Status) {
			out = append(out, a)
		}
	}
	return out
}

// caseFormPage is the view model of the case form, for a new and an existing case.
type caseFormPage struct {
	editorPage
	Form       caseForm
	Stages     []choice // db.Stages
	Groups     []choice // db.TargetGroups
	Qualifiers []choice // db.Qualifiers
	Provinces  []db.Province
	Errors     formErrors
	Case       *db.Case // nil for a new case
	Tipper     *db.Tipper
	Actions    []caseAction
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
	// Drafts (editor_drafts.go): an unsaved version offered back, or the one the form
	// now shows.
	Draft     *draftOffer
	Restored  *draftOffer
	WasPublic bool     // the case was ever public: a new slug keeps the old one working
	OldSlugs  []string // earlier addresses that lead here
}

func (vm caseFormPage) Crumbs() []crumb {
	current := crumb{Label: "Nieuw voorbeeld", URL: vm.Action, Current: true}
	if vm.Case != nil {
		current.Label = vm.Case.Title
	}
	return []crumb{{Label: "Beheer", URL: "/beheer"}, {Label: "Voorbeelden", URL: "/beheer/voorbeelden"}, current}
}

// Anchor is the element an error summary's link for field leads to: the field's
// input, or the first choice of a group, so that following the link lands on
// something that takes focus.
func (vm caseFormPage) Anchor(field string) string {
	switch field {
	case "kind":
		return "f-kind-" + db.Kinds[0]
	case "themes":
		if len(vm.Themes) > 0 {
			return "f-theme-" + vm.Themes[0].Slug
		}
	case "status":
		return "f-status"
	}
	return "f-" + field
}

func (h *Handler) newCaseFormPage(c *fiber.Ctx, f caseForm, cs *db.Case) caseFormPage {
	title, from, action := "Nieuw voorbeeld", "", "/beheer/voorbeelden"
	if cs != nil {
		title, from, action = "Bewerken: "+cs.Title, cs.Status, fmt.Sprintf("/beheer/voorbeelden/%d", cs.ID)
	}
	vm := caseFormPage{
		editorPage: h.newEditorPage(c, title, "voorbeelden"),
		Form:       f, Case: cs, Gemeenten: h.forms.gemeenten, Themes: h.forms.themes, Action: action,
		Stages: choices(db.Stages, db.StageLabel), Groups: choices(db.TargetGroups, db.TargetGroupLabel),
		Qualifiers: choices(db.Qualifiers, db.QualifierLabel), Provinces: h.forms.provinces,
	}
	vm.Actions = caseActions(vm.User.Role, from)
	if vm.Form.FormKey == "" || !h.ownsFormKey(vm.Form.FormKey, vm.User.ID) {
		vm.Form.FormKey = h.newFormKey(vm.User.ID)
	}
	if cs != nil {
		vm.WasPublic = cs.PublishedAt != nil
		if vm.WasPublic {
			var err error
			if vm.OldSlugs, err = h.db.OldSlugs(c.UserContext(), cs.ID); err != nil {
				h.log.WarnContext(c.UserContext(), "old slugs", "request_id", requestID(c), "err", err)
			}
		}
	}
	return vm
}

// choice is a value with its Dutch label, for radio buttons and checkboxes.
type choice struct{ Value, Label string }

func choices(values []string, label func(string) string) []choice {
	out := make([]choice, len(values))
	for i, v := range values {
		out[i] = choice{v, label(v)}
	}
	return out
}

// newCase shows an empty case form, and offers back a new case the editor began
// and did not save.
func (h *Handler) newCase(c *fiber.Ctx) error {
	vm := h.newCaseFormPage(c, caseForm{Status: db.StatusDraft, Stage: db.StageUnknown}, nil)
	if err := h.offerDraft(c, &vm); err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "beheer/case-form", "", vm)
}

// editCase shows the form for an existing case.
func (h *Handler) editCase(c *fiber.Ctx) error {
	cs, err := h.editorCase(c)
	if err != nil {
		return err
	}
	vm := h.newCaseFormPage(c, h.caseFormFrom(cs), &cs)
	caseNotice(&vm.editorPage, c.Query("melding"), cs)
	if t, err := h.db.FindTipper(c.UserContext(), cs.ID); err == nil {
		vm.Tipper = &t
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	if err := h.offerDraft(c, &vm); err != nil {
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
	if f.Status == "" {
		f.Status = db.StatusDraft
	}
	vm, check, err := h.checkedCaseForm(c, f, nil)
	if err != nil || vm.answered() {
		return err
	}
	u := currentUser(c)
	cs, err := h.db.CreateCase(c.UserContext(), check.Input, &u.ID)
	if err != nil {
		return h.caseNotSaved(c, vm, err)
	}
	h.draftsSaved(c, u, f.FormKey, 0)
	notice := "aangemaakt"
	if cs.Status == db.StatusPublished {
		notice = "gepubliceerd"
	}
	return redirect(c, fmt.Sprintf("/beheer/voorbeelden/%d?melding=%s", cs.ID, notice))
}

// updateCase saves an editor's changes. When someone else saved the case since the
// form was opened, nothing is saved: the form comes back (409) with everything the
// editor typed, a link to the newer version and to what changed. The button that
// was pressed gives the status (caseActions); without one the status stays.
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
	if f.Status == "" {
		f.Status = cur.Status
	}
	vm, check, err := h.checkedCaseForm(c, f, &cur)
	if err != nil || vm.answered() {
		return err
	}
	version := f.Version
	if f.Overwrite > 0 {
		version = f.Overwrite
	}
	u := currentUser(c)
	cs, err := h.db.UpdateCase(c.UserContext(), cur.ID, db.CaseUpdate{Version: version, Input: check.Input, Note: f.Note}, u)
	if errors.Is(err, db.ErrConflict) {
		newer, err := h.db.FindCaseByID(c.UserContext(), cur.ID)
		if err != nil {
			return err
		}
		vm.Case, vm.Conflict = &newer, &newer
		return h.render(c, fiber.StatusConflict, "beheer/case-form", "", vm)
	}
	if err != nil {
		return h.caseNotSaved(c, vm, err)
	}
	h.draftsSaved(c, u, f.FormKey, cs.ID)
	return redirect(c, fmt.Sprintf("/beheer/voorbeelden/%d?melding=%s", cs.ID, savedNotice(cur.Status, cs.Status)))
}

// checkedCaseForm validates a posted case form (cur is the saved case, nil for a
// new one) and, unless it may be saved, answers with the form: its preview
// (actie=voorvertoning, 200) or its errors (422), and vm.answered() is true.
// Otherwise the caller saves check.Input and answers itself.
func (h *Handler) checkedCaseForm(c *fiber.Ctx, f caseForm, cur *db.Case) (caseFormPage, caseCheck, error) {
	check, err := h.validateCase(c.UserContext(), &f)
	if err != nil {
		return caseFormPage{}, check, err
	}
	vm := h.newCaseFormPage(c, f, cur)
	vm.SlugHint = check.Slug
	if cur != nil && cur.Status == db.StatusSubmitted {
		if t, err := h.db.FindTipper(c.UserContext(), cur.ID); err == nil {
			vm.Tipper = &t
		}
	}
	switch {
	case f.Action == "voorvertoning":
		vm.Preview, vm.HasPreview = renderMarkdown(f.Body), true
		return vm, check, h.render(c, fiber.StatusOK, "beheer/case-form", "", vm)
	case len(check.Errors) > 0:
		vm.Errors = check.Errors
		return vm, check, h.render(c, fiber.StatusUnprocessableEntity, "beheer/case-form", "", vm)
	}
	return vm, check, nil
}

// answered reports whether checkedCaseForm answered with the form.
func (vm caseFormPage) answered() bool { return vm.HasPreview || len(vm.Errors) > 0 }

// errRejectNote asks for the note a rejected tip needs (db.ErrNoteRequired).
const errRejectNote = "Schrijf kort op waarom de tip wordt afgewezen (hoogstens 500 tekens); dat blijft bewaard in de geschiedenis."

var (
	errNotAllowed = clientError(fiber.StatusForbidden, "Niet toegestaan",
		"Uw rol staat deze wijziging niet toe. Er is niets gewijzigd.")
	errSlugTaken = fieldError{"slug", "Adres (slug)",
		"Adres (slug) is zojuist door een ander voorbeeld in gebruik genomen. Kies een ander adres."}
)

// caseNotSaved answers a save of the case form that the database refused: a
// status the editor's role may not give, a slug another editor took a moment
// ago, a rejection without its note (the form again, 422 with the message at its
// field), or a database that cannot be written now (notSaved).
func (h *Handler) caseNotSaved(c *fiber.Ctx, vm caseFormPage, err error) error {
	var transition *db.TransitionError
	switch {
	case errors.As(err, &transition):
		vm.Errors = formErrors{{"status", "Status", fmt.Sprintf("U kunt een voorbeeld niet van ‘%s’ naar ‘%s’ zetten; een gearchiveerd voorbeeld kan alleen een beheerder terughalen.",
			db.StatusLabel(transition.From), db.StatusLabel(transition.To))}}
	case errors.Is(err, db.ErrDuplicate):
		vm.Errors = formErrors{errSlugTaken}
	case errors.Is(err, db.ErrNoteRequired):
		vm.Errors = formErrors{{"note", "Toelichting bij deze wijziging", errRejectNote}}
	case errors.Is(err, db.ErrReadOnly):
		return h.notSaved(c, vm, err)
	case errors.Is(err, db.ErrForbidden):
		return errNotAllowed
	case errors.Is(err, db.ErrNotFound):
		return errCaseNotFound
	default:
		return err
	}
	return h.render(c, fiber.StatusUnprocessableEntity, "beheer/case-form", "", vm)
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
// leaves it): the same checks as the submit, answered with that field's block. A
// gemeente that was understood is written out as the list gives it, so the editor
// sees which one was meant ("Den Bosch" → "'s-Hertogenbosch (GM0796)").
func (h *Handler) validateCaseField(c *fiber.Ctx) error {
	field := c.Query("veld")
	if !caseFields[field] {
		return fiber.ErrNotFound
	}
	f, cur, check, err := h.checkPostedCase(c)
	if err != nil {
		return err
	}
	vm := h.newCaseFormPage(c, f, cur)
	// Leaving the title also updates the slug that an empty slug field will get.
	vm.SlugHint, vm.OOB = check.Slug, field == "title"
	if e := check.Errors.Get(field); e != "" {
		vm.Errors = formErrors{{Field: field, Message: e}}
	} else if g, ok := h.forms.findGemeente(f.Gemeente); ok && field == "gemeente" {
		vm.Form.Gemeente = h.forms.gemeenteLabel(g.Code)
	}
	c.Vary("HX-Request")
	return c.Render("beheer/veld-"+field, vm)
}

// checkPostedCase reads and checks a posted case form without saving it (inline
// validation, preview), with the saved case it edits (nil for a new one). A form
// without a status keeps the case's, or is a concept.
func (h *Handler) checkPostedCase(c *fiber.Ctx) (caseForm, *db.Case, caseCheck, error) {
	f, err := parseCaseForm(c)
	if err != nil {
		return f, nil, caseCheck{}, err
	}
	var cur *db.Case
	if f.ID > 0 {
		cs, err := h.db.FindCaseByID(c.UserContext(), f.ID)
		if errors.Is(err, db.ErrNotFound) {
			return f, nil, caseCheck{}, errCaseNotFound
		}
		if err != nil {
			return f, nil, caseCheck{}, err
		}
		cur = &cs
		f.Status = cmp.Or(f.Status, cs.Status)
	}
	f.Status = cmp.Or(f.Status, db.StatusDraft)
	check, err := h.validateCase(c.UserContext(), &f)
	return f, cur, check, err
}

// previewCase renders the Markdown body as it will be shown (htmx).
func (h *Handler) previewCase(c *fiber.Ctx) error {
	vm := caseFormPage{Preview: renderMarkdown(cleanText(c.FormValue("body"))), HasPreview: true}
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	return c.Render("beheer/preview", vm)
}

// setCaseStatus rejects a suggestion (with a required note) or otherwise moves a
// case without changing its content. The case form's own buttons save the form
// and set the status in one go (updateCase): publishing a tip goes there, so the
// edits on screen are published too.
func (h *Handler) setCaseStatus(c *fiber.Ctx) error {
	cur, err := h.editorCase(c)
	if err != nil {
		return err
	}
	upd := db.StatusUpdate{Status: c.FormValue("status"), Note: cleanText(c.FormValue("note"))}
	upd.Version, _ = strconv.Atoi(c.FormValue("version"))
	cs, err := h.db.SetCaseStatus(c.UserContext(), cur.ID, upd, currentUser(c))
	switch {
	case errors.Is(err, db.ErrNoteRequired), errors.Is(err, db.ErrNoteTooLong):
		vm := h.newCaseFormPage(c, h.caseFormFrom(cur), &cur)
		vm.RejectNote, vm.RejectError = upd.Note, errRejectNote
		if t, err := h.db.FindTipper(c.UserContext(), cur.ID); err == nil {
			vm.Tipper = &t
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/case-form", "", vm)
	case errors.Is(err, db.ErrConflict):
		return clientError(fiber.StatusConflict, "Intussen gewijzigd",
			"Iemand anders heeft dit voorbeeld intussen gewijzigd, dus de status is niet veranderd. Open het voorbeeld opnieuw, bekijk de nieuwe versie en probeer het nog eens.")
	case errors.Is(err, db.ErrForbidden):
		return clientError(fiber.StatusForbidden, "Niet toegestaan",
			fmt.Sprintf("Uw rol staat niet toe een voorbeeld van ‘%s’ naar ‘%s’ te zetten. Er is niets gewijzigd.",
				db.StatusLabel(cur.Status), db.StatusLabel(upd.Status)))
	case err != nil:
		return err
	}
	notice := savedNotice(cur.Status, cs.Status)
	if cur.Status == db.StatusSubmitted && cs.Status == db.StatusArchived {
		notice = "afgewezen"
	}
	return redirect(c, fmt.Sprintf("/beheer/voorbeelden/%d?melding=%s", cs.ID, notice))
}
