package handlers

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// accountForm adds an account. An empty password makes the system choose a
// one-time password, shown once; the new editor then picks their own.
type accountForm struct {
	Email    string `form:"email" label:"E-mailadres" validate:"required,max=254,email" required:"Vul een e-mailadres in."`
	Name     string `form:"name" label:"Naam" validate:"max=100"`
	Role     string `form:"role" label:"Rol" validate:"required,role" required:"Kies een rol."`
	Password string `form:"password" label:"Wachtwoord" validate:"omitempty,password"`
}

// accountsPage is the view model of /beheer/accounts (beheerders only).
type accountsPage struct {
	editorPage
	Users []db.User
	// Throttled holds the accounts with recent failed sign-ins, by e-mail address.
	Throttled map[string]db.SignInThrottle
	Form      accountForm
	Errors    formErrors
	// The one-time password just made, shown once and never stored in plain text.
	OneTime      string
	OneTimeEmail string
	Error        string
}

func (h *Handler) newAccountsPage(c *fiber.Ctx) (accountsPage, error) {
	vm := accountsPage{editorPage: h.newEditorPage(c, "Accounts", "accounts"), Form: accountForm{Role: db.RoleEditor}}
	var err error
	if vm.Users, err = h.db.Users(c.UserContext()); err != nil {
		return vm, err
	}
	vm.Throttled, err = h.db.SignInThrottles(c.UserContext())
	return vm, err
}

func (h *Handler) listAccounts(c *fiber.Ctx) error {
	vm, err := h.newAccountsPage(c)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "beheer/accounts", "", vm)
}

// createAccount adds an account. With a one-time password the answer is the page
// itself (200, no-store) rather than a redirect: the password exists only in this
// one response.
func (h *Handler) createAccount(c *fiber.Ctx) error {
	var f accountForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	f.Email, f.Name = db.NormalizeEmail(cleanLine(f.Email)), cleanLine(f.Name)
	vm, err := h.newAccountsPage(c)
	if err != nil {
		return err
	}
	vm.Form = f
	vm.Form.Password = "" // never echoed back
	if vm.Errors = h.forms.check(&f); len(vm.Errors) > 0 {
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/accounts", "", vm)
	}
	oneTime := f.Password == ""
	pw := f.Password
	if oneTime {
		pw = db.GeneratePassword()
	}
	u := currentUser(c)
	created, err := h.db.CreateUser(c.UserContext(), db.UserInput{Email: f.Email, Name: f.Name, Role: f.Role,
		Password: pw, MustChangePassword: oneTime}, &u)
	if errors.Is(err, db.ErrDuplicate) {
		vm.Errors = formErrors{{"email", "E-mailadres", "Er is al een account met dit e-mailadres."}}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/accounts", "", vm)
	}
	if err != nil {
		return err
	}
	if !oneTime {
		return redirect(c, "/beheer/accounts?melding=account")
	}
	vm, err = h.newAccountsPage(c)
	if err != nil {
		return err
	}
	vm.OneTime, vm.OneTimeEmail = pw, created.Email
	return h.render(c, fiber.StatusOK, "beheer/accounts", "", vm)
}

// updateAccount changes a role, disables or enables an account, or gives it a new
// one-time password (field "actie").
func (h *Handler) updateAccount(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	u := currentUser(c)
	ctx := c.UserContext()
	notice := "account"
	switch c.FormValue("actie") {
	case "rol":
		role := c.FormValue("role")
		_, err = h.db.UpdateUser(ctx, id, db.UserUpdate{Role: &role}, u)
	case "uitschakelen":
		off := true
		_, err = h.db.UpdateUser(ctx, id, db.UserUpdate{Disabled: &off}, u)
		notice = "uitgeschakeld"
	case "inschakelen":
		off := false
		_, err = h.db.UpdateUser(ctx, id, db.UserUpdate{Disabled: &off}, u)
	case "vertraging":
		err = h.db.LiftSignInThrottle(ctx, id, u)
		notice = "vertraging"
	case "wachtwoord":
		pw, err := h.db.ResetPassword(ctx, id, u)
		if err != nil {
			return h.accountError(c, err)
		}
		target, err := h.db.FindUserByID(ctx, id)
		if err != nil {
			return err
		}
		vm, err := h.newAccountsPage(c)
		if err != nil {
			return err
		}
		vm.OneTime, vm.OneTimeEmail = pw, target.Email
		return h.render(c, fiber.StatusOK, "beheer/accounts", "", vm)
	default:
		return clientError(fiber.StatusBadRequest, "Onbekende actie", "Kies wat er met het account moet gebeuren.")
	}
	if err != nil {
		return h.accountError(c, err)
	}
	return redirect(c, "/beheer/accounts?melding="+notice)
}

func (h *Handler) accountError(c *fiber.Ctx, err error) error {
	msg := ""
	switch {
	case errors.Is(err, db.ErrSelf):
		msg = "U kunt uw eigen rol of toegang niet wijzigen; vraag dat een andere beheerder."
	case errors.Is(err, db.ErrLastAdmin):
		msg = "Dit is de laatste actieve beheerder. Maak eerst iemand anders beheerder."
	case errors.Is(err, db.ErrInvalid):
		msg = "Kies als rol ‘redacteur’ of ‘beheerder’."
	case errors.Is(err, db.ErrNotFound):
		return clientError(fiber.StatusNotFound, "Account niet gevonden", "Dit account bestaat niet.")
	default:
		return err
	}
	vm, lerr := h.newAccountsPage(c)
	if lerr != nil {
		return lerr
	}
	vm.Error = msg
	return h.render(c, fiber.StatusUnprocessableEntity, "beheer/accounts", "", vm)
}

// passwordForm changes the editor's own password.
type passwordForm struct {
	Current string `form:"current" label:"Huidig wachtwoord" validate:"required" required:"Vul uw huidige wachtwoord in."`
	New     string `form:"new" label:"Nieuw wachtwoord" validate:"required,password" required:"Vul een nieuw wachtwoord in."`
	Repeat  string `form:"repeat" label:"Herhaal het nieuwe wachtwoord" validate:"required,eqfield=New" required:"Herhaal het nieuwe wachtwoord." eqfield:"De twee nieuwe wachtwoorden zijn niet gelijk."`
}

type passwordPage struct {
	editorPage
	Errors formErrors
}

func (h *Handler) showPassword(c *fiber.Ctx) error {
	vm := passwordPage{editorPage: h.newEditorPage(c, "Wachtwoord wijzigen", "wachtwoord")}
	return h.render(c, fiber.StatusOK, "beheer/password", "", vm)
}

func (h *Handler) changePassword(c *fiber.Ctx) error {
	var f passwordForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	vm := passwordPage{editorPage: h.newEditorPage(c, "Wachtwoord wijzigen", "wachtwoord")}
	if vm.Errors = h.forms.check(&f); len(vm.Errors) > 0 {
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/password", "", vm)
	}
	epoch, err := h.db.ChangePassword(c.UserContext(), currentUser(c).ID, f.Current, f.New, h.clientKey(c))
	var wait *db.WaitError
	switch {
	case errors.As(err, &wait):
		vm.Errors = formErrors{{"current", "Huidig wachtwoord", tooManyAttempts(c, wait)}}
		return h.render(c, fiber.StatusTooManyRequests, "beheer/password", "", vm)
	case errors.Is(err, db.ErrBadCredentials):
		vm.Errors = formErrors{{"current", "Huidig wachtwoord", "Het huidige wachtwoord klopt niet."}}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/password", "", vm)
	case errors.Is(err, db.ErrSamePassword):
		vm.Errors = formErrors{{"new", "Nieuw wachtwoord", "Kies een ander wachtwoord dan het huidige (of het eenmalige wachtwoord dat u kreeg)."}}
		return h.render(c, fiber.StatusUnprocessableEntity, "beheer/password", "", vm)
	case err != nil:
		return err
	}
	// Every other session of the account has ended (the epoch moved on); this
	// one goes on under a new id and a new CSRF token.
	sess, err := h.sessions.Get(c)
	if err != nil {
		return err
	}
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Set(sessEpoch, epoch)
	sess.Set(sessCSRF, newCSRFToken())
	sess.Set(sessSeenAt, time.Now().Unix())
	if err := sess.Save(); err != nil {
		return err
	}
	return redirect(c, "/beheer?melding=wachtwoord")
}
