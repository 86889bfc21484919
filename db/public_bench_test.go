package db

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
)

// openBulk opens a database with n extra published cases of about 2 KB each.
func openBulk(b *testing.B, n int) *DB {
	b.Helper()
	d := openTest(b)
	ctx := context.Background()
	body := strings.Repeat("Tijdelijke woningen voor statushouders en spoedzoekers in een leegstaand kantoor. ", 24)
	themes := []string{"tijdelijke-woningen", "transformatie", "gemengd-wonen", "gezinnen", "regionale-samenwerking"}
	gemeenten := []string{"GM0363", "GM0344", "GM0599", "GM0518", "GM0772", ""}
	err := d.write(ctx, func(tx *sql.Tx) error {
		ts := timestamp(d.Now())
		for i := range n {
			year := 2015 + i%11
			in := CaseInput{
				Slug: "bulk-" + strconv.Itoa(i), Title: "Voorbeeld " + strconv.Itoa(i) + " over wonen",
				Summary: "Een samenvatting van het voorbeeld.", Body: body,
				GemeenteCode: gemeenten[i%len(gemeenten)], Themes: []string{themes[i%len(themes)], themes[(i/5)%len(themes)]},
				Kind: Kinds[i%2], Year: &year, Partners: []string{"Corporatie", "Gemeente"},
				SourceURL: "https://example.org/" + strconv.Itoa(i), Status: StatusPublished,
			}
			if _, err := insertCase(ctx, tx, in, nil, ts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	d.casesChanged(ctx)
	return d
}

// BenchmarkEachCase walks every published case of a 20,000-case library, as a
// full download does. B/op stays far below the size of the data because cases are
// loaded in batches.
func BenchmarkEachCase(b *testing.B) {
	d := openBulk(b, 20000)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		f    CaseFilter
	}{
		{"all", CaseFilter{}},
		{"theme", CaseFilter{Themes: []string{"gezinnen"}}},
		{"search", CaseFilter{Query: "kantoor"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var bytes int
			for b.Loop() {
				bytes = 0
				if err := d.EachCase(ctx, bc.f, func(c Case) error { bytes += len(c.Body); return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(bytes)/1e6, "MBbody/op")
		})
	}
}
