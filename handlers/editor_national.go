package handlers

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// /beheer/landelijk: a beheerder enters the national taakstelling of a half year,
// with its source and status. Only beheerders: one figure sets the computed
// taakstelling of every gemeente, so it is an act of the same weight as managing
// accounts. The split per gemeente follows in the same transaction (db.
// SetNationalFigure), the map lists the period, and the audit log records who
// entered what from which source.

// nationalForm is the form of a national figure.
type nationalForm struct {
	Period     string `form:"periode" label:"Periode" validate:"required,period" required:"Kies een periode."`
	Total      string `form:"totaal" label:"Landelijk cijfer" validate:"required,national_total" required:"Vul het landelijke cijfer in."`
	Status     string `form:"status" label:"Status" validate:"required,total_status" required:"Kies een status."`
	SourceURL  string `form:"bron_url" label:"Bron" validate:"required,max=500,weburl" required:"Vul de link naar de bron in."`
	SourceDate string `form:"bron_datum" label:"Datum van de bron" validate:"required,source_date" required:"Vul de datum van de bron in."`
	Note       string `form:"opmerking" label:"Opmerking" validate:"max=1000"`
	Replace    bool   `form:"vervangen"`
}

// sourceDatePattern is a date as sources give it: a year, a month or a day.
var sourceDatePattern = regexp.MustCompile(`^[12][0-9]{3}(-[01][0-9](-[0-3][0-9])?)?$`)

// validSourceDate accepts 2025, 2025-04 or 2025-04-16, a real date not after today.
func validSourceDate(s string) bool {
	s = strings.TrimSpace(s)
	if !sourceDatePattern.MatchString(s) {
		return false
	}
	layout := map[int]string{4: "2006", 7: "2006-01", 10: time.DateOnly}[len(s)]
	t, err := time.Parse(layout, s)
	return err == nil && !t.After(time.Now())
}

// validNationalTotal accepts a whole number of persons from 1 to db.MaxNationalTotal,
// written with or without thousands separators.
func validNationalTotal(s string) bool {
	n, ok := parseNationalTotal(s)
	return ok && n >= 1 && n <= db.MaxNationalTotal
}

func parseNationalTotal(s string) (int, bool) {
	s = strings.NewReplacer(".", "", " ", "", "\u00a0", "").Replace(strings.TrimSpace(s))
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// nationalPage is the view model of /beheer/landelijk.
type nationalPage struct {
	editorPage
	Form     nationalForm
	Errors   formErrors
	Periods  []option
	Statuses []statusRule
	Recent   []db.Period // newest first
	Max      int
	Result   string // what the last save did, after the redirect
}

func (h *Handler) newNationalPage(c *fiber.Ctx, f nationalForm) (nationalPage, error) {
	vm := nationalPage{editorPage: h.newEditorPage(c, "Landelijk cijfer invoeren", "landelijk"), Form: f, Max: db.MaxNationalTotal}
	periods, err := h.db.NationalFigurePeriods(c.UserContext(), time.Now())
	if err != nil {
		return vm, err
	}
	if vm.Form.Period == "" {
		// The first half year without a figure after the last one that has one.
		for _, p := range periods {
			if p.Pending && vm.Form.Period == "" {
				vm.Form.Period = p.Code
			}
		}
	}
	for i := len(periods) - 1; i >= 0; i-- {
		p := periods[i]
		label := p.Label() + " — "
		switch {
		case p.Known():
			label += formatNumber(*p.NationalTotal) + " (" + p.TotalStatus + "): vervangen"
		case p.Pending:
			label += "nog geen landelijk cijfer"
		default:
			label += "niet gevonden"
		}
		vm.Periods = append(vm.Periods, option{Value: p.Code, Label: label, Selected: p.Code == vm.Form.Period})
		if !p.Pending && len(vm.Recent) < 8 {
			vm.Recent = append(vm.Recent, p)
		}
	}
	for _, st := range db.TotalStatuses {
		vm.Statuses = append(vm.Statuses, statusRule{st, db.TotalStatusRule(st)})
	}
	return vm, nil
}

// showNational is GET /beheer/landelijk.
func (h *Handler) showNational(c *fiber.Ctx) error {
	vm, err := h.newNationalPage(c, nationalForm{})
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "beheer/landelijk", "", vm)
}

// saveNational is POST /beheer/landelijk: validate, store with its split and audit
// entry, and redirect (303); a bad form comes back with 422 and Dutch messages.
func (h *Handler) saveNational(c *fiber.Ctx) error {
	var f nationalForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	f.Period, f.Total, f.Status = cleanLine(f.Period), cleanLine(f.Total), cleanLine(f.Status)
	f.SourceURL, f.SourceDate, f.Note = cleanLine(f.SourceURL), cleanLine(f.SourceDate), cleanText(f.Note)
	vm, err := h.newNationalPage(c, f)
	if err != nil {
		return err
	}
	vm.Errors = h.forms.check(&f)
	if !vm.Errors.Has("periode") && !slices.ContainsFunc(vm.Periods, func(o option) bool { return o.Value == f.Period }) {
		vm.Errors.add("periode", "Periode", "Kies een periode uit de lijst: een halfjaar vanaf "+
			vm.Periods[len(vm.Periods)-1].Label+" tot en met het halfjaar na het huidige.")
	}
	if len(vm.Errors) > 0 {
		vm.Errors = sortErrors(&f, vm.Errors)
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/landelijk", "", vm)
	}
	total, _ := parseNationalTotal(f.Total)
	res, err := h.db.SetNationalFigure(c.UserContext(), db.NationalFigure{Period: f.Period, Total: total, Status: f.Status,
		SourceURL: f.SourceURL, SourceDate: f.SourceDate, Note: f.Note, Replace: f.Replace}, currentUser(c), time.Now())
	switch {
	case errors.Is(err, db.ErrFigureExists):
		p, _ := h.db.FindPeriod(c.UserContext(), f.Period)
		msg := "Voor " + f.Period + " staat al een landelijk cijfer"
		if p.Known() {
			msg += " (" + formatNumber(*p.NationalTotal) + ", " + p.TotalStatus + ")"
		}
		vm.Errors = formErrors{{"vervangen", "Vervangen", msg + ". Vink ‘Vervang het huidige cijfer’ aan als u het wilt vervangen."}}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/landelijk", "", vm)
	case errors.Is(err, db.ErrPeriodOutOfRange):
		vm.Errors = formErrors{{"periode", "Periode", "Voor deze periode kan geen landelijk cijfer worden ingevoerd. Kies een periode uit de lijst."}}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/landelijk", "", vm)
	case err != nil:
		return err
	}
	melding := "landelijk"
	switch {
	case res.NoSplit:
		melding = "landelijk-zonder-verdeling"
	case res.KeptOfficial > 0:
		melding = "landelijk-officieel"
	}
	return redirect(c, "/beheer/landelijk?melding="+melding)
}
