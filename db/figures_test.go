package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestClassifyThresholds(t *testing.T) {
	tests := []struct {
		name               string
		realised, expected int
		want               Standing
		pct                int // -1: no percentage
	}{
		{"far ahead", 30, 10, StandingAhead, 300},
		{"exactly 110 %", 11, 10, StandingAhead, 110},
		{"just under 110 %", 109, 100, StandingOnSchedule, 109},
		{"exactly on schedule", 10, 10, StandingOnSchedule, 100},
		{"one short", 99, 100, StandingBehind, 99},
		{"exactly 75 %", 75, 100, StandingBehind, 75},
		{"just under 75 %", 74, 100, StandingFarBehind, 74},
		{"nothing done at the smallest judged expectation", 0, MinJudgedExpected, StandingFarBehind, 0},
		{"rounded down, never up across a threshold", 5, 7, StandingFarBehind, 71},
		{"four expected, none done: too small to judge", 0, MinJudgedExpected - 1, StandingTooSmall, -1},
		{"one expected, three done: too small to judge", 3, 1, StandingTooSmall, -1},
		{"nothing expected, nothing done", 0, 0, StandingTooSmall, -1},
		{"voorsprong carried in exceeds the task", 0, -4, StandingTooSmall, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pct := classify(tt.realised, tt.expected)
			if got != tt.want {
				t.Errorf("classify(%d, %d) = %q, want %q", tt.realised, tt.expected, got, tt.want)
			}
			switch {
			case tt.pct < 0 && pct != nil:
				t.Errorf("percentage = %d, want none", *pct)
			case tt.pct >= 0 && (pct == nil || *pct != tt.pct):
				t.Errorf("percentage = %v, want %d", pct, tt.pct)
			}
		})
	}
}

func TestNoStandingIsNamedAfterTheCarryOver(t *testing.T) {
	// achterstand and voorsprong mean the carry-over at the end of a half year; the
	// pace classes have words of their own.
	slugs := map[string]bool{}
	for _, s := range Standings {
		for _, word := range []string{"achterstand", "voorsprong"} {
			if strings.Contains(string(s), word) || strings.Contains(s.Slug(), word) || strings.Contains(s.Rule(), word) {
				t.Errorf("class %q (slug %q, rule %q) uses the word %q", s, s.Slug(), s.Rule(), word)
			}
		}
		if slugs[s.Slug()] {
			t.Errorf("two classes share the slug %q", s.Slug())
		}
		slugs[s.Slug()] = true
		if got, ok := StandingBySlug(s.Slug()); !ok || got != s {
			t.Errorf("StandingBySlug(%q) = %q", s.Slug(), got)
		}
	}
	if len(Standings) != 6 || !slices.Contains(Standings, StandingTooSmall) {
		t.Errorf("classes %v: want the four verdicts, te klein om te beoordelen and geen gegevens", Standings)
	}
}

func TestExpectedProRataHasNoRoundingBias(t *testing.T) {
	// A gecorrigeerde taakstelling of 14: 14/6 = 2.33 per month, to the nearest whole
	// person: 2.33, 4.67, 7, 9.33, 11.67, 14.
	want := []int{0, 2, 5, 7, 9, 12, 14}
	for m, w := range want {
		if got := ExpectedProRata(m, 14); got != w {
			t.Errorf("expected after %d months of 14 = %d, want %d", m, got, w)
		}
	}
	tests := []struct{ months, corrected, want int }{
		{1, 1, 0},    // 0.17: a taakstelling of 1 expects nobody after one month
		{1, 2, 0},    // 0.33
		{3, 1, 0},    // 0.5: a half goes to the even number
		{3, 3, 2},    // 1.5 → 2
		{3, 5, 2},    // 2.5 → 2
		{3, 7, 4},    // 3.5 → 4
		{3, -5, -2},  // -2.5 → -2
		{3, -7, -4},  // -3.5 → -4
		{1, -1, 0},   // -0.17
		{6, 13, 13},  // a full period expects the whole gecorrigeerde taakstelling
		{5, 100, 83}, // 83.33
	}
	for _, tt := range tests {
		if got := ExpectedProRata(tt.months, tt.corrected); got != tt.want {
			t.Errorf("ExpectedProRata(%d, %d) = %d, want %d", tt.months, tt.corrected, got, tt.want)
		}
	}
	// Over every taakstelling and month the rounding adds nothing on average: the
	// sum of the rounded expectations equals the sum of the exact ones, to within
	// one person per 100 cases (rounding up added half a person per case).
	var diff, cases int
	for c := 0; c <= 600; c++ {
		for m := 1; m <= 6; m++ {
			diff += 6*ExpectedProRata(m, c) - m*c
			cases++
		}
	}
	if d := float64(diff) / 6 / float64(cases); d > 0.01 || d < -0.01 {
		t.Errorf("mean rounding error %.3f persons, want none", d)
	}
}

func TestSmallGemeentenAreNotJudgedOnRounding(t *testing.T) {
	// Rozendaal or a Wadden island with a taakstelling of 2 that has housed nobody
	// after one month is not "ver achter op schema": 0.33 persons were expected.
	p := Period{Code: "2030-H1", Year: 2030, Half: 1}
	gem := []divisionGemeente{{code: "GM0001", name: "Klein"}, {code: "GM0002", name: "Groot"}}
	rows, _ := computePeriod(p, gem,
		map[string]taakRow{"GM0001": {2, BasisComputed}, "GM0002": {600, BasisComputed}},
		map[string][]realRow{
			"GM0001": {{peildatum: p.Peildatum(1), realised: 0, basis: BasisFictitious}},
			"GM0002": {{peildatum: p.Peildatum(1), realised: 0, basis: BasisFictitious}},
		}, nil)
	if rows[0].Standing != StandingTooSmall || *rows[0].Expected != 0 || rows[0].Percentage != nil {
		t.Errorf("small gemeente after one month: %s, expected %d", rows[0].Standing, *rows[0].Expected)
	}
	if rows[1].Standing != StandingFarBehind || *rows[1].Expected != 100 {
		t.Errorf("large gemeente that housed nobody after one month: %s, expected %d", rows[1].Standing, *rows[1].Expected)
	}
}

func TestComputePeriodCarryOver(t *testing.T) {
	h1 := Period{Code: "2030-H1", Year: 2030, Half: 1}
	h2 := Period{Code: "2030-H2", Year: 2030, Half: 2}
	gem := []divisionGemeente{{code: "GM0001", name: "A"}, {code: "GM0002", name: "B"}, {code: "GM0003", name: "C"}}
	cum := func(p Period, counts ...int) []realRow {
		var out []realRow
		for i, n := range counts {
			out = append(out, realRow{peildatum: p.Peildatum(i + 1), realised: n, basis: BasisOfficial})
		}
		return out
	}
	// Period 1: A has an achterstand of 4 carried in; B a voorsprong of 3; C none known.
	rows, next := computePeriod(h1, gem,
		map[string]taakRow{"GM0001": {10, BasisOfficial}, "GM0002": {12, BasisOfficial}, "GM0003": {6, BasisOfficial}},
		map[string][]realRow{
			"GM0001": cum(h1, 2, 4, 6, 9, 12, 15), // ends one above its 14
			"GM0002": cum(h1, 1, 2, 3),            // three months only: no carry-over yet
			"GM0003": cum(h1, 0, 0, 1, 1, 2, 2),
		},
		map[string]carryOver{"GM0001": {n: 4}, "GM0002": {n: -3}})
	a, b, c := rows[0], rows[1], rows[2]
	if *a.Corrected != 14 || *a.CarriedIn != 4 {
		t.Errorf("A: gecorrigeerd %d, carried in %d; want 10 + 4 = 14", *a.Corrected, *a.CarriedIn)
	}
	if *b.Corrected != 9 || *b.CarriedIn != -3 {
		t.Errorf("B: gecorrigeerd %d; want 12 − 3 = 9", *b.Corrected)
	}
	if c.CarriedIn != nil || *c.Corrected != 6 {
		t.Errorf("C: unknown carry-in must stay unknown and leave gecorrigeerd = taakstelling")
	}
	// B after three months: expected 3/6 × 9 = 4.5, to the even 4, realised 3: too
	// few expected for a verdict.
	if b.Months != 3 || *b.Expected != 4 || *b.Difference != -1 || b.Percentage != nil || b.Standing != StandingTooSmall {
		t.Errorf("B after 3 months: months %d expected %d diff %d pct %v %s", b.Months, *b.Expected, *b.Difference, b.Percentage, b.Standing)
	}
	if !b.Peildatum.Equal(time.Date(2030, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("B peildatum %v, want 1 April 2030", b.Peildatum)
	}
	if *b.Remaining != 6 {
		t.Errorf("B still to do %d, want 9 − 3 = 6", *b.Remaining)
	}
	if a.Standing != StandingOnSchedule || *a.Percentage != 107 {
		t.Errorf("A after 6 months: %s at %d %%, want op schema at 15/14 = 107 %%", a.Standing, *a.Percentage)
	}
	if *a.CarriedOut != -1 || next["GM0001"].n != -1 || next["GM0001"].fictitious {
		t.Errorf("A carries out %v, want an official voorsprong of 1 (−1)", next["GM0001"])
	}
	if _, ok := next["GM0002"]; ok {
		t.Error("B's period is not complete: nothing may carry over")
	}
	if next["GM0003"].n != 4 {
		t.Errorf("C carries out %v, want 6 − 2 = 4", next["GM0003"])
	}
	if m := c.Monthly(3); m == nil || *m != 1 {
		t.Errorf("C housed %v in month 3, want 1", m)
	}

	// Period 2 takes what period 1 left.
	rows2, _ := computePeriod(h2, gem,
		map[string]taakRow{"GM0001": {6, BasisOfficial}, "GM0002": {6, BasisOfficial}, "GM0003": {6, BasisOfficial}},
		map[string][]realRow{"GM0001": cum(h2, 1)}, next)
	if *rows2[0].Corrected != 5 || *rows2[2].Corrected != 10 || rows2[1].CarriedIn != nil {
		t.Errorf("period 2 gecorrigeerd: A %d (want 6 − 1), C %d (want 6 + 4), B carry-in %v (want unknown)",
			*rows2[0].Corrected, *rows2[2].Corrected, rows2[1].CarriedIn)
	}
	if rows2[1].Standing != StandingNoData || rows2[1].Realised != nil {
		t.Error("a gemeente without realisations has no standing")
	}
}

func TestPopulationShares(t *testing.T) {
	pops := []int{931298, 50945, 950, 244441, 1, 0}
	for _, total := range []int{21200, 13000, 1, 0, 7} {
		got := populationShares(total, pops)
		sum, all := 0, 0
		for _, p := range pops {
			all += p
		}
		for i, n := range got {
			sum += n
			exact := float64(total) * float64(pops[i]) / float64(all)
			if float64(n) < exact-1 || float64(n) > exact+1 {
				t.Errorf("total %d: share %d of population %d is %d, exact %.2f", total, i, pops[i], n, exact)
			}
		}
		if sum != total {
			t.Errorf("shares of %d add up to %d", total, sum)
		}
	}
}

func TestSeededFiguresAddUp(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	periods, err := d.FigurePeriods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, p := range periods {
		codes = append(codes, p.Code)
	}
	if got := strings.Join(codes, " "); got != "2023-H1 2023-H2 2024-H1 2024-H2 2025-H1 2025-H2" {
		t.Fatalf("map periods %s", got)
	}
	for _, p := range periods {
		pf, err := d.PeriodFigures(ctx, p.Code)
		if err != nil {
			t.Fatal(err)
		}
		if len(pf.Gemeenten) != 342 {
			t.Fatalf("%s: %d gemeenten", p.Code, len(pf.Gemeenten))
		}
		// The totals are the sums of the gemeenten.
		var taak, corr, real, exp, rem, n int
		for _, g := range pf.Gemeenten {
			if g.Taakstelling != nil {
				taak += *g.Taakstelling
				corr += *g.Corrected
			}
			if g.Realised != nil {
				real += *g.Realised
				exp += *g.Expected
				rem += *g.Remaining
			}
		}
		for _, c := range pf.Totals.Counts {
			n += c.Count
		}
		tt := pf.Totals
		if tt.Taakstelling != taak || tt.Corrected != corr || tt.Realised != real || tt.Expected != exp || tt.Remaining != rem || n != 342 {
			t.Errorf("%s: totals %+v do not add up to the gemeenten (%d %d %d %d %d, %d classified)", p.Code, tt, taak, corr, real, exp, rem, n)
		}
		// Province totals add up to the national ones.
		provinces, _ := d.Provinces(ctx)
		var provSum int
		for _, pv := range provinces {
			provSum += SumFigures(pf.Select(pv.Code, "")).Realised
		}
		if provSum != tt.Realised {
			t.Errorf("%s: provinces realised %d, nation %d", p.Code, provSum, tt.Realised)
		}
		if p.NationalTotal == nil {
			// 2024-H2: no national total, so nothing computed and every gemeente without data.
			if tt.TaakstellingKnown != 0 || tt.Count(StandingNoData) != 342 || tt.RealisedKnown != 0 {
				t.Errorf("%s without a national total: %+v", p.Code, tt)
			}
			continue
		}
		// The computed shares add up to the national total exactly.
		if tt.Taakstelling != *p.NationalTotal || !tt.Computed || !tt.Fictitious || tt.Official {
			t.Errorf("%s: taakstelling sum %d, national total %d, computed %v fictitious %v", p.Code, tt.Taakstelling, *p.NationalTotal, tt.Computed, tt.Fictitious)
		}
		if tt.Count(StandingNoData) != 0 || tt.Count(StandingAhead) == 0 || tt.Count(StandingFarBehind) == 0 {
			t.Errorf("%s: class counts %v", p.Code, tt.Counts)
		}
		// Every standing agrees with the definition.
		for _, g := range pf.Gemeenten {
			if *g.Corrected != *g.Taakstelling+deref(g.CarriedIn) || g.Months != 6 || *g.Expected != *g.Corrected ||
				*g.Difference != *g.Realised-*g.Expected || g.Source() != BasisFictitious {
				t.Fatalf("%s %s: inconsistent figures %+v", p.Code, g.Code, g)
			}
		}
	}

	// The carry-over chain: 2023-H1 starts without one, 2023-H2 and 2024-H1 take the
	// previous period's leftover, 2025-H1 restarts after 2024-H2 (unknown).
	hist := map[string]GemeenteFigures{}
	_, gs, err := d.GemeenteHistory(ctx, "GM0344")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		hist[g.Period] = g
	}
	if len(gs) != 6 {
		t.Fatalf("Utrecht has figures in %d periods, want 6", len(gs))
	}
	for _, p := range []string{"2023-H1", "2025-H1"} {
		if hist[p].CarriedIn != nil {
			t.Errorf("%s: carry-in %d, want unknown", p, *hist[p].CarriedIn)
		}
	}
	for prev, p := range map[string]string{"2023-H1": "2023-H2", "2023-H2": "2024-H1", "2025-H1": "2025-H2"} {
		if hist[p].CarriedIn == nil || *hist[p].CarriedIn != *hist[prev].Corrected-*hist[prev].Realised {
			t.Errorf("%s carries in %v, %s left %d", p, hist[p].CarriedIn, prev, *hist[prev].Corrected-*hist[prev].Realised)
		}
	}
	if hist["2024-H2"].Standing != StandingNoData || hist["2024-H1"].CarriedOut == nil {
		t.Error("2024-H2 must be without data while 2024-H1 is complete")
	}
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func TestNationalTotalsFollowSource(t *testing.T) {
	// The Dutch one-row-per-period file must agree with the verbatim source file: the
	// row with status set / set (lowered) where there is one, else the only row.
	src, err := readCSV("seed/taakstelling-national.csv", []string{"period", "total", "source", "source_date", "status", "note"})
	if err != nil {
		t.Fatal(err)
	}
	byPeriod := map[string][][]string{}
	for _, r := range src {
		byPeriod[r[0]] = append(byPeriod[r[0]], r)
	}
	status := map[string]string{"set": TotalSet, "set (lowered)": TotalAdjusted, "prognosis": TotalForecast, "inferred": TotalInferred}
	d := openTest(t)
	periods, err := d.Periods(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(periods) != 20 || periods[0].Code != "2016-H1" || periods[19].Code != "2025-H2" {
		t.Fatalf("periods: %d from %s", len(periods), periods[0].Code)
	}
	for _, p := range periods {
		rows := byPeriod[p.Code]
		if len(rows) == 0 {
			if p.NationalTotal != nil || p.TotalStatus != TotalMissing {
				t.Errorf("%s has no source but total %v (%s)", p.Code, p.NationalTotal, p.TotalStatus)
			}
			continue
		}
		pick := rows[0]
		for _, r := range rows {
			if r[4] == "set" || r[4] == "set (lowered)" {
				pick = r
			}
		}
		if p.NationalTotal == nil || strconv.Itoa(*p.NationalTotal) != pick[1] || p.SourceURL != pick[2] ||
			p.SourceDate != pick[3] || p.TotalStatus != status[pick[4]] {
			t.Errorf("%s: %v %s %s %s, source row %v", p.Code, p.NationalTotal, p.SourceURL, p.SourceDate, p.TotalStatus, pick)
		}
	}
	// The notes say what their sources say (issue 11): the two newspapers' own
	// figures for the 2022-H1 backlog; the 20,000 of August 2022 as a target in place
	// of the statutory 13,500, not on top of it (Trouw: "niet 13.500 maar 20.000");
	// 4,714 a month as the need including the backlog ((23,000 + 5,283) / 6).
	notes := map[string][]string{
		"2022-H2": {"1.833 volgens NRC", "1.836 volgens Trouw", "niet 13.500 maar 20.000", "geen wettelijke taakstelling"},
		"2016-H2": {"5.283", "28.283", "4.714 per maand, de achterstand inbegrepen"},
	}
	for _, p := range periods {
		for _, w := range notes[p.Code] {
			if !strings.Contains(p.Note, w) {
				t.Errorf("%s: note %q lacks %q", p.Code, p.Note, w)
			}
		}
		for _, bad := range []string{"ongeveer 1.835", "daarbovenop een niet-wettelijk", ": ongeveer 4.714 per maand."} {
			if strings.Contains(p.Note, bad) {
				t.Errorf("%s: note still says %q", p.Code, bad)
			}
		}
	}
	if (23000+5283+5)/6 != 4714 {
		t.Error("the 2016-H2 monthly need does not follow from its numbers")
	}
	want := map[string]string{"2021-H1": TotalMissing, "2024-H2": TotalMissing, "2018-H2": TotalForecast,
		"2020-H1": TotalInferred, "2025-H1": TotalAdjusted, "2023-H2": TotalAdjusted, "2019-H1": TotalAdjusted}
	for _, p := range periods {
		if w, ok := want[p.Code]; ok && p.TotalStatus != w {
			t.Errorf("%s: status %q, want %q", p.Code, p.TotalStatus, w)
		}
	}
}

// figureDigest hashes the seeded figures.
func figureDigest(t *testing.T, d *DB) string {
	t.Helper()
	h := sha256.New()
	for _, q := range []string{
		"SELECT period, gemeente_code, amount, basis FROM taakstellingen ORDER BY 1, 2",
		"SELECT period, gemeente_code, peildatum, realised, basis FROM realisaties ORDER BY 1, 2, 3",
	} {
		rows, err := d.r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c, e string
			var n int
			if strings.Contains(q, "peildatum") {
				rows.Scan(&a, &b, &c, &n, &e)
			} else {
				rows.Scan(&a, &b, &n, &e)
			}
			fmt.Fprintln(h, a, b, c, n, e)
		}
		rows.Close()
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestFictitiousRealisationsAreReproducibleAndLabelled(t *testing.T) {
	a, b := openTest(t), openTest(t)
	if figureDigest(t, a) != figureDigest(t, b) {
		t.Fatal("two new databases got different demo figures")
	}
	var n, fict, nonMonotone int
	a.r.QueryRow("SELECT count(*), count(*) FILTER (WHERE basis = 'fictief') FROM realisaties").Scan(&n, &fict)
	if n != 342*6*5 || fict != n {
		t.Errorf("%d realisations, %d fictitious; want 342 gemeenten × 6 months × 5 periods, all fictitious", n, fict)
	}
	a.r.QueryRow(`SELECT count(*) FROM realisaties r JOIN realisaties q ON q.period = r.period
		AND q.gemeente_code = r.gemeente_code AND q.peildatum > r.peildatum AND q.realised < r.realised`).Scan(&nonMonotone)
	if nonMonotone != 0 {
		t.Errorf("%d cumulative counts decrease", nonMonotone)
	}
	none := queryInt(t, a, "SELECT count(*) FROM realisaties WHERE period = '2024-H2'")
	if none != 0 {
		t.Error("realisations were generated for 2024-H2, whose taakstelling is unknown")
	}
}

func TestFiguresFollowWrites(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	before, _ := d.PeriodFigures(ctx, "2025-H2")
	g, _ := before.Gemeente("GM0344")
	// What an import of official figures does (issue 4): replace the fictitious
	// realisations of a period, here with three months only.
	err := d.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("DELETE FROM realisaties WHERE period = '2025-H2' AND gemeente_code = 'GM0344'"); err != nil {
			return err
		}
		for m, n := range []int{10, 20, 31} {
			if _, err := tx.Exec(`INSERT INTO realisaties (period, division, gemeente_code, peildatum, realised, basis)
				VALUES ('2025-H2', 2025, 'GM0344', ?, ?, 'officieel')`, fmt.Sprintf("2025-%02d-01", 8+m), n); err != nil {
				return err
			}
		}
		_, err := tx.Exec("UPDATE taakstellingen SET amount = 100, basis = 'officieel' WHERE period = '2025-H2' AND gemeente_code = 'GM0344'")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := d.PeriodFigures(ctx, "2025-H2")
	if after.Version == before.Version {
		t.Fatal("figures version did not change")
	}
	u, _ := after.Gemeente("GM0344")
	wantCorr := 100 + *g.CarriedIn
	if *u.Realised != 31 || u.Months != 3 || u.RealisedBasis != BasisOfficial || u.TaakstellingBasis != BasisOfficial ||
		*u.Corrected != wantCorr || *u.Expected != ExpectedProRata(3, wantCorr) ||
		u.Peildatum.Format(time.DateOnly) != "2025-10-01" || u.CarriedOut != nil {
		t.Errorf("after import: %+v", u)
	}
	// The carry-over comes from 2025-H1's fictitious realisations: the gecorrigeerde
	// taakstelling, and so the row, stays fictitious although its own figures are not.
	if !u.CarriedInFictitious || u.Source() != BasisFictitious {
		t.Errorf("official figures on a fictitious carry-over: source %q", u.Source())
	}
	// An insert outside its period is refused by the schema.
	err = d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO realisaties (period, division, gemeente_code, peildatum, realised, basis)
			VALUES ('2025-H2', 2025, 'GM0344', '2025-07-01', 1, 'officieel')`)
		return err
	})
	if err == nil {
		t.Error("a peildatum of 2025-H1 was accepted in 2025-H2")
	}
	// A code of another boundary set is refused too.
	err = d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO taakstellingen (period, division, gemeente_code, amount, basis)
			VALUES ('2025-H2', 2025, 'GM0003', 1, 'officieel')`)
		return err
	})
	if err == nil {
		t.Error("a 2016 code was accepted in a 2025 period")
	}
}

func TestImported2016FiguresUseThe2016Boundaries(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	gem, err := d.PeriodGemeenten(ctx, "2016-H1")
	if err != nil || len(gem) != 390 || gem["GM0003"] != "Appingedam" {
		t.Fatalf("2016-H1 gemeenten: %d, %v", len(gem), err)
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO taakstellingen (period, division, gemeente_code, amount, basis)
			SELECT '2016-H1', 2016, code, 10, 'officieel' FROM division_gemeenten WHERE division = 2016`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pf, err := d.PeriodFigures(ctx, "2016-H1")
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.Gemeenten) != 390 || pf.Totals.Taakstelling != 3900 || pf.Totals.Computed || !pf.Totals.Official {
		t.Errorf("2016-H1: %d gemeenten, totals %+v", len(pf.Gemeenten), pf.Totals)
	}
	g, _ := pf.Gemeente("GM0003")
	if g.Population != nil || g.Standing != StandingNoData {
		t.Errorf("Appingedam 2016: %+v", g)
	}
	periods, _ := d.FigurePeriods(ctx)
	var codes []string
	for _, p := range periods {
		codes = append(codes, p.Code)
	}
	// From 2016-H1 to 2025-H2, skipping the years without boundaries.
	if !slices.Contains(codes, "2016-H1") || !slices.Contains(codes, "2017-H2") || slices.Contains(codes, "2019-H1") {
		t.Errorf("map periods after a 2016 import: %v", codes)
	}
	dv, err := d.Division(ctx, 2016)
	if err != nil || len(dv.Gemeenten) != 390 || len(dv.Provinces) != 12 {
		t.Fatalf("division 2016: %v", err)
	}
}

func TestPathBox(t *testing.T) {
	tests := []struct {
		d    string
		want Box
	}{
		{"M10 20l5 0 0 5-5 0z", Box{10, 20, 5, 5}},
		{"M10 20l-5-5 10 0zM100 100l1 1z", Box{5, 15, 96, 86}},
		{"M0 0L4 9 2-3z", Box{0, -3, 4, 12}},
	}
	for _, tt := range tests {
		got, err := pathBox(tt.d)
		if err != nil || got != tt.want {
			t.Errorf("pathBox(%q) = %v, %v; want %v", tt.d, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "M1", "M1 2l3 x", "10 10"} {
		if _, err := pathBox(bad); err == nil && bad != "M1" {
			t.Errorf("pathBox(%q) accepted", bad)
		}
	}
	d := openTest(t)
	dv, err := d.Division(context.Background(), 2025)
	if err != nil {
		t.Fatal(err)
	}
	box, ok := dv.ProvinceBox("PV27")
	if !ok {
		t.Fatal("no box for Noord-Holland")
	}
	for _, g := range dv.Gemeenten {
		if g.ProvinceCode != "PV27" {
			continue
		}
		if g.Box.X < box.X || g.Box.Y < box.Y || g.Box.X+g.Box.W > box.X+box.W || g.Box.Y+g.Box.H > box.Y+box.H {
			t.Errorf("%s %v lies outside the province box %v", g.Code, g.Box, box)
		}
	}
	if box.W >= dv.ViewBox.W/2 || box.H >= dv.ViewBox.H/2 {
		t.Errorf("Noord-Holland box %v is not a zoom of %v", box, dv.ViewBox)
	}
}

func TestCurrentPeriod(t *testing.T) {
	n := 1000
	known := func(code string) Period { return Period{Code: code, NationalTotal: &n, TotalStatus: TotalSet} }
	ps := []Period{known("2023-H1"), known("2023-H2"), {Code: "2024-H2", TotalStatus: TotalMissing}, known("2025-H2"),
		{Code: "2026-H1", TotalStatus: TotalPending, Pending: true}, {Code: "2026-H2", TotalStatus: TotalPending, Pending: true}}
	for today, want := range map[string]string{
		"2026-11-25": "2025-H2", // no 2026 figure: the latest with a national figure
		"2023-09-30": "2023-H2", // the period containing today
		"2024-03-01": "2023-H2", // a gap: the latest before
		"2024-09-01": "2023-H2", // today's period has no national figure: the latest that has
		"2020-01-01": "2023-H1", // before any figures: the first
	} {
		day, _ := time.Parse(time.DateOnly, today)
		if p, _ := CurrentPeriod(ps, day); p.Code != want {
			t.Errorf("current period on %s = %s, want %s", today, p.Code, want)
		}
	}
	if _, ok := CurrentPeriod(nil, time.Now()); ok {
		t.Error("a current period without periods")
	}
}

func TestPendingPeriodsRunUpToToday(t *testing.T) {
	n := 13000
	all := []Period{{Code: "2025-H1", Year: 2025, Half: 1, NationalTotal: &n}, {Code: "2025-H2", Year: 2025, Half: 2, NationalTotal: &n}}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	got := PendingPeriods(all, day("2026-12-06"))
	if len(got) != 2 || got[0].Code != "2026-H1" || got[1].Code != "2026-H2" {
		t.Fatalf("pending periods on 6 December 2026: %v", got)
	}
	for _, p := range got {
		if !p.Pending || p.TotalStatus != TotalPending || p.Known() || p.Division != latestBoundarySet || p.Year != 2026 {
			t.Errorf("%+v: want a pending 2026 period on the latest boundary set", p)
		}
	}
	if got := PendingPeriods(all, day("2025-10-01")); len(got) != 0 {
		t.Errorf("no period is pending while the last one runs: %v", got)
	}
}

func TestFictitiousCarryOverMakesTheNextPeriodFictitious(t *testing.T) {
	h1 := Period{Code: "2030-H1", Year: 2030, Half: 1}
	h2 := Period{Code: "2030-H2", Year: 2030, Half: 2}
	gem := []divisionGemeente{{code: "GM0001", name: "A"}}
	var reals []realRow
	for m := 1; m <= 6; m++ {
		reals = append(reals, realRow{peildatum: h1.Peildatum(m), realised: m, basis: BasisFictitious})
	}
	_, next := computePeriod(h1, gem, map[string]taakRow{"GM0001": {10, BasisComputed}}, map[string][]realRow{"GM0001": reals}, nil)
	if !next["GM0001"].fictitious || next["GM0001"].n != 4 {
		t.Fatalf("carry-over from fictitious realisations: %+v, want 4, fictitious", next["GM0001"])
	}
	// The next period has only a computed taakstelling, yet its gecorrigeerde
	// taakstelling holds the fictitious carry-over: the row is fictitious.
	rows, _ := computePeriod(h2, gem, map[string]taakRow{"GM0001": {10, BasisComputed}}, nil, next)
	if g := rows[0]; *g.Corrected != 14 || !g.CarriedInFictitious || g.Source() != BasisFictitious || g.RealisedBasis != "" {
		t.Errorf("next period: corrected %d, carried-in fictitious %v, source %q", *g.Corrected, g.CarriedInFictitious, g.Source())
	}
	if tot := SumFigures(rows); !tot.Fictitious {
		t.Error("totals of a period with a fictitious carry-over are not marked fictitious")
	}
	if b := rows[0].CarryBalance(); b == nil || *b != -4 {
		t.Errorf("carry balance %v, want −4 (an achterstand is behind, like a negative difference)", b)
	}
}

func TestKnownDeviations(t *testing.T) {
	for code, want := range map[string]int{"GM0088": 1, "GM0096": 1, "GM1979": 1, "GM0344": 0, "GM0448": 0} {
		if got := len(DeviationsFor(code, "2025-H2")); got != want {
			t.Errorf("%s in 2025-H2: %d known deviations, want %d", code, got, want)
		}
	}
	if n := len(DeviationsFor("GM1979", "2021-H1")); n != 0 {
		t.Error("the Eemsdelta agreement of October 2021 does not concern 2021-H1")
	}
	for _, d := range KnownDeviations {
		if d.ID == "" || d.Title == "" || d.Short == "" || len(d.Sources) == 0 || strings.Contains(d.Text, "iets") || strings.Contains(d.Text, "klein") {
			t.Errorf("%s: every deviation needs an anchor, a title, a source, and no word that calls the difference small", d.ID)
		}
	}
	d := openTest(t)
	pf, err := d.PeriodFigures(context.Background(), "2025-H2")
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := pf.Gemeente("GM1979"); len(g.Deviations) != 1 || g.TaakstellingBasis != BasisComputed {
		t.Errorf("Eemsdelta's computed taakstelling carries %d deviations", len(g.Deviations))
	}
}

func TestSchiermonnikoogIsTooSmallToJudgeIn2025H2(t *testing.T) {
	d := openTest(t)
	pf, err := d.PeriodFigures(context.Background(), "2025-H2")
	if err != nil {
		t.Fatal(err)
	}
	g, ok := pf.Gemeente("GM0088")
	if !ok || g.Realised == nil || g.Expected == nil {
		t.Fatalf("Schiermonnikoog in 2025-H2: %+v", g)
	}
	if g.Standing != StandingTooSmall || g.Percentage != nil || *g.Expected >= MinJudgedExpected {
		t.Errorf("Schiermonnikoog 2025-H2: %q, expected %d, percentage %v; want te klein om te beoordelen", g.Standing, *g.Expected, g.Percentage)
	}
	if c := pf.Totals.Count(StandingTooSmall); c < 1 {
		t.Errorf("the legend counts %d gemeenten too small to judge", c)
	}
}
