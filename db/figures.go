package db

// Land in beeld: the taakstelling figures of every gemeente, per half year.
//
// # The model (issue 3)
//
// Every half year (a Period, "2025-H1") the state sets a national number of permit
// holders to house (periods.national_total). Each gemeente's taakstelling is its share
// in proportion to its population (taakstellingen, basis 'berekend' when this program
// computed it, 'officieel' when imported from the circulaire). Realisations are
// counted monthly: realisaties holds, per gemeente and peildatum (the 1st of a month),
// the number housed in the period up to that date, cumulative, as COA reports it.
//
//   - gecorrigeerde taakstelling = taakstelling + achterstand carried in
//     − voorsprong carried in (CarriedIn is positive for an achterstand).
//   - A carry-in is known only when the previous half year, on the same boundary set,
//     had a known gecorrigeerde taakstelling and a realisation at its last peildatum
//     (the period's end). Otherwise it is unknown, and the period is computed without
//     carry-over; every page and export says so (CarriedIn nil).
//   - After m elapsed months (the gemeente's latest peildatum in the period) a gemeente
//     is expected to have housed m/6 of its gecorrigeerde taakstelling. This yardstick
//     is the platform's own (it comes from the original Land in beeld of April 2017),
//     not a legal interim obligation: the law judges the whole half year. Expected is
//     rounded to the nearest whole person (a half to the even one), so that small
//     gemeenten are not pushed behind by rounding: see ExpectedProRata.
//   - Standing compares realised with Expected: voor op schema from 110 %, op schema
//     from 100 %, achter op schema from 75 %, ver achter op schema below; no verdict
//     ("te klein om te beoordelen") when fewer than MinJudgedExpected persons are
//     expected; geen gegevens when the taakstelling or the realisation is unknown. See
//     classify. The words achterstand and voorsprong are kept for the carry-over.
//   - At the end of a period what is left (gecorrigeerd − realised, negative for a
//     voorsprong) carries to the next period: the achterstand or voorsprong. A
//     carry-over computed from fictitious realisations is fictitious too
//     (CarriedInFictitious), and so is every row it reaches.
//
// # Importing official figures (issue 4 builds the importer; this is its contract)
//
// Everything an import needs is in the schema; it runs in one d.write transaction:
//
//   - Look up the period (FindPeriod): its Division is the boundary set whose codes
//     are valid (PeriodGemeenten lists them). Both foreign keys of taakstellingen and
//     realisaties enforce that pairing, and a CHECK keeps each peildatum inside its
//     period.
//   - Taakstelling: INSERT INTO taakstellingen (period, division, gemeente_code,
//     amount, basis) VALUES (…, 'officieel') ON CONFLICT (period, gemeente_code)
//     DO UPDATE SET amount = excluded.amount, basis = excluded.basis.
//   - Realisations: DELETE FROM realisaties WHERE period = ? AND basis = 'fictief'
//     (all gemeenten of the period, so official and fictitious figures never mix),
//     then INSERT the cumulative count per (gemeente, peildatum) with basis
//     'officieel', upserting like the taakstelling. Counts must not decrease within a
//     period; the importer validates that. A row stays labelled fictief while its
//     carry-over comes from a previous period's fictitious realisations.
//   - Periods of the 2016 boundary set (2016–2017) have no population, so their
//     taakstelling is never computed: only imported official figures appear there.
//
// Nothing else is needed: triggers bump figures_version on every change, and the next
// request rebuilds the computed standings (figureSnapshot) and the cached maps.
// The importer (import.go) does this: ParseFigureImport checks a file into a
// FigureImport, PreviewFigureImport compares it with what is stored, and
// ImportFigures writes it.

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bases of a figure: where it comes from.
const (
	BasisOfficial   = "officieel" // imported from an official source
	BasisComputed   = "berekend"  // taakstelling computed from the national total and population
	BasisFictitious = "fictief"   // generated demo realisations
)

// Statuses of a national total (periods.total_status), as the sources give them.
// Only vastgesteld and bijgesteld figures are official (Period.Official).
const (
	TotalSet      = "vastgesteld" // set by the state in its circulaire
	TotalAdjusted = "bijgesteld"  // set, and later raised or lowered: this is the later figure
	TotalForecast = "prognose"    // only the forecast was found
	TotalInferred = "afgeleid"    // worked out from what a source says: indicative
	TotalMissing  = "niet gevonden"
	// TotalPending is no stored status: the half years after the last stored period,
	// up to today's, get it (PendingPeriods).
	TotalPending = "nog geen landelijk cijfer"
)

// TotalStatuses are the statuses an editor can give a national figure.
var TotalStatuses = []string{TotalSet, TotalAdjusted, TotalForecast, TotalInferred}

// TotalStatusRule says in Dutch what a status means.
func TotalStatusRule(status string) string {
	switch status {
	case TotalSet:
		return "door het Rijk vastgesteld: het officiële getal"
	case TotalAdjusted:
		return "vastgesteld en later bijgesteld (verhoogd of verlaagd): het officiële getal na de bijstelling"
	case TotalForecast:
		return "alleen de prognose is gevonden, niet het vastgestelde getal"
	case TotalInferred:
		return "afgeleid uit wat een bron schrijft: een indicatie, geen vastgesteld getal"
	case TotalMissing:
		return "geen bron met het landelijke getal gevonden"
	case TotalPending:
		return "deze site heeft voor dit halfjaar nog geen landelijk cijfer"
	}
	return ""
}

// Period is a half year and its national taakstelling.
type Period struct {
	Code          string // "2025-H1"
	Year          int
	Half          int // 1 or 2
	Division      int // year of the boundary set its figures use; 0: none
	NationalTotal *int
	TotalStatus   string
	SourceURL     string
	SourceDate    string // as the source gives it: "2025-04" or "2025-04-16"
	Note          string
	// Pending marks a half year after the last stored one (TotalPending): not in
	// the database, no figures.
	Pending bool
}

var periodPattern = regexp.MustCompile(`^([12][0-9]{3})-H([12])$`)

// ParsePeriod checks a period code such as "2025-H1".
func ParsePeriod(code string) (year, half int, ok bool) {
	m := periodPattern.FindStringSubmatch(code)
	if m == nil {
		return 0, 0, false
	}
	year, _ = strconv.Atoi(m[1])
	half, _ = strconv.Atoi(m[2])
	return year, half, true
}

// PeriodCode is the code of the half year that contains t.
func PeriodCode(t time.Time) string {
	half := 1
	if t.Month() > time.June {
		half = 2
	}
	return fmt.Sprintf("%d-H%d", t.Year(), half)
}

// Start is the first day of the period.
func (p Period) Start() time.Time {
	return time.Date(p.Year, time.Month(6*(p.Half-1)+1), 1, 0, 0, 0, 0, time.UTC)
}

// End is the first day after the period: its last peildatum.
func (p Period) End() time.Time { return p.Start().AddDate(0, 6, 0) }

// Label is the short Dutch name: "1e halfjaar 2025".
func (p Period) Label() string { return fmt.Sprintf("%de halfjaar %d", p.Half, p.Year) }

// LongLabel is the Dutch name in a sentence: "het eerste halfjaar van 2025".
func (p Period) LongLabel() string {
	if p.Half == 1 {
		return fmt.Sprintf("het eerste halfjaar van %d", p.Year)
	}
	return fmt.Sprintf("het tweede halfjaar van %d", p.Year)
}

// Known reports whether the national total was found.
func (p Period) Known() bool { return p.NationalTotal != nil }

// Official reports whether the national total is the state's own figure
// (vastgesteld or bijgesteld), not a forecast or an inference.
func (p Period) Official() bool {
	return p.NationalTotal != nil && (p.TotalStatus == TotalSet || p.TotalStatus == TotalAdjusted)
}

// Next is the code of the half year after p.
func (p Period) Next() string {
	if p.Half == 1 {
		return fmt.Sprintf("%d-H2", p.Year)
	}
	return fmt.Sprintf("%d-H1", p.Year+1)
}

// NewPeriod is the period of a code, with nothing known about it.
func NewPeriod(code string) (Period, bool) {
	year, half, ok := ParsePeriod(code)
	if !ok {
		return Period{}, false
	}
	return Period{Code: code, Year: year, Half: half}, true
}

// PendingPeriods are the half years after the last of all (the stored periods,
// oldest first) up to the one containing today: the site has no national figure for
// them yet ("nog geen landelijk cijfer"). Each is drawn on the boundary set its year
// would use (boundarySet).
func PendingPeriods(all []Period, today time.Time) []Period {
	if len(all) == 0 {
		return nil
	}
	return pendingPeriodsUpTo(all[len(all)-1], PeriodCode(today))
}

// pendingPeriodsUpTo are the half years after last up to and including the one
// with code until, each pending on the boundary set of its year.
func pendingPeriodsUpTo(last Period, until string) []Period {
	var out []Period
	for p := last; p.Next() <= until; {
		next, _ := NewPeriod(p.Next())
		next.Division = boundarySet(next.Year)
		next.TotalStatus = TotalPending
		next.Pending = true
		out = append(out, next)
		p = next
	}
	return out
}

// seq numbers half years consecutively, so the previous period is seq-1.
func (p Period) seq() int { return 2*p.Year + p.Half - 1 }

// Months is the number of whole months from the start of the period to a peildatum.
func (p Period) Months(peildatum time.Time) int {
	s := p.Start()
	return (peildatum.Year()-s.Year())*12 + int(peildatum.Month()) - int(s.Month())
}

// Peildatum is the date that closes month m (1–6) of the period.
func (p Period) Peildatum(m int) time.Time { return p.Start().AddDate(0, m, 0) }

// Standing is how a gemeente stands against its pro-rata expectation: its pace
// within the half year. The words achterstand and voorsprong are not used for it:
// they mean the carry-over at the end of a half year.
type Standing string

// The classes of the map, on a diverging scale, and the two without a verdict.
const (
	StandingAhead      Standing = "voor op schema"
	StandingOnSchedule Standing = "op schema"
	StandingBehind     Standing = "achter op schema"
	StandingFarBehind  Standing = "ver achter op schema"
	StandingTooSmall   Standing = "te klein om te beoordelen"
	StandingNoData     Standing = "geen gegevens"
)

// Standings lists the classes in legend order.
var Standings = []Standing{StandingAhead, StandingOnSchedule, StandingBehind, StandingFarBehind, StandingTooSmall, StandingNoData}

// Thresholds of the classes, in percent of the pro-rata expectation.
const (
	AheadFromPercent  = 110 // voor op schema: at least this
	BehindFromPercent = 75  // achter op schema: at least this (and below 100); below: ver achter op schema
	// MinJudgedExpected is the smallest pro-rata expectation (persons) that gets a
	// verdict: with fewer expected, one person more or less moves a gemeente across
	// every threshold, so it is "te klein om te beoordelen".
	MinJudgedExpected = 5
)

// Slug is the class as a URL and CSS value: "ver-achter-op-schema", "te-klein".
func (s Standing) Slug() string {
	if s == StandingTooSmall {
		return "te-klein"
	}
	return strings.ReplaceAll(string(s), " ", "-")
}

// Judged reports whether the class is a verdict on the pace (not te klein or geen
// gegevens).
func (s Standing) Judged() bool {
	return s != StandingTooSmall && s != StandingNoData && s != ""
}

// Rule states the threshold of the class in Dutch, for the legend.
func (s Standing) Rule() string {
	switch s {
	case StandingAhead:
		return fmt.Sprintf("%d %% of meer van het aantal dat naar rato verwacht wordt", AheadFromPercent)
	case StandingOnSchedule:
		return fmt.Sprintf("100 tot %d %% van het verwachte aantal", AheadFromPercent)
	case StandingBehind:
		return fmt.Sprintf("%d tot 100 %% van het verwachte aantal", BehindFromPercent)
	case StandingFarBehind:
		return fmt.Sprintf("minder dan %d %% van het verwachte aantal", BehindFromPercent)
	case StandingTooSmall:
		return fmt.Sprintf("naar rato worden minder dan %d personen verwacht: te weinig voor een oordeel", MinJudgedExpected)
	}
	return "taakstelling of realisatie onbekend"
}

// StandingBySlug finds a class by its slug.
func StandingBySlug(slug string) (Standing, bool) {
	for _, s := range Standings {
		if s.Slug() == slug {
			return s, true
		}
	}
	return "", false
}

// classify puts realised against expected (both whole persons) in a class, with the
// percentage rounded down, so that the shown percentage never crosses a threshold
// the class did not. Below MinJudgedExpected persons expected (also when nothing, or
// less than nothing after a large voorsprong carried in, is expected) there is no
// verdict and no percentage: te klein om te beoordelen.
func classify(realised, expected int) (Standing, *int) {
	if expected < MinJudgedExpected {
		return StandingTooSmall, nil
	}
	pct := realised * 100 / expected
	switch {
	case 100*realised >= AheadFromPercent*expected:
		return StandingAhead, &pct
	case realised >= expected:
		return StandingOnSchedule, &pct
	case 100*realised >= BehindFromPercent*expected:
		return StandingBehind, &pct
	}
	return StandingFarBehind, &pct
}

// ExpectedProRata is the number of persons a gemeente is expected to have housed
// after months elapsed months: months/6 of its gecorrigeerde taakstelling, rounded
// to the nearest whole person, an exact half to the even one. Rounding up would add
// half a person on average and push small gemeenten behind after one month;
// nearest-even rounding has no such bias.
func ExpectedProRata(months, corrected int) int {
	n := months * corrected
	q := n / 6
	if n%6 < 0 {
		q-- // floor, also for a negative gecorrigeerde taakstelling
	}
	switch r := n - 6*q; {
	case r > 3, r == 3 && q%2 != 0:
		q++
	}
	return q
}

// GemeenteFigures is one gemeente's standing in one period. A nil pointer means
// unknown; it is never shown or exported as zero.
type GemeenteFigures struct {
	Period            string
	Code              string
	Name              string
	ProvinceCode      string
	ProvinceName      string
	Population        *int // CBS, 1 January of the boundary set's year
	Taakstelling      *int
	TaakstellingBasis string // BasisOfficial, BasisComputed or ""
	CarriedIn         *int   // achterstand carried in; negative: voorsprong carried in
	// CarriedInFictitious: the carry-in was computed from fictitious realisations, so
	// the gecorrigeerde taakstelling and all that follows from it are fictitious.
	CarriedInFictitious bool
	Corrected           *int // gecorrigeerde taakstelling
	Peildatum           time.Time
	Months              int  // elapsed months counted, up to Peildatum (0–6)
	Realised            *int // housed in the period up to Peildatum
	RealisedBasis       string
	Expected            *int // pro rata, whole persons
	Difference          *int // Realised − Expected; negative: achter op schema
	Percentage          *int // Realised as a percentage of Expected, rounded down; nil without a verdict
	Remaining           *int // still to house this period: max(0, Corrected − Realised)
	CarriedOut          *int // left over at the end of the period, for the next one
	Standing            Standing
	// Deviations are the known exceptions to the pro-rata split that concern this
	// gemeente's computed taakstelling (none for an official one).
	Deviations []Deviation
	// Cumulative realised per month of the period (index 0 is month 1); nil where no
	// figure exists for that peildatum.
	Cumulative [6]*int
}

// Source says in one word where the figures come from, as the exports do: "fictief"
// when the realisations (or the carry-over they made) are fictitious, else
// "berekend" when the taakstelling is computed, else "officieel"; "" when nothing is
// known.
func (g GemeenteFigures) Source() string {
	switch {
	case g.RealisedBasis == BasisFictitious || (g.CarriedInFictitious && g.CarriedIn != nil):
		return BasisFictitious
	case g.TaakstellingBasis == BasisComputed:
		return BasisComputed
	case g.TaakstellingBasis == BasisOfficial || g.RealisedBasis == BasisOfficial:
		return BasisOfficial
	}
	return ""
}

// CarryBalance is the carry-over in the sign convention of every page and export:
// negative for an achterstand carried in (behind), positive for a voorsprong (ahead),
// like Difference. nil when unknown.
func (g GemeenteFigures) CarryBalance() *int {
	if g.CarriedIn == nil {
		return nil
	}
	n := -*g.CarriedIn
	return &n
}

// Monthly is the number housed in month m (1–6), when the figures of that month and
// the one before are known.
func (g GemeenteFigures) Monthly(m int) *int {
	if m < 1 || m > 6 || g.Cumulative[m-1] == nil {
		return nil
	}
	prev := 0
	if m > 1 {
		if g.Cumulative[m-2] == nil {
			return nil
		}
		prev = *g.Cumulative[m-2]
	}
	n := *g.Cumulative[m-1] - prev
	return &n
}

// FigureTotals sums the figures of a set of gemeenten. Every sum is over the
// gemeenten whose value is known; the *Known counts say how many that were.
type FigureTotals struct {
	Gemeenten         int
	Taakstelling      int
	TaakstellingKnown int
	CarriedIn         int
	CarriedInKnown    int
	Corrected         int
	Realised          int
	RealisedKnown     int
	Expected          int
	Remaining         int
	RemainingKnown    int
	Counts            []StandingCount // every class, in legend order
	Computed          bool            // some taakstelling is computed
	Fictitious        bool            // some realisation is fictitious
	Official          bool            // some figure is official
}

// StandingCount is the number of gemeenten in a class.
type StandingCount struct {
	Standing Standing
	Count    int
}

// Count is the number of gemeenten in class s.
func (t FigureTotals) Count(s Standing) int {
	for _, c := range t.Counts {
		if c.Standing == s {
			return c.Count
		}
	}
	return 0
}

// SumFigures adds up rows.
func SumFigures(rows []GemeenteFigures) FigureTotals {
	t := FigureTotals{Gemeenten: len(rows)}
	counts := map[Standing]int{}
	for _, g := range rows {
		counts[g.Standing]++
		if g.Taakstelling != nil {
			t.Taakstelling += *g.Taakstelling
			t.TaakstellingKnown++
		}
		if g.CarriedIn != nil {
			t.CarriedIn += *g.CarriedIn
			t.CarriedInKnown++
		}
		if g.Corrected != nil {
			t.Corrected += *g.Corrected
		}
		if g.Realised != nil {
			t.Realised += *g.Realised
			t.RealisedKnown++
		}
		if g.Expected != nil {
			t.Expected += *g.Expected
		}
		if g.Remaining != nil {
			t.Remaining += *g.Remaining
			t.RemainingKnown++
		}
		t.Computed = t.Computed || g.TaakstellingBasis == BasisComputed
		t.Fictitious = t.Fictitious || g.Source() == BasisFictitious
		t.Official = t.Official || g.TaakstellingBasis == BasisOfficial || g.RealisedBasis == BasisOfficial
	}
	for _, s := range Standings {
		t.Counts = append(t.Counts, StandingCount{s, counts[s]})
	}
	return t
}

// PeriodFigures is every gemeente of a period's boundary set with its figures. It
// belongs to a shared snapshot: read it, never change it.
type PeriodFigures struct {
	Period    Period
	Version   int64             // changes whenever any figure changes: a cache key
	Gemeenten []GemeenteFigures // by name
	Totals    FigureTotals
	Peildatum time.Time // the latest peildatum in the period; zero when none
	index     map[string]int
}

// Gemeente returns the figures of one gemeente.
func (pf *PeriodFigures) Gemeente(code string) (GemeenteFigures, bool) {
	i, ok := pf.index[code]
	if !ok {
		return GemeenteFigures{}, false
	}
	return pf.Gemeenten[i], true
}

// Select returns the gemeenten of a province (all when "") in a class (all when
// ""), by name, in a new slice.
func (pf *PeriodFigures) Select(province string, standing Standing) []GemeenteFigures {
	out := make([]GemeenteFigures, 0, len(pf.Gemeenten))
	for _, g := range pf.Gemeenten {
		if (province == "" || g.ProvinceCode == province) && (standing == "" || g.Standing == standing) {
			out = append(out, g)
		}
	}
	return out
}

// figureSnapshot is every period with its computed figures at one figures_version.
type figureSnapshot struct {
	version    int64
	periods    []Period // all, chronological
	mapPeriods []Period // the periods with per-gemeente figures, chronological
	byPeriod   map[string]*PeriodFigures
	divisions  map[int][]divisionGemeente
}

// figures returns the computed figures, rebuilding them when figures_version moved.
// The version check is one primary-key read; the rebuild (all figures, a few
// milliseconds) happens once per change.
func (d *DB) figures(ctx context.Context) (*figureSnapshot, error) {
	var v int64
	if err := d.r.QueryRowContext(ctx, "SELECT version FROM figures_version WHERE id = 1").Scan(&v); err != nil {
		return nil, fmt.Errorf("figures version: %w", err)
	}
	if s := d.figs.Load(); s != nil && s.version >= v {
		return s, nil
	}
	d.figsMu.Lock()
	defer d.figsMu.Unlock()
	if s := d.figs.Load(); s != nil && s.version >= v {
		return s, nil
	}
	s, err := loadFigures(ctx, d.r)
	if err != nil {
		return nil, fmt.Errorf("load figures: %w", err)
	}
	d.figs.Store(s)
	return s, nil
}

// Periods lists every half year with its national total, oldest first.
func (d *DB) Periods(ctx context.Context) ([]Period, error) {
	s, err := d.figures(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(s.periods), nil
}

// FindPeriod returns one period by code.
func (d *DB) FindPeriod(ctx context.Context, code string) (Period, error) {
	s, err := d.figures(ctx)
	if err != nil {
		return Period{}, err
	}
	for _, p := range s.periods {
		if p.Code == code {
			return p, nil
		}
	}
	return Period{}, fmt.Errorf("find period %q: %w", code, ErrNotFound)
}

// FigurePeriods lists the periods the map can show, oldest first: from the first to
// the last period with any per-gemeente figure, each on a boundary set. A period in
// between without figures (2024-H2: no national total found) is listed too, so that
// the map can say why it is empty.
func (d *DB) FigurePeriods(ctx context.Context) ([]Period, error) {
	s, err := d.figures(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(s.mapPeriods), nil
}

// PeriodFigures returns the figures of every gemeente in a period of FigurePeriods.
func (d *DB) PeriodFigures(ctx context.Context, code string) (*PeriodFigures, error) {
	s, err := d.figures(ctx)
	if err != nil {
		return nil, err
	}
	pf, ok := s.byPeriod[code]
	if !ok {
		return nil, fmt.Errorf("period figures %q: %w", code, ErrNotFound)
	}
	return pf, nil
}

// PendingFigures returns a pending period (PendingPeriods) with every gemeente of
// its boundary set and no figures: what the map draws for "nog geen landelijk cijfer".
func (d *DB) PendingFigures(ctx context.Context, p Period) (*PeriodFigures, error) {
	s, err := d.figures(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Pending || p.Division == 0 {
		return nil, fmt.Errorf("pending figures %q: %w", p.Code, ErrNotFound)
	}
	gemeenten, ok := s.divisions[p.Division]
	if !ok {
		return nil, fmt.Errorf("pending figures %q: division %d: %w", p.Code, p.Division, ErrNotFound)
	}
	rows, _ := computePeriod(p, gemeenten, nil, nil, nil)
	pf := &PeriodFigures{Period: p, Version: s.version, Gemeenten: rows, index: map[string]int{}}
	for j, g := range rows {
		pf.index[g.Code] = j
	}
	pf.Totals = SumFigures(rows)
	return pf, nil
}

// CurrentPeriod picks the period to show by default on date today: the map period
// that contains today when its national figure is known, or else the latest one
// before it with a known national figure, or else the latest one before it, or else
// the first one. So the map opens on figures, not on an empty half year.
func CurrentPeriod(periods []Period, today time.Time) (Period, bool) {
	if len(periods) == 0 {
		return Period{}, false
	}
	code := PeriodCode(today)
	best, found := periods[0], false
	for _, p := range periods {
		if p.Code <= code && p.Known() {
			best, found = p, true
		}
	}
	if found {
		return best, true
	}
	for _, p := range periods {
		if p.Code <= code {
			best = p
		}
	}
	return best, true
}

// GemeenteInfo identifies a gemeente of any boundary set.
type GemeenteInfo struct {
	Code         string
	Name         string
	ProvinceCode string
	ProvinceName string
	Population   *int
	Division     int  // the latest boundary set it belongs to
	Current      bool // part of the current division (cases can refer to it)
}

// GemeenteHistory returns a gemeente and its figures in every map period whose
// boundary set includes it, oldest first.
func (d *DB) GemeenteHistory(ctx context.Context, code string) (GemeenteInfo, []GemeenteFigures, error) {
	var (
		info GemeenteInfo
		pop  sql.NullInt64
	)
	err := d.r.QueryRowContext(ctx, `SELECT dg.code, dg.name, dg.province_code, p.name, dg.population, dg.division,
		EXISTS (SELECT 1 FROM gemeenten g WHERE g.code = dg.code)
		FROM division_gemeenten dg JOIN provinces p ON p.code = dg.province_code
		WHERE dg.code = ? ORDER BY dg.division DESC LIMIT 1`, code).
		Scan(&info.Code, &info.Name, &info.ProvinceCode, &info.ProvinceName, &pop, &info.Division, &info.Current)
	if err != nil {
		return GemeenteInfo{}, nil, lookupErr(err, fmt.Sprintf("gemeente history %q", code))
	}
	info.Population = intPtr(pop)
	s, err := d.figures(ctx)
	if err != nil {
		return GemeenteInfo{}, nil, err
	}
	var out []GemeenteFigures
	for _, p := range s.mapPeriods {
		if g, ok := s.byPeriod[p.Code].Gemeente(code); ok {
			out = append(out, g)
		}
	}
	return info, out, nil
}

// PeriodGemeenten lists the gemeenten (code → name) valid in a period: those of its
// boundary set. An importer validates codes against it.
func (d *DB) PeriodGemeenten(ctx context.Context, period string) (map[string]string, error) {
	what := fmt.Sprintf("gemeenten of period %q", period)
	out, err := queryMap(ctx, d.r, what, scanStringPair, `SELECT dg.code, dg.name FROM periods p
		JOIN division_gemeenten dg ON dg.division = p.division WHERE p.code = ?`, period)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return out, nil
}

// Inputs of the computation, as stored.
type (
	divisionGemeente struct {
		code, name, provinceCode, provinceName string
		population                             *int
	}
	taakRow struct {
		amount int
		basis  string
	}
	realRow struct {
		peildatum time.Time
		realised  int
		basis     string
	}
)

func loadFigures(ctx context.Context, r *sql.DB) (*figureSnapshot, error) {
	s := &figureSnapshot{byPeriod: map[string]*PeriodFigures{}}
	// One read transaction: every table at the same moment.
	err := inTx(ctx, r, &sql.TxOptions{ReadOnly: true}, func(tx *sql.Tx) (err error) {
		if err := tx.QueryRowContext(ctx, "SELECT version FROM figures_version WHERE id = 1").Scan(&s.version); err != nil {
			return err
		}
		if s.periods, err = loadPeriods(ctx, tx); err != nil {
			return err
		}
		if s.divisions, err = loadDivisionGemeenten(ctx, tx); err != nil {
			return err
		}
		taak, err := loadTaakstellingen(ctx, tx)
		if err != nil {
			return err
		}
		reals, err := loadRealisations(ctx, tx)
		if err != nil {
			return err
		}
		s.compute(taak, reals)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// loadTaakstellingen returns every stored taakstelling by period and gemeente.
func loadTaakstellingen(ctx context.Context, tx *sql.Tx) (map[string]map[string]taakRow, error) {
	taak := map[string]map[string]taakRow{}
	rows, err := tx.QueryContext(ctx, "SELECT period, gemeente_code, amount, basis FROM taakstellingen")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var period, code string
		var t taakRow
		if err := rows.Scan(&period, &code, &t.amount, &t.basis); err != nil {
			return nil, err
		}
		if taak[period] == nil {
			taak[period] = map[string]taakRow{}
		}
		taak[period][code] = t
	}
	return taak, rows.Err()
}

// loadRealisations returns every stored realisation by period and gemeente, in
// the order of their peildata.
func loadRealisations(ctx context.Context, tx *sql.Tx) (map[string]map[string][]realRow, error) {
	reals := map[string]map[string][]realRow{}
	rows, err := tx.QueryContext(ctx, `SELECT period, gemeente_code, peildatum, realised, basis
		FROM realisaties ORDER BY period, gemeente_code, peildatum`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var period, code, day string
		var rr realRow
		if err := rows.Scan(&period, &code, &day, &rr.realised, &rr.basis); err != nil {
			return nil, err
		}
		if rr.peildatum, err = time.Parse(time.DateOnly, day); err != nil {
			return nil, fmt.Errorf("peildatum %q of %s in %s: %w", day, code, period, err)
		}
		if reals[period] == nil {
			reals[period] = map[string][]realRow{}
		}
		reals[period][code] = append(reals[period][code], rr)
	}
	return reals, rows.Err()
}

// compute fills the snapshot's map periods, from the first to the last period
// with figures, each carrying over into the next.
func (s *figureSnapshot) compute(taak map[string]map[string]taakRow, reals map[string]map[string][]realRow) {
	first, last := -1, -1
	for i, p := range s.periods {
		if p.Division != 0 && (len(taak[p.Code]) > 0 || len(reals[p.Code]) > 0) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	var (
		carry    map[string]carryOver
		prevSeq  int
		prevDivn int
	)
	for i := max(first, 0); first >= 0 && i <= last; i++ {
		p := s.periods[i]
		if p.Division == 0 {
			carry = nil
			continue
		}
		if p.seq() != prevSeq+1 || p.Division != prevDivn {
			carry = nil // no carry-over across a gap or a change of boundaries
		}
		rows, out := computePeriod(p, s.divisions[p.Division], taak[p.Code], reals[p.Code], carry)
		pf := &PeriodFigures{Period: p, Version: s.version, Gemeenten: rows, index: map[string]int{}}
		for j, g := range rows {
			pf.index[g.Code] = j
			if g.Peildatum.After(pf.Peildatum) {
				pf.Peildatum = g.Peildatum
			}
		}
		pf.Totals = SumFigures(rows)
		s.byPeriod[p.Code] = pf
		s.mapPeriods = append(s.mapPeriods, p)
		carry, prevSeq, prevDivn = out, p.seq(), p.Division
	}
}

func loadPeriods(ctx context.Context, q queryer) ([]Period, error) {
	return queryAll(ctx, q, "load periods", func(s rowScanner) (Period, error) {
		var (
			p     Period
			total sql.NullInt64
		)
		err := s.Scan(&p.Code, &p.Division, &total, &p.TotalStatus, &p.SourceURL, &p.SourceDate, &p.Note)
		p.NationalTotal = intPtr(total)
		p.Year, p.Half, _ = ParsePeriod(p.Code)
		return p, err
	}, `SELECT code, coalesce(division, 0), national_total, total_status,
		source_url, source_date, note FROM periods ORDER BY code`)
}

// loadDivisionGemeenten returns the gemeenten of every boundary set, by name.
func loadDivisionGemeenten(ctx context.Context, q queryer) (map[int][]divisionGemeente, error) {
	rows, err := q.QueryContext(ctx, `SELECT dg.division, dg.code, dg.name, dg.province_code, p.name, dg.population
		FROM division_gemeenten dg JOIN provinces p ON p.code = dg.province_code
		ORDER BY dg.division, dg.name COLLATE NOCASE, dg.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int][]divisionGemeente{}
	for rows.Next() {
		var (
			div int
			g   divisionGemeente
			pop sql.NullInt64
		)
		if err := rows.Scan(&div, &g.code, &g.name, &g.provinceCode, &g.provinceName, &pop); err != nil {
			return nil, err
		}
		g.population = intPtr(pop)
		out[div] = append(out[div], g)
	}
	return out, rows.Err()
}

// carryOver is what one gemeente carries from a complete period to the next: the
// achterstand (positive) or voorsprong (negative), and whether it was computed from
// fictitious figures.
type carryOver struct {
	n          int
	fictitious bool
}

// computePeriod works out every gemeente's standing in period p from its
// taakstelling, its realisations (per gemeente, by peildatum) and what the previous
// period carried over (nil: unknown for all). It returns the rows and what this
// period carries to the next one: only for gemeenten whose figures are complete.
func computePeriod(p Period, gemeenten []divisionGemeente, taak map[string]taakRow,
	reals map[string][]realRow, carry map[string]carryOver) ([]GemeenteFigures, map[string]carryOver) {
	out := make([]GemeenteFigures, 0, len(gemeenten))
	next := map[string]carryOver{}
	for _, dg := range gemeenten {
		g := GemeenteFigures{
			Period: p.Code, Code: dg.code, Name: dg.name,
			ProvinceCode: dg.provinceCode, ProvinceName: dg.provinceName,
			Population: dg.population, Standing: StandingNoData,
		}
		if t, ok := taak[dg.code]; ok {
			g.Taakstelling, g.TaakstellingBasis = ptr(t.amount), t.basis
			corrected := t.amount
			if c, ok := carry[dg.code]; ok {
				g.CarriedIn, g.CarriedInFictitious = ptr(c.n), c.fictitious
				corrected += c.n
			}
			g.Corrected = &corrected
			if t.basis == BasisComputed {
				g.Deviations = DeviationsFor(dg.code, p.Code)
			}
		}
		for _, rr := range reals[dg.code] {
			m := p.Months(rr.peildatum)
			if m < 1 || m > 6 {
				continue // the schema's CHECK prevents this
			}
			g.Cumulative[m-1] = ptr(rr.realised)
			if !rr.peildatum.Before(g.Peildatum) {
				g.Peildatum, g.Months, g.Realised = rr.peildatum, m, ptr(rr.realised)
			}
			if g.RealisedBasis == "" || rr.basis == BasisFictitious {
				g.RealisedBasis = rr.basis // one fictitious month makes the whole fictitious
			}
		}
		if g.Corrected != nil && g.Realised != nil {
			expected := ExpectedProRata(g.Months, *g.Corrected)
			g.Expected = &expected
			g.Difference = ptr(*g.Realised - expected)
			g.Standing, g.Percentage = classify(*g.Realised, expected)
			g.Remaining = ptr(max(0, *g.Corrected-*g.Realised))
			if g.Months == 6 {
				left := *g.Corrected - *g.Realised
				g.CarriedOut = &left
				next[dg.code] = carryOver{n: left, fictitious: g.Source() == BasisFictitious}
			}
		}
		out = append(out, g)
	}
	return out, next
}

func ptr(n int) *int { return &n }
