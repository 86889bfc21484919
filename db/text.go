package db

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// markdown is the site's one Markdown dialect: the page shows its HTML
// (MarkdownHTML) and search indexes its words (PlainText), from the same parse.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// MarkdownHTML writes the HTML of a Markdown text to w. goldmark leaves raw HTML
// out; the caller still sanitises what Markdown itself can produce (javascript:
// links and the like).
func MarkdownHTML(w io.Writer, md string) error {
	return markdown.Convert([]byte(md), w)
}

// PlainText returns the words of a Markdown text without its markup: what full-text
// search indexes and what snippets are cut from. Blocks are separated by a blank
// line; link targets and raw HTML are left out.
func PlainText(md string) string {
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if entering {
				b.Write(n.Segment.Value(src))
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte(' ')
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.CodeSpan, *ast.AutoLink:
			// Children (text) or the URL itself are written by the cases above.
			if al, ok := n.(*ast.AutoLink); ok && entering {
				b.Write(al.Label(src))
			}
		case *ast.Heading:
			// End a heading like a sentence, so that a snippet running from a
			// heading into its paragraph still reads well.
			if !entering && b.Len() > 0 && !strings.ContainsAny(b.String()[b.Len()-1:], ".:?!") {
				b.WriteByte('.')
			}
			if !entering {
				b.WriteString("\n\n")
			}
		default:
			if n.Type() == ast.TypeBlock && !entering && b.Len() > 0 {
				b.WriteString("\n\n")
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(collapseBlankLines(stripControl(b.String())))
}

// stripControl removes control characters other than newline and tab, including
// the sentinels used to mark search hits.
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
}

func collapseBlankLines(s string) string {
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}

// Truncate cuts s to at most n runes.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Lines splits a list typed or stored one item a line into its trimmed,
// non-empty lines.
func Lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
