package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// proxyApp serves the real app on a loopback port; the test client plays the
// proxy (127.0.0.1) when trusted lists it. A test route echoes clientIP.
func proxyApp(t *testing.T, trusted ...string) (string, *appWithSecret) {
	t.Helper()
	var h *Handler
	app, _ := newTestAppWith(t, func(c *Config) {
		c.TrustedProxies = trusted
		c.testRoutes = func(hh *Handler, r fiber.Router) {
			h = hh
			r.Get("/test/client", func(c *fiber.Ctx) error { return c.SendString(hh.clientIP(c)) })
		}
	})
	return listen(t, app), &appWithSecret{h: h}
}

func TestClientAddressBehindTrustedProxies(t *testing.T) {
	addr, _ := proxyApp(t, "127.0.0.1", "10.0.0.0/8")
	for _, tt := range []struct {
		name string
		xff  []string // one header line each
		want string
	}{
		{"no header: the proxy itself", nil, "127.0.0.1"},
		{"one address", []string{"203.0.113.5"}, "203.0.113.5"},
		{"a spoofed address left of the real one", []string{"1.2.3.4, 203.0.113.5"}, "203.0.113.5"},
		{"many spoofed addresses", []string{"1.2.3.4,5.6.7.8 , 203.0.113.5"}, "203.0.113.5"},
		{"a chain of trusted proxies", []string{"1.2.3.4, 203.0.113.5, 10.1.2.3"}, "203.0.113.5"},
		{"two header lines", []string{"1.2.3.4", "203.0.113.5"}, "203.0.113.5"},
		{"IPv6 client", []string{"2001:db8::7"}, "2001:db8::7"},
		{"garbage from the client only", []string{"niet-een-adres, 203.0.113.5"}, "203.0.113.5"},
		{"garbage as the last entry", []string{"203.0.113.5, niet-een-adres"}, "127.0.0.1"},
		{"only trusted addresses", []string{"10.0.0.1"}, "10.0.0.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/test/client", nil)
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := fetch(t, addr, req).Body; got != tt.want {
				t.Errorf("client = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestForwardingHeadersIgnoredWithoutTrustedProxies(t *testing.T) {
	for name, trusted := range map[string][]string{"none": nil, "another proxy": {"10.0.0.1"}} {
		t.Run(name, func(t *testing.T) {
			addr, _ := proxyApp(t, trusted...)
			req := httptest.NewRequest("GET", "/test/client", nil)
			req.Header.Set("X-Forwarded-For", "203.0.113.5")
			if got := fetch(t, addr, req).Body; got != "127.0.0.1" {
				t.Errorf("client = %q, want the peer 127.0.0.1", got)
			}
			req = httptest.NewRequest("GET", "/", nil)
			req.Header.Set("X-Forwarded-Proto", "https")
			if hsts := fetch(t, addr, req).Header.Get("Strict-Transport-Security"); hsts != "" {
				t.Errorf("HSTS %q for a plain request that claims https", hsts)
			}
		})
	}
}

// failLogin posts one wrong password for email, as the client at xff.
func failLogin(t *testing.T, addr string, app *appWithSecret, email, xff string) response {
	t.Helper()
	form := url.Values{"_token": {app.h.formToken(purposeLogin, time.Now())}, "email": {email}, "password": {"fout-wachtwoord-nummer"}}
	req := httptest.NewRequest("POST", "/inloggen", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", xff)
	return fetch(t, addr, req)
}

// Behind the proxy, every visitor has the proxy's address: the limit per client
// must count the address the proxy saw, and a client cannot dodge it by sending
// an X-Forwarded-For of its own.
func TestSignInLimitPerClientBehindProxy(t *testing.T) {
	addr, app := proxyApp(t, "127.0.0.1")
	for i := 0; i < loginMaxPerAddress; i++ {
		// A new spoofed address each time, left of what the proxy appends.
		xff := fmt.Sprintf("198.51.100.%d, 203.0.113.5", i+1)
		if res := failLogin(t, addr, app, fmt.Sprintf("iemand%d@example.org", i), xff); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d = %d", i+1, res.StatusCode)
		}
	}
	if res := failLogin(t, addr, app, "nog-een@example.org", "198.51.100.99, 203.0.113.5"); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("past the limit, with yet another spoofed address: %d, want 429", res.StatusCode)
	}
	// Another visitor behind the same proxy is not affected.
	if res := failLogin(t, addr, app, "nog-een@example.org", "203.0.113.77"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("another client = %d, want 422", res.StatusCode)
	}
}

// HSTS goes only on answers over HTTPS, and the page cache must not hand a copy
// made for an HTTPS request, with its HSTS, to a plain one.
func TestHSTSOnlyOverHTTPSAndNeverFromThePageCache(t *testing.T) {
	addr, _ := proxyApp(t, "127.0.0.1")
	req := httptest.NewRequest("GET", "/voorbeelden", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	first := fetch(t, addr, req)
	if first.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS over HTTPS through a trusted proxy")
	}
	plain := fetch(t, addr, httptest.NewRequest("GET", "/voorbeelden", nil))
	if plain.Header.Get("X-Cache") != "hit" {
		t.Fatalf("second request X-Cache = %q, want hit (the test needs the cached copy)", plain.Header.Get("X-Cache"))
	}
	if hsts := plain.Header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("plain request got HSTS %q from the page cache", hsts)
	}
	req = httptest.NewRequest("GET", "/voorbeelden", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	if again := fetch(t, addr, req); again.Header.Get("X-Cache") != "hit" || again.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("HTTPS request from the cache: X-Cache %q, HSTS %q", again.Header.Get("X-Cache"), again.Header.Get("Strict-Transport-Security"))
	}
}
