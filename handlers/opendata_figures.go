package handlers

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// Open data: the figures of the map as CSV and JSON. The columns (figureColumns,
// nationalColumns) are documented on /open-data in opendata.go; do not rename them.
// Every number comes from db.PeriodFigures, the same values the map, the table and
// the gemeente pages show.

// figureRecord is one gemeente in one period, as exported. Pointers are null (JSON)
// or empty (CSV) where the value is unknown. The kind of the figures comes first, in
// the CSV's first column and as the JSON object's first key: a row copied on its own
// keeps its label.
type figureRecord struct {
	Cijfers          *string `json:"cijfers"`
	Period           string  `json:"periode"`
	Code             string  `json:"gemeente_code"`
	Name             string  `json:"gemeente"`
	ProvinceCode     string  `json:"provincie_code"`
	Province         string  `json:"provincie"`
	Population       *int    `json:"inwoners"`
	Taakstelling     *int    `json:"taakstelling"`
	TaakstellingBron *string `json:"taakstelling_bron"`
	CarryBalance     *int    `json:"overloop_saldo"`
	Corrected        *int    `json:"gecorrigeerde_taakstelling"`
	Peildatum        *string `json:"peildatum"`
	Realised         *int    `json:"gerealiseerd"`
	Expected         *int    `json:"verwacht_pro_rata"`
	Difference       *int    `json:"verschil"`
	Percentage       *int    `json:"percentage_pro_rata"`
	Status           string  `json:"status"`
	RealisatieBron   *string `json:"realisatie_bron"`
	Deviation        *string `json:"bekende_afwijking"`
}

func newFigureRecord(g db.GemeenteFigures) figureRecord {
	r := figureRecord{
		Cijfers: orNull(g.Source()),
		Period:  g.Period, Code: g.Code, Name: g.Name, ProvinceCode: g.ProvinceCode, Province: g.ProvinceName,
		Population: g.Population, Taakstelling: g.Taakstelling, TaakstellingBron: orNull(g.TaakstellingBasis),
		CarryBalance: g.CarryBalance(), Corrected: g.Corrected, Realised: g.Realised, Expected: g.Expected,
		Difference: g.Difference, Percentage: g.Percentage, Status: string(g.Standing),
		RealisatieBron: orNull(g.RealisedBasis),
	}
	if !g.Peildatum.IsZero() {
		r.Peildatum = orNull(g.Peildatum.Format(time.DateOnly))
	}
	var dev []string
	for _, d := range g.Deviations {
		dev = append(dev, d.Short+" (/taakstelling#"+d.ID+")")
	}
	r.Deviation = orNull(strings.Join(dev, listSep))
	return r
}

// cells is the record as CSV cells, in the order of figureColumns.
func (r figureRecord) cells() []string {
	return []string{
		deref(r.Cijfers), r.Period, r.Code, r.Name, r.ProvinceCode, r.Province, intCell(r.Population),
		intCell(r.Taakstelling), deref(r.TaakstellingBron), intCell(r.CarryBalance), intCell(r.Corrected), deref(r.Peildatum),
		intCell(r.Realised), intCell(r.Expected), intCell(r.Difference), intCell(r.Percentage), r.Status,
		deref(r.RealisatieBron), deref(r.Deviation),
	}
}

// figureMeta heads the JSON figure downloads: what kind of figures they hold
// first, then the site's usual download header (exportMeta) and what these figures
// need said.
type figureMeta struct {
	Warning string `json:"let_op,omitempty"`
	exportMeta
	Sources []string `json:"bronnen"`
	Notes   []string `json:"toelichting"`
	Periods []string `json:"perioden,omitempty"`
	Columns []string `json:"kolommen"`
}

var figureNotes = []string{
	"Eén rij per gemeente per halfjaar, op de gemeentelijke indeling van dat halfjaar (2023 en later: indeling 2025, 342 gemeenten).",
	"cijfers (de eerste kolom): 'fictief' als de realisaties fictief (gesimuleerd) zijn of de overloop daaruit volgt, anders 'berekend' als de taakstelling berekend is, anders 'officieel'; leeg als niets bekend is. Gebruik fictieve cijfers nooit als feit.",
	"taakstelling_bron 'berekend': de taakstelling is berekend uit het landelijke cijfer naar rato van het inwonertal (CBS, 1 januari 2025), met de methode van de grootste overschotten; het is niet het officiële getal uit de circulaire. Voor de meeste gemeenten wijkt het weinig af; voor de gemeenten met een bekende afwijking (kolom bekende_afwijking) kan het officiële getal heel anders zijn, tot 0. 'officieel': geïmporteerd uit een officiële bron.",
	"realisatie_bron 'fictief': er is geen openbare bron met realisaties per gemeente; deze getallen zijn fictief (gesimuleerd), reproduceerbaar gegenereerd om de werking te tonen, en zijn geen echte cijfers.",
	signRule,
	"overloop_saldo: de achterstand (negatief) of voorsprong (positief) die aan het eind van het vorige halfjaar overbleef en meetelt. gecorrigeerde_taakstelling = taakstelling − overloop_saldo. Leeg (null) als de overloop onbekend is; de gecorrigeerde taakstelling telt dan alleen de nieuwe taakstelling. (Tot december 2026 heette deze kolom overloop, met het omgekeerde teken.)",
	"verwacht_pro_rata: 1/6 van de gecorrigeerde taakstelling per verstreken maand tot de peildatum, afgerond op het dichtstbijzijnde hele getal (bij precies een half op het even getal). verschil = gerealiseerd − verwacht_pro_rata. percentage_pro_rata is naar beneden afgerond en leeg als er geen oordeel is. " + yardstickRule,
	"status: voor op schema vanaf 110 % van verwacht, op schema 100–110 %, achter op schema 75–100 %, ver achter op schema onder 75 %; te klein om te beoordelen als minder dan 5 personen verwacht worden; geen gegevens als de taakstelling of de realisatie onbekend is. De woorden achterstand en voorsprong gebruiken we alleen voor de overloop.",
	"Voor 2024-H2 is geen landelijke taakstelling gevonden: daarvoor is niets berekend en alle gemeenten staan op 'geen gegevens'. 2025-H1 rekent daardoor zonder overloop.",
	"Alle aantallen zijn personen, geen woningen.",
}

func (h *Handler) figureMeta(c *fiber.Ctx, pfs []*db.PeriodFigures, periods []db.Period) figureMeta {
	var rows []db.GemeenteFigures
	for _, pf := range pfs {
		rows = append(rows, pf.Gemeenten...)
	}
	totals := db.SumFigures(rows)
	m := figureMeta{
		exportMeta: h.exportMeta("Taakstelling en realisatie per gemeente per halfjaar",
			"Per gemeente en halfjaar de taakstelling, de overloop, de gecorrigeerde taakstelling, de realisatie tot de peildatum en de status, zoals op de kaart Land in beeld.",
			"/open-data/cijfers.json"+queryString(c), "Opnieuw Thuis; inwonertallen: CBS; landelijke cijfers: bron per periode in /open-data/taakstelling-landelijk.csv."),
		Sources: []string{
			"Landelijke taakstelling per halfjaar: /open-data/taakstelling-landelijk.csv, met de bron en de status van elk getal",
			"Inwonertallen: CBS StatLine, bevolking op 1 januari 2025 (CC BY 4.0)",
			"Gemeentelijke indeling: CBS / Kadaster (PDOK), vereenvoudigd via cartomap.github.io/nl",
		},
		Notes:   figureNotes,
		Columns: columnNames(figureColumns),
	}
	if k := figureKind(totalsSource(totals)); k != "" {
		m.Warning = k + " — " + strings.TrimSpace(kindDescription(totals))
	}
	for _, p := range periods {
		m.Periods = append(m.Periods, p.Code)
	}
	return m
}

// queryString is the request's query string with its "?", or "".
func queryString(c *fiber.Ctx) string {
	if q := string(c.Request().URI().QueryString()); q != "" {
		return "?" + q
	}
	return ""
}

// exportFigures selects the periods of a figures download: ?periode=… or all.
func (h *Handler) exportFigures(c *fiber.Ctx) ([]*db.PeriodFigures, []db.Period, error) {
	periods, err := h.db.FigurePeriods(c.UserContext())
	if err != nil {
		return nil, nil, err
	}
	if v := c.Query("periode"); v != "" {
		pf, err := h.periodFigures(c, periods, v)
		if err != nil {
			return nil, nil, err
		}
		return []*db.PeriodFigures{pf}, []db.Period{pf.Period}, nil
	}
	var out []*db.PeriodFigures
	for _, p := range periods {
		pf, err := h.db.PeriodFigures(c.UserContext(), p.Code)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, pf)
	}
	return out, periods, nil
}

// figuresFilename names a download after its period, if it has one, and after the
// kind of its figures when they are fictitious: a saved file keeps its label.
func figuresFilename(c *fiber.Ctx, pfs []*db.PeriodFigures, ext string) string {
	name := "opnieuwthuis-cijfers"
	for _, pf := range pfs {
		if pf.Totals.Fictitious {
			name += "-fictief"
			break
		}
	}
	if v := c.Query("periode"); v != "" {
		name += "-" + v
	}
	return name + "." + ext
}

// figuresCSV is /open-data/cijfers.csv.
func (h *Handler) figuresCSV(c *fiber.Ctx) error {
	pfs, _, err := h.exportFigures(c)
	if err != nil {
		return err
	}
	return streamCSV(c, figuresFilename(c, pfs, "csv"), columnNames(figureColumns), func(write func(row ...string) error) error {
		for _, pf := range pfs {
			for _, g := range byCode(pf) {
				if err := write(newFigureRecord(g).cells()...); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// figuresJSON is /open-data/cijfers.json.
func (h *Handler) figuresJSON(c *fiber.Ctx) error {
	pfs, periods, err := h.exportFigures(c)
	if err != nil {
		return err
	}
	return streamJSONArray(c, h.figureMeta(c, pfs, periods), func(emit func(v any) error) error {
		for _, pf := range pfs {
			for _, g := range byCode(pf) {
				if err := emit(newFigureRecord(g)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// byCode lists a period's gemeenten by CBS code, the stable order of the downloads.
func byCode(pf *db.PeriodFigures) []db.GemeenteFigures {
	out := pf.Select("", "")
	sortFigures(out, tableColumn{text: func(g db.GemeenteFigures) string { return g.Code }}, false)
	return out
}

// nationalRecord is one period of /open-data/taakstelling-landelijk.*; keys as in
// nationalColumns. Every row has its status, also the half years the site has no
// figure for yet.
type nationalRecord struct {
	Period     string `json:"periode"`
	Total      *int   `json:"totaal"`
	Status     string `json:"status"`
	Official   bool   `json:"officieel"`
	SourceURL  string `json:"bron_url"`
	SourceKind string `json:"bron_soort"`
	SourceDate string `json:"bron_datum"`
	Note       string `json:"opmerking"`
}

func newNationalRecord(p db.Period) nationalRecord {
	return nationalRecord{Period: p.Code, Total: p.NationalTotal, Status: p.TotalStatus, Official: p.Official(),
		SourceURL: p.SourceURL, SourceKind: sourceKind(p.SourceURL), SourceDate: p.SourceDate, Note: p.Note}
}

// nationalPeriods are the stored periods and, after them, the half years up to
// today's that have no national figure yet.
func (h *Handler) nationalPeriods(ctx context.Context) ([]db.Period, error) {
	periods, err := h.db.Periods(ctx)
	if err != nil {
		return nil, err
	}
	return append(periods, db.PendingPeriods(periods, time.Now())...), nil
}

// yesNo is a boolean as a CSV cell.
func yesNo(b bool) string {
	if b {
		return "ja"
	}
	return "nee"
}

// nationalCSV is /open-data/taakstelling-landelijk.csv.
func (h *Handler) nationalCSV(c *fiber.Ctx) error {
	periods, err := h.nationalPeriods(c.UserContext())
	if err != nil {
		return err
	}
	return streamCSVRows(c, "opnieuwthuis-taakstelling-landelijk.csv", nationalColumns, periods, func(p db.Period) []string {
		r := newNationalRecord(p)
		return []string{r.Period, intCell(r.Total), r.Status, yesNo(r.Official), r.SourceURL, r.SourceKind, r.SourceDate, r.Note}
	})
}

// nationalNotes explain the national download, on /open-data and in its JSON.
var nationalNotes = []string{
	"totaal is leeg (null) als er geen bron met het landelijke cijfer is gevonden, of als deze site voor dat halfjaar nog geen cijfer heeft: onbekend, niet nul.",
	"status: vastgesteld (door het Rijk vastgesteld), bijgesteld (vastgesteld en later verhoogd of verlaagd; dit is het latere getal), prognose (alleen de prognose gevonden), afgeleid (een indicatie, afgeleid uit een bericht), niet gevonden, of nog geen landelijk cijfer (een halfjaar na het laatste cijfer op deze site). officieel is ja alleen bij vastgesteld en bijgesteld.",
	"bron_soort: Rijksoverheid, Staatscourant, Platform Opnieuw Thuis, nieuwsbank (een overgenomen bericht van de Rijksoverheid) of nieuws en vakmedia: waar wij het cijfer lazen. Ook een vastgesteld cijfer lazen we soms in een nieuwsbericht.",
	"Voor 2015 is alleen een jaartotaal van 30.000 gevonden (Aedes, mei 2015), niet de verdeling over de halfjaren; het staat daarom niet in deze lijst.",
	"Alle aantallen zijn personen, geen woningen.",
}

// nationalJSON is /open-data/taakstelling-landelijk.json.
func (h *Handler) nationalJSON(c *fiber.Ctx) error {
	periods, err := h.nationalPeriods(c.UserContext())
	if err != nil {
		return err
	}
	meta := figureMeta{
		exportMeta: h.exportMeta("Landelijke taakstelling per halfjaar",
			"Het landelijke aantal vergunninghouders (personen) dat alle gemeenten samen per halfjaar moeten huisvesten, met de status en de bron van elk getal.",
			"/open-data/taakstelling-landelijk.json", "Opnieuw Thuis; de getallen zelf komen uit de bron in elke regel: "+nationalAttribution(periods)+"."),
		Sources: []string{"Per periode in bron_url, bron_soort en bron_datum: " + nationalAttribution(periods)},
		Notes:   nationalNotes,
		Columns: columnNames(nationalColumns),
	}
	return streamJSONArray(c, meta, func(emit func(v any) error) error {
		for _, p := range periods {
			if err := emit(newNationalRecord(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Kinds of sources of national figures, by host.
const (
	sourceGovernment = "Rijksoverheid"
	sourceGazette    = "Staatscourant"
	sourcePlatform   = "Platform Opnieuw Thuis"
	sourceMirror     = "nieuwsbank (bericht van de Rijksoverheid overgenomen)"
	sourceNews       = "nieuws of vakmedia"
)

// sourceKind says what kind of publication a source URL is.
func sourceKind(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return sourceNews
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	switch {
	case host == "rijksoverheid.nl" || strings.HasSuffix(host, ".rijksoverheid.nl") || host == "government.nl":
		return sourceGovernment
	case host == "officielebekendmakingen.nl" || strings.HasSuffix(host, ".officielebekendmakingen.nl"):
		return sourceGazette
	case host == "opnieuwthuis.nl":
		return sourcePlatform
	case host == "opennieuwsbank.nl" && strings.Contains(u.Path, "/rijksoverheid/"):
		return sourceMirror
	}
	return sourceNews
}

// nationalAttribution names the sources of the national figures as they are: how
// many periods rest on each kind of publication, with the news sites by name.
func nationalAttribution(periods []db.Period) string {
	count := map[string]int{}
	var news []string
	for _, p := range periods {
		k := sourceKind(p.SourceURL)
		if k == "" {
			continue
		}
		count[k]++
		if k == sourceNews {
			u, _ := url.Parse(p.SourceURL)
			if host := strings.TrimPrefix(u.Hostname(), "www."); !slices.Contains(news, host) {
				news = append(news, host)
			}
		}
	}
	var parts []string
	for _, k := range []string{sourceGovernment, sourceGazette, sourceMirror, sourcePlatform, sourceNews} {
		if count[k] == 0 {
			continue
		}
		s := fmt.Sprintf("%s (%d %s)", k, count[k], plural(count[k], "periode", "perioden"))
		if k == sourceNews {
			s = fmt.Sprintf("nieuwsberichten en vakmedia, waar dat de bron is (%d %s: %s)", count[k], plural(count[k], "periode", "perioden"), strings.Join(news, ", "))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
