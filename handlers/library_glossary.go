package handlers

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// term is one entry of /begrippen. Its ID is the anchor that pages link to
// (/begrippen#taakstelling): keep the IDs stable.
type term struct {
	ID         string
	Term       string
	Definition []string // paragraphs of plain text
	SeeAlso    []glossaryLink
}

// glossaryLink is a link to a term or a page that explains more.
type glossaryLink struct {
	Label string
	URL   string
}

// glossary is the list of terms, in alphabetical order. Only what is generally
// established: no figures, no judgements.
var glossary = []term{
	{ID: "achterstand", Term: "Achterstand en voorsprong",
		Definition: []string{
			"Het verschil aan het eind van een halfjaar tussen wat een gemeente moest huisvesten (de gecorrigeerde taakstelling) en wat zij werkelijk huisvestte. Heeft zij minder vergunninghouders gehuisvest, dan is het tekort een achterstand. Heeft zij er meer gehuisvest, dan is het overschot een voorsprong.",
			"Een achterstand of voorsprong schuift door naar het volgende halfjaar: zij telt daar mee in de gecorrigeerde taakstelling. Een achterstand verdwijnt dus niet vanzelf met een nieuw halfjaar.",
			"Dit is iets anders dan ‘achter op schema’ of ‘voor op schema’ op de kaart: dat meet het tempo binnen een lopend halfjaar.",
		},
		SeeAlso: []glossaryLink{{"Gecorrigeerde taakstelling", "#gecorrigeerde-taakstelling"}, {"Hoe werkt de taakstelling?", "/taakstelling"}}},
	{ID: "doorstroomlocatie", Term: "Doorstroomlocatie",
		Definition: []string{
			"Een tijdelijke woonplek waar vergunninghouders wonen nadat ze het azc hebben verlaten en voordat er een gewone woning voor hen is. Zo komt er plaats vrij in de opvang voor nieuwe asielzoekers. Andere namen zijn tussenvoorziening en tussenlocatie.",
		},
		SeeAlso: []glossaryLink{{"Voorbeelden over doorstroom uit de opvang", "/themas/doorstroom-uit-opvang"}}},
	{ID: "flexwoning", Term: "Flexwoning",
		Definition: []string{
			"Een woning die snel te bouwen is en later naar een andere plek kan, vaak in delen in een fabriek gemaakt. Flexwoningen staan meestal voor een beperkte tijd op een plek, soms met een tijdelijke vergunning. Gemeenten en corporaties zetten ze in voor mensen die snel een woning nodig hebben, zoals vergunninghouders, starters en spoedzoekers. Dat heet ook flexwonen.",
		},
		SeeAlso: []glossaryLink{{"Voorbeelden van tijdelijke woningen en flexwonen", "/themas/tijdelijke-woningen"}}},
	{ID: "gecorrigeerde-taakstelling", Term: "Gecorrigeerde taakstelling",
		Definition: []string{
			"De taakstelling van een halfjaar, plus de achterstand of min de voorsprong die de gemeente uit het vorige halfjaar meeneemt. Het is wat een gemeente in dat halfjaar werkelijk moet halen.",
			"Gecorrigeerde taakstelling = taakstelling + achterstand − voorsprong.",
		},
		SeeAlso: []glossaryLink{{"Achterstand en voorsprong", "#achterstand"}}},
	{ID: "gezinshereniging", Term: "Gezinshereniging",
		Definition: []string{
			"Het recht van een vergunninghouder om zijn of haar gezin naar Nederland te laten komen: in de regel de echtgenoot of partner en minderjarige kinderen. De aanvraag loopt via de IND. De gezinsleden die zo naar Nederland komen, heten nareizigers.",
			"Voor de huisvesting betekent dit dat iemand die alleen naar Nederland kwam, later met een gezin kan gaan wonen.",
		},
		SeeAlso: []glossaryLink{{"Nareizigers", "#nareizigers"}}},
	{ID: "koppeling", Term: "Koppeling",
		Definition: []string{
			"Het moment waarop het COA een vergunninghouder aan een gemeente toewijst. Vanaf dan moet die gemeente zorgen voor woonruimte. Wie gehuisvest is, telt mee voor de taakstelling van die gemeente. Het COA houdt bij de koppeling waar mogelijk rekening met werk, een opleiding of familie in een regio.",
		},
		SeeAlso: []glossaryLink{{"Taakstelling", "#taakstelling"}}},
	{ID: "kostendelersnorm", Term: "Kostendelersnorm",
		Definition: []string{
			"Een regel in de bijstand (Participatiewet): wie een woning deelt met andere volwassenen, krijgt een lagere uitkering, omdat de woonkosten gedeeld kunnen worden. Hoe meer volwassen huisgenoten, hoe lager de uitkering per persoon. Wie een kamer op commerciële basis huurt, valt er niet onder.",
			"Daardoor kan woningdelen voor vergunninghouders met een bijstandsuitkering financieel minder aantrekkelijk zijn.",
		},
		SeeAlso: []glossaryLink{{"Woningdelen", "#woningdelen"}}},
	{ID: "nareizigers", Term: "Nareizigers",
		Definition: []string{
			"Gezinsleden van een vergunninghouder die later naar Nederland komen via gezinshereniging, meestal de partner en minderjarige kinderen. Zij gaan in de regel wonen bij het gezinslid dat hier al is. Ook nareizigers tellen mee voor de taakstelling van de gemeente.",
		},
		SeeAlso: []glossaryLink{{"Gezinshereniging", "#gezinshereniging"}, {"Voorbeelden over nareizigers en gezinshereniging", "/themas/nareizigers-en-gezinshereniging"}}},
	{ID: "taakstelling", Term: "Taakstelling",
		Definition: []string{
			"Het aantal vergunninghouders dat een gemeente in een halfjaar moet huisvesten. Het Rijk stelt elk halfjaar vast hoeveel vergunninghouders er in heel Nederland een woning nodig hebben, en verdeelt dat aantal naar inwonertal over de gemeenten. De wettelijke basis is de Huisvestingswet 2014. De provincie houdt toezicht op hoe gemeenten hun taakstelling uitvoeren.",
		},
		SeeAlso: []glossaryLink{{"Hoe werkt de taakstelling?", "/taakstelling"}, {"De stand per gemeente op de kaart", "/kaart"}}},
	{ID: "vergunninghouder", Term: "Vergunninghouder (statushouder)",
		Definition: []string{
			"Iemand die in Nederland asiel heeft aangevraagd en een verblijfsvergunning asiel heeft gekregen. Vergunninghouder en statushouder betekenen hetzelfde: de wet spreekt van vergunninghouder, in het dagelijks gebruik en in veel bronnen heet het statushouder. Op deze site staan beide woorden, in de voorbeelden meestal het woord dat de bron gebruikt.",
			"Met de vergunning mag iemand in Nederland blijven, wonen en werken. De gemeente waaraan hij of zij gekoppeld wordt, zorgt voor woonruimte.",
		},
		SeeAlso: []glossaryLink{{"Koppeling", "#koppeling"}}},
	{ID: "woningdelen", Term: "Woningdelen",
		Definition: []string{
			"Twee of meer mensen die geen gezin vormen, wonen samen in één woning, elk met een eigen kamer en met een gedeelde keuken, badkamer of woonkamer. Gemeenten en corporaties zetten het in voor alleenstaande vergunninghouders, soms samen met andere woningzoekenden.",
		},
		SeeAlso: []glossaryLink{{"Kostendelersnorm", "#kostendelersnorm"}, {"Voorbeelden van woningdelen en kamerverhuur", "/themas/woningdelen"}}},
}

// termsByTheme are the glossary terms a case of a theme touches; every case is
// about vergunninghouders.
var termsByTheme = map[string][]string{
	"tijdelijke-woningen":             {"flexwoning"},
	"woningdelen":                     {"woningdelen", "kostendelersnorm"},
	"doorstroom-uit-opvang":           {"koppeling", "doorstroomlocatie"},
	"nareizigers-en-gezinshereniging": {"nareizigers", "gezinshereniging"},
	"taakstelling-en-toezicht":        {"taakstelling", "achterstand"},
	"landelijk-beleid":                {"taakstelling"},
}

// glossaryLinks are the links from a case page's facts to the terms it touches.
func glossaryLinks(c db.Case) []glossaryLink {
	ids := []string{"vergunninghouder"}
	for _, t := range c.Themes {
		for _, id := range termsByTheme[t.Slug] {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	var out []glossaryLink
	for _, id := range ids {
		for _, t := range glossary {
			if t.ID == id {
				out = append(out, glossaryLink{Label: t.Term, URL: "/begrippen#" + id})
			}
		}
	}
	return out
}

// glossaryPage is the view model of /begrippen.
type glossaryPage struct {
	page
	Terms []term
}

func (glossaryPage) Crumbs() []crumb {
	return []crumb{{Label: "Home", URL: "/"}, {Label: "Begrippen", URL: "/begrippen", Current: true}}
}

// showGlossary is /begrippen: the words of the field in plain Dutch.
func (h *Handler) showGlossary(c *fiber.Ctx) error {
	vm := glossaryPage{Terms: glossary}
	vm.Title = "Begrippen"
	vm.Description = "Wat betekenen vergunninghouder, statushouder, taakstelling, achterstand, nareizigers, koppeling, doorstroomlocatie, woningdelen, kostendelersnorm en flexwoning? Korte uitleg in gewone taal."
	vm.Canonical = h.canonical("/begrippen")
	return h.render(c, fiber.StatusOK, "begrippen/index", "", vm)
}
