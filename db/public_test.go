package db

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"
)

// createCasesInEveryStatus adds one case per status so tests can see that only published ones
// leave the database.
func createCasesInEveryStatus(t testing.TB, d *DB) map[string]string {
	t.Helper()
	slugs := map[string]string{}
	for _, status := range Statuses {
		in := CaseInput{
			Slug: "wonen-status-" + status, Title: "Wonen in status " + status, Summary: "Een voorbeeld.",
			Body: "Tijdelijke woningen.", GemeenteCode: "GM0344", Themes: []string{"tijdelijke-woningen", "gezinnen"},
			Kind: KindSolution, Status: status,
		}
		if _, err := d.CreateCase(context.Background(), in, nil); err != nil {
			t.Fatal(err)
		}
		slugs[status] = in.Slug
	}
	return slugs
}

func TestEachCaseWalksExactlyWhatFindCasesPagesThrough(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	slugs := createCasesInEveryStatus(t, d)

	filters := map[string]CaseFilter{
		"everything":         {},
		"by year":            {Sort: SortYear},
		"search":             {Query: "wonen"},
		"search newest":      {Query: "wonen", Sort: SortNewest},
		"theme and province": {Themes: []string{"tijdelijke-woningen"}, Provinces: []string{"PV26"}},
		"kind and year":      {Kinds: []string{KindApproach}, Years: []int{2016, 2017}},
		"nothing matches":    {Query: "qqqzzzxx"},
		"punctuation only":   {Query: "?!"},
	}
	for name, f := range filters {
		t.Run(name, func(t *testing.T) {
			paged := f
			paged.PerPage = 5
			var want []string
			for p := 1; ; p++ {
				paged.Page = p
				res, err := d.FindCases(ctx, paged)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Hits {
					want = append(want, h.Slug)
				}
				if p >= res.Pages {
					break
				}
			}
			var got []string
			err := d.EachCase(ctx, f, func(c Case) error {
				if c.Status != StatusPublished {
					t.Errorf("EachCase gave %q with status %s", c.Slug, c.Status)
				}
				got = append(got, c.Slug)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("EachCase = %v\nFindCases pages = %v", got, want)
			}
			if (name == "nothing matches" || name == "punctuation only") && len(got) != 0 {
				t.Errorf("a query that matches nothing gave %d cases", len(got))
			}
			for status, slug := range slugs {
				if status != StatusPublished && slices.Contains(got, slug) {
					t.Errorf("EachCase gave the %s case", status)
				}
			}
		})
	}
}

func TestEachCaseWalksMoreThanOneBatchAndStopsOnError(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	err := d.write(ctx, func(tx *sql.Tx) error {
		for i := range eachBatch + 10 {
			in := CaseInput{Slug: "bulk-" + strconv.Itoa(i), Title: "Bulk " + strconv.Itoa(i), Summary: "s", Kind: KindApproach, Status: StatusPublished}
			if _, err := insertCase(ctx, tx, in, nil, timestamp(d.Now())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d.casesChanged(ctx)
	n := 0
	seen := map[string]bool{}
	if err := d.EachCase(ctx, CaseFilter{}, func(c Case) error { n++; seen[c.Slug] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if want := eachBatch + 10 + seedCount(t, d); n != want || len(seen) != want {
		t.Fatalf("EachCase gave %d cases (%d distinct), want %d", n, len(seen), want)
	}
	stop := errors.New("stop")
	n = 0
	err = d.EachCase(ctx, CaseFilter{}, func(c Case) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("EachCase after an error from fn: err %v after %d cases", err, n)
	}
}

func TestRelatedThemesCountSharedPublishedCases(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	before, err := d.RelatedThemes(ctx, "tijdelijke-woningen", 20)
	if err != nil {
		t.Fatal(err)
	}
	shared := func(list []RelatedTheme, slug string) int {
		for _, r := range list {
			if r.Slug == slug {
				return r.Shared
			}
		}
		return 0
	}
	for i := 1; i < len(before); i++ {
		if before[i].Shared > before[i-1].Shared {
			t.Fatalf("related themes not most shared first: %v", before)
		}
	}
	for _, r := range before {
		if r.Slug == "tijdelijke-woningen" {
			t.Fatal("a theme is listed as related to itself")
		}
	}
	createCasesInEveryStatus(t, d)
	after, err := d.RelatedThemes(ctx, "tijdelijke-woningen", 20)
	if err != nil {
		t.Fatal(err)
	}
	// Four new cases carry both themes; only the published one counts.
	if got, want := shared(after, "gezinnen"), shared(before, "gezinnen")+1; got != want {
		t.Errorf("gezinnen shares %d cases with tijdelijke-woningen, want %d", got, want)
	}
	if _, err := d.FindTheme(ctx, "bestaat-niet"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindTheme of an unknown slug: %v", err)
	}
}

func TestCaseStampsAndChangeTimeCoverOnlyPublicCases(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	start := time.Now().UTC().Truncate(time.Second)
	slugs := createCasesInEveryStatus(t, d)
	stamps, err := d.CaseStamps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range stamps {
		got[s.Slug] = true
		if s.UpdatedAt.IsZero() {
			t.Errorf("%s has no update time", s.Slug)
		}
	}
	if len(stamps) != seedCount(t, d)+1 || !got[slugs[StatusPublished]] {
		t.Errorf("%d stamps, want the %d seed cases and the published one", len(stamps), seedCount(t, d))
	}
	for status, slug := range slugs {
		if status != StatusPublished && got[slug] {
			t.Errorf("the %s case has a stamp", status)
		}
	}
	changed, err := d.CasesChangedAt(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if changed.Before(start) {
		t.Errorf("cases changed at %v, before the case published at %v", changed, start)
	}
}

// seedCount is the number of published cases a new database starts with.
func seedCount(t testing.TB, d *DB) int {
	t.Helper()
	var n int
	if err := d.r.QueryRow("SELECT count(*) FROM seeded_cases s JOIN cases c ON c.id = s.case_id WHERE c.status = 'gepubliceerd'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
