package handlers

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofiber/template/html/v2"
)

// Benchmarks of Land in beeld (BENCHMARKS.md): timing goals live here, never in
// pass/fail tests. Run: go test -tags sqlite_fts5 -run '^$' -bench Map -benchmem ./handlers/

// BenchmarkMapFragment is what the period form fetches: the whole map part of /kaart
// through the real app, with the SVG from the cache.
func BenchmarkMapFragment(b *testing.B) {
	app, _ := newTestApp(b)
	get(b, app, "/kaart?periode=2025-H2", htmx...) // fill the cache
	b.ResetTimer()
	for b.Loop() {
		if res := get(b, app, "/kaart?periode=2025-H2", htmx...); res.StatusCode != 200 {
			b.Fatal(res.StatusCode)
		}
	}
}

// BenchmarkMapPage is the full /kaart page.
func BenchmarkMapPage(b *testing.B) {
	app, _ := newTestApp(b)
	get(b, app, "/kaart?periode=2025-H2")
	b.ResetTimer()
	for b.Loop() {
		if res := get(b, app, "/kaart?periode=2025-H2"); res.StatusCode != 200 {
			b.Fatal(res.StatusCode)
		}
	}
}

// BenchmarkGemeentePanel is the panel a click on the map loads.
func BenchmarkGemeentePanel(b *testing.B) {
	app, _ := newTestApp(b)
	b.ResetTimer()
	for b.Loop() {
		if res := get(b, app, "/gemeenten/GM0344?periode=2025-H2", "HX-Request", "true", "HX-Target", "kaart-paneel"); res.StatusCode != 200 {
			b.Fatal(res.StatusCode)
		}
	}
}

// BenchmarkRenderMapUncached renders the SVG of all 342 gemeenten without the
// cache: what the first request after a change of the figures pays once.
func BenchmarkRenderMapUncached(b *testing.B) {
	_, store := newTestApp(b)
	h := &Handler{db: store, assets: map[string]string{}}
	engine := html.NewFileSystem(http.FS(os.DirFS(filepath.Join("..", "views"))), ".html")
	engine.AddFuncMap(h.templateFuncs())
	if err := engine.Load(); err != nil {
		b.Fatal(err)
	}
	h.views = engine
	ctx := context.Background()
	pf, err := store.PeriodFigures(ctx, "2025-H2")
	if err != nil {
		b.Fatal(err)
	}
	dv, err := store.Division(ctx, 2025)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		h.maps = mapCache{}
		s, err := h.renderMap(pf, dv, "", pf.Totals)
		if err != nil || len(s) < 100_000 {
			b.Fatal(err, len(s))
		}
	}
}

// BenchmarkFiguresAfterChange is the rebuild of every period's computed figures
// after a write (figures_version moved), plus one query of the version.
func BenchmarkFiguresAfterChange(b *testing.B) {
	_, store := newTestApp(b)
	raw := rawDB(b, store)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if _, err := raw.Exec("UPDATE figures_version SET version = version + 1"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := store.PeriodFigures(ctx, "2025-H2"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTablePage is /kaart/tabel with all 342 gemeenten.
func BenchmarkTablePage(b *testing.B) {
	app, _ := newTestApp(b)
	b.ResetTimer()
	for b.Loop() {
		if res := get(b, app, "/kaart/tabel?periode=2025-H2&sorteer=verschil"); res.StatusCode != 200 {
			b.Fatal(res.StatusCode)
		}
	}
}
