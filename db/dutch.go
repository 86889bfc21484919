package db

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"golang.org/x/text/unicode/norm"
)

// Text analysis for search: how a text is cut into words, how a word is folded
// (lower case, no diacritics) and stemmed. The search index is written from Go
// (searchindex.go) and queried with words cut the same way, so what a visitor types
// and what a case says always meet in the same form; SQLite's tokenizer only splits
// the prepared words at the spaces between them.

// eachWord calls fn for every word of text with its byte offsets and its folded
// form. Letters and digits make words, combining marks stay with their letter;
// everything else separates words, as in FTS5's unicode61 tokenizer. Invalid UTF-8
// separates words too.
func eachWord(text string, fn func(start, end int, word string)) {
	eachSpan(text, func(start, end int, ascii bool) { emitWord(text, start, end, ascii, fn) })
}

// eachSpan calls fn with the byte offsets of every word of text (see eachWord),
// and whether the word is plain ASCII, without folding it: for callers that fold
// only the few words they look at.
func eachSpan(text string, fn func(start, end int, ascii bool)) {
	for it := (wordIter{text: text}); ; {
		start, end, ascii, ok := it.next()
		if !ok {
			return
		}
		fn(start, end, ascii)
	}
}

// wordIter walks the words of a text as eachSpan does, without a call per word.
type wordIter struct {
	text string
	at   int
}

// next returns the offsets of the next word and whether it is plain ASCII; ok is
// false at the end of the text.
func (it *wordIter) next() (start, end int, ascii, ok bool) {
	text := it.text
	start = -1
	ascii = true
	i := it.at
	for i < len(text) {
		c := text[i]
		size := 1
		var in bool
		if c < utf8.RuneSelf {
			in = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			in = r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r))
		}
		switch {
		case in && start < 0:
			start, ascii = i, c < utf8.RuneSelf
		case in:
			ascii = ascii && c < utf8.RuneSelf
		case start >= 0:
			it.at = i + size
			return start, i, ascii, true
		}
		i += size
	}
	it.at = len(text)
	if start >= 0 {
		return start, len(text), ascii, true
	}
	return 0, 0, false, false
}

func emitWord(text string, start, end int, ascii bool, fn func(start, end int, word string)) {
	var w string
	if ascii {
		w = lowerASCII(text[start:end])
	} else {
		w = Fold(text[start:end])
	}
	if w != "" {
		fn(start, end, w)
	}
}

// words returns the folded words of text.
func words(text string) []string {
	var out []string
	eachWord(text, func(_, _ int, w string) { out = append(out, w) })
	return out
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Fold lower-cases a text and drops its diacritics ("Fryslân" → "fryslan",
// "Oekraïners" → "oekrainers"); a few letters without a decomposition are spelled
// out as Dutch writers would type them ("ø" → "o", "ß" → "ss"). It is the site's
// one folding: the search's words, slugs (Slugify) and the names the map's search
// matches.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < utf8.RuneSelf:
			b.WriteRune(unicode.ToLower(r))
		default:
			if alt, ok := spelledOut[unicode.ToLower(r)]; ok {
				b.WriteString(alt)
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return b.String()
}

var spelledOut = map[rune]string{'ø': "o", 'æ': "ae", 'œ': "oe", 'ß': "ss", 'ł': "l", 'đ': "d", 'ı': "i", 'ĳ': "ij"}

// stem reduces a folded word to the stem that its inflections share, so that
// "kantoren" meets "kantoor", "gezinnen" "gezin" and "verhuren" "verhuur". It is the
// Snowball Dutch stemmer with a few corrections for gaps that matter in this
// domain (measured on the cases' own words):
//   - plurals in -s after a vowel ("gemeentes", "locaties", "studios") lose the s,
//     as "gemeenten" and "locatie" do;
//   - diminutives lose their -je/-tje/-pje ("huisjes" → "huis", "kamertje" → "kamer");
//   - a doubled final consonant is undoubled ("gezinnen" → "gezinn" → "gezin": Snowball
//     undoubles only d, k and t) and a final z or v becomes s or f ("huizen" → "huis").
//
// Words of one or two letters and words with digits are their own stem.
func stem(w string) string {
	if len(w) < 3 || hasDigit(w) {
		return w
	}
	stemCache.RLock()
	s, ok := stemCache.stems[w]
	stemCache.RUnlock()
	if ok {
		return s
	}
	s = stemUncached(w)
	stemCache.Lock()
	if len(stemCache.stems) < maxStemCache {
		stemCache.stems[w] = s
	}
	stemCache.Unlock()
	return s
}

// The stems of the words seen so far: a library's vocabulary is bounded, and
// highlighting stems every word of the texts it marks (a dozen texts per search
// answer). A plain map under a read lock: a sync.Map boxed every word looked up
// into an interface and cost about 5 % of a search fragment's CPU.
var stemCache = struct {
	sync.RWMutex
	stems map[string]string
}{stems: map[string]string{}}

const maxStemCache = 1 << 18

func stemUncached(w string) string {
	w = dropDiminutive(dropVowelPluralS(w))
	env := snowball.NewEnv(w)
	dutch.Stem(env)
	s := env.Current()
	if n := len(s); n >= 4 && s[n-1] == s[n-2] && isConsonant(s[n-1]) {
		s = s[:n-1]
	}
	if n := len(s); n >= 4 {
		switch s[n-1] {
		case 'z':
			s = s[:n-1] + "s"
		case 'v':
			s = s[:n-1] + "f"
		}
	}
	return s
}

func isConsonant(c byte) bool {
	return c >= 'a' && c <= 'z' && !strings.ContainsRune("aeiouy", rune(c))
}

func isVowel(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }

// dropVowelPluralS turns the plural -s after a vowel into the singular:
// "gemeentes" → "gemeente", "locaties" → "locatie", "studios" → "studio". Words in
// -us ("status"), -is ("reis") and after a doubled vowel ("werkloos") keep their s.
func dropVowelPluralS(w string) string {
	n := len(w)
	if n < 5 || w[n-1] != 's' {
		return w
	}
	switch v := w[n-2]; {
	case v == 'e' && (w[n-3] == 't' || w[n-3] == 'd' || w[n-3] == 'i'):
		return w[:n-1] // gemeentes, kades, locaties
	case (v == 'o' || v == 'a') && w[n-3] != v:
		return w[:n-1] // studios, collegas; not werkloos
	}
	return w
}

// dropDiminutive removes the diminutive ending of a word of six or more letters:
// "huisje(s)" → "huis", "kamertje" → "kamer", "boompje" → "boom", "straatje" →
// "straat". Irregular cases ("kaartje" → "kaar") stay consistent: every form of the
// word gets the same stem.
func dropDiminutive(w string) string {
	if len(w) < 6 {
		return w
	}
	d := strings.TrimSuffix(w, "s")
	if !strings.HasSuffix(d, "je") {
		return w
	}
	base := d[:len(d)-2]
	n := len(base)
	switch {
	case n >= 3 && base[n-1] == 't' && (strings.IndexByte("lnrw", base[n-2]) >= 0 || isVowel(base[n-2]) && !isVowel(base[n-3])):
		base = base[:n-1] // stoeltje, kamertje; not straatje
	case n >= 3 && base[n-1] == 'p' && base[n-2] == 'm':
		base = base[:n-1] // boompje
	case n >= 3 && strings.HasSuffix(base, "nk"):
		base = base[:n-1] + "g" // woninkje, koninkje
	}
	if len(base) < 3 {
		return w
	}
	return base
}
