package db

import "slices"

// Known deviations of the computed taakstelling. The pro-rata split this site
// computes ("berekend naar inwonertal") ignores exceptions that the official split
// makes. Two are described by sources; neither says exactly what the official
// figure became, so they are not applied: pages list them (/taakstelling, the
// gemeente's panel) and the downloads name them per row, without calling the
// difference small. For the gemeenten concerned the official taakstelling may be
// zero, a 100 % difference; every other gemeente's share would then be a fraction of
// a percent larger.

// Deviation is a known exception to the pro-rata split.
type Deviation struct {
	ID      string   // anchor on /taakstelling: "afwijking-waddeneilanden"
	Title   string   // Dutch
	Short   string   // one line for downloads
	Text    string   // Dutch, what the sources say and what it means here
	Codes   []string // the gemeenten concerned (CBS 2025 codes)
	From    string   // first period it concerns ("" = no known start)
	Until   string   // last period it concerns ("" = no known end)
	Sources []DeviationSource
}

// DeviationSource is a source of a known deviation.
type DeviationSource struct {
	URL, Label, Date string
}

// KnownDeviations are the exceptions the reference data describes
// (../shared/data/README.md §5, taakstelling-gemeenten-fragments.csv).
var KnownDeviations = []Deviation{
	{
		ID:    "afwijking-waddeneilanden",
		Title: "De Friese Waddeneilanden tellen mogelijk niet mee",
		Short: "Friese Waddengemeente: volgens één bron niet meegeteld in de taakstelling; de officiële taakstelling kan 0 zijn",
		Text: "Volgens één bron, een ongedateerd overzicht van De Bewonersraad (Friese huurders) op basis van COA-cijfers, " +
			"worden de vier Friese Waddengemeenten niet meegerekend. Of hun officiële taakstelling nul is en sinds wanneer, " +
			"hebben we niet kunnen nagaan. Deze site rekent hun deel naar inwonertal wel uit. Klopt de bron, dan is die " +
			"berekende taakstelling voor deze vier gemeenten helemaal onjuist: het officiële getal is dan 0, niet een " +
			"beetje lager.",
		Codes: []string{"GM0060", "GM0088", "GM0093", "GM0096"}, // Ameland, Schiermonnikoog, Terschelling, Vlieland
		Sources: []DeviationSource{
			{URL: "https://www.debewonersraad.nl/huisvesting-statushouders", Label: "De Bewonersraad, Huisvesting statushouders", Date: "ongedateerd"},
		},
	},
	{
		ID:    "afwijking-eemsdelta",
		Title: "Eemsdelta wordt sinds oktober 2021 ontzien",
		Short: "Eemsdelta: sinds oktober 2021 ontzien vanwege de versterkingsoperatie; de officiële taakstelling kan veel lager zijn, tot 0",
		Text: "In oktober 2021 spraken de Groninger gemeenten, de provincie Groningen, de ministeries van BZK en JenV en het COA " +
			"af dat Eemsdelta de komende jaren wordt ontzien bij het huisvesten van vergunninghouders, omdat er al te weinig " +
			"wisselwoningen zijn voor de versterking van huizen tegen aardbevingen. Eemsdelta spreekt van vijf jaar. " +
			"Begin oktober 2021 kreeg Eemsdelta van het ministerie wel nog een taakstelling voor het eerste halfjaar van 2022. " +
			"Hoe hoog de officiële taakstelling daarna was, staat niet in onze bronnen. Deze site rekent het deel van " +
			"Eemsdelta naar inwonertal uit alsof er geen afspraak is: het officiële getal kan veel lager zijn, tot 0.",
		Codes: []string{"GM1979"},
		From:  "2022-H1",
		Until: "2026-H2",
		Sources: []DeviationSource{
			{URL: "https://www.westerwoldeactueel.nl/2021/10/13/gezamenlijk-communique-groninger-gemeenten-provincie-groningen-ministerie-van-binnenlandse-zaken-ministerie-van-justitie-en-veiligheid-en-coa-inzake-huisvesting-vergunninghouders/",
				Label: "Gezamenlijk communiqué van de Groninger gemeenten, de provincie, BZK, JenV en het COA (via Westerwolde Actueel)", Date: "2021-10-13"},
			{URL: "https://eemsbode.nl/artikel/1186510/eemsdelta-wil-regering-houden-aan-afspraak-over-vijf-jaar-geen-huisvesting-asielzoekers-met-verblijfsvergunning.html",
				Label: "Eemsbode, Eemsdelta wil regering houden aan afspraak over vijf jaar", Date: "2021-10"},
		},
	},
}

// DeviationsFor lists the known deviations that concern gemeente code in period.
func DeviationsFor(code, period string) []Deviation {
	var out []Deviation
	for _, d := range KnownDeviations {
		if slices.Contains(d.Codes, code) && (d.From == "" || period >= d.From) && (d.Until == "" || period <= d.Until) {
			out = append(out, d)
		}
	}
	return out
}
