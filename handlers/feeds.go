package handlers

import (
	"encoding/xml"
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
	Published  string         `xml:"published"`
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
		parts = append(parts, "zoekvraag ‘"+truncate(f.Query, 60)+"’")
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

	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(append([]byte(xml.Header), out...))
}

func (h *Handler) feedEntry(cs db.Case, authority string) atomEntry {
	published := cs.CreatedAt
	if cs.PublishedAt != nil {
		published = *cs.PublishedAt
	}
	e := atomEntry{
		// A tag URI on the case's id stays the same when its title or slug changes.
		ID:        "tag:" + authority + "," + published.UTC().Format(time.DateOnly) + ":voorbeeld-" + strconv.FormatInt(cs.ID, 10),
		Title:     atomText{Type: "text", Text: cs.Title},
		Updated:   atomTime(cs.UpdatedAt),
		Published: atomTime(published),
		Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: h.canonical("/voorbeelden/" + cs.Slug)}},
		Author:    atomPerson{Name: "Redactie Opnieuw Thuis"},
		Summary:   atomText{Type: "text", Text: cs.Summary},
		Content:   atomText{Type: "html", Text: string(renderMarkdown(cs.Body))},
	}
	if cs.SourceURL != "" {
		e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: cs.SourceURL})
	}
	for _, t := range cs.Themes {
		e.Categories = append(e.Categories, atomCategory{Term: t.Slug, Scheme: h.canonical("/themas"), Label: t.Label})
	}
	return e
}

// unknownValues reports whether f asks for a facet value the library does not know.
func unknownValues(f, known db.CaseFilter) bool {
	return len(known.Provinces) < len(f.Provinces) || len(known.Gemeenten) < len(f.Gemeenten) ||
		len(known.Themes) < len(f.Themes) || len(known.Kinds) < len(f.Kinds) || len(known.Years) < len(f.Years)
}

// tagAuthority is the host name that tag: URIs (RFC 4151) are minted under.
func tagAuthority(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "opnieuwthuis.invalid"
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
