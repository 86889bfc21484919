package handlers

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
)

// Keys of request locals.
const (
	stackKey     = "stack"
	unmatchedKey = "unmatched" // set by notFound
)

// contentSecurityPolicy allows nothing but this site's own files: no inline script
// or style, no other origins. htmx is configured (views/partials/head.html) so that
// it needs neither eval nor inline styles.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaderList goes on every response: pages, fragments, static files, error
// pages, and the answers the server gives before any route runs (431, 413, 400).
// These headers are set here rather than by Fiber's helmet middleware because
// that last group never passes through middleware, only through handleError.
var securityHeaderList = [...][2]string{
	{fiber.HeaderContentSecurityPolicy, contentSecurityPolicy},
	{fiber.HeaderXContentTypeOptions, "nosniff"},
	{fiber.HeaderXFrameOptions, "DENY"},
	{fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin"},
	{fiber.HeaderPermissionsPolicy, "camera=(), microphone=(), geolocation=(), payment=(), usb=()"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"Cross-Origin-Embedder-Policy", "require-corp"},
	{"Origin-Agent-Cluster", "?1"},
	{fiber.HeaderXXSSProtection, "0"}, // the old filters did more harm than good
	{"X-Permitted-Cross-Domain-Policies", "none"},
}

// hsts makes browsers that reached the site over HTTPS keep to it for a year.
const hsts = "max-age=31536000"

// setSecurityHeaders puts securityHeaderList on the response, and HSTS when the
// request came over HTTPS: over TLS, or through a trusted proxy (TRUSTED_PROXIES)
// that says so with X-Forwarded-Proto. From anyone else that header is ignored
// (EnableTrustedProxyCheck in New). The page cache never keeps HSTS (notKept).
func setSecurityHeaders(c *fiber.Ctx) {
	for _, kv := range securityHeaderList {
		c.Set(kv[0], kv[1])
	}
	if c.Protocol() == "https" {
		c.Set(fiber.HeaderStrictTransportSecurity, hsts)
	}
}

// middleware installs what every request passes through, outermost first.
func (h *Handler) middleware(app *fiber.App) {
	app.Use(dropForeignRequestID, requestid.New())
	app.Use(h.accessLog)
	app.Use(recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, e any) {
			// Logged once, by handleError, together with the request.
			c.Locals(stackKey, string(debug.Stack()))
		},
	}))
	app.Use(func(c *fiber.Ctx) error {
		setSecurityHeaders(c)
		return c.Next()
	})
	app.Use(h.cachePolicy)
	app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))
	// Streamed downloads get no ETag: computing one would read the whole stream into memory.
	app.Use(etagged)
}

// etagged gives a successful answer a strong ETag of its size and CRC-32, and
// answers 304 when the client holds that version already, as Fiber's etag
// middleware does; but with the IEEE polynomial, which the CPU computes in
// hardware: Fiber's own polynomial is computed a byte at a time and took a tenth
// of the time of a library search made afresh (BENCHMARKS.md). Streamed
// downloads get none: computing one would read the whole stream into memory.
func etagged(c *fiber.Ctx) error {
	if isDownload(c) {
		return c.Next()
	}
	if err := c.Next(); err != nil {
		return err
	}
	res := c.Response()
	body := res.Body()
	if res.StatusCode() != fiber.StatusOK || len(body) == 0 || len(res.Header.Peek(fiber.HeaderETag)) > 0 {
		return nil
	}
	etag := make([]byte, 0, 24)
	etag = append(etag, '"')
	etag = strconv.AppendUint(etag, uint64(len(body)), 10)
	etag = append(etag, '-')
	etag = strconv.AppendUint(etag, uint64(crc32.ChecksumIEEE(body)), 10)
	etag = append(etag, '"')
	client := bytes.TrimPrefix(c.Request().Header.Peek(fiber.HeaderIfNoneMatch), []byte("W/"))
	if len(client) > 0 && bytes.Contains(client, etag) {
		c.Context().ResetBody()
		return c.SendStatus(fiber.StatusNotModified)
	}
	res.Header.SetBytesV(fiber.HeaderETag, etag)
	return nil
}

// requestIDPattern is what a request id from a proxy in front may look like; any
// other X-Request-ID is replaced by one of our own, so that a client cannot put
// arbitrary text into the logs.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

func dropForeignRequestID(c *fiber.Ctx) error {
	if id := c.Get(fiber.HeaderXRequestID); id != "" && !requestIDPattern.MatchString(id) {
		c.Request().Header.Del(fiber.HeaderXRequestID)
	}
	return c.Next()
}

// accessLog writes one structured line per request and records it in the metrics:
// method, path (never the query string), route, status, duration, size and request
// id; no form body, no address, no other personal data. It resolves errors itself
// so that the logged status is the one the client gets.
func (h *Handler) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	h.metrics.inFlight.Inc()
	defer h.metrics.inFlight.Dec()
	if err := c.Next(); err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	elapsed := time.Since(start)
	route, status := routeLabel(c), c.Response().StatusCode()
	h.metrics.observe(c.Method(), route, status, elapsed)
	size := -1 // a streamed body's size is unknown until it has been sent
	if !c.Response().IsBodyStream() {
		size = len(c.Response().Body())
	}
	h.log.InfoContext(c.UserContext(), "request",
		"method", c.Method(),
		"path", safePath(c.Path()),
		"route", route,
		"status", status,
		"duration_ms", float64(elapsed.Microseconds())/1000,
		"bytes", size,
		"request_id", requestID(c),
		"htmx", c.Get("HX-Request") == "true",
	)
	return nil
}

// routeLabel is the route pattern that answered ("/voorbeelden/:slug"), never the
// raw path, so that logs and metrics group by route and stay bounded. Requests that
// no route matched are "other".
func routeLabel(c *fiber.Ctx) string {
	if c.Locals(unmatchedKey) != nil || c.Route() == nil {
		return "other"
	}
	return c.Route().Path
}

// emailPattern finds e-mail addresses, which never go into a log line.
var emailPattern = regexp.MustCompile(`[^\s/@"'<>]+@[^\s/@"'<>]+`)

// redact removes e-mail addresses from text bound for the logs.
func redact(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return emailPattern.ReplaceAllString(s, "[e-mail]")
}

// safePath keeps log lines short, valid and free of e-mail addresses whatever the
// client sent.
func safePath(p string) string {
	p = redact(strings.ToValidUTF8(p, "?"))
	if len(p) > 200 {
		p = strings.ToValidUTF8(p[:200], "") + "…"
	}
	return p
}

func requestID(c *fiber.Ctx) string {
	if id, ok := c.Locals(requestid.ConfigDefault.ContextKey).(string); ok {
		return id
	}
	return fmt.Sprint(c.Locals(requestid.ConfigDefault.ContextKey))
}
