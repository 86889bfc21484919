package db

import "strings"

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
	first [256]bool // the first bytes of every form that can match: a fast "no"
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
		m.first[u.word[0]] = true
		if u.hasStem() {
			mu.stem = u.stem
			m.first[u.stem[0]] = true
		}
		for _, c := range u.compounds {
			mu.compounds[c] = true
			m.first[c[0]] = true
		}
		for _, s := range u.synonyms {
			if len(s) == 1 {
				mu.synonyms[s[0]] = true
			} else {
				mu.phrases, mu.near = append(mu.phrases, s), append(mu.near, false)
			}
			for _, w := range s {
				m.first[w[0]] = true
			}
		}
		for _, p := range u.parts {
			mu.phrases, mu.near = append(mu.phrases, p[:]), append(mu.near, true)
			m.first[p[0][0]], m.first[p[1][0]] = true, true
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
	start, end int
	word       string
}

// scan returns the words of text and, in order, the matched ones among them.
func (m *marker) scan(text string) ([]textWord, []span) {
	var ws []textWord
	eachWord(text, func(start, end int, w string) { ws = append(ws, textWord{start, end, w}) })
	hit := make([]int, len(ws)) // unit+1 of a matched word, 0 for none
	stems := make([]string, len(ws))
	stemOf := func(i int) string {
		if stems[i] == "" {
			stems[i] = stem(ws[i].word)
		}
		return stems[i]
	}
	for i, tw := range ws {
		w := tw.word
		if !m.first[w[0]] {
			continue
		}
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
			for i := range ws {
				if !m.first[ws[i].word[0]] {
					continue
				}
				if u.near[pi] {
					// The two parts of a split word, within two words of each other.
					for j := i + 1; j < len(ws) && j <= i+3; j++ {
						a, b := stemOf(i), stemOf(j)
						if a == p[0] && b == p[1] || a == p[1] && b == p[0] {
							markFree(hit, i, ui)
							markFree(hit, j, ui)
						}
					}
					continue
				}
				if i+len(p) > len(ws) {
					break
				}
				ok := true
				for k, s := range p {
					if stemOf(i+k) != s {
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
	var spans []span
	for i, h := range hit {
		if h > 0 {
			spans = append(spans, span{ws[i].start, ws[i].end, h - 1})
		}
	}
	return ws, spans
}

func markFree(hit []int, i, unit int) {
	if hit[i] == 0 {
		hit[i] = unit + 1
	}
}

// mark returns text with MarkStart and MarkEnd around every matched word.
func (m *marker) mark(text string) string {
	_, spans := m.scan(text)
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
	ws, spans := m.scan(text)
	if len(spans) == 0 {
		return ""
	}
	// Index of the word each span is.
	at := make([]int, 0, len(spans))
	j := 0
	for i, w := range ws {
		if j < len(spans) && spans[j].start == w.start {
			at = append(at, i)
			j++
		}
	}
	best, bestUnits, bestHits := 0, -1, 0
	for a := range spans {
		// A window starting a few words before this match.
		startWord := max(0, at[a]-3)
		seen := map[int]bool{}
		hits := 0
		for b := a; b < len(spans) && at[b] < startWord+n; b++ {
			seen[spans[b].unit] = true
			hits++
		}
		if len(seen) > bestUnits || len(seen) == bestUnits && hits > bestHits {
			best, bestUnits, bestHits = startWord, len(seen), hits
		}
	}
	endWord := min(len(ws), best+n)
	if endWord-best < n {
		best = max(0, endWord-n)
	}
	from, to := ws[best].start, ws[endWord-1].end
	if endWord == len(ws) {
		to = len(text) // keep the closing full stop
	}
	out := markSpans(text, spans, from, to)
	out = strings.Join(strings.Fields(out), " ") // paragraphs become one line
	if best > 0 {
		out = "…" + out
	}
	if endWord < len(ws) {
		out += "…"
	}
	return out
}
