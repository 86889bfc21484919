package handlers

import "github.com/gofiber/fiber/v2"

// register is the one routing table of the site. Paths are Dutch and stable: links
// and tests depend on them.
func (h *Handler) register(app *fiber.App) {
	h.middleware(app)
	if h.testRoutes != nil {
		h.testRoutes(h, app)
	}

	app.Use("/static", h.static)
	app.Get("/healthz", h.health)

	// Routes with h.cached answer the same to every visitor: their pages are kept,
	// compressed, until the data changes (cache.go).
	app.Get("/robots.txt", h.robots)
	app.Get("/sitemap.xml", h.cached, h.sitemap)

	app.Get("/", h.cached, h.home)
	app.Get("/voorbeelden", h.cached, h.listCases)
	app.Get("/voorbeelden.csv", h.exportCasesCSV)
	app.Get("/voorbeelden.json", h.exportCasesJSON)
	app.Get("/voorbeelden.atom", h.casesFeed)
	app.Get("/voorbeelden/:slug", h.cached, h.showCase)

	app.Get("/themas", h.cached, h.listThemes)
	app.Get("/themas/:slug", h.cached, h.showTheme)

	app.Get("/open-data", h.cached, h.openData)
	app.Get("/open-data/voorbeelden.csv", h.openDataCasesCSV)
	app.Get("/open-data/voorbeelden.json", h.openDataCasesJSON)
	app.Get("/open-data/gemeenten.csv", h.openDataGemeentenCSV)
	app.Get("/open-data/gemeenten.json", h.openDataGemeentenJSON)

	app.Get("/over", h.cached, h.about)
	app.Get("/toegankelijkheid", h.cached, h.accessibility)
	app.Get("/privacy", h.cached, h.privacy)
	app.Get("/begrippen", h.cached, h.showGlossary)

	app.Get("/kaart", h.cached, h.showMap)
	app.Get("/kaart/tabel", h.cached, h.showTable)
	app.Get("/kaart/zoek", h.searchMap)
	app.Get("/gemeenten/:code", h.cached, h.showGemeente)
	app.Get("/taakstelling", h.cached, h.showTaakstelling)
	app.Get("/open-data/cijfers.csv", h.figuresCSV)
	app.Get("/open-data/cijfers.json", h.figuresJSON)
	app.Get("/open-data/taakstelling-landelijk.csv", h.nationalCSV)
	app.Get("/open-data/taakstelling-landelijk.json", h.nationalJSON)

	// Public suggestions: no session, no cookie; a signed form token instead.
	app.Get("/tip", h.showTip)
	app.Post("/tip", h.tipLimiter, h.settle, h.submitTip)
	app.Post("/tip/valideer", h.validateTipField)
	app.Get("/tip/bedankt", h.tipThanks)

	// Editors. Sign-in sets the first cookie; everything after it passes
	// requireEditor (a session) and then the CSRF check, in that order, so a
	// visitor without a session gets a redirect and no cookie.
	app.Get("/inloggen", h.showLogin)
	app.Post("/inloggen", h.loginLimiter, h.settle, h.login)
	app.Post("/uitloggen", h.requireEditor, h.checkCSRF, h.logout)
	// The "Bewerken" link of a public case page, asked for by public/redactie.js
	// only in editors' browsers (editor_preview.go); never cached.
	app.Get("/redactie/bewerklink", h.editLink)

	b := app.Group("/beheer", h.requireEditor, h.checkCSRF)
	b.Get("/", h.dashboard)
	b.Get("/voorbeelden", h.listEditorCases)
	b.Get("/voorbeelden/nieuw", h.newCase)
	b.Post("/voorbeelden", h.createCase)
	b.Post("/voorbeelden/valideer", h.validateCaseField)
	b.Post("/voorbeelden/voorvertoning", h.previewCase)
	b.Post("/voorbeelden/bekijken", h.previewFormCase)
	b.Post("/voorbeelden/bewaren", h.autosaveCase)
	b.Post("/voorbeelden/klad/weggooien", h.discardDraft)
	b.Get("/voorbeelden/:id<int>", h.editCase)
	b.Post("/voorbeelden/:id<int>", h.updateCase)
	b.Get("/voorbeelden/:id<int>/bekijken", h.viewCase)
	b.Post("/voorbeelden/:id<int>/status", h.setCaseStatus)
	b.Get("/voorbeelden/:id<int>/geschiedenis", h.caseHistory)
	b.Get("/voorbeelden/:id<int>/verschil", h.caseDiff)
	b.Post("/voorbeelden/:id<int>/geschiedenis/:rev<int>/terugzetten", h.restoreRevision)
	b.Get("/themas", h.listThemeTexts)
	b.Get("/themas/:slug", h.editThemeText)
	b.Post("/themas/:slug", h.updateThemeText)
	b.Get("/cijfers", h.showImport)
	b.Post("/cijfers", h.uploadFigures)
	b.Post("/cijfers/bevestigen", h.confirmImport)
	b.Get("/cijfers/sjabloon.csv", h.importTemplate)
	b.Post("/cijfers/:id<int>/ongedaan", h.undoImport)
	b.Post("/sessie", h.extendSession)
	b.Get("/wachtwoord", h.showPassword)
	b.Post("/wachtwoord", h.changePassword)
	b.Get("/accounts", h.requireAdmin, h.listAccounts)
	b.Post("/accounts", h.requireAdmin, h.createAccount)
	b.Post("/accounts/:id<int>", h.requireAdmin, h.updateAccount)
	b.Get("/logboek", h.requireAdmin, h.auditLog)
	b.Get("/landelijk", h.requireAdmin, h.showNational)
	b.Post("/landelijk", h.requireAdmin, h.saveNational)

	app.Use(h.notFound)
}
