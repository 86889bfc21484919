package handlers

import (
	"html/template"
	"net/url"
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
		"card":       cardOf,
		"caseCards":  caseCards,
		"absURL":     h.canonical,
		"paras":      paragraphs,
		"facetItems": facetItems,
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
	return m
}

// asset is the cache-busting URL of a file in public/.
func (h *Handler) asset(name string) string {
	if u, ok := h.assets[name]; ok {
		return u
	}
	return "/static/" + name
}

// marked escapes s and then turns the search-hit sentinels (db.MarkStart,
// db.MarkEnd) into <mark> elements. Escaping comes first, so nothing in s can
// become markup; unbalanced sentinels are closed or dropped. One pass: it runs
// over every title, summary and passage of a result page.
func marked(s string) template.HTML {
	var b strings.Builder
	b.Grow(len(s) + 32)
	open := false
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !htmlSpecial[c] && c != db.MarkStart[0] && c != db.MarkEnd[0] {
			continue
		}
		b.WriteString(s[start:i])
		start = i + 1
		switch c {
		case db.MarkStart[0]:
			if !open {
				b.WriteString("<mark>")
				open = true
			}
		case db.MarkEnd[0]:
			if open {
				b.WriteString("</mark>")
				open = false
			}
		default:
			b.WriteString(htmlEscapes[c])
		}
	}
	b.WriteString(s[start:])
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// htmlSpecial and htmlEscapes are the bytes template.HTMLEscapeString replaces,
// and what it replaces them with.
var (
	htmlSpecial = [256]bool{'"': true, '\'': true, '&': true, '<': true, '>': true, 0: true}
	htmlEscapes = [256]string{'"': "&#34;", '\'': "&#39;", '&': "&amp;", '<': "&lt;", '>': "&gt;", 0: "\uFFFD"}
)

// escapeInto writes s to b escaped exactly as template.HTMLEscapeString does,
// without making the escaped string first.
func escapeInto(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; htmlSpecial[c] {
			b.WriteString(s[start:i])
			b.WriteString(htmlEscapes[c])
			start = i + 1
		}
	}
	b.WriteString(s[start:])
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
	Long    bool   // many options: the list scrolls
	MoreURL string // set when only the top options are shown: shows them all
	Total   int    // options in all
	Plural  string // what Total counts, e.g. "gemeenten"
}

// facetOption is one choice of a facet with everything the view shows of it
// worked out beforehand: every template action is a reflective call, and the
// facets hold most of a search answer's actions (about 50 options).
type facetOption struct {
	ID, Name, Value, Label string
	Count                  string
	Noun                   string // "voorbeeld" or "voorbeelden", for screen readers
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

// caseCards writes a list item with the card of every hit: the markup of
// views/partials/case-card.html, written in Go for the library, whose answers hold
// twelve cards: as template actions (a dozen per card, each a reflective call)
// they took 170 µs of an answer, here 15 µs. TestCaseCardsAreTheTemplatesCards
// keeps both the same; other pages use the template.
func caseCards(hits []db.CaseHit) template.HTML {
	var b strings.Builder
	b.Grow(len(hits) * 1200)
	for _, h := range hits {
		b.WriteString("\n            <li>")
		writeCard(&b, cardOf(h))
		b.WriteString("</li>")
	}
	return template.HTML(b.String())
}

// writeCard writes one card as views/partials/case-card.html does, escaping
// every value as html/template would (Title, Summary and Snippet are escaped
// already: see marked).
func writeCard(b *strings.Builder, c caseCard) {
	b.WriteString("<article class=\"case-card\">\n  <h3 class=\"case-card__title\"><a href=\"/voorbeelden/")
	escapeInto(b, url.PathEscape(c.Slug))
	b.WriteString(`">`)
	b.WriteString(string(c.Title))
	b.WriteString("</a></h3>\n  <p class=\"case-card__meta\">\n    <span class=\"tag tag--")
	escapeInto(b, c.Kind)
	b.WriteString(`">`)
	escapeInto(b, c.KindLabel)
	b.WriteString("</span>\n    <span class=\"tag tag--stage tag--")
	escapeInto(b, c.Stage)
	b.WriteString(`"><span class="visually-hidden">Status: </span>`)
	escapeInto(b, c.StageLabel)
	b.WriteString("</span>\n    <span>")
	escapeInto(b, c.Place)
	b.WriteString("</span>")
	if c.Year != "" {
		b.WriteString(" <span>")
		escapeInto(b, c.Year)
		b.WriteString("</span>")
	}
	b.WriteString("\n  </p>")
	if c.HomesText != "" || c.PeopleText != "" {
		b.WriteString("\n  <p class=\"case-card__numbers\">")
		if c.HomesText != "" {
			b.WriteString("<span>")
			escapeInto(b, c.HomesText)
			b.WriteString("</span>")
		}
		if c.HomesText != "" && c.PeopleText != "" {
			b.WriteString(" · ")
		}
		if c.PeopleText != "" {
			b.WriteString("<span>")
			escapeInto(b, c.PeopleText)
			b.WriteString("</span>")
		}
		b.WriteString("</p>")
	}
	b.WriteString("\n  <p class=\"case-card__summary\">")
	b.WriteString(string(c.Summary))
	b.WriteString("</p>")
	if c.Snippet != "" {
		b.WriteString("\n  <p class=\"case-card__snippet\"><span class=\"visually-hidden\">Uit de tekst: </span>")
		b.WriteString(string(c.Snippet))
		b.WriteString("</p>")
	}
	if len(c.Themes) > 0 {
		b.WriteString("\n  <ul class=\"case-card__themes\" aria-label=\"Thema’s\">")
		for _, t := range c.Themes {
			b.WriteString("<li>")
			escapeInto(b, t)
			b.WriteString("</li>")
		}
		b.WriteString("\n  </ul>")
	}
	b.WriteString("\n</article>")
}

// facetItems writes the <li> of every option of a facet: a checkbox and its
// label with the count, the markup of views/voorbeelden/facet-option.html written
// in Go. A search answer holds about 50 options; as template actions (seven per
// option, each a reflective call to an escaper) they took a third of the time of
// an answer (BENCHMARKS.md). Every value is escaped here as html/template would;
// TestFacetItemsAreTheTemplatesItems keeps both the same.
func facetItems(opts []facetOption) template.HTML {
	var b strings.Builder
	b.Grow(len(opts) * 220)
	for _, o := range opts {
		b.WriteString("\n    <li><input type=\"checkbox\" id=\"")
		escapeInto(&b, o.ID)
		b.WriteString(`" name="`)
		escapeInto(&b, o.Name)
		b.WriteString(`" value="`)
		escapeInto(&b, o.Value)
		b.WriteByte('"')
		if o.Selected {
			b.WriteString(" checked")
		}
		if o.Disabled {
			b.WriteString(" disabled")
		}
		b.WriteString(`> <label for="`)
		escapeInto(&b, o.ID)
		b.WriteString(`">`)
		escapeInto(&b, o.Label)
		b.WriteString(` <span class="facet__count">(`)
		escapeInto(&b, o.Count)
		b.WriteString(`<span class="visually-hidden"> `)
		escapeInto(&b, o.Noun)
		b.WriteString(`</span>)</span></label></li>`)
	}
	return template.HTML(b.String())
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
