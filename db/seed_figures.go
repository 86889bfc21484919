package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// The figures a new database starts with (sources: seed/README.md):
//   - the boundary sets 2016 and 2025 with their map geometry;
//   - every half year 2016-H1 … 2025-H2 with its national total (none where no
//     source was found);
//   - for 2023-H1 … 2025-H2 (on the 2025 boundaries) each gemeente's taakstelling,
//     computed from the national total and its population ("berekend"), except for
//     2024-H2, whose national total is unknown: nothing is computed for it;
//   - fictitious monthly realisations for the same periods ("fictief"), generated
//     reproducibly, because no public per-gemeente source exists.
// All of it runs inside the migration transaction of a new file, so it happens once.

// mapFile is the layout of seed/*.svg-paths.json (../shared/data/README.md §2).
type mapFile struct {
	ViewBox   string          `json:"viewBox"`
	Width     int             `json:"width"`
	Height    int             `json:"height"`
	CRS       string          `json:"crs"`
	Transform json.RawMessage `json:"transform"`
	FillRule  string          `json:"fill_rule"`
	Features  []struct {
		Code         string `json:"code"`
		Name         string `json:"name"`
		ProvinceCode string `json:"province_code"`
		ProvinceName string `json:"province_name"`
		LX           int    `json:"lx"`
		LY           int    `json:"ly"`
		D            string `json:"d"`
	} `json:"features"`
}

// boundarySets are the embedded divisions. Both come from the CBS gebiedsindelingen
// (PDOK), generalised by the publisher and simplified with mapshaper; see seed/README.md.
var boundarySets = []struct {
	year                 int
	gemeenten, provinces string
	source               string
}{
	{2016, "seed/gemeenten-2016.svg-paths.json", "seed/provincies-2016.svg-paths.json",
		"CBS / Kadaster (PDOK), gebiedsindeling 2016, vereenvoudigd via github.com/edwindj/nl_maps (voorloper van cartomap.github.io/nl)"},
	{2025, "seed/gemeenten-2025.svg-paths.json", "seed/provincies-2025.svg-paths.json",
		"CBS / Kadaster (PDOK), gebiedsindeling 2025, vereenvoudigd via cartomap.github.io/nl"},
}

// boundarySet is the division a period's figures are drawn and joined on (0: none).
// CBS's divisions of 2023, 2024 and 2025 hold the same 342 gemeenten (no merger took
// effect on 1 January 2024 or 2025), so the 2025 set serves 2023–2025. The 2016 set
// serves 2016 and 2017: on 1 January 2017 only Schijndel, Sint-Oedenrode and Veghel
// merged into Meierijstad, so 2017 figures must use the three old codes to be drawn.
// For 2018–2022 no boundary set is embedded, so those periods have national totals
// but no per-gemeente figures. Later years (a national figure a beheerder adds for
// 2026 or after) use the latest embedded set, 2025, and its population of 1 January
// 2025; the pages say so.
func boundarySet(year int) int {
	switch {
	case year >= 2016 && year <= 2017:
		return 2016
	case year >= 2023:
		return latestBoundarySet
	}
	return 0
}

// latestBoundarySet is the newest embedded division, the one with population.
const latestBoundarySet = 2025

// fictitiousSeed fixes the demo realisations: every new database, on every machine,
// gets the same numbers. The generator uses integer arithmetic only, so no
// floating-point difference between platforms can change a count.
const fictitiousSeed1, fictitiousSeed2 = 20230101, 342

func seedFigures(ctx context.Context, tx *sql.Tx) error {
	for _, bs := range boundarySets {
		if err := seedBoundarySet(ctx, tx, bs.year, bs.gemeenten, bs.provinces, bs.source); err != nil {
			return err
		}
	}
	if err := seedPeriods(ctx, tx); err != nil {
		return err
	}
	periods, err := loadPeriods(ctx, tx)
	if err != nil {
		return fmt.Errorf("seed figures: %w", err)
	}
	divisions, err := loadDivisionGemeenten(ctx, tx)
	if err != nil {
		return fmt.Errorf("seed figures: %w", err)
	}
	gemeenten := slices.Clone(divisions[2025])
	slices.SortFunc(gemeenten, func(a, b divisionGemeente) int { return strings.Compare(a.code, b.code) })

	taak := map[string]map[string]taakRow{}
	var demo []Period
	for _, p := range periods {
		if p.Division != 2025 {
			continue
		}
		demo = append(demo, p)
		if p.NationalTotal == nil {
			continue // 2024-H2: no national total, so no share to compute
		}
		pops := make([]int, len(gemeenten))
		for i, g := range gemeenten {
			pops[i] = *g.population
		}
		taak[p.Code] = map[string]taakRow{}
		for i, n := range populationShares(*p.NationalTotal, pops) {
			taak[p.Code][gemeenten[i].code] = taakRow{amount: n, basis: BasisComputed}
		}
		if err := insertShares(ctx, tx, p.Code, p.Division, *p.NationalTotal, gemeenten, pops); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return seedFictitiousRealisations(ctx, tx, demo, gemeenten, taak)
}

func seedBoundarySet(ctx context.Context, tx *sql.Tx, year int, gemeentenFile, provincesFile, source string) error {
	var gm, pv mapFile
	if err := readJSON(gemeentenFile, &gm); err != nil {
		return err
	}
	if err := readJSON(provincesFile, &pv); err != nil {
		return err
	}
	if gm.ViewBox != pv.ViewBox || gm.FillRule != "evenodd" {
		return fmt.Errorf("seed boundaries %d: gemeenten and provinces must share one frame", year)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO divisions (year, view_box, source) VALUES (?, ?, ?)",
		year, gm.ViewBox, source); err != nil {
		return fmt.Errorf("seed division %d: %w", year, err)
	}
	for _, f := range pv.Features {
		if _, err := tx.ExecContext(ctx, "INSERT INTO division_provinces (division, code, path) VALUES (?, ?, ?)",
			year, f.Code, f.D); err != nil {
			return fmt.Errorf("seed province %s of %d: %w", f.Code, year, err)
		}
	}
	// The current division takes its population from the gemeenten table (CBS,
	// 1 January 2025); an older one has none.
	population := map[string]int{}
	rows, err := tx.QueryContext(ctx, "SELECT code, population FROM gemeenten")
	if err != nil {
		return fmt.Errorf("seed division %d: %w", year, err)
	}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			rows.Close()
			return fmt.Errorf("seed division %d: %w", year, err)
		}
		population[code] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("seed division %d: %w", year, err)
	}
	current := year == 2025
	for _, f := range gm.Features {
		var pop sql.NullInt64
		if current {
			n, ok := population[f.Code]
			if !ok {
				return fmt.Errorf("seed division %d: gemeente %s is not in gemeenten-2025.csv", year, f.Code)
			}
			pop = sql.NullInt64{Int64: int64(n), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO division_gemeenten
			(division, code, name, province_code, population, label_x, label_y, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			year, f.Code, f.Name, f.ProvinceCode, pop, f.LX, f.LY, f.D); err != nil {
			return fmt.Errorf("seed gemeente %s of %d: %w", f.Code, year, err)
		}
	}
	if current && len(gm.Features) != len(population) {
		return fmt.Errorf("seed division %d: %d shapes for %d gemeenten", year, len(gm.Features), len(population))
	}
	return nil
}

// seedPeriods loads seed/taakstelling-landelijk.csv: one row per half year, derived
// from the verbatim copy seed/taakstelling-national.csv by taking the row whose status
// is "set" (vastgesteld) or "set (lowered)" (bijgesteld), else the only row (a
// prognosis or an inference), with the notes in Dutch and checked against their
// sources. TestNationalTotalsFollowSource checks the derivation.
func seedPeriods(ctx context.Context, tx *sql.Tx) error {
	rows, err := readCSV("seed/taakstelling-landelijk.csv",
		[]string{"periode", "totaal", "status", "bron_url", "bron_datum", "opmerking"})
	if err != nil {
		return err
	}
	for _, r := range rows {
		year, _, ok := ParsePeriod(r[0])
		if !ok {
			return fmt.Errorf("seed period %q: not a half year", r[0])
		}
		var total sql.NullInt64
		if r[1] != "" {
			n, err := strconv.Atoi(r[1])
			if err != nil {
				return fmt.Errorf("seed period %s: total: %w", r[0], err)
			}
			total = sql.NullInt64{Int64: int64(n), Valid: true}
		}
		var division sql.NullInt64
		if b := boundarySet(year); b != 0 {
			division = sql.NullInt64{Int64: int64(b), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO periods
			(code, division, national_total, total_status, source_url, source_date, note) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r[0], division, total, r[2], r[3], r[4], r[5]); err != nil {
			return fmt.Errorf("seed period %s: %w", r[0], err)
		}
	}
	return nil
}

// populationShares divides total over the gemeenten in proportion to their
// population, in whole persons, with the largest-remainder method: every gemeente
// gets the whole part of its exact share, and the persons left over go to the
// largest fractions (ties: first in the list). The shares add up to total exactly.
func populationShares(total int, population []int) []int {
	var sum int64
	for _, p := range population {
		sum += int64(p)
	}
	out := make([]int, len(population))
	if sum == 0 {
		return out
	}
	rest := make([]int64, len(population))
	given := 0
	for i, p := range population {
		exact := int64(total) * int64(p)
		out[i] = int(exact / sum)
		rest[i] = exact % sum
		given += out[i]
	}
	order := make([]int, len(population))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rest[a] > rest[b]:
			return -1
		case rest[a] < rest[b]:
			return 1
		}
		return 0
	})
	for k := 0; k < total-given; k++ {
		out[order[k]]++
	}
	return out
}

// monthWeights spread a half year's housing over its months (per mille of an even
// month): slower after the holidays, a push towards the deadline. They sum to 6000.
var monthWeights = [6]int{800, 900, 1000, 1050, 1100, 1150}

// seedFictitiousRealisations generates demo realisations for the periods (oldest
// first) whose taakstelling is known. Each gemeente has a pace: the part of its
// gecorrigeerde taakstelling it tends to realise (mean 86 %, as most gemeenten fell
// behind in these years); each period varies it, and each month varies around the
// pace. The carry-over between periods is computed with the same code the site uses
// (computePeriod), so the numbers form a consistent story.
func seedFictitiousRealisations(ctx context.Context, tx *sql.Tx, periods []Period,
	gemeenten []divisionGemeente, taak map[string]map[string]taakRow) error {
	rng := rand.New(rand.NewPCG(fictitiousSeed1, fictitiousSeed2))
	// jitter is a roughly normal integer with mean 0 and standard deviation about
	// spread/2: the sum of three uniform draws (Irwin–Hall).
	jitter := func(spread int) int {
		n := 0
		for range 3 {
			n += rng.IntN(2*spread+1) - spread
		}
		return n / 2
	}
	pace := map[string]int{} // per mille
	for _, g := range gemeenten {
		pace[g.code] = min(max(860+jitter(300), 300), 1600)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO realisaties (period, division, gemeente_code, peildatum, realised, basis)
		VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("seed realisations: %w", err)
	}
	defer stmt.Close()

	var (
		carry   map[string]carryOver
		prevSeq int
	)
	for _, p := range periods {
		if p.seq() != prevSeq+1 {
			carry = nil
		}
		prevSeq = p.seq()
		t := taak[p.Code]
		if len(t) == 0 {
			carry = nil // nothing known, nothing generated, nothing carried
			continue
		}
		reals := map[string][]realRow{}
		for _, g := range gemeenten {
			corrected := t[g.code].amount + carry[g.code].n
			periodPace := min(max(pace[g.code]+jitter(160), 150), 1900)
			cum := 0
			for m := 1; m <= 6; m++ {
				// Expected persons this month, in thousandths, then ±35 % noise.
				milli := int64(max(corrected, 0)) * int64(periodPace) * int64(monthWeights[m-1]) / 6000
				milli = milli * int64(1000+rng.IntN(701)-350) / 1000
				n := int(milli / 1000)
				if rng.IntN(1000) < int(milli%1000) {
					n++
				}
				cum += n
				reals[g.code] = append(reals[g.code], realRow{peildatum: p.Peildatum(m), realised: cum, basis: BasisFictitious})
			}
		}
		_, carry = computePeriod(p, gemeenten, t, reals, carry)
		for _, g := range gemeenten {
			for _, rr := range reals[g.code] {
				if _, err := stmt.ExecContext(ctx, p.Code, p.Division, g.code, rr.peildatum.Format("2006-01-02"),
					rr.realised, rr.basis); err != nil {
					return fmt.Errorf("seed realisation %s %s: %w", p.Code, g.code, err)
				}
			}
		}
	}
	return nil
}
