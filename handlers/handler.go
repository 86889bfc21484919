// Package handlers turns HTTP requests into database calls and rendered pages. Each
// handler parses and validates its input, calls db for what it shows (a page that
// combines several parts, such as the map or a gemeente, makes a call per part) and
// renders a full page or, for htmx, the fragment that changed.
package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/gofiber/fiber/v2/middleware/session"
	"github.com/gofiber/template/html/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"opnieuwthuis/db"
)

// Config holds what the handlers depend on; main builds it.
type Config struct {
	DB            *db.DB
	Views         fs.FS // the views/ folder
	Public        fs.FS // the public/ folder, served under /static
	Logger        *slog.Logger
	BaseURL       string // absolute URL of the site, for canonical links and feeds
	SecureCookies bool
	ContactEmail  string // shown on /over, /toegankelijkheid and /privacy; optional
	// PrivacyController names the controller (verwerkingsverantwoordelijke) on
	// /privacy, PrivacyDPOEmail its data-protection officer. Where they are empty the
	// page says the operator must fill them in, and /beheer tells beheerders.
	PrivacyController string
	PrivacyDPOEmail   string
	// Metrics, when set, receives the request metrics and the database size (main
	// serves it on METRICS_ADDR).
	Metrics prometheus.Registerer
	// PageCacheBytes bounds the cache of public pages (cache.go); 0 or less turns
	// it off. main sets it from PAGE_CACHE_MB.
	PageCacheBytes int
	// TrustedProxies are the addresses and CIDR ranges of reverse proxies in
	// front (TRUSTED_PROXIES): only their X-Forwarded-For and X-Forwarded-Proto
	// are believed (proxy.go). Empty: the headers are ignored.
	TrustedProxies []string
	// SharedCacheSeconds is how long a shared cache (the proxy) may keep a public
	// page (s-maxage); 0 means the default, 60.
	SharedCacheSeconds int

	// testRoutes lets tests of this package add routes (after the middleware,
	// before the catch-all), for example a write route to check error pages.
	testRoutes func(h *Handler, r fiber.Router)
}

// Handler carries the dependencies of every handler.
type Handler struct {
	db         *db.DB
	log        *slog.Logger
	baseURL    string
	public     fs.FS
	assets     map[string]string // file name in public/ → URL with content hash
	secure     bool
	contact    string
	privacyCfg privacyConfig
	proxies    trustedProxies // TRUSTED_PROXIES (proxy.go)
	// publicCache is the Cache-Control of public pages (cachePolicy).
	publicCache string
	views       *html.Engine
	maps        mapCache // rendered SVG maps (map.go)
	// The library's rendered cards and facet options (library.go).
	cards        *renderCache[cardKey]
	facetOptions *renderCache[facetOption]
	metrics      *httpMetrics

	staticFiles map[string]staticFile // public/, compressed once (cache.go)
	pages       pageCache             // public pages as sent (cache.go)

	// Editors (auth.go, forms.go).
	sessions     *session.Store
	loginLimiter fiber.Handler
	tipLimiter   fiber.Handler
	formSecret   []byte // signs the tokens of session-less forms
	forms        *forms

	testRoutes func(h *Handler, r fiber.Router)
}

// New builds the Fiber app with its middleware and routes. It fails when a template
// does not parse, so a broken view stops the start instead of a later request.
func New(cfg Config) (*fiber.App, error) {
	h := &Handler{
		db:         cfg.DB,
		log:        cfg.Logger,
		baseURL:    strings.TrimSuffix(cfg.BaseURL, "/"),
		public:     cfg.Public,
		secure:     cfg.SecureCookies,
		contact:    cfg.ContactEmail,
		privacyCfg: privacyConfig{Controller: cfg.PrivacyController, DPOEmail: cfg.PrivacyDPOEmail, Contact: cfg.ContactEmail},
		metrics:    newHTTPMetrics(),

		cards:        newCardCache(),
		facetOptions: newFacetOptionCache(),

		testRoutes: cfg.testRoutes,
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if cfg.Metrics != nil {
		if err := h.metrics.register(cfg.Metrics, cfg.DB); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	var err error
	if h.proxies, err = parseTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	h.publicCache = publicCacheControl(cfg.SharedCacheSeconds)
	if h.staticFiles, h.assets, err = loadStatic(cfg.Public); err != nil {
		return nil, err
	}
	h.pages.maxBytes = max(cfg.PageCacheBytes, 0)
	ctx := context.Background()
	if h.formSecret, err = cfg.DB.Secret(ctx, "form-token-key", 32); err != nil {
		return nil, err
	}
	if h.forms, err = newForms(ctx, cfg.DB); err != nil {
		return nil, err
	}
	h.setupSessions(cfg.SecureCookies)
	h.setupTipLimiter()

	engine := html.NewFileSystem(http.FS(cfg.Views), ".html")
	engine.AddFuncMap(h.templateFuncs())
	if err := engine.Load(); err != nil {
		return nil, fmt.Errorf("load views: %w", err)
	}
	h.views = engine

	app := fiber.New(fiber.Config{
		Immutable:             true,
		Views:                 engine,
		ErrorHandler:          h.handleError,
		DisableStartupMessage: true,
		// A 10 KB search string must still fit in the request line; a request
		// whose line and headers need more gets 431.
		ReadBufferSize: 32 * 1024,
		// Larger bodies get 413 before any handler runs.
		BodyLimit: 6 * 1024 * 1024,
		// Slow clients are cut off: ReadTimeout bounds reading one whole request
		// (headers and body), WriteTimeout sending the answer, IdleTimeout a
		// kept-alive connection waiting for its next request.
		ReadTimeout:  15 * time.Second,
		WriteTimeout: 30 * time.Second,
		IdleTimeout:  60 * time.Second,
		// Forwarding headers (X-Forwarded-Proto, -Host) count only from the
		// proxies in TrustedProxies; with none, never. The client address is
		// not Fiber's c.IP() but clientIP (proxy.go explains why).
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
	})
	h.register(app)
	if err := h.refuseUnknownMethods(app); err != nil {
		return nil, err
	}
	return app, nil
}

// refuseUnknownMethods answers a request with a method Fiber does not know
// ("FOO / HTTP/1.1") itself: Fiber answers those before any middleware or error
// handler runs, with a bare English 400 and none of the security headers. Here
// they get 501 (RFC 9110: a method the server does not recognise), every
// security header and the Dutch error page, made once at start.
func (h *Handler) refuseUnknownMethods(app *fiber.App) error {
	vm := errorPage{Status: fiber.StatusNotImplemented, Heading: "Niet ondersteund",
		Message: "Deze site begrijpt dit soort verzoek niet. Open de pagina gewoon in een browser."}
	vm.Title, vm.NoIndex = vm.Heading, true
	var page bytes.Buffer
	if err := h.views.Render(&page, "errors/error", vm); err != nil {
		return fmt.Errorf("render the page for unknown methods: %w", err)
	}
	next := app.Server().Handler
	app.Server().Handler = func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Method()) {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodDelete,
			fiber.MethodConnect, fiber.MethodOptions, fiber.MethodTrace, fiber.MethodPatch:
			next(ctx)
			return
		}
		for _, kv := range securityHeaderList {
			ctx.Response.Header.Set(kv[0], kv[1])
		}
		if ctx.IsTLS() {
			ctx.Response.Header.Set(fiber.HeaderStrictTransportSecurity, hsts)
		}
		ctx.Response.Header.Set(fiber.HeaderCacheControl, privateNoStore)
		ctx.Response.Header.Set(fiber.HeaderAllow, "GET, HEAD, POST")
		ctx.SetStatusCode(fiber.StatusNotImplemented)
		ctx.SetContentType(fiber.MIMETextHTMLCharsetUTF8)
		ctx.SetBody(page.Bytes())
		h.log.Warn("request rejected", "status", fiber.StatusNotImplemented, "reason", "unknown method")
	}
	return nil
}

// page is what every full page needs besides its own content; every view model
// embeds it.
type page struct {
	Title       string // shown before the site name in <title>
	Description string
	Canonical   string // absolute URL of this page
	Nav         string // active item of the main navigation
	NoIndex     bool
	OGType      string     // OpenGraph type of a shared link; "website" when empty
	Feeds       []feedLink // Atom feeds announced with <link rel="alternate">
}

// crumb is a step of a page's breadcrumb trail (partials/kruimelpad); a page
// with a trail has a Crumbs method that lists its steps, the current page last.
type crumb struct {
	Label, URL string
	Current    bool // the page itself (aria-current)
}

// option is a choice in a <select> or a list of filter links.
type option struct {
	Value, Label string
	Selected     bool
}

// pager is the pagination of a list (views/partials/pager.html).
type pager struct {
	Page, Pages      int
	PrevURL, NextURL string
	Prev, Next       string // the links' words
}

// newPager is the pagination of page out of pages; link gives a page's URL.
func newPager(page, pages int, link func(page int) string) pager {
	p := pager{Page: page, Pages: pages, Prev: "Vorige", Next: "Volgende"}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// feedLink is an Atom feed a page announces.
type feedLink struct {
	Title string
	URL   string // absolute
}

// render answers with the fragment when htmx asks for it, and with the whole page
// otherwise. Pages are written as a header partial, content and a footer partial
// rather than with the engine's layouts: a layout render takes the engine's global
// write lock, which would serialise every page view.
func (h *Handler) render(c *fiber.Ctx, status int, pageTmpl, fragmentTmpl string, vm any) error {
	c.Vary("HX-Request")
	name := pageTmpl
	if fragmentTmpl != "" && wantsFragment(c) {
		name = fragmentTmpl
	}
	c.Status(status)
	return c.Render(name, vm)
}

// redirect answers a successful POST: 303 to target, or for htmx HX-Redirect.
func redirect(c *fiber.Ctx, target string) error {
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// wantsFragment reports whether the request is an htmx request for part of a page.
// History restores and boosted navigation want the whole page.
func wantsFragment(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" &&
		c.Get("HX-History-Restore-Request") != "true" &&
		c.Get("HX-Boosted") != "true"
}

// canonical is the absolute URL of path on this site.
func (h *Handler) canonical(path string) string { return h.baseURL + path }

// errorPage is the view model of the error page.
type errorPage struct {
	page
	Status  int
	Heading string
	Message string
}

// handleError is the app's only error handler: not found and other client errors
// keep their status and get a Dutch page; anything else is a 500 whose details are
// logged once and never shown.
func (h *Handler) handleError(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	var (
		fe *fiber.Error
		ce clientErr
	)
	switch {
	case errors.As(err, &ce):
		status = ce.status
	case errors.As(err, &fe):
		status = fe.Code
	case errors.Is(err, db.ErrNotFound):
		status = fiber.StatusNotFound
	case errors.Is(err, db.ErrReadOnly):
		status = fiber.StatusServiceUnavailable
	}
	vm := errorPage{Status: status}
	vm.NoIndex = true
	vm.Heading, vm.Message = errorText(status, err)
	vm.Title = vm.Heading

	switch {
	case c.Locals(requestid.ConfigDefault.ContextKey) == nil:
		// The server refused the request before any route or middleware ran
		// (header too large, body too large, malformed, too slow): the access
		// log never sees it. Its text may quote the request, so it is not logged.
		h.log.WarnContext(c.UserContext(), "request rejected", "status", status)
	case status >= 500:
		attrs := []any{"method", c.Method(), "path", safePath(c.Path()), "status", status,
			"request_id", requestID(c), "err", redact(err.Error())}
		if stack, ok := c.Locals(stackKey).(string); ok {
			attrs = append(attrs, "stack", stack)
		}
		h.log.ErrorContext(c.UserContext(), "request failed", attrs...)
	}
	setSecurityHeaders(c)
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	c.Vary("HX-Request")
	c.Status(status)
	if err := c.Render("errors/error", vm); err != nil {
		h.log.Error("render error page", "err", err, "request_id", requestID(c))
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(vm.Heading + "\n\n" + vm.Message)
	}
	return nil
}

// errorText is the Dutch heading and explanation for a status. Handlers give their
// own with clientError; the framework's English texts are never shown.
func errorText(status int, err error) (heading, message string) {
	var ce clientErr
	if errors.As(err, &ce) {
		return ce.heading, ce.message
	}
	switch status {
	case fiber.StatusNotFound:
		return "Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres, of zoek verder in de goede voorbeelden."
	case fiber.StatusMethodNotAllowed:
		return "Niet toegestaan", "Dit adres kan niet op deze manier worden gebruikt."
	case fiber.StatusRequestEntityTooLarge:
		return "Te groot", "Wat u verstuurde is te groot. Verklein het bestand of de tekst en probeer het opnieuw."
	case fiber.StatusRequestHeaderFieldsTooLarge, fiber.StatusRequestURITooLong:
		return "Adres te lang", "Het adres of de zoekvraag is te lang. Maak de zoekvraag korter en probeer het opnieuw."
	case fiber.StatusForbidden:
		return "Geen toegang", "U heeft geen toegang tot deze pagina, of het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens."
	case fiber.StatusTooManyRequests:
		return "Even geduld", "Er kwamen te veel verzoeken tegelijk binnen. Wacht een minuut en probeer het opnieuw."
	case fiber.StatusRequestTimeout:
		return "Te traag", "Het verzoek duurde te lang. Probeer het opnieuw."
	case fiber.StatusServiceUnavailable:
		return "Tijdelijk niet beschikbaar", "Opslaan lukt op dit moment niet door een technisch probleem. Er is niets gewijzigd. Lezen en zoeken werken wel; probeer het later opnieuw."
	}
	if status >= 400 && status < 500 {
		return "Ongeldig verzoek", "Dit verzoek kon niet worden verwerkt. Controleer het adres of het formulier en probeer het opnieuw."
	}
	return "Er ging iets mis", "Door een fout aan onze kant kon deze pagina niet worden getoond. De fout is vastgelegd; probeer het later opnieuw."
}

// clientErr is a 4xx answer with a Dutch heading and message of the handler's own.
type clientErr struct {
	status           int
	heading, message string
}

func (e clientErr) Error() string { return fmt.Sprintf("%d %s", e.status, e.heading) }

// clientError is a 4xx answer with a Dutch explanation for the error page.
func clientError(status int, heading, message string) error {
	return clientErr{status, heading, message}
}

// errUnreadableForm answers a form that BodyParser cannot read.
var errUnreadableForm = clientError(fiber.StatusBadRequest, "Formulier onleesbaar",
	"Het formulier kwam niet goed aan. Laad de pagina opnieuw en probeer het nog eens.")
