package db

import (
	"strings"
	"unicode/utf8"
)

// Sentinels that mark search hits in TitleMarked, SummaryMarked and Snippet. They are
// control characters, which stored text never contains (see stripControl), so a
// view can escape the text first and then turn them into <mark> safely.
const (
	MarkStart = "\x01"
	MarkEnd   = "\x02"
)

const (
	maxQueryRunes = 200 // longer input is cut: no one types more into a search box
	maxQueryTerms = 12
	// minPrefixRunes is the shortest last word that is matched as a prefix. A single
	// letter would match nearly every case and is matched as a whole word instead.
	minPrefixRunes = 2
	// minExpandRunes is the shortest word that gets compounds, splits and
	// synonyms: shorter words ("huur", "wijk" have four letters) are too often
	// part of unrelated words.
	minExpandRunes = 4
	// maxCompounds bounds how many compounds one word brings along.
	maxCompounds = 24
)

// query is what a visitor typed, cut into folded words the way the search index
// holds them (eachWord).
type query struct {
	words  []string
	typed  []string // the same words as typed, for notices
	prefix bool     // the last word is still being typed: match it as a prefix
}

// parseQuery cuts what a visitor typed into words. Invalid UTF-8 is dropped and
// overlong input cut; at most maxQueryTerms words are kept.
func parseQuery(q string) query {
	q = strings.ToValidUTF8(q, " ")
	if utf8.RuneCountInString(q) > maxQueryRunes {
		q = string([]rune(q)[:maxQueryRunes])
	}
	var out query
	eachWord(q, func(start, end int, w string) {
		if len(out.words) < maxQueryTerms {
			out.words = append(out.words, w)
			out.typed = append(out.typed, q[start:end])
		}
	})
	if n := len(out.words); n > 0 {
		out.prefix = !strings.HasSuffix(q, " ") && utf8.RuneCountInString(out.words[n-1]) >= minPrefixRunes
	}
	return out
}

// unit is one word of a search with everything it may match, from the closest to
// the loosest: the word itself (or, while it is typed, every word it begins),
// other forms with the same stem, compounds holding it, the two words it is a
// compound of, and synonyms.
type unit struct {
	word      string
	typed     string // as typed; for a corrected word, what was typed instead
	prefix    bool
	stop      bool
	stem      string
	compounds []string    // words of the vocabulary holding this one
	parts     [][2]string // the two words this one is made of, as stems: their pairs nearby

	synonyms  [][]string // stems of synonym terms
	corrected bool

	// The FTS5 expressions of the unit (exprParts), made once by prepare: a search
	// asks for them several times, as cache keys among others.
	exprs, headExprs []string
}

// prepare makes the unit's expressions; call it again after changing the unit.
func (u *unit) prepare() {
	u.exprs, u.headExprs = nil, nil
	u.exprs, u.headExprs = u.exprParts(false), u.exprParts(true)
}

// units turns the words of a query into units, with compounds and splits from the
// vocabulary (none when lx is nil) and synonyms from synonyms.txt. A synonym term
// of several words ("tijdelijke woning") found in the query lends its synonyms to
// each of its words.
func (q query) units(lx *lexicon) []unit {
	wl := lists()
	out := make([]unit, len(q.words))
	stems := make([]string, len(q.words))
	for i, w := range q.words {
		u := unit{word: w, typed: q.typed[i], prefix: q.prefix && i == len(q.words)-1, stop: wl.stop[w], stem: stem(w)}
		stems[i] = u.stem
		if expandable(u) {
			e := lx.expand(w)
			u.compounds, u.parts = e.compounds, e.parts
			u.synonyms = append(u.synonyms, wl.synonyms[u.stem]...)
		}
		out[i] = u
	}
	for n := min(wl.longestSynonym, len(q.words)); n >= 2; n-- {
		for i := 0; i+n <= len(q.words); i++ {
			syns := wl.synonyms[strings.Join(stems[i:i+n], " ")]
			for j := i; j < i+n && len(syns) > 0; j++ {
				for _, s := range syns {
					if !containsTerm(out[j].synonyms, s) {
						out[j].synonyms = append(out[j].synonyms, s)
					}
				}
			}
		}
	}
	for i := range out {
		out[i].prepare()
	}
	return out
}

// maxSplitPairs bounds the pairs a split word brings along.
const maxSplitPairs = 6

// splitPairs cuts a compound into its two words (lexicon.split) and returns, as
// stems, the pairs that stand for it when they are written apart and near each
// other: the two words themselves ("woningen delen" for "woningdelen"), and the
// first word's own compounds with the second ("delen een eengezinswoning").
func splitPairs(lx *lexicon, w string) [][2]string {
	parts := lx.split(w)
	if parts == nil {
		return nil
	}
	second := stem(parts[1])
	out := [][2]string{{stem(parts[0]), second}}
	for _, c := range lx.headCompounds(parts[0], maxSplitPairs-1) {
		out = append(out, [2]string{stem(c), second})
	}
	return out
}

// expandable reports whether a unit gets compounds and synonyms: not stop words,
// short words, words with digits, nor words longer than any word of the library.
func expandable(u unit) bool {
	n := utf8.RuneCountInString(u.word)
	return !u.stop && n >= minExpandRunes && n <= maxCorrected && !hasDigit(u.word)
}

// hasStem reports whether the unit matches other forms of its word: not for one
// letter, nor for a short beginning still being typed.
func (u unit) hasStem() bool {
	n := utf8.RuneCountInString(u.word)
	return n >= 3 && !(u.prefix && n < minExpandRunes)
}

// exactExpr is the FTS5 expression for the word itself in the given word columns;
// with prefix, also for every word it begins (a word still being typed).
func (u unit) exactExpr(cols string, prefix bool) string {
	var b strings.Builder
	b.WriteString(cols)
	b.WriteString(" : ")
	writeQuoted(&b, u.word)
	if prefix {
		b.WriteByte('*')
	}
	return b.String()
}

// stemExpr is the FTS5 expression for the word's stem in the given stem columns,
// or "" when the unit has none.
func (u unit) stemExpr(cols string) string {
	if !u.hasStem() {
		return ""
	}
	var b strings.Builder
	b.WriteString(cols)
	b.WriteString(" : ")
	writeQuoted(&b, u.stem)
	return b.String()
}

// altExprs are the FTS5 expressions for the compounds of the word (in the word
// columns) and for its splits and synonyms (in the stem columns); either may be
// missing.
func (u unit) altExprs(wordCols, stemCols string) []string {
	var alts []string
	if len(u.compounds) > 0 {
		// Not in place names: "kerk" does not find Nijkerk, nor "burg" Middelburg.
		cols := colsTexts
		if wordCols == colsHeadExact {
			cols = colsTitle
		}
		var b strings.Builder
		b.WriteString(cols)
		b.WriteString(" : (")
		for i, c := range u.compounds {
			if i > 0 {
				b.WriteString(" OR ")
			}
			writeQuoted(&b, c)
		}
		b.WriteByte(')')
		alts = append(alts, b.String())
	}
	var terms []string
	for _, p := range u.parts {
		var b strings.Builder
		b.WriteString("NEAR(")
		writeQuoted(&b, p[0])
		b.WriteByte(' ')
		writeQuoted(&b, p[1])
		b.WriteString(", 2)")
		terms = append(terms, b.String())
	}
	for _, s := range u.synonyms {
		var b strings.Builder
		writeQuoted(&b, strings.Join(s, " ")) // several words: a phrase
		terms = append(terms, b.String())
	}
	if len(terms) > 0 {
		alts = append(alts, stemCols+" : ("+strings.Join(terms, " OR ")+")")
	}
	return alts
}

// exprParts are the FTS5 expressions of everything the unit matches, in every
// column (head false) or only in the title, places and province (head true): the
// word itself, its stem, its compounds, its splits and synonyms. Searched apart
// and cached (exprSet), the parts serve more than one purpose (the stem part is
// also what "matched as another form" means) and are shared between units: the
// words of a synonym term of several words share its synonyms.
func (u unit) exprParts(head bool) []string {
	if head && u.headExprs != nil {
		return u.headExprs
	}
	if !head && u.exprs != nil {
		return u.exprs
	}
	wordCols, stemCols := colsExact, colsStems
	if head {
		wordCols, stemCols = colsHeadExact, colsHeadStems
	}
	parts := []string{u.exactExpr(wordCols, u.prefix)}
	if s := u.stemExpr(stemCols); s != "" {
		parts = append(parts, s)
	}
	return append(parts, u.altExprs(wordCols, stemCols)...)
}

// setParts are the parts whose matches make up the unit's set: exprParts without
// the word itself when its stem is there, since every case holding the word holds
// its stem (the stem columns hold the stem of every word). At 100,000 cases a
// common word's own part costs as much as its stem's (9 ms).
func (u unit) setParts(head bool) []string {
	parts := u.exprParts(head)
	if !u.prefix && u.hasStem() {
		return parts[1:]
	}
	return parts
}

// expr is the FTS5 expression for everything the unit matches: its parts ORed.
func (u unit) expr(head bool) string {
	parts := u.exprParts(head)
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ") OR (") + ")"
}

// joinExprs combines unit expressions with AND or OR.
func joinExprs(exprs []string, op string) string {
	if len(exprs) == 1 {
		return exprs[0]
	}
	return "(" + strings.Join(exprs, ") "+op+" (") + ")"
}

// writeQuoted writes t as an FTS5 string: every word a quoted string (inner
// quotes doubled), so operators such as AND, OR, NOT, NEAR(, *, -, : and ^ lose
// their meaning.
func writeQuoted(b *strings.Builder, t string) {
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(t, `"`, `""`))
	b.WriteByte('"')
}

// matchQuery turns what an editor typed into an FTS5 expression that SQLite always
// accepts: every word, as it is or in another form, in any column (no vocabulary:
// the editors' list searches all cases for the words themselves).
func matchQuery(q string) string {
	units := parseQuery(q).units(nil)
	var exprs []string
	for _, u := range units {
		u.synonyms = nil
		u.prepare()
		exprs = append(exprs, u.expr(false))
	}
	if len(exprs) == 0 {
		return ""
	}
	return joinExprs(exprs, "AND")
}
