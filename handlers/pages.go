package handlers

import (
	"github.com/gofiber/fiber/v2"
)

// infoPage is the view model of the pages about the site itself.
type infoPage struct {
	page
	Contact string // e-mail address for questions; may be empty
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
		"Wat Opnieuw Thuis is, voor wie, waar de gegevens vandaan komen en welke cijfers berekend of fictief zijn.", "/over")
	return h.render(c, fiber.StatusOK, "info/over", "", vm)
}

// accessibility is the accessibility statement (toegankelijkheidsverklaring).
func (h *Handler) accessibility(c *fiber.Ctx) error {
	vm := h.infoPage("Toegankelijkheid",
		"Toegankelijkheidsverklaring van Opnieuw Thuis: de norm, hoe de site is getest, bekende knelpunten en hoe u een probleem meldt.", "/toegankelijkheid")
	return h.render(c, fiber.StatusOK, "info/toegankelijkheid", "", vm)
}

// privacy says what is stored, why and for how long.
func (h *Handler) privacy(c *fiber.Ctx) error {
	vm := h.infoPage("Privacy",
		"Welke gegevens Opnieuw Thuis bewaart, waarom en hoe lang: geen tracking, geen analytics en geen cookies voor bezoekers.", "/privacy")
	return h.render(c, fiber.StatusOK, "info/privacy", "", vm)
}
