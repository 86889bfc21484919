package handlers

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// A HEAD on a download answers its headers and logs no error: there is no body
// to stream, so nothing can stop half-way.
func TestHeadOnDownloadsLogsNoError(t *testing.T) {
	var logs logBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	prev := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(prev) })
	app, _ := newTestAppWith(t, func(c *Config) { c.Logger = logger })
	addr := listen(t, app)
	for _, path := range []string{"/open-data/voorbeelden.csv", "/open-data/voorbeelden.json", "/voorbeelden.csv?q=wonen",
		"/voorbeelden.json", "/open-data/gemeenten.csv", "/open-data/gemeenten.json?excel=1",
		"/open-data/cijfers.csv", "/open-data/cijfers.json", "/open-data/taakstelling-landelijk.csv", "/open-data/taakstelling-landelijk.json"} {
		for range 3 {
			res := fetch(t, addr, httptest.NewRequest("HEAD", path, nil))
			if res.StatusCode != 200 || res.Header.Get("Content-Type") == "" || res.Body != "" {
				t.Errorf("HEAD %s = %d, Content-Type %q, body %d bytes", path, res.StatusCode, res.Header.Get("Content-Type"), len(res.Body))
			}
		}
		if res := fetch(t, addr, httptest.NewRequest("GET", path, nil)); res.StatusCode != 200 || len(res.Body) < 20 {
			t.Errorf("GET %s = %d, %d bytes", path, res.StatusCode, len(res.Body))
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) {
			t.Errorf("log line: %s", line)
		}
	}
}
