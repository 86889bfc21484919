package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// Sort orders of the library.
const (
	SortRelevance = "relevantie"    // best match first; only when searching
	SortNewest    = "nieuwste"      // most recently published first
	SortYear      = "jaar"          // year of the initiative, newest first
	SortChecked   = "gecontroleerd" // latest source check first
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
	Stages    []string // StagePlan …
	Groups    []string // target groups: GroupSingles …
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
	Stages    []FacetOption
	Groups    []FacetOption
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
	fStage
	fGroup
	nFacets
)

// Years a case may have (the schema's CHECK); yearSlot maps them onto arrays.
const (
	minYear = 1990
	maxYear = 2100
)

func yearSlot(y uint16) int { return int(y) - minYear }

// selection is a CaseFilter resolved against the index.
type selection struct {
	active    [nFacets]bool
	provinces uint16 // bits as in indexEntry.provinces
	gemeenten []bool
	more      []uint16 // the index's related gemeenten
	themes    uint64
	kinds     [2]bool
	years     [maxYear - minYear + 1]bool
	stages    [5]bool
	groups    uint8 // bits as in indexEntry.groups
	none      bool  // no facet is active
}

func (ix *caseIndex) resolve(f CaseFilter) selection {
	s := selection{
		gemeenten: make([]bool, len(ix.gemeenten)+1),
		more:      ix.more,
	}
	for _, p := range f.Provinces {
		if i, ok := ix.provIdx[p]; ok {
			s.provinces |= 1 << i
			s.active[fProvince] = true
		}
	}
	for _, st := range f.Stages {
		if i := slices.Index(Stages, st); i >= 0 {
			s.stages[i], s.active[fStage] = true, true
		}
	}
	for _, g := range f.Groups {
		if i := slices.Index(TargetGroups, g); i >= 0 {
			s.groups |= 1 << i
			s.active[fGroup] = true
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
		if y >= minYear && y <= maxYear {
			s.years[y-minYear], s.active[fYear] = true, true
		}
	}
	s.none = s.active == [nFacets]bool{}
	return s
}

// counts accumulates facet counts: an entry counts for facet F when it passes every
// filter except, possibly, F's own ("disjunctive faceting": an option's count is
// what choosing it would give).
type counts struct {
	provinces [16]int
	gemeenten []int
	themes    [64]int
	kinds     [2]int
	years     [maxYear - minYear + 1]int
	stages    [5]int
	groups    [4]int
}

func newCounts(ix *caseIndex) counts {
	return counts{gemeenten: make([]int, len(ix.gemeenten)+1)}
}

// inGemeenten reports whether e's gemeente or one of its related gemeenten is chosen.
func (s *selection) inGemeenten(e *indexEntry) bool {
	if s.gemeenten[e.gemeente] {
		return true
	}
	if e.more == 0 {
		return false
	}
	for _, g := range s.more[e.more-1:] {
		if g == 0 {
			return false
		}
		if s.gemeenten[g] {
			return true
		}
	}
	return false
}

// visit checks entry e against the selection, adds it to the facet counts and
// reports whether it passes every filter. A case with related gemeenten counts
// for each of them (and their provinces) in the gemeente and province facets.
func (c *counts) visit(s *selection, e *indexEntry) bool {
	failed, fails := -1, 0 // the facet whose filter e fails, and how many fail
	if s.none {
		goto count // browsing: every facet counts every case
	}
	if s.active[fProvince] && e.provinces&s.provinces == 0 {
		failed, fails = fProvince, fails+1
	}
	if s.active[fTheme] && e.themes&s.themes == 0 {
		failed, fails = fTheme, fails+1
	}
	if s.active[fKind] && !s.kinds[e.kind] {
		failed, fails = fKind, fails+1
	}
	if s.active[fYear] && (e.year == 0 || !s.years[yearSlot(e.year)]) {
		failed, fails = fYear, fails+1
	}
	if s.active[fStage] && !s.stages[e.stage] {
		failed, fails = fStage, fails+1
	}
	if s.active[fGroup] && e.groups&s.groups == 0 {
		failed, fails = fGroup, fails+1
	}
	if fails > 1 {
		return false
	}
	if s.active[fGemeente] && !s.inGemeenten(e) {
		if fails == 1 {
			return false
		}
		failed, fails = fGemeente, 1
	}
count:
	// With no failure every facet counts the entry; with one, only the failing
	// facet. (Counting is inline: a call per case costs a tenth of the pass.)
	all, only := fails == 0, failed
	if all || only == fProvince {
		if e.more == 0 {
			c.provinces[e.province]++ // one province at most
		} else {
			for p := e.provinces; p != 0; p &= p - 1 {
				c.provinces[bits.TrailingZeros16(p)]++
			}
		}
	}
	if all || only == fGemeente {
		c.gemeenten[e.gemeente]++
		if e.more != 0 {
			for _, g := range s.more[e.more-1:] {
				if g == 0 {
					break
				}
				c.gemeenten[g]++
			}
		}
	}
	if all || only == fTheme {
		for t := e.themes; t != 0; t &= t - 1 {
			c.themes[bits.TrailingZeros64(t)]++
		}
	}
	if all || only == fKind {
		c.kinds[e.kind]++
	}
	if (all || only == fYear) && e.year != 0 {
		c.years[yearSlot(e.year)]++
	}
	if all || only == fStage {
		c.stages[e.stage]++
	}
	if all || only == fGroup {
		g := int(e.groups) // four bits: adding without branches beats a loop over them
		c.groups[0] += g & 1
		c.groups[1] += g >> 1 & 1
		c.groups[2] += g >> 2 & 1
		c.groups[3] += g >> 3 & 1
	}
	return all
}

// rankLimit is the largest match set that is ordered by bm25 itself. Ranking costs
// a few microseconds per match, so a query that matches most of a 100,000-case
// library ("wo", "gemeente") is ordered more cheaply: cases with a hit in the title
// first, each group newest first.
const rankLimit = 2000

// FindCases returns one page of published cases matching f, with facet counts.
func (d *DB) FindCases(ctx context.Context, f CaseFilter) (CaseResults, error) {
	ix, err := d.caseIndex(ctx)
	if err != nil {
		return CaseResults{}, fmt.Errorf("find cases: %w", err)
	}
	if f.PerPage <= 0 {
		f.PerPage = 12
	}
	q := parseQuery(f.Query)
	match := q.match()
	res := CaseResults{PerPage: f.PerPage, Searched: match != "", Sort: resultSort(f.Sort, match != "")}

	order, err := d.candidates(ctx, ix, f.Query, match, res.Sort)
	if err != nil {
		return CaseResults{}, fmt.Errorf("find cases: %w", err)
	}

	sel := ix.resolve(f)
	c := newCounts(ix)
	from := (max(1, f.Page) - 1) * f.PerPage
	var page, first []int32 // the requested page, and page 1 in case it is past the end
	order(func(p int32) {
		if !c.visit(&sel, &ix.entries[p]) {
			return
		}
		if res.Total >= from && res.Total < from+f.PerPage {
			page = append(page, p)
		}
		if res.Total < f.PerPage {
			first = append(first, p)
		}
		res.Total++
	})
	res.Pages = max(1, (res.Total+f.PerPage-1)/f.PerPage)
	res.Page = max(1, f.Page)
	if res.Page > res.Pages {
		// A page past the end (an old link): show the first page.
		res.Page, page = 1, first
	}
	res.Facets = ix.facets(&sel, &c)
	if res.Hits, err = d.hits(ctx, ix, page, q); err != nil {
		return CaseResults{}, fmt.Errorf("find cases: %w", err)
	}
	return res, nil
}

// resultSort is the order a library result is given in: the one asked for when it
// applies, otherwise best match first when searching and newest first when not.
func resultSort(asked string, searched bool) string {
	switch {
	case asked == SortRelevance && !searched, asked != SortNewest && asked != SortYear && asked != SortRelevance && asked != SortChecked:
		if searched {
			return SortRelevance
		}
		return SortNewest
	}
	return asked
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
	match := parseQuery(f.Query).match()
	order, err := d.candidates(ctx, ix, f.Query, match, resultSort(f.Sort, match != ""))
	if err != nil {
		return fmt.Errorf("each case: %w", err)
	}
	sel := ix.resolve(f)
	c := newCounts(ix)
	var batch []int32
	flush := func() error {
		hits, err := d.hits(ctx, ix, batch, query{})
		if err != nil {
			return fmt.Errorf("each case: %w", err)
		}
		batch = batch[:0]
		for _, h := range hits {
			if err := fn(h.Case); err != nil {
				return err // fn's own error, as it is
			}
		}
		return nil
	}
	order(func(p int32) {
		if err != nil || !c.visit(&sel, &ix.entries[p]) {
			return
		}
		if batch = append(batch, p); len(batch) == eachBatch {
			err = flush()
		}
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return err
}

// candidates returns an iterator over the index positions of the cases a query can
// give, in result order: everything when there is no query, otherwise the cases
// matching the FTS5 expression.
func (d *DB) candidates(ctx context.Context, ix *caseIndex, query, match, sortBy string) (func(yield func(int32)), error) {
	switch {
	case query != "" && match == "":
		// Only punctuation, emoji or the like: nothing can match.
		return func(func(int32)) {}, nil
	case match == "" && sortBy == SortYear:
		return ix.inOrder(ix.byYear, nil), nil
	case match == "" && sortBy == SortChecked:
		return ix.inOrder(ix.checkedOrder(), nil), nil
	case match == "":
		return ix.inOrder(nil, nil), nil
	}
	m, err := d.matches(ctx, ix, match)
	if err != nil {
		return nil, err
	}
	switch {
	case sortBy == SortYear:
		return ix.inOrder(ix.byYear, m.set), nil
	case sortBy == SortChecked:
		return ix.inOrder(ix.checkedOrder(), m.set), nil
	case sortBy == SortNewest:
		return ix.inOrder(nil, m.set), nil
	case m.ranked != nil:
		return func(yield func(int32)) {
			for _, p := range m.ranked {
				yield(p)
			}
		}, nil
	}
	// Too many to rank: hits in the title first, then the rest, each newest first.
	return func(yield func(int32)) {
		ix.inOrder(nil, m.title)(yield)
		ix.inOrder(nil, m.set)(func(p int32) {
			if !m.title.has(p) {
				yield(p)
			}
		})
	}, nil
}

// inOrder iterates over the positions in order (nil: the index's own, newest
// first) that are in set (nil: all).
func (ix *caseIndex) inOrder(order []int32, set bitset) func(yield func(int32)) {
	return func(yield func(int32)) {
		if order == nil {
			for p := range ix.entries {
				if set == nil || set.has(int32(p)) {
					yield(int32(p))
				}
			}
			return
		}
		for _, p := range order {
			if set == nil || set.has(p) {
				yield(p)
			}
		}
	}
}

// bitset is a set of index positions.
type bitset []uint64

func newBitset(n int) bitset      { return make(bitset, (n+63)/64) }
func (b bitset) add(p int32)      { b[p>>6] |= 1 << (p & 63) }
func (b bitset) has(p int32) bool { return b[p>>6]&(1<<(p&63)) != 0 }

// matches is what one FTS5 expression gives on one snapshot of the index.
type matches struct {
	set    bitset
	n      int
	ranked []int32 // best first; only when n <= rankLimit
	title  bitset  // cases with a hit in the title; only when n > rankLimit
}

// matches runs an FTS5 expression, or takes its result from the snapshot's cache:
// while typing, many visitors send the same first letters. The cache belongs to
// the snapshot, so any write to cases (a new snapshot) empties it.
func (d *DB) matches(ctx context.Context, ix *caseIndex, match string) (*matches, error) {
	if m, ok := ix.cache.get(match); ok {
		return m, nil
	}
	m := &matches{}
	var err error
	if m.set, m.n, err = d.matchSet(ctx, ix, match); err != nil {
		return nil, err
	}
	if m.n <= rankLimit {
		if m.ranked, err = d.rankedPositions(ctx, ix, match); err != nil {
			return nil, err
		}
		if m.ranked == nil {
			m.ranked = []int32{}
		}
	} else if m.title, _, err = d.matchSet(ctx, ix, "{title} : ("+match+")"); err != nil {
		return nil, err
	}
	ix.cache.put(match, m)
	return m, nil
}

// matchSet marks the index positions of the published cases matching an FTS5
// expression. The row ids come back as one group_concat string: a single cgo call
// instead of one per match, which matters when 100,000 cases match.
func (d *DB) matchSet(ctx context.Context, ix *caseIndex, match string) (bitset, int, error) {
	var ids string
	err := d.r.QueryRowContext(ctx,
		"SELECT coalesce(group_concat(rowid), '') FROM cases_fts WHERE cases_fts MATCH ?", match).Scan(&ids)
	if err != nil {
		return nil, 0, fmt.Errorf("match %q: %w", match, err)
	}
	set := newBitset(len(ix.entries))
	n := 0
	eachID(ids, func(id int64) {
		if p, ok := ix.position(id); ok {
			set.add(p)
			n++
		}
	})
	return set, n, nil
}

// rankedPositions returns the positions of the published cases matching an FTS5
// expression, best match first: bm25 with the title weighing most, then summary,
// gemeente and partners, then the body.
func (d *DB) rankedPositions(ctx context.Context, ix *caseIndex, match string) ([]int32, error) {
	var ids string
	err := d.r.QueryRowContext(ctx, `SELECT coalesce(group_concat(rowid), '') FROM (
		SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?
		ORDER BY bm25(cases_fts, 10.0, 4.0, 1.0, 3.0, 2.0))`, match).Scan(&ids)
	if err != nil {
		return nil, fmt.Errorf("rank %q: %w", match, err)
	}
	var out []int32
	eachID(ids, func(id int64) {
		if p, ok := ix.position(id); ok {
			out = append(out, p)
		}
	})
	return out, nil
}

// highlightQuery marks the hits in one case's title and summary and cuts a passage
// of its body around them.
const highlightQuery = `SELECT
	highlight(cases_fts, 0, char(1), char(2)),
	highlight(cases_fts, 1, char(1), char(2)),
	snippet(cases_fts, 2, char(1), char(2), '…', 24)
	FROM cases_fts WHERE cases_fts MATCH ? AND rowid = ?`

// completionsFrom is the library size from which highlighting asks for the whole
// words a long prefix stands for instead of the prefix. FTS5 merges the doclists of
// every word under an unindexed prefix for each highlighted row: at 1,000 cases that
// costs 0.16 ms a row against 0.35 ms for an OR of eight words; at 100,000 it costs
// 19 ms a row against 0.3 ms.
const completionsFrom = 10000

// eachID calls fn for every number in a comma-separated list.
func eachID(list string, fn func(int64)) {
	var n int64
	digits := false
	for i := 0; i <= len(list); i++ {
		if i < len(list) && list[i] >= '0' && list[i] <= '9' {
			n = n*10 + int64(list[i]-'0')
			digits = true
			continue
		}
		if digits {
			fn(n)
		}
		n, digits = 0, false
	}
}

// hits loads the cases at the given index positions, in that order, with marked
// title, summary and body snippet when searching.
func (d *DB) hits(ctx context.Context, ix *caseIndex, positions []int32, q query) ([]CaseHit, error) {
	if len(positions) == 0 {
		return nil, nil
	}
	ids := make([]any, len(positions))
	for i, p := range positions {
		ids[i] = ix.entries[p].id
	}
	// By primary key only: given "status = …" too, the planner would rather walk
	// the status index through every published case.
	cases, err := d.queryCases(ctx, d.r, "WHERE c.id IN ("+placeholders(len(ids))+")", ids...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]Case, len(cases))
	for _, c := range cases {
		if c.Status == StatusPublished {
			byID[c.ID] = c
		}
	}
	marks := map[int64][3]string{}
	if match := q.match(); match != "" {
		if q.unindexedPrefix() && len(ix.entries) >= completionsFrom {
			var texts []string
			for _, c := range byID {
				texts = append(texts, c.Title, c.Summary, PlainText(c.Body), c.GemeenteName, strings.Join(c.Partners, " "))
			}
			if words := q.completions(texts...); len(words) > 0 {
				match = q.matchWith(words)
			}
		}
		// One small query per hit: FTS5 uses "rowid = ?" to go straight to the
		// document, where "rowid IN (…)" would walk every match.
		for _, id := range ids {
			var m [3]string
			err := d.highlight.QueryRowContext(ctx, match, id).Scan(&m[0], &m[1], &m[2])
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("highlight: %w", err)
			}
			if err == nil {
				marks[id.(int64)] = m
			}
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

// facets turns counts into options with labels, in display order. Provinces, themes,
// kinds, stages and target groups list every option; gemeenten and years only those
// that give results or are selected.
func (ix *caseIndex) facets(sel *selection, c *counts) Facets {
	var f Facets
	for i, p := range ix.provinces {
		f.Provinces = append(f.Provinces, FacetOption{Value: p.Code, Label: p.Name, Count: c.provinces[i+1], Selected: sel.provinces&(1<<(i+1)) != 0})
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
	for i, st := range Stages {
		f.Stages = append(f.Stages, FacetOption{Value: st, Label: StageLabel(st), Count: c.stages[i], Selected: sel.stages[i]})
	}
	for i, g := range TargetGroups {
		f.Groups = append(f.Groups, FacetOption{Value: g, Label: TargetGroupLabel(g), Count: c.groups[i], Selected: sel.groups&(1<<i) != 0})
	}
	for i := len(c.years) - 1; i >= 0; i-- {
		if c.years[i] > 0 || sel.years[i] {
			v := strconv.Itoa(minYear + i)
			f.Years = append(f.Years, FacetOption{Value: v, Label: v, Count: c.years[i], Selected: sel.years[i]})
		}
	}
	return f
}
