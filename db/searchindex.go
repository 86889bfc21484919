package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// The search index (the FTS5 table case_search in schema.sql) is written from Go,
// in the same transaction as every write to a case: SQLite's tokenizer cannot stem
// Dutch, so the db package cuts, folds and stems the words itself and FTS5 only
// indexes what it is given. Deleting a case removes its row by trigger.

// searchDoc is what the search index holds of one case: everything a visitor sees
// of it, in the fields that rank differently.
type searchDoc struct {
	Title   string
	Places  []string // where the case is: its gemeente and related gemeenten with every name they go by
	Region  []string // their provinces, or "landelijk of regionaal"
	Summary string
	Body    string   // the plain text of the Markdown body, the financing and the lessons
	Tags    []string // theme labels, kind, year, status, target groups, partners
}

// caseSearchDoc lists everything a visitor sees of a case, and is the one place
// that decides what search finds: a field shown on the case page or its card
// belongs here. Adding or changing a field here needs searchDocVersion moved on,
// so that existing databases are re-indexed at their next start.
func caseSearchDoc(c Case) searchDoc {
	wl := lists()
	body := []string{PlainText(c.Body)}
	if c.Financing != "" {
		body = append(body, c.Financing)
	}
	for _, md := range []string{c.LessonsHard, c.LessonsWorked} {
		if md != "" {
			body = append(body, PlainText(md))
		}
	}
	d := searchDoc{Title: c.Title, Summary: c.Summary, Body: strings.Join(body, "\n\n")}
	if c.GemeenteName != "" {
		d.Places = append(d.Places, wl.placeNamesOf(c.GemeenteName)...)
	}
	for _, g := range c.RelatedGemeenten { // "betrokken gemeenten"
		d.Places = append(d.Places, wl.placeNamesOf(g.Name)...)
	}
	if c.ProvinceName != "" {
		d.Region = append(d.Region, wl.placeNamesOf(c.ProvinceName)...)
	} else if c.GemeenteCode == "" {
		d.Region = append(d.Region, "Landelijk of regionaal") // as the case card says
	}
	for _, p := range c.Provinces { // those of the related gemeenten
		if p.Name != c.ProvinceName {
			d.Region = append(d.Region, wl.placeNamesOf(p.Name)...)
		}
	}
	for _, t := range c.Themes {
		d.Tags = append(d.Tags, t.Label)
	}
	d.Tags = append(d.Tags, KindLabel(c.Kind))
	if c.Year != nil {
		d.Tags = append(d.Tags, strconv.Itoa(*c.Year))
	}
	if c.Stage != "" && c.Stage != StageUnknown { // "onbekend" says nothing about the case
		d.Tags = append(d.Tags, StageLabel(c.Stage))
	}
	for _, g := range c.TargetGroups {
		d.Tags = append(d.Tags, TargetGroupLabel(g))
	}
	d.Tags = append(d.Tags, c.Partners...)
	return d
}

// searchDocVersion identifies what caseSearchDoc and the text analysis (dutch.go)
// write. A database indexed with another version is re-indexed when it is opened.
const searchDocVersion = "3"

// searchColumns are case_search's columns in order: six of folded words (title,
// place and region are the "head": a hit there outranks one elsewhere), then the
// stems of the head's words and of the other words.
var searchColumns = [...]string{"title", "place", "region", "summary", "body", "tags", "head_stems", "text_stems"}

// Column groups of case_search, as FTS5 column filters.
const (
	colsExact     = "{title place region summary body tags}"
	colsStems     = "{head_stems text_stems}"
	colsHeadExact = "{title place region}"
	colsHeadStems = "{head_stems}"
	colsTexts     = "{title summary body tags}" // the word columns but the places
	colsTitle     = "{title}"
)

// columns turns the document into the values of searchColumns.
func (d searchDoc) columns() [len(searchColumns)]string {
	var out [len(searchColumns)]string
	var headStems, textStems strings.Builder
	field := func(i int, stems *strings.Builder, texts ...string) {
		var b strings.Builder
		for _, t := range texts {
			eachWord(t, func(_, _ int, w string) {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(w)
				if stems.Len() > 0 {
					stems.WriteByte(' ')
				}
				stems.WriteString(stem(w))
			})
		}
		out[i] = b.String()
	}
	field(0, &headStems, d.Title)
	field(1, &headStems, d.Places...)
	field(2, &headStems, d.Region...)
	field(3, &textStems, d.Summary)
	field(4, &textStems, d.Body)
	field(5, &textStems, d.Tags...)
	out[6], out[7] = headStems.String(), textStems.String()
	return out
}

const insertSearchRow = `INSERT INTO case_search (rowid, title, place, region, summary, body, tags, head_stems, text_stems)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// indexCase writes case id's search document, replacing what was indexed before.
func indexCase(ctx context.Context, tx *sql.Tx, id int64) error {
	c, err := caseInTx(ctx, tx, id)
	if err != nil {
		return fmt.Errorf("index case %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM case_search WHERE rowid = ?", id); err != nil {
		return fmt.Errorf("index case %d: %w", id, err)
	}
	if err := writeSearchRow(ctx, tx, nil, c); err != nil {
		return fmt.Errorf("index case %d: %w", id, err)
	}
	return nil
}

func writeSearchRow(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt, c Case) error {
	cols := caseSearchDoc(c).columns()
	args := []any{c.ID}
	for _, v := range cols {
		args = append(args, v)
	}
	var err error
	if stmt != nil {
		_, err = stmt.ExecContext(ctx, args...)
	} else {
		_, err = tx.ExecContext(ctx, insertSearchRow, args...)
	}
	return err
}

// ensureSearchIndex re-indexes every case when the index was written by another
// searchDocVersion, or never (a database from before case_search). It runs at the
// end of every start's migration, after all schema migrations, so the documents it
// writes may use any column they added. A new file (seeded: every case written
// with its document) only gets the version noted.
func ensureSearchIndex(ctx context.Context, tx *sql.Tx, fresh bool) error {
	var version string
	err := tx.QueryRowContext(ctx, "SELECT CAST(value AS TEXT) FROM settings WHERE name = 'search-document-version'").Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("search document version: %w", err)
	}
	if version == searchDocVersion {
		return nil
	}
	if !fresh {
		if err := rebuildSearchIndex(ctx, tx); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('search-document-version', CAST(? AS BLOB))
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, searchDocVersion)
	return err
}

// rebuildSearchIndex indexes every case afresh: about 0.3 ms a case, so a
// library of 100,000 cases takes half a minute at its first start with a new
// document version; the log says so.
func rebuildSearchIndex(ctx context.Context, tx *sql.Tx) error {
	start := time.Now()
	indexed := 0
	defer func() {
		if indexed > 0 {
			slog.InfoContext(ctx, "search index rebuilt", "cases", indexed, "duration_ms", time.Since(start).Milliseconds())
		}
	}()
	if _, err := tx.ExecContext(ctx, "INSERT INTO case_search (case_search) VALUES ('delete-all')"); err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, insertSearchRow)
	if err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	defer stmt.Close()
	var last int64
	for {
		cases, err := queryCases(ctx, tx, "WHERE c.id > ? ORDER BY c.id LIMIT 500", last)
		if err != nil {
			return fmt.Errorf("rebuild search index: %w", err)
		}
		if len(cases) == 0 {
			return nil
		}
		for _, c := range cases {
			if err := writeSearchRow(ctx, tx, stmt, c); err != nil {
				return fmt.Errorf("rebuild search index: case %d: %w", c.ID, err)
			}
			last = c.ID
			indexed++
		}
	}
}

// CheckSearchIndex reports whether the search index holds exactly the current
// document of every case: FTS5's own integrity check, then, case by case, the
// number of words FTS5 keeps per column against the document caseSearchDoc makes
// now. Backups and the crash tests use it.
func (d *DB) CheckSearchIndex(ctx context.Context) error {
	// FTS5 runs its check as an INSERT, which the query_only readers refuse.
	if _, err := d.w.ExecContext(ctx, "INSERT INTO case_search (case_search) VALUES ('integrity-check')"); err != nil {
		return fmt.Errorf("check search index: %w", err)
	}
	sizes := map[int64][]byte{}
	rows, err := d.r.QueryContext(ctx, "SELECT id, sz FROM case_search_docsize")
	if err != nil {
		return fmt.Errorf("check search index: %w", err)
	}
	for rows.Next() {
		var id int64
		var sz []byte
		if err := rows.Scan(&id, &sz); err != nil {
			rows.Close()
			return fmt.Errorf("check search index: %w", err)
		}
		sizes[id] = sz
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check search index: %w", err)
	}
	var last int64
	checked := 0
	for {
		cases, err := queryCases(ctx, d.r, "WHERE c.id > ? ORDER BY c.id LIMIT 500", last)
		if err != nil {
			return fmt.Errorf("check search index: %w", err)
		}
		if len(cases) == 0 {
			break
		}
		for _, c := range cases {
			last = c.ID
			sz, ok := sizes[c.ID]
			if !ok {
				return fmt.Errorf("check search index: case %d (%s) is not indexed", c.ID, c.Slug)
			}
			want := caseSearchDoc(c).columns()
			got := decodeVarints(sz)
			for i, v := range want {
				n := 0
				if v != "" {
					n = strings.Count(v, " ") + 1
				}
				if i >= len(got) || got[i] != n {
					return fmt.Errorf("check search index: case %d (%s): column %s holds %v words, its document %d",
						c.ID, c.Slug, searchColumns[i], got, n)
				}
			}
			checked++
		}
	}
	if checked != len(sizes) {
		return fmt.Errorf("check search index: %d rows indexed for %d cases", len(sizes), checked)
	}
	return nil
}

// decodeVarints reads the SQLite varints of an FTS5 docsize record.
func decodeVarints(b []byte) []int {
	var out []int
	for len(b) > 0 {
		var v uint64
		i := 0
		for ; i < len(b) && i < 9; i++ {
			if i == 8 {
				v = v<<8 | uint64(b[i])
				break
			}
			v = v<<7 | uint64(b[i]&0x7f)
			if b[i]&0x80 == 0 {
				break
			}
		}
		out = append(out, int(v))
		b = b[min(i+1, len(b)):]
	}
	return out
}

// lists returns the parsed word lists. Open has parsed them already (and fails on
// a broken file), so here they are always there.
func lists() *wordLists {
	wl, err := loadWordLists()
	if err != nil {
		panic("word lists: " + err.Error() + " (Open checks them first)")
	}
	return wl
}
