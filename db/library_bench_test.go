package db

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"opnieuwthuis/internal/testkit"
)

// benchDB opens a database holding the seed cases plus synthetic ones, n in all.
// Building 100,000 cases takes about a minute, so the file is kept in the temp
// folder under a name that changes with the schema and the generator.
func benchDB(b *testing.B, n int) *DB {
	b.Helper()
	src, _ := os.ReadFile("synthetic.go")
	seedCases, _ := seedFS.ReadFile("seed/cases.json")
	sum := sha256.Sum256([]byte(testkit.Schema(b) + string(src) + string(seedCases) + searchDocVersion))
	path := filepath.Join(os.TempDir(), fmt.Sprintf("opnieuwthuis-bench-%d-%x.db", n, sum[:6]))
	ctx := context.Background()
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".building"
		os.Remove(tmp)
		d, err := Open(ctx, tmp, testkit.Schema(b))
		if err != nil {
			b.Fatal(err)
		}
		seeded := queryInt(b, d, "SELECT count(*) FROM cases")
		if err := d.AddSyntheticCases(ctx, n-seeded, 1); err != nil {
			b.Fatal(err)
		}
		if err := d.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	}
	d, err := Open(ctx, path, testkit.Schema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

// benchQueries are typical library requests: browsing, facets, search as you type
// from one letter on, and searches combined with facets.
var benchQueries = []struct {
	name string
	f    CaseFilter
}{
	{"browse", CaseFilter{}},
	{"facets", CaseFilter{Provinces: []string{"PV26"}, Themes: []string{"gemengd-wonen", "tijdelijke-woningen"}}},
	{"prefix1", CaseFilter{Query: "w"}},
	{"prefix2", CaseFilter{Query: "wo"}},
	{"prefix3", CaseFilter{Query: "won"}},
	{"word", CaseFilter{Query: "statushouders"}},
	{"twowords", CaseFilter{Query: "tijdelijke woningen"}},
	{"search+facets", CaseFilter{Query: "jongeren", Kinds: []string{KindSolution}, Years: []int{2016, 2017}}},
	{"newest+search", CaseFilter{Query: "gemeente", Sort: SortNewest}},
	{"page5", CaseFilter{Query: "de", Page: 5}},
	{"typo", CaseFilter{Query: "statushouers"}},
	{"compound", CaseFilter{Query: "kantoor"}},
	{"synonym", CaseFilter{Query: "vergunninghouders Utrecht"}},
	{"question", CaseFilter{Query: "hoe vinden jonge statushouders een kamer"}},
	// The facets and the sort of the richer case model.
	{"status+doelgroep", CaseFilter{Stages: []string{StageRealised, StageInProgress}, Groups: []string{GroupFamilies}}},
	{"gemeente", CaseFilter{Gemeenten: []string{"GM0363"}}},
	{"sort-checked", CaseFilter{Sort: SortChecked}},
	{"search+checked", CaseFilter{Query: "jongeren", Sort: SortChecked}},
}

func BenchmarkFindCases(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		d := benchDB(b, n)
		ctx := context.Background()
		if _, err := d.FindCases(ctx, CaseFilter{}); err != nil { // build the index
			b.Fatal(err)
		}
		for _, q := range benchQueries {
			// cold: every search runs FTS5 afresh; warm: the snapshot's cache of
			// recent match sets answers (search as you type repeats first letters).
			for _, cache := range []string{"cold", "warm"} {
				b.Run(fmt.Sprintf("cases=%d/%s/%s", n, q.name, cache), func(b *testing.B) {
					q.f.PerPage = 12
					for b.Loop() {
						if cache == "cold" {
							d.index.Load().cache.clear()
							d.index.Load().orders.clear()
						}
						if _, err := d.FindCases(ctx, q.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkFacetPass is the facet counting alone (no SQL): one pass of
// counts.visit over every published case of a 100,000-case library.
func BenchmarkFacetPass(b *testing.B) {
	d := benchDB(b, 100000)
	ix, err := d.caseIndex(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []struct {
		name string
		f    CaseFilter
	}{
		{"none", CaseFilter{}},
		{"province+themes", CaseFilter{Provinces: []string{"PV26"}, Themes: []string{"gemengd-wonen", "tijdelijke-woningen"}}},
		{"gemeente+status+doelgroep", CaseFilter{Gemeenten: []string{"GM0363"}, Stages: []string{StageRealised}, Groups: []string{GroupFamilies}}},
	} {
		b.Run(f.name, func(b *testing.B) {
			sel := ix.resolve(f.f)
			start := processCPU()
			for b.Loop() {
				c := newCounts(ix)
				for i := range ix.entries {
					c.visit(&sel, &ix.entries[i])
				}
			}
			b.ReportMetric(float64(processCPU()-start)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
