package handlers

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// listen serves app on a free loopback port until the test ends and returns its
// address. Requests that the server refuses before routing (431, 413, 400) and
// slow clients need a real connection; app.Test cannot show them.
func listen(t testing.TB, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-done
	})
	return ln.Addr().String()
}

// fetch sends req to the server at addr over a real connection.
func fetch(t testing.TB, addr string, req *http.Request) response {
	t.Helper()
	req.URL.Scheme, req.URL.Host, req.RequestURI = "http", addr, ""
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Do(req)
	return readResponse(t, res, err)
}

// rawExchange writes raw bytes to the server at addr and reads one response, for
// requests no HTTP client would send.
func rawExchange(t testing.TB, addr, raw string) response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Response: res, Body: string(b)}
}

// wantSecurityHeaders is every header each response must carry, exactly.
var wantSecurityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; " +
		"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
		"base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "strict-origin-when-cross-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
}

func checkSecurityHeaders(t *testing.T, res response, https bool) {
	t.Helper()
	for name, want := range wantSecurityHeaders {
		if got := res.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	hsts := res.Header.Get("Strict-Transport-Security")
	switch {
	case https && hsts != "max-age=31536000":
		t.Errorf("over HTTPS, Strict-Transport-Security = %q, want max-age=31536000", hsts)
	case !https && hsts != "":
		t.Errorf("over plain HTTP, Strict-Transport-Security = %q, want none", hsts)
	}
}

// checkDutchErrorPage checks an error answer: the status, the site's own page in
// Dutch with the given heading, and not the framework's English text.
func checkDutchErrorPage(t *testing.T, res response, status int, heading string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %.300s", res.StatusCode, status, res.Body)
	}
	if !strings.Contains(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(res.Body, `<html lang="nl">`) || !strings.Contains(res.Body, "<h1>"+heading+"</h1>") {
		t.Errorf("not the Dutch error page with heading %q: %.400s", heading, res.Body)
	}
	for _, english := range []string{"Request Header Fields Too Large", "Request Entity Too Large", "Bad Request", "Internal Server Error", "Cannot GET"} {
		if strings.Contains(res.Body, english) {
			t.Errorf("error page shows the framework's %q", english)
		}
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	app, _ := newTestAppWith(t, func(c *Config) {
		c.testRoutes = func(h *Handler, r fiber.Router) {
			r.Get("/test/paniek", func(c *fiber.Ctx) error { panic("test") })
		}
		// The test client plays the TLS proxy in front, which says https.
		c.TrustedProxies = []string{"127.0.0.1"}
	})
	addr := listen(t, app)
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"page", func() *http.Request { return httptest.NewRequest("GET", "/", nil) }, 200},
		{"fragment", func() *http.Request {
			r := httptest.NewRequest("GET", "/voorbeelden?q=wo", nil)
			r.Header.Set("HX-Request", "true")
			return r
		}, 200},
		{"static css", func() *http.Request { return httptest.NewRequest("GET", "/static/site.css", nil) }, 200},
		{"static js", func() *http.Request { return httptest.NewRequest("GET", "/static/vendor/htmx/htmx-2.0.11.min.js", nil) }, 200},
		{"missing static file", func() *http.Request { return httptest.NewRequest("GET", "/static/nergens.css", nil) }, 404},
		{"healthz", func() *http.Request { return httptest.NewRequest("GET", "/healthz", nil) }, 200},
		{"not found", func() *http.Request { return httptest.NewRequest("GET", "/bestaat-niet", nil) }, 404},
		{"unknown case", func() *http.Request { return httptest.NewRequest("GET", "/voorbeelden/bestaat-niet", nil) }, 404},
		{"panic", func() *http.Request { return httptest.NewRequest("GET", "/test/paniek", nil) }, 500},
	}
	for _, tt := range tests {
		for _, https := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s https=%v", tt.name, https), func(t *testing.T) {
				req := tt.req()
				if https {
					req.Header.Set("X-Forwarded-Proto", "https")
				}
				res := fetch(t, addr, req)
				if res.StatusCode != tt.status {
					t.Fatalf("status = %d, want %d", res.StatusCode, tt.status)
				}
				checkSecurityHeaders(t, res, https)
			})
		}
	}
	// The server refuses these before reading all headers, so it cannot know
	// about X-Forwarded-Proto: no HSTS, every other header.
	t.Run("malformed request", func(t *testing.T) {
		res := rawExchange(t, addr, "GET /voorbeelden HTTP/1.1\r\nHost: x\r\nGeen dubbele punt\r\n\r\n")
		checkDutchErrorPage(t, res, 400, "Ongeldig verzoek")
		checkSecurityHeaders(t, res, false)
	})
	t.Run("body too large", func(t *testing.T) {
		res := rawExchange(t, addr, tooLargeBody)
		checkDutchErrorPage(t, res, 413, "Te groot")
		checkSecurityHeaders(t, res, false)
	})
	t.Run("query too long", func(t *testing.T) {
		res := rawExchange(t, addr, "GET /voorbeelden?q="+strings.Repeat("a", 40*1024)+" HTTP/1.1\r\nHost: x\r\n\r\n")
		checkDutchErrorPage(t, res, 431, "Adres te lang")
		checkSecurityHeaders(t, res, false)
	})
}

func TestServerRefusalsRenderDutchPages(t *testing.T) {
	app, _ := newTestApp(t)
	addr := listen(t, app)
	t.Run("431 query beyond the read buffer", func(t *testing.T) {
		res := fetch(t, addr, httptest.NewRequest("GET", "/voorbeelden?q="+strings.Repeat("woning+", 6*1024), nil))
		checkDutchErrorPage(t, res, 431, "Adres te lang")
		if res.Header.Get("Cache-Control") != "private, no-store" {
			t.Error("error page may be cached")
		}
	})
	t.Run("a 10 KB search still works", func(t *testing.T) {
		res := fetch(t, addr, httptest.NewRequest("GET", "/voorbeelden?q="+strings.Repeat("woning+", 1500), nil))
		if res.StatusCode != 200 {
			t.Fatalf("status = %d, want 200", res.StatusCode)
		}
	})
	t.Run("413 body over the limit", func(t *testing.T) {
		checkDutchErrorPage(t, rawExchange(t, addr, tooLargeBody), 413, "Te groot")
	})
	t.Run("400 malformed", func(t *testing.T) {
		checkDutchErrorPage(t, rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nul\r\n\r\n"), 400, "Ongeldig verzoek")
	})
}

// tooLargeBody announces a body just over the 6 MB limit; the server answers as
// soon as it has read the headers.
var tooLargeBody = fmt.Sprintf("POST /voorbeelden HTTP/1.1\r\nHost: x\r\n"+
	"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\nwachtwoord=geheim", 6<<20+1)

func TestSlowClientIsCutOff(t *testing.T) {
	app, _ := newTestApp(t)
	srv := app.Server()
	if srv.ReadTimeout != 15*time.Second || srv.WriteTimeout != 30*time.Second || srv.IdleTimeout != 60*time.Second {
		t.Fatalf("timeouts read %v, write %v, idle %v; want 15 s, 30 s, 60 s", srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	// The same mechanism with a shorter limit, so that the test is quick.
	srv.ReadTimeout = 300 * time.Millisecond
	addr := listen(t, app)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Slowloris: a header line every 100 ms, never the blank line that ends them.
	cut := make(chan error, 1)
	go func() {
		_, err := conn.Read(make([]byte, 4096))
		cut <- err
	}()
	io.WriteString(conn, "GET /voorbeelden HTTP/1.1\r\nHost: x\r\n")
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		select {
		case <-cut:
			// The server answered (408) or closed the connection; either way the
			// next write or read finds the connection closed.
			conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			for {
				if _, err := conn.Read(make([]byte, 4096)); err != nil {
					if errors.Is(err, io.EOF) || !isTimeout(err) {
						return
					}
					t.Fatal("the server keeps the slow connection open")
				}
			}
		case <-ticker.C:
			fmt.Fprintf(conn, "X-Langzaam-%d: ja\r\n", i)
		case <-deadline:
			t.Fatal("a client sending its headers slowly was not cut off")
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestHostilePathsAndParameters(t *testing.T) {
	app, store := newTestApp(t)
	ctx := context.Background()
	before, err := store.FindCases(ctx, db.CaseFilter{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("path traversal on /static", func(t *testing.T) {
		for _, path := range []string{
			"/static/../main.go", "/static/%2e%2e/main.go", "/static/%2E%2E/%2E%2E/etc/passwd",
			"/static/..%2fmain.go", "/static/..%2f..%2fetc%2fpasswd", "/static/%2e%2e%2fhandlers%2fhandler.go",
			"/static/....//main.go", "/static/..\\main.go", "/static//etc/passwd", "/static/%00",
			"/static/vendor/../../main.go", "/static/%252e%252e/main.go",
		} {
			res := get(t, app, path)
			if res.StatusCode != 404 && res.StatusCode != 400 {
				t.Errorf("%s: status %d, want 404 or 400", path, res.StatusCode)
			}
			if strings.Contains(res.Body, "package ") || strings.Contains(res.Body, "root:") {
				t.Errorf("%s: served a file from outside public/", path)
			}
			if !strings.Contains(res.Body, `<html lang="nl">`) {
				t.Errorf("%s: not the Dutch error page", path)
			}
		}
	})

	t.Run("invalid UTF-8", func(t *testing.T) {
		for _, target := range []string{
			"/voorbeelden/%ff%fe", "/%c0%ae%c0%ae/", "/voorbeelden?q=%ff%fe%fd", "/voorbeelden?q=wo%c3",
			"/voorbeelden?thema=%ff", "/voorbeelden?provincie=PV%ff", "/voorbeelden?sort=%80", "/%ed%a0%80",
		} {
			res := get(t, app, target, htmx...)
			if res.StatusCode >= 500 {
				t.Errorf("%s: status %d", target, res.StatusCode)
			}
			res = get(t, app, target)
			if res.StatusCode != 200 && res.StatusCode != 404 {
				t.Errorf("%s: status %d, want 200 or 404", target, res.StatusCode)
			}
			if !strings.Contains(res.Body, `<html lang="nl">`) {
				t.Errorf("%s: no Dutch page", target)
			}
		}
	})

	// Every parameter of every route, with SQL, FTS and HTML injection attempts:
	// a normal answer or a 4xx, never a 5xx, and markup never comes back unescaped.
	payloads := []string{
		`' OR '1'='1`, `'; DROP TABLE cases; --`, `" OR 1=1 --`, `1; DELETE FROM cases`,
		`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `" autofocus onfocus="alert(1)`,
		`</title><script>alert(1)</script>`, `javascript:alert(1)`, `{{.}}`, `NEAR(wonen woning`, `*`,
		`wonen AND OR NOT`, `"`, `\`, "\x00", "%00", `../../etc/passwd`, strings.Repeat("ab'\"<", 2000),
		"hx-get=\"/x\" hx-trigger=\"load\"",
	}
	params := []string{"q", "provincie", "gemeente", "thema", "soort", "jaar", "sort", "pagina", "letterlijk", "q+typo"}
	for _, p := range payloads {
		for _, param := range params {
			for _, frag := range []bool{false, true} {
				target := "/voorbeelden?" + url.Values{param: {p}, "q": {"wonen"}}.Encode()
				switch param {
				case "q":
					target = "/voorbeelden?" + url.Values{"q": {p}}.Encode()
				case "q+typo":
					// A word that is corrected: the notice quotes what was typed.
					target = "/voorbeelden?" + url.Values{"q": {"statushouers " + p}}.Encode()
				}
				var res response
				if frag {
					res = get(t, app, target, htmx...)
				} else {
					res = get(t, app, target)
				}
				checkNoInjection(t, target, res, p)
			}
		}
		// The library's query string is shared by its downloads and feed; the
		// other routes take a path parameter or nothing (extra parameters must
		// not hurt either).
		for _, route := range []string{"/voorbeelden.csv", "/voorbeelden.json", "/voorbeelden.atom"} {
			for _, param := range []string{"q", "thema", "provincie", "gemeente", "soort", "jaar", "sort", "excel", "letterlijk"} {
				target := route + "?" + url.Values{param: {p}}.Encode()
				checkNoInjection(t, target, get(t, app, target), p)
			}
		}
		for _, target := range []string{
			"/voorbeelden/" + url.PathEscape(p), "/themas/" + url.PathEscape(p), "/" + url.PathEscape(p),
			"/?q=" + url.QueryEscape(p), "/themas?q=" + url.QueryEscape(p), "/open-data?q=" + url.QueryEscape(p),
			"/open-data/voorbeelden.csv?excel=" + url.QueryEscape(p), "/open-data/gemeenten.json?q=" + url.QueryEscape(p),
			"/over?q=" + url.QueryEscape(p), "/sitemap.xml?q=" + url.QueryEscape(p), "/healthz?q=" + url.QueryEscape(p),
		} {
			checkNoInjection(t, target, get(t, app, target), p)
		}
	}

	after, err := store.FindCases(ctx, db.CaseFilter{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != before.Total {
		t.Fatalf("published cases went from %d to %d", before.Total, after.Total)
	}
}

func checkNoInjection(t *testing.T, target string, res response, payload string) {
	t.Helper()
	if res.StatusCode >= 500 {
		t.Errorf("%.120s: status %d", target, res.StatusCode)
		return
	}
	// Markup matters where a browser renders it: HTML pages and fragments, and
	// the Atom feed (XML). CSV and JSON are data, sent with nosniff.
	ct := res.Header.Get("Content-Type")
	if !strings.Contains(ct, "html") && !strings.Contains(ct, "xml") {
		return
	}
	if len(payload) > 3 && strings.ContainsAny(payload, `<>"`) && strings.Contains(res.Body, payload) {
		t.Errorf("%.120s: the payload %.60q comes back unescaped", target, payload)
	}
	for _, raw := range []string{"<script>alert", "<img src=x", `autofocus onfocus="alert`} {
		if strings.Contains(res.Body, raw) {
			t.Errorf("%.120s: %q in the answer", target, raw)
		}
	}
}

// hostilePayloads are SQL, FTS and HTML injection attempts for every parameter.
var hostilePayloads = []string{
	`' OR '1'='1`, `'; DROP TABLE users; --`, `<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`, `" autofocus onfocus="alert(1)`, `javascript:alert(1)`,
	`NEAR(a b`, "\x00", `../../etc/passwd`, strings.Repeat("ab'\"<", 400), "%ff%fe",
}

func TestHostileInputOnMapAndForms(t *testing.T) {
	app, _ := newTestApp(t)
	reached := map[string]bool{} // a form post got past the token and rate checks
	for _, p := range hostilePayloads {
		q := func(params ...string) string {
			v := url.Values{}
			for _, k := range params {
				v.Set(k, p)
			}
			return v.Encode()
		}
		for _, target := range []string{
			"/kaart?" + q("periode"), "/kaart?" + q("provincie"), "/kaart?" + q("gemeente"),
			"/kaart/tabel?" + q("periode", "provincie", "sort"), "/kaart/zoek?" + q("q", "periode"),
			"/gemeenten/" + url.PathEscape(p), "/gemeenten/GM0363?" + q("periode"),
			"/taakstelling?" + q("periode"), "/open-data/cijfers.csv?" + q("periode", "gemeente"),
			"/open-data/cijfers.json?" + q("periode"), "/inloggen?" + q("terug", "reden"),
			"/tip?" + q("veld"), "/beheer/voorbeelden?" + q("q", "status"),
		} {
			checkNoInjection(t, target, get(t, app, target), p)
			checkNoInjection(t, target+" (htmx)", get(t, app, target, htmx...), p)
		}

		// The public forms, with a real form token so that the input reaches
		// validation and comes back in the form.
		for _, form := range []struct {
			page, action string
			fields       []string
		}{
			{"/tip", "/tip", []string{"title", "gemeente", "kind", "summary", "why", "source_url", "name", "email", "consent", "website"}},
			{"/tip", "/tip/valideer?veld=title", []string{"title"}},
			{"/inloggen", "/inloggen", []string{"email", "password", "terug"}},
		} {
			page := get(t, app, form.page)
			v := url.Values{}
			if m := formTokenPattern.FindStringSubmatch(page.Body); m != nil {
				v.Set("_token", m[1])
			}
			for _, f := range form.fields {
				v.Set(f, p)
			}
			req := httptest.NewRequest("POST", form.action, strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res := do(t, app, req)
			checkNoInjection(t, "POST "+form.action, res, p)
			if res.StatusCode != 403 && res.StatusCode != 429 {
				reached[form.action] = true
			}
		}
	}
	for _, action := range []string{"/tip/valideer?veld=title", "/inloggen"} {
		if !reached[action] {
			t.Errorf("no post to %s got past the form token: the input never reached validation", action)
		}
	}
}

var formTokenPattern = regexp.MustCompile(`name="_token" value="([^"]+)"`)

// A method Fiber does not know gets the security headers and a Dutch page too.
func TestUnknownMethodGetsSecurityHeaders(t *testing.T) {
	app, _ := newTestApp(t)
	addr := listen(t, app)
	for _, method := range []string{"FOO", "PROPFIND", "get"} {
		res := rawExchange(t, addr, method+" /voorbeelden HTTP/1.1\r\nHost: x\r\n\r\n")
		checkDutchErrorPage(t, res, http.StatusNotImplemented, "Niet ondersteund")
		checkSecurityHeaders(t, res, false)
		if strings.Contains(res.Body, "Invalid http method") || res.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("%s: Cache-Control %q, body %.100s", method, res.Header.Get("Cache-Control"), res.Body)
		}
	}
	// Known methods are untouched.
	if res := rawExchange(t, addr, "GET /voorbeelden HTTP/1.1\r\nHost: x\r\n\r\n"); res.StatusCode != 200 {
		t.Errorf("GET = %d", res.StatusCode)
	}
}
