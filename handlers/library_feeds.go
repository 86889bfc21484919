package handlers

import (
	"encoding/xml"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// feedSize is how many of the newest cases a feed holds.
const feedSize = 50

// Atom 1.0 (RFC 4287). Child elements inherit the namespace of <feed>.
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID       string      `xml:"id"`
	Title    atomText    `xml:"title"`
	Subtitle atomText    `xml:"subtitle"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Rights   string      `xml:"rights"`
	Entries  []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr"`
	Label  string `xml:"label,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"` // an editor's publication; none for the starting content
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
}

// casesFeed is the Atom feed of the newest published cases. It takes the library's
// query string, so /voorbeelden.atom?thema=gezinnen follows one theme,
// ?provincie=PV27 one province, and any search or filter of the library can be
// followed. A filter value that names nothing is a 404 rather than an unfiltered feed.
func (h *Handler) casesFeed(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := parseCaseFilter(c)
	f.Sort, f.Page, f.PerPage = db.SortNewest, 1, feedSize
	res, err := h.db.FindCases(ctx, f)
	if err != nil {
		return err
	}
	known := knownFilter(f, res)
	if unknownValues(f, known) {
		return clientError(fiber.StatusNotFound, "Feed niet gevonden",
			"Een thema, provincie of gemeente in dit feedadres bestaat niet. Kies een feed op de pagina Open data.")
	}
	known.Sort = ""

	title := "Opnieuw Thuis: nieuwe goede voorbeelden"
	var parts []string
	for _, a := range activeFilters(known, res.Facets) {
		parts = append(parts, strings.ToLower(a.Facet)+" "+a.Label)
	}
	if f.Query != "" {
		parts = append(parts, "zoekvraag ‘"+db.Truncate(f.Query, 60)+"’")
	}
	if len(parts) > 0 {
		title += " (" + strings.Join(parts, ", ") + ")"
	}

	self := h.canonical(downloadURL(known, "atom"))
	feed := atomFeed{
		Lang:     "nl",
		ID:       self,
		Title:    atomText{Type: "text", Text: title},
		Subtitle: atomText{Type: "text", Text: "Nieuw gepubliceerde goede voorbeelden van het huisvesten van vergunninghouders, nieuwste eerst."},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: h.canonical(libraryURL(known))},
		},
		Author: atomPerson{Name: "Redactie Opnieuw Thuis", URI: h.canonical("/over")},
		Rights: "Teksten: " + ccBy + ", Opnieuw Thuis (" + ccByURL + ")",
	}
	var updated time.Time
	authority := tagAuthority(h.baseURL)
	for _, hit := range res.Hits {
		feed.Entries = append(feed.Entries, h.feedEntry(hit.Case, authority))
		if hit.UpdatedAt.After(updated) {
			updated = hit.UpdatedAt
		}
	}
	if updated.IsZero() {
		// An empty feed still needs a time: when the public cases last changed.
		if updated, err = h.db.CasesChangedAt(ctx); err != nil {
			return err
		}
	}
	feed.Updated = atomTime(updated)

	return sendXML(c, feed, "  ", "application/atom+xml; charset=utf-8", "public, max-age=300")
}

func (h *Handler) feedEntry(cs db.Case, authority string) atomEntry {
	// The tag URI's date is when the case entered the database (for the starting
	// content: the install): with the case's id it stays the same when its title
	// or slug changes.
	minted := cs.CreatedAt
	if cs.PublishedAt != nil {
		minted = *cs.PublishedAt
	}
	e := atomEntry{
		ID:      "tag:" + authority + "," + minted.UTC().Format(time.DateOnly) + ":voorbeeld-" + strconv.FormatInt(cs.ID, 10),
		Title:   atomText{Type: "text", Text: cs.Title},
		Updated: atomTime(cs.UpdatedAt),
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: h.canonical("/voorbeelden/" + cs.Slug)}},
		Author:  atomPerson{Name: "Redactie Opnieuw Thuis"},
		Summary: atomText{Type: "text", Text: cs.Summary},
		Content: atomText{Type: "html", Text: feedContent(cs)},
	}
	if p := cs.PublishedByEditor(); p != nil {
		e.Published = atomTime(*p)
	}
	if cs.SourceURL != "" {
		e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: cs.SourceURL})
	}
	for _, t := range cs.Themes {
		e.Categories = append(e.Categories, atomCategory{Term: t.Slug, Scheme: h.canonical("/themas"), Label: t.Label})
	}
	e.Categories = append(e.Categories, atomCategory{Term: cs.Stage, Scheme: h.canonical("/voorbeelden#status"), Label: "Status: " + db.StageLabel(cs.Stage)})
	for _, g := range cs.TargetGroups {
		e.Categories = append(e.Categories, atomCategory{Term: g, Scheme: h.canonical("/voorbeelden#doelgroep"), Label: "Doelgroep: " + db.TargetGroupLabel(g)})
	}
	return e
}

// feedContent is a case as the HTML of a feed entry: its facts (stage, target
// groups, qualified numbers, gemeenten, source check), the text, and the
// financing and lessons as sections, as the case page shows them.
func feedContent(cs db.Case) string {
	var b strings.Builder
	fact := func(label, value string) {
		if value != "" {
			b.WriteString("<li>" + html.EscapeString(label) + ": " + html.EscapeString(value) + "</li>")
		}
	}
	b.WriteString("<ul>")
	stage := db.StageLabel(cs.Stage)
	if cs.StageDate != "" {
		stage += " (stand per " + formatPartialDate(cs.StageDate) + ")"
	}
	fact("Stand van zaken", stage)
	var groups []string
	for _, g := range cs.TargetGroups {
		groups = append(groups, strings.ToLower(db.TargetGroupLabel(g)))
	}
	fact("Doelgroep", strings.Join(groups, ", "))
	fact("Woningen", quantity(cs.Homes, cs.HomesQualifier, "woning", "woningen"))
	fact("Personen", quantity(cs.People, cs.PeopleQualifier, "persoon", "personen"))
	var related []string
	for _, g := range cs.RelatedGemeenten {
		related = append(related, g.Name)
	}
	fact("Betrokken gemeenten", strings.Join(related, ", "))
	if cs.SourceChecked != "" {
		fact("Bron gecontroleerd op", formatPartialDate(cs.SourceChecked))
	}
	b.WriteString("</ul>")
	b.WriteString(string(renderMarkdown(cs.Body)))
	if cs.Financing != "" {
		b.WriteString("<h2>Financiering</h2>")
		for _, p := range paragraphs(cs.Financing) {
			b.WriteString("<p>" + html.EscapeString(p) + "</p>")
		}
	}
	if cs.LessonsHard != "" {
		b.WriteString("<h2>Wat ging moeilijk</h2>" + string(renderMarkdown(cs.LessonsHard)))
	}
	if cs.LessonsWorked != "" {
		b.WriteString("<h2>Wat werkte</h2>" + string(renderMarkdown(cs.LessonsWorked)))
	}
	return b.String()
}

// unknownValues reports whether f asks for a facet value the library does not know.
func unknownValues(f, known db.CaseFilter) bool {
	return len(known.Provinces) < len(f.Provinces) || len(known.Gemeenten) < len(f.Gemeenten) ||
		len(known.Themes) < len(f.Themes) || len(known.Kinds) < len(f.Kinds) || len(known.Years) < len(f.Years) ||
		len(known.Stages) < len(f.Stages) || len(known.Groups) < len(f.Groups)
}

// tagAuthority is the host name that tag: URIs (RFC 4151) are minted under.
func tagAuthority(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "opnieuwthuis.invalid"
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
