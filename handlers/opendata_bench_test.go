package handlers

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkKnowledgeDownloads serves each download, feed and sitemap of the seeded
// site through the whole middleware stack, as a client would fetch it.
func BenchmarkKnowledgeDownloads(b *testing.B) {
	app, _ := newTestApp(b)
	for _, target := range []string{
		"/open-data/voorbeelden.csv", "/open-data/voorbeelden.json", "/voorbeelden.csv?q=wonen",
		"/open-data/gemeenten.csv", "/voorbeelden.atom", "/sitemap.xml", "/themas/gemengd-wonen", "/open-data",
	} {
		b.Run(target, func(b *testing.B) {
			var n int
			for b.Loop() {
				res := do(b, app, httptest.NewRequest("GET", target, nil))
				if res.StatusCode != 200 {
					b.Fatalf("%s: %d", target, res.StatusCode)
				}
				n = len(res.Body)
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}
