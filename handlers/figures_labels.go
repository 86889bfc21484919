package handlers

import "opnieuwthuis/db"

// Labels that cannot be lost (issue 11). Every text that states a gemeente's
// status or realisation starts with the kind of its figures when they are not
// official: "Fictieve cijfers — Utrecht, 2e halfjaar 2025: …". That holds for the
// map's titles and accessible names, the SVG's own label and description, the
// panel, the gemeente page's lead and meta description, the table's caption, the
// chart, and the downloads (their first column and first key). A screenshot, a
// search result or a copied sentence keeps the label.

// figureKinds are the labels of the db.GemeenteFigures.Source values that are not
// official: in full and in one word.
var figureKinds = map[string]struct{ long, short string }{
	db.BasisFictitious: {"Fictieve cijfers", "Fictief"},
	db.BasisComputed:   {"Berekende taakstelling", "Berekend"},
}

// figureKind is the label for a db.GemeenteFigures.Source value ("" for official
// figures or none).
func figureKind(source string) string { return figureKinds[source].long }

// figureKindShort is figureKind in one word, for the map's accessible names.
func figureKindShort(source string) string { return figureKinds[source].short }

// withKind puts the kind of the figures in front of a text about them.
func withKind(source, text string) string {
	if k := figureKind(source); k != "" {
		return k + " — " + text
	}
	return text
}

// totalsSource is the Source of a set of rows: fictief when any is fictitious, else
// berekend when any taakstelling is computed, else officieel or "".
func totalsSource(t db.FigureTotals) string {
	switch {
	case t.Fictitious:
		return db.BasisFictitious
	case t.Computed:
		return db.BasisComputed
	case t.Official:
		return db.BasisOfficial
	}
	return ""
}

// kindLines are the lines the map's drawing itself carries (bottom left), so that a
// screenshot or a saved SVG says what the figures are; the first bold ones are the
// warning.
func kindLines(t db.FigureTotals) (lines []string, bold int) {
	switch {
	case t.Fictitious && t.Computed:
		return []string{"Fictieve cijfers (gesimuleerd)", "Taakstelling berekend naar inwonertal"}, 1
	case t.Fictitious:
		return []string{"Fictieve cijfers (gesimuleerd)"}, 1
	case t.Computed:
		return []string{"Taakstelling berekend naar inwonertal"}, 1
	}
	return nil, 0
}

// kindDescription explains the kind of the figures in full sentences, for the
// map's <desc> and the JSON downloads.
func kindDescription(t db.FigureTotals) string {
	s := ""
	if t.Fictitious {
		s += "Fictieve cijfers (gesimuleerd): er is geen openbare bron met realisaties per gemeente, dus de aantallen gehuisveste vergunninghouders zijn reproduceerbaar gegenereerd om te laten zien hoe de kaart werkt. Het zijn geen echte cijfers. "
	}
	if t.Computed {
		s += "De taakstelling per gemeente is door Opnieuw Thuis berekend naar inwonertal uit het landelijke cijfer; het is niet het officiële getal uit de circulaire. "
	}
	return s
}

// signRule is the one sign convention of every table, panel and download, stated
// once and shown wherever signed numbers appear.
const signRule = "Tekens: min (−) is achter, plus (+) is voor. Bij de overloop is −12 een meegenomen achterstand van 12 personen en +12 een meegenomen voorsprong; bij het verschil met verwacht is −12 twaalf personen minder gehuisvest dan naar rato verwacht en +12 twaalf meer."

// yardstickRule says where the monthly yardstick comes from and what it is not.
const yardstickRule = "Het tempo van 1/6 van de gecorrigeerde taakstelling per verstreken maand is een maatstaf van deze site, overgenomen van het oorspronkelijke Land in beeld van Platform Opnieuw Thuis (april 2017). Het is geen wettelijke tussentijdse verplichting: de wet beoordeelt alleen het hele halfjaar."
