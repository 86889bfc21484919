package handlers

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"opnieuwthuis/db"
)

// Public suggestions (/tip). Anyone may suggest a case; it lands as "ingediend"
// in the editors' queue and nothing is published without an editor. Spam
// defences: a honeypot field that people never see, a minimum fill time carried by
// the signed form token, and a limit per client address.
const (
	tipMinFillTime = 3 * time.Second
	tipMaxPerHour  = 5
)

// tipForm is the public suggestion form.
type tipForm struct {
	Title     string `form:"title" label:"Titel" validate:"required,max=200" required:"Vul een titel in."`
	Gemeente  string `form:"gemeente" label:"Gemeente" validate:"omitempty,max=120,gemeente"`
	Kind      string `form:"kind" label:"Soort" validate:"required,kind" required:"Kies wat voor voorbeeld het is: een woonoplossing of een aanpak."`
	Summary   string `form:"summary" label:"Korte beschrijving" validate:"required,max=600" required:"Vul een korte beschrijving in."`
	Why       string `form:"why" label:"Wat maakt het een goed voorbeeld" validate:"required,max=5000" required:"Schrijf op wat het een goed voorbeeld maakt."`
	SourceURL string `form:"source_url" label:"Link naar meer informatie" validate:"omitempty,max=500,weburl"`
	Name      string `form:"name" label:"Uw naam" validate:"required,max=100" required:"Vul uw naam in."`
	Email     string `form:"email" label:"Uw e-mailadres" validate:"required,max=254,email" required:"Vul uw e-mailadres in."`
	Consent   bool   `form:"consent" label:"Toestemming" validate:"required" message:"Geef toestemming om uw naam en e-mailadres te bewaren, anders kunnen wij de tip niet aannemen."`
	// Website is the honeypot: hidden from people (and from screen readers), filled
	// in by bots that fill in every field.
	Website string `form:"website"`
}

// tipFields have inline validation ("tip/veld-<name>").
var tipFields = map[string]bool{"title": true, "gemeente": true, "kind": true, "summary": true, "why": true,
	"source_url": true, "name": true, "email": true, "consent": true}

type tipPage struct {
	page
	Form      tipForm
	Errors    formErrors
	Token     string
	Gemeenten []db.Gemeente
	TooFast   bool
}

// Anchor is the element an error summary's link for field leads to: the field.
func (tipPage) Anchor(field string) string { return "f-" + field }

func (h *Handler) newTipPage(f tipForm) tipPage {
	vm := tipPage{Form: f, Token: h.formToken(purposeTip, time.Now()), Gemeenten: h.forms.gemeenten}
	vm.Title = "Een goed voorbeeld tippen"
	vm.Description = "Kent u een goed voorbeeld van huisvesting van vergunninghouders? Tip het de redactie van Opnieuw Thuis."
	vm.Canonical = h.canonical("/tip")
	return vm
}

// tipLimitWindow is how long the tip limiter remembers a client address (in memory
// only; the privacy statement says so).
const tipLimitWindow = time.Hour

func (h *Handler) setupTipLimiter() {
	h.tipLimiter = limiter.New(limiter.Config{
		Max:               tipMaxPerHour,
		Expiration:        tipLimitWindow,
		LimiterMiddleware: limiter.SlidingWindow{},
		// Only tips that were accepted count: someone fixing a typo is not spamming.
		SkipFailedRequests: true,
		KeyGenerator:       h.clientIP,
		LimitReached: func(c *fiber.Ctx) error {
			return clientError(fiber.StatusTooManyRequests, "Even geduld",
				"Vanaf dit adres zijn het afgelopen uur al meerdere tips verstuurd. Probeer het over een uur opnieuw, of mail de redactie.")
		},
	})
}

// showTip is the empty suggestion form. It sets no cookie.
func (h *Handler) showTip(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, privateNoStore) // the form token carries the time
	return h.render(c, fiber.StatusOK, "tip/form", "", h.newTipPage(tipForm{}))
}

func parseTipForm(c *fiber.Ctx) (tipForm, error) {
	var f tipForm
	if err := c.BodyParser(&f); err != nil {
		return f, errUnreadableForm
	}
	f.Title, f.Gemeente, f.Kind = cleanLine(f.Title), cleanLine(f.Gemeente), cleanLine(f.Kind)
	f.Summary, f.Why = cleanText(f.Summary), cleanText(f.Why)
	f.SourceURL, f.Name, f.Email = cleanLine(f.SourceURL), cleanLine(f.Name), cleanLine(f.Email)
	return f, nil
}

// submitTip stores a suggestion, or shows the form again with its errors (422).
// The form comes back with the token it was sent with, so the time a person has
// spent on it keeps counting: a tip sent too fast can be sent again after a few
// seconds, and a second try after correcting an error is never "too fast".
func (h *Handler) submitTip(c *fiber.Ctx) error {
	err := h.checkFormPost(c, purposeTip, tipMinFillTime)
	tooFast := errors.Is(err, errTooFast)
	if err != nil && !tooFast {
		return err
	}
	f, err := parseTipForm(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	if f.Website != "" {
		// A bot: answer as if all went well, store nothing.
		return redirect(c, "/tip/bedankt")
	}
	vm := h.newTipPage(f)
	vm.Errors = h.forms.check(&f)
	h.forms.explainGemeente(vm.Errors, "gemeente", f.Gemeente)
	if tooFast || len(vm.Errors) > 0 {
		if age, ok := h.formTokenAge(c.FormValue("_token"), purposeTip); ok && age < formTokenMaxAge-time.Hour {
			vm.Token = c.FormValue("_token")
		}
		vm.TooFast = tooFast
		return h.render(c, fiber.StatusUnprocessableEntity, "tip/form", "", vm)
	}
	in := db.CaseInput{
		Slug:      db.Slugify(f.Title),
		Title:     f.Title,
		Summary:   f.Summary,
		Body:      "## Waarom dit een goed voorbeeld is\n\n" + f.Why,
		Kind:      f.Kind,
		SourceURL: f.SourceURL,
	}
	if g, ok := h.forms.findGemeente(f.Gemeente); ok {
		in.GemeenteCode = g.Code
	}
	if _, err := h.db.CreateSuggestion(c.UserContext(), in, db.Tipper{Name: f.Name, Email: f.Email}); err != nil {
		return err
	}
	return redirect(c, "/tip/bedankt")
}

// validateTipField is the inline validation of one field of the tip form. A
// gemeente that was understood is written out as the list gives it, so the
// visitor sees which one was meant.
func (h *Handler) validateTipField(c *fiber.Ctx) error {
	field := c.Query("veld")
	if !tipFields[field] {
		return fiber.ErrNotFound
	}
	if err := h.checkFormPost(c, purposeTip, 0); err != nil {
		return err
	}
	f, err := parseTipForm(c)
	if err != nil {
		return err
	}
	vm := h.newTipPage(f)
	errs := h.forms.check(&f)
	h.forms.explainGemeente(errs, "gemeente", f.Gemeente)
	if e := errs.Get(field); e != "" {
		vm.Errors = formErrors{{Field: field, Message: e}}
	} else if g, ok := h.forms.findGemeente(f.Gemeente); ok && field == "gemeente" {
		vm.Form.Gemeente = h.forms.gemeenteLabel(g.Code)
	}
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	return c.Render("tip/veld-"+field, vm)
}

// tipThanks is the page after a suggestion.
func (h *Handler) tipThanks(c *fiber.Ctx) error {
	var vm page
	vm.Title = "Bedankt voor uw tip"
	vm.NoIndex = true
	return h.render(c, fiber.StatusOK, "tip/thanks", "", vm)
}
