package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// infoPage is the view model of the pages about the site itself.
type infoPage struct {
	page
	Contact string // e-mail address for questions; may be empty
	// /over: the national figures as they are.
	NationalSources           string
	OfficialCount, KnownCount int
	// /privacy.
	Privacy privacyConfig
	Terms   retentionTerms
}

func (h *Handler) infoPage(title, description, path string) infoPage {
	vm := infoPage{Contact: h.contact}
	vm.Title, vm.Description, vm.Canonical = title, description, h.canonical(path)
	return vm
}

// about tells what the platform is, for whom, where its data comes from and which
// figures are computed or fictitious.
func (h *Handler) about(c *fiber.Ctx) error {
	vm := h.infoPage("Over Opnieuw Thuis",
		"Wat Opnieuw Thuis is, voor wie, waar de gegevens vandaan komen en welke cijfers officieel, berekend of fictief zijn.", "/over")
	periods, err := h.nationalPeriods(c.UserContext())
	if err != nil {
		return err
	}
	vm.NationalSources = nationalAttribution(periods)
	for _, p := range periods {
		if p.Known() {
			vm.KnownCount++
		}
		if p.Official() {
			vm.OfficialCount++
		}
	}
	return h.render(c, fiber.StatusOK, "info/over", "", vm)
}

// accessibility is the accessibility statement (toegankelijkheidsverklaring).
func (h *Handler) accessibility(c *fiber.Ctx) error {
	vm := h.infoPage("Toegankelijkheid",
		"Toegankelijkheidsverklaring van Opnieuw Thuis: de norm, hoe de site is getest, bekende knelpunten en hoe u een probleem meldt.", "/toegankelijkheid")
	return h.render(c, fiber.StatusOK, "info/toegankelijkheid", "", vm)
}

// privacyConfig is what the operator configures for the privacy statement
// (PRIVACY_CONTROLLER, PRIVACY_DPO_EMAIL, CONTACT_EMAIL).
type privacyConfig struct {
	Controller string // name and address of the verwerkingsverantwoordelijke
	DPOEmail   string // the functionaris gegevensbescherming
	Contact    string
}

// Missing lists the settings the privacy statement still lacks, for the notice to
// beheerders: the controller and a contact address are required; a DPO only where
// the organisation has one (every public body must).
func (p privacyConfig) Missing() []string {
	var out []string
	if p.Controller == "" {
		out = append(out, "PRIVACY_CONTROLLER (wie verwerkingsverantwoordelijke is, met adres)")
	}
	if p.Contact == "" {
		out = append(out, "CONTACT_EMAIL (waar bezoekers hun rechten kunnen uitoefenen)")
	}
	if p.DPOEmail == "" {
		out = append(out, "PRIVACY_DPO_EMAIL (de functionaris gegevensbescherming; verplicht voor een overheidsorgaan)")
	}
	return out
}

// retentionTerms are the retention periods the code enforces (db/retention.go,
// handlers/auth.go, handlers/tips.go), as the privacy statement states them.
type retentionTerms struct {
	TipperDays, AuditYears, SessionIdleMinutes, SessionMaxHours, LoginWindowMinutes, TipLimitHours, PurgeHours int
	FailureMemoryHours, KnownClientDays                                                                        int
}

func currentRetentionTerms() retentionTerms {
	return retentionTerms{
		TipperDays:         int(db.TipperRetention / (24 * time.Hour)),
		AuditYears:         int(db.AuditRetention / (365 * 24 * time.Hour)),
		SessionIdleMinutes: int(sessionIdle / time.Minute),
		SessionMaxHours:    int(sessionMaxAge / time.Hour),
		LoginWindowMinutes: int(loginWindow / time.Minute),
		TipLimitHours:      int(tipLimitWindow / time.Hour),
		PurgeHours:         int(db.PurgeEvery / time.Hour),
		FailureMemoryHours: int(db.FailureMemory / time.Hour),
		KnownClientDays:    int(db.KnownClientMemory / (24 * time.Hour)),
	}
}

// privacy says who is responsible, what is stored, on what legal basis, for how
// long, and what visitors may ask.
func (h *Handler) privacy(c *fiber.Ctx) error {
	vm := h.infoPage("Privacy",
		"Privacyverklaring van Opnieuw Thuis: wie verantwoordelijk is, welke gegevens de site bewaart, op welke grondslag en hoe lang, en welke rechten u heeft. Geen tracking, geen analytics en geen cookies voor bezoekers.", "/privacy")
	vm.Privacy = h.privacyCfg
	vm.Terms = currentRetentionTerms()
	return h.render(c, fiber.StatusOK, "info/privacy", "", vm)
}
