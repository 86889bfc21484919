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
// When new cases join db/seed/cases*.json, add the searches that should find them
// here: the table is the contract of what search understands.
var relevanceQueries = []struct {
	kind string // what the search leans on
	q    string
	top3 []string // slugs that must all be among the first three
}{
	// Inflection: plural and singular, diminutives, verb forms.
	{"inflection", "kantoren", []string{"amersfoort-kantoor-het-plot-tijdelijke-woningen"}},
	{"inflection", "gezinnen", []string{"landelijk-regeling-huisvesting-grote-gezinnen-vergunninghouders", "nieuw-thuis-rotterdam"}},
	{"inflection", "groot gezin", []string{"leeuwarden-jorwert-dorpshuis-ons-huis-groot-gezin", "hoogeveen-woning-groot-gezin-rijkspilot"}},
	{"inflection", "grote gezinnen", []string{"landelijk-regeling-huisvesting-grote-gezinnen-vergunninghouders", "breda-ruil-grote-gezinnen-met-plattelandsgemeenten"}},
	{"inflection", "verhuren per kamer", []string{"kamergewijze-verhuur-achterhoek"}},
	{"inflection", "verplaatsbare woning", []string{"meerhoven-verplaatsbare-woningen"}},
	{"inflection", "containerwoning", []string{"castricum-containerwoningen"}},
	{"inflection", "recreatiewoning", []string{"kasteel-ooijen-doorstroomvoorziening"}},
	{"inflection", "studio", []string{"place2bu"}},
	{"inflection", "hotels", []string{"tilburg-hotels-druiventros-spoorlaan"}},
	{"inflection", "kerken", []string{"kampen-de-thuisgevers-kerken"}},
	{"inflection", "scholen", []string{"alphen-aan-den-rijn-oude-school-marokkostraat"}},
	{"inflection", "dorpen", []string{"de-fryske-marren-woonunits-acht-dorpen-ingetrokken", "roerdalen-woonerven-tijdelijke-woningen"}},
	{"diminutive", "kamertjes voor alleenreizende statushouders", []string{"actieplan-woonstart-breda"}},
	{"inflection", "tijdelijk wooncomplex Amsterdam", []string{"startblok-riekerhaven"}},

	// Compounds: a part finds the whole, the whole finds its parts.
	{"compound", "kantoor", []string{"amersfoort-kantoor-het-plot-tijdelijke-woningen"}},
	{"compound", "belasting kantoor", []string{"eindhoven-belastingkantoor"}},
	{"compound", "woning delen", []string{"woonpilot-zwolle"}},
	{"compound", "woningdelen", []string{"kamergewijze-verhuur-achterhoek"}},
	{"compound", "school", []string{"alphen-aan-den-rijn-oude-school-marokkostraat", "dinkelland-julianaschool-doorstroomlocatie"}},
	{"compound", "doorstroom", []string{"lansingerland-doorstroomhuis-hergerborch", "kasteel-ooijen-doorstroomvoorziening"}},
	{"compound", "doorstroomlocatie", []string{"westerkwartier-doorstroomlocatie-doezum", "nijkerk-doorstroomlocatie-dependance", "dinkelland-julianaschool-doorstroomlocatie"}},
	{"compound", "klooster", []string{"bloemendaal-kloosterlandgoed-dennenheuvel"}},
	{"compound", "kantine", []string{"aa-en-hunze-annerveenschekanaal-voetbalkantine"}},
	{"compound", "statushoudersgezin", []string{"hoogeveen-woning-groot-gezin-rijkspilot"}},

	// Synonyms from synonyms.txt.
	{"synonym", "vergunninghouders Eindhoven", []string{"actieplan-statushouders-eindhoven"}},
	{"synonym", "statushouders Sinderen", []string{"tijdelijke-woonunits-sinderen"}},
	{"synonym", "flexwoningen Eindhoven", []string{"meerhoven-verplaatsbare-woningen"}},
	{"synonym", "kamerverhuur", []string{"kamergewijze-verhuur-achterhoek", "utrecht-geef-tijdelijk-thuis-hospitaverhuur"}},
	{"synonym", "hospitaverhuur", []string{"utrecht-geef-tijdelijk-thuis-hospitaverhuur"}},
	{"synonym", "woningcorporatie Emmen", []string{"emmen-uwv-kantoor-boslaan"}},
	{"synonym", "gastgezin", []string{"takecarebnb"}},
	{"synonym", "magic mix", []string{"stek-oost"}},
	{"synonym", "asielzoekerscentrum", []string{"alkmaar-regionaal-wooncentrum-picassolaan"}},
	{"synonym", "azc", []string{"deventer-woonunits-azc-schalkhaar", "alkmaar-regionaal-wooncentrum-picassolaan"}},
	{"synonym", "Centraal Orgaan opvang asielzoekers", []string{"amsterdam-coa-pilot-288-flexwoningen"}},
	{"synonym", "urgente woningzoekers", []string{"haarlemmermeer-hoofddorp-crowne-plaza-hotel"}},
	{"synonym", "urgentie", []string{"landelijk-einde-verplichte-urgentie-vergunninghouders-2017", "groningen-voorrang-en-begeleiding-humanitas"}},
	{"synonym", "voorrang", []string{"landelijk-wetsvoorstel-schrappen-voorrang-statushouders-2025", "landelijk-einde-verplichte-urgentie-vergunninghouders-2017"}},
	{"synonym", "indeplaatsstelling", []string{"provincie-noord-holland-interventieladder", "eemsdelta-delfzijl-indeplaatsstelling-provincie-groningen"}},
	{"synonym", "gezinshereniging", []string{"landelijk-nareizigers-hotel-in-toekomstige-woongemeente", "voorschoten-hotel-de-gouden-leeuw"}},
	{"synonym", "nareizigers", []string{"landelijk-nareizigers-hotel-in-toekomstige-woongemeente", "voorschoten-hotel-de-gouden-leeuw"}},
	{"synonym", "leegstand", []string{"gemeentelijk-versnellingsarrangement"}},
	{"synonym", "weerstand", []string{"venray-flexwoningen-plan-herzien", "westerkwartier-doorstroomlocatie-doezum"}},
	{"synonym", "groepswonen", []string{"middelburg-buitenruststraat"}},
	{"synonym", "huisvestingstaak", []string{"huisvestingsplan-rotterdam-2021"}},

	// Places: gemeenten by their everyday names, provinces, national cases.
	{"place", "Den Haag", []string{"soza-den-haag"}},
	{"place", "'s-Gravenhage", []string{"soza-den-haag"}},
	{"place", "Friesland", []string{"sudwest-fryslan-inhaalslag-met-corporaties"}},
	{"place", "Fryslân", []string{"sudwest-fryslan-inhaalslag-met-corporaties"}},
	{"place", "Bergen", []string{"bergen-limburg-afferden-hotel-de-sleutels", "bergen-limburg-ontzorgingsarrangement-leegstaande-koopwoningen"}},
	{"place", "Hoofddorp", []string{"haarlemmermeer-hoofddorp-crowne-plaza-hotel"}},
	{"place", "Sneek", []string{"sudwest-fryslan-inhaalslag-met-corporaties"}},
	{"place", "Achterhoek", []string{"kamergewijze-verhuur-achterhoek", "oost-gelre-lichtenvoorde-kievitstraat-tussenlocatie"}},
	{"place", "Brabant", []string{"provincie-noord-brabant-oproepen-uitstroom-azc"}},
	{"place", "provincie Utrecht", []string{"provincie-utrecht-regietafel-en-kansenmakersteam"}},
	{"place", "Limburg", []string{"provincie-limburg-toezicht-en-regionale-ruil"}},
	{"place", "Groningen voorrang", []string{"groningen-voorrang-en-begeleiding-humanitas"}},
	{"place", "Drenthe flexwoningen", []string{"assen-flexwoningen-groene-dijk", "hoogeveen-proefproject-flexwoningen"}},
	{"place", "Amsterdam jongeren", []string{"startblok-riekerhaven", "startblok-elzenhagen"}},
	{"place", "Rotterdam", []string{"nieuw-thuis-rotterdam", "huisvestingsplan-rotterdam-2021"}},
	{"place", "Zeeland tijdelijke woningen", []string{"middelburg-stromenpoort-tijdelijke-woningen"}},

	// Themes and kinds by their labels.
	{"theme", "regionale samenwerking", []string{"tilburg-hart-van-brabant-regionale-werkwijze"}},
	{"theme", "particulier initiatief", []string{"land-van-cuijk-particuliere-verhuur-statushouders"}},
	{"theme", "dorpen en kleine kernen", []string{"roerdalen-woonerven-tijdelijke-woningen"}},
	{"theme", "taakstelling en toezicht", []string{"provincie-limburg-toezicht-en-regionale-ruil"}},

	// Typos: corrected against the library's own words.
	{"typo", "statushouers Utrecht", []string{"utrecht-zes-weken-toewijzing"}},
	{"typo", "tijdelijke wonignen", []string{"middelburg-stromenpoort-tijdelijke-woningen"}},
	{"typo", "kamergewize verhuur", []string{"kamergewijze-verhuur-achterhoek"}},
	{"typo", "Castricm", []string{"castricum-containerwoningen"}},
	{"typo", "gastgzin", []string{"takecarebnb"}},
	{"typo", "Riekerhavn", []string{"startblok-riekerhaven"}},
	{"typo", "nareizgers", []string{"landelijk-nareizigers-hotel-in-toekomstige-woongemeente"}},
	{"typo", "indeplaatstelling", []string{"provincie-noord-holland-interventieladder"}},
	{"typo", "doorstroomlokatie", []string{"westerkwartier-doorstroomlocatie-doezum"}},
	{"typo", "Hoogeven", []string{"hoogeveen-proefproject-flexwoningen"}},
	{"typo", "Lelystadt", []string{"lelystad-flexwoningen-lars-en-lily"}},

	// Questions: stop words left out, then most words first.
	{"question", "hoe vinden jonge statushouders een kamer", []string{"woonpilot-zwolle"}},
	{"question", "wat kan een gemeente met een leeg kantoorgebouw", []string{"amersfoort-kantoor-het-plot-tijdelijke-woningen"}},
	{"question", "waar logeren statushouders bij een gastgezin", []string{"takecarebnb"}},
	{"question", "wat doet de provincie bij een achterstand", []string{"provincie-noord-holland-interventieladder"}},
	{"question", "hoe huisvest je een groot gezin", []string{"landelijk-regeling-huisvesting-grote-gezinnen-vergunninghouders", "hoogeveen-woning-groot-gezin-rijkspilot"}},
	{"question", "wat als omwonenden protesteren", []string{"venray-flexwoningen-plan-herzien", "westerkwartier-doorstroomlocatie-doezum"}},
	{"question", "welke gemeenten gebruiken hotels voor statushouders", []string{"tilburg-hotels-druiventros-spoorlaan"}},

	// Search as you type: the last word is a prefix.
	{"prefix", "startbl", []string{"startblok-riekerhaven", "startblok-elzenhagen"}},
	{"prefix", "doorstroomvoorz", []string{"kasteel-ooijen-doorstroomvoorziening"}},
	{"prefix", "indeplaats", []string{"provincie-noord-holland-interventieladder"}},
	{"prefix", "nareiz", []string{"landelijk-nareizigers-hotel-in-toekomstige-woongemeente"}},
	{"prefix", "hospita", []string{"utrecht-geef-tijdelijk-thuis-hospitaverhuur"}},
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
