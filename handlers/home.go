package handlers

import (
	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// homePage is the view model of the home page.
type homePage struct {
	page
	Latest []db.Case
	Themes []db.Theme
	Total  int
}

// home introduces the platform, offers the search box and shows the latest cases.
func (h *Handler) home(c *fiber.Ctx) error {
	ctx := c.UserContext()
	latest, err := h.db.LatestCases(ctx, 6)
	if err != nil {
		return err
	}
	themes, err := h.db.Themes(ctx)
	if err != nil {
		return err
	}
	all, err := h.db.FindCases(ctx, db.CaseFilter{PerPage: 1})
	if err != nil {
		return err
	}
	vm := homePage{Latest: latest, Themes: themes, Total: all.Total}
	vm.Description = "Opnieuw Thuis helpt gemeenten vergunninghouders te huisvesten: goede voorbeelden van woonoplossingen en aanpakken, en per gemeente de stand van de taakstelling."
	vm.Canonical = h.canonical("/")
	vm.Nav = "home"
	vm.Feeds = []feedLink{{Title: "Nieuwe goede voorbeelden", URL: h.canonical("/voorbeelden.atom")}}
	return h.render(c, fiber.StatusOK, "home/index", "", vm)
}
