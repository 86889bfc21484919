package db

import (
	"strings"
	"unicode"
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
)

// matchQuery turns what a visitor typed into an FTS5 MATCH expression that SQLite
// always accepts: every word becomes a quoted string (inner quotes doubled), so
// operators such as AND, OR, NOT, NEAR(, *, -, : and ^ lose their meaning. Words are
// ANDed; the last word is matched as a prefix unless the input ends in a space, so
// results follow typing. It returns "" when nothing searchable is left.
func matchQuery(q string) string {
	q = strings.ToValidUTF8(q, " ")
	if utf8.RuneCountInString(q) > maxQueryRunes {
		q = string([]rune(q)[:maxQueryRunes])
	}
	var terms []string
	for _, t := range strings.FieldsFunc(q, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r))
	}) {
		// A word of combining marks alone holds no token.
		if strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			terms = append(terms, t)
		}
	}
	if len(terms) == 0 {
		return ""
	}
	if len(terms) > maxQueryTerms {
		terms = terms[:maxQueryTerms]
	}
	prefix := !strings.HasSuffix(q, " ")
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		b.WriteByte('"')
		if prefix && i == len(terms)-1 && utf8.RuneCountInString(t) >= minPrefixRunes {
			b.WriteByte('*')
		}
	}
	return b.String()
}
