package handlers

import (
	"encoding/xml"
	"time"

	"github.com/gofiber/fiber/v2"
)

// staticPaths are the public pages that do not come from the database. The map's
// pages are listed too: they exist once its routes are in.
var staticPaths = []string{
	"/themas", "/kaart", "/kaart/tabel", "/taakstelling", "/open-data",
	"/tip", "/over", "/toegankelijkheid", "/privacy", "/begrippen",
}

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// maxSitemapURLs is the protocol's limit for one file. Past it a sitemap index
// would be needed; until then one file keeps things simple.
const maxSitemapURLs = 50000

// sitemap lists every public page: home, library, every published case with its
// last change, the theme pages, the static pages and every gemeente's page.
func (h *Handler) sitemap(c *fiber.Ctx) error {
	pages, err := h.db.SitePages(c.UserContext())
	if err != nil {
		return err
	}
	stamps, themes, gemeenten := pages.Cases, pages.Themes, pages.Gemeenten
	var latest time.Time
	for _, s := range stamps {
		if s.UpdatedAt.After(latest) {
			latest = s.UpdatedAt
		}
	}
	lastmod := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	set := sitemapURLSet{URLs: make([]sitemapURL, 0, 2+len(stamps)+len(themes)+len(staticPaths)+len(gemeenten))}
	add := func(path string, t time.Time) {
		if len(set.URLs) < maxSitemapURLs {
			set.URLs = append(set.URLs, sitemapURL{Loc: h.canonical(path), LastMod: lastmod(t)})
		}
	}
	add("/", latest)
	add("/voorbeelden", latest)
	for _, s := range stamps {
		add("/voorbeelden/"+s.Slug, s.UpdatedAt)
	}
	for _, p := range staticPaths {
		add(p, time.Time{})
	}
	for _, t := range themes {
		add("/themas/"+t.Slug, time.Time{})
	}
	for _, g := range gemeenten {
		add("/gemeenten/"+g.Code, time.Time{})
	}
	return sendXML(c, set, " ", "application/xml; charset=utf-8", "public, max-age=3600")
}

// sendXML answers v as an XML document (the sitemap, the Atom feed), each level
// indented by indent.
func sendXML(c *fiber.Ctx, v any, indent, contentType, cacheControl string) error {
	out, err := xml.MarshalIndent(v, "", indent)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderCacheControl, cacheControl)
	return c.Send(append([]byte(xml.Header), out...))
}

// robots keeps crawlers out of the editors' area and points them to the sitemap.
func (h *Handler) robots(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.SendString("User-agent: *\n" +
		"Disallow: /beheer\n" +
		"Disallow: /inloggen\n" +
		"Disallow: /uitloggen\n" +
		"Disallow: /redactie\n" +
		"\n" +
		"Sitemap: " + h.canonical("/sitemap.xml") + "\n")
}
