package handlers

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam also where the system has no time zone files
	"unicode/utf8"

	"opnieuwthuis/db"
)

// templateFuncs are the few functions views may call; registered once.
func (h *Handler) templateFuncs() template.FuncMap {
	m := template.FuncMap{
		"asset":     h.asset,
		"marked":    marked,
		"number":    formatNumber,
		"date":      formatDate,
		"kindLabel": db.KindLabel,
		// The richer case model.
		"stageLabel":  db.StageLabel,
		"groupLabel":  db.TargetGroupLabel,
		"homesText":   func(c db.Case) string { return quantity(c.Homes, c.HomesQualifier, "woning", "woningen") },
		"peopleText":  func(c db.Case) string { return quantity(c.People, c.PeopleQualifier, "persoon", "personen") },
		"partialDate": formatPartialDate,
		"place":       casePlace,
		"plural":      plural,
		"deref":       func(p *int) int { return *p },
		"hit": func(c db.Case) caseCard {
			return cardOf(db.CaseHit{Case: c, TitleMarked: c.Title, SummaryMarked: c.Summary})
		},
		"card":   cardOf,
		"absURL": h.canonical,
		"paras":  paragraphs,
		// Editors' pages.
		"statusLabel": db.StatusLabel,
		"auditLabel":  db.AuditActionLabel,
		"datetime":    formatDateTime,
		"clock":       func(t time.Time) string { return t.In(amsterdam).Format("15:04:05") },
		"deref2":      func(t *time.Time) time.Time { return *t },
		"minus":       func(a, b int) int { return a - b },
		"has":         slices.Contains[[]string],
		"diffClass":   diffClass,
		// Figures (figures_labels.go).
		"figureKind":    figureKind,
		"periodList":    periodList,
		"withKind":      withKind,
		"signRule":      func() string { return signRule },
		"yardstickRule": func() string { return yardstickRule },
	}
	for k, v := range figureFuncs() {
		m[k] = v
	}
	m["veld"] = veld // forms.go
	m["args"] = args
	return m
}

// args gathers name-value pairs ("Title" "Niet opgeslagen" "Errors" .Errors …)
// into the one value a partial receives, for partials that need several.
func args(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("args: %d values, want name-value pairs", len(pairs))
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		k, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("args: name %v is not a string", pairs[i])
		}
		m[k] = pairs[i+1]
	}
	return m, nil
}

// asset is the cache-busting URL of a file in public/.
func (h *Handler) asset(name string) string {
	if u, ok := h.assets[name]; ok {
		return u
	}
	return "/static/" + name
}

// marked escapes s with html/template's escaper and then turns the search-hit
// sentinels (db.MarkStart, db.MarkEnd) into <mark> elements. Escaping comes
// first, so nothing in s can become markup; unbalanced sentinels are closed or
// dropped. It runs over every title, summary and passage of a result page.
func marked(s string) template.HTML {
	esc := template.HTMLEscapeString(s)
	var b strings.Builder
	b.Grow(len(esc) + 32)
	open := false
	start := 0
	for i := 0; i < len(esc); i++ {
		c := esc[i]
		if c != db.MarkStart[0] && c != db.MarkEnd[0] {
			continue
		}
		b.WriteString(esc[start:i])
		start = i + 1
		if c == db.MarkStart[0] && !open {
			b.WriteString("<mark>")
			open = true
		} else if c == db.MarkEnd[0] && open {
			b.WriteString("</mark>")
			open = false
		}
	}
	b.WriteString(esc[start:])
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// formatNumber writes n the Dutch way: 18.044.027.
func formatNumber(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

var months = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

// amsterdam is the time zone dates are shown in.
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// formatDate writes a date the Dutch way: 5 maart 2025.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.Itoa(t.Day()) + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// quantity writes a number with what it means, never bare: "doel: 800 woningen",
// "gerealiseerd: 192 woningen", "maximaal 9 personen". A number saved before
// qualifiers existed says so. nil gives "".
func quantity(n *int, qualifier, one, many string) string {
	if n == nil {
		return ""
	}
	count := formatNumber(*n) + " " + plural(*n, one, many)
	switch qualifier {
	case db.QualifierTarget:
		return "doel: " + count
	case db.QualifierRealised:
		return "gerealiseerd: " + count
	case db.QualifierMaximum:
		return "maximaal " + count
	}
	return count + " (niet vastgelegd of dit een doel, een resultaat of een maximum is)"
}

// casePlace says where a case is, in a few words for a card: its gemeente (and
// how many others it involves), else its province, else "Landelijk".
func casePlace(c db.Case) string {
	n := len(c.RelatedGemeenten)
	switch {
	case c.GemeenteName != "" && n > 0:
		return c.GemeenteName + " en " + strconv.Itoa(n) + " " + plural(n, "andere gemeente", "andere gemeenten")
	case c.GemeenteName != "":
		return c.GemeenteName
	case c.ProvinceName != "" && n > 0:
		return "Provincie " + c.ProvinceName + ", " + strconv.Itoa(n) + " " + plural(n, "gemeente", "gemeenten")
	case c.ProvinceName != "":
		return "Provincie " + c.ProvinceName
	case n > 0:
		return strconv.Itoa(n) + " " + plural(n, "betrokken gemeente", "betrokken gemeenten")
	}
	return "Landelijk"
}

// facetGroup is what views/voorbeelden/facet.html renders: one facet's options.
type facetGroup struct {
	Name    string // query parameter
	Label   string
	Hint    string // a few words under the legend, when the label needs them
	Options []facetOption
	// Rendered holds each of Options as views/voorbeelden/facet-option.html
	// renders it (facetRendered), which facet.html prints.
	Rendered []template.HTML
	Long     bool   // many options: the list scrolls
	MoreURL  string // set when only the top options are shown: shows them all
	Total    int    // options in all
	Plural   string // what Total counts, e.g. "gemeenten"
}

// facetOption is one choice of a facet, as views/voorbeelden/facet-option.html
// shows it, with everything worked out beforehand: every value the template
// prints goes through an escaper by a reflective call, and the facets hold most
// of a search answer's printed values (50 to 60 options). It is comparable: the
// key of its rendered form in Handler.facetOptions.
type facetOption struct {
	ID, Name, Value, Label string
	Count                  string
	One                    bool // Count is 1: "voorbeeld", else "voorbeelden" (for screen readers)
	Selected, Disabled     bool
}

// caseCard is what views/partials/case-card.html shows of a case, worked out
// beforehand: the template engine finds a field of an embedded struct (db.CaseHit
// embeds db.Case) by a search that allocates, and a card read a dozen of them; a
// library answer holds twelve cards.
type caseCard struct {
	Slug, Kind, KindLabel, Stage, StageLabel, Place, Year string
	HomesText, PeopleText                                 string
	Title, Summary, Snippet                               template.HTML // with the search hits marked
	Themes                                                []string
}

// cardKey is a caseCard as a map key: the same fields (TestCardKeyHasEveryField),
// its themes in one string, each label with its length before it. Two cards have
// the same key only when they are the same. The strings are the card's own, not
// copies: building a key allocates only the themes.
type cardKey struct {
	Slug, Kind, KindLabel, Stage, StageLabel, Place, Year string
	HomesText, PeopleText                                 string
	Title, Summary, Snippet                               template.HTML
	Themes                                                string
}

// key is c's key in Handler.cards.
func (c caseCard) key() cardKey {
	k := cardKey{Slug: c.Slug, Kind: c.Kind, KindLabel: c.KindLabel, Stage: c.Stage, StageLabel: c.StageLabel,
		Place: c.Place, Year: c.Year, HomesText: c.HomesText, PeopleText: c.PeopleText,
		Title: c.Title, Summary: c.Summary, Snippet: c.Snippet}
	if len(c.Themes) > 0 {
		var b []byte
		for _, t := range c.Themes {
			b = append(strconv.AppendInt(b, int64(len(t)), 10), ':')
			b = append(b, t...)
		}
		k.Themes = string(b)
	}
	return k
}

// size is about the bytes k holds.
func (k cardKey) size() int {
	return len(k.Slug) + len(k.Kind) + len(k.KindLabel) + len(k.Stage) + len(k.StageLabel) + len(k.Place) +
		len(k.Year) + len(k.HomesText) + len(k.PeopleText) + len(k.Title) + len(k.Summary) + len(k.Snippet) +
		len(k.Themes) + 13*16
}

func cardOf(h db.CaseHit) caseCard {
	c := caseCard{Slug: h.Slug, Kind: h.Kind, KindLabel: db.KindLabel(h.Kind), Stage: h.Stage, StageLabel: db.StageLabel(h.Stage),
		Place: casePlace(h.Case), Title: marked(h.TitleMarked), Summary: marked(h.SummaryMarked),
		HomesText:  quantity(h.Homes, h.HomesQualifier, "woning", "woningen"),
		PeopleText: quantity(h.People, h.PeopleQualifier, "persoon", "personen")}
	if h.Snippet != "" {
		c.Snippet = marked(h.Snippet)
	}
	if h.Year != nil {
		c.Year = strconv.Itoa(*h.Year)
	}
	for _, t := range h.Themes {
		c.Themes = append(c.Themes, t.Label)
	}
	return c
}

// formatDateTime writes a moment in Dutch time: 5 maart 2025 om 14:03.
func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(amsterdam)
	return formatDate(t) + " om " + t.Format("15:04")
}

// diffClass names the CSS class of a diff line.
func diffClass(op byte) string {
	switch op {
	case '+':
		return "diff__add"
	case '-':
		return "diff__del"
	}
	return "diff__same"
}

// paragraphs splits plain text at blank lines, for texts editors write without markup.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// summarize cuts s to at most n runes at a word boundary, for descriptions.
func summarize(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
