package db

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// RelatedCases returns up to n published cases most like c: sharing themes counts
// most, then words of the title and summary (bm25 over the whole library), then
// what likeness adds (place, stage, target group).
func (d *DB) RelatedCases(ctx context.Context, c Case, n int) ([]Case, error) {
	score := map[int64]float64{}

	rows, err := d.r.QueryContext(ctx, `SELECT other.case_id, count(*)
		FROM case_themes mine
		JOIN case_themes other ON other.theme_slug = mine.theme_slug AND other.case_id <> mine.case_id
		JOIN cases o ON o.id = other.case_id AND o.status = 'gepubliceerd'
		WHERE mine.case_id = ?
		GROUP BY other.case_id`, c.ID)
	if err != nil {
		return nil, fmt.Errorf("related cases of %q: %w", c.Slug, err)
	}
	for rows.Next() {
		var id int64
		var shared int
		if err := rows.Scan(&id, &shared); err != nil {
			rows.Close()
			return nil, fmt.Errorf("related cases of %q: %w", c.Slug, err)
		}
		score[id] += 2 * float64(shared)
	}
	rows.Close()

	if q := similarityQuery(c.Title + " " + c.Summary); q != "" {
		const limit = 20
		rows, err := d.r.QueryContext(ctx, `SELECT f.rowid FROM case_search f
			JOIN cases o ON o.id = f.rowid AND o.status = 'gepubliceerd'
			WHERE case_search MATCH ? AND f.rowid <> ?
			ORDER BY bm25(case_search, `+bm25Weights+`) LIMIT ?`, q, c.ID, limit)
		if err != nil {
			return nil, fmt.Errorf("related cases of %q: %w", c.Slug, err)
		}
		for i := 0; rows.Next(); i++ {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("related cases of %q: %w", c.Slug, err)
			}
			score[id] += 3 * float64(limit-i) / limit
		}
		rows.Close()
	}
	if len(score) == 0 {
		return nil, nil
	}

	ids := make([]any, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	cands, err := queryCases(ctx, d.r,
		"WHERE c.status = 'gepubliceerd' AND c.id IN ("+placeholders(len(ids))+")", ids...)
	if err != nil {
		return nil, fmt.Errorf("related cases of %q: %w", c.Slug, err)
	}
	for _, o := range cands {
		score[o.ID] += likeness(c, o)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if score[cands[i].ID] != score[cands[j].ID] {
			return score[cands[i].ID] > score[cands[j].ID]
		}
		return cands[i].ID > cands[j].ID
	})
	return cands[:min(n, len(cands))], nil
}

// likeness is what besides themes and words makes o like c: involving one of the
// same gemeenten (1), else the same province (0.5); the same known stage (0.5);
// a target group in common (0.5). Each counts less than one shared theme (2).
func likeness(c, o Case) float64 {
	var score float64
	switch {
	case sharesGemeente(c, o):
		score += 1
	case slices.ContainsFunc(c.Provinces, func(p Province) bool {
		return slices.ContainsFunc(o.Provinces, func(q Province) bool { return q.Code == p.Code })
	}):
		score += 0.5
	}
	if c.Stage != StageUnknown && c.Stage != "" && o.Stage == c.Stage {
		score += 0.5
	}
	if slices.ContainsFunc(c.TargetGroups, func(g string) bool { return slices.Contains(o.TargetGroups, g) }) {
		score += 0.5
	}
	return score
}

// sharesGemeente reports whether c and o involve a gemeente in common, as their
// own gemeente or a related one.
func sharesGemeente(c, o Case) bool {
	codes := func(x Case) []string {
		out := []string{x.GemeenteCode}
		for _, g := range x.RelatedGemeenten {
			out = append(out, g.Code)
		}
		return out
	}
	mine := codes(c)
	return slices.ContainsFunc(codes(o), func(g string) bool { return g != "" && slices.Contains(mine, g) })
}

// similarityQuery ORs the stems of the longer words of a text into an FTS5
// expression over the stem columns; short words are mostly Dutch function words
// and say little about a case.
func similarityQuery(text string) string {
	seen := map[string]bool{}
	var terms []string
	for _, w := range words(text) {
		s := stem(w)
		if utf8.RuneCountInString(w) < 5 || lists().stop[w] || seen[s] {
			continue
		}
		seen[s] = true
		var b strings.Builder
		writeQuoted(&b, s)
		terms = append(terms, b.String())
		if len(terms) == 16 {
			break
		}
	}
	if len(terms) == 0 {
		return ""
	}
	return colsStems + " : (" + strings.Join(terms, " OR ") + ")"
}
