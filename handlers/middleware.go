package handlers

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
)

const stackKey = "stack"

// contentSecurityPolicy allows nothing but this site's own files: no inline script
// or style, no other origins. htmx is configured (views/partials/head.html) so that
// it needs neither eval nor inline styles.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// middleware installs what every request passes through, outermost first.
func (h *Handler) middleware(app *fiber.App) {
	app.Use(requestid.New())
	app.Use(h.accessLog)
	app.Use(recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, e any) {
			// Logged once, by handleError, together with the request.
			c.Locals(stackKey, string(debug.Stack()))
		},
	}))
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy:     contentSecurityPolicy,
		ReferrerPolicy:            "strict-origin-when-cross-origin",
		PermissionPolicy:          "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
		XFrameOptions:             "DENY",
		HSTSMaxAge:                31536000,
		HSTSExcludeSubdomains:     true,
		CrossOriginEmbedderPolicy: "require-corp",
	}))
	app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))
	// Streamed downloads get no ETag: computing one would read the whole stream into memory.
	app.Use(etag.New(etag.Config{Next: isDownload}))
}

// static serves public/ under /static. URLs carry a content hash (see hashAssets),
// so files may be cached for a year.
func (h *Handler) static() fiber.Handler {
	return filesystem.New(filesystem.Config{
		Root:         http.FS(h.public),
		PathPrefix:   "",
		Browse:       false,
		MaxAge:       365 * 24 * 60 * 60,
		NotFoundFile: "",
	})
}

// accessLog writes one structured line per request: no query string, form body or
// other personal data. It resolves errors itself so that the logged status is the
// one the client gets.
func (h *Handler) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	route := c.Route().Path
	size := -1 // a streamed body's size is unknown until it has been sent
	if !c.Response().IsBodyStream() {
		size = len(c.Response().Body())
	}
	h.log.InfoContext(c.UserContext(), "request",
		"method", c.Method(),
		"path", safePath(c.Path()),
		"route", route,
		"status", c.Response().StatusCode(),
		"duration_ms", float64(time.Since(start).Microseconds())/1000,
		"bytes", size,
		"request_id", requestID(c),
		"htmx", c.Get("HX-Request") == "true",
	)
	return nil
}

// safePath keeps log lines short and valid whatever the client sent.
func safePath(p string) string {
	p = strings.ToValidUTF8(p, "?")
	if len(p) > 200 {
		p = p[:200] + "…"
	}
	return p
}

func requestID(c *fiber.Ctx) string {
	if id, ok := c.Locals(requestid.ConfigDefault.ContextKey).(string); ok {
		return id
	}
	return fmt.Sprint(c.Locals(requestid.ConfigDefault.ContextKey))
}
