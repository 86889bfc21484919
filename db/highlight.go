package db

import (
	"math/bits"
	"slices"
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

type markUnit struct {
	// stop: a stop word of a query with other words, marked only right before or
	// after the query's next or previous word
	stop      bool
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
	content := slices.ContainsFunc(units, func(u unit) bool { return !u.stop })
	for _, u := range units {
		mu := markUnit{word: u.word, prefix: u.prefix, compounds: map[string]bool{}, synonyms: map[string]bool{}}
		if u.stop && content {
			mu.stop = true
			m.first.add(firstTwo(u.word))
			m.units = append(m.units, mu)
			continue
		}
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

// analyzedText is a text cut into its words and folded, once: the case cache
// keeps them (shownCase), and every search marks from them. Stems are worked out
// by scan, for the few words whose first letters some form of the query has.
type analyzedText struct {
	text  string
	words []textWord
}

// maxScan is how much of a text is searched for matches: a passage is cut from
// the first part of a long body.
const maxScan = 6000

// analyze cuts text (its first maxScan bytes) into words.
func analyze(text string) *analyzedText {
	a := &analyzedText{text: text}
	if len(text) > maxScan {
		cut := maxScan
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	a.words = make([]textWord, 0, len(text)/6)
	for it := (wordIter{text: text}); ; {
		start, end, ascii, ok := it.next()
		if !ok {
			return a
		}
		var w string
		if ascii {
			w = lowerASCII(text[start:end])
		} else if w = Fold(text[start:end]); w == "" {
			continue
		}
		a.words = append(a.words, textWord{int32(start), int32(end), w})
	}
}

// scanBuf holds what scan works with; reused (scanBufs): twelve passages per
// answer would otherwise allocate for every one.
type scanBuf struct {
	hit   []int
	cands []int
	stems []string // per word: its stem when a candidate, else ""
	spans []span
}

var scanBufs = sync.Pool{New: func() any { return new(scanBuf) }}

// scan returns the matched words of a text, in order. The slice belongs to buf.
func (m *marker) scan(buf *scanBuf, a *analyzedText) []span {
	ws := a.words
	hit := resize(buf.hit, len(ws)) // unit+1 of a matched word, 0 for none
	buf.hit = hit
	// Only the words whose first letters some form has can match.
	cands := buf.cands[:0]
	for i := range ws {
		if m.first.has(firstTwo(ws[i].word)) {
			cands = append(cands, i)
		}
	}
	buf.cands = cands
	// A stem keeps the first two letters of its word, so only candidates can
	// match a stem: the others keep "", which no stem is.
	stems := resize(buf.stems, len(ws))
	buf.stems = stems
	for _, i := range cands {
		stems[i] = stem(ws[i].word)
	}
	for _, i := range cands {
		w, st := ws[i].word, stems[i]
		for ui, u := range m.units {
			if u.stop {
				continue
			}
			switch {
			case w == u.word, u.prefix && strings.HasPrefix(w, u.word), u.compounds[w]:
			case u.stem != "" && st == u.stem, u.synonyms[st]:
			default:
				continue
			}
			hit[i] = ui + 1
			break
		}
	}
	m.markPhrases(stems, cands, hit)
	// Stop words right beside their neighbour of the query.
	for ui, u := range m.units {
		if !u.stop {
			continue
		}
		for _, i := range cands {
			if hit[i] != 0 || ws[i].word != u.word {
				continue
			}
			if i+1 < len(ws) && hit[i+1] == ui+2 || i > 0 && hit[i-1] == ui {
				hit[i] = ui + 1
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
	return spans
}

// markPhrases marks the words of the units' phrases (in stems), and the two parts
// of a split word within two words of each other.
func (m *marker) markPhrases(stems []string, cands []int, hit []int) {
	for ui, u := range m.units {
		for pi, p := range u.phrases {
			for _, i := range cands {
				st := stems[i]
				if st != p[0] && !(u.near[pi] && st == p[1]) {
					continue
				}
				if u.near[pi] {
					// The two parts of a split word, within two words of each other.
					for j := i + 1; j < len(stems) && j <= i+3; j++ {
						a, b := st, stems[j]
						if b != "" && (a == p[0] && b == p[1] || a == p[1] && b == p[0]) {
							markFree(hit, i, ui)
							markFree(hit, j, ui)
						}
					}
					continue
				}
				if i+len(p) > len(stems) {
					continue
				}
				ok := true
				for k, s := range p[1:] {
					if stems[i+1+k] != s {
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
func (m *marker) mark(text string) string { return m.markText(analyze(text)) }

// markText is mark for an analyzed text.
func (m *marker) markText(a *analyzedText) string {
	buf := scanBufs.Get().(*scanBuf)
	defer scanBufs.Put(buf)
	spans := m.scan(buf, a)
	if len(spans) == 0 {
		return a.text
	}
	return markSpans(a.text, spans, 0, len(a.text))
}

// markSpans writes text[from:to] with the spans inside it marked; neighbouring
// marked words separated only by spaces or a hyphen share one mark ("Den Haag",
// "Noord-Holland").
func markSpans(text string, spans []span, from, to int) string {
	var b strings.Builder
	b.Grow(to - from + 8*len(spans))
	at := from
	open := false
	for _, s := range spans {
		if s.start < from || s.end > to {
			continue
		}
		if gap := text[at:s.start]; open && (strings.TrimLeft(gap, " ") == "" || gap == "-") {
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
func (m *marker) snippet(text string, n int) string { return m.snippetText(analyze(text), n) }

// snippetText is snippet for an analyzed text.
func (m *marker) snippetText(a *analyzedText, n int) string {
	buf := scanBufs.Get().(*scanBuf)
	defer scanBufs.Put(buf)
	spans := m.scan(buf, a)
	if len(spans) == 0 {
		return ""
	}
	ws, hit := a.words, buf.hit
	// Index of the word each span is.
	at := make([]int, 0, len(spans))
	for i, h := range hit {
		if h > 0 {
			at = append(at, i)
		}
	}
	best, bestUnits, bestHits := 0, -1, 0
	for x := range spans {
		// A window starting a few words before this match.
		startWord := max(0, at[x]-3)
		var seen uint64 // units, as bits (a query has at most maxQueryTerms)
		hits := 0
		for y := x; y < len(spans) && at[y] < startWord+n; y++ {
			seen |= 1 << (spans[y].unit & 63)
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
	text := a.text
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
	return out
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
