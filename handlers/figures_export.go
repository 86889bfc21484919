package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// Open data: the figures of the map as CSV and JSON. The columns (figureColumns,
// nationalColumns) are documented on /open-data in opendata.go; do not rename them.
// Every number comes from db.PeriodFigures, the same values the map, the table and
// the gemeente pages show.

// figureRecord is one gemeente in one period, as exported. Pointers are null (JSON)
// or empty (CSV) where the value is unknown.
type figureRecord struct {
	Period           string  `json:"periode"`
	Code             string  `json:"gemeente_code"`
	Name             string  `json:"gemeente"`
	ProvinceCode     string  `json:"provincie_code"`
	Province         string  `json:"provincie"`
	Population       *int    `json:"inwoners"`
	Taakstelling     *int    `json:"taakstelling"`
	TaakstellingBron *string `json:"taakstelling_bron"`
	CarriedIn        *int    `json:"overloop"`
	Corrected        *int    `json:"gecorrigeerde_taakstelling"`
	Peildatum        *string `json:"peildatum"`
	Realised         *int    `json:"gerealiseerd"`
	Expected         *int    `json:"verwacht_pro_rata"`
	Difference       *int    `json:"verschil"`
	Percentage       *int    `json:"percentage_pro_rata"`
	Status           string  `json:"status"`
	RealisatieBron   *string `json:"realisatie_bron"`
	Cijfers          *string `json:"cijfers"`
}

func newFigureRecord(g db.GemeenteFigures) figureRecord {
	r := figureRecord{
		Period: g.Period, Code: g.Code, Name: g.Name, ProvinceCode: g.ProvinceCode, Province: g.ProvinceName,
		Population: g.Population, Taakstelling: g.Taakstelling, TaakstellingBron: optString(g.TaakstellingBasis),
		CarriedIn: g.CarriedIn, Corrected: g.Corrected, Realised: g.Realised, Expected: g.Expected,
		Difference: g.Difference, Percentage: g.Percentage, Status: string(g.Standing),
		RealisatieBron: optString(g.RealisedBasis), Cijfers: optString(g.Source()),
	}
	if !g.Peildatum.IsZero() {
		r.Peildatum = optString(g.Peildatum.Format(time.DateOnly))
	}
	return r
}

// cells is the record as CSV cells, in the order of figureColumns.
func (r figureRecord) cells() []string {
	return []string{
		r.Period, r.Code, r.Name, r.ProvinceCode, r.Province, intCell(r.Population),
		intCell(r.Taakstelling), strCell(r.TaakstellingBron), intCell(r.CarriedIn), intCell(r.Corrected), strCell(r.Peildatum),
		intCell(r.Realised), intCell(r.Expected), intCell(r.Difference), intCell(r.Percentage), r.Status,
		strCell(r.RealisatieBron), strCell(r.Cijfers),
	}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func strCell(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// figureMeta heads the JSON figure downloads: the site's usual download header
// (exportMeta) plus what these figures need said.
type figureMeta struct {
	exportMeta
	Sources []string `json:"bronnen"`
	Notes   []string `json:"toelichting"`
	Periods []string `json:"perioden,omitempty"`
	Columns []string `json:"kolommen"`
}

var figureNotes = []string{
	"Eén rij per gemeente per halfjaar, op de gemeentelijke indeling van dat halfjaar (2023–2025: indeling 2025, 342 gemeenten).",
	"taakstelling_bron 'berekend': de taakstelling is berekend uit het landelijke totaal naar rato van het inwonertal (CBS, 1 januari 2025), met de methode van de grootste overschotten; het is een schatting, niet het officiële getal uit de circulaire. 'officieel': geïmporteerd uit een officiële bron.",
	"realisatie_bron 'fictief': er is geen openbare bron met realisaties per gemeente; deze getallen zijn reproduceerbaar gegenereerd om de werking te tonen en zijn geen echte cijfers.",
	"cijfers: 'fictief' als de realisaties fictief zijn, anders 'berekend' als de taakstelling berekend is, anders 'officieel'; leeg als niets bekend is.",
	"overloop: achterstand die uit het vorige halfjaar is meegenomen; negatief is een meegenomen voorsprong. Leeg (null) als die onbekend is; de gecorrigeerde taakstelling telt dan alleen de nieuwe taakstelling.",
	"verwacht_pro_rata: het aantal dat naar rato (1/6 per verstreken maand tot de peildatum) van de gecorrigeerde taakstelling gehuisvest moet zijn, naar boven afgerond op hele personen. verschil = gerealiseerd − verwacht_pro_rata; negatief is een achterstand. percentage_pro_rata is naar beneden afgerond.",
	"status: voorsprong vanaf 110 % van verwacht, op schema 100–110 %, achterstand 75–100 %, grote achterstand onder 75 %, geen gegevens als de taakstelling of de realisatie onbekend is.",
	"Voor 2024-H2 is geen landelijke taakstelling gevonden: daarvoor is niets berekend en alle gemeenten staan op 'geen gegevens'. 2025-H1 rekent daardoor zonder overloop.",
	"Alle aantallen zijn personen, geen woningen.",
}

func (h *Handler) figureMeta(c *fiber.Ctx, periods []db.Period) figureMeta {
	m := figureMeta{
		exportMeta: h.exportMeta("Taakstelling en realisatie per gemeente per halfjaar",
			"Per gemeente en halfjaar de taakstelling, de overloop, de gecorrigeerde taakstelling, de realisatie tot de peildatum en de status, zoals op de kaart Land in beeld.",
			"/open-data/cijfers.json"+queryString(c), "Opnieuw Thuis; inwonertallen: CBS; landelijke totalen: bron per periode in /open-data/taakstelling-landelijk.csv."),
		Sources: []string{
			"Landelijke taakstelling per halfjaar: /open-data/taakstelling-landelijk.csv, met de bron van elk getal",
			"Inwonertallen: CBS StatLine, bevolking op 1 januari 2025 (CC BY 4.0)",
			"Gemeentelijke indeling: CBS / Kadaster (PDOK), vereenvoudigd via cartomap.github.io/nl",
		},
		Notes:   figureNotes,
		Columns: columnNames(figureColumns),
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

// figuresFilename names a download after its period, if it has one.
func figuresFilename(c *fiber.Ctx, ext string) string {
	if v := c.Query("periode"); v != "" {
		return "opnieuwthuis-cijfers-" + v + "." + ext
	}
	return "opnieuwthuis-cijfers." + ext
}

// figuresCSV is /open-data/cijfers.csv.
func (h *Handler) figuresCSV(c *fiber.Ctx) error {
	pfs, _, err := h.exportFigures(c)
	if err != nil {
		return err
	}
	return streamCSV(c, figuresFilename(c, "csv"), columnNames(figureColumns), func(write func(row ...string) error) error {
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
	return streamJSONArray(c, h.figureMeta(c, periods), func(emit func(v any) error) error {
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
// nationalColumns.
type nationalRecord struct {
	Period     string `json:"periode"`
	Total      *int   `json:"totaal"`
	Status     string `json:"status"`
	SourceURL  string `json:"bron_url"`
	SourceDate string `json:"bron_datum"`
	Note       string `json:"opmerking"`
}

func newNationalRecord(p db.Period) nationalRecord {
	return nationalRecord{Period: p.Code, Total: p.NationalTotal, Status: p.TotalStatus,
		SourceURL: p.SourceURL, SourceDate: p.SourceDate, Note: p.Note}
}

// nationalCSV is /open-data/taakstelling-landelijk.csv.
func (h *Handler) nationalCSV(c *fiber.Ctx) error {
	periods, err := h.db.Periods(c.UserContext())
	if err != nil {
		return err
	}
	return streamCSV(c, "opnieuwthuis-taakstelling-landelijk.csv", columnNames(nationalColumns), func(write func(row ...string) error) error {
		for _, p := range periods {
			r := newNationalRecord(p)
			if err := write(r.Period, intCell(r.Total), r.Status, r.SourceURL, r.SourceDate, r.Note); err != nil {
				return err
			}
		}
		return nil
	})
}

// nationalJSON is /open-data/taakstelling-landelijk.json.
func (h *Handler) nationalJSON(c *fiber.Ctx) error {
	periods, err := h.db.Periods(c.UserContext())
	if err != nil {
		return err
	}
	meta := figureMeta{
		exportMeta: h.exportMeta("Landelijke taakstelling per halfjaar",
			"Het landelijke aantal vergunninghouders (personen) dat alle gemeenten samen per halfjaar moeten huisvesten, met de bron van elk getal.",
			"/open-data/taakstelling-landelijk.json", "Opnieuw Thuis; de getallen zelf komen uit de bron in elke regel."),
		Sources: []string{"Per periode in bron_url en bron_datum: berichten van de Rijksoverheid en de Staatscourant (via nieuwsbronnen), VNG en pers"},
		Notes: []string{
			"totaal is null als er geen bron met het landelijke getal is gevonden: onbekend, niet nul.",
			"status: vastgesteld, vastgesteld (verlaagd), prognose (alleen de prognose gevonden), afgeleid (indicatief, afgeleid uit een bericht) of niet gevonden.",
			"Voor 2015 is alleen een jaartotaal van 30.000 gevonden (Aedes, mei 2015), niet de verdeling over de halfjaren; het staat daarom niet in deze lijst.",
			"Alle aantallen zijn personen, geen woningen.",
		},
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
