package db

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name, in string
		words    []string
		prefix   bool
	}{
		{"empty", "", nil, false},
		{"word being typed is a prefix", "woning", []string{"woning"}, true},
		{"finished word after a space", "woning ", []string{"woning"}, false},
		{"several words", "tijdelijke won", []string{"tijdelijke", "won"}, true},
		{"one letter is a whole word", "w", []string{"w"}, false},
		{"quotes split words", `a"bc`, []string{"a", "bc"}, true},
		{"operators are words", "gemeente AND OR NOT wonen", []string{"gemeente", "and", "or", "not", "wonen"}, true},
		{"NEAR( is a word", "NEAR(a b)", []string{"near", "a", "b"}, false},
		{"column filters are words", "title:wonen", []string{"title", "wonen"}, true},
		{"hyphens split", "state-of-the-art", []string{"state", "of", "the", "art"}, true},
		{"star and caret", "*^wonen* ", []string{"wonen"}, false},
		{"only punctuation", `"*-:()^+`, nil, false},
		{"emoji only", "🏠🙂", nil, false},
		{"emoji between words", "thuis🏠wonen", []string{"thuis", "wonen"}, true},
		{"case and diacritics are folded", "Café RIEKERHÅVEN Oekraïners", []string{"cafe", "riekerhaven", "oekrainers"}, true},
		{"apostrophe s", "'s-Gravenhage", []string{"s", "gravenhage"}, true},
		{"invalid UTF-8 dropped", "wo\xffning", []string{"wo", "ning"}, true},
		{"combining mark alone", "\u0301", nil, false},
		{"digits", "2016", []string{"2016"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := parseQuery(tt.in)
			if strings.Join(q.words, "|") != strings.Join(tt.words, "|") || q.prefix != tt.prefix {
				t.Errorf("parseQuery(%q) = %q prefix %v, want %q prefix %v", tt.in, q.words, q.prefix, tt.words, tt.prefix)
			}
		})
	}
	if q := parseQuery(strings.Repeat("woord ", 2000)); len(q.words) != maxQueryTerms {
		t.Errorf("a 12 KB query gave %d words, want at most %d", len(q.words), maxQueryTerms)
	}
}

func TestMatchQuery(t *testing.T) {
	for in, want := range map[string]string{
		"":        "",
		"🏠":       "",
		"w":       `{title place region summary body tags} : "w"`,
		"woning ": `({title place region summary body tags} : "woning") OR ({head_stems text_stems} : "woning")`,
		"kantoren wo": `(({title place region summary body tags} : "kantoren") OR ({head_stems text_stems} : "kantor")) AND ` +
			`({title place region summary body tags} : "wo"*)`,
		`a"b AND`: `({title place region summary body tags} : "a") AND ({title place region summary body tags} : "b") AND ` +
			`({title place region summary body tags} : "and"*)`,
	} {
		if got := matchQuery(in); got != want {
			t.Errorf("matchQuery(%q) =\n%s\nwant\n%s", in, got, want)
		}
	}
}

// hostileQueries are inputs that broke naive FTS5 queries.
var hostileQueries = []string{
	`"`, `""`, `"""`, `a"b`, `*`, `-`, `:`, `^`, `NEAR(`, `NEAR(a b, 2)`, `AND`, `OR`, `NOT`,
	`a AND`, `OR b`, `(`, `)`, `{title}:x`, `title:x`, `state-of-the-art`, `'; DROP TABLE cases; --`,
	`<script>alert(1)</script>`, "🏠", "\xff\xfe", "\x00", "\x01wonen\x02", "e\u0301", "\u0301",
	strings.Repeat("x", 10*1024), strings.Repeat("ab ", 4000), strings.Repeat(`"`, 5000),
	"statushouders ", "sta", "s",
}

// TestHostileQueriesNeverFail runs every hostile query through the whole search,
// with and without facets and in every sort order: SQLite must accept all of them.
func TestHostileQueriesNeverFail(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	for _, q := range hostileQueries {
		for _, sort := range []string{"", SortRelevance, SortNewest, SortYear} {
			_, err := d.FindCases(ctx, CaseFilter{Query: q, Sort: sort, Themes: []string{"gemengd-wonen"}})
			if err != nil {
				t.Errorf("FindCases(%q, sort %q): %v", q, sort, err)
			}
		}
	}
}

// FuzzSearch checks that no input makes the library search fail (every FTS5
// expression it builds, for words, stems, compounds, corrections and relaxing, is
// accepted by SQLite), and that the editors' expression is accepted and bounded.
func FuzzSearch(f *testing.F) {
	for _, q := range hostileQueries {
		f.Add(q)
	}
	for _, q := range []string{"statushouers", "tijdelijke wonignen", "hoe vinden jonge statushouders een kamer", "kantoor", "woningdelen", "Den Haag"} {
		f.Add(q)
	}
	d := openTest(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		m := matchQuery(q)
		if !utf8.ValidString(m) {
			t.Fatalf("matchQuery(%q) = %q: invalid UTF-8", q, m)
		}
		if m != "" {
			var n int
			if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM case_search WHERE case_search MATCH ?", m).Scan(&n); err != nil {
				t.Fatalf("SQLite rejects matchQuery(%q) = %s: %v", q, m, err)
			}
		}
		for _, literal := range []bool{false, true} {
			if _, err := d.FindCases(ctx, CaseFilter{Query: q, Literal: literal}); err != nil {
				t.Fatalf("FindCases(%q, literal %v): %v", q, literal, err)
			}
		}
	})
}

func TestSearchFindsAndHighlights(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	tests := []struct {
		name, q  string
		wantSlug string
	}{
		{"title word", "Riekerhaven", "startblok-riekerhaven"},
		{"prefix while typing", "Rieker", "startblok-riekerhaven"},
		{"long prefix", "riekerha", "startblok-riekerhaven"},
		{"case and diacritics do not matter", "RIEKERHÅVEN", "startblok-riekerhaven"},
		{"gemeente name", "Middelburg", "middelburg-buitenruststraat"},
		{"partner", "Takecarebnb", "takecarebnb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := d.FindCases(ctx, CaseFilter{Query: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].Slug != tt.wantSlug {
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.Slug)
				}
				t.Fatalf("search %q gave %v, want %s first", tt.q, got, tt.wantSlug)
			}
			h := res.Hits[0]
			if !strings.Contains(h.TitleMarked+h.SummaryMarked+h.Snippet, MarkStart) {
				t.Errorf("search %q: no marked hit in %q / %q / %q", tt.q, h.TitleMarked, h.SummaryMarked, h.Snippet)
			}
		})
	}
}

func TestTitleWeighsMoreThanBody(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	mk := func(slug, title, body string) {
		if _, err := d.CreateCase(ctx, CaseInput{Slug: slug, Title: title, Summary: "Een samenvatting.", Body: body,
			Kind: KindSolution, Status: StatusPublished}, nil); err != nil {
			t.Fatal(err)
		}
	}
	mk("in-body", "Iets anders", "Hier staat het woord zwaluwnest één keer in de tekst.")
	mk("in-title", "Het zwaluwnest", "Een tekst zonder het woord.")
	res, err := d.FindCases(ctx, CaseFilter{Query: "zwaluwnest "})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || res.Hits[0].Slug != "in-title" {
		t.Fatalf("got %d hits, first %v; want in-title first", res.Total, res.Hits)
	}
}

func TestPlainText(t *testing.T) {
	got := PlainText("## Hoe het werkt\n\nEen **vet** woord en een [link](https://example.org).\n\n<script>alert(1)</script>\n\n- punt één\n- punt twee")
	want := "Hoe het werkt.\n\nEen vet woord en een link.\n\npunt één\n\npunt twee"
	if got != want {
		t.Errorf("PlainText =\n%q\nwant\n%q", got, want)
	}
}

// TestQuestionsRelaxToTheRareWords: a question that too few cases answer in full
// gives those first, then the cases with its rarer words; a word that more than
// half the cases have ("gemeente") neither finds cases alone nor ranks them.
func TestQuestionsRelaxToTheRareWords(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	find := func(q string) CaseResults {
		t.Helper()
		res, err := d.FindCases(ctx, CaseFilter{Query: q, PerPage: 500})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	slugs := func(res CaseResults) map[string]bool {
		out := map[string]bool{}
		for _, h := range res.Hits {
			out[h.Slug] = true
		}
		return out
	}
	total := find("").Total
	words := []string{"gemeente", "leeg", "kantoorgebouw"}
	var sets []map[string]bool
	rare := map[string]bool{} // the cases with any of the rare words
	for _, w := range words {
		set := slugs(find(w + " "))
		sets = append(sets, set)
		if len(set)*2 <= total {
			for s := range set {
				rare[s] = true
			}
		}
	}
	if len(sets[0])*2 <= total || len(rare) == 0 {
		t.Fatalf("%d of %d cases have 'gemeente', %d a rarer word: the test needs a common word and a rare one", len(sets[0]), total, len(rare))
	}
	var every []string
	for s := range sets[0] {
		if sets[1][s] && sets[2][s] {
			every = append(every, s)
		}
	}
	if len(every) == 0 || len(every) >= fewAll {
		t.Fatalf("%d cases have every word: the test needs 1 to %d", len(every), fewAll-1)
	}
	res := find("wat kan een gemeente met een leeg kantoorgebouw")
	if !res.Partial || !res.FewAll {
		t.Fatalf("Partial %v, FewAll %v: want both", res.Partial, res.FewAll)
	}
	for i, h := range res.Hits {
		if i < len(every) && !slices.Contains(every, h.Slug) {
			t.Errorf("hit %d is %s: want the cases with every word (%v) first", i, h.Slug, every)
		}
		if !rare[h.Slug] {
			t.Errorf("%s has none of the rarer words: a common word alone found it", h.Slug)
		}
	}
	if res.Total != len(rare) {
		t.Errorf("%d found: want the %d cases with a rarer word", res.Total, len(rare))
	}
	// Enough cases with every word: the search stays strict.
	if res := find("hoe vinden jonge statushouders een kamer"); res.Partial || res.Total < fewAll {
		t.Errorf("hoe vinden jonge statushouders een kamer: Partial %v with %d found, want strict", res.Partial, res.Total)
	}
	// Two words are never relaxed while a case has both.
	if res := find("Bergen hotel"); res.Partial || res.Total != 1 {
		t.Errorf("Bergen hotel: Partial %v with %d found, want the one case with both", res.Partial, res.Total)
	}
}
