package db

import (
	"slices"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// FieldChange is one field that differs between two revisions, as text.
type FieldChange struct {
	Field  string // CaseInput's JSON name
	Label  string // Dutch
	Before string
	After  string
}

// DiffLine is one line of a line diff: Op is '-' (only before), '+' (only after)
// or ' ' (both).
type DiffLine struct {
	Op   byte
	Text string
}

// CaseDiff is what changed between two revisions of a case.
type CaseDiff struct {
	Fields []FieldChange // every changed field except the body
	Body   []DiffLine    // nil when the body did not change
}

// Changed reports whether anything differs.
func (d CaseDiff) Changed() bool { return len(d.Fields) > 0 || d.Body != nil }

// DiffCases compares two versions of a case field by field, and the Markdown body
// line by line. names turns a gemeente or province code and a theme slug into
// what editors read (kind "gemeente", "province" or "theme"; it may be nil).
func DiffCases(a, b CaseInput, names func(kind, value string) string) CaseDiff {
	if names == nil {
		names = func(_, v string) string { return v }
	}
	var d CaseDiff
	add := func(field, label, before, after string) {
		if before != after {
			d.Fields = append(d.Fields, FieldChange{field, label, before, after})
		}
	}
	num := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	themes := func(slugs []string) string {
		s := slices.Clone(slugs)
		slices.Sort(s)
		for i := range s {
			s[i] = names("theme", s[i])
		}
		return strings.Join(s, ", ")
	}
	gemeente := func(code string) string {
		if code == "" {
			return ""
		}
		return names("gemeente", code)
	}
	list := func(values []string, label func(string) string) string {
		out := make([]string, len(values))
		for i, v := range values {
			out[i] = label(v)
		}
		return strings.Join(out, ", ")
	}
	qualified := func(n *int, q string) string {
		if n == nil {
			return ""
		}
		if q == "" {
			return strconv.Itoa(*n)
		}
		return QualifierLabel(q) + ": " + strconv.Itoa(*n)
	}
	province := func(code string) string {
		if code == "" {
			return ""
		}
		return names("province", code)
	}
	add("title", "Titel", a.Title, b.Title)
	add("slug", "Adres (slug)", a.Slug, b.Slug)
	add("status", "Status", StatusLabel(a.Status), StatusLabel(b.Status))
	add("summary", "Samenvatting", a.Summary, b.Summary)
	add("gemeente_code", "Gemeente", gemeente(a.GemeenteCode), gemeente(b.GemeenteCode))
	add("themes", "Thema’s", themes(a.Themes), themes(b.Themes))
	add("kind", "Soort", KindLabel(a.Kind), KindLabel(b.Kind))
	add("year", "Jaar", num(a.Year), num(b.Year))
	add("related_gemeente_codes", "Betrokken gemeenten", list(a.RelatedGemeenten, gemeente), list(b.RelatedGemeenten, gemeente))
	add("province_code", "Provincie", province(a.ProvinceCode), province(b.ProvinceCode))
	add("initiative_status", "Status van het initiatief", StageLabel(a.Stage), StageLabel(b.Stage))
	add("status_date", "Stand per", a.StageDate, b.StageDate)
	add("target_groups", "Doelgroep", list(a.TargetGroups, TargetGroupLabel), list(b.TargetGroups, TargetGroupLabel))
	add("homes", "Woningen", qualified(a.Homes, a.HomesQualifier), qualified(b.Homes, b.HomesQualifier))
	add("people", "Personen", qualified(a.People, a.PeopleQualifier), qualified(b.People, b.PeopleQualifier))
	add("financing", "Financiering", a.Financing, b.Financing)
	add("lessons_hard", "Wat ging moeilijk", a.LessonsHard, b.LessonsHard)
	add("lessons_worked", "Wat werkte", a.LessonsWorked, b.LessonsWorked)
	add("partners", "Partners", strings.Join(a.Partners, "\n"), strings.Join(b.Partners, "\n"))
	add("contact", "Contact", a.Contact, b.Contact)
	add("source_url", "Bron", a.SourceURL, b.SourceURL)
	add("source_checked", "Bron gecontroleerd op", a.SourceChecked, b.SourceChecked)
	if a.Body != b.Body {
		d.Body = diffLines(a.Body, b.Body)
	}
	return d
}

// diffLines is a line diff (diff-match-patch in line mode).
func diffLines(a, b string) []DiffLine {
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(ensureNewline(a), ensureNewline(b))
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	var out []DiffLine
	for _, df := range diffs {
		op := byte(' ')
		switch df.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		for _, l := range strings.SplitAfter(df.Text, "\n") {
			if l == "" {
				continue
			}
			out = append(out, DiffLine{Op: op, Text: strings.TrimSuffix(l, "\n")})
		}
	}
	return out
}

func ensureNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}
