package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// The figure import: upload a CSV for a period → every bad line is listed (422)
// and nothing is kept; or a preview of what will change, in plain words → the
// editor confirms → one transaction, audited, kept in the import history with the
// figures it replaced, so that it can be undone. The uploaded file waits in the
// database between preview and confirmation, so the confirmation imports exactly
// what was previewed (checked once more against the figures as they are then).
//
// An import that leaves gemeenten without the realisations they have now (its
// official realisations replace every fictitious one of the period, and it brings
// none for them: the map shows "geen gegevens") is destructive. Only a beheerder
// may confirm one, and only with an extra, explicit confirmation; a redacteur sees
// the same preview and is asked to leave it to a beheerder. Undoing an import is
// for a beheerder or the editor who made it.

// importPage is the view model of /beheer/cijfers, in each of its steps.
type importPage struct {
	editorPage
	Periods  []string
	Period   string
	Errors   []db.ImportLineError
	More     int // bad lines beyond those listed
	Problem  string
	Preview  *db.ImportPreview
	Changes  []db.ImportChange // the first maxPreviewRows of Preview.Changes
	UploadID string
	Filename string
	Columns  []string
	// CanConfirm: the editor may confirm this preview (a destructive import needs
	// a beheerder); ConfirmError: the extra confirmation was not given.
	CanConfirm   bool
	ConfirmError string
	History      []db.FigureImportRecord
	// Done is the import or undo just made, with links to its period's map and table.
	Done *importDone
}

// importDone is where to see the result of an import or undo.
type importDone struct {
	Period, PeriodLabel string
	MapURL, TableURL    string
}

const (
	maxPreviewRows    = 300
	importHistoryRows = 20
)

func (h *Handler) newImportPage(c *fiber.Ctx) (importPage, error) {
	vm := importPage{editorPage: h.newEditorPage(c, "Cijfers importeren", "cijfers"),
		Columns: []string{db.ColGemeente, db.ColPeriod, db.ColTaakstelling, db.ColPeildatum, db.ColRealised, db.ColOfficial}}
	var err error
	if vm.Periods, err = h.db.FigureImportPeriods(c.UserContext()); err != nil {
		return vm, err
	}
	vm.History, err = h.db.ImportHistory(c.UserContext(), importHistoryRows)
	return vm, err
}

func (h *Handler) showImport(c *fiber.Ctx) error {
	vm, err := h.newImportPage(c)
	if err != nil {
		return err
	}
	if len(vm.Periods) > 0 {
		vm.Period = vm.Periods[0]
	}
	if p := c.Query("periode"); slices.Contains(vm.Periods, p) {
		vm.Period = p
		if c.Query("melding") == "geimporteerd" || c.Query("melding") == "ongedaan" {
			vm.Done = newImportDone(p)
		}
	}
	return h.render(c, fiber.StatusOK, "beheer/import", "", vm)
}

func newImportDone(period string) *importDone {
	return &importDone{Period: period, PeriodLabel: db.PeriodLabel(period),
		MapURL:   "/kaart?periode=" + url.QueryEscape(period),
		TableURL: "/kaart/tabel?periode=" + url.QueryEscape(period)}
}

var errTooLarge = clientError(fiber.StatusRequestEntityTooLarge, "Bestand te groot",
	"Het bestand is groter dan 5 MB en is niet ingelezen. Splits het per periode of laat overbodige kolommen weg, en probeer het opnieuw.")

// uploadFigures checks an uploaded file and shows either its bad lines or what
// importing it would change.
func (h *Handler) uploadFigures(c *fiber.Ctx) error {
	vm, err := h.newImportPage(c)
	if err != nil {
		return err
	}
	vm.Period = c.FormValue("periode")
	if !slices.Contains(vm.Periods, vm.Period) {
		vm.Problem = "Kies de periode waarvoor u cijfers inleest."
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/import", "", vm)
	}
	fh, err := c.FormFile("bestand")
	if err != nil {
		vm.Problem = "Kies een CSV-bestand om in te lezen."
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/import", "", vm)
	}
	if fh.Size > db.MaxImportBytes {
		return errTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	content, err := io.ReadAll(io.LimitReader(f, db.MaxImportBytes+1))
	f.Close()
	if err != nil {
		return err
	}
	if len(content) > db.MaxImportBytes {
		return errTooLarge
	}
	vm.Filename = db.Truncate(cleanLine(fh.Filename), 200)
	ctx := c.UserContext()
	imp, lineErrs, err := h.db.ParseFigureImport(ctx, vm.Period, vm.Filename, content)
	if err != nil {
		return err
	}
	if len(lineErrs) > 0 {
		vm.Errors = lineErrs
		if len(vm.Errors) > 100 {
			vm.More = len(vm.Errors) - 100
			vm.Errors = vm.Errors[:100]
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/import", "", vm)
	}
	preview, err := h.db.PreviewFigureImport(ctx, imp)
	if err != nil {
		return err
	}
	if vm.UploadID, err = h.db.SaveFigureUpload(ctx, currentUser(c), vm.Period, vm.Filename, content); err != nil {
		return err
	}
	vm.setPreview(preview)
	return h.render(c, fiber.StatusOK, "beheer/import", "", vm)
}

func (vm *importPage) setPreview(p db.ImportPreview) {
	vm.Preview = &p
	vm.Changes = p.Changes[:min(len(p.Changes), maxPreviewRows)]
	vm.CanConfirm = !p.Destructive() || vm.User.IsAdmin()
}

// confirmImport imports a previewed upload, or drops it ("actie=annuleren"). A
// destructive import needs a beheerder and the box "begrepen" ticked.
func (h *Handler) confirmImport(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	id := c.FormValue("upload")
	if c.FormValue("actie") == "annuleren" {
		if err := h.db.DeleteFigureUpload(ctx, id, u); err != nil {
			return err
		}
		return redirect(c, "/beheer/cijfers?melding=geannuleerd")
	}
	up, err := h.db.FindFigureUpload(ctx, id, u)
	if errors.Is(err, db.ErrNotFound) {
		return clientError(fiber.StatusNotFound, "Upload niet gevonden",
			"Dit bestand is al ingelezen, geannuleerd of langer dan een dag geleden geüpload. Upload het opnieuw.")
	}
	if err != nil {
		return err
	}
	imp, lineErrs, err := h.db.ParseFigureImport(ctx, up.Period, up.Filename, up.Content)
	if err != nil {
		return err
	}
	vm, err := h.newImportPage(c)
	if err != nil {
		return err
	}
	vm.Period, vm.Filename, vm.UploadID = up.Period, up.Filename, up.ID
	if len(lineErrs) > 0 {
		// The reference data changed since the preview; show why.
		vm.Errors = lineErrs
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/import", "", vm)
	}
	imp.UploadID = up.ID
	preview, err := h.db.PreviewFigureImport(ctx, imp)
	if err != nil {
		return err
	}
	if preview.Destructive() {
		if !u.IsAdmin() {
			return clientError(fiber.StatusForbidden, "Alleen voor beheerders",
				fmt.Sprintf("Deze import laat %d %s zonder cijfers voor %s. Zo’n import kan alleen een beheerder bevestigen. Er is niets gewijzigd.",
					preview.LostGemeenten, plural(preview.LostGemeenten, "gemeente", "gemeenten"), preview.PeriodLabel()))
		}
		if c.FormValue("begrepen") != "ja" {
			vm.setPreview(preview)
			vm.ConfirmError = "Vink aan dat u begrijpt dat deze gemeenten ‘geen gegevens’ krijgen, of annuleer de import."
			return h.render(c, fiber.StatusUnprocessableEntity, "beheer/import", "", vm)
		}
		imp.AllowLoss = true
	}
	if _, err := h.db.ImportFigures(ctx, imp, u); err != nil {
		if errors.Is(err, db.ErrForbidden) {
			// More gemeenten would lose figures than a moment ago.
			vm.setPreview(preview)
			vm.ConfirmError = "De cijfers zijn intussen veranderd: bekijk wat de import nu doet en bevestig opnieuw."
			return h.render(c, fiber.StatusConflict, "beheer/import", "", vm)
		}
		return err
	}
	return redirect(c, "/beheer/cijfers?melding=geimporteerd&periode="+url.QueryEscape(up.Period))
}

// undoImport puts the figures of an import's period back as they were before it.
func (h *Handler) undoImport(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	u := currentUser(c)
	rec, err := h.db.FindImport(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return clientError(fiber.StatusNotFound, "Import niet gevonden", "Deze import staat niet in de geschiedenis.")
	}
	if err != nil {
		return err
	}
	if !u.IsAdmin() && rec.UserID != u.ID {
		return clientError(fiber.StatusForbidden, "Niet toegestaan",
			"Een import ongedaan maken kan alleen wie hem deed, of een beheerder. Er is niets gewijzigd.")
	}
	_, err = h.db.UndoImport(ctx, id, u)
	switch {
	case errors.Is(err, db.ErrConflict):
		return clientError(fiber.StatusConflict, "Kan niet ongedaan worden gemaakt",
			"Deze import is al ongedaan gemaakt, of er is daarna nog een import voor dezelfde periode gedaan: maak eerst die ongedaan. Er is niets gewijzigd.")
	case err != nil:
		return err
	}
	return redirect(c, "/beheer/cijfers?melding=ongedaan&periode="+url.QueryEscape(rec.Period))
}

// importTemplate is a CSV with the header row and example rows for a period: a
// taakstelling and a realisation of Amsterdam.
func (h *Handler) importTemplate(c *fiber.Ctx) error {
	periods, err := h.db.FigureImportPeriods(c.UserContext())
	if err != nil {
		return err
	}
	period := c.Query("periode")
	if !slices.Contains(periods, period) {
		if len(periods) == 0 {
			return fiber.ErrNotFound
		}
		period = periods[0]
	}
	year, half, _ := db.ParsePeriod(period)
	first := fmt.Sprintf("%d-%02d-01", year, 6*(half-1)+2)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="cijfers-`+period+`.csv"`)
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	return c.SendString(importTemplateCSV(period, first))
}

func importTemplateCSV(period, peildatum string) string {
	return db.ColGemeente + "," + db.ColPeriod + "," + db.ColTaakstelling + "," + db.ColPeildatum + "," + db.ColRealised + "," + db.ColOfficial + "\r\n" +
		"GM0363," + period + ",1234,,,ja\r\n" +
		"GM0363," + period + ",," + peildatum + ",120,ja\r\n"
}
