package db

// The figure import: editors upload a CSV of official taakstelling and realisation
// figures for one half year. This file parses and checks it against the period's
// boundary set, previews what would change, and writes it in one transaction.
//
// It writes the tables of the map (schema.sql: periods, division_gemeenten,
// taakstellingen, realisaties) following the contract in the map's db/figures.go:
// official taakstellingen replace computed ones; official realisations replace all
// fictitious realisations of the period, so official and fictitious figures never
// mix. The basis values ('officieel', 'berekend', 'fictief') are written literally
// here to keep this file independent of the map's Go constants.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxImportBytes is the largest CSV file an editor may upload.
const MaxImportBytes = 5 << 20

// maxImportErrors bounds the list of bad lines shown: a wholly wrong file would
// otherwise give thousands.
const maxImportErrors = 200

// The columns of an import file (header row, any order, case-insensitive).
const (
	ColGemeente     = "gemeente_code"
	ColPeriod       = "periode"
	ColTaakstelling = "taakstelling"
	ColPeildatum    = "peildatum"
	ColRealised     = "gerealiseerd"
	ColOfficial     = "officieel"
)

// FigureImport is a checked import file: every row is valid for Period.
type FigureImport struct {
	Period   string
	Division int
	Filename string
	UploadID string // the stored upload it came from (figure_uploads), if any
	Rows     []FigureImportRow
	// AllowLoss lets the import leave gemeenten without the realisations they have
	// (ImportPreview.LostGemeenten): the editor confirmed that explicitly, and may.
	// Without it such an import gives ErrForbidden and writes nothing.
	AllowLoss bool
}

// FigureImportRow holds one gemeente's figures from the file.
type FigureImportRow struct {
	GemeenteCode string
	GemeenteName string
	Taakstelling *int
	// TaakstellingOfficial is false for a taakstelling marked officieel=nee: it is
	// then stored as computed ("berekend").
	TaakstellingOfficial bool
	Realised             map[string]int // peildatum (YYYY-MM-01) → housed in the period up to it
}

// ImportLineError is a bad line of an import file (line 0: the file as a whole).
type ImportLineError struct {
	Line    int
	Message string
}

// FigureImportPeriods lists the periods figures can be imported for (those with a
// boundary set), newest first.
func (d *DB) FigureImportPeriods(ctx context.Context) ([]string, error) {
	return queryAll(ctx, d.r, "import periods", scanString,
		"SELECT code FROM periods WHERE division IS NOT NULL ORDER BY code DESC")
}

// ParseFigureImport reads and checks an import file for period. It returns every
// bad line with its number (and the file is then not to be imported), or the
// checked import. An unknown period is reported as line 0.
func (d *DB) ParseFigureImport(ctx context.Context, period, filename string, content []byte) (FigureImport, []ImportLineError, error) {
	imp := FigureImport{Period: period, Filename: filename}
	fail := func(msg string) (FigureImport, []ImportLineError, error) {
		return imp, []ImportLineError{{0, msg}}, nil
	}
	if len(content) > MaxImportBytes {
		return fail("Het bestand is groter dan 5 MB.")
	}
	year, half, ok := ParsePeriod(period)
	if !ok {
		return fail("Kies een periode zoals 2025-H1.")
	}
	var division sql.NullInt64
	err := d.r.QueryRowContext(ctx, "SELECT division FROM periods WHERE code = ?", period).Scan(&division)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !division.Valid) {
		return fail(fmt.Sprintf("Voor periode %s kunnen geen cijfers per gemeente worden ingelezen: de periode of haar gemeentelijke indeling is onbekend.", period))
	}
	if err != nil {
		return imp, nil, fmt.Errorf("parse import: %w", err)
	}
	imp.Division = int(division.Int64)
	names, err := d.divisionNames(ctx, imp.Division)
	if err != nil {
		return imp, nil, fmt.Errorf("parse import: %w", err)
	}
	p := figureParser{period: period, division: imp.Division, names: names, peildata: importPeildata(year, half)}
	imp.Rows = p.parse(content)
	return imp, p.errs, nil
}

// figureParser checks the CSV of a figure import (ParseFigureImport) without the
// database: the period's gemeenten and peildata come with it.
type figureParser struct {
	period   string
	division int
	names    map[string]string // code → name of the gemeenten of the period's division
	peildata []string

	col    map[string]int // column name → index
	errs   []ImportLineError
	byCode map[string]*FigureImportRow
	order  []string       // codes in the order of the file
	lineOf map[string]int // "code" or "code peildatum" → first line
}

// figureLine is one checked line of an import file.
type figureLine struct {
	code, name string
	official   bool
	taak       *int
	peil       string
	realised   *int
}

// parse returns the rows of the file, one per gemeente in the order of the file;
// p.errs holds every bad line (nil when there are none), ordered by line.
func (p *figureParser) parse(content []byte) []FigureImportRow {
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf")) // a BOM from a spreadsheet
	if !utf8.Valid(content) {
		p.errs = []ImportLineError{{0, "Het bestand is geen UTF-8-tekst. Sla het op als ‘CSV UTF-8’ en probeer het opnieuw."}}
		return nil
	}
	r := csv.NewReader(bytes.NewReader(content))
	r.Comma = sniffDelimiter(content)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		p.errs = []ImportLineError{{0, "Het bestand is leeg."}}
		return nil
	}
	if err != nil {
		p.errs = []ImportLineError{{0, "De kopregel is geen geldige CSV: " + csvProblem(err)}}
		return nil
	}
	if p.readHeader(header); len(p.errs) > 0 {
		return nil
	}
	p.byCode, p.lineOf = map[string]*FigureImportRow{}, map[string]int{}
	for len(p.errs) < maxImportErrors {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// FieldPos may only be asked after a successful Read: after a
			// quote error in the first field the reader has no fields and
			// FieldPos panics. The parse error carries the line instead.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			p.errs = append(p.errs, ImportLineError{line, "Deze regel is geen geldige CSV: " + csvProblem(err)})
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := r.FieldPos(0)
		if l, ok := p.check(line, rec); ok {
			p.add(line, l)
		}
	}
	var rows []FigureImportRow
	for _, code := range p.order {
		rows = append(rows, *p.byCode[code])
	}
	p.checkCumulative(rows)
	if len(p.errs) == 0 && len(rows) == 0 {
		p.errs = append(p.errs, ImportLineError{0, "Het bestand bevat geen regels met cijfers."})
	}
	slices.SortStableFunc(p.errs, func(a, b ImportLineError) int { return a.Line - b.Line })
	return rows
}

// readHeader maps the column names and checks that the needed ones are there.
func (p *figureParser) readHeader(header []string) {
	p.col = map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := p.col[h]; dup && h != "" {
			p.errs = append(p.errs, ImportLineError{1, fmt.Sprintf("De kolom ‘%s’ staat twee keer in de kopregel.", h)})
		}
		p.col[h] = i
	}
	for _, need := range []string{ColGemeente, ColPeriod, ColOfficial} {
		if _, ok := p.col[need]; !ok {
			p.errs = append(p.errs, ImportLineError{1, fmt.Sprintf("De kolom ‘%s’ ontbreekt in de kopregel.", need)})
		}
	}
	_, hasTaak := p.col[ColTaakstelling]
	_, hasPeil := p.col[ColPeildatum]
	_, hasReal := p.col[ColRealised]
	if hasPeil != hasReal {
		p.errs = append(p.errs, ImportLineError{1, "De kolommen ‘peildatum’ en ‘gerealiseerd’ horen bij elkaar: geef ze allebei of geen van beide."})
	}
	if !hasTaak && !hasReal {
		p.errs = append(p.errs, ImportLineError{1, "Geef een kolom ‘taakstelling’, of de kolommen ‘peildatum’ en ‘gerealiseerd’, of alle drie."})
	}
}

// cell is the trimmed value of a named column, "" when the line is shorter.
func (p *figureParser) cell(rec []string, name string) string {
	i, ok := p.col[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// check reads one line; a bad line adds its errors and is not ok.
func (p *figureParser) check(line int, rec []string) (figureLine, bool) {
	n0 := len(p.errs)
	bad := func(format string, args ...any) {
		p.errs = append(p.errs, ImportLineError{line, fmt.Sprintf(format, args...)})
	}
	var l figureLine
	l.code = strings.ToUpper(p.cell(rec, ColGemeente))
	name, known := p.names[l.code]
	l.name = name
	switch {
	case l.code == "":
		bad("De gemeentecode ontbreekt.")
	case !known:
		bad("Onbekende gemeentecode ‘%s’: die hoort niet bij de gemeentelijke indeling %d van periode %s.", excerpt(l.code, 20), p.division, p.period)
	}
	if v := p.cell(rec, ColPeriod); v != p.period {
		bad("Verkeerde periode ‘%s’: dit bestand wordt ingelezen voor %s.", excerpt(v, 20), p.period)
	}
	switch strings.ToLower(p.cell(rec, ColOfficial)) {
	case "ja", "j", "yes", "true", "1":
		l.official = true
	case "nee", "n", "no", "false", "0":
	default:
		bad("Vul bij ‘officieel’ ja of nee in.")
	}
	if taakText := p.cell(rec, ColTaakstelling); taakText != "" {
		n, ok := importCount(taakText)
		if !ok {
			bad("De taakstelling ‘%s’ is geen geheel getal van 0 of meer.", excerpt(taakText, 20))
		}
		l.taak = &n
	}
	l.peil = p.cell(rec, ColPeildatum)
	realText := p.cell(rec, ColRealised)
	switch {
	case l.peil == "" && realText == "":
	case l.peil == "" || realText == "":
		bad("Geef bij een realisatie zowel de peildatum als het aantal gerealiseerd.")
	default:
		if !slices.Contains(p.peildata, l.peil) {
			bad("Ongeldige peildatum ‘%s’: gebruik de eerste van een maand binnen de periode, van %s tot en met %s.",
				excerpt(l.peil, 20), p.peildata[0], p.peildata[len(p.peildata)-1])
		}
		n, ok := importCount(realText)
		if !ok {
			bad("Het aantal gerealiseerd ‘%s’ is geen geheel getal van 0 of meer.", excerpt(realText, 20))
		}
		l.realised = &n
		if !l.official {
			bad("Realisaties kunnen alleen als officiële cijfers worden ingelezen (officieel = ja); fictieve cijfers maakt de site zelf.")
		}
	}
	if l.taak == nil && l.realised == nil && len(p.errs) == n0 {
		bad("Deze regel bevat geen taakstelling en geen realisatie.")
	}
	return l, len(p.errs) == n0
}

// add puts a checked line in its gemeente's row; a taakstelling or a realisation
// given twice is an error on the second line.
func (p *figureParser) add(line int, l figureLine) {
	row := p.byCode[l.code]
	if row == nil {
		row = &FigureImportRow{GemeenteCode: l.code, GemeenteName: l.name, Realised: map[string]int{}}
		p.byCode[l.code] = row
		p.order = append(p.order, l.code)
	}
	if l.taak != nil {
		if first, dup := p.lineOf[l.code]; dup {
			p.errs = append(p.errs, ImportLineError{line, fmt.Sprintf("Dubbele regel: de taakstelling van %s staat ook op regel %d.", l.code, first)})
		} else {
			p.lineOf[l.code] = line
			row.Taakstelling, row.TaakstellingOfficial = l.taak, l.official
		}
	}
	if l.realised != nil {
		key := l.code + " " + l.peil
		if first, dup := p.lineOf[key]; dup {
			p.errs = append(p.errs, ImportLineError{line, fmt.Sprintf("Dubbele regel: de realisatie van %s op %s staat ook op regel %d.", l.code, l.peil, first)})
		} else {
			p.lineOf[key] = line
			row.Realised[l.peil] = *l.realised
		}
	}
}

// checkCumulative checks that counts do not go down within the period: they add
// up from its start.
func (p *figureParser) checkCumulative(rows []FigureImportRow) {
	for _, row := range rows {
		prev, prevDate := -1, ""
		for _, d := range p.peildata {
			n, ok := row.Realised[d]
			if !ok {
				continue
			}
			if n < prev {
				p.errs = append(p.errs, ImportLineError{p.lineOf[row.GemeenteCode+" "+d],
					fmt.Sprintf("Het aantal gerealiseerd van %s op %s (%d) is lager dan op %s (%d); het telt op vanaf het begin van de periode en kan niet dalen.",
						row.GemeenteCode, d, n, prevDate, prev)})
			}
			prev, prevDate = n, d
		}
	}
}

// importPeildata are the peildata of a half year: the 1st of the second to the
// seventh month after its start (2025-H1: 2025-02-01 … 2025-07-01).
func importPeildata(year, half int) []string {
	start := time.Date(year, time.Month(6*(half-1)+1), 1, 0, 0, 0, 0, time.UTC)
	out := make([]string, 6)
	for m := 1; m <= 6; m++ {
		out[m-1] = start.AddDate(0, m, 0).Format("2006-01-02")
	}
	return out
}

// importCount parses a whole number of persons: digits only, up to a million.
func importCount(s string) (int, bool) {
	if s == "" || strings.Trim(s, "0123456789") != "" || len(s) > 7 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= 1_000_000
}

// sniffDelimiter picks ';' for the files Dutch spreadsheets write, ',' otherwise.
func sniffDelimiter(b []byte) rune {
	first, _, _ := bufio.NewReader(bytes.NewReader(b)).ReadLine()
	if bytes.Count(first, []byte{';'}) > bytes.Count(first, []byte{','}) {
		return ';'
	}
	return ','
}

func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote), errors.Is(err, csv.ErrBareQuote):
		return "een aanhalingsteken staat verkeerd."
	case errors.Is(err, csv.ErrFieldCount):
		return "het aantal kolommen klopt niet."
	}
	return "de regel kon niet worden gelezen."
}

// excerpt is s cut to n runes, ending in "…" when cut: a value quoted in a message.
func excerpt(s string, n int) string {
	if t := Truncate(s, n); t != s {
		return t + "…"
	}
	return s
}

func (d *DB) divisionNames(ctx context.Context, division int) (map[string]string, error) {
	return queryMap(ctx, d.r, fmt.Sprintf("gemeenten of division %d", division), scanStringPair,
		"SELECT code, name FROM division_gemeenten WHERE division = ?", division)
}

// ImportChange is one figure an import sets, with what is there now.
type ImportChange struct {
	GemeenteCode string
	GemeenteName string
	What         string // "taakstelling" or the peildatum of a realisation
	Old          *int
	OldBasis     string // "" when there is no figure yet
	New          int
	NewBasis     string
}

// ImportPreview is what an import would change.
type ImportPreview struct {
	Period              string
	Gemeenten           int
	NewFigures          int
	ChangedFigures      int
	UnchangedFigures    int
	FictitiousRemoved   int // fictitious realisations of the period that official ones replace
	Changes             []ImportChange
	OfficialRealisation bool
	// LostGemeenten are the gemeenten that have realisations now and none after
	// the import: their fictitious figures go, and the file brings no official
	// ones for them. The map shows them as "geen gegevens".
	LostGemeenten int
	// HadRealisations is the number of gemeenten with realisations now;
	// RealisedGemeenten the number the file brings official realisations for.
	HadRealisations   int
	RealisedGemeenten int
	// ImportID is the import's entry in the history (set by ImportFigures).
	ImportID int64
}

// Destructive reports whether the import leaves gemeenten without figures that
// have them now.
func (p ImportPreview) Destructive() bool { return p.LostGemeenten > 0 }

// PeriodLabel is the period in words: "2e halfjaar 2025".
func (p ImportPreview) PeriodLabel() string { return PeriodLabel(p.Period) }

// PeriodLabel names a half year in words: "2025-H2" → "2e halfjaar 2025".
func PeriodLabel(code string) string {
	year, half, ok := ParsePeriod(code)
	if !ok {
		return code
	}
	return fmt.Sprintf("%de halfjaar %d", half, year)
}

// PreviewFigureImport compares a checked import with the figures stored now.
func (d *DB) PreviewFigureImport(ctx context.Context, imp FigureImport) (ImportPreview, error) {
	tx, err := d.r.BeginTx(ctx, nil)
	if err != nil {
		return ImportPreview{}, fmt.Errorf("preview import: %w", err)
	}
	defer tx.Rollback()
	p, err := previewImport(ctx, tx, imp)
	if err != nil {
		return ImportPreview{}, fmt.Errorf("preview import: %w", err)
	}
	return p, nil
}

func previewImport(ctx context.Context, tx *sql.Tx, imp FigureImport) (ImportPreview, error) {
	p := ImportPreview{Period: imp.Period, Gemeenten: len(imp.Rows)}
	st, err := loadStoredFigures(ctx, tx, imp.Period)
	if err != nil {
		return p, err
	}
	p.HadRealisations = len(st.hasFictitious)
	for code := range st.hasOfficial {
		if !st.hasFictitious[code] {
			p.HadRealisations++
		}
	}
	for _, r := range imp.Rows {
		if r.Taakstelling != nil {
			basis := "berekend"
			if r.TaakstellingOfficial {
				basis = "officieel"
			}
			old, had := st.taak[r.GemeenteCode]
			p.compare(r, "taakstelling", old, had, *r.Taakstelling, basis)
		}
		peils := make([]string, 0, len(r.Realised))
		for k := range r.Realised {
			peils = append(peils, k)
		}
		slices.Sort(peils)
		for _, k := range peils {
			p.OfficialRealisation = true
			old, had := st.real[r.GemeenteCode+" "+k]
			if had && old.basis == "fictief" {
				had = false // the fictitious figure goes in any case
			}
			p.compare(r, k, old, had, r.Realised[k], "officieel")
		}
	}
	if p.OfficialRealisation {
		p.FictitiousRemoved = st.fictitious
		// Who keeps a realisation: gemeenten with official ones already, and
		// those the file brings them for. Everyone else's fictitious ones go.
		imported := map[string]bool{}
		for _, r := range imp.Rows {
			if len(r.Realised) > 0 {
				imported[r.GemeenteCode] = true
			}
		}
		for code := range st.hasFictitious {
			if !st.hasOfficial[code] && !imported[code] {
				p.LostGemeenten++
			}
		}
		p.RealisedGemeenten = len(imported)
	}
	return p, nil
}

// compare counts one figure of the import (what: "taakstelling" or a peildatum)
// against the stored one, if the period had it, and lists it when it changes.
func (p *ImportPreview) compare(r FigureImportRow, what string, old figure, had bool, n int, basis string) {
	c := ImportChange{GemeenteCode: r.GemeenteCode, GemeenteName: r.GemeenteName, What: what, New: n, NewBasis: basis}
	switch {
	case !had:
		p.NewFigures++
	case old.n == n && old.basis == basis:
		p.UnchangedFigures++
		return
	default:
		p.ChangedFigures++
		v := old.n
		c.Old, c.OldBasis = &v, old.basis
	}
	p.Changes = append(p.Changes, c)
}

// storedFigures are a period's figures before an import.
type storedFigures struct {
	taak          map[string]figure // gemeente → taakstelling
	real          map[string]figure // "gemeente peildatum" → realisation
	fictitious    int               // how many realisations are fictitious
	hasFictitious map[string]bool   // gemeenten with fictitious realisations
	hasOfficial   map[string]bool   // gemeenten with official ones
}

func loadStoredFigures(ctx context.Context, tx *sql.Tx, period string) (storedFigures, error) {
	st := storedFigures{taak: map[string]figure{}, real: map[string]figure{}, hasFictitious: map[string]bool{}, hasOfficial: map[string]bool{}}
	rows, err := tx.QueryContext(ctx, "SELECT gemeente_code, amount, basis FROM taakstellingen WHERE period = ?", period)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var (
			code string
			f    figure
		)
		if err := rows.Scan(&code, &f.n, &f.basis); err != nil {
			rows.Close()
			return st, err
		}
		st.taak[code] = f
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, "SELECT gemeente_code, peildatum, realised, basis FROM realisaties WHERE period = ?", period)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			code, peil string
			f          figure
		)
		if err := rows.Scan(&code, &peil, &f.n, &f.basis); err != nil {
			return st, err
		}
		st.real[code+" "+peil] = f
		if f.basis == "fictief" {
			st.fictitious++
			st.hasFictitious[code] = true
		} else {
			st.hasOfficial[code] = true
		}
	}
	return st, rows.Err()
}

type figure struct {
	n     int
	basis string
}

// ImportFigures writes a checked import in one transaction, together with its
// audit entry and the removal of its stored upload: official taakstellingen replace
// what is there; official realisations first remove every fictitious realisation
// of the period. It returns what changed.
func (d *DB) ImportFigures(ctx context.Context, imp FigureImport, by User) (ImportPreview, error) {
	var p ImportPreview
	at := d.Now()
	err := d.write(ctx, func(tx *sql.Tx) error {
		actor, err := loadActor(ctx, tx, by.ID)
		if err != nil {
			return err
		}
		if p, err = previewImport(ctx, tx, imp); err != nil {
			return err
		}
		if p.LostGemeenten > 0 && !imp.AllowLoss {
			return ErrForbidden
		}
		snapshot, err := periodSnapshot(ctx, tx, imp.Period)
		if err != nil {
			return err
		}
		if p.OfficialRealisation {
			if _, err := tx.ExecContext(ctx, "DELETE FROM realisaties WHERE period = ? AND basis = 'fictief'", imp.Period); err != nil {
				return err
			}
		}
		for _, r := range imp.Rows {
			if r.Taakstelling != nil {
				basis := "berekend"
				if r.TaakstellingOfficial {
					basis = "officieel"
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO taakstellingen (period, division, gemeente_code, amount, basis)
					VALUES (?, ?, ?, ?, ?) ON CONFLICT (period, gemeente_code)
					DO UPDATE SET amount = excluded.amount, basis = excluded.basis`,
					imp.Period, imp.Division, r.GemeenteCode, *r.Taakstelling, basis); err != nil {
					return fmt.Errorf("taakstelling %s: %w", r.GemeenteCode, err)
				}
			}
			for peil, n := range r.Realised {
				if _, err := tx.ExecContext(ctx, `INSERT INTO realisaties (period, division, gemeente_code, peildatum, realised, basis)
					VALUES (?, ?, ?, ?, ?, 'officieel') ON CONFLICT (period, gemeente_code, peildatum)
					DO UPDATE SET realised = excluded.realised, basis = excluded.basis`,
					imp.Period, imp.Division, r.GemeenteCode, peil, n); err != nil {
					return fmt.Errorf("realisatie %s %s: %w", r.GemeenteCode, peil, err)
				}
			}
		}
		if imp.UploadID != "" {
			if _, err := tx.ExecContext(ctx, "DELETE FROM figure_uploads WHERE id = ?", imp.UploadID); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("%s: %d gemeenten, %d nieuw, %d gewijzigd, %d ongewijzigd, %d fictieve realisaties vervangen",
			imp.Filename, p.Gemeenten, p.NewFigures, p.ChangedFigures, p.UnchangedFigures, p.FictitiousRemoved)
		if p.LostGemeenten > 0 {
			detail += fmt.Sprintf(", %d gemeenten zonder cijfers", p.LostGemeenten)
		}
		if p.ImportID, err = recordImport(ctx, tx, imp, actor, detail, p.LostGemeenten, snapshot, at); err != nil {
			return err
		}
		return audit(ctx, tx, at, &actor, ActionImport, "cijfers "+imp.Period, detail)
	})
	if err != nil {
		return ImportPreview{}, fmt.Errorf("import figures for %s: %w", imp.Period, err)
	}
	return p, nil
}

// FigureUpload is an uploaded file waiting for the editor's confirmation.
type FigureUpload struct {
	ID       string
	UserID   int64
	Period   string
	Filename string
	Content  []byte
}

// figureUploadMaxAge is how long an upload waits for confirmation.
const figureUploadMaxAge = 24 * time.Hour

// SaveFigureUpload keeps a checked file until the editor confirms the import, and
// removes uploads nobody confirmed within a day.
func (d *DB) SaveFigureUpload(ctx context.Context, by User, period, filename string, content []byte) (string, error) {
	b := make([]byte, 16)
	rand.Read(b)
	id := hex.EncodeToString(b)
	at := d.Now()
	err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM figure_uploads WHERE created_at < ?", timestamp(at.Add(-figureUploadMaxAge))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO figure_uploads (id, user_id, period, filename, content, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			id, by.ID, period, filename, content, timestamp(at))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("save figure upload: %w", err)
	}
	return id, nil
}

// FindFigureUpload returns an upload of the editor's own.
func (d *DB) FindFigureUpload(ctx context.Context, id string, by User) (FigureUpload, error) {
	u := FigureUpload{ID: id}
	err := d.r.QueryRowContext(ctx, "SELECT user_id, period, filename, content FROM figure_uploads WHERE id = ? AND user_id = ? AND created_at >= ?",
		id, by.ID, timestamp(d.Now().Add(-figureUploadMaxAge))).Scan(&u.UserID, &u.Period, &u.Filename, &u.Content)
	if err != nil {
		return FigureUpload{}, lookupErr(err, fmt.Sprintf("figure upload %q", id))
	}
	return u, nil
}

// DeleteFigureUpload drops an upload the editor cancelled.
func (d *DB) DeleteFigureUpload(ctx context.Context, id string, by User) error {
	return d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM figure_uploads WHERE id = ? AND user_id = ?", id, by.ID)
		return err
	})
}
