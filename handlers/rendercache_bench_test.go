package handlers

import "testing"

// What the library benchmarks report of the render caches (renderCache, library.go).

// reportRenderCaches reports the share of the library's cards and facet options
// that came from their render caches (renderCache) since before
// (renderCacheCounts), and what the caches hold.
func reportRenderCaches(b *testing.B, h *Handler, before [2][2]uint64, hitRates bool) {
	for i, c := range []struct {
		name  string
		stats func() (hits, misses uint64, entries, bytes int)
	}{{"card", h.cards.stats}, {"option", h.facetOptions.stats}} {
		hits, misses, _, bytes := c.stats()
		hits, misses = hits-before[i][0], misses-before[i][1]
		if hitRates && hits+misses > 0 {
			b.ReportMetric(100*float64(hits)/float64(hits+misses), c.name+"-hit-%")
		}
		b.ReportMetric(float64(bytes>>10), c.name+"-cache-KB")
	}
}

// renderCacheCounts are the hits and misses of the card and option caches so far.
func renderCacheCounts(h *Handler) [2][2]uint64 {
	ch, cm, _, _ := h.cards.stats()
	oh, om, _, _ := h.facetOptions.stats()
	return [2][2]uint64{{ch, cm}, {oh, om}}
}
