package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzLibraryQuery sends random query strings to the library, as a page and as an
// htmx fragment: the answer is never a 5xx. make fuzz runs it briefly; the seeds
// below and testdata/fuzz/FuzzLibraryQuery run with every go test.
func FuzzLibraryQuery(f *testing.F) {
	for _, seed := range []string{
		"", "q=wonen", "q=wo", "q=startblok&provincie=PV26&thema=gemengd-wonen",
		"q=%ff%fe&jaar=2019&jaar=abc&pagina=-1", "q=NEAR(a+b)&sort=relevantie",
		"q=%22%27%3C%3E&soort=aanpak&soort=woonoplossing", "provincie=PV26&provincie=PV26&gemeente=GM0363",
		"pagina=99999999999999999999", "q=a*b-c%3Ad%5Ee", "q&q=&=&&&", "q=%E2%80%8B%CC%81",
		"jaar=1990&jaar=2100&jaar=0&sort=jaar", "q=" + strings.Repeat("wonen+", 300),
		// Dutch search: stems, compounds, synonyms, typo correction, relaxing.
		"q=statushouers", "q=statushouers&letterlijk=1", "q=tijdelijke+wonignen&provincie=PV27",
		"q=hoe+vinden+jonge+statushouders+een+kamer", "q=kantoren", "q=woningdelen&letterlijk=abc",
		"q=%22kamergewize%22+NEAR(verhuur", "q=vergunninghouders+Den+Haag&sort=nieuwste", "q=ks000123+a1b2",
		"q=" + strings.Repeat("statushouers+", 40), "letterlijk=1", "q=%C3%A9%CC%81%CC%81wonen",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	app, _ := newTestApp(f)
	f.Fuzz(func(t *testing.T, rawQuery string, fragment bool) {
		req := &http.Request{
			Method: http.MethodGet,
			URL:    &url.URL{Path: "/voorbeelden", RawQuery: requestLineSafe(rawQuery)},
			Header: http.Header{},
			Host:   "opnieuwthuis.example",
			Body:   http.NoBody,
		}
		if fragment {
			req.Header.Set("HX-Request", "true")
		}
		res := do(t, app, req)
		if res.StatusCode >= 500 {
			t.Fatalf("?%s: status %d", req.URL.RawQuery, res.StatusCode)
		}
	})
}

// requestLineSafe percent-encodes what cannot stand in an HTTP request line
// (controls, space, '#', bytes that are not ASCII) and keeps everything else,
// so that every input reaches the handler as the query string a browser or a
// hostile client could send.
func requestLineSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '#' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
