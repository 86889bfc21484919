package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// column documents one column of a download: its CSV header and JSON key, what it
// means and its type. The CSV header rows are built from these lists, so what
// /open-data documents is what the files hold.
type column struct {
	Name    string
	Meaning string
	Type    string
}

func columnNames(cols []column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// caseColumns are the columns of every case download (/open-data/voorbeelden.*,
// /voorbeelden.csv and /voorbeelden.json), in order. The person to contact is left
// out on purpose: it may name a person, and a download is copied far and wide.
var caseColumns = []column{
	{"id", "Vast nummer van het voorbeeld. Verandert nooit, ook niet als de titel of het adres verandert.", "geheel getal"},
	{"slug", "Laatste deel van het webadres.", "tekst"},
	{"titel", "Titel van het voorbeeld.", "tekst"},
	{"samenvatting", "Korte samenvatting in één of twee zinnen.", "tekst"},
	{"tekst", "De volledige beschrijving, in Markdown.", "tekst (Markdown)"},
	{"url", "Webadres van het voorbeeld op deze site.", "URL"},
	{"soort", "woonoplossing (een gebouw, project of aantal woningen) of aanpak (hoe toewijzing, begeleiding of samenwerking is georganiseerd).", "tekst: woonoplossing of aanpak"},
	{"jaar", "Jaar waarin het initiatief begon. Leeg als dat niet bekend is.", "geheel getal of leeg"},
	{"stand_van_zaken", "Hoe het initiatief ervoor staat volgens de nieuwste bron: plan, in-uitvoering, gerealiseerd, beeindigd (beëindigd) of onbekend.", "tekst: plan, in-uitvoering, gerealiseerd, beeindigd of onbekend"},
	{"stand_per", "Wanneer een bron die stand het laatst bevestigde, zo precies als bekend: een jaar (2024), een maand (2024-05) of een dag (2024-05-12). Leeg als dat niet bekend is.", "datum (ISO 8601, soms alleen jaar of jaar en maand) of leeg"},
	{"doelgroep", "Voor wie het is: alleenstaanden, gezinnen, jongeren en/of gemengd (statushouders samen met andere groepen). In CSV gescheiden door ‘ | ’; in JSON een lijst. Leeg als de bron het niet zegt.", "tekst; JSON: lijst"},
	{"woningen", "Aantal woningen of wooneenheden. Lees het altijd samen met woningen_betekenis: het kan een doel zijn, geen resultaat. Leeg als het niet bekend is.", "geheel getal of leeg"},
	{"woningen_betekenis", "Wat het aantal woningen betekent: doel (een doel of plan), gerealiseerd (gebouwd of in gebruik) of maximaal (een capaciteit of bovengrens). Leeg zonder aantal, en bij een aantal van vóór deze kolom: dan is niet vastgelegd wat het betekent.", "tekst: doel, gerealiseerd of maximaal, of leeg"},
	{"personen", "Aantal personen. Lees het altijd samen met personen_betekenis. Leeg als het niet bekend is.", "geheel getal of leeg"},
	{"personen_betekenis", "Wat het aantal personen betekent: doel, gerealiseerd (gehuisvest) of maximaal; leeg zoals bij woningen_betekenis.", "tekst: doel, gerealiseerd of maximaal, of leeg"},
	{"financiering", "Wie wat betaalt, voor zover bekend.", "tekst of leeg"},
	{"wat_ging_moeilijk", "Lessen: wat moeilijk ging, in Markdown.", "tekst (Markdown) of leeg"},
	{"wat_werkte", "Lessen: wat werkte, in Markdown.", "tekst (Markdown) of leeg"},
	{"gemeente_code", "CBS-code van de gemeente, bijvoorbeeld GM0363. Leeg bij een landelijk, provinciaal of regionaal voorbeeld.", "tekst of leeg"},
	{"gemeente", "Naam van de gemeente, zoals het CBS die schrijft.", "tekst of leeg"},
	{"betrokken_gemeenten", "CBS-codes van de andere gemeenten die meedoen, bijvoorbeeld bij een regionale aanpak. In CSV gescheiden door ‘ | ’; in JSON een lijst van objecten met gemeente_code en gemeente.", "tekst; JSON: lijst"},
	{"betrokken_gemeente_namen", "Namen van de betrokken gemeenten, gescheiden door ‘ | ’. Alleen in CSV; in JSON staan ze bij betrokken_gemeenten.", "tekst"},
	{"provincie_code", "CBS-code van de provincie van de gemeente, of van de provincie waar een voorbeeld zonder gemeente bij hoort (bijvoorbeeld provinciaal toezicht), zoals PV27.", "tekst of leeg"},
	{"provincie", "Naam van die provincie.", "tekst of leeg"},
	{"themas", "Thema’s van het voorbeeld als slug (zie /themas). In CSV gescheiden door ‘ | ’; in JSON een lijst van objecten met slug en label.", "tekst; JSON: lijst"},
	{"thema_labels", "Namen van de thema’s, gescheiden door ‘ | ’. Alleen in CSV; in JSON staan ze bij themas.", "tekst"},
	{"partners", "Betrokken organisaties. In CSV gescheiden door ‘ | ’; in JSON een lijst.", "tekst; JSON: lijst"},
	{"bron_url", "Openbare bron van de feiten in het voorbeeld.", "URL"},
	{"bron_gecontroleerd", "Wanneer de bron voor het laatst is nagelopen: een maand (2026-12) of een dag. Leeg als dat niet is vastgelegd.", "datum (ISO 8601, soms alleen jaar en maand) of leeg"},
	{"gepubliceerd", "Moment waarop een redacteur het voorbeeld voor het eerst publiceerde, in UTC. Leeg bij de startinhoud van de site.", "datum-tijd (ISO 8601) of leeg"},
	{"bijgewerkt", "Moment van de laatste wijziging in de database van deze site, in UTC (bij de startinhoud: wanneer die erin werd gezet of bijgewerkt).", "datum-tijd (ISO 8601)"},
	{"startinhoud", "ja als het voorbeeld bij de start van de site is opgenomen, uit de gedocumenteerde feiten van de redactie; nee als een redacteur het later toevoegde.", "tekst: ja of nee; JSON: true of false"},
}

// gemeenteColumns are the columns of /open-data/gemeenten.*.
var gemeenteColumns = []column{
	{"gemeente_code", "CBS-code van de gemeente (indeling 2025).", "tekst"},
	{"gemeente", "Naam van de gemeente, zoals het CBS die schrijft.", "tekst"},
	{"provincie_code", "CBS-code van de provincie.", "tekst"},
	{"provincie", "Naam van de provincie.", "tekst"},
	{"inwoners", "Aantal inwoners volgens het CBS op de peildatum.", "geheel getal"},
	{"inwoners_peildatum", "Datum waarop het inwonertal geldt: " + populationDate + ".", "datum (ISO 8601)"},
}

// figureColumns and nationalColumns document the figure downloads that the map
// (Land in beeld) serves; they are listed here so /open-data describes every file.
var figureColumns = []column{
	{"cijfers", "Wat voor cijfers de regel bevat, vooraan zodat het label nooit los raakt: fictief als de realisatie fictief (gesimuleerd) is of de overloop daaruit volgt, anders berekend als de taakstelling berekend is, anders officieel; leeg als niets bekend is. Zie ‘Fictief, berekend of officieel’ hieronder.", "tekst: fictief, berekend of officieel, of leeg"},
	{"periode", "Halfjaar, bijvoorbeeld 2025-H1.", "tekst"},
	{"gemeente_code", "CBS-code van de gemeente.", "tekst"},
	{"gemeente", "Naam van de gemeente.", "tekst"},
	{"provincie_code", "CBS-code van de provincie.", "tekst"},
	{"provincie", "Naam van de provincie.", "tekst"},
	{"inwoners", "Inwonertal waarnaar de taakstelling is verdeeld (CBS, 1 januari 2025). Leeg voor een oudere indeling zonder inwonertal.", "geheel getal of leeg"},
	{"taakstelling", "Aantal vergunninghouders (personen) dat de gemeente in deze periode moet huisvesten. Leeg als het onbekend is (2024-H2: geen landelijk cijfer gevonden).", "geheel getal of leeg"},
	{"taakstelling_bron", "officieel (uit de circulaire) of berekend (het landelijke cijfer verdeeld naar inwonertal; niet het officiële getal).", "tekst: officieel of berekend"},
	{"overloop_saldo", "De achterstand of voorsprong die aan het eind van het vorige halfjaar overbleef en meetelt, in personen. Negatief: een achterstand (achter); positief: een voorsprong (voor), hetzelfde teken als verschil. Leeg als het vorige halfjaar geen volledige cijfers heeft. Heette tot december 2026 overloop, met het omgekeerde teken.", "geheel getal of leeg"},
	{"gecorrigeerde_taakstelling", "taakstelling min overloop_saldo: wat de gemeente deze periode werkelijk moet halen.", "geheel getal of leeg"},
	{"peildatum", "Datum van de laatste telling in deze periode (de eerste van een maand). Leeg als er geen telling is.", "datum (ISO 8601) of leeg"},
	{"gerealiseerd", "Aantal vergunninghouders dat in deze periode tot de peildatum is gehuisvest.", "geheel getal of leeg"},
	{"verwacht_pro_rata", "Wat volgens de maatstaf van deze site op de peildatum gerealiseerd zou zijn: een zesde van de gecorrigeerde taakstelling per verstreken maand, afgerond op het dichtstbijzijnde hele getal. Geen wettelijke tussentijdse verplichting.", "geheel getal of leeg"},
	{"verschil", "gerealiseerd min verwacht_pro_rata. Negatief: achter op schema; positief: voor op schema.", "geheel getal of leeg"},
	{"percentage_pro_rata", "gerealiseerd als percentage van verwacht_pro_rata, naar beneden afgerond. Leeg als er geen oordeel is (minder dan 5 personen verwacht).", "geheel getal of leeg"},
	{"status", "voor op schema, op schema, achter op schema, ver achter op schema, te klein om te beoordelen of geen gegevens. De grenzen staan in de legenda van de kaart.", "tekst"},
	{"realisatie_bron", "officieel (ingevoerd uit een openbare bron) of fictief (gesimuleerde voorbeeldcijfers).", "tekst: officieel of fictief"},
	{"bekende_afwijking", "Een bekende uitzondering op de verdeling naar inwonertal die deze gemeente betreft (de Friese Waddeneilanden, Eemsdelta), met een verwijzing naar de uitleg op /taakstelling. Leeg als er geen is of als de taakstelling officieel is.", "tekst of leeg"},
}

var nationalColumns = []column{
	{"periode", "Halfjaar, bijvoorbeeld 2025-H1.", "tekst"},
	{"totaal", "Landelijke taakstelling: aantal vergunninghouders (personen) dat alle gemeenten samen moeten huisvesten. Leeg als het cijfer niet is gevonden of deze site het nog niet heeft.", "geheel getal of leeg"},
	{"status", "vastgesteld, bijgesteld (vastgesteld en later verhoogd of verlaagd), prognose, afgeleid, niet gevonden of nog geen landelijk cijfer. Elke regel heeft een status.", "tekst"},
	{"officieel", "ja als het cijfer door het Rijk is vastgesteld (status vastgesteld of bijgesteld), anders nee.", "ja of nee"},
	{"bron_url", "Waar het cijfer is gevonden.", "URL of leeg"},
	{"bron_soort", "Wat voor bron dat is: Rijksoverheid, Staatscourant, nieuwsbank (overgenomen bericht van de Rijksoverheid), Platform Opnieuw Thuis of nieuws of vakmedia.", "tekst of leeg"},
	{"bron_datum", "Datum van die bron.", "datum (ISO 8601, soms alleen jaar en maand)"},
	{"opmerking", "Toelichting, bijvoorbeeld een eerdere of latere waarde.", "tekst"},
}

// populationDate is the reference date of the CBS population figures in the seed.
const populationDate = "2025-01-01"

// Licence texts of the downloads.
const (
	ccBy       = "CC BY 4.0"
	ccByURL    = "https://creativecommons.org/licenses/by/4.0/deed.nl"
	listSep    = " | "
	siteAuthor = "Opnieuw Thuis"
)

// dataset is the files and columns of one entry on /open-data; its prose is in
// views/opendata/index.html.
type dataset struct {
	ID      string // fragment identifier on the page
	Title   string
	Files   []download
	Columns []column
}

// download is one file of a dataset.
type download struct {
	Label string
	URL   string
}

// openDataPage is the view model of /open-data.
type openDataPage struct {
	page
	Cases, Gemeenten, Figures, National dataset
	CasesChanged                        time.Time // the last change of a published case, zero for none
	LastImport                          time.Time // of official figures, zero for none
	LatestPeil                          time.Time // the latest peildatum in the figures, zero for none
	Attribution                         string    // the sources of the national figures (nationalAttribution)
	NationalNote                        string    // also in the national download's JSON
	ThemeFeeds                          []feedLink
	ProvFeeds                           []feedLink
	LicenceURL                          string
	LicenceName                         string
}

// Datasets lists the downloads in the order of the page.
func (p openDataPage) Datasets() []dataset {
	return []dataset{p.Cases, p.Gemeenten, p.Figures, p.National}
}

// openData lists every download with its licence, columns and last change.
func (h *Handler) openData(c *fiber.Ctx) error {
	ctx := c.UserContext()
	changed, err := h.db.CasesChangedAt(ctx)
	if err != nil {
		return err
	}
	themes, err := h.db.Themes(ctx)
	if err != nil {
		return err
	}
	provinces, err := h.db.Provinces(ctx)
	if err != nil {
		return err
	}
	lastImport, latestPeil, err := h.db.FiguresChangedAt(ctx)
	if err != nil {
		return err
	}
	national, err := h.nationalPeriods(ctx)
	if err != nil {
		return err
	}
	vm := openDataPage{
		Cases:        dataset{ID: "voorbeelden", Title: "Goede voorbeelden", Files: csvJSON("/open-data/voorbeelden"), Columns: caseColumns},
		Gemeenten:    dataset{ID: "gemeenten", Title: "Gemeenten", Files: csvJSON("/open-data/gemeenten"), Columns: gemeenteColumns},
		Figures:      dataset{ID: "cijfers", Title: "Taakstelling en realisatie per gemeente", Files: csvJSON("/open-data/cijfers"), Columns: figureColumns},
		National:     dataset{ID: "taakstelling-landelijk", Title: "Landelijke taakstelling per halfjaar", Files: csvJSON("/open-data/taakstelling-landelijk"), Columns: nationalColumns},
		Attribution:  nationalAttribution(national),
		NationalNote: strings.Join(nationalNotes[:3], " "),
		LicenceURL:   ccByURL,
		LicenceName:  ccBy,
	}
	if !changed.IsZero() {
		vm.CasesChanged = changed.In(amsterdam)
	}
	if !lastImport.IsZero() {
		vm.LastImport = lastImport.In(amsterdam)
	}
	if p, err := time.Parse(time.DateOnly, latestPeil); err == nil {
		vm.LatestPeil = p
	}
	vm.Feeds = []feedLink{{Title: "Nieuwe goede voorbeelden", URL: h.canonical("/voorbeelden.atom")}}
	for _, t := range themes {
		vm.ThemeFeeds = append(vm.ThemeFeeds, feedLink{Title: t.Label, URL: h.canonical("/voorbeelden.atom?thema=" + t.Slug)})
	}
	for _, p := range provinces {
		vm.ProvFeeds = append(vm.ProvFeeds, feedLink{Title: p.Name, URL: h.canonical("/voorbeelden.atom?provincie=" + p.Code)})
	}
	vm.Title = "Open data"
	vm.Description = "Download de goede voorbeelden, de gemeenten en de cijfers van de taakstelling als CSV of JSON, of volg nieuwe voorbeelden met een Atom-feed. Vrij te hergebruiken onder CC BY 4.0."
	vm.Canonical = h.canonical("/open-data")
	vm.Nav = "open-data"
	return h.render(c, fiber.StatusOK, "opendata/index", "", vm)
}

func csvJSON(base string) []download {
	return []download{
		{Label: "CSV", URL: base + ".csv"},
		{Label: "CSV voor Excel", URL: excelURL(base + ".csv")},
		{Label: "JSON", URL: base + ".json"},
	}
}

// exportMeta heads every JSON download.
type exportMeta struct {
	Title         string    `json:"titel"`
	Description   string    `json:"beschrijving"`
	URL           string    `json:"url"`
	Documentation string    `json:"documentatie"`
	Licence       string    `json:"licentie"`
	LicenceURL    string    `json:"licentie_url"`
	Attribution   string    `json:"naamsvermelding"`
	Generated     time.Time `json:"gegenereerd"`
}

// caseRecord is a case in a JSON download; its keys are the names in caseColumns.
type caseRecord struct {
	ID              int64           `json:"id"`
	Slug            string          `json:"slug"`
	Title           string          `json:"titel"`
	Summary         string          `json:"samenvatting"`
	Body            string          `json:"tekst"`
	URL             string          `json:"url"`
	Kind            string          `json:"soort"`
	Year            *int            `json:"jaar"`
	Stage           string          `json:"stand_van_zaken"`
	StageDate       *string         `json:"stand_per"`
	TargetGroups    []string        `json:"doelgroep"`
	Homes           *int            `json:"woningen"`
	HomesQualifier  *string         `json:"woningen_betekenis"`
	People          *int            `json:"personen"`
	PeopleQualifier *string         `json:"personen_betekenis"`
	Financing       *string         `json:"financiering"`
	LessonsHard     *string         `json:"wat_ging_moeilijk"`
	LessonsWorked   *string         `json:"wat_werkte"`
	GemeenteCode    *string         `json:"gemeente_code"`
	Gemeente        *string         `json:"gemeente"`
	RelatedJSON     []relatedRecord `json:"betrokken_gemeenten"`
	ProvinceCode    *string         `json:"provincie_code"`
	Province        *string         `json:"provincie"`
	Themes          []themeRecord   `json:"themas"`
	Partners        []string        `json:"partners"`
	SourceURL       string          `json:"bron_url"`
	SourceChecked   *string         `json:"bron_gecontroleerd"`
	Published       *time.Time      `json:"gepubliceerd"`
	Updated         time.Time       `json:"bijgewerkt"`
	Seeded          bool            `json:"startinhoud"`
}

type themeRecord struct {
	Slug  string `json:"slug"`
	Label string `json:"label"`
}

// relatedRecord is a related gemeente in a JSON download.
type relatedRecord struct {
	Code string `json:"gemeente_code"`
	Name string `json:"gemeente"`
}

func (h *Handler) caseRecord(c db.Case) caseRecord {
	r := caseRecord{
		ID: c.ID, Slug: c.Slug, Title: c.Title, Summary: c.Summary, Body: c.Body,
		URL: h.canonical("/voorbeelden/" + c.Slug), Kind: c.Kind,
		Year: c.Year, Stage: c.Stage, StageDate: orNull(c.StageDate), TargetGroups: c.TargetGroups,
		Homes: c.Homes, HomesQualifier: orNull(c.HomesQualifier), People: c.People, PeopleQualifier: orNull(c.PeopleQualifier),
		Financing: orNull(c.Financing), LessonsHard: orNull(c.LessonsHard), LessonsWorked: orNull(c.LessonsWorked),
		GemeenteCode: orNull(c.GemeenteCode), Gemeente: orNull(c.GemeenteName), RelatedJSON: []relatedRecord{},
		ProvinceCode: orNull(c.ProvinceCode), Province: orNull(c.ProvinceName),
		Themes: []themeRecord{}, Partners: c.Partners, SourceURL: c.SourceURL, SourceChecked: orNull(c.SourceChecked),
		Updated: c.UpdatedAt.UTC(), Seeded: c.Seeded,
	}
	if r.Partners == nil {
		r.Partners = []string{}
	}
	if r.TargetGroups == nil {
		r.TargetGroups = []string{}
	}
	for _, g := range c.RelatedGemeenten {
		r.RelatedJSON = append(r.RelatedJSON, relatedRecord{Code: g.Code, Name: g.Name})
	}
	for _, t := range c.Themes {
		r.Themes = append(r.Themes, themeRecord{Slug: t.Slug, Label: t.Label})
	}
	if p := c.PublishedByEditor(); p != nil {
		t := p.UTC()
		r.Published = &t
	}
	return r
}

// csvRow is the record as CSV cells, in the order of caseColumns.
func (r caseRecord) csvRow() []string {
	slugs := make([]string, len(r.Themes))
	labels := make([]string, len(r.Themes))
	for i, t := range r.Themes {
		slugs[i], labels[i] = t.Slug, t.Label
	}
	codes := make([]string, len(r.RelatedJSON))
	names := make([]string, len(r.RelatedJSON))
	for i, g := range r.RelatedJSON {
		codes[i], names[i] = g.Code, g.Name
	}
	published := ""
	if r.Published != nil {
		published = r.Published.Format(time.RFC3339)
	}
	seeded := "nee"
	if r.Seeded {
		seeded = "ja"
	}
	return []string{
		strconv.FormatInt(r.ID, 10), r.Slug, r.Title, r.Summary, r.Body, r.URL, r.Kind,
		intCell(r.Year), r.Stage, deref(r.StageDate), strings.Join(r.TargetGroups, listSep),
		intCell(r.Homes), deref(r.HomesQualifier), intCell(r.People), deref(r.PeopleQualifier),
		deref(r.Financing), deref(r.LessonsHard), deref(r.LessonsWorked),
		deref(r.GemeenteCode), deref(r.Gemeente), strings.Join(codes, listSep), strings.Join(names, listSep),
		deref(r.ProvinceCode), deref(r.Province),
		strings.Join(slugs, listSep), strings.Join(labels, listSep), strings.Join(r.Partners, listSep),
		r.SourceURL, deref(r.SourceChecked), published, r.Updated.Format(time.RFC3339), seeded,
	}
}

// exportCasesCSV streams the published cases matching the library's query string.
func (h *Handler) exportCasesCSV(c *fiber.Ctx) error {
	return h.streamCasesCSV(c, parseCaseFilter(c), "goede-voorbeelden-selectie.csv")
}

// exportCasesJSON is exportCasesCSV as JSON.
func (h *Handler) exportCasesJSON(c *fiber.Ctx) error {
	f := parseCaseFilter(c)
	return h.streamCasesJSON(c, f, "Goede voorbeelden: selectie", "De gepubliceerde voorbeelden die passen bij de zoekvraag en filters op de pagina in url, in dezelfde volgorde.", libraryURL(exportFilter(f)))
}

// openDataCasesCSV streams every published case.
func (h *Handler) openDataCasesCSV(c *fiber.Ctx) error {
	return h.streamCasesCSV(c, db.CaseFilter{}, "opnieuwthuis-voorbeelden.csv")
}

// openDataCasesJSON streams every published case as JSON.
func (h *Handler) openDataCasesJSON(c *fiber.Ctx) error {
	return h.streamCasesJSON(c, db.CaseFilter{}, "Goede voorbeelden", "Alle gepubliceerde goede voorbeelden van Opnieuw Thuis, nieuwste eerst.", "/voorbeelden")
}

func (h *Handler) streamCasesCSV(c *fiber.Ctx, f db.CaseFilter, filename string) error {
	ctx := c.UserContext()
	return streamCSV(c, filename, columnNames(caseColumns), func(write func(row ...string) error) error {
		return h.db.EachCase(ctx, f, func(cs db.Case) error {
			return write(h.caseRecord(cs).csvRow()...)
		})
	})
}

func (h *Handler) streamCasesJSON(c *fiber.Ctx, f db.CaseFilter, title, description, path string) error {
	ctx := c.UserContext()
	meta := h.exportMeta(title, description, path, "Opnieuw Thuis. De feiten komen uit de bron die bij elk voorbeeld staat.")
	return streamJSONArray(c, meta, func(emit func(v any) error) error {
		return h.db.EachCase(ctx, f, func(cs db.Case) error {
			return emit(h.caseRecord(cs))
		})
	})
}

func (h *Handler) exportMeta(title, description, path, attribution string) exportMeta {
	return exportMeta{
		Title: title, Description: description, URL: h.canonical(path),
		Documentation: h.canonical("/open-data"), Licence: ccBy, LicenceURL: ccByURL,
		Attribution: attribution, Generated: time.Now().UTC().Truncate(time.Second),
	}
}

// gemeenteRecord is a gemeente in the JSON download; keys as in gemeenteColumns.
type gemeenteRecord struct {
	Code           string `json:"gemeente_code"`
	Name           string `json:"gemeente"`
	ProvinceCode   string `json:"provincie_code"`
	Province       string `json:"provincie"`
	Population     int    `json:"inwoners"`
	PopulationDate string `json:"inwoners_peildatum"`
}

// gemeenteRecords reads all gemeenten up front: 342 small rows, not worth streaming
// from the database.
func (h *Handler) gemeenteRecords(ctx context.Context) ([]gemeenteRecord, error) {
	list, err := h.db.Gemeenten(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]gemeenteRecord, len(list))
	for i, g := range list {
		out[i] = gemeenteRecord{g.Code, g.Name, g.ProvinceCode, g.ProvinceName, g.Population, populationDate}
	}
	return out, nil
}

// openDataGemeentenCSV serves the gemeenten with code, province and population.
func (h *Handler) openDataGemeentenCSV(c *fiber.Ctx) error {
	list, err := h.gemeenteRecords(c.UserContext())
	if err != nil {
		return err
	}
	return streamCSVRows(c, "opnieuwthuis-gemeenten.csv", gemeenteColumns, list, func(g gemeenteRecord) []string {
		return []string{g.Code, g.Name, g.ProvinceCode, g.Province, strconv.Itoa(g.Population), g.PopulationDate}
	})
}

// openDataGemeentenJSON is openDataGemeentenCSV as JSON.
func (h *Handler) openDataGemeentenJSON(c *fiber.Ctx) error {
	list, err := h.gemeenteRecords(c.UserContext())
	if err != nil {
		return err
	}
	meta := h.exportMeta("Gemeenten", "De gemeenten van de CBS-indeling 2025 met provincie en inwonertal per 1 januari 2025.",
		"/open-data", "CBS (inwonertallen per 1 januari 2025); gemeentelijke indeling: CBS / Kadaster (PDOK).")
	return streamJSONArray(c, meta, func(emit func(v any) error) error {
		for _, g := range list {
			if err := emit(g); err != nil {
				return err
			}
		}
		return nil
	})
}

// exportFilter is a library filter as downloads and feeds use it: every match, so
// no page.
func exportFilter(f db.CaseFilter) db.CaseFilter {
	f.Page, f.PerPage = 0, 0
	return f
}

// downloadURL is the address of the library's selection f as a file: ext is
// "csv", "json" or "atom".
func downloadURL(f db.CaseFilter, ext string) string {
	if ext == "atom" {
		f.Sort = "" // a feed is always newest first
	}
	return "/voorbeelden." + ext + strings.TrimPrefix(libraryURL(exportFilter(f)), "/voorbeelden")
}

// excelURL is the address of a CSV download's variant for Dutch Excel (see streamCSV).
func excelURL(csvURL string) string {
	if strings.Contains(csvURL, "?") {
		return csvURL + "&excel=1"
	}
	return csvURL + "?excel=1"
}

// orNull is nil for "": an empty value is null in the JSON downloads.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref is the CSV cell of an optional text: empty for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func intCell(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}
