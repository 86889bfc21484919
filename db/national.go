package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// National figures entered in /beheer: a beheerder adds the national taakstelling
// of a new half year (or of one whose figure was not found, or replaces one), with
// its source and status. The pro-rata split of the period follows at once, in the
// same transaction: every gemeente's taakstelling "berekend naar inwonertal", unless
// official taakstellingen were imported for the period (they stay).

// Errors of SetNationalFigure that the form shows next to a field.
var (
	// ErrFigureExists: the period has a known figure and Replace was not set.
	ErrFigureExists = fmt.Errorf("%w: the period has a national figure", ErrConflict)
	// ErrPeriodOutOfRange: before the first stored period, or later than the half
	// year after today's.
	ErrPeriodOutOfRange = errors.New("period out of range")
)

// NationalFigure is what a beheerder enters for one period.
type NationalFigure struct {
	Period     string
	Total      int
	Status     string // one of TotalStatuses
	SourceURL  string
	SourceDate string // "2025", "2025-04" or "2025-04-16"
	Note       string
	Replace    bool // replace a known figure
}

// NationalFigureResult says what a saved national figure changed.
type NationalFigureResult struct {
	Period         Period
	Previous       *int   // the figure it replaced; nil when there was none
	PreviousStatus string // its status
	Created        []string
	Computed       int  // gemeenten whose taakstelling was computed from it
	KeptOfficial   int  // official taakstellingen of the period, left as they are
	NoSplit        bool // no boundary set with population: no taakstelling per gemeente
	Division       int
}

// MaxNationalTotal bounds a national figure: ten times the largest ever set.
const MaxNationalTotal = 300_000

// NationalFigurePeriods are the periods a national figure can be entered for on
// date today: every stored period, then the half years up to the one after today's.
func (d *DB) NationalFigurePeriods(ctx context.Context, today time.Time) ([]Period, error) {
	all, err := d.Periods(ctx)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, nil
	}
	limit, _ := NewPeriod(PeriodCode(today))
	return append(all, pendingPeriodsUpTo(all[len(all)-1], limit.Next())...), nil
}

// SetNationalFigure stores a national figure for f.Period and computes the period's
// taakstelling per gemeente from it, with its audit entry, in one transaction. A
// period after the last stored one is created, with any half year in between as
// "niet gevonden".
func (d *DB) SetNationalFigure(ctx context.Context, f NationalFigure, by User, today time.Time) (NationalFigureResult, error) {
	var res NationalFigureResult
	target, ok := NewPeriod(f.Period)
	if !ok {
		return res, fmt.Errorf("set national figure %q: %w", f.Period, ErrPeriodOutOfRange)
	}
	if !slices.Contains(TotalStatuses, f.Status) || f.Total < 1 || f.Total > MaxNationalTotal || f.SourceURL == "" {
		return res, fmt.Errorf("set national figure %s: incomplete (%d, %q, %q)", f.Period, f.Total, f.Status, f.SourceURL)
	}
	if limit, _ := NewPeriod(PeriodCode(today)); target.Code > limit.Next() {
		return res, fmt.Errorf("set national figure %s: %w", f.Period, ErrPeriodOutOfRange)
	}
	err := d.write(ctx, func(tx *sql.Tx) error {
		actor, err := loadActor(ctx, tx, by.ID)
		if err != nil {
			return err
		}
		periods, err := loadPeriods(ctx, tx)
		if err != nil {
			return err
		}
		if len(periods) == 0 || target.Code < periods[0].Code {
			return ErrPeriodOutOfRange
		}
		i := slices.IndexFunc(periods, func(p Period) bool { return p.Code == target.Code })
		if i >= 0 {
			old := periods[i]
			if old.Known() && !f.Replace {
				return ErrFigureExists
			}
			res.Previous, res.PreviousStatus = old.NationalTotal, old.TotalStatus
			target.Division = old.Division
			if _, err := tx.ExecContext(ctx, `UPDATE periods SET national_total = ?, total_status = ?, source_url = ?,
				source_date = ?, note = ? WHERE code = ?`, f.Total, f.Status, f.SourceURL, f.SourceDate, f.Note, f.Period); err != nil {
				return err
			}
		} else {
			if res.Created, err = insertPeriodsUpTo(ctx, tx, periods[len(periods)-1], f); err != nil {
				return err
			}
			target.Division = boundarySet(target.Year)
		}
		res.Division = target.Division
		if res.Computed, res.KeptOfficial, res.NoSplit, err = splitNationalFigure(ctx, tx, target.Code, target.Division, f.Total); err != nil {
			return err
		}
		detail := nationalFigureDetail(f, res)
		return audit(ctx, tx, d.Now(), &actor, ActionNationalFigure, "landelijk "+f.Period, detail)
	})
	if err != nil {
		return NationalFigureResult{}, fmt.Errorf("set national figure %s: %w", f.Period, err)
	}
	res.Period, err = d.FindPeriod(ctx, f.Period)
	return res, err
}

// insertPeriodsUpTo adds the half years after last up to f's, which gets f's
// figure; those in between were not found. It returns the codes added.
func insertPeriodsUpTo(ctx context.Context, tx *sql.Tx, last Period, f NationalFigure) ([]string, error) {
	var created []string
	for p := last; ; {
		next, _ := NewPeriod(p.Next())
		next.Division = boundarySet(next.Year)
		total, status, note := sql.NullInt64{}, TotalMissing, "Geen bron met het landelijke getal voor deze periode gevonden."
		url, date := "", ""
		if next.Code == f.Period {
			total, status, note = sql.NullInt64{Int64: int64(f.Total), Valid: true}, f.Status, f.Note
			url, date = f.SourceURL, f.SourceDate
		}
		var division sql.NullInt64
		if next.Division != 0 {
			division = sql.NullInt64{Int64: int64(next.Division), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO periods (code, division, national_total, total_status,
			source_url, source_date, note) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			next.Code, division, total, status, url, date, note); err != nil {
			return created, err
		}
		created = append(created, next.Code)
		if next.Code == f.Period {
			return created, nil
		}
		p = next
	}
}

// nationalFigureDetail is the audit log's line for a national figure.
func nationalFigureDetail(f NationalFigure, res NationalFigureResult) string {
	was := "onbekend"
	if res.Previous != nil {
		was = strconv.Itoa(*res.Previous) + " (" + res.PreviousStatus + ")"
	}
	detail := fmt.Sprintf("%d (%s), bron %s", f.Total, f.Status, f.SourceURL)
	if f.SourceDate != "" {
		detail += " (" + f.SourceDate + ")"
	}
	detail += "; was " + was
	switch {
	case res.NoSplit:
		detail += "; geen taakstelling per gemeente (geen indeling met inwonertal)"
	case res.KeptOfficial > 0:
		detail += fmt.Sprintf("; %d officiële taakstellingen ongewijzigd", res.KeptOfficial)
	default:
		detail += fmt.Sprintf("; taakstelling van %d gemeenten berekend", res.Computed)
	}
	return detail
}

// splitNationalFigure computes the taakstelling of every gemeente of a period's
// boundary set from the national total, by population (the method of the seed:
// largest remainders, gemeenten by code). Official taakstellingen of the period
// stay and nothing is computed then; a boundary set without population (2016) or
// none at all gives no split.
func splitNationalFigure(ctx context.Context, tx *sql.Tx, period string, division, total int) (computed, official int, noSplit bool, err error) {
	if division == 0 {
		return 0, 0, true, nil
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM taakstellingen WHERE period = ? AND basis = ?",
		period, BasisOfficial).Scan(&official); err != nil {
		return 0, 0, false, err
	}
	if official > 0 {
		return 0, official, false, nil
	}
	divisions, err := loadDivisionGemeenten(ctx, tx)
	if err != nil {
		return 0, 0, false, err
	}
	gemeenten := slices.Clone(divisions[division])
	slices.SortFunc(gemeenten, func(a, b divisionGemeente) int { return strings.Compare(a.code, b.code) })
	pops := make([]int, len(gemeenten))
	for i, g := range gemeenten {
		if g.population == nil {
			return 0, 0, true, nil
		}
		pops[i] = *g.population
	}
	if len(gemeenten) == 0 {
		return 0, 0, true, nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM taakstellingen WHERE period = ? AND basis = ?", period, BasisComputed); err != nil {
		return 0, 0, false, err
	}
	if err := insertShares(ctx, tx, period, division, total, gemeenten, pops); err != nil {
		return 0, 0, false, err
	}
	return len(gemeenten), 0, false, nil
}

// insertShares writes the computed taakstelling of each of gemeenten (by code) for a
// period: total divided by population (populationShares).
func insertShares(ctx context.Context, tx *sql.Tx, period string, division, total int, gemeenten []divisionGemeente, pops []int) error {
	for i, n := range populationShares(total, pops) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO taakstellingen (period, division, gemeente_code, amount, basis)
			VALUES (?, ?, ?, ?, ?)`, period, division, gemeenten[i].code, n, BasisComputed); err != nil {
			return fmt.Errorf("taakstelling %s %s: %w", period, gemeenten[i].code, err)
		}
	}
	return nil
}
