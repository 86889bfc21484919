package handlers

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"opnieuwthuis/db"
)

// testFeed reads an Atom feed with the elements RFC 4287 requires.
type testFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Author struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Links     []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Author struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Categories []struct {
			Term   string `xml:"term,attr"`
			Scheme string `xml:"scheme,attr"`
			Label  string `xml:"label,attr"`
		} `xml:"category"`
		Summary struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"summary"`
		Content struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

func readFeed(t *testing.T, body string) testFeed {
	t.Helper()
	var f testFeed
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("feed is not valid Atom XML: %v\n%.300s", err, body)
	}
	return f
}

func (f testFeed) link(rel string) string {
	for _, l := range f.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func TestAtomFeedOfNewCases(t *testing.T) {
	app, store := newTestApp(t)
	slugs := addCaseInEveryStatus(t, store)
	later(store, 2*time.Second) // timestamps have whole seconds
	newest := addCase(t, store, db.CaseInput{Slug: "nieuwste-voorbeeld", Title: "Het nieuwste voorbeeld",
		Body: "Met **vet** en een [link](https://example.org).", GemeenteCode: "GM0363",
		Themes: []string{"transformatie"}, Status: db.StatusPublished})

	res := get(t, app, "/voorbeelden.atom")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	f := readFeed(t, res.Body)
	if f.ID != "https://opnieuwthuis.example/voorbeelden.atom" || f.Title == "" || f.Lang != "nl" || f.Author.Name == "" {
		t.Errorf("feed head: id %q, title %q, lang %q, author %q", f.ID, f.Title, f.Lang, f.Author.Name)
	}
	if f.link("self") != "https://opnieuwthuis.example/voorbeelden.atom" || f.link("alternate") != "https://opnieuwthuis.example/voorbeelden" {
		t.Errorf("feed links: %+v", f.Links)
	}
	updated, err := time.Parse(time.RFC3339, f.Updated)
	if err != nil || !updated.Equal(newest.UpdatedAt) {
		t.Errorf("feed updated %q, want the newest change %v", f.Updated, newest.UpdatedAt)
	}
	if want := min(feedSize, len(publishedSlugs(t, store))); len(f.Entries) != want {
		t.Fatalf("%d entries, want the seed cases and 2 published ones, at most %d", len(f.Entries), feedSize)
	}
	if f.Entries[0].Title != newest.Title {
		t.Errorf("first entry %q, want the newest case", f.Entries[0].Title)
	}
	ids := map[string]bool{}
	var previous time.Time
	starting := false // the starting content has no editor's publication: it comes last
	for i, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "tag:opnieuwthuis.example,") || ids[e.ID] {
			t.Errorf("entry id %q is not a unique tag URI", e.ID)
		}
		ids[e.ID] = true
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry %q: updated %q", e.Title, e.Updated)
		}
		if e.Published == "" {
			starting = true
			if i < 2 {
				t.Errorf("entry %q, one of the two an editor published, has no publication date", e.Title)
			}
			continue
		}
		if starting {
			t.Errorf("entry %q with a publication date comes after the starting content", e.Title)
		}
		published, err := time.Parse(time.RFC3339, e.Published)
		if err != nil {
			t.Errorf("entry %q: published %q", e.Title, e.Published)
		}
		if i > 0 && published.After(previous) {
			t.Errorf("entry %q is newer than the one before it", e.Title)
		}
		previous = published
		if e.Title == "" || e.Summary.Text == "" || e.Summary.Type != "text" || e.Content.Type != "html" || e.Content.Text == "" || e.Author.Name == "" || len(e.Categories) == 0 {
			t.Errorf("entry %q lacks a required element: %+v", e.Title, e)
		}
		if !strings.HasPrefix(e.Links[0].Href, "https://opnieuwthuis.example/voorbeelden/") || e.Links[0].Rel != "alternate" {
			t.Errorf("entry %q links to %+v", e.Title, e.Links)
		}
		for status, slug := range slugs {
			if status != db.StatusPublished && strings.HasSuffix(e.Links[0].Href, "/"+slug) {
				t.Errorf("a %s case is in the feed", status)
			}
		}
	}
	first := f.Entries[0]
	if !strings.Contains(first.Content.Text, "<strong>vet</strong>") || first.Categories[0].Term != "transformatie" ||
		first.Categories[0].Label != "Transformatie van leegstaand vastgoed" || first.Categories[0].Scheme != "https://opnieuwthuis.example/themas" {
		t.Errorf("newest entry: content %q, categories %+v", first.Content.Text, first.Categories)
	}
}

func TestAtomFeedsPerThemeAndProvince(t *testing.T) {
	app, store := newTestApp(t)
	addCaseInEveryStatus(t, store)
	for target, check := range map[string]func(db.Case) bool{
		"/voorbeelden.atom?thema=gemengd-wonen": func(c db.Case) bool {
			return slices.ContainsFunc(c.Themes, func(t db.Theme) bool { return t.Slug == "gemengd-wonen" })
		},
		// A case belongs to its gemeente's province and those of its related gemeenten.
		"/voorbeelden.atom?provincie=PV26": func(c db.Case) bool {
			return slices.ContainsFunc(c.Provinces, func(p db.Province) bool { return p.Code == "PV26" })
		},
	} {
		res := get(t, app, target)
		f := readFeed(t, res.Body)
		if f.link("self") != "https://opnieuwthuis.example"+target || f.ID != f.link("self") {
			t.Errorf("%s: self %q, id %q", target, f.link("self"), f.ID)
		}
		if !strings.Contains(f.Title, "Gemengd wonen") && !strings.Contains(f.Title, "Utrecht") {
			t.Errorf("%s: title %q does not name the filter", target, f.Title)
		}
		if len(f.Entries) == 0 {
			t.Fatalf("%s: no entries", target)
		}
		all := publishedSlugs(t, store)
		want := 0
		for _, slug := range all {
			c, err := store.FindCaseBySlug(t.Context(), slug)
			if err != nil {
				t.Fatal(err)
			}
			if check(c) {
				want++
			}
		}
		if len(f.Entries) != want {
			t.Errorf("%s: %d entries, want %d", target, len(f.Entries), want)
		}
		for _, e := range f.Entries {
			slug := e.Links[0].Href[strings.LastIndex(e.Links[0].Href, "/")+1:]
			c, err := store.FindCaseBySlug(t.Context(), slug)
			if err != nil || !check(c) {
				t.Errorf("%s holds %q, which does not match", target, slug)
			}
		}
	}
	for _, target := range []string{"/voorbeelden.atom?thema=bestaat-niet", "/voorbeelden.atom?provincie=PV99"} {
		res := get(t, app, target)
		if res.StatusCode != 404 || !strings.Contains(res.Body, "Feed niet gevonden") {
			t.Errorf("%s: %d, want a Dutch 404", target, res.StatusCode)
		}
	}
	// A filter without matches still gives a valid feed.
	res := get(t, app, "/voorbeelden.atom?q=qqqzzzxx")
	if f := readFeed(t, res.Body); res.StatusCode != 200 || len(f.Entries) != 0 || f.Updated == "" {
		t.Errorf("empty feed: %d, %d entries, updated %q", res.StatusCode, len(f.Entries), f.Updated)
	}
}

func TestPagesAnnounceTheirFeeds(t *testing.T) {
	app, _ := newTestApp(t)
	for target, feed := range map[string]string{
		"/":                                  "https://opnieuwthuis.example/voorbeelden.atom",
		"/voorbeelden":                       "https://opnieuwthuis.example/voorbeelden.atom",
		"/voorbeelden/startblok-riekerhaven": "https://opnieuwthuis.example/voorbeelden.atom?provincie=PV27",
		"/themas/gemengd-wonen":              "https://opnieuwthuis.example/voorbeelden.atom?thema=gemengd-wonen",
		"/open-data":                         "https://opnieuwthuis.example/voorbeelden.atom",
	} {
		body := get(t, app, target).Body
		head := body[:strings.Index(body, "</head>")]
		if !strings.Contains(head, `<link rel="alternate" type="application/atom+xml"`) || !strings.Contains(head, `href="`+feed+`"`) {
			t.Errorf("%s does not announce %s", target, feed)
		}
	}
}
