package db

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
)

// AddSyntheticCases adds n published, clearly fictitious cases for benchmarks and
// load tests. Their words are drawn (Zipf-distributed, like real text) from the
// vocabulary of the seed cases, so searches, prefixes and snippets behave as they
// would on a large real library. The same seed gives the same cases.
func (d *DB) AddSyntheticCases(ctx context.Context, n int, seed uint64) error {
	if n <= 0 {
		return nil
	}
	content, err := readSeedContent()
	if err != nil {
		return err
	}
	syn := newSynthesizer(content.Cases, seed)
	if syn.gemeenten, err = queryAll(ctx, d.r, "gemeente codes", scanString, "SELECT code FROM gemeenten ORDER BY code"); err != nil {
		return err
	}
	if syn.themes, err = d.themeSlugs(ctx); err != nil {
		return err
	}

	var first int64
	if err := d.r.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) + 1 FROM cases").Scan(&first); err != nil {
		return err
	}
	const batch = 5000
	for done := 0; done < n; done += batch {
		err := d.write(ctx, func(tx *sql.Tx) error {
			ts := timestamp(d.Now())
			for i := done; i < min(done+batch, n); i++ {
				in := syn.input(fmt.Sprintf("synthetisch-%d-%d", seed, first+int64(i)))
				if _, err := insertCase(ctx, tx, in, nil, ts); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("add synthetic cases: %w", err)
		}
	}
	d.casesChanged(ctx)
	return nil
}

// synthesizer makes reproducible cases from the seed cases' words, drawn with a
// Zipf distribution as in real text.
type synthesizer struct {
	rng       *rand.Rand
	zipf      *rand.Zipf
	vocab     []string
	gemeenten []string // codes
	themes    []string // slugs
}

func newSynthesizer(cases []seedCase, seed uint64) *synthesizer {
	syn := &synthesizer{rng: rand.New(rand.NewPCG(seed, 0x0715))}
	seen := map[string]bool{}
	for _, c := range cases {
		for _, w := range strings.FieldsFunc(c.Title+" "+c.Summary+" "+PlainText(c.Body), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsNumber(r)
		}) {
			if w = strings.ToLower(w); !seen[w] {
				seen[w] = true
				syn.vocab = append(syn.vocab, w)
			}
		}
	}
	syn.zipf = rand.NewZipf(rand.New(rand.NewPCG(seed, 0x2025)), 1.1, 2, uint64(len(syn.vocab)-1))
	return syn
}

// words is a sentence of k words, capitalised.
func (syn *synthesizer) words(k int) string {
	ws := make([]string, k)
	for i := range ws {
		ws[i] = syn.vocab[syn.zipf.Uint64()]
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// input is the next synthetic case, published under slug.
func (syn *synthesizer) input(slug string) CaseInput {
	rng, words, gemeenten := syn.rng, syn.words, syn.gemeenten
	year := 2015 + rng.IntN(11)
	homes := rng.IntN(400) + 4
	in := CaseInput{
		Slug:         slug,
		Title:        words(4 + rng.IntN(5)),
		Summary:      words(20+rng.IntN(20)) + ".",
		Body:         words(40+rng.IntN(50)) + ".\n\n" + words(40+rng.IntN(50)) + ".\n\n" + words(20+rng.IntN(30)) + ".",
		GemeenteCode: gemeenten[rng.IntN(len(gemeenten))],
		Kind:         Kinds[rng.IntN(len(Kinds))],
		Year:         &year,
		Homes:        &homes,
		Partners:     []string{words(2), words(3)},
		Status:       StatusPublished,
	}
	if rng.IntN(10) == 0 {
		in.GemeenteCode = "" // a regional or national case
	}
	// The richer case model: a stage, target groups, qualified numbers,
	// sometimes related gemeenten and a source check.
	in.Stage = Stages[rng.IntN(len(Stages))]
	in.HomesQualifier = Qualifiers[rng.IntN(len(Qualifiers))]
	for _, g := range TargetGroups {
		if rng.IntN(3) == 0 {
			in.TargetGroups = append(in.TargetGroups, g)
		}
	}
	if rng.IntN(20) == 0 {
		for range 1 + rng.IntN(4) {
			in.RelatedGemeenten = append(in.RelatedGemeenten, gemeenten[rng.IntN(len(gemeenten))])
		}
	}
	if rng.IntN(2) == 0 {
		in.SourceChecked = fmt.Sprintf("%d-%02d", 2020+rng.IntN(7), 1+rng.IntN(12))
	}
	for _, t := range rng.Perm(len(syn.themes))[:1+rng.IntN(3)] {
		in.Themes = append(in.Themes, syn.themes[t])
	}
	return in
}

func (d *DB) themeSlugs(ctx context.Context) ([]string, error) {
	themes, err := d.Themes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(themes))
	for i, t := range themes {
		out[i] = t.Slug
	}
	return out, nil
}
