package db

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	Query string
	// Literal searches for the words as typed: no typo correction.
	Literal   bool
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
	// What search did to find something, for the notices above the results.
	Corrected  string   // words were corrected: the query that was searched instead
	Suggestion string   // a corrected query that was not searched (a literal search): "Bedoelde u …?"
	Partial    bool     // too few cases have every word: these have most of them
	FewAll     bool     // Partial, though a few cases have every word (they come first)
	Dropped    []string // stop words of a partial search ("hoe", "een"), not searched for
	// TextTotal is how many cases the search finds without the facet filters.
	TextTotal int
	// Library is how many published cases the library holds.
	Library int
	// RelatedThemes are themes whose name matches the search, offered when
	// nothing is found.
	RelatedThemes []Theme
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

// rankLimit is the largest result that is ordered by every relevance tier and bm25.
// Ranking costs a few microseconds per match, so a search that finds most of a
// 100,000-case library ("wo", "gemeente") is ordered more cheaply: by how many
// words match, then by hits in the title or place, then newest first.
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
	ts, err := d.textSearch(ctx, ix, f.Query, f.Literal)
	if err != nil {
		return CaseResults{}, fmt.Errorf("find cases: %w", err)
	}
	res := CaseResults{PerPage: f.PerPage, Searched: ts.searched(), Sort: resultSort(f.Sort, ts.searched()), Library: len(ix.entries)}
	order, err := d.order(ctx, ix, ts, res.Sort)
	if err != nil {
		return CaseResults{}, fmt.Errorf("find cases: %w", err)
	}

	sel := ix.resolve(f)
	c := newCounts(ix)
	from := (max(1, f.Page) - 1) * f.PerPage
	var page, first []int32 // the requested page, and page 1 in case it is past the end
	order(func(p int32) {
		res.TextTotal++
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
	res.Partial, res.Dropped, res.Suggestion = ts.partial(), ts.dropped, ts.suggestion
	res.FewAll = ts.partial() && ts.all > 0
	if ts.corrected {
		res.Corrected = ts.text()
	}
	if res.Total == 0 && ts.searched() {
		res.RelatedThemes = ix.themesMatching(ts.units)
	}
	if res.Hits, err = d.hits(ctx, ix, page, ts, true); err != nil {
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
// lists them, without paging (f.Page and f.PerPage are ignored): the same search,
// with the same corrections and relaxing, so a download or feed of a search holds
// exactly what the library shows. Cases are loaded a batch at a time, so memory
// stays flat however many match. An error from fn stops the walk and is returned
// as it is.
func (d *DB) EachCase(ctx context.Context, f CaseFilter, fn func(Case) error) error {
	ix, err := d.caseIndex(ctx)
	if err != nil {
		return fmt.Errorf("each case: %w", err)
	}
	ts, err := d.textSearch(ctx, ix, f.Query, f.Literal)
	if err != nil {
		return fmt.Errorf("each case: %w", err)
	}
	order, err := d.order(ctx, ix, ts, resultSort(f.Sort, ts.searched()))
	if err != nil {
		return fmt.Errorf("each case: %w", err)
	}
	sel := ix.resolve(f)
	c := newCounts(ix)
	var batch []int32
	flush := func() error {
		hits, err := d.hits(ctx, ix, batch, nil, false)
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

// Ways a search finds its cases, from the strictest.
const (
	matchAll     = iota // every word but the stop words (in some form)
	matchPartial        // most of the words but the stop words
	matchNothing        // a query without words, or words that match nothing
	matchBrowse         // no query: every case
)

// textSearch is how the words of a query were answered: which cases match, and
// what was done to the query to find them.
type textSearch struct {
	units []unit
	sets  []*matches // per unit: the published cases it matches
	used  []int      // the units that count in this mode
	mode  int
	set   bitset // the cases found (matchAll, matchPartial)
	n     int
	all   int // matchPartial: how many cases have every word
	// every: those cases (matchPartial, when there are any), ranked first;
	// content: the units they have, all but the stop words
	every   bitset
	content []int
	// corrected: some words were replaced by the nearest words of the library;
	// suggestion: the same offered for a literal search.
	corrected  bool
	suggestion string
	dropped    []string
}

func (ts *textSearch) searched() bool { return ts.mode != matchBrowse && len(ts.units) > 0 }
func (ts *textSearch) partial() bool  { return ts.mode == matchPartial }

// text is the query as searched: the words as typed, corrected words as corrected.
func (ts *textSearch) text() string {
	parts := make([]string, len(ts.units))
	for i, u := range ts.units {
		parts[i] = u.typed
		if u.corrected {
			parts[i] = u.word
		}
	}
	return strings.Join(parts, " ")
}

// markedUnits are the units whose matches are marked in the results: every word
// of the query, in order (the marker marks a stop word only beside a neighbour of
// the query: "Den Haag", not every "den").
func (ts *textSearch) markedUnits() []unit { return ts.units }

// expr is the FTS5 expression of the whole search in its mode, for bm25.
func (ts *textSearch) expr() string {
	exprs := make([]string, len(ts.used))
	for i, u := range ts.used {
		exprs[i] = ts.units[u].expr(false)
	}
	if ts.mode == matchPartial {
		return joinExprs(exprs, "OR")
	}
	return joinExprs(exprs, "AND")
}

// textSearch answers the words of a query. Every word but the stop words must
// match, in some form (see unit). When no case has them all (or, for three words
// or more, fewer than fewAll cases):
//  1. words that match nothing are corrected to the nearest words of the library
//     (not for a literal search, which gets the correction as a suggestion);
//  2. the cases that have most of the words are given, most first.
//
// The choice depends on the words alone, never on the facet filters, so that every
// facet count stays what choosing it gives.
func (d *DB) textSearch(ctx context.Context, ix *caseIndex, text string, literal bool) (*textSearch, error) {
	q := parseQuery(text)
	if len(q.words) == 0 {
		if strings.TrimSpace(text) != "" {
			// Only punctuation, emoji or the like: nothing can match.
			return &textSearch{mode: matchNothing}, nil
		}
		return &textSearch{mode: matchBrowse}, nil
	}
	lx := d.lexicon(ctx)
	units := q.units(lx)
	ts, err := d.evaluate(ctx, ix, units)
	if err != nil || ts.mode == matchAll {
		return ts, err
	}
	corrected, ok, err := d.correct(ctx, ix, lx, units, ts.sets)
	if err != nil || !ok {
		return ts, err
	}
	if literal {
		ts.suggestion = (&textSearch{units: corrected}).text()
		return ts, nil
	}
	better, err := d.evaluate(ctx, ix, corrected)
	if err != nil {
		return nil, err
	}
	if better.mode == matchNothing {
		ts.suggestion = (&textSearch{units: corrected}).text()
		return ts, nil
	}
	better.corrected = true
	return better, nil
}

// fewAll is how few cases with every word of a query of three or more words make
// evaluate add the cases with most of them.
const fewAll = 3

// evaluate finds the cases for units: those with every word but the stop words,
// else (or when fewer than fewAll have them all) those with most of them.
func (d *DB) evaluate(ctx context.Context, ix *caseIndex, units []unit) (*textSearch, error) {
	ts := &textSearch{units: units, sets: make([]*matches, len(units))}
	// Stop words say nothing about a case: when the query has other words they
	// are not searched at all (a case need not hold "hoe" or "een" to answer "hoe
	// vind ik een kamer"). A query of stop words only is searched as it is.
	var content []int
	for i, u := range units {
		if !u.stop {
			content = append(content, i)
		}
	}
	if len(content) == 0 {
		for i := range units {
			content = append(content, i)
		}
	}
	for _, i := range content {
		m, err := d.unitSet(ctx, ix, units[i], false)
		if err != nil {
			return nil, err
		}
		ts.sets[i] = m
	}
	if ts.intersect(content) && (ts.n >= fewAll || len(content) < 3) {
		ts.mode = matchAll
		return ts, nil
	}
	// A question of three or more words that one or two cases answer in full
	// ("welke gemeenten gebruiken hotels voor statushouders") gets those first,
	// then the cases with most of its words.
	every, all := ts.set, ts.n
	if len(content) >= 2 && ts.union(rare(ix, ts.sets, content)) {
		ts.all = all
		if all > 0 {
			ts.every, ts.content = every, content
		}
		ts.mode = matchPartial
		ts.dropStopWords()
		return ts, nil
	}
	ts.mode, ts.set, ts.n, ts.used = matchNothing, nil, 0, nil
	return ts, nil
}

// rare returns the units of used that at most half the cases match, or used when
// all match more. A partial search gives the cases with any of the rare words, by
// how many they have: "gemeente" in "wat kan een gemeente met een leeg
// kantoorgebouw" is in nearly every case, so a case with "leeg" and
// "kantoorgebouw" is the better answer, and a case with only "gemeente" none.
func rare(ix *caseIndex, sets []*matches, used []int) []int {
	var out []int
	for _, i := range used {
		if sets[i].n*2 <= len(ix.entries) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return used
	}
	return out
}

func (ts *textSearch) dropStopWords() {
	seen := map[string]bool{}
	for _, u := range ts.units {
		if u.stop && !seen[u.word] {
			seen[u.word] = true
			ts.dropped = append(ts.dropped, u.typed)
		}
	}
}

// intersect sets the cases matching every unit in used; it reports whether any do.
func (ts *textSearch) intersect(used []int) bool {
	set := slices.Clone(ts.sets[used[0]].set)
	for _, i := range used[1:] {
		other := ts.sets[i].set
		for w := range set {
			set[w] &= other[w]
		}
	}
	ts.set, ts.n, ts.used = set, set.count(), used
	return ts.n > 0
}

// union sets the cases matching any unit in used; it reports whether any do.
func (ts *textSearch) union(used []int) bool {
	set := slices.Clone(ts.sets[used[0]].set)
	for _, i := range used[1:] {
		other := ts.sets[i].set
		for w := range set {
			set[w] |= other[w]
		}
	}
	ts.set, ts.n, ts.used = set, set.count(), used
	return ts.n > 0
}

// correct replaces every word that matches nothing (sets: what each unit
// matches) by the nearest word of the vocabulary that matches a published case. It
// reports whether it corrected any.
func (d *DB) correct(ctx context.Context, ix *caseIndex, lx *lexicon, units []unit, sets []*matches) ([]unit, bool, error) {
	q := query{}
	fixed := make([]bool, len(units))
	any := false
	for i, u := range units {
		q.words, q.typed = append(q.words, u.word), append(q.typed, u.typed)
		if u.stop || hasDigit(u.word) || sets[i].n > 0 {
			continue
		}
		// A word gets few candidates; the best five are tried.
		cands := lx.corrections(u.word, u.prefix)
		for _, c := range cands[:min(5, len(cands))] {
			cu := query{words: []string{c.word}, typed: []string{c.word}}.units(lx)[0]
			m, err := d.unitSet(ctx, ix, cu, false)
			if err != nil {
				return nil, false, err
			}
			if m.n > 0 {
				q.words[i], fixed[i], any = c.word, true, true
				break
			}
		}
	}
	if !any {
		return nil, false, nil
	}
	// A corrected word is a whole word, no longer one being typed. The units are
	// made afresh: a synonym term of several words may appear only now.
	last := len(units) - 1
	q.prefix = units[last].prefix && !fixed[last]
	out := q.units(lx)
	for i := range out {
		out[i].corrected = fixed[i]
	}
	return out, true, nil
}

// order returns an iterator over the index positions of what the search found,
// in result order.
func (d *DB) order(ctx context.Context, ix *caseIndex, ts *textSearch, sortBy string) (func(yield func(int32)), error) {
	switch {
	case ts.mode == matchNothing:
		return func(func(int32)) {}, nil
	case ts.mode == matchBrowse && sortBy == SortYear:
		return ix.inOrder(ix.byYear, nil), nil
	case ts.mode == matchBrowse && sortBy == SortChecked:
		return ix.inOrder(ix.checkedOrder(), nil), nil
	case ts.mode == matchBrowse:
		return ix.inOrder(nil, nil), nil
	case sortBy == SortYear:
		return ix.inOrder(ix.byYear, ts.set), nil
	case sortBy == SortChecked:
		return ix.inOrder(ix.checkedOrder(), ts.set), nil
	case sortBy == SortNewest:
		return ix.inOrder(nil, ts.set), nil
	}
	return d.ranked(ctx, ix, ts)
}

// ranked orders what a search found by relevance, in tiers:
//  0. in a partial search that a few cases answer in full (textSearch.every),
//     those cases;
//  1. more of the query's words matched (only a partial match differs here; the
//     words most cases have do not count, see rare);
//  2. more words matched in the title, the place or the province;
//  3. closer forms matched: the word itself above another form of it (stem) above
//     a compound, split or synonym (judged in the head for words matched there);
//  4. bm25, with the title weighing most, then the place, summary and themes.
//     FTS5's bm25 of a query is the sum of what each of its phrases adds, so it is
//     computed per word (unitScores, cached: the words of searches repeat) and
//     added up here.
//
// Beyond rankLimit matches, the first two tiers and then newest first.
func (d *DB) ranked(ctx context.Context, ix *caseIndex, ts *textSearch) (func(yield func(int32)), error) {
	key := rankKey(ts)
	if ts.n <= rankLimit {
		if m, ok := ix.orders.get(key); ok {
			return positions(m.ranked), nil
		}
	}
	tiered := tieredUnits(ts)
	head := make([]*matches, len(tiered))
	for k, i := range tiered {
		m, err := d.unitSet(ctx, ix, ts.units[i], true)
		if err != nil {
			return nil, err
		}
		head[k] = m
	}
	if ts.n > rankLimit {
		return ix.bucketed(key, ts, tiered, head), nil
	}
	close, err := d.closenessSets(ctx, ix, ts, tiered)
	if err != nil {
		return nil, err
	}
	scores := make([]*matches, len(tiered))
	for k, i := range tiered {
		var err error
		if scores[k], err = d.unitScores(ctx, ix, ts.units[i], ts.sets[i]); err != nil {
			return nil, err
		}
	}
	// Candidates come in position order, as do each word's scores: one cursor
	// per word walks them together.
	cursor := make([]int, len(scores))
	kp := keyedPool.Get().(*[]keyed)
	defer keyedPool.Put(kp)
	list := (*kp)[:0]
	ix.inOrder(nil, ts.set)(func(p int32) {
		k := keyed{p: p}
		covered, inHead := tierOf(p, ts, tiered, head)
		k.tiers = uint32(covered)<<16 | uint32(inHead)<<8 | uint32(closeScore(p, ts, tiered, head, close))
		if ts.every != nil && ts.every.has(p) {
			k.tiers |= 1 << 24
		}
		for j, sc := range scores {
			c := cursor[j]
			for c < len(sc.scored) && sc.scored[c] < p {
				c++
			}
			if c < len(sc.scored) && sc.scored[c] == p {
				k.bm25 += float64(sc.scores[c])
			}
			cursor[j] = c
		}
		list = append(list, k)
	})
	*kp = list
	out := sortKeyed(list)
	ix.orders.put(key, &matches{ranked: out, n: len(out)})
	return positions(out), nil
}

// rankKey is the key of a search's order in the index's cache of orders.
func rankKey(ts *textSearch) string {
	key := "o " + strconv.Itoa(ts.mode) + " " + ts.expr()
	if ts.every != nil {
		// The cases with every word come first: the order depends on all words.
		all := make([]string, len(ts.content))
		for i, u := range ts.content {
			all[i] = ts.units[u].expr(false)
		}
		key += " every " + joinExprs(all, "AND")
	}
	return key
}

// tieredUnits are the units that rank: stop words are in nearly every case, so
// they say nothing about which is better (unless there is nothing else).
func tieredUnits(ts *textSearch) []int {
	var tiered []int
	for _, i := range ts.used {
		if !ts.units[i].stop {
			tiered = append(tiered, i)
		}
	}
	if len(tiered) == 0 {
		tiered = ts.used
	}
	return tiered
}

// tierOf counts the ranking units that case p matched, anywhere and in the head.
func tierOf(p int32, ts *textSearch, tiered []int, head []*matches) (covered, inHead int) {
	for k, i := range tiered {
		if ts.sets[i].set.has(p) {
			covered++
			if head[k].set.has(p) {
				inHead++
			}
		}
	}
	return covered, inHead
}

// closeScore adds up how closely case p matched the ranking units: 2 for the
// word itself, 1 for another form of it, in the head when it matched there.
func closeScore(p int32, ts *textSearch, tiered []int, head []*matches, close []closeness) int {
	sum := 0
	for k, i := range tiered {
		c := close[k]
		inHead := head[k].set.has(p)
		switch {
		case !ts.sets[i].set.has(p):
		case inHead && c.headExact.set.has(p), !inHead && c.exact.set.has(p):
			sum += 2
		case inHead && c.headStemmed != nil && c.headStemmed.set.has(p), !inHead && c.stemmed != nil && c.stemmed.set.has(p):
			sum++
		}
	}
	return sum
}

// closeness is how closely a unit matched: the word itself, another form of it,
// or a compound or synonym; in the head when it matched there, else anywhere.
type closeness struct{ exact, stemmed, headExact, headStemmed *matches }

func (d *DB) closenessSets(ctx context.Context, ix *caseIndex, ts *textSearch, tiered []int) ([]closeness, error) {
	close := make([]closeness, len(tiered))
	for k, i := range tiered {
		u := ts.units[i]
		var err error
		c := &close[k]
		// The word as typed, whole: while it is typed, the longer words it begins
		// match too, but as loosely as a compound.
		if c.exact, err = d.exprSet(ctx, ix, u.exactExpr(colsExact, false)); err != nil {
			return nil, err
		}
		if c.headExact, err = d.exprSet(ctx, ix, u.exactExpr(colsHeadExact, false)); err != nil {
			return nil, err
		}
		if s := u.stemExpr(colsStems); s != "" {
			if c.stemmed, err = d.exprSet(ctx, ix, s); err != nil {
				return nil, err
			}
			if c.headStemmed, err = d.exprSet(ctx, ix, u.stemExpr(colsHeadStems)); err != nil {
				return nil, err
			}
		}
	}
	return close, nil
}

// sortKeyed orders ranked candidates: higher tiers first, then the better bm25
// (lower), then the index's newest order; it returns their positions.
func sortKeyed(list []keyed) []int32 {
	slices.SortFunc(list, func(x, y keyed) int {
		switch {
		case x.tiers != y.tiers:
			return int(y.tiers) - int(x.tiers)
		case x.bm25 < y.bm25:
			return -1
		case x.bm25 > y.bm25:
			return 1
		}
		return int(x.p - y.p) // the index's newest order
	})
	out := make([]int32, len(list))
	for i, k := range list {
		out[i] = k.p
	}
	return out
}

// bucketed orders a large result by the first two tiers of ranked alone: per
// number of words matched, and within that per number matched in the head, the
// index's newest order. Counting per case is done a machine word (64 cases) at a
// time with bit-sliced counters, and the buckets are kept (ix.buckets): a short
// prefix in a library of 100,000 cases is asked for by every visitor who types it.
func (ix *caseIndex) bucketed(key string, ts *textSearch, tiered []int, head []*matches) func(yield func(int32)) {
	if m, ok := ix.buckets.get(key); ok {
		return eachInSets(m.sets)
	}
	var covered, inHead counter
	// Two scratch sets for all the words: at 100,000 cases a set is 12.5 KB.
	and, carry := make(bitset, len(ts.set)), make(bitset, len(ts.set))
	for k, i := range tiered {
		covered.add(ts.sets[i].set, carry)
		for w := range and {
			and[w] = ts.sets[i].set[w] & head[k].set[w]
		}
		inHead.add(and, carry)
	}
	var sets []bitset
	rest := ts.set
	if ts.every != nil {
		// The cases with every word first (a partial search that few answer in full).
		sets = append(sets, ts.every)
		rest = slices.Clone(ts.set)
		for w := range rest {
			rest[w] &^= ts.every[w]
		}
	}
	for c := len(tiered); c >= 0; c-- {
		withC := covered.equal(c, rest)
		for h := c; h >= 0; h-- {
			b := inHead.equal(h, withC)
			if b.count() > 0 {
				sets = append(sets, b)
			}
		}
	}
	ix.buckets.put(key, &matches{sets: sets})
	return eachInSets(sets)
}

// eachInSets iterates over the positions of each set in turn.
func eachInSets(sets []bitset) func(yield func(int32)) {
	return func(yield func(int32)) {
		for _, set := range sets {
			for w, word := range set {
				for word != 0 {
					yield(int32(w<<6 + bits.TrailingZeros64(word)))
					word &= word - 1
				}
			}
		}
	}
}

// counter counts, per position, how many sets added to it hold the position:
// bit-sliced, counter[i] holds bit i of every count.
type counter []bitset

// add counts set; carry is scratch space of set's length.
func (c *counter) add(set, carry bitset) {
	copy(carry, set)
	for i := 0; ; i++ {
		if i == len(*c) {
			*c = append(*c, make(bitset, len(set)))
		}
		slice := (*c)[i]
		any := uint64(0)
		for w := range carry {
			next := slice[w] & carry[w]
			slice[w] ^= carry[w]
			carry[w] = next
			any |= next
		}
		if any == 0 {
			return
		}
	}
}

// equal returns the positions of within whose count is v.
func (c counter) equal(v int, within bitset) bitset {
	out := slices.Clone(within)
	for i, slice := range c {
		for w := range out {
			if v>>i&1 == 1 {
				out[w] &= slice[w]
			} else {
				out[w] &^= slice[w]
			}
		}
	}
	if v>>len(c) != 0 {
		clear(out) // more than the counter can hold
	}
	return out
}

// keyed is a candidate of ranked with its sort keys.
type keyed struct {
	p     int32
	tiers uint32  // every word, words matched, in the head, closeness: a byte each, more is better
	bm25  float64 // lower is better, as FTS5 gives it
}

// keyedPool holds the lists ranked sorts: one per search, up to rankLimit long.
var keyedPool = sync.Pool{New: func() any { s := make([]keyed, 0, 256); return &s }}

func positions(ps []int32) func(yield func(int32)) {
	return func(yield func(int32)) {
		for _, p := range ps {
			yield(p)
		}
	}
}

// inOrder iterates over the positions in order (nil: the index's own, newest
// first) that are in set (nil: all).
func (ix *caseIndex) inOrder(order []int32, set bitset) func(yield func(int32)) {
	return func(yield func(int32)) {
		if order == nil {
			if set == nil {
				for p := range ix.entries {
					yield(int32(p))
				}
				return
			}
			for w, word := range set {
				for word != 0 {
					p := int32(w<<6 + bits.TrailingZeros64(word))
					word &= word - 1
					yield(p)
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

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// matches is what one FTS5 expression gives on one snapshot of the index: the set
// of published cases it matches, or (for an order) their positions in order.
type matches struct {
	set    bitset
	n      int
	ranked []int32
	// bm25 of the cases a word matches (unitScores): positions ascending.
	scored []int32
	scores []float32
	// a large result's order: the sets of its buckets, in turn (bucketed)
	sets []bitset
}

// size is about what m holds in memory, in bytes.
func (m *matches) size() int {
	n := 64 + 8*len(m.set) + 4*len(m.ranked) + 8*len(m.scored)
	for _, s := range m.sets {
		n += 8 * len(s)
	}
	return n
}

// exprSet runs an FTS5 expression, or takes its result from the snapshot's cache:
// while typing, many visitors send the same first letters, and the same words come
// back in many searches. The cache belongs to the snapshot, so any write to cases
// (a new snapshot) empties it.
func (d *DB) exprSet(ctx context.Context, ix *caseIndex, expr string) (*matches, error) {
	key := "s " + expr
	if m, ok := ix.cache.get(key); ok {
		return m, nil
	}
	set, n, err := d.matchSet(ctx, ix, expr)
	if err != nil {
		return nil, err
	}
	m := &matches{set: set, n: n}
	ix.cache.put(key, m)
	return m, nil
}

// unitSet is the set of published cases a unit matches in any column (head
// false) or in the head: the union of its parts (unit.setParts), each searched
// and cached on its own, so that a part two units share is searched once.
func (d *DB) unitSet(ctx context.Context, ix *caseIndex, u unit, head bool) (*matches, error) {
	parts := u.setParts(head)
	if len(parts) == 1 {
		return d.exprSet(ctx, ix, parts[0])
	}
	key := "u " + strings.Join(parts, " | ")
	if m, ok := ix.cache.get(key); ok {
		return m, nil
	}
	var set bitset
	for _, p := range parts {
		m, err := d.exprSet(ctx, ix, p)
		if err != nil {
			return nil, err
		}
		if set == nil {
			set = slices.Clone(m.set)
			continue
		}
		for w := range set {
			set[w] |= m.set[w]
		}
	}
	m := &matches{set: set, n: set.count()}
	ix.cache.put(key, m)
	return m, nil
}

// matchSet marks the index positions of the published cases matching an FTS5
// expression. The row ids come back as one group_concat string: a single cgo call
// instead of one per match, which matters when 100,000 cases match.
func (d *DB) matchSet(ctx context.Context, ix *caseIndex, match string) (bitset, int, error) {
	var ids string
	err := d.r.QueryRowContext(ctx,
		"SELECT coalesce(group_concat(rowid), '') FROM case_search WHERE case_search MATCH ?", match).Scan(&ids)
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

// bm25Weights weigh the columns of case_search (searchColumns) for bm25: the title
// most, then the place, the summary and the head's stems, the themes and partners,
// the province, and the body and its stems least. Tuned with TestRelevance.
const bm25Weights = "10.0, 6.0, 2.0, 4.0, 1.0, 3.0, 4.0, 1.0"

// bm25Limit is the most cases a word may match to have its bm25 computed. A word
// in more cases weighs little in bm25 (its inverse document frequency is low: in
// half of the library or more FTS5 counts it as nothing), and scoring costs about
// two microseconds a case: in a library of 100,000 cases such words are left out
// of the bm25 tie-break.
const bm25Limit = 8000

// unitScores returns the bm25 of every published case a unit matches (all: its
// match set), cached with the snapshot.
func (d *DB) unitScores(ctx context.Context, ix *caseIndex, u unit, all *matches) (*matches, error) {
	if all.n > bm25Limit {
		return &matches{}, nil
	}
	expr := u.expr(false)
	key := "b " + expr
	if m, ok := ix.cache.get(key); ok {
		return m, nil
	}
	var list string
	// MATERIALIZED keeps bm25 in a plain query: inside an aggregate FTS5 refuses it.
	err := d.r.QueryRowContext(ctx, `WITH s AS MATERIALIZED (
			SELECT rowid AS id, bm25(case_search, `+bm25Weights+`) AS score FROM case_search WHERE case_search MATCH ?)
		SELECT coalesce(group_concat(id || ' ' || score, ' '), '') FROM s`, expr).Scan(&list)
	if err != nil {
		return nil, fmt.Errorf("rank %q: %w", expr, err)
	}
	type scored struct {
		p     int32
		score float64
	}
	var out []scored
	fields := strings.Fields(list)
	for i := 0; i+1 < len(fields); i += 2 {
		id, err1 := strconv.ParseInt(fields[i], 10, 64)
		score, err2 := strconv.ParseFloat(fields[i+1], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("rank %q: %q %q", expr, fields[i], fields[i+1])
		}
		if p, ok := ix.position(id); ok {
			out = append(out, scored{p, score})
		}
	}
	slices.SortFunc(out, func(a, b scored) int { return int(a.p - b.p) })
	m := &matches{scored: make([]int32, len(out)), scores: make([]float32, len(out)), n: len(out)}
	for i, s := range out {
		m.scored[i], m.scores[i] = s.p, float32(s.score)
	}
	ix.cache.put(key, m)
	return m, nil
}

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

// hits loads the cases at the given index positions, in that order, with their
// matched words marked in title, summary and a passage of the body when searching
// (ts not nil and searched). With keep (a page of the library) the cases are
// taken from and kept in the snapshot's case cache; a walk over every case
// (EachCase) reads them without keeping them, so its memory stays flat.
func (d *DB) hits(ctx context.Context, ix *caseIndex, positions []int32, ts *textSearch, keep bool) ([]CaseHit, error) {
	if len(positions) == 0 {
		return nil, nil
	}
	shown := make(map[int64]*shownCase, len(positions))
	var missing []any
	for _, p := range positions {
		id := ix.entries[p].id
		if c, ok := ix.cases.get(id); ok && keep {
			shown[id] = c
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		// By primary key only: given "status = …" too, the planner would rather
		// walk the status index through every published case.
		cases, err := queryCases(ctx, d.r, "WHERE c.id IN ("+placeholders(len(missing))+")", missing...)
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			if c.Status != StatusPublished {
				continue
			}
			sc := &shownCase{Case: c}
			if keep {
				sc.title, sc.summary = analyze(c.Title), analyze(c.Summary)
			}
			shown[c.ID] = sc
		}
		if keep {
			rows, err := d.r.QueryContext(ctx, "SELECT id, body_text FROM cases WHERE id IN ("+placeholders(len(missing))+")", missing...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var id int64
				var body string
				if err := rows.Scan(&id, &body); err != nil {
					rows.Close()
					return nil, err
				}
				if c, ok := shown[id]; ok {
					c.body = analyze(body)
					ix.cases.put(c)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	var mk *marker
	if ts != nil && ts.searched() {
		mk = newMarker(ts.markedUnits())
	}
	out := make([]CaseHit, 0, len(positions))
	for _, p := range positions {
		c, ok := shown[ix.entries[p].id]
		if !ok {
			continue // unpublished since the index was built
		}
		h := CaseHit{Case: c.Case, TitleMarked: c.Title, SummaryMarked: c.Summary}
		if mk != nil && c.title != nil {
			h.TitleMarked = mk.markText(c.title)
			h.SummaryMarked = mk.markText(c.summary)
			if c.body != nil {
				h.Snippet = mk.snippetText(c.body, snippetWords)
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// shownCase is a published case as the library shows it, with its title,
// summary and body text cut into words for marking what a search matched.
type shownCase struct {
	Case
	title, summary, body *analyzedText
}

// caseCache keeps the cases the library showed lately. It belongs to a snapshot
// of the index, and every write to a case makes a new snapshot with an empty
// cache, so it never shows an old version of a case. (What the library shows of a
// case comes from the case, its gemeente and its themes, which change only with
// a write to the case or, for theme texts, with casesChanged.)
type caseCache struct {
	mu       sync.Mutex
	items    map[int64]*shownCase
	order    []int64 // oldest first
	bytes    int
	maxBytes int // caseCacheBytes, or smallCaseCacheBytes for a large library
}

// caseCacheBytes bounds the cache of a library of up to wholeLibrary cases: a
// case of the seed with its words takes about 13 KB, so a library of several
// hundred real cases stays in it whole. In a larger library a page of results
// rarely comes back unless it is one many visitors ask for, and the cache keeps
// less (at 100,000 cases and a different search with every request, 8 MB of it
// made the server's peak memory 20 MB larger).
// LargeLibrary reports whether the library holds more cases than the caches
// of a search are sized to keep whole (wholeLibrary): callers with caches of
// their own size them down the same way.
func (r CaseResults) LargeLibrary() bool { return r.Library > wholeLibrary }

const (
	caseCacheBytes      = 8 << 20
	smallCaseCacheBytes = 2 << 20
	wholeLibrary        = 2000
)

// size is about what s holds in memory, in bytes.
func (s *shownCase) size() int {
	n := 1024 + len(s.Title) + len(s.Summary) + len(s.Body) + len(s.Financing) +
		len(s.LessonsHard) + len(s.LessonsWorked) + 64*len(s.Partners)
	for _, a := range []*analyzedText{s.title, s.summary, s.body} {
		if a != nil {
			n += len(a.text) + 24*cap(a.words)
		}
	}
	return n
}

func (c *caseCache) get(id int64) (*shownCase, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.items[id]
	return s, ok
}

// put keeps s, dropping the oldest cases to stay within caseCacheBytes.
func (c *caseCache) put(s *shownCase) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[int64]*shownCase{}
	}
	if _, ok := c.items[s.ID]; ok {
		return
	}
	size := s.size()
	for len(c.order) > 0 && c.bytes+size > c.maxBytes {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= c.items[old].size()
		delete(c.items, old)
	}
	c.items[s.ID] = s
	c.order = append(c.order, s.ID)
	c.bytes += size
}

// themesMatching returns the themes whose label shares a word (in any form, or
// through a synonym or compound) with the search: offered when nothing is found.
func (ix *caseIndex) themesMatching(units []unit) []Theme {
	mk := newMarker(units)
	var out []Theme
	for _, t := range ix.themes {
		if strings.Contains(mk.mark(t.Label), MarkStart) {
			out = append(out, t)
		}
	}
	return out
}

// facets turns counts into options with labels, in display order. Provinces, themes,
// kinds, stages and target groups list every option; gemeenten and years only those
// that give results or are selected.
func (ix *caseIndex) facets(sel *selection, c *counts) Facets {
	f := Facets{
		Provinces: make([]FacetOption, 0, len(ix.provinces)),
		Themes:    make([]FacetOption, 0, len(ix.themes)),
		Kinds:     make([]FacetOption, 0, len(Kinds)),
		Stages:    make([]FacetOption, 0, len(Stages)),
		Groups:    make([]FacetOption, 0, len(TargetGroups)),
	}
	n := 0
	for i := range ix.gemeenten {
		if c.gemeenten[i+1] > 0 || sel.gemeenten[i+1] {
			n++
		}
	}
	f.Gemeenten = make([]FacetOption, 0, n)
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
