package handlers

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"opnieuwthuis/db"
)

func TestSitemapListsEveryPublicPageAndNothingElse(t *testing.T) {
	app, store := newTestApp(t)
	slugs := addCaseInEveryStatus(t, store)
	res := get(t, app, "/sitemap.xml")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("sitemap: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var set struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		URLs    []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(res.Body), &set); err != nil {
		t.Fatalf("sitemap is not valid: %v", err)
	}
	const base = "https://opnieuwthuis.example"
	listed := map[string]string{}
	gemeenten := 0
	for _, u := range set.URLs {
		if !strings.HasPrefix(u.Loc, base+"/") {
			t.Errorf("%q is not an absolute URL of the site", u.Loc)
		}
		if _, dup := listed[u.Loc]; dup {
			t.Errorf("%s listed twice", u.Loc)
		}
		listed[u.Loc] = u.LastMod
		if strings.HasPrefix(u.Loc, base+"/gemeenten/GM") {
			gemeenten++
		}
	}
	for _, slug := range publishedSlugs(t, store) {
		lastmod, ok := listed[base+"/voorbeelden/"+slug]
		if !ok {
			t.Errorf("published case %s is missing", slug)
			continue
		}
		if _, err := time.Parse(time.RFC3339, lastmod); err != nil {
			t.Errorf("case %s has lastmod %q", slug, lastmod)
		}
	}
	for status, slug := range slugs {
		if _, ok := listed[base+"/voorbeelden/"+slug]; ok && status != db.StatusPublished {
			t.Errorf("the %s case %s is listed", status, slug)
		}
	}
	for _, path := range []string{"/", "/voorbeelden", "/themas", "/themas/gezinnen", "/kaart", "/kaart/tabel",
		"/taakstelling", "/open-data", "/over", "/toegankelijkheid", "/privacy", "/gemeenten/GM0363"} {
		if _, ok := listed[base+path]; !ok {
			t.Errorf("%s is missing", path)
		}
	}
	if gemeenten != 342 {
		t.Errorf("%d gemeente pages, want 342", gemeenten)
	}
	for loc := range listed {
		if strings.Contains(loc, "/beheer") || strings.Contains(loc, "/inloggen") {
			t.Errorf("%s should not be in the sitemap", loc)
		}
	}
	themes, err := store.Themes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n := 2 + len(publishedSlugs(t, store)) + len(staticPaths) + len(themes) + 342; len(set.URLs) != n {
		t.Errorf("%d URLs, want %d", len(set.URLs), n)
	}
}

func TestRobotsKeepsCrawlersOutOfTheEditorsArea(t *testing.T) {
	app, _ := newTestApp(t)
	res := get(t, app, "/robots.txt")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("robots.txt: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	lines := strings.Split(res.Body, "\n")
	for _, want := range []string{"User-agent: *", "Disallow: /beheer", "Disallow: /inloggen", "Disallow: /uitloggen",
		"Sitemap: https://opnieuwthuis.example/sitemap.xml"} {
		found := false
		for _, l := range lines {
			if l == want {
				found = true
			}
		}
		if !found {
			t.Errorf("robots.txt lacks %q:\n%s", want, res.Body)
		}
	}
	for _, l := range lines {
		if l == "Disallow: /" || l == "Disallow: /voorbeelden" {
			t.Errorf("robots.txt blocks public pages: %q", l)
		}
	}
}
