package db

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

func TestEachWordFoldsAndKeepsOffsets(t *testing.T) {
	text := "'s-Gravenhage: Oekraïners in één UWV-kantoor, P+R 2016.\xffCafé"
	var got []string
	eachWord(text, func(start, end int, w string) {
		got = append(got, w+"="+text[start:end])
	})
	want := []string{"s=s", "gravenhage=Gravenhage", "oekrainers=Oekraïners", "in=in", "een=één", "uwv=UWV",
		"kantoor=kantoor", "p=P", "r=R", "2016=2016", "cafe=Café"}
	if !slices.Equal(got, want) {
		t.Errorf("words\n%q\nwant\n%q", got, want)
	}
	if w := words("\u0301 e\u0301 ﬁets Straße"); !slices.Equal(w, []string{"e", "ﬁets", "strasse"}) {
		t.Errorf("combining marks and special letters: %q", w)
	}
}

// TestStemJoinsDutchForms: the forms a visitor types meet the forms a case uses.
func TestStemJoinsDutchForms(t *testing.T) {
	same := [][]string{
		{"kantoor", "kantoren"},
		{"gezin", "gezinnen"},
		{"verhuur", "verhuren"},
		{"woning", "woningen"},
		{"gemeente", "gemeenten", "gemeentes"},
		{"locatie", "locaties"},
		{"studio", "studios"},
		{"huis", "huizen", "huisje", "huisjes"},
		{"kamer", "kamers", "kamertje", "kamertjes"},
		{"statushouder", "statushouders"},
		{"corporatie", "corporaties"},
		{"boom", "boompje"},
		{"straat", "straatje"},
		{"begeleiding", "begeleiden"},
		{"tijdelijk", "tijdelijke"},
	}
	for _, forms := range same {
		for _, f := range forms[1:] {
			if stem(f) != stem(forms[0]) {
				t.Errorf("stem(%q) = %q, stem(%q) = %q: want them equal", f, stem(f), forms[0], stem(forms[0]))
			}
		}
	}
	different := [][2]string{{"kant", "kantoor"}, {"status", "statu"}, {"werkloos", "werklo"}, {"huur", "verhuur"}}
	for _, p := range different {
		if stem(p[0]) == stem(p[1]) {
			t.Errorf("stem(%q) = stem(%q) = %q: want them apart", p[0], p[1], stem(p[0]))
		}
	}
	for _, w := range []string{"a", "de", "2016", "p2"} {
		if stem(w) != w {
			t.Errorf("stem(%q) = %q: short words and words with digits are their own stem", w, stem(w))
		}
	}
}

func TestCorrections(t *testing.T) {
	lx := lexiconOf("statushouders", "statushouder", "woningen", "woning", "kamergewijze", "castricum",
		"startblok", "status", "ks000124", "kamer", "kamers")
	lx.docs[lx.index["statushouders"]] = 20 // the more used of two equally near words wins
	tests := []struct {
		typed  string
		prefix bool
		want   string // first correction, "" for none
	}{
		{"statushouers", false, "statushouders"}, // a letter left out
		{"wonignen", false, "woningen"},          // two letters swapped count once
		{"kamergewize", false, "kamergewijze"},
		{"castricm", false, "castricum"},
		{"statushoue", true, "statushouders"}, // still typing: near the beginning of a word
		{"satrtblok", false, "startblok"},
		{"kaer", false, "kamer"}, // four letters: one edit
		{"kmaers", false, "kamers"},
		{"kam", false, ""},                              // three letters: too many words are that near
		{"ks000123", false, ""},                         // words with digits are never proposed
		{"woningenxyz", false, ""},                      // three edits
		{strings.Repeat("statushouders", 4), false, ""}, // too long to be a word
		{"statushouders", false, "statushouder"},
	}
	for _, tt := range tests {
		got := ""
		if c := lx.corrections(tt.typed, tt.prefix); len(c) > 0 {
			got = c[0].word
		}
		if got != tt.want {
			t.Errorf("corrections(%q, prefix %v) = %q, want %q (%v)", tt.typed, tt.prefix, got, tt.want, lx.corrections(tt.typed, tt.prefix))
		}
	}
}

func TestCompoundsAndSplits(t *testing.T) {
	lx := lexiconOf("kantoor", "kantoren", "belastingkantoor", "kantoorpand", "pand", "kantoorgebouwen", "gebouw",
		"kant", "kantoorvreemd", "huur", "verhuur", "onderhuur", "huurwoning", "woning", "woningen", "delen",
		"woningdelen", "eengezinswoning", "gezin", "gezinshereniging", "hereniging", "kamer", "kamerverhuur")
	tests := []struct {
		word      string
		want, not []string
	}{
		{"kantoor", []string{"belastingkantoor", "kantoorpand", "kantoorgebouwen"}, []string{"kantoren", "kantoorvreemd"}},
		{"kantoren", []string{"belastingkantoor", "kantoorpand"}, nil},
		{"kant", nil, []string{"kantoor", "kantoren"}},
		{"huur", []string{"huurwoning"}, []string{"verhuur", "onderhuur"}},
		{"woning", []string{"eengezinswoning", "huurwoning", "woningdelen"}, []string{"woningen"}},
		{"gezin", []string{"gezinshereniging"}, nil},
		{"gemeente", []string{"gemeentehuis"}, []string{"gemeentelijk"}},
		{"dak", nil, []string{"dakloos"}},
		{"bergen", nil, []string{"odilienberg", "bergenweg"}}, // a place name
	}
	lx = lexiconOf(append(lx.words, "gemeente", "gemeentehuis", "huis", "gemeentelijk", "lijk", "dak", "dakloos",
		"loos", "berg", "bergen", "odilienberg", "bergenweg", "weg")...)
	lx.names = map[string]bool{"bergen": true}
	for _, tt := range tests {
		got := lx.compounds(tt.word, 24)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("compounds(%q) = %v, want %s among them", tt.word, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("compounds(%q) = %v, want no %s", tt.word, got, w)
			}
		}
	}
	for w, want := range map[string]string{"woningdelen": "woning delen", "kamerverhuur": "kamer verhuur",
		"gezinshereniging": "gezin hereniging", "kantoor": "", "gemeentelijk": "", "dakloos": ""} {
		if got := strings.Join(lx.split(w), " "); got != want {
			t.Errorf("split(%q) = %q, want %q", w, got, want)
		}
	}
	if pairs := splitPairs(lx, "woningdelen"); !slices.Contains(pairs, [2]string{stem("eengezinswoning"), stem("delen")}) {
		t.Errorf("splitPairs(woningdelen) = %v: want the first part's compounds paired with the second", pairs)
	}
}

// TestSynonymsFile checks synonyms.txt: every group has two or more terms, a term
// is not another form of a term in its group, and the groups the issue asks for
// work in both directions (one-way groups in one).
func TestSynonymsFile(t *testing.T) {
	b, err := seedFS.ReadFile("seed/synonyms.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseSynonyms(string(b)); err != nil {
		t.Fatal(err)
	}
	wl := lists()
	finds := func(from, to string) bool {
		var fs, ts []string
		for _, w := range words(from) {
			fs = append(fs, stem(w))
		}
		for _, w := range words(to) {
			ts = append(ts, stem(w))
		}
		return containsTerm(wl.synonyms[strings.Join(fs, " ")], ts)
	}
	for _, pair := range [][2]string{
		{"vergunninghouder", "statushouder"}, {"azc", "opvang"}, {"azc", "coa-locatie"},
		{"flexwoning", "tijdelijke woning"}, {"flexwoning", "verplaatsbare woning"},
		{"woningdelen", "kamergewijze verhuur"}, {"corporatie", "woningcorporatie"},
		{"corporatie", "woningbouwvereniging"}, {"nareiziger", "gezinshereniging"},
		{"doorstroomlocatie", "tussenvoorziening"}, {"urgentie", "voorrang"},
	} {
		if !finds(pair[0], pair[1]) || !finds(pair[1], pair[0]) {
			t.Errorf("%q and %q do not find each other", pair[0], pair[1])
		}
	}
	if !finds("vluchtelingen", "statushouders") || finds("statushouder", "vluchteling") {
		t.Error("vluchteling => statushouder should work one way only")
	}
	for _, bad := range []string{"a, a", "eenzaam", "a => ", "kantoor, kantoren"} {
		if _, err := parseSynonyms(bad); err == nil {
			t.Errorf("parseSynonyms(%q) accepted", bad)
		}
	}
}

// TestPlaceNamesFile: every official name in place-names.txt is a gemeente of
// gemeenten-2025.csv or a province, and the everyday names reach the index.
func TestPlaceNamesFile(t *testing.T) {
	b, err := seedFS.ReadFile("seed/gemeenten-2025.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range rows[1:] {
		known[r[1]], known[r[3]] = true, true
	}
	wl := lists()
	for official := range wl.placeNames {
		if !known[official] {
			t.Errorf("place-names.txt names %q, which is no gemeente or province", official)
		}
	}
	for official, want := range map[string]string{"'s-Gravenhage": "Den Haag", "'s-Hertogenbosch": "Den Bosch",
		"Bergen (NH.)": "Bergen", "Fryslân": "Friesland"} {
		if !slices.Contains(wl.placeNamesOf(official), want) {
			t.Errorf("placeNamesOf(%q) = %v, want %q among them", official, wl.placeNamesOf(official), want)
		}
	}
}

func TestStopWords(t *testing.T) {
	wl := lists()
	for _, w := range []string{"de", "het", "een", "hoe", "wat", "vinden"} {
		if !wl.stop[w] {
			t.Errorf("%q is not a stop word", w)
		}
	}
	for _, w := range []string{"haag", "woning", "statushouders", "kamer"} {
		if wl.stop[w] {
			t.Errorf("%q is a stop word: it says what a case is about", w)
		}
	}
}

func TestMarkerMarksEveryKindOfMatch(t *testing.T) {
	lx := lexiconOf("kantoor", "belastingkantoor", "woning", "delen", "eengezinswoning")
	show := func(s string) string { return strings.NewReplacer(MarkStart, "[", MarkEnd, "]").Replace(s) }
	tests := []struct{ query, text, want string }{
		{"kantoren ", "Het UWV-kantoor en het Belastingkantoor.", "Het UWV-[kantoor] en het [Belastingkantoor]."},
		{"tijdelijke woningen ", "Vijftig flexwoningen en een tijdelijke woning.", "Vijftig [flexwoningen] en een [tijdelijke woning]."},
		{"flexwoning ", "Vijf verplaatsbare woningen, geen woningen.", "Vijf [verplaatsbare woningen], geen woningen."},
		{"woningdelen ", "Zij delen een eengezinswoning samen.", "Zij [delen] een [eengezinswoning] samen."},
		{"statushou", "Statushouders en de status.", "[Statushouders] en de status."},
		{"vergunninghouder ", "Twee statushouders.", "Twee [statushouders]."},
		{"zwaluw ", "Niets te zien.", "Niets te zien."},
		{"Noord-Holland ", "Provincie Noord-Holland en Noord.", "Provincie [Noord-Holland] en [Noord]."},
		{"Den Haag ", "Den Haag, den Bosch en Haag.", "[Den Haag], den Bosch en [Haag]."},
	}
	for _, tt := range tests {
		got := show(newMarker(parseQuery(tt.query).units(lx)).mark(tt.text))
		if got != tt.want {
			t.Errorf("mark(%q, %q) = %q, want %q", tt.query, tt.text, got, tt.want)
		}
	}
}

func TestSnippetCutsAroundTheMatches(t *testing.T) {
	body := strings.Repeat("Een zin zonder het woord. ", 10) + "Hier staan de containerwoningen voor statushouders. " +
		strings.Repeat("Nog een zin. ", 10)
	m := newMarker(parseQuery("containerwoningen statushouders ").units(nil))
	got := m.snippet(body, 8)
	want := "…Hier staan de \x01containerwoningen\x02 voor \x01statushouders\x02. Nog een…"
	if got != want {
		t.Errorf("snippet =\n%q\nwant\n%q", got, want)
	}
	if m.snippet("Niets over het onderwerp.", 8) != "" {
		t.Error("a text without a match gives a snippet")
	}
	short := "Alleen statushouders."
	if got := m.snippet(short, 24); got != "Alleen \x01statushouders\x02." {
		t.Errorf("a short text is shown whole: %q", got)
	}
}

// TestSnippetOfALongText: a passage found in the beginning of a long text is the
// same as when the whole text is read, and a word only found further on is found.
func TestSnippetOfALongText(t *testing.T) {
	filler := strings.Repeat("Een zin zonder het woord. ", 100) // 2,600 bytes
	m := newMarker(parseQuery("statushouders ").units(nil))
	early := m.snippet("De statushouders wonen hier. "+filler, 6)
	if early != "De \x01statushouders\x02 wonen hier. Een zin…" {
		t.Errorf("early match: %q", early)
	}
	late := m.snippet(filler+"Dan de statushouders.", 6)
	if late != "…zonder het woord. Dan de \x01statushouders\x02." {
		t.Errorf("late match: %q", late)
	}
}
