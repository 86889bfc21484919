package handlers

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"

	"opnieuwthuis/db"
)

// sanitizer goes over the HTML of stored Markdown (db.MarkdownHTML, which leaves
// raw HTML out) and removes anything unsafe that Markdown itself can produce
// (javascript: links and the like), so no stored text can inject markup.
var (
	sanitizer = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnFullyQualifiedLinks(true)
		p.RequireNoReferrerOnFullyQualifiedLinks(true)
		return p
	}()
)

// renderMarkdown turns Markdown into sanitised HTML.
func renderMarkdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := db.MarkdownHTML(&buf, src); err != nil {
		// goldmark only fails on writer errors; show the text itself rather than nothing.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(sanitizer.SanitizeBytes(buf.Bytes()))
}
