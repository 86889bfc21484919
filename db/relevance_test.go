package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// relevanceQueries are searches a Dutch policy officer would type, each with the
// cases that must come back among the first three results of the seeded library.
// When new cases join db/seed/cases.json, add the searches that should find them
// here: the table is the contract of what search understands.
var relevanceQueries = []struct {
	kind string // what the search leans on
	q    string
	top3 []string // slugs that must all be among the first three
}{
	// Inflection: plural and singular, diminutives, verb forms.
	{"inflection", "kantoren", []string{"emmen-uwv-kantoor-boslaan"}},
	{"inflection", "gezin ", []string{"nieuw-thuis-rotterdam"}},
	{"inflection", "verhuren per kamer", []string{"kamergewijze-verhuur-achterhoek"}},
	{"inflection", "verplaatsbare woning", []string{"meerhoven-verplaatsbare-woningen"}},
	{"inflection", "containerwoning", []string{"castricum-containerwoningen"}},
	{"inflection", "recreatiewoning", []string{"kasteel-ooijen-doorstroomvoorziening"}},
	{"inflection", "studio", []string{"place2bu", "stek-oost"}},
	{"diminutive", "kamertjes voor alleenreizende statushouders", []string{"actieplan-woonstart-breda"}},
	{"inflection", "gemeentes rond Eindhoven", []string{"actieplan-statushouders-eindhoven"}},
	{"inflection", "tijdelijk wooncomplex Amsterdam", []string{"startblok-riekerhaven"}},

	// Compounds: a part finds the whole, the whole finds its parts.
	{"compound", "kantoor", []string{"emmen-uwv-kantoor-boslaan", "eindhoven-belastingkantoor"}},
	{"compound", "belasting kantoor", []string{"eindhoven-belastingkantoor"}},
	{"compound", "woning delen", []string{"woonpilot-zwolle"}},
	{"compound", "woningdelen", []string{"woonpilot-zwolle", "kamergewijze-verhuur-achterhoek"}},
	{"compound", "flexwonen", []string{"assen-flexwoningen-groene-dijk"}},
	{"compound", "doorstroom", []string{"kasteel-ooijen-doorstroomvoorziening"}},
	{"compound", "kantoorgebouw", []string{"plan-einstein"}},
	{"compound", "kantoor ombouwen", []string{"eindhoven-belastingkantoor"}},

	// Synonyms from synonyms.txt.
	{"synonym", "vergunninghouders Eindhoven", []string{"actieplan-statushouders-eindhoven"}},
	{"synonym", "statushouders Sinderen", []string{"tijdelijke-woonunits-sinderen"}},
	{"synonym", "flexwoningen Eindhoven", []string{"meerhoven-verplaatsbare-woningen"}},
	{"synonym", "tijdelijke woningen", []string{"meerhoven-verplaatsbare-woningen"}},
	{"synonym", "kamerverhuur", []string{"kamergewijze-verhuur-achterhoek"}},
	{"synonym", "woningcorporatie Emmen", []string{"emmen-uwv-kantoor-boslaan"}},
	{"synonym", "gastgezin", []string{"takecarebnb", "actieplan-woonstart-breda"}},
	{"synonym", "magic mix", []string{"stek-oost", "place2bu"}},
	{"synonym", "asielzoekerscentrum", []string{"takecarebnb"}},
	{"synonym", "spoedzoekers", []string{"castricum-containerwoningen", "eindhoven-belastingkantoor"}},
	{"synonym", "groepswonen", []string{"middelburg-buitenruststraat"}},

	// Places: gemeenten by their everyday names, provinces, national cases.
	{"place", "Den Haag", []string{"soza-den-haag"}},
	{"place", "'s-Gravenhage", []string{"soza-den-haag"}},
	{"place", "Brabant", []string{"actieplan-statushouders-eindhoven"}},
	{"place", "Limburg", []string{"kasteel-ooijen-doorstroomvoorziening"}},
	{"place", "Gelderland woningdelen", []string{"kamergewijze-verhuur-achterhoek"}},
	{"place", "Drenthe", []string{"emmen-uwv-kantoor-boslaan", "assen-flexwoningen-groene-dijk"}},
	{"place", "Amsterdam jongeren", []string{"startblok-riekerhaven", "startblok-elzenhagen", "stek-oost"}},
	{"place", "Zeeland", []string{"middelburg-buitenruststraat"}},
	{"place", "Rotterdam", []string{"nieuw-thuis-rotterdam", "huisvestingsplan-rotterdam-2021"}},
	{"place", "landelijk", []string{"takecarebnb", "gemeentelijk-versnellingsarrangement"}},

	// Themes and kinds by their labels.
	{"theme", "regionale samenwerking", []string{"kasteel-ooijen-doorstroomvoorziening", "actieplan-statushouders-eindhoven"}},
	{"theme", "particulier initiatief", []string{"nieuw-thuis-rotterdam", "takecarebnb"}},
	{"theme", "doorstroom uit de opvang", []string{"kasteel-ooijen-doorstroomvoorziening"}},
	{"theme", "aanpak toewijzing", []string{"utrecht-zes-weken-toewijzing"}},

	// Typos: corrected against the library's own words.
	{"typo", "statushouers Utrecht", []string{"utrecht-zes-weken-toewijzing"}},
	{"typo", "tijdelijke wonignen", []string{"meerhoven-verplaatsbare-woningen"}},
	{"typo", "kamergewize verhuur", []string{"kamergewijze-verhuur-achterhoek"}},
	{"typo", "Castricm", []string{"castricum-containerwoningen"}},
	{"typo", "gastgzin", []string{"takecarebnb"}},
	{"typo", "Riekerhavn", []string{"startblok-riekerhaven"}},

	// Questions: stop words left out, then most words first.
	{"question", "hoe vinden jonge statushouders een kamer", []string{"woonpilot-zwolle"}},
	{"question", "wat kan een gemeente met een leeg kantoorgebouw", []string{"plan-einstein"}},
	{"question", "waar logeren statushouders bij een gastgezin", []string{"takecarebnb"}},

	// Search as you type: the last word is a prefix.
	{"prefix", "startbl", []string{"startblok-riekerhaven", "startblok-elzenhagen"}},
	{"prefix", "doorstroomvoorz", []string{"kasteel-ooijen-doorstroomvoorziening"}},
}

// TestRelevance runs relevanceQueries on the seeded library and fails for every
// search whose expected cases are not all in its top three.
func TestRelevance(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	passed := 0
	for _, rq := range relevanceQueries {
		res, err := d.FindCases(ctx, CaseFilter{Query: rq.q, PerPage: 3})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Slug)
		}
		ok := true
		for _, want := range rq.top3 {
			if !slices.Contains(got, want) {
				ok = false
			}
		}
		if ok {
			passed++
			continue
		}
		t.Errorf("%s %q: top 3 is %v, want %v among them (%d found%s)", rq.kind, rq.q, got, rq.top3, res.Total, notices(res))
	}
	fmt.Printf("relevance: %d/%d\n", passed, len(relevanceQueries))
	if len(relevanceQueries) < 40 {
		t.Errorf("%d relevance queries: keep at least 40", len(relevanceQueries))
	}
}

func notices(res CaseResults) string {
	var out []string
	if res.Corrected != "" {
		out = append(out, "corrected to "+res.Corrected)
	}
	if res.Partial {
		out = append(out, "partial")
	}
	if len(res.Dropped) > 0 {
		out = append(out, "without "+strings.Join(res.Dropped, ", "))
	}
	if len(out) == 0 {
		return ""
	}
	return "; " + strings.Join(out, "; ")
}
