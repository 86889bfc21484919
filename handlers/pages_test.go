package handlers

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	headingTag   = regexp.MustCompile(`(?s)<h([1-6])\b[^>]*>(.*?)</h[1-6]>`)
	internalHref = regexp.MustCompile(`<a [^>]*href="(/[^"#]*)(#[^"]*)?"`)
	tagText      = regexp.MustCompile(`<[^>]+>`)
	figureCounts = regexp.MustCompile(`\((\d+) van de (\d+) `)
)

// TestInfoPages checks the structure of the information pages, not their copy:
// one h1 and sections under it without skipped heading levels, the page's
// landmarks, a canonical URL, a way to make contact, the links each page exists
// to give, and every link to the site itself answered with a page that has the
// part it links to.
func TestInfoPages(t *testing.T) {
	app, _ := newTestApp(t)
	linked := map[string]string{} // internal link (with its #fragment) → the page that has it
	for _, tc := range []struct {
		path     string
		sections int      // h2 sections at least
		links    []string // links the page must hold
	}{
		{"/over", 6, []string{"/voorbeelden", "/taakstelling", "/open-data"}},
		{"/toegankelijkheid", 5, []string{"/kaart/tabel"}},
		{"/privacy", 6, nil},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := get(t, app, tc.path)
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			main := res.Body
			if i := strings.Index(main, `<main id="main"`); i >= 0 {
				main = main[i:]
			} else {
				t.Error("no <main id=\"main\"> (the skip link's target)")
			}
			if i := strings.Index(main, "</main>"); i >= 0 {
				main = main[:i]
			}

			// Headings: one h1, with text, first; sections under it; no level skipped.
			headings := headingTag.FindAllStringSubmatch(main, -1)
			if len(headings) == 0 || headings[0][1] != "1" || strings.TrimSpace(tagText.ReplaceAllString(headings[0][2], "")) == "" {
				t.Fatalf("the main content does not start with an h1 that has text: %q", headings)
			}
			prev, h1s, h2s := 0, 0, 0
			for _, h := range headings {
				level, _ := strconv.Atoi(h[1])
				if level > prev+1 {
					t.Errorf("h%d %q follows h%d: a level is skipped", level, h[2], prev)
				}
				if strings.TrimSpace(tagText.ReplaceAllString(h[2], "")) == "" {
					t.Errorf("an empty h%d", level)
				}
				switch level {
				case 1:
					h1s++
				case 2:
					h2s++
				}
				prev = level
			}
			if h1s != 1 || h2s < tc.sections {
				t.Errorf("%d h1 and %d h2, want 1 h1 and at least %d sections", h1s, h2s, tc.sections)
			}

			// Landmarks: the site's header with the main menu, the main content, the
			// footer with its own menu; every nav named.
			for _, landmark := range []string{`<header class="site-header">`, `<nav class="site-nav" aria-label="Hoofdmenu">`, `<main id="main"`, `<footer class="site-footer">`} {
				if strings.Count(res.Body, landmark) != 1 {
					t.Errorf("%d× %s, want once", strings.Count(res.Body, landmark), landmark)
				}
			}
			for _, nav := range regexp.MustCompile(`<nav\b[^>]*>`).FindAllString(res.Body, -1) {
				if !strings.Contains(nav, "aria-label=") {
					t.Errorf("a nav without a name: %s", nav)
				}
			}
			if !strings.Contains(res.Body, `<link rel="canonical" href="https://opnieuwthuis.example`+tc.path+`">`) {
				t.Error("no canonical URL")
			}

			links := map[string]bool{}
			for _, m := range internalHref.FindAllStringSubmatch(main, -1) {
				links[m[1]] = true
				linked[m[1]+m[2]] = tc.path
			}
			for _, want := range tc.links {
				if !links[want] {
					t.Errorf("no link to %s", want)
				}
			}
			// Without CONTACT_EMAIL the pages point to the tip form.
			if tc.path != "/over" && !links["/tip"] {
				t.Error("no way to make contact: no link to /tip")
			}
		})
	}

	// /over gives the counts of official national figures from the database.
	if m := figureCounts.FindStringSubmatch(get(t, app, "/over").Body); m == nil {
		t.Error("/over does not say how many of the national figures are official")
	} else {
		official, _ := strconv.Atoi(m[1])
		known, _ := strconv.Atoi(m[2])
		if official == 0 || official >= known {
			t.Errorf("/over: %d of the %d figures official, want some but not all", official, known)
		}
	}
	// /privacy says which settings the operator has yet to give.
	privacy := get(t, app, "/privacy").Body
	for _, setting := range []string{"PRIVACY_CONTROLLER", "PRIVACY_DPO_EMAIL"} {
		if !strings.Contains(privacy, setting) {
			t.Errorf("/privacy does not name the missing setting %s", setting)
		}
	}

	for link, from := range linked {
		path, fragment, _ := strings.Cut(link, "#")
		res := get(t, app, path)
		if res.StatusCode != 200 {
			t.Errorf("%s links to %s, which answers %d", from, link, res.StatusCode)
		}
		if fragment != "" && !strings.Contains(res.Body, `id="`+fragment+`"`) {
			t.Errorf("%s links to %s, which has no element with that id", from, link)
		}
	}
}
