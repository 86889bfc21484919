package handlers

import "github.com/gofiber/fiber/v2"

// register is the one routing table of the site. Paths are Dutch and stable: links
// and tests depend on them.
func (h *Handler) register(app *fiber.App) {
	h.middleware(app)

	app.Use("/static", h.static())
	app.Get("/healthz", h.health)

	app.Get("/", h.home)
	app.Get("/voorbeelden", h.listCases)
	app.Get("/voorbeelden/:slug", h.showCase)

	app.Get("/kaart", h.showMap)
	app.Get("/kaart/tabel", h.showTable)
	app.Get("/kaart/zoek", h.searchMap)
	app.Get("/gemeenten/:code", h.showGemeente)
	app.Get("/taakstelling", h.showTaakstelling)
	app.Get("/open-data/cijfers.csv", h.figuresCSV)
	app.Get("/open-data/cijfers.json", h.figuresJSON)
	app.Get("/open-data/taakstelling-landelijk.csv", h.nationalCSV)
	app.Get("/open-data/taakstelling-landelijk.json", h.nationalJSON)

	app.Use(h.notFound)
}
