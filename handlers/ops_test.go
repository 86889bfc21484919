package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"opnieuwthuis/db"
	"opnieuwthuis/internal/testkit"
)

// logBuffer collects what the app logs, for tests to read.
type logBuffer struct{ testkit.SyncBuffer }

// lines returns every log line as a JSON object; it fails on anything else.
func (l *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

// withLog makes the app log into buf.
func withLog(buf *logBuffer) func(*Config) {
	return func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(buf, nil)) }
}

func TestLogsHoldNoPersonalData(t *testing.T) {
	var logs logBuffer
	app, _ := newTestAppWith(t, func(c *Config) {
		withLog(&logs)(c)
		c.testRoutes = func(h *Handler, r fiber.Router) {
			r.Post("/test/account", func(c *fiber.Ctx) error {
				return fmt.Errorf("save account %s: %w", c.FormValue("email"), errors.New("disk says no"))
			})
		}
	})
	addr := listen(t, app)
	secrets := []string{"jan@example.nl", "piet.de.vries@gemeente.example", "kees@example.nl",
		"Hunter2Geheim", "geheimzoekwoord", "wachtwoord=", "password", "0612345678"}

	get(t, app, "/voorbeelden?q=geheimzoekwoord&email=jan@example.nl&tel=0612345678")
	get(t, app, "/voorbeelden/jan@example.nl")
	get(t, app, "/piet.de.vries@gemeente.example/profiel")
	req := httptest.NewRequest("POST", "/voorbeelden?password=Hunter2Geheim", strings.NewReader("email=piet.de.vries%40gemeente.example&wachtwoord=Hunter2Geheim"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	do(t, app, req)
	req = httptest.NewRequest("POST", "/test/account", strings.NewReader("email=kees%40example.nl&password=Hunter2Geheim"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := do(t, app, req); res.StatusCode != 500 {
		t.Fatalf("failing route: status %d, want 500", res.StatusCode)
	}
	req = httptest.NewRequest("GET", "/voorbeelden", nil)
	req.Header.Set("X-Request-ID", "jan@example.nl")
	do(t, app, req)
	rawExchange(t, addr, "GET /voorbeelden?password=Hunter2Geheim&q="+strings.Repeat("a", 40*1024)+" HTTP/1.1\r\nHost: x\r\n\r\n")
	rawExchange(t, addr, tooLargeBody)

	all := logs.String()
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("the log holds %q:\n%s", s, all)
		}
	}

	// Each request has one access line with what an operator needs.
	var access, failed, rejected int
	ids := map[string]bool{}
	for _, l := range logs.lines(t) {
		switch l["msg"] {
		case "request":
			access++
			for _, key := range []string{"method", "path", "route", "status", "duration_ms", "request_id"} {
				if _, ok := l[key]; !ok {
					t.Errorf("access line without %s: %v", key, l)
				}
			}
			id, _ := l["request_id"].(string)
			if len(id) < 8 || ids[id] {
				t.Errorf("request id %q missing or repeated", id)
			}
			ids[id] = true
		case "request failed":
			failed++
			if l["status"] != float64(500) || !strings.Contains(fmt.Sprint(l["err"]), "disk says no") || l["request_id"] == "" {
				t.Errorf("error line = %v, want status 500, the error and the request id", l)
			}
		case "request rejected":
			rejected++
		}
	}
	if access != 6 || failed != 1 || rejected != 2 {
		t.Errorf("logged %d requests, %d failures, %d rejections; want 6, 1, 2:\n%s", access, failed, rejected, all)
	}
}

func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	reg := prometheus.NewRegistry()
	app, _ := newTestAppWith(t, func(c *Config) { c.Metrics = reg })
	get(t, app, "/voorbeelden/startblok-riekerhaven")
	get(t, app, "/voorbeelden/stek-oost")
	get(t, app, "/voorbeelden/bestaat-niet")
	get(t, app, "/voorbeelden?q=wonen", htmx...)
	get(t, app, "/static/site.css")
	get(t, app, "/geen/pagina")
	get(t, app, "/nog/een/andere")

	counts := map[string]int{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "opnieuwthuis_http_request_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			counts[labels["method"]+" "+labels["route"]+" "+labels["status"]] = int(m.GetHistogram().GetSampleCount())
		}
	}
	wantCounts := map[string]int{
		"GET /voorbeelden/:slug 2xx": 2,
		"GET /voorbeelden/:slug 4xx": 1,
		"GET /voorbeelden 2xx":       1,
		"GET /static 2xx":            1,
		"GET other 4xx":              2,
	}
	for k, v := range wantCounts {
		if counts[k] != v {
			t.Errorf("requests %q = %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
	if len(counts) != len(wantCounts) {
		t.Errorf("label sets %v, want exactly %v: raw paths must not become labels", counts, wantCounts)
	}
	// The seeded database is several hundred KB, in the file or still in the WAL.
	file := testutil.ToFloat64(prometheusGauge(t, reg, "opnieuwthuis_database_size_bytes"))
	wal := testutil.ToFloat64(prometheusGauge(t, reg, "opnieuwthuis_database_wal_size_bytes"))
	if file < 4096 || file+wal < 100_000 {
		t.Errorf("database size = %v bytes, WAL %v bytes", file, wal)
	}
}

// prometheusGauge finds a registered gauge by name, as a collector for testutil.
func prometheusGauge(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: "copy"},
				func() float64 { return mf.GetMetric()[0].GetGauge().GetValue() })
		}
	}
	t.Fatalf("no gauge %s", name)
	return nil
}

func TestDiskFullGivesDutch503AndReadsGoOn(t *testing.T) {
	ctx := context.Background()
	store, dir := storeOnSmallDisk(t)
	var logs logBuffer
	year := 2025
	app, _ := newTestAppWith(t, func(c *Config) {
		withLog(&logs)(c)
		c.DB = store
		// Stands in for the editors' save until it exists: a real write through
		// the real error handling.
		c.testRoutes = func(h *Handler, r fiber.Router) {
			r.Post("/test/opslaan", func(c *fiber.Ctx) error {
				_, err := h.db.CreateCase(c.UserContext(), db.CaseInput{
					Slug: "volle-schijf-" + c.Query("n"), Title: "Volle schijf", Summary: "Proef",
					Body: strings.Repeat("woningen voor statushouders in de gemeente ", 40000),
					Kind: db.KindApproach, Year: &year, Status: db.StatusPublished,
				}, nil)
				if err != nil {
					return err
				}
				return c.SendStatus(fiber.StatusNoContent)
			})
		}
	})
	filler := testkit.FillDisk(t, dir)

	res := do(t, app, httptest.NewRequest("POST", "/test/opslaan?n=1", nil))
	checkDutchErrorPage(t, res, 503, "Tijdelijk niet beschikbaar")
	if !strings.Contains(res.Body, "Er is niets gewijzigd") {
		t.Error("the page does not say that nothing was changed")
	}
	var logged bool
	for _, l := range logs.lines(t) {
		if l["msg"] == "request failed" && l["status"] == float64(503) &&
			strings.Contains(fmt.Sprint(l["err"]), "database not writable") && strings.Contains(fmt.Sprint(l["err"]), "full") {
			logged = true
		}
	}
	if !logged {
		t.Errorf("no error line saying the database is full:\n%s", logs.String())
	}

	// Reading and searching go on.
	for _, target := range []string{"/", "/voorbeelden?q=wonen", "/voorbeelden/startblok-riekerhaven", "/healthz"} {
		if res := get(t, app, target); res.StatusCode != 200 {
			t.Errorf("%s with a full disk: status %d", target, res.StatusCode)
		}
	}

	// With room again the same save works, and the database is sound.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if res := do(t, app, httptest.NewRequest("POST", "/test/opslaan?n=2", nil)); res.StatusCode != 204 {
		t.Fatalf("save after freeing space: status %d", res.StatusCode)
	}
	if err := store.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := store.FindCaseBySlug(ctx, "volle-schijf-1"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("the refused save is in the database: %v", err)
	}
}
