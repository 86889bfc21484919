package main

// The site behind Debian's real nginx with the shipped configuration
// (deploy/nginx/opnieuwthuis.conf): TLS, the shared cache, forwarded addresses.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"opnieuwthuis/db"
	"opnieuwthuis/internal/testkit"
)

// sharedCacheSeconds is the site's s-maxage in this test: short, so that the
// freshness check waits little.
const sharedCacheSeconds = 1

// nginxBinary finds Debian's nginx (in /usr/sbin, which a user's PATH may lack).
func nginxBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	t.Fatal("nginx is not installed: apt-get install -y nginx (make test runs .ci/setup, which does)")
	return ""
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// selfSignedCert writes a certificate and key for 127.0.0.1 into dir.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "opnieuwthuis.example.nl"},
		DNSNames:     []string{"opnieuwthuis.example.nl", "localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// startNginx runs nginx with the shipped site configuration in front of the site
// at upstream and returns its HTTPS and HTTP addresses. Only addresses, the
// certificate and the cache folder are changed; a missing one stops the test, so
// the test follows the file.
func startNginx(t *testing.T, upstream string) (httpsAddr, httpAddr string) {
	t.Helper()
	bin := nginxBinary(t)
	dir := t.TempDir()
	shipped, err := os.ReadFile(filepath.Join("deploy", "nginx", "opnieuwthuis.conf"))
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := selfSignedCert(t, dir)
	httpsAddr, httpAddr = freePort(t), freePort(t)
	site := string(shipped)
	for _, r := range []struct{ old, new string }{
		{"server 127.0.0.1:8080;", "server " + upstream + ";"},
		{"listen 443 ssl http2;", "listen " + httpsAddr + " ssl http2;"},
		{"listen [::]:443 ssl http2;\n", ""},
		{"listen 80;", "listen " + httpAddr + ";"},
		{"listen [::]:80;\n", ""},
		{"/etc/letsencrypt/live/opnieuwthuis.example.nl/fullchain.pem", certFile},
		{"/etc/letsencrypt/live/opnieuwthuis.example.nl/privkey.pem", keyFile},
		{"/var/cache/nginx/opnieuwthuis", filepath.Join(dir, "cache")},
	} {
		if !strings.Contains(site, r.old) {
			t.Fatalf("deploy/nginx/opnieuwthuis.conf no longer has %q: update the test with the file", r.old)
		}
		site = strings.Replace(site, r.old, r.new, 1)
	}
	siteFile := filepath.Join(dir, "opnieuwthuis.conf")
	if err := os.WriteFile(siteFile, []byte(site), 0o600); err != nil {
		t.Fatal(err)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers write the cache in this test's private folder
	}
	main := fmt.Sprintf(`%s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 256; }
http {
    access_log %[2]s/access.log;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[3]s;
}
`, user, dir, siteFile)
	mainFile := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(mainFile, []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-q", "-e", filepath.Join(dir, "error.log"), "-c", mainFile).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-e", filepath.Join(dir, "error.log"), "-c", mainFile, "-g", "daemon off;")
	var out testkit.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT) // graceful: workers finish, then exit
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx error.log:\n%s%s", b, out.String())
		}
	})
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", httpsAddr); err == nil {
			c.Close()
			return httpsAddr, httpAddr
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %s%s", out.String(), b)
		case <-time.After(20 * time.Millisecond):
		}
		if i > 500 {
			t.Fatal("nginx does not listen")
		}
	}
}

// viaNginx is one browser behind nginx (testkit.Client): it connects from its own
// loopback address (so nginx sees a client of its own), keeps cookies and does not
// follow redirects. Its methods fail the test when no answer comes.
type viaNginx struct {
	*testkit.Client
	t *testing.T
}

func newViaNginx(t *testing.T, httpsAddr, from string) *viaNginx {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	return &viaNginx{t: t, Client: testkit.NewClient("https://"+httpsAddr, &http.Transport{
		DialContext:     dialer.DialContext,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // the test's own certificate
	})}
}

// do sends a request; headers are name, value pairs.
func (v *viaNginx) do(method, path string, form url.Values, headers ...string) (*http.Response, string) {
	v.t.Helper()
	res, body, err := v.Send(method, path, form, headers...)
	if err != nil {
		v.t.Fatal(err)
	}
	return res, body
}

// login posts the sign-in form through nginx.
func (v *viaNginx) login(email, password string, headers ...string) *http.Response {
	v.t.Helper()
	res, err := v.Login(email, password, headers...)
	if err != nil {
		v.t.Fatal(err)
	}
	return res
}

var nginxResults = regexp.MustCompile(`id="result-status"[^>]*>\s*(Niets|[0-9.]+ voorbeeld)`)

func TestBehindNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("nginx test: runs nginx in front of the real binary: skipped under -short")
	}
	dbPath := filepath.Join(t.TempDir(), "site.db")
	store, err := db.Open(context.Background(), dbPath, schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"ria@gemeente.example", "kees@gemeente.example"} {
		if _, err := store.CreateUser(context.Background(), db.UserInput{Email: email, Role: db.RoleEditor, Password: crashPassword}, nil); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	site := startProcess(t, dbPath, "TRUSTED_PROXIES=127.0.0.1", fmt.Sprintf("SHARED_CACHE_SECONDS=%d", sharedCacheSeconds))
	httpsAddr, httpAddr := startNginx(t, strings.TrimPrefix(site.URL, "http://"))
	visitor := newViaNginx(t, httpsAddr, "127.0.0.2")

	t.Run("plain HTTP is sent to HTTPS, HTTPS gets HSTS", func(t *testing.T) {
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noFollow.Get("http://" + httpAddr + "/kaart")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, "https://") {
			t.Errorf("plain HTTP = %d %q", res.StatusCode, loc)
		}
		res, _ = visitor.do("GET", "/over", nil)
		if res.StatusCode != 200 || res.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("HTTPS through nginx = %d, HSTS %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
		}
	})

	t.Run("a public page's second request is a cache hit", func(t *testing.T) {
		for _, enc := range []string{"br", "gzip"} {
			path := "/voorbeelden?q=woningen&enc=" + enc
			first, body1 := visitor.do("GET", path, nil, "Accept-Encoding", enc)
			second, body2 := visitor.do("GET", path, nil, "Accept-Encoding", enc)
			if first.Header.Get("X-Cache-Status") != "MISS" || second.Header.Get("X-Cache-Status") != "HIT" {
				t.Errorf("%s: X-Cache-Status %q then %q, want MISS then HIT", enc, first.Header.Get("X-Cache-Status"), second.Header.Get("X-Cache-Status"))
			}
			// Compression passes through: nginx stores and sends the site's own.
			if second.Header.Get("Content-Encoding") != enc || body1 != body2 || len(body2) < 100 {
				t.Errorf("%s: Content-Encoding %q, %d bytes", enc, second.Header.Get("Content-Encoding"), len(body2))
			}
			if cc := second.Header.Get("Cache-Control"); cc != fmt.Sprintf("public, max-age=0, s-maxage=%d", sharedCacheSeconds) {
				t.Errorf("Cache-Control %q", cc)
			}
		}
	})

	editor := newViaNginx(t, httpsAddr, "127.0.0.4")
	if res := editor.login("kees@gemeente.example", crashPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in through nginx = %d", res.StatusCode)
	}

	t.Run("editor pages and sign-in are never cached", func(t *testing.T) {
		for _, path := range []string{"/beheer", "/beheer/voorbeelden", "/beheer/themas"} {
			for range 2 {
				res, _ := editor.do("GET", path, nil)
				if res.StatusCode != 200 || res.Header.Get("X-Cache-Status") == "HIT" || res.Header.Get("Cache-Control") != "private, no-store" {
					t.Errorf("%s = %d, X-Cache-Status %q, Cache-Control %q", path, res.StatusCode, res.Header.Get("X-Cache-Status"), res.Header.Get("Cache-Control"))
				}
			}
		}
		for range 2 {
			if res, _ := visitor.do("GET", "/inloggen", nil); res.Header.Get("X-Cache-Status") == "HIT" {
				t.Error("/inloggen came from the cache")
			}
		}
		// A public page asked with the session: made for the editor, never kept.
		visitor.do("GET", "/kaart/tabel", nil)
		if res, _ := visitor.do("GET", "/kaart/tabel", nil); res.Header.Get("X-Cache-Status") != "HIT" {
			t.Fatalf("anonymous /kaart/tabel not cached: %q", res.Header.Get("X-Cache-Status"))
		}
		res, _ := editor.do("GET", "/kaart/tabel", nil)
		if res.Header.Get("X-Cache-Status") != "BYPASS" || res.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("editor's public page: X-Cache-Status %q, Cache-Control %q", res.Header.Get("X-Cache-Status"), res.Header.Get("Cache-Control"))
		}
		if res, _ := visitor.do("GET", "/kaart/tabel", nil); !strings.HasPrefix(res.Header.Get("Cache-Control"), "public") {
			t.Errorf("the visitor got the editor's answer: Cache-Control %q", res.Header.Get("Cache-Control"))
		}
	})

	t.Run("a published change is visible within s-maxage", func(t *testing.T) {
		const path = "/voorbeelden?q=nginxvers"
		visitor.do("GET", path, nil)
		res, body := visitor.do("GET", path, nil)
		if res.Header.Get("X-Cache-Status") != "HIT" || !strings.Contains(body, "Niets") {
			t.Fatalf("before: X-Cache-Status %q, %q", res.Header.Get("X-Cache-Status"), nginxResults.FindString(body))
		}
		res, _ = editor.do("POST", "/beheer/voorbeelden", addCSRF(crashCase("nginxvers", "nginxvers", "gepubliceerd"), editor.CSRF))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish through nginx = %d", res.StatusCode)
		}
		published := time.Now()
		// nginx counts in whole seconds: a copy is fresh until the end of the
		// second in which s-maxage runs out, so up to s-maxage + 1 s. Plus a
		// margin for a slow machine.
		limit := time.Duration(sharedCacheSeconds+1)*time.Second + 500*time.Millisecond
		var stale int
		for {
			_, body := visitor.do("GET", path, nil)
			if strings.Contains(body, `href="/voorbeelden/nginxvers"`) {
				break
			}
			stale++
			if time.Since(published) > limit+2*time.Second {
				t.Fatalf("the published case is not visible %v after publishing (%d stale answers)", time.Since(published), stale)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if took := time.Since(published); took > limit {
			t.Errorf("visible after %v, more than s-maxage %ds + 1 s", took, sharedCacheSeconds)
		} else {
			t.Logf("visible after %v (%d stale answers from the cache first)", took.Round(time.Millisecond), stale)
		}
	})

	t.Run("clients are limited separately and cannot spoof their address", func(t *testing.T) {
		attacker, other := newViaNginx(t, httpsAddr, "127.0.0.2"), newViaNginx(t, httpsAddr, "127.0.0.3")
		var res *http.Response
		for i := 1; i <= 5; i++ {
			// A new forged address each time: nginx appends the real one.
			res = attacker.login("ria@gemeente.example", "fout-wachtwoord", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		}
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("5th failure from one client with forged addresses = %d, want 429", res.StatusCode)
		}
		if res := attacker.login("ria@gemeente.example", crashPassword, "X-Forwarded-For", "198.51.100.1"); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("that client, forging yet another address = %d, want 429", res.StatusCode)
		}
		if res := other.login("ria@gemeente.example", "fout-wachtwoord"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("another client behind the same nginx = %d, want 422 (not limited)", res.StatusCode)
		}
		if res := other.login("ria@gemeente.example", crashPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the owner from another client = %d", res.StatusCode)
		}
	})
}

// addCSRF adds the session's CSRF token to a form.
func addCSRF(form url.Values, token string) url.Values {
	form.Set("_csrf", token)
	return form
}
