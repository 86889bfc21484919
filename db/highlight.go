package db

import (
	"math/bits"
	"strings"
	"sync"
	"unicode/utf8"
)

// Highlighting is done here, in Go, rather than by FTS5's highlight() and
// snippet(): the index holds no text (it is contentless), search matches stems,
// compounds and synonyms that FTS5 could not point at in the original words, and
// one pass over twelve short texts costs less than twelve queries.

// snippetWords is how many words a passage of the body holds.
const snippetWords = 24

// marker finds the words of a text that a search matched, in any of the ways it
// matches them (see unit).
type marker struct {
	units []markUnit
	// first holds the first two letters of every form that can match: a fast
	// "no" for most words of a text, before they are folded or stemmed. (A stem
	// keeps the first two letters of its word.)
	first firstSet
}

// firstSet is a set of two-byte keys (firstTwo), hashed into 4,096 bits: a
// false "yes" only costs a closer look.
type firstSet [64]uint64

func (f *firstSet) add(k uint16) { h := k ^ k>>4; f[h>>6&63] |= 1 << (h & 63) }
func (f *firstSet) has(k uint16) bool {
	h := k ^ k>>4
	return f[h>>6&63]&(1<<(h&63)) != 0
}

// firstTwo is the key of marker.first for a folded word.
func firstTwo(w string) uint16 {
	if len(w) == 1 {
		return uint16(w[0]) << 8
	}
	return uint16(w[0])<<8 | uint16(w[1])
}

// firstTwoRaw is firstTwo of the folded form of an ASCII word, without folding it.
func firstTwoRaw(w string) uint16 {
	lower := func(c byte) uint16 {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		return uint16(c)
	}
	if len(w) == 1 {
		return lower(w[0]) << 8
	}
	return lower(w[0])<<8 | lower(w[1])
}

type markUnit struct {
	word      string
	prefix    bool
	stem      string // "" when the unit matches no other forms
	compounds map[string]bool
	synonyms  map[string]bool // synonyms of one word, by stem
	phrases   [][]string      // synonyms of several words, and the two parts of a split
	near      []bool          // per phrase: its words may stand apart (NEAR) and in either order
}

func newMarker(units []unit) *marker {
	m := &marker{}
	for _, u := range units {
		mu := markUnit{word: u.word, prefix: u.prefix, compounds: map[string]bool{}, synonyms: map[string]bool{}}
		m.first.add(firstTwo(u.word))
		if u.hasStem() {
			mu.stem = u.stem
			m.first.add(firstTwo(u.stem))
		}
		for _, c := range u.compounds {
			mu.compounds[c] = true
			m.first.add(firstTwo(c))
		}
		for _, s := range u.synonyms {
			if len(s) == 1 {
				mu.synonyms[s[0]] = true
			} else {
				mu.phrases, mu.near = append(mu.phrases, s), append(mu.near, false)
			}
			for _, w := range s {
				m.first.add(firstTwo(w))
			}
		}
		for _, p := range u.parts {
			mu.phrases, mu.near = append(mu.phrases, p[:]), append(mu.near, true)
			m.first.add(firstTwo(p[0]))
			m.first.add(firstTwo(p[1]))
		}
		m.units = append(m.units, mu)
	}
	return m
}

// span is a matched word: its byte offsets and the unit it matched.
type span struct {
	start, end int
	unit       int
}

// textWord is a word of a text with its offsets and folded form.
type textWord struct {
	start, end int32
	word       string
}

// maxScan is how much of a text is searched for matches: a passage is cut from
// the first part of a long body.
const maxScan = 6000

// scanBuf holds what scan works with; reused (scanBufs), as twelve passages per
// answer would otherwise allocate some 100 KB.
type scanBuf struct {
	ws    []textWord
	hit   []int
	stems []string
	cands []int
	spans []span
}

var scanBufs = sync.Pool{New: func() any { return new(scanBuf) }}

// scan returns the words of text and, in order, the matched ones among them. The
// slices belong to buf.
func (m *marker) scan(buf *scanBuf, text string) ([]textWord, []span) {
	if len(text) > maxScan {
		cut := maxScan
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	ws := buf.ws[:0]
	for it := (wordIter{text: text}); ; {
		start, end, ascii, ok := it.next()
		if !ok {
			break
		}
		w := ""
		switch {
		case !ascii:
			if w = foldWord(text[start:end]); w == "" {
				continue
			}
		case m.first.has(firstTwoRaw(text[start:end])):
			w = lowerASCII(text[start:end])
		}
		ws = append(ws, textWord{int32(start), int32(end), w})
	}
	buf.ws = ws
	hit := resize(buf.hit, len(ws)) // unit+1 of a matched word, 0 for none
	buf.hit = hit
	stems := resize(buf.stems, len(ws))
	buf.stems = stems
	stemOf := func(i int) string {
		if stems[i] == "" {
			stems[i] = stem(ws[i].word)
		}
		return stems[i]
	}
	// Only the words whose first letters some form has can match.
	cands := buf.cands[:0]
	for i := range ws {
		if ws[i].word != "" && m.first.has(firstTwo(ws[i].word)) {
			cands = append(cands, i)
		}
	}
	buf.cands = cands
	candidate := func(i int) bool { return ws[i].word != "" && m.first.has(firstTwo(ws[i].word)) }
	for _, i := range cands {
		w := ws[i].word
		for ui, u := range m.units {
			switch {
			case w == u.word, u.prefix && strings.HasPrefix(w, u.word), u.compounds[w]:
			case (u.stem != "" || len(u.synonyms) > 0) && (stemOf(i) == u.stem || u.synonyms[stemOf(i)]):
			default:
				continue
			}
			hit[i] = ui + 1
			break
		}
	}
	for ui, u := range m.units {
		for pi, p := range u.phrases {
			for _, i := range cands {
				if stemOf(i) != p[0] && !(u.near[pi] && stemOf(i) == p[1]) {
					continue
				}
				if u.near[pi] {
					// The two parts of a split word, within two words of each other.
					for j := i + 1; j < len(ws) && j <= i+3; j++ {
						if !candidate(j) {
							continue
						}
						a, b := stemOf(i), stemOf(j)
						if a == p[0] && b == p[1] || a == p[1] && b == p[0] {
							markFree(hit, i, ui)
							markFree(hit, j, ui)
						}
					}
					continue
				}
				if i+len(p) > len(ws) {
					continue
				}
				ok := true
				for k, s := range p[1:] {
					if !candidate(i+1+k) || stemOf(i+1+k) != s {
						ok = false
						break
					}
				}
				if ok {
					for k := range p {
						markFree(hit, i+k, ui)
					}
				}
			}
		}
	}
	spans := buf.spans[:0]
	for i, h := range hit {
		if h > 0 {
			spans = append(spans, span{int(ws[i].start), int(ws[i].end), h - 1})
		}
	}
	buf.spans = spans
	return ws, spans
}

// resize returns s with n zero elements, reusing its memory.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func markFree(hit []int, i, unit int) {
	if hit[i] == 0 {
		hit[i] = unit + 1
	}
}

// mark returns text with MarkStart and MarkEnd around every matched word.
func (m *marker) mark(text string) string {
	buf := scanBufs.Get().(*scanBuf)
	defer scanBufs.Put(buf)
	_, spans := m.scan(buf, text)
	return markSpans(text, spans, 0, len(text))
}

// markSpans writes text[from:to] with the spans inside it marked; neighbouring
// marked words separated only by spaces share one mark.
func markSpans(text string, spans []span, from, to int) string {
	var b strings.Builder
	b.Grow(to - from + 8*len(spans))
	at := from
	open := false
	for _, s := range spans {
		if s.start < from || s.end > to {
			continue
		}
		if open && strings.TrimLeft(text[at:s.start], " ") == "" {
			b.WriteString(text[at:s.start])
		} else {
			if open {
				b.WriteString(MarkEnd)
			}
			b.WriteString(text[at:s.start])
			b.WriteString(MarkStart)
		}
		b.WriteString(text[s.start:s.end])
		at, open = s.end, true
	}
	if open {
		b.WriteString(MarkEnd)
	}
	b.WriteString(text[at:to])
	return b.String()
}

// snippet cuts a passage of about n words from text around its matches (the most
// different query words within n words, the earliest of those), marked, with "…"
// where it was cut. It returns "" when text holds no match.
func (m *marker) snippet(text string, n int) string {
	// Most passages lie in the beginning of a text: when the first part holds
	// every query word within n words, the rest need not be read.
	if len(text) > snippetFirst {
		cut := snippetFirst
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		if s, units := m.snippetOf(text[:cut], n); units == len(m.units) {
			if !strings.HasSuffix(s, "…") {
				s += "…" // the text goes on after the part read
			}
			return s
		}
	}
	s, _ := m.snippetOf(text, n)
	return s
}

// snippetFirst is how much of a text snippet reads first.
const snippetFirst = 1500

// snippetOf is snippet for the whole of text; it also returns how many different
// query words the passage holds.
func (m *marker) snippetOf(text string, n int) (string, int) {
	buf := scanBufs.Get().(*scanBuf)
	defer scanBufs.Put(buf)
	ws, spans := m.scan(buf, text)
	if len(spans) == 0 {
		return "", 0
	}
	// Index of the word each span is.
	at := make([]int, 0, len(spans))
	j := 0
	for i, w := range ws {
		if j < len(spans) && spans[j].start == int(w.start) {
			at = append(at, i)
			j++
		}
	}
	best, bestUnits, bestHits := 0, -1, 0
	for a := range spans {
		// A window starting a few words before this match.
		startWord := max(0, at[a]-3)
		var seen uint64 // units, as bits (a query has at most maxQueryTerms)
		hits := 0
		for b := a; b < len(spans) && at[b] < startWord+n; b++ {
			seen |= 1 << (spans[b].unit & 63)
			hits++
		}
		if units := bits.OnesCount64(seen); units > bestUnits || units == bestUnits && hits > bestHits {
			best, bestUnits, bestHits = startWord, units, hits
		}
	}
	endWord := min(len(ws), best+n)
	if endWord-best < n {
		best = max(0, endWord-n)
	}
	from, to := int(ws[best].start), int(ws[endWord-1].end)
	whole := endWord == len(ws) && len(text) <= maxScan
	if whole {
		to = len(text) // keep the closing full stop
	}
	out := oneLine(markSpans(text, spans, from, to))
	if best > 0 {
		out = "…" + out
	}
	if !whole {
		out += "…"
	}
	return out, bestUnits
}

// oneLine turns every run of white space into one space: a passage spans
// paragraphs but is shown as one line.
func oneLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\n', '\t', '\r':
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
		}
	}
	return b.String()
}
