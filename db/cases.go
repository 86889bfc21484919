package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Case kinds.
const (
	KindSolution = "woonoplossing" // a concrete building, project or number of homes
	KindApproach = "aanpak"        // how a gemeente organised matching, guidance, cooperation
)

// Kinds lists the case kinds in display order.
var Kinds = []string{KindSolution, KindApproach}

// Case statuses, in the order a case moves through them.
const (
	StatusDraft     = "concept"
	StatusSubmitted = "ingediend"
	StatusPublished = "gepubliceerd"
	StatusArchived  = "gearchiveerd"
)

// Statuses lists the statuses in workflow order.
var Statuses = []string{StatusDraft, StatusSubmitted, StatusPublished, StatusArchived}

// Case is a good example ("voorbeeld").
type Case struct {
	ID           int64
	Slug         string
	Title        string
	Summary      string
	Body         string // Markdown
	GemeenteCode string // empty for regional or national cases
	GemeenteName string
	ProvinceCode string
	ProvinceName string
	Themes       []Theme
	Kind         string
	Year         *int
	Homes        *int
	People       *int
	Partners     []string
	Contact      string
	SourceURL    string
	Status       string
	Version      int
	AuthorID     *int64
	AuthorName   string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	PublishedAt  *time.Time
}

// CaseInput holds every field an editor sets on a case.
// It is also the content of a revision, stored as JSON: keep the tags stable.
type CaseInput struct {
	Slug         string   `json:"slug"`
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	Body         string   `json:"body"`
	GemeenteCode string   `json:"gemeente_code"`
	Themes       []string `json:"themes"`
	Kind         string   `json:"kind"`
	Year         *int     `json:"year"`
	Homes        *int     `json:"homes"`
	People       *int     `json:"people"`
	Partners     []string `json:"partners"`
	Contact      string   `json:"contact"`
	SourceURL    string   `json:"source_url"`
	Status       string   `json:"status"`
}

// Input is the case's content as an editor would set it.
func (c Case) Input() CaseInput {
	in := CaseInput{
		Slug: c.Slug, Title: c.Title, Summary: c.Summary, Body: c.Body,
		GemeenteCode: c.GemeenteCode, Kind: c.Kind, Year: c.Year, Homes: c.Homes, People: c.People,
		Partners: c.Partners, Contact: c.Contact, SourceURL: c.SourceURL, Status: c.Status,
	}
	for _, t := range c.Themes {
		in.Themes = append(in.Themes, t.Slug)
	}
	return in
}

// caseColumns is the column list scanned by scanCase.
const caseColumns = `c.id, c.slug, c.title, c.summary, c.body, coalesce(c.gemeente_code, ''),
	coalesce(g.name, ''), coalesce(g.province_code, ''), coalesce(p.name, ''),
	c.kind, c.year, c.homes, c.people, c.partners, c.contact, c.source_url, c.status,
	c.version, c.author_id, coalesce(u.name, u.email, ''), c.created_at, c.updated_at, c.published_at
	FROM cases c
	LEFT JOIN gemeenten g ON g.code = c.gemeente_code
	LEFT JOIN provinces p ON p.code = g.province_code
	LEFT JOIN users u ON u.id = c.author_id`

func scanCase(s interface{ Scan(...any) error }) (Case, error) {
	var (
		c                   Case
		year, homes, people sql.NullInt64
		author              sql.NullInt64
		partners            string
		created, updated    string
		published           sql.NullString
	)
	err := s.Scan(&c.ID, &c.Slug, &c.Title, &c.Summary, &c.Body, &c.GemeenteCode,
		&c.GemeenteName, &c.ProvinceCode, &c.ProvinceName,
		&c.Kind, &year, &homes, &people, &partners, &c.Contact, &c.SourceURL, &c.Status,
		&c.Version, &author, &c.AuthorName, &created, &updated, &published)
	if err != nil {
		return Case{}, err
	}
	c.Year, c.Homes, c.People = intPtr(year), intPtr(homes), intPtr(people)
	if author.Valid {
		c.AuthorID = &author.Int64
	}
	c.Partners = splitLines(partners)
	c.CreatedAt, _ = time.Parse(time.RFC3339, created)
	c.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	if published.Valid {
		t, _ := time.Parse(time.RFC3339, published.String)
		c.PublishedAt = &t
	}
	return c, nil
}

// FindCaseBySlug returns the case with the given slug, whatever its status.
func (d *DB) FindCaseBySlug(ctx context.Context, slug string) (Case, error) {
	cases, err := d.queryCases(ctx, d.r, "WHERE c.slug = ?", slug)
	if err != nil {
		return Case{}, fmt.Errorf("find case %q: %w", slug, err)
	}
	if len(cases) == 0 {
		return Case{}, fmt.Errorf("find case %q: %w", slug, ErrNotFound)
	}
	return cases[0], nil
}

// FindCaseByID returns the case with the given id, whatever its status.
func (d *DB) FindCaseByID(ctx context.Context, id int64) (Case, error) {
	cases, err := d.queryCases(ctx, d.r, "WHERE c.id = ?", id)
	if err != nil {
		return Case{}, fmt.Errorf("find case %d: %w", id, err)
	}
	if len(cases) == 0 {
		return Case{}, fmt.Errorf("find case %d: %w", id, ErrNotFound)
	}
	return cases[0], nil
}

// LatestCases returns the n most recently published cases.
func (d *DB) LatestCases(ctx context.Context, n int) ([]Case, error) {
	cases, err := d.queryCases(ctx, d.r,
		"WHERE c.status = 'gepubliceerd' ORDER BY c.published_at DESC, c.year DESC NULLS LAST, c.id DESC LIMIT ?", n)
	if err != nil {
		return nil, fmt.Errorf("latest cases: %w", err)
	}
	return cases, nil
}

// queryer is satisfied by *sql.DB and *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryCases runs SELECT caseColumns with the given tail (WHERE/ORDER/LIMIT) and
// attaches the themes of every case found.
func (d *DB) queryCases(ctx context.Context, q queryer, tail string, args ...any) ([]Case, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+caseColumns+" "+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cases []Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := attachThemes(ctx, q, cases); err != nil {
		return nil, err
	}
	return cases, nil
}

// attachThemes fills Themes for each case with one query.
func attachThemes(ctx context.Context, q queryer, cases []Case) error {
	if len(cases) == 0 {
		return nil
	}
	byID := make(map[int64]*Case, len(cases))
	ids := make([]any, len(cases))
	for i := range cases {
		byID[cases[i].ID] = &cases[i]
		ids[i] = cases[i].ID
	}
	rows, err := q.QueryContext(ctx, `SELECT ct.case_id, t.slug, t.label, t.intro, t.when_text
		FROM case_themes ct JOIN themes t ON t.slug = ct.theme_slug
		WHERE ct.case_id IN (`+placeholders(len(ids))+`) ORDER BY t.position`, ids...)
	if err != nil {
		return fmt.Errorf("case themes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t Theme
		if err := rows.Scan(&id, &t.Slug, &t.Label, &t.Intro, &t.WhenText); err != nil {
			return fmt.Errorf("case themes: %w", err)
		}
		byID[id].Themes = append(byID[id].Themes, t)
	}
	return rows.Err()
}

// CreateCase stores a new case with its first revision and returns it. authorID
// may be nil (the seed, a program); otherwise the author must be an active editor
// whose role may create a case in in.Status (CanTransition from "").
func (d *DB) CreateCase(ctx context.Context, in CaseInput, authorID *int64) (Case, error) {
	var id int64
	err := d.write(ctx, func(tx *sql.Tx) error {
		var by *User
		if authorID != nil {
			u, err := loadActor(ctx, tx, *authorID)
			if err != nil {
				return err
			}
			if !CanTransition(u.Role, "", in.Status) {
				return ErrForbidden
			}
			by = &u
		}
		ts := now()
		var err error
		if id, err = insertCase(ctx, tx, in, authorID, ts); err != nil {
			return err
		}
		name := "systeem"
		if by != nil {
			name = by.DisplayName()
		}
		if err := writeRevision(ctx, tx, id, 1, in, by, name, "Aangemaakt", ts); err != nil {
			return err
		}
		if in.Status == StatusPublished {
			return audit(ctx, tx, by, ActionPublish, caseSubject(in), "")
		}
		return nil
	})
	if err != nil {
		return Case{}, fmt.Errorf("create case %q: %w", in.Slug, err)
	}
	d.caseChanged(ctx, id)
	return d.FindCaseByID(ctx, id)
}

func insertCase(ctx context.Context, tx *sql.Tx, in CaseInput, authorID *int64, ts string) (int64, error) {
	var published sql.NullString
	if in.Status == StatusPublished {
		published = sql.NullString{String: ts, Valid: true}
	}
	var author sql.NullInt64
	if authorID != nil {
		author = sql.NullInt64{Int64: *authorID, Valid: true}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO cases (slug, title, summary, body, body_text,
		gemeente_code, kind, year, homes, people, partners, contact, source_url, status,
		author_id, created_at, updated_at, published_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Slug, in.Title, in.Summary, in.Body, PlainText(in.Body),
		nullString(in.GemeenteCode), in.Kind, nullInt(in.Year), nullInt(in.Homes), nullInt(in.People),
		strings.Join(in.Partners, "\n"), in.Contact, in.SourceURL, in.Status,
		author, ts, ts, published)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := keepOldSlug(ctx, tx, id, "", in.Slug, false, ts); err != nil {
		return 0, err
	}
	return id, setThemes(ctx, tx, id, in.Themes)
}

func setThemes(ctx context.Context, tx *sql.Tx, id int64, themes []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM case_themes WHERE case_id = ?", id); err != nil {
		return err
	}
	for _, t := range themes {
		if _, err := tx.ExecContext(ctx,
			"INSERT OR IGNORE INTO case_themes (case_id, theme_slug) VALUES (?, ?)", id, t); err != nil {
			return fmt.Errorf("theme %q: %w", t, err)
		}
	}
	return nil
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
