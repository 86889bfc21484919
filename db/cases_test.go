package db

import (
	"context"
	"slices"
	"testing"
)

// richCases adds published cases that use every field of the richer case model:
// stages, target groups, qualified numbers, related gemeenten (across provinces)
// and a case without gemeente that belongs to a province.
func richCases(t testing.TB, d *DB) map[string]Case {
	t.Helper()
	ctx := context.Background()
	n := func(v int) *int { return &v }
	inputs := []CaseInput{
		{Slug: "regio-noordoost-brabant", Title: "Regionale aanpak met vier gemeenten", Summary: "Samen huisvesten.",
			GemeenteCode: "GM0796", RelatedGemeenten: []string{"GM0828", "GM1948", "GM0855"}, // 's-Hertogenbosch + Oss, Meierijstad, Tilburg
			Themes: []string{"regionale-samenwerking"}, Kind: KindApproach, Year: n(2023),
			Stage: StageInProgress, StageDate: "2024-05", TargetGroups: []string{GroupFamilies, GroupSingles},
			SourceChecked: "2026-12"},
		{Slug: "grensregio", Title: "Twee provincies, één aanpak", Summary: "Over de grens, als een zwaluwstaart.",
			GemeenteCode: "GM0344", RelatedGemeenten: []string{"GM0363"}, // Utrecht + Amsterdam
			Themes: []string{"regionale-samenwerking", "gezinnen"}, Kind: KindSolution, Year: n(2022),
			Stage: StageRealised, StageDate: "2023", TargetGroups: []string{GroupFamilies},
			Homes: n(192), HomesQualifier: QualifierRealised, People: n(9), PeopleQualifier: QualifierMaximum,
			SourceChecked: "2026-11-05"},
		{Slug: "provincie-toezicht", Title: "Provincie grijpt in", Summary: "Toezicht.",
			ProvinceCode: "PV28", RelatedGemeenten: []string{"GM0599", "GM0518"}, // Zuid-Holland: Rotterdam, 's-Gravenhage
			Themes: []string{"taakstelling-en-toezicht"}, Kind: KindApproach, Year: n(2025),
			Stage: StagePlan, TargetGroups: []string{GroupMixed, GroupYoung},
			Homes: n(800), HomesQualifier: QualifierTarget},
		{Slug: "landelijk-beleid-voorbeeld", Title: "Een wet", Summary: "Landelijk.",
			Themes: []string{"landelijk-beleid"}, Kind: KindApproach, Year: n(2024), Stage: StageEnded},
	}
	out := map[string]Case{}
	for _, in := range inputs {
		in.Status = StatusPublished
		c, err := d.CreateCase(ctx, in, nil)
		if err != nil {
			t.Fatalf("create %s: %v", in.Slug, err)
		}
		out[in.Slug] = c
	}
	return out
}

func TestCaseModelFieldsRoundTrip(t *testing.T) {
	d := openTest(t)
	cases := richCases(t, d)
	c := cases["grensregio"]
	if c.Stage != StageRealised || c.StageDate != "2023" || !slices.Equal(c.TargetGroups, []string{GroupFamilies}) ||
		*c.Homes != 192 || c.HomesQualifier != QualifierRealised || *c.People != 9 || c.PeopleQualifier != QualifierMaximum ||
		c.SourceChecked != "2026-11-05" {
		t.Errorf("fields did not round-trip: %+v", c)
	}
	if len(c.RelatedGemeenten) != 1 || c.RelatedGemeenten[0].Name != "Amsterdam" {
		t.Errorf("related gemeenten = %+v", c.RelatedGemeenten)
	}
	var provinces []string
	for _, p := range c.Provinces {
		provinces = append(provinces, p.Code)
	}
	if !slices.Equal(provinces, []string{"PV27", "PV26"}) { // Noord-Holland, Utrecht: by name
		t.Errorf("provinces = %v, want Noord-Holland and Utrecht", provinces)
	}
	p := cases["provincie-toezicht"]
	if p.GemeenteCode != "" || p.ProvinceCode != "PV28" || p.ProvinceName != "Zuid-Holland" {
		t.Errorf("a case without gemeente keeps its province: %q %q %q", p.GemeenteCode, p.ProvinceCode, p.ProvinceName)
	}
	if in := p.Input(); in.ProvinceCode != "PV28" || len(in.RelatedGemeenten) != 2 || in.Stage != StagePlan {
		t.Errorf("Input() = %+v", in)
	}
	if in := c.Input(); in.ProvinceCode != "" {
		t.Errorf("a case with a gemeente has no province of its own in its input: %q", in.ProvinceCode)
	}
	if l := cases["landelijk-beleid-voorbeeld"]; len(l.Provinces) != 0 || l.Stage != StageEnded {
		t.Errorf("a national case: provinces %v, stage %q", l.Provinces, l.Stage)
	}
}

func TestNormalizeCaseInput(t *testing.T) {
	n := 3
	in := CaseInput{GemeenteCode: "GM0344", ProvinceCode: "PV26", RelatedGemeenten: []string{"GM0363", "GM0344", "GM0363", ""},
		TargetGroups: []string{GroupMixed, GroupFamilies, GroupMixed}, HomesQualifier: QualifierTarget, People: &n, PeopleQualifier: QualifierMaximum}
	in.normalize()
	if in.Stage != StageUnknown || in.ProvinceCode != "" || !slices.Equal(in.RelatedGemeenten, []string{"GM0363"}) ||
		!slices.Equal(in.TargetGroups, []string{GroupFamilies, GroupMixed}) || in.HomesQualifier != "" || in.PeopleQualifier != QualifierMaximum {
		t.Errorf("normalized: %+v", in)
	}
}

// TestRegionalCaseCountsForEachGemeente: a case with related gemeenten is found
// under each of them and each of their provinces, and counts for each in the
// gemeente and province facets.
func TestRegionalCaseCountsForEachGemeente(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	cases := richCases(t, d)
	found := func(f CaseFilter, slug string) bool {
		t.Helper()
		f.PerPage = 500
		res, err := d.FindCases(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(res.Hits, func(h CaseHit) bool { return h.Slug == slug })
	}
	for slug, c := range cases {
		codes := []string{}
		if c.GemeenteCode != "" {
			codes = append(codes, c.GemeenteCode)
		}
		for _, g := range c.RelatedGemeenten {
			codes = append(codes, g.Code)
		}
		for _, code := range codes {
			if !found(CaseFilter{Gemeenten: []string{code}}, slug) {
				t.Errorf("%s is not found under gemeente %s", slug, code)
			}
		}
		for _, p := range c.Provinces {
			if !found(CaseFilter{Provinces: []string{p.Code}}, slug) {
				t.Errorf("%s is not found under province %s", slug, p.Code)
			}
		}
	}
	if found(CaseFilter{Gemeenten: []string{"GM0014"}}, "regio-noordoost-brabant") {
		t.Error("a regional case is found under a gemeente it does not involve")
	}
	// The facet counts the case once under each of its gemeenten and provinces.
	res, err := d.FindCases(ctx, CaseFilter{Query: "zwaluwstaart"})
	if err != nil {
		t.Fatal(err)
	}
	count := func(opts []FacetOption, v string) int {
		for _, o := range opts {
			if o.Value == v {
				return o.Count
			}
		}
		return 0
	}
	if count(res.Facets.Gemeenten, "GM0344") != 1 || count(res.Facets.Gemeenten, "GM0363") != 1 ||
		count(res.Facets.Provinces, "PV26") != 1 || count(res.Facets.Provinces, "PV27") != 1 || res.Total != 1 {
		t.Errorf("facets for the cross-province case: gemeenten %+v provinces %+v", res.Facets.Gemeenten, res.Facets.Provinces)
	}
}

// TestFacetCountsMatchResultsWithTheCaseModel is TestFacetCountsMatchResults for
// the facets of the richer case model, with regional cases in the library.
func TestFacetCountsMatchResultsWithTheCaseModel(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	richCases(t, d)
	filters := []CaseFilter{
		{},
		{Stages: []string{StageInProgress, StageRealised}},
		{Groups: []string{GroupFamilies}},
		{Groups: []string{GroupMixed, GroupYoung}, Kinds: []string{KindApproach}},
		{Provinces: []string{"PV27"}, Stages: []string{StageRealised}},
		{Gemeenten: []string{"GM0363", "GM0828"}, Groups: []string{GroupFamilies}},
		{Query: "aanpak", Stages: []string{StageUnknown, StageInProgress}},
		{Themes: []string{"regionale-samenwerking"}, Provinces: []string{"PV30", "PV26"}},
	}
	for _, f := range filters {
		res, err := d.FindCases(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		checkFacetCounts(t, d, f, res.Facets)
		for _, facet := range []struct {
			name string
			opts []FacetOption
		}{{"status", res.Facets.Stages}, {"doelgroep", res.Facets.Groups}, {"provincie", res.Facets.Provinces}, {"soort", res.Facets.Kinds}} {
			if len(facet.opts) == 0 {
				t.Errorf("filter %+v: facet %s has no options", f, facet.name)
			}
		}
		// The results themselves pass every filter.
		all := f
		all.PerPage = 1000
		got, err := d.FindCases(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range got.Hits {
			if len(f.Stages) > 0 && !slices.Contains(f.Stages, h.Stage) {
				t.Errorf("filter %+v gives %s with stage %s", f, h.Slug, h.Stage)
			}
			if len(f.Groups) > 0 && !slices.ContainsFunc(h.TargetGroups, func(g string) bool { return slices.Contains(f.Groups, g) }) {
				t.Errorf("filter %+v gives %s with target groups %v", f, h.Slug, h.TargetGroups)
			}
		}
	}
	// Every stage is offered, also with no cases.
	res, _ := d.FindCases(ctx, CaseFilter{})
	if len(res.Facets.Stages) != len(Stages) || len(res.Facets.Groups) != len(TargetGroups) {
		t.Errorf("facets list %d stages and %d target groups", len(res.Facets.Stages), len(res.Facets.Groups))
	}
}

func TestSortByLastSourceCheck(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	richCases(t, d)
	for _, q := range []string{"", "aanpak"} {
		res, err := d.FindCases(ctx, CaseFilter{Query: q, Sort: SortChecked, PerPage: 200})
		if err != nil {
			t.Fatal(err)
		}
		if res.Sort != SortChecked {
			t.Fatalf("sort %q, want %q", res.Sort, SortChecked)
		}
		var last uint32 = 1 << 31
		for _, h := range res.Hits {
			k := checkedKey(h.SourceChecked)
			if k > last {
				t.Errorf("q=%q: %s (checked %q) comes after an older check", q, h.Slug, h.SourceChecked)
			}
			last = k
		}
		if q == "" && res.Hits[0].Slug != "regio-noordoost-brabant" {
			t.Errorf("the latest check (2026-12) is not first: %s", res.Hits[0].Slug)
		}
	}
	if checkedKey("2026-12") != 20261200 || checkedKey("2026-12-05") != 20261205 || checkedKey("") != 0 || checkedKey("2026") != 0 {
		t.Error("checkedKey")
	}
}

// TestStartingContentIsNotNewerThanEditorsCases: a seeded case has no editor's
// publication date, and comes after what editors publish in the "newest" order.
func TestStartingContentIsNotNewerThanEditorsCases(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	seeded, err := d.FindCaseBySlug(ctx, "startblok-riekerhaven")
	if err != nil {
		t.Fatal(err)
	}
	if !seeded.Seeded || seeded.PublishedByEditor() != nil || seeded.EditedAt() != nil || seeded.PublishedAt == nil {
		t.Fatalf("seeded case: Seeded %v, by editor %v, edited %v", seeded.Seeded, seeded.PublishedByEditor(), seeded.EditedAt())
	}
	old := 2012
	c := mustCreateCase(t, d, CaseInput{Slug: "nieuw", Title: "Nieuw", Summary: "S", Kind: KindSolution, Year: &old, Status: StatusPublished}, nil)
	if c.Seeded || c.PublishedByEditor() == nil || c.EditedAt() == nil {
		t.Fatal("an editor's case shows no publication date")
	}
	latest, err := d.LatestCases(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if latest[0].Slug != "nieuw" {
		t.Errorf("newest is %s, want the case an editor just published", latest[0].Slug)
	}
	// The starting content among itself: newest initiative first.
	for i := 2; i < len(latest); i++ {
		if *latest[i].Year > *latest[i-1].Year {
			t.Errorf("starting content not by year: %v after %v", *latest[i].Year, *latest[i-1].Year)
		}
	}
	// An editor's change shows; the publication stays the install's.
	ed := mustUser(t, d, "ria@example.org", RoleEditor)
	in := seeded.Input()
	in.Title += " (bijgewerkt)"
	seeded, err = d.UpdateCase(ctx, seeded.ID, CaseUpdate{Version: seeded.Version, Input: in}, ed)
	if err != nil {
		t.Fatal(err)
	}
	if seeded.EditedAt() == nil || seeded.PublishedByEditor() != nil {
		t.Errorf("after an editor's change: edited %v, published by editor %v", seeded.EditedAt(), seeded.PublishedByEditor())
	}
}

func TestRelatedCasesWeighStageGroupsAndProvince(t *testing.T) {
	base := Case{GemeenteCode: "GM0344", Provinces: []Province{{Code: "PV26"}}, Stage: StageRealised, TargetGroups: []string{GroupFamilies}}
	for _, tc := range []struct {
		name  string
		other Case
		want  float64
	}{
		{"nothing in common", Case{Stage: StageUnknown}, 0},
		{"same gemeente", Case{GemeenteCode: "GM0344", Provinces: []Province{{Code: "PV26"}}}, 1},
		{"related gemeente", Case{GemeenteCode: "GM0363", RelatedGemeenten: []Gemeente{{Code: "GM0344"}}}, 1},
		{"same province", Case{GemeenteCode: "GM0345", Provinces: []Province{{Code: "PV26"}}}, 0.5},
		{"same stage", Case{Stage: StageRealised}, 0.5},
		{"a target group in common", Case{TargetGroups: []string{GroupSingles, GroupFamilies}}, 0.5},
		{"all three", Case{Provinces: []Province{{Code: "PV26"}}, Stage: StageRealised, TargetGroups: []string{GroupFamilies}}, 1.5},
	} {
		if got := likeness(base, tc.other); got != tc.want {
			t.Errorf("%s: likeness %v, want %v", tc.name, got, tc.want)
		}
	}
	if likeness(Case{Stage: StageUnknown}, Case{Stage: StageUnknown}) != 0 {
		t.Error("an unknown stage makes cases alike")
	}
}
