package db

import (
	"context"
	"fmt"
	"strconv"
)

// Sort orders of the library.
const (
	SortRelevance = "relevantie" // best match first; only when searching
	SortNewest    = "nieuwste"   // most recently published first
	SortYear      = "jaar"       // year of the initiative, newest first
)

// CaseFilter selects published cases for the library. Within a facet the values are
// alternatives (OR); across facets they all apply (AND). Unknown values are ignored.
type CaseFilter struct {
	Query     string
	Provinces []string // CBS codes "PV27"
	Gemeenten []string // CBS codes "GM0363"
	Themes    []string // theme slugs
	Kinds     []string // KindSolution, KindApproach
	Years     []int
	Sort      string
	Page      int // 1-based
	PerPage   int
}

// CaseResults is one page of the library with the facet counts for the filter.
type CaseResults struct {
	Hits     []CaseHit
	Total    int
	Page     int
	Pages    int
	PerPage  int
	Sort     string // the order actually used
	Searched bool   // the query held searchable words
	Facets   Facets
}

// CaseHit is a case in a result list. When searching, TitleMarked, SummaryMarked and
// Snippet (a passage of the body) carry MarkStart/MarkEnd around matched words.
type CaseHit struct {
	Case
	TitleMarked   string
	SummaryMarked string
	Snippet       string
}

// Facets holds, per facet, every option with the number of results it would give
// combined with the other active filters.
type Facets struct {
	Provinces []FacetOption
	Gemeenten []FacetOption
	Themes    []FacetOption
	Kinds     []FacetOption
	Years     []FacetOption
}

// FacetOption is one value of a facet.
type FacetOption struct {
	Value    string
	Label    string
	Count    int
	Selected bool
}

// KindLabel is the Dutch label of a case kind.
func KindLabel(kind string) string {
	switch kind {
	case KindSolution:
		return "Woonoplossing"
	case KindApproach:
		return "Aanpak"
	}
	return kind
}

// facet positions in a pass mask.
const (
	fProvince = iota
	fGemeente
	fTheme
	fKind
	fYear
	nFacets
)

// selection is a CaseFilter resolved against the index.
type selection struct {
	active    [nFacets]bool
	provinces []bool
	gemeenten []bool
	themes    uint64
	kinds     [2]bool
	years     map[uint16]bool
}

func (ix *caseIndex) resolve(f CaseFilter) selection {
	s := selection{
		provinces: make([]bool, len(ix.provinces)+1),
		gemeenten: make([]bool, len(ix.gemeenten)+1),
		years:     map[uint16]bool{},
	}
	for _, p := range f.Provinces {
		if i, ok := ix.provIdx[p]; ok {
			s.provinces[i], s.active[fProvince] = true, true
		}
	}
	for _, g := range f.Gemeenten {
		if i, ok := ix.gemIdx[g]; ok {
			s.gemeenten[i], s.active[fGemeente] = true, true
		}
	}
	for _, t := range f.Themes {
		if b, ok := ix.themeBit[t]; ok {
			s.themes |= 1 << b
			s.active[fTheme] = true
		}
	}
	for _, k := range f.Kinds {
		for i, kind := range Kinds {
			if k == kind {
				s.kinds[i], s.active[fKind] = true, true
			}
		}
	}
	for _, y := range f.Years {
		if y > 0 && y < 1<<16 {
			s.years[uint16(y)], s.active[fYear] = true, true
		}
	}
	return s
}

// passes reports, per facet, whether e meets that facet's filter.
func (s *selection) passes(e *indexEntry) (ok [nFacets]bool, fails int) {
	ok[fProvince] = !s.active[fProvince] || s.provinces[e.province]
	ok[fGemeente] = !s.active[fGemeente] || s.gemeenten[e.gemeente]
	ok[fTheme] = !s.active[fTheme] || e.themes&s.themes != 0
	ok[fKind] = !s.active[fKind] || s.kinds[e.kind]
	ok[fYear] = !s.active[fYear] || s.years[e.year]
	for _, b := range ok {
		if !b {
			fails++
		}
	}
	return ok, fails
}

// counts accumulates facet counts: an entry counts for facet F when it passes every
// filter except, possibly, F's own.
type counts struct {
	provinces []int
	gemeenten []int
	themes    [64]int
	kinds     [2]int
	years     map[uint16]int
}

func (c *counts) add(e *indexEntry, ok [nFacets]bool, fails int) {
	counted := func(f int) bool { return fails == 0 || (fails == 1 && !ok[f]) }
	if counted(fProvince) {
		c.provinces[e.province]++
	}
	if counted(fGemeente) {
		c.gemeenten[e.gemeente]++
	}
	if counted(fTheme) {
		for t := e.themes; t != 0; t &= t - 1 {
			c.themes[trailingZeros(t)]++
		}
	}
	if counted(fKind) {
		c.kinds[e.kind]++
	}
	if counted(fYear) && e.year > 0 {
		c.years[e.year]++
	}
}

func trailingZeros(x uint64) int {
	n := 0
	for x&1 == 0 {
		x >>= 1
		n++
	}
	return n
}

// FindCases returns one page of published cases matching f, with facet counts.
func (d *DB) FindCases(ctx context.Context, f CaseFilter) (CaseResults, error) {
	ix, err := d.caseIndex(ctx)
	if err != nil {
		return CaseResults{}, fmt.Errorf("find cases: %w", err)
	}
	if f.PerPage <= 0 {
		f.PerPage = 12
	}
	res, results, match, err := d.selectCases(ctx, ix, f)
	if err != nil {
		return CaseResults{}, fmt.Errorf("find cases: %w", err)
	}
	res.PerPage = f.PerPage
	res.Pages = max(1, (res.Total+f.PerPage-1)/f.PerPage)
	res.Page = min(max(1, f.Page), res.Pages)

	from := (res.Page - 1) * f.PerPage
	page := results[min(from, len(results)):min(from+f.PerPage, len(results))]
	if res.Hits, err = d.hits(ctx, ix, page, match); err != nil {
		return CaseResults{}, fmt.Errorf("find cases: %w", err)
	}
	return res, nil
}

// eachBatch is how many cases EachCase loads at a time.
const eachBatch = 200

// EachCase calls fn for every published case matching f, in the order FindCases
// lists them, without paging (f.Page and f.PerPage are ignored). Cases are loaded a
// batch at a time, so memory stays flat however many match. An error from fn stops
// the walk and is returned as it is.
func (d *DB) EachCase(ctx context.Context, f CaseFilter, fn func(Case) error) error {
	ix, err := d.caseIndex(ctx)
	if err != nil {
		return fmt.Errorf("each case: %w", err)
	}
	_, results, _, err := d.selectCases(ctx, ix, f)
	if err != nil {
		return fmt.Errorf("each case: %w", err)
	}
	for len(results) > 0 {
		n := min(eachBatch, len(results))
		batch, err := d.hits(ctx, ix, results[:n], "")
		if err != nil {
			return fmt.Errorf("each case: %w", err)
		}
		for _, h := range batch {
			if err := fn(h.Case); err != nil {
				return err
			}
		}
		results = results[n:]
	}
	return nil
}

// selectCases resolves f against the index: the positions of every matching case in
// result order, the facet counts, the order used, and the FTS5 expression searched
// for. FindCases cuts a page from the positions; EachCase walks all of them.
func (d *DB) selectCases(ctx context.Context, ix *caseIndex, f CaseFilter) (CaseResults, []int32, string, error) {
	match := matchQuery(f.Query)
	res := CaseResults{Searched: match != "", Sort: f.Sort}
	if res.Sort != SortNewest && res.Sort != SortYear && res.Sort != SortRelevance {
		res.Sort = ""
	}
	if res.Sort == "" || (res.Sort == SortRelevance && !res.Searched) {
		res.Sort = SortNewest
		if res.Searched {
			res.Sort = SortRelevance
		}
	}

	// Candidates in result order.
	var (
		order []int32
		err   error
	)
	switch {
	case f.Query != "" && match == "":
		// Only punctuation, emoji or the like: nothing can match.
	case res.Searched:
		order, err = d.matchPositions(ctx, ix, match, res.Sort)
		if err != nil {
			return CaseResults{}, nil, "", err
		}
	case res.Sort == SortYear:
		order = ix.byYear
	default:
		order = make([]int32, len(ix.entries))
		for i := range order {
			order[i] = int32(i)
		}
	}

	sel := ix.resolve(f)
	c := counts{
		provinces: make([]int, len(ix.provinces)+1),
		gemeenten: make([]int, len(ix.gemeenten)+1),
		years:     map[uint16]int{},
	}
	var results []int32
	for _, p := range order {
		e := &ix.entries[p]
		ok, fails := sel.passes(e)
		if fails > 1 {
			continue
		}
		c.add(e, ok, fails)
		if fails == 0 {
			results = append(results, p)
		}
	}
	res.Total = len(results)
	res.Facets = ix.facets(sel, &c)
	return res, results, match, nil
}

// matchPositions returns the index positions of the published cases matching the
// FTS5 expression, best match first or in the index's own order.
func (d *DB) matchPositions(ctx context.Context, ix *caseIndex, match, sortBy string) ([]int32, error) {
	q := "SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?"
	if sortBy == SortRelevance {
		// Title weighs most, then summary, gemeente and partners, then body.
		q += " ORDER BY bm25(cases_fts, 10.0, 4.0, 1.0, 3.0, 2.0)"
	}
	rows, err := d.r.QueryContext(ctx, q, match)
	if err != nil {
		return nil, fmt.Errorf("match %q: %w", match, err)
	}
	defer rows.Close()
	var out []int32
	var seen []bool
	if sortBy != SortRelevance {
		seen = make([]bool, len(ix.entries))
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		p, ok := ix.pos[id]
		if !ok {
			continue // not published
		}
		if seen != nil {
			seen[p] = true
		} else {
			out = append(out, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("match %q: %w", match, err)
	}
	if seen == nil {
		return out, nil
	}
	order := ix.byYear
	if sortBy != SortYear {
		order = nil
	}
	for i := range ix.entries {
		p := int32(i)
		if order != nil {
			p = order[i]
		}
		if seen[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

// hits loads the cases at the given index positions, in that order, with marked
// title, summary and body snippet when searching.
func (d *DB) hits(ctx context.Context, ix *caseIndex, positions []int32, match string) ([]CaseHit, error) {
	if len(positions) == 0 {
		return nil, nil
	}
	ids := make([]any, len(positions))
	for i, p := range positions {
		ids[i] = ix.entries[p].id
	}
	cases, err := d.queryCases(ctx, d.r,
		"WHERE c.status = 'gepubliceerd' AND c.id IN ("+placeholders(len(ids))+")", ids...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]Case, len(cases))
	for _, c := range cases {
		byID[c.ID] = c
	}
	marks := map[int64][3]string{}
	if match != "" {
		args := append([]any{match}, ids...)
		rows, err := d.r.QueryContext(ctx, `SELECT rowid,
			highlight(cases_fts, 0, char(1), char(2)),
			highlight(cases_fts, 1, char(1), char(2)),
			snippet(cases_fts, 2, char(1), char(2), '…', 24)
			FROM cases_fts WHERE cases_fts MATCH ? AND rowid IN (`+placeholders(len(ids))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("highlight: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var m [3]string
			if err := rows.Scan(&id, &m[0], &m[1], &m[2]); err != nil {
				return nil, fmt.Errorf("highlight: %w", err)
			}
			marks[id] = m
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("highlight: %w", err)
		}
	}
	out := make([]CaseHit, 0, len(ids))
	for _, id := range ids {
		c, ok := byID[id.(int64)]
		if !ok {
			continue // unpublished since the index was built
		}
		h := CaseHit{Case: c, TitleMarked: c.Title, SummaryMarked: c.Summary}
		if m, ok := marks[c.ID]; ok {
			h.TitleMarked, h.SummaryMarked = m[0], m[1]
			// Only show a body passage when the body holds a hit.
			if containsMark(m[2]) {
				h.Snippet = m[2]
			}
		}
		out = append(out, h)
	}
	return out, nil
}

func containsMark(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == MarkStart[0] {
			return true
		}
	}
	return false
}

// facets turns counts into options with labels, in display order. Provinces, themes
// and kinds list every option; gemeenten and years only those that give results or
// are selected.
func (ix *caseIndex) facets(sel selection, c *counts) Facets {
	var f Facets
	for i, p := range ix.provinces {
		f.Provinces = append(f.Provinces, FacetOption{Value: p.Code, Label: p.Name, Count: c.provinces[i+1], Selected: sel.provinces[i+1]})
	}
	for i, g := range ix.gemeenten {
		if c.gemeenten[i+1] > 0 || sel.gemeenten[i+1] {
			f.Gemeenten = append(f.Gemeenten, FacetOption{Value: g.Code, Label: g.Name, Count: c.gemeenten[i+1], Selected: sel.gemeenten[i+1]})
		}
	}
	for i, t := range ix.themes {
		f.Themes = append(f.Themes, FacetOption{Value: t.Slug, Label: t.Label, Count: c.themes[i], Selected: sel.themes&(1<<i) != 0})
	}
	for i, k := range Kinds {
		f.Kinds = append(f.Kinds, FacetOption{Value: k, Label: KindLabel(k), Count: c.kinds[i], Selected: sel.kinds[i]})
	}
	years := map[uint16]bool{}
	for y := range c.years {
		years[y] = true
	}
	for y := range sel.years {
		years[y] = true
	}
	for y := uint16(2100); y >= 1990; y-- {
		if years[y] {
			v := strconv.Itoa(int(y))
			f.Years = append(f.Years, FacetOption{Value: v, Label: v, Count: c.years[y], Selected: sel.years[y]})
		}
	}
	return f
}
