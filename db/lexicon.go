package db

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// lexicon is the vocabulary of the search index: every word that occurs in the
// word columns of case_search, with the number of cases that hold it, and every
// stem of the stem columns. Typo correction and compound matching draw on it, so
// they only ever propose words the library uses. It is read from FTS5's own
// vocabulary (case_search_vocab) and includes words of unpublished cases: anything
// shown to a visitor is first checked against the published cases.
type lexicon struct {
	words    []string         // sorted
	docs     []int32          // per word: the most cases holding it in one column
	index    map[string]int32 // word → position in words
	byStem   map[string][]int32
	stems    map[string]int32 // stem → the most cases holding it in one column
	places   map[string]bool  // words of place names (the place and region columns)
	names    map[string]bool  // place names of one word: "bergen", "utrecht", "friesland"
	reversed []int32          // positions of words, sorted by the word spelled backwards
	backward []string         // the words spelled backwards, in that order
	took     time.Duration    // how long loading took

	// What was worked out for the words of searches, which repeat. Bounded by
	// maxRemembered: every search of random words would add to it.
	expanded   sync.Map // word → expansion: compounds and splits
	corrected  sync.Map // word (+ "*" while typed) → []correction
	remembered atomic.Int64
}

// maxRemembered is the most words a vocabulary remembers expansions and
// corrections of; beyond it they are worked out each time.
const maxRemembered = 50000

// remember reports whether one more word may be remembered.
func (lx *lexicon) remember() bool { return lx.remembered.Add(1) <= maxRemembered }

// expansion is what the vocabulary adds to a word (see unit).
type expansion struct {
	compounds []string
	parts     [][2]string
}

// expand returns the compounds and split pairs of w, from a cache: the words of
// searches repeat.
func (lx *lexicon) expand(w string) expansion {
	if lx == nil {
		return expansion{}
	}
	if e, ok := lx.expanded.Load(w); ok {
		return e.(expansion)
	}
	e := expansion{compounds: lx.compounds(w, maxCompounds), parts: splitPairs(lx, w)}
	if lx.remember() {
		lx.expanded.Store(w, e)
	}
	return e
}

// loadLexicon reads the vocabulary. At 100,000 cases FTS5 walks its whole index
// for it (about 0.3 s), so it is kept and renewed after writes (DB.lexicon).
func loadLexicon(ctx context.Context, d *DB) (*lexicon, error) {
	start := time.Now()
	rows, err := d.r.QueryContext(ctx, "SELECT term, col, doc FROM case_search_vocab")
	if err != nil {
		return nil, fmt.Errorf("load vocabulary: %w", err)
	}
	defer rows.Close()
	lx := &lexicon{index: map[string]int32{}, byStem: map[string][]int32{}, stems: map[string]int32{}, places: map[string]bool{}}
	for rows.Next() {
		var (
			term, col string
			docs      int32
		)
		if err := rows.Scan(&term, &col, &docs); err != nil {
			return nil, fmt.Errorf("load vocabulary: %w", err)
		}
		if strings.HasSuffix(col, "_stems") {
			lx.stems[term] = max(lx.stems[term], docs)
			continue
		}
		if col == "place" || col == "region" {
			lx.places[term] = true
		}
		// Rows come ordered by term, so a word's columns follow each other.
		if n := len(lx.words); n > 0 && lx.words[n-1] == term {
			lx.docs[n-1] = max(lx.docs[n-1], docs)
			continue
		}
		lx.words = append(lx.words, term)
		lx.docs = append(lx.docs, docs)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load vocabulary: %w", err)
	}
	if lx.names, err = placeWords(ctx, d); err != nil {
		return nil, err
	}
	lx.finish()
	lx.took = time.Since(start)
	return lx, nil
}

// placeWords returns the names of gemeenten and provinces that are one word, by
// every name they are known by (wordLists.placeNamesOf): a search for one of them
// means the place, so it gets no compounds ("Bergen" is not "Odiliënberg").
func placeWords(ctx context.Context, d *DB) (map[string]bool, error) {
	wl, err := loadWordLists()
	if err != nil {
		return nil, err
	}
	places, err := queryAll(ctx, d.r, "load place names", scanString, "SELECT name FROM gemeenten UNION SELECT name FROM provinces")
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, name := range places {
		for _, n := range wl.placeNamesOf(name) {
			if ws := words(n); len(ws) == 1 {
				names[ws[0]] = true
			}
		}
	}
	return names, nil
}

// lexiconOf is the vocabulary of the given words, each in one case, with their
// stems: for tests.
func lexiconOf(words ...string) *lexicon {
	lx := &lexicon{index: map[string]int32{}, byStem: map[string][]int32{}, stems: map[string]int32{}, places: map[string]bool{}}
	for _, w := range words {
		lx.words, lx.docs = append(lx.words, w), append(lx.docs, 1)
		lx.stems[stem(w)] = 1
	}
	lx.finish()
	return lx
}

// finish sorts the words and derives the lookups from them.
func (lx *lexicon) finish() {
	if !sort.StringsAreSorted(lx.words) {
		// FTS5 orders terms by their bytes, as Go does; keep the promise anyway.
		lx.sortWords()
	}
	lx.reversed = make([]int32, len(lx.words))
	rev := make([]string, len(lx.words))
	for i, w := range lx.words {
		lx.index[w] = int32(i)
		lx.reversed[i] = int32(i)
		rev[i] = reverse(w)
		s := stem(w)
		lx.byStem[s] = append(lx.byStem[s], int32(i))
	}
	sort.Slice(lx.reversed, func(a, b int) bool { return rev[lx.reversed[a]] < rev[lx.reversed[b]] })
	lx.backward = make([]string, len(lx.reversed))
	for i, p := range lx.reversed {
		lx.backward[i] = rev[p]
	}
}

func (lx *lexicon) sortWords() {
	idx := make([]int, len(lx.words))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return lx.words[idx[a]] < lx.words[idx[b]] })
	words, docs := make([]string, len(idx)), make([]int32, len(idx))
	for i, j := range idx {
		words[i], docs[i] = lx.words[j], lx.docs[j]
	}
	lx.words, lx.docs = words, docs
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// known reports whether w occurs as a word, or its stem as a stem.
func (lx *lexicon) known(w string) bool {
	if _, ok := lx.index[w]; ok {
		return true
	}
	_, ok := lx.stems[stem(w)]
	return ok
}

// particles are prefixes that make a derived word, not a compound: "verhuur" is
// not a kind of "huur", nor "achterstand" a kind of "stand".
var particles = map[string]bool{
	"aan": true, "achter": true, "af": true, "be": true, "bij": true, "door": true, "er": true,
	"ge": true, "her": true, "in": true, "mee": true, "mis": true, "na": true, "om": true,
	"on": true, "onder": true, "ont": true, "op": true, "over": true, "samen": true,
	"tegen": true, "terug": true, "toe": true, "uit": true, "ver": true, "voor": true,
	"weg": true,
}

// suffixes make a derived word, not a compound, even where they are words of
// their own: "gemeentelijk" is not a "gemeente" + "lijk", nor "dakloos" a kind of "dak".
var suffixes = map[string]bool{
	"lijk": true, "lijke": true, "lijker": true, "lijks": true, "loos": true, "loze": true,
	"lozen": true, "baar": true, "bare": true, "heid": true, "heden": true, "schap": true,
	"achtig": true, "achtige": true, "waarts": true,
}

// linkings are the letters Dutch puts between the parts of a compound:
// gezin-s-hereniging, kind-er-opvang, boek-en-kast.
var linkings = []string{"s", "en", "e", "er"}

// compounds returns up to limit words of the vocabulary, most frequent first, that
// are compounds holding w (in any of its inflected forms) as a part: "kantoor" →
// "belastingkantoor", "kantoorpand"; "woning" → "flexwoningen", "woningcorporatie".
// Words that are inflections of w itself are left out (stemming finds those), and
// so are place names: "kerk" does not find Nijkerk, nor "burg" Middelburg. A place
// name of one word has no compounds: "Bergen" does not find "Odiliënberg".
//
// As the last part (the head: a belastingkantoor is a kantoor) the rest before it
// must have three letters or more and not be a particle (ver-huur). As the first
// part, what follows (after a linking s, e, en or er) must itself be a word or stem
// of the vocabulary, so "kant" does not find "kantoor" (kant + "oor").
func (lx *lexicon) compounds(w string, limit int) []string { return lx.compoundsOf(w, limit, false) }

// headCompounds is compounds with w as the last part only: "woning" →
// "eengezinswoning", "flexwoningen", not "woningcorporatie".
func (lx *lexicon) headCompounds(w string, limit int) []string { return lx.compoundsOf(w, limit, true) }

func (lx *lexicon) compoundsOf(w string, limit int, headOnly bool) []string {
	if lx == nil || len(w) < 4 || lx.names[w] {
		return nil
	}
	s := stem(w)
	forms := map[string]bool{w: true}
	for _, i := range lx.byStem[s] {
		forms[lx.words[i]] = true
	}
	found := map[int32]bool{}
	for f := range forms {
		if len(f) < 4 {
			continue
		}
		// f as the head: words ending in f.
		rf := reverse(f)
		from := sort.SearchStrings(lx.backward, rf)
		for i := from; i < len(lx.reversed); i++ {
			x := lx.words[lx.reversed[i]]
			if !strings.HasSuffix(x, f) {
				break
			}
			mod := x[:len(x)-len(f)]
			if len(mod) >= 3 && !particles[mod] && !forms[x] && !lx.places[x] && stem(x) != s {
				found[lx.reversed[i]] = true
			}
		}
		if headOnly {
			continue
		}
		// f as the first part: words starting with f.
		from = sort.SearchStrings(lx.words, f)
		for i := from; i < len(lx.words); i++ {
			x := lx.words[i]
			if !strings.HasPrefix(x, f) {
				break
			}
			if forms[x] || lx.places[x] || stem(x) == s {
				continue
			}
			if rest := x[len(f):]; !suffixes[rest] && lx.isWordOrLinked(rest) {
				found[int32(i)] = true
			}
		}
	}
	out := make([]int32, 0, len(found))
	for i := range found {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool {
		if lx.docs[out[a]] != lx.docs[out[b]] {
			return lx.docs[out[a]] > lx.docs[out[b]]
		}
		return lx.words[out[a]] < lx.words[out[b]]
	})
	words := make([]string, 0, min(limit, len(out)))
	for _, i := range out[:min(limit, len(out))] {
		words = append(words, lx.words[i])
	}
	return words
}

// isWordOrLinked reports whether rest, the part of a compound after its first
// part, is a word of three or more letters, possibly after a linking s, e, en or er.
func (lx *lexicon) isWordOrLinked(rest string) bool {
	if len(rest) >= 3 && lx.known(rest) {
		return true
	}
	for _, l := range linkings {
		if r := strings.TrimPrefix(rest, l); r != rest && len(r) >= 3 && lx.known(r) {
			return true
		}
	}
	return false
}

// split cuts a compound into two words the vocabulary knows: "woningdelen" →
// woning, delen; "kamerverhuur" → kamer, verhuur. The longest sensible parts win.
// It returns nil when there is no such cut.
func (lx *lexicon) split(w string) []string {
	if lx == nil || len(w) < 7 {
		return nil
	}
	best, bestScore := []string(nil), 0
	for i := 3; i <= len(w)-3; i++ {
		head := w[i:]
		if suffixes[head] || !lx.known(head) {
			continue
		}
		for _, first := range firstParts(w[:i]) {
			if len(first) < 3 || particles[first] || !lx.known(first) {
				continue
			}
			score := min(i, len(head))*10 + len(head)
			if score > bestScore {
				best, bestScore = []string{first, head}, score
			}
			break // the first part without its linking letter, when that is a word
		}
	}
	return best
}

// firstParts is a compound's first part without and with a linking letter.
func firstParts(p string) []string {
	var out []string
	for _, l := range linkings {
		if q := strings.TrimSuffix(p, l); q != p {
			out = append(out, q)
		}
	}
	return append(out, p)
}

// maxCorrected is the longest word typo correction looks at
// ("huisvestingstaakstelling" has 24 letters).
const maxCorrected = 40

// correction is a word of the vocabulary near a word that matched nothing.
type correction struct {
	word string
	dist int
	docs int32
}

// maxTypos is how many edits a word may be off to be corrected: none for words of
// up to three letters (too many words are that close), one up to seven letters,
// two from eight on; none beyond maxCorrected letters, which no Dutch word of the
// library has, and which would make the search for near words slow.
func maxTypos(w string) int {
	switch n := len([]rune(w)); {
	case n <= 3, n > maxCorrected:
		return 0
	case n <= 7:
		return 1
	}
	return 2
}

// corrections returns the words of the vocabulary within maxTypos edits of w
// (insert, delete, replace, or swap two neighbouring letters), nearest first and
// among those the most used. When prefix is set, w is a word still being typed and
// may be near the beginning of a word ("statushoue" → "statushouders").
//
// It walks the sorted vocabulary as a trie: the rows of the edit-distance table
// for a shared beginning are computed once, and a beginning already too far off
// skips every word that starts with it. Words with digits (codes, years, the
// markers of a test) are never proposed.
func (lx *lexicon) corrections(w string, prefix bool) []correction {
	k := maxTypos(w)
	if lx == nil || k == 0 {
		return nil
	}
	key := w
	if prefix {
		key += "*"
	}
	if c, ok := lx.corrected.Load(key); ok {
		return c.([]correction)
	}
	out := lx.nearWords(w, k, prefix)
	if lx.remember() {
		lx.corrected.Store(key, out)
	}
	return out
}

// nearWords is corrections without its cache.
func (lx *lexicon) nearWords(w string, k int, prefix bool) []correction {
	m := len(w)
	maxLen := m + k
	rows := make([][]int, maxLen+2)
	best := make([]int, maxLen+2) // prefix mode: the least distance on the path so far
	for d := range rows {
		rows[d] = make([]int, m+1)
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	best[0] = m
	var out []correction
	valid := 0 // rows[0..valid] hold the table for lx.words[last][:valid]
	last := ""
	for i := 0; i < len(lx.words); {
		x := lx.words[i]
		cp := 0
		for cp < valid && cp < len(x) && cp < len(last) && x[cp] == last[cp] {
			cp++
		}
		pruned := -1
		for d := cp + 1; d <= len(x) && d <= maxLen; d++ {
			row, prev := rows[d], rows[d-1]
			row[0] = d
			rowMin := d
			c := x[d-1]
			for j := 1; j <= m; j++ {
				cost := 1
				if w[j-1] == c {
					cost = 0
				}
				v := min(prev[j]+1, row[j-1]+1, prev[j-1]+cost)
				if d > 1 && j > 1 && c == w[j-2] && x[d-2] == w[j-1] {
					v = min(v, rows[d-2][j-2]+1)
				}
				row[j] = v
				rowMin = min(rowMin, v)
			}
			best[d] = min(best[d-1], row[m])
			valid = d
			if rowMin > k && (d == 1 || minOf(rows[d-1]) > k) {
				pruned = d
				break
			}
		}
		last = x
		if pruned >= 0 {
			// No word starting with x[:pruned] can come within k: skip them all.
			p := x[:pruned]
			valid = pruned - 1
			i += sort.Search(len(lx.words)-i, func(j int) bool { return !strings.HasPrefix(lx.words[i+j], p) })
			continue
		}
		if (len(x) <= maxLen || prefix) && x != w && !hasDigit(x) {
			dist := k + 1
			if len(x) <= maxLen {
				dist = rows[len(x)][m]
			}
			if prefix {
				dist = min(dist, best[min(len(x), maxLen)])
			}
			if dist <= k {
				out = append(out, correction{word: x, dist: dist, docs: lx.docs[i]})
			}
		}
		i++
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].dist != out[b].dist {
			return out[a].dist < out[b].dist
		}
		if out[a].docs != out[b].docs {
			return out[a].docs > out[b].docs
		}
		return out[a].word < out[b].word
	})
	return out
}

func minOf(row []int) int {
	m := row[0]
	for _, v := range row[1:] {
		m = min(m, v)
	}
	return m
}

// hasDigit reports whether s holds an ASCII digit (a loop: strings.ContainsAny
// builds its set of bytes on every call, and stem asks for every word it sees).
func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// lexicon returns the vocabulary. After a write it is renewed: at once when that
// took little time (small libraries), otherwise in the background while the
// previous one serves (a library of 100,000 cases). It is nil only when it cannot
// be read at all; search then goes on without typo correction and compounds.
func (d *DB) lexicon(ctx context.Context) *lexicon {
	lx := d.lex.Load()
	if lx != nil && !d.lexStale.Load() {
		return lx
	}
	if lx != nil && lx.took > syncLexiconBuild {
		if d.lexBuilding.CompareAndSwap(false, true) {
			go func() {
				defer d.lexBuilding.Store(false)
				d.renewLexicon(context.WithoutCancel(ctx))
			}()
		}
		return lx
	}
	d.renewLexicon(ctx)
	if next := d.lex.Load(); next != nil {
		return next
	}
	return lx
}

// syncLexiconBuild is the longest a vocabulary may take to load for a search to
// wait for it.
const syncLexiconBuild = 20 * time.Millisecond

func (d *DB) renewLexicon(ctx context.Context) {
	d.lexMu.Lock()
	defer d.lexMu.Unlock()
	if d.lex.Load() != nil && !d.lexStale.Load() {
		return // renewed while this one waited
	}
	d.lexStale.Store(false)
	lx, err := loadLexicon(ctx, d)
	if err != nil {
		d.lexStale.Store(true)
		slog.ErrorContext(ctx, "load search vocabulary", "err", err)
		return
	}
	d.lex.Store(lx)
}
