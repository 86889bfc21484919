package db

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// The word lists search reads from seed/ (embedded): synonyms, stop words and the
// everyday names of places. Each file explains its own format in its header.

// wordLists is what the three files say, parsed once.
type wordLists struct {
	stop map[string]bool
	// synonyms maps the stems of a term (joined by spaces: "tijdelijk woning") to
	// the stems of every term it also finds.
	synonyms map[string][][]string
	// longestSynonym is the most words a synonym term has.
	longestSynonym int
	// placeNames maps an official name to its other names.
	placeNames map[string][]string
}

var loadWordLists = sync.OnceValues(func() (*wordLists, error) {
	wl := &wordLists{stop: map[string]bool{}, synonyms: map[string][][]string{}, placeNames: map[string][]string{}}
	stop, err := seedFS.ReadFile("seed/stopwords.txt")
	if err != nil {
		return nil, err
	}
	for _, line := range contentLines(string(stop)) {
		for _, w := range words(line) {
			wl.stop[w] = true
		}
	}
	syn, err := seedFS.ReadFile("seed/synonyms.txt")
	if err != nil {
		return nil, err
	}
	groups, err := parseSynonyms(string(syn))
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		for _, from := range g.from {
			key := strings.Join(from, " ")
			wl.longestSynonym = max(wl.longestSynonym, len(from))
			for _, to := range g.to {
				if strings.Join(to, " ") != key && !containsTerm(wl.synonyms[key], to) {
					wl.synonyms[key] = append(wl.synonyms[key], to)
				}
			}
		}
	}
	places, err := seedFS.ReadFile("seed/place-names.txt")
	if err != nil {
		return nil, err
	}
	for i, line := range contentLines(string(places)) {
		official, others, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(official) == "" {
			return nil, fmt.Errorf("seed/place-names.txt: line %d of content has no \"name: other names\"", i+1)
		}
		for _, o := range strings.Split(others, ",") {
			if o = strings.TrimSpace(o); o != "" {
				wl.placeNames[strings.TrimSpace(official)] = append(wl.placeNames[strings.TrimSpace(official)], o)
			}
		}
	}
	return wl, nil
})

// synonymGroup is one line of synonyms.txt: every term of from also finds every
// term of to (in a two-way group, from and to are the same terms). A term is the
// stems of its words.
type synonymGroup struct {
	from, to [][]string
}

func parseSynonyms(text string) ([]synonymGroup, error) {
	var out []synonymGroup
	for i, line := range contentLines(text) {
		left, right, oneWay := strings.Cut(line, "=>")
		from, err := synonymTerms(left)
		if err != nil {
			return nil, fmt.Errorf("seed/synonyms.txt: %q: %w", line, err)
		}
		to := from
		if oneWay {
			if to, err = synonymTerms(right); err != nil {
				return nil, fmt.Errorf("seed/synonyms.txt: %q: %w", line, err)
			}
		}
		if !oneWay && len(from) < 2 || oneWay && (len(from) == 0 || len(to) == 0) {
			return nil, fmt.Errorf("seed/synonyms.txt: group %d (%q) needs two or more terms", i+1, line)
		}
		out = append(out, synonymGroup{from: from, to: to})
	}
	return out, nil
}

func synonymTerms(list string) ([][]string, error) {
	var out [][]string
	seen := map[string]bool{}
	for _, t := range strings.Split(list, ",") {
		ws := words(t)
		if len(ws) == 0 {
			if strings.TrimSpace(t) != "" {
				return nil, fmt.Errorf("term %q holds no word", t)
			}
			continue
		}
		for i, w := range ws {
			ws[i] = stem(w)
		}
		key := strings.Join(ws, " ")
		if seen[key] {
			return nil, fmt.Errorf("term %q is a form of another term of its group (same stems): leave it out", strings.TrimSpace(t))
		}
		seen[key] = true
		out = append(out, ws)
	}
	return out, nil
}

func containsTerm(list [][]string, t []string) bool {
	for _, l := range list {
		if strings.Join(l, " ") == strings.Join(t, " ") {
			return true
		}
	}
	return false
}

// contentLines returns the lines of a word-list file that are not empty or comments.
func contentLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// cbsSuffix is the province letter CBS adds to a name that occurs twice: "Bergen
// (NH.)", "Hengelo (O.)".
var cbsSuffix = regexp.MustCompile(`\s*\([A-Za-z.]+\)$`)

// placeNames returns every name a place is known by: its official name, that name
// without a CBS suffix, and the everyday names of place-names.txt.
func (wl *wordLists) placeNamesOf(official string) []string {
	out := []string{official}
	if short := cbsSuffix.ReplaceAllString(official, ""); short != official {
		out = append(out, short)
	}
	return append(out, wl.placeNames[official]...)
}
