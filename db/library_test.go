package db

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSearchIndexFollowsInsertUpdateDelete: every write to a case rewrites its
// search document in the same transaction, deleting it removes it, and every
// field a visitor sees is searchable.
func TestSearchIndexFollowsInsertUpdateDelete(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := d.r.QueryRow("SELECT count(*) FROM case_search WHERE case_search MATCH ?", matchQuery(q+" ")).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	year := 2019
	c, err := d.CreateCase(ctx, CaseInput{Slug: "kwartelkoning", Title: "De kwartelkoning", Summary: "Over reigers.",
		Body: "Een **vetgedrukte** lepelaar.", GemeenteCode: "GM0088", Partners: []string{"Stichting Grutto"},
		Themes: []string{"gezinnen"}, Kind: KindSolution, Year: &year, Status: StatusPublished,
		RelatedGemeenten: []string{"GM0828"}, Stage: StageEnded, TargetGroups: []string{GroupYoung},
		Financing: "De provincie betaalt de visdiefjes.", LessonsHard: "Te veel **kieviten**.", LessonsWorked: "Geduld met *tureluurs*."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Title, summary, body, gemeente, province, theme, kind, year, partners, related
	// gemeente and its province, status, target group, financing and lessons.
	for _, q := range []string{"", "reigers", "lepelaar", "vetgedrukte", "schiermonnikoog", "friesland",
		"fryslan", "gezinnen", "woonoplossing", "2019", "grutto", "oss", "brabant", "beeindigd", "jongeren",
		"visdiefjes", "kieviten", "tureluurs"} {
		if n := count("kwartelkoning " + q); n != 1 {
			t.Errorf("after insert, %q finds %d cases, want 1", "kwartelkoning "+q, n)
		}
	}
	ed := mustUser(t, d, "ria@example.org", RoleEditor)
	in := c.Input()
	in.Title, in.Body, in.GemeenteCode = "De roerdomp", "Een snip.", "GM0060"
	if _, err := d.UpdateCase(ctx, c.ID, CaseUpdate{Version: c.Version, Input: in}, ed); err != nil {
		t.Fatal(err)
	}
	if count("kwartelkoning") != 0 || count("lepelaar") != 0 || count("schiermonnikoog") != 0 {
		t.Error("after update, old words are still found")
	}
	if count("roerdomp") != 1 || count("snip") != 1 || count("ameland") != 1 || count("reigers") != 1 {
		t.Error("after update, the new document is not found")
	}
	if err := d.CheckSearchIndex(ctx); err != nil {
		t.Errorf("after update: %v", err)
	}

	if _, err := d.w.Exec("DELETE FROM cases WHERE id = ?", c.ID); err != nil {
		t.Fatal(err)
	}
	if count("roerdomp") != 0 || count("reigers") != 0 {
		t.Error("after delete, the case is still found")
	}
	if err := d.CheckSearchIndex(ctx); err != nil {
		t.Errorf("after delete: %v", err)
	}
	// A case written behind the program's back is caught by the check.
	if _, err := d.w.Exec("UPDATE cases SET title = 'Heel iets anders en langer dan eerst' WHERE slug = 'stek-oost'"); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckSearchIndex(ctx); err == nil || !strings.Contains(err.Error(), "stek-oost") {
		t.Errorf("a stale document is not noticed: %v", err)
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

// checkFacetCounts checks that each option of every facet of a result for f
// counts as many cases as choosing it finds.
func checkFacetCounts(t *testing.T, d *DB, f CaseFilter, facets Facets) {
	t.Helper()
	one := func(v string) []string { return []string{v} }
	for _, facet := range []struct {
		name string
		opts []FacetOption
		with func(f CaseFilter, v string) CaseFilter
	}{
		{"status", facets.Stages, func(f CaseFilter, v string) CaseFilter { f.Stages = one(v); return f }},
		{"doelgroep", facets.Groups, func(f CaseFilter, v string) CaseFilter { f.Groups = one(v); return f }},
		{"provincie", facets.Provinces, func(f CaseFilter, v string) CaseFilter { f.Provinces = one(v); return f }},
		{"gemeente", facets.Gemeenten, func(f CaseFilter, v string) CaseFilter { f.Gemeenten = one(v); return f }},
		{"thema", facets.Themes, func(f CaseFilter, v string) CaseFilter { f.Themes = one(v); return f }},
		{"soort", facets.Kinds, func(f CaseFilter, v string) CaseFilter { f.Kinds = one(v); return f }},
		{"jaar", facets.Years, func(f CaseFilter, v string) CaseFilter {
			y, _ := strconv.Atoi(v)
			f.Years = []int{y}
			return f
		}},
	} {
		for _, o := range facet.opts {
			got, err := d.FindCases(context.Background(), facet.with(f, o.Value))
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != o.Count {
				t.Errorf("filter %+v: %s %s shows %d, choosing it gives %d", f, facet.name, o.Value, o.Count, got.Total)
			}
		}
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
		checkFacetCounts(t, d, f, res.Facets)
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

// TestLibraryShowsACaseAsSavedLast guards the snapshot's case cache: a case shown
// by the library and then changed is shown as it is now.
func TestLibraryShowsACaseAsSavedLast(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	first := func(q string) CaseHit {
		t.Helper()
		res, err := d.FindCases(ctx, CaseFilter{Query: q})
		if err != nil || len(res.Hits) == 0 {
			t.Fatalf("%q: %v, %d hits", q, err, len(res.Hits))
		}
		return res.Hits[0]
	}
	h := first("Riekerhaven")
	ed := mustUser(t, d, "ria@example.org", RoleEditor)
	in := h.Input()
	in.Title = "Startblok Riekerhaven vernieuwd"
	in.Body = "Nu met een dakterras voor alle bewoners."
	if _, err := d.UpdateCase(ctx, h.ID, CaseUpdate{Version: h.Version, Input: in}, ed); err != nil {
		t.Fatal(err)
	}
	if got := first("Riekerhaven"); got.Title != in.Title {
		t.Errorf("after the save the library shows %q", got.Title)
	}
	if got := first("dakterras"); got.Slug != h.Slug || !strings.Contains(got.Snippet, "\x01dakterras\x02") {
		t.Errorf("the new body is not searched or shown: %q %q", got.Slug, got.Snippet)
	}
}

// TestBucketedOrderIsTheTierOrder: the word-at-a-time counting of a large result
// orders positions as counting them one by one does: more words matched first,
// then more in the head, then the index's order.
func TestBucketedOrderIsTheTierOrder(t *testing.T) {
	const n = 1000
	rng := rand.New(rand.NewPCG(1, 2))
	ix := &caseIndex{entries: make([]indexEntry, n)}
	random := func(p float64) bitset {
		b := newBitset(n)
		for i := int32(0); i < n; i++ {
			if rng.Float64() < p {
				b.add(i)
			}
		}
		return b
	}
	ts := &textSearch{units: make([]unit, 3)}
	var head []*matches
	all := newBitset(n)
	for range ts.units {
		set := random(0.6)
		h := random(0.3)
		for w := range h {
			h[w] &= set[w]
			all[w] |= set[w]
		}
		ts.sets = append(ts.sets, &matches{set: set})
		head = append(head, &matches{set: h})
	}
	ts.set = all
	var got []int32
	ix.bucketed("k", ts, []int{0, 1, 2}, head)(func(p int32) { got = append(got, p) })
	var want []int32
	for p := int32(0); p < n; p++ {
		if all.has(p) {
			want = append(want, p)
		}
	}
	key := func(p int32) (c, h int) {
		for i := range ts.sets {
			if ts.sets[i].set.has(p) {
				c++
				if head[i].set.has(p) {
					h++
				}
			}
		}
		return c, h
	}
	slices.SortStableFunc(want, func(a, b int32) int {
		ca, ha := key(a)
		cb, hb := key(b)
		if ca != cb {
			return cb - ca
		}
		return hb - ha
	})
	if !slices.Equal(got, want) {
		t.Fatalf("bucketed order differs: %d positions, want %d", len(got), len(want))
	}
	var again []int32
	ix.bucketed("k", ts, []int{0, 1, 2}, head)(func(p int32) { again = append(again, p) })
	if !slices.Equal(again, want) {
		t.Error("the kept buckets give another order")
	}
}

// TestMatchCacheKeepsToItsBudget: the snapshot's caches drop their oldest entries
// to stay within their bytes, whatever the size of the library.
func TestMatchCacheKeepsToItsBudget(t *testing.T) {
	c := matchCache{maxBytes: 100 << 10}
	for i := 0; i < 50; i++ {
		c.put(strconv.Itoa(i), &matches{set: newBitset(100000)}) // 12.5 KB each
	}
	if c.bytes > c.maxBytes || len(c.items) != len(c.order) || len(c.items) > 8 {
		t.Errorf("%d bytes in %d entries, budget %d", c.bytes, len(c.items), c.maxBytes)
	}
	if _, ok := c.get("49"); !ok {
		t.Error("the newest entry was dropped")
	}
	if _, ok := c.get("0"); ok {
		t.Error("the oldest entry was kept")
	}
	cc := caseCache{maxBytes: 20 << 10}
	for i := range 10 {
		cc.put(&shownCase{Case: Case{ID: int64(i), Body: strings.Repeat("x", 5000)}}) // 6 KB each
	}
	if cc.bytes > cc.maxBytes || len(cc.items) != len(cc.order) || len(cc.items) != 3 {
		t.Errorf("case cache: %d bytes in %d cases, budget %d", cc.bytes, len(cc.items), cc.maxBytes)
	}
	if _, ok := cc.get(9); !ok {
		t.Error("the newest case was dropped")
	}
	if _, ok := cc.get(0); ok {
		t.Error("the oldest case was kept")
	}
}
