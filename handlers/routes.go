package handlers

import "github.com/gofiber/fiber/v2"

// register is the one routing table of the site. Paths are Dutch and stable: links
// and tests depend on them.
func (h *Handler) register(app *fiber.App) {
	h.middleware(app)

	app.Use("/static", h.static())
	app.Get("/healthz", h.health)
	app.Get("/robots.txt", h.robots)
	app.Get("/sitemap.xml", h.sitemap)

	app.Get("/", h.home)
	app.Get("/voorbeelden", h.listCases)
	app.Get("/voorbeelden.csv", h.exportCasesCSV)
	app.Get("/voorbeelden.json", h.exportCasesJSON)
	app.Get("/voorbeelden.atom", h.casesFeed)
	app.Get("/voorbeelden/:slug", h.showCase)

	app.Get("/themas", h.listThemes)
	app.Get("/themas/:slug", h.showTheme)

	app.Get("/open-data", h.openData)
	app.Get("/open-data/voorbeelden.csv", h.openDataCasesCSV)
	app.Get("/open-data/voorbeelden.json", h.openDataCasesJSON)
	app.Get("/open-data/gemeenten.csv", h.openDataGemeentenCSV)
	app.Get("/open-data/gemeenten.json", h.openDataGemeentenJSON)

	app.Get("/over", h.about)
	app.Get("/toegankelijkheid", h.accessibility)
	app.Get("/privacy", h.privacy)

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
