package db

import (
	"context"
	"strconv"
	"testing"
)

func TestFTSFollowsInsertUpdateDelete(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := d.r.QueryRow("SELECT count(*) FROM cases_fts WHERE cases_fts MATCH ?", q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	c, err := d.CreateCase(ctx, CaseInput{Slug: "kwartelkoning", Title: "De kwartelkoning", Summary: "Over reigers.",
		Body: "Een **vetgedrukte** lepelaar.", GemeenteCode: "GM0088", Partners: []string{"Stichting Grutto"},
		Kind: KindSolution, Status: StatusPublished}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"kwartelkoning", "reigers", "lepelaar", "vetgedrukte", "schiermonnikoog", "grutto"} {
		if count(q) != 1 {
			t.Errorf("after insert, %q is not found (title, summary, body, gemeente and partners are indexed)", q)
		}
	}

	if _, err := d.w.Exec("UPDATE cases SET title = 'De roerdomp', body_text = 'Een snip.', gemeente_code = 'GM0060' WHERE id = ?", c.ID); err != nil {
		t.Fatal(err)
	}
	if count("kwartelkoning") != 0 || count("lepelaar") != 0 || count("schiermonnikoog") != 0 {
		t.Error("after update, old words are still found")
	}
	if count("roerdomp") != 1 || count("snip") != 1 || count("ameland") != 1 {
		t.Error("after update, new words are not found")
	}

	if _, err := d.w.Exec("DELETE FROM cases WHERE id = ?", c.ID); err != nil {
		t.Fatal(err)
	}
	if count("roerdomp") != 0 || count("reigers") != 0 {
		t.Error("after delete, the case is still found")
	}
	if _, err := d.w.Exec("INSERT INTO cases_fts (cases_fts) VALUES ('integrity-check')"); err != nil {
		t.Errorf("FTS index does not match the table: %v", err)
	}
}

func TestOnlyPublishedCasesAreFound(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	for _, st := range Statuses {
		if _, err := d.CreateCase(ctx, CaseInput{Slug: "ijsvogel-" + st, Title: "IJsvogel " + st, Summary: "x",
			Kind: KindApproach, Status: st}, nil); err != nil {
			t.Fatal(err)
		}
	}
	res, err := d.FindCases(ctx, CaseFilter{Query: "ijsvogel"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || res.Hits[0].Slug != "ijsvogel-gepubliceerd" {
		t.Fatalf("found %d cases (%v), want only the published one", res.Total, res.Hits)
	}
}

// TestFacetCountsMatchResults checks every option of every facet: its count must be
// the number of results that choosing it alone within its facet would give, with
// the other facets' filters kept.
func TestFacetCountsMatchResults(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	filters := []CaseFilter{
		{},
		{Query: "wonen"},
		{Themes: []string{"gemengd-wonen", "tijdelijke-woningen"}},
		{Provinces: []string{"PV27", "PV26"}, Kinds: []string{KindSolution}},
		{Query: "statushouders", Years: []int{2016, 2017}, Themes: []string{"jongeren-en-alleenstaanden"}},
		{Gemeenten: []string{"GM0363"}, Query: "jongeren"},
	}
	for _, f := range filters {
		res, err := d.FindCases(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		check := func(facet string, opts []FacetOption, with func(f CaseFilter, v string) CaseFilter) {
			for _, o := range opts {
				got, err := d.FindCases(ctx, with(f, o.Value))
				if err != nil {
					t.Fatal(err)
				}
				if got.Total != o.Count {
					t.Errorf("filter %+v: %s %s shows %d, choosing it gives %d", f, facet, o.Value, o.Count, got.Total)
				}
			}
		}
		check("provincie", res.Facets.Provinces, func(f CaseFilter, v string) CaseFilter { f.Provinces = []string{v}; return f })
		check("gemeente", res.Facets.Gemeenten, func(f CaseFilter, v string) CaseFilter { f.Gemeenten = []string{v}; return f })
		check("thema", res.Facets.Themes, func(f CaseFilter, v string) CaseFilter { f.Themes = []string{v}; return f })
		check("soort", res.Facets.Kinds, func(f CaseFilter, v string) CaseFilter { f.Kinds = []string{v}; return f })
		check("jaar", res.Facets.Years, func(f CaseFilter, v string) CaseFilter {
			y, _ := strconv.Atoi(v)
			f.Years = []int{y}
			return f
		})
	}
}

func TestFiltersCombineORWithinANDAcross(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	total := func(f CaseFilter) int {
		t.Helper()
		res, err := d.FindCases(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	a := total(CaseFilter{Themes: []string{"gezinnen"}})
	b := total(CaseFilter{Themes: []string{"transformatie"}})
	both := total(CaseFilter{Themes: []string{"gezinnen", "transformatie"}})
	if both < max(a, b) || both > a+b {
		t.Errorf("themes OR: %d + %d gave %d", a, b, both)
	}
	ut := total(CaseFilter{Provinces: []string{"PV26"}})
	utGemengd := total(CaseFilter{Provinces: []string{"PV26"}, Themes: []string{"gemengd-wonen"}})
	if utGemengd > ut || utGemengd == 0 {
		t.Errorf("AND across facets: Utrecht %d, Utrecht + gemengd wonen %d", ut, utGemengd)
	}
	if n := total(CaseFilter{Provinces: []string{"PV99"}, Themes: []string{"bestaat-niet"}, Kinds: []string{"x"}, Years: []int{1800}}); n != total(CaseFilter{}) {
		t.Errorf("unknown facet values should be ignored, got %d results", n)
	}
}

func TestPaging(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	seen := map[string]bool{}
	total, pages := 0, 1
	for page := 1; page <= pages; page++ {
		res, err := d.FindCases(ctx, CaseFilter{Page: page, PerPage: 10})
		if err != nil {
			t.Fatal(err)
		}
		total, pages = res.Total, res.Pages
		if res.Page != page || res.Pages != (total+9)/10 {
			t.Errorf("page %d: got page %d of %d", page, res.Page, res.Pages)
		}
		for _, h := range res.Hits {
			if seen[h.Slug] {
				t.Errorf("case %s on two pages", h.Slug)
			}
			seen[h.Slug] = true
		}
	}
	if len(seen) != total {
		t.Errorf("pages held %d cases, total says %d", len(seen), total)
	}
	res, err := d.FindCases(ctx, CaseFilter{Page: 99, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Page != 1 || len(res.Hits) != 10 {
		t.Errorf("a page past the end should show page 1, got page %d with %d hits", res.Page, len(res.Hits))
	}
}

func TestRelatedCases(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	c, err := d.FindCaseBySlug(ctx, "startblok-riekerhaven")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := d.RelatedCases(ctx, c, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel) != 4 {
		t.Fatalf("got %d related cases, want 4", len(rel))
	}
	slugs := map[string]bool{}
	for _, r := range rel {
		if r.ID == c.ID {
			t.Error("a case is related to itself")
		}
		slugs[r.Slug] = true
	}
	if !slugs["startblok-elzenhagen"] {
		t.Errorf("the sister project Startblok Elzenhagen is not among %v", slugs)
	}
}

// TestNewCaseIsFoundAtOnce guards the match cache: a search repeated after a write
// must see the write.
func TestNewCaseIsFoundAtOnce(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	search := func() int {
		res, err := d.FindCases(ctx, CaseFilter{Query: "korhoen"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if n := search(); n != 0 {
		t.Fatalf("found %d before any case exists", n)
	}
	if _, err := d.CreateCase(ctx, CaseInput{Slug: "korhoen", Title: "Korhoen", Summary: "x", Kind: KindSolution, Status: StatusPublished}, nil); err != nil {
		t.Fatal(err)
	}
	if n := search(); n != 1 {
		t.Fatalf("found %d right after publishing, want 1", n)
	}
}
