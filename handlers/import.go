package handlers

import (
	"errors"
	"io"
	"slices"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// The figure import: upload a CSV for a period → every bad line is listed (422)
// and nothing is kept; or a preview of what will change → the editor confirms →
// one transaction, audited. The uploaded file waits in the database between
// preview and confirmation, so the confirmation imports exactly what was previewed
// (checked once more against the figures as they are then).

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
}

const maxPreviewRows = 300

func (h *Handler) newImportPage(c *fiber.Ctx) (importPage, error) {
	vm := importPage{editorPage: h.newEditorPage(c, "Cijfers importeren", "cijfers"),
		Columns: []string{db.ColGemeente, db.ColPeriod, db.ColTaakstelling, db.ColPeildatum, db.ColRealised, db.ColOfficial}}
	var err error
	vm.Periods, err = h.db.FigureImportPeriods(c.UserContext())
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
	return h.render(c, fiber.StatusOK, "beheer/import", "", vm)
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
	vm.Filename = truncate(cleanLine(fh.Filename), 200)
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
	vm.Preview = &preview
	vm.Changes = preview.Changes[:min(len(preview.Changes), maxPreviewRows)]
	return h.render(c, fiber.StatusOK, "beheer/import", "", vm)
}

// confirmImport imports a previewed upload, or drops it ("actie=annuleren").
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
	if len(lineErrs) > 0 {
		// The reference data changed since the preview; show why.
		vm, err := h.newImportPage(c)
		if err != nil {
			return err
		}
		vm.Period, vm.Errors = up.Period, lineErrs
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/import", "", vm)
	}
	imp.UploadID = up.ID
	if _, err := h.db.ImportFigures(ctx, imp, u); err != nil {
		return err
	}
	return redirect(c, "/beheer/cijfers?melding=geimporteerd")
}
