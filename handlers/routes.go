package handlers

import "github.com/gofiber/fiber/v2"

// register is the one routing table of the site. Paths are Dutch and stable: links
// and tests depend on them.
func (h *Handler) register(app *fiber.App) {
	h.middleware(app)
	if h.testRoutes != nil {
		h.testRoutes(h, app)
	}

	app.Use("/static", h.static())
	app.Get("/healthz", h.health)

	app.Get("/", h.home)
	app.Get("/voorbeelden", h.listCases)
	app.Get("/voorbeelden/:slug", h.showCase)

	app.Use(h.notFound)
}
