package db

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMatchQuery(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"word being typed is a prefix", "woning", `"woning"*`},
		{"finished word after a space", "woning ", `"woning"`},
		{"several words are ANDed", "tijdelijke won", `"tijdelijke" AND "won"*`},
		{"one letter is a whole word", "w", `"w"`},
		{"quotes cannot break out", `a"bc`, `"a" AND "bc"*`},
		{"operators lose their meaning", "gemeente AND OR NOT wonen", `"gemeente" AND "AND" AND "OR" AND "NOT" AND "wonen"*`},
		{"NEAR( is a word", "NEAR(a b)", `"NEAR" AND "a" AND "b"`},
		{"column filters are words", "title:wonen", `"title" AND "wonen"*`},
		{"hyphens split", "state-of-the-art", `"state" AND "of" AND "the" AND "art"*`},
		{"star and caret", "*^wonen* ", `"wonen"`},
		{"only punctuation", `"*-:()^+`, ""},
		{"emoji only", "🏠🙂", ""},
		{"emoji between words", "thuis🏠wonen", `"thuis" AND "wonen"*`},
		{"diacritics kept for the tokenizer", "café", `"café"*`},
		{"invalid UTF-8 dropped", "wo\xffning", `"wo" AND "ning"*`},
		{"combining mark alone", "\u0301", ""},
		{"digits", "2016", `"2016"*`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchQuery(tt.in); got != tt.want {
				t.Errorf("matchQuery(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
	if got := matchQuery(strings.Repeat("woord ", 2000)); strings.Count(got, `"woord"`) != maxQueryTerms {
		t.Errorf("a 12 KB query gave %d terms, want at most %d", strings.Count(got, `"woord"`), maxQueryTerms)
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

// FuzzMatchQuery checks that no input yields an expression SQLite rejects, and that
// the expression stays bounded.
func FuzzMatchQuery(f *testing.F) {
	for _, q := range hostileQueries {
		f.Add(q)
	}
	d := openTest(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		m := matchQuery(q)
		if !utf8.ValidString(m) {
			t.Fatalf("matchQuery(%q) = %q: invalid UTF-8", q, m)
		}
		if m == "" {
			return
		}
		var n int
		if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH ?", m).Scan(&n); err != nil {
			t.Fatalf("SQLite rejects matchQuery(%q) = %s: %v", q, m, err)
		}
		qq := parseQuery(q)
		if w := qq.completions("woning wonen wonder"); len(w) > 0 {
			if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH ?", qq.matchWith(w)).Scan(&n); err != nil {
				t.Fatalf("SQLite rejects matchWith for %q: %v", q, err)
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
		{"long prefix uses completions", "riekerha", "startblok-riekerhaven"},
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

func TestCompletionsOfALongPrefix(t *testing.T) {
	q := parseQuery("tijdelijke Wonin")
	got := q.completions("Woningen en woningzoekenden", "een WONING, geen wonen; Woningen")
	want := []string{"woningen", "woningzoekenden", "woning"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("completions = %v, want %v", got, want)
	}
	if m := q.matchWith(got); m != `"tijdelijke" AND ("woningen" OR "woningzoekenden" OR "woning")` {
		t.Errorf("matchWith = %s", m)
	}
	if parseQuery("won").completions("woning") != nil || parseQuery("wonin ").completions("woning") != nil {
		t.Error("an indexed prefix or a finished word needs no completions")
	}
}
