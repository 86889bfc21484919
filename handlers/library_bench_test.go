package handlers

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// benchApp is the real app on a library of n cases (the seed plus synthetic ones).
// The database file is kept in the temp folder between runs: 100,000 cases take
// about a minute to build. Delete /tmp/opnieuwthuis-handlers-bench-* after schema
// or generator changes.
func benchApp(b *testing.B, n int, pageCacheBytes int) (*fiber.App, *Handler) {
	b.Helper()
	schema, err := os.ReadFile(filepath.Join("..", "schema.sql"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// Named by the schema's content, not its version number: other branches add
	// migrations of the same number meanwhile. A file indexed by another search
	// document version is re-indexed when it is opened.
	sum := sha256.Sum256(schema)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("opnieuwthuis-handlers-bench-%x-%d.db", sum[:6], n))
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".building"
		os.Remove(tmp)
		store, err := db.Open(ctx, tmp, string(schema))
		if err != nil {
			b.Fatal(err)
		}
		res, err := store.FindCases(ctx, db.CaseFilter{})
		if err != nil {
			b.Fatal(err)
		}
		if err := store.AddSyntheticCases(ctx, n-res.Total, 1); err != nil {
			b.Fatal(err)
		}
		store.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	}
	store, err := db.Open(ctx, path, string(schema))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	var h *Handler
	app, err := New(Config{
		DB: store, Views: os.DirFS(filepath.Join("..", "views")), Public: os.DirFS(filepath.Join("..", "public")),
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), BaseURL: "http://bench",
		PageCacheBytes: pageCacheBytes,
		testRoutes:     func(handler *Handler, _ fiber.Router) { h = handler },
	})
	if err != nil {
		b.Fatal(err)
	}
	return app, h
}

// BenchmarkSearchFragment measures what search as you type costs: the htmx fragment
// of /voorbeelden (results, facets, status) through the whole middleware stack, for
// one- and two-letter prefixes, words, and searches with facets. It reports the
// median and 90th percentile per request besides the mean, the process's CPU time
// per request (steadier than wall time on a shared machine) and, for "made"
// answers, how many cards and facet options came from their render caches. "made" answers are
// rendered for every request (page cache off; the FTS5 match sets of the index
// snapshot are still reused, as they are while people type); "kept" answers come
// from the page cache.
func BenchmarkSearchFragment(b *testing.B) {
	queries := []string{
		"",
		"?thema=gemengd-wonen&provincie=PV26",
		"?q=w", "?q=wo", "?q=won", "?q=wonin",
		"?q=statushouders", "?q=tijdelijke+woningen",
		"?q=jongeren&soort=woonoplossing&jaar=2016&jaar=2017",
		"?q=statushouers", // a typo, corrected
		"?q=kantoor",      // compounds
		"?q=hoe+vinden+jonge+statushouders+een+kamer", // a question: stop words out
	}
	for _, n := range []int{1000, 100000} {
		for _, mode := range []string{"made", "kept"} {
			app, h := benchApp(b, n, map[string]int{"made": 0, "kept": 48 << 20}[mode])
			for _, q := range queries {
				b.Run(fmt.Sprintf("cases=%d/%s/%s", n, mode, q), func(b *testing.B) {
					before, cpu := renderCacheCounts(h), processCPU()
					var times []time.Duration
					for b.Loop() {
						req := httptest.NewRequest("GET", "/voorbeelden"+q, nil)
						req.Header.Set("HX-Request", "true")
						times = append(times, timeRequest(b, app, req))
					}
					reportMedianAndP90(b, times)
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
					reportRenderCaches(b, h, before, mode == "made")
				})
			}
		}
	}
}

// benchWords are what visitors type, one word at a time: words of the library,
// other forms of them, compounds, synonyms, places, typos and beginnings of words.
// uniqueQuery combines them into a different search for every request, as the
// load test (.ci/load/search.lua) does.
var benchWords = []string{
	"statushouders", "woningen", "tijdelijke", "kantoor", "jongeren", "gezinnen", "flexwoningen",
	"vergunninghouders", "woningdelen", "kamers", "corporatie", "begeleiding", "transformatie",
	"Utrecht", "Den Haag", "Eindhoven", "Drenthe", "Amsterdam", "gemengd", "opvang", "azc",
	"spoedzoekers", "doorstroom", "containerwoningen", "gemeente", "huisvesting", "wonen",
	"statushouers", "wonignen", "kamergewize", "corporatei", "gastgzin", "begeleidng",
	"wo", "st", "kan", "gez", "tijdel", "flexw", "hoe", "een", "voor",
}

func uniqueQuery(i int) string {
	n := len(benchWords)
	q := benchWords[i%n]
	if i/n > 0 {
		q = benchWords[(i/n)%n] + " " + q
	}
	if i/(n*n) > 0 {
		q = benchWords[(i/(n*n))%n] + " " + q
	}
	return q
}

// BenchmarkSearchFragmentUnique sends a different search with every request (the
// page cache off): what a stream of visitors typing their own words costs. The
// snapshot's cache of match sets per word still helps, as it does in production:
// the words repeat, the searches do not.
func BenchmarkSearchFragmentUnique(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		app, h := benchApp(b, n, -1)
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			before, cpu := renderCacheCounts(h), processCPU()
			var times []time.Duration
			i := len(benchWords) // from two words on
			for b.Loop() {
				i++
				req := httptest.NewRequest("GET", "/voorbeelden?q="+url.QueryEscape(uniqueQuery(i)), nil)
				req.Header.Set("HX-Request", "true")
				req.Header.Set("Accept-Encoding", "gzip, deflate, br") // as browsers (and the load test) ask
				times = append(times, timeRequest(b, app, req))
			}
			reportMedianAndP90(b, times)
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
			reportRenderCaches(b, h, before, true)
		})
	}
}

// timeRequest sends req to app, reads the whole answer and returns how long that
// took; anything but 200 ends the benchmark.
func timeRequest(b *testing.B, app *fiber.App, req *http.Request) time.Duration {
	b.Helper()
	start := time.Now()
	res, err := app.Test(req, -1)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(start)
	if res.StatusCode != 200 {
		b.Fatalf("status %d", res.StatusCode)
	}
	return took
}

// reportMedianAndP90 reports the median and the 90th percentile of times, in ms.
func reportMedianAndP90(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90-ms")
}

// processCPU is the CPU time the test process has used so far (user and system).
func processCPU() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
