package db

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
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
)

// query is what a visitor typed, reduced to the words FTS5 will look for.
type query struct {
	terms  []string
	prefix bool // the last word is still being typed: match it as a prefix
}

// parseQuery splits input into words the way the unicode61 tokenizer does: letters,
// numbers and combining marks make words; everything else separates them. Invalid
// UTF-8 is dropped and overlong input cut.
func parseQuery(q string) query {
	q = strings.ToValidUTF8(q, " ")
	if utf8.RuneCountInString(q) > maxQueryRunes {
		q = string([]rune(q)[:maxQueryRunes])
	}
	var out query
	for _, t := range strings.FieldsFunc(q, isSeparator) {
		// A word of combining marks alone holds no token.
		if strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			out.terms = append(out.terms, t)
		}
	}
	if len(out.terms) > maxQueryTerms {
		out.terms = out.terms[:maxQueryTerms]
	}
	last := ""
	if len(out.terms) > 0 {
		last = out.terms[len(out.terms)-1]
	}
	out.prefix = !strings.HasSuffix(q, " ") && utf8.RuneCountInString(last) >= minPrefixRunes
	return out
}

func isSeparator(r rune) bool {
	return !(unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r))
}

// match is the FTS5 expression: every word a quoted string (inner quotes doubled),
// so operators such as AND, OR, NOT, NEAR(, *, -, : and ^ lose their meaning; words
// are ANDed; the last one is a prefix while being typed. "" when nothing is left.
func (q query) match() string {
	return q.matchWith(nil)
}

// matchWith is match with the last word replaced by alternatives (whole words),
// when there are any.
func (q query) matchWith(lastAlternatives []string) string {
	var b strings.Builder
	for i, t := range q.terms {
		if i > 0 {
			b.WriteString(" AND ")
		}
		if i == len(q.terms)-1 && len(lastAlternatives) > 0 {
			b.WriteByte('(')
			for j, a := range lastAlternatives {
				if j > 0 {
					b.WriteString(" OR ")
				}
				writeQuoted(&b, a)
			}
			b.WriteByte(')')
			continue
		}
		writeQuoted(&b, t)
		if q.prefix && i == len(q.terms)-1 {
			b.WriteByte('*')
		}
	}
	return b.String()
}

func writeQuoted(b *strings.Builder, t string) {
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(t, `"`, `""`))
	b.WriteByte('"')
}

// matchQuery turns what a visitor typed into an FTS5 MATCH expression that SQLite
// always accepts (see query.match).
func matchQuery(q string) string { return parseQuery(q).match() }

// prefixIndexed is the longest prefix the FTS5 table indexes (prefix = '2 3' in
// schema.sql). Longer prefixes make FTS5 merge the doclists of every word they
// cover, on every query, even one restricted to a single row.
const prefixIndexed = 3

// unindexedPrefix reports whether the last word is a prefix longer than the index
// covers.
func (q query) unindexedPrefix() bool {
	return q.prefix && len(q.terms) > 0 && utf8.RuneCountInString(fold(q.terms[len(q.terms)-1])) > prefixIndexed
}

// completions returns the words in texts that the prefix being typed stands for,
// so that highlighting can ask FTS5 for those whole words instead of the costly
// long prefix. It returns nil when the prefix is short enough to be indexed.
func (q query) completions(texts ...string) []string {
	if !q.unindexedPrefix() {
		return nil
	}
	last := fold(q.terms[len(q.terms)-1])
	seen := map[string]bool{}
	var out []string
	for _, text := range texts {
		for _, w := range strings.FieldsFunc(text, isSeparator) {
			if w = fold(w); strings.HasPrefix(w, last) && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// fold lower-cases and strips diacritics as the tokenizer's remove_diacritics does.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
