package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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

// Stages of an initiative: what became of it, shown as "Status van het initiatief"
// on the site. Not to be confused with Status, the editorial workflow of a case.
const (
	StagePlan       = "plan"
	StageInProgress = "in-uitvoering"
	StageRealised   = "gerealiseerd"
	StageEnded      = "beeindigd"
	StageUnknown    = "onbekend"
)

// Stages lists the stages in display order.
var Stages = []string{StagePlan, StageInProgress, StageRealised, StageEnded, StageUnknown}

// StageLabel is the Dutch label of a stage.
func StageLabel(s string) string {
	switch s {
	case StagePlan:
		return "Plan"
	case StageInProgress:
		return "In uitvoering"
	case StageRealised:
		return "Gerealiseerd"
	case StageEnded:
		return "Beëindigd"
	case StageUnknown, "":
		return "Onbekend"
	}
	return s
}

// Target groups of a case ("doelgroep"); a case may have several.
const (
	GroupSingles  = "alleenstaanden"
	GroupFamilies = "gezinnen"
	GroupYoung    = "jongeren"
	GroupMixed    = "gemengd" // permit holders together with other groups
)

// TargetGroups lists the target groups in display order.
var TargetGroups = []string{GroupSingles, GroupFamilies, GroupYoung, GroupMixed}

// TargetGroupLabel is the Dutch label of a target group.
func TargetGroupLabel(g string) string {
	switch g {
	case GroupSingles:
		return "Alleenstaanden"
	case GroupFamilies:
		return "Gezinnen"
	case GroupYoung:
		return "Jongeren"
	case GroupMixed:
		return "Gemengd"
	}
	return g
}

// Qualifiers say what a number of homes or people means. A number is never shown
// without one: "doel: 800 woningen", "gerealiseerd: 192 woningen", "maximaal 9 personen".
const (
	QualifierTarget   = "doel"         // a target or plan
	QualifierRealised = "gerealiseerd" // built, or people housed
	QualifierMaximum  = "maximaal"     // a capacity or upper bound
)

// Qualifiers lists the qualifiers in display order.
var Qualifiers = []string{QualifierTarget, QualifierRealised, QualifierMaximum}

// QualifierLabel is the Dutch label of a qualifier, as a choice in a form.
func QualifierLabel(q string) string {
	switch q {
	case QualifierTarget:
		return "Doel"
	case QualifierRealised:
		return "Gerealiseerd"
	case QualifierMaximum:
		return "Maximaal"
	}
	return q
}

// Case is a good example ("voorbeeld").
type Case struct {
	ID           int64
	Slug         string
	Title        string
	Summary      string
	Body         string // Markdown
	GemeenteCode string // empty for regional or national cases
	GemeenteName string
	// ProvinceCode and ProvinceName are the gemeente's province, or for a case
	// without gemeente the province it belongs to (may be empty).
	ProvinceCode string
	ProvinceName string
	// RelatedGemeenten are the other gemeenten the case involves, by name.
	RelatedGemeenten []Gemeente
	// Provinces are every province the case belongs to: its own and those of its
	// related gemeenten, by name.
	Provinces       []Province
	Themes          []Theme
	Kind            string
	Year            *int
	Stage           string // StagePlan …: what became of the initiative
	StageDate       string // when a source last confirmed Stage: "2024", "2024-05", "2024-05-12" or ""
	TargetGroups    []string
	Homes           *int
	HomesQualifier  string // QualifierTarget …; "" without Homes (or for a number saved before qualifiers)
	People          *int
	PeopleQualifier string
	Financing       string // who pays what, plain text
	LessonsHard     string // Markdown: "Wat ging moeilijk"
	LessonsWorked   string // Markdown: "Wat werkte"
	Partners        []string
	Contact         string
	SourceURL       string
	SourceChecked   string // when the source was last checked: "2026-12", "2026-12-05" or ""
	Status          string
	Version         int
	AuthorID        *int64
	AuthorName      string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	PublishedAt     *time.Time // set at the first publication; for Seeded cases the install's
	// Seeded: the case came with the site's starting content (seeded_cases), so
	// PublishedAt is not an editor's publication. SeedVersion is the version the
	// seed last wrote.
	Seeded      bool
	SeedVersion int

	hasRelated bool // RelatedGemeenten are to be loaded (attachGemeenten)
}

// PublishedByEditor is when an editor first published the case: nil for a case
// of the starting content, whose publication date is merely the install's.
func (c Case) PublishedByEditor() *time.Time {
	if c.Seeded {
		return nil
	}
	return c.PublishedAt
}

// EditedAt is when the case last changed by an editor's hand: nil for a case of
// the starting content that no editor changed since the seed wrote it.
func (c Case) EditedAt() *time.Time {
	if c.Seeded && c.Version == c.SeedVersion {
		return nil
	}
	t := c.UpdatedAt
	return &t
}

// CaseInput holds every field an editor sets on a case.
// It is also the content of a revision, stored as JSON: keep the tags stable.
// Revisions written before the case model had the fields from RelatedGemeenten on
// lack them (see Revision.Legacy).
type CaseInput struct {
	Slug             string   `json:"slug"`
	Title            string   `json:"title"`
	Summary          string   `json:"summary"`
	Body             string   `json:"body"`
	GemeenteCode     string   `json:"gemeente_code"`
	Themes           []string `json:"themes"`
	Kind             string   `json:"kind"`
	Year             *int     `json:"year"`
	Homes            *int     `json:"homes"`
	People           *int     `json:"people"`
	Partners         []string `json:"partners"`
	Contact          string   `json:"contact"`
	SourceURL        string   `json:"source_url"`
	Status           string   `json:"status"`
	RelatedGemeenten []string `json:"related_gemeente_codes"`
	ProvinceCode     string   `json:"province_code"` // only without GemeenteCode
	Stage            string   `json:"initiative_status"`
	StageDate        string   `json:"status_date"`
	TargetGroups     []string `json:"target_groups"`
	HomesQualifier   string   `json:"homes_qualifier"`
	PeopleQualifier  string   `json:"people_qualifier"`
	Financing        string   `json:"financing"`
	LessonsHard      string   `json:"lessons_hard"`
	LessonsWorked    string   `json:"lessons_worked"`
	SourceChecked    string   `json:"source_checked"`
}

// legacyKey is a key every revision written since the richer case model has;
// revisions without it were written before and lack all of its fields.
const legacyKey = "initiative_status"

// normalize puts the input in the one form it is stored in: an unknown stage is
// StageUnknown, a qualifier goes with its number, a province only without a
// gemeente, related gemeenten and target groups without repeats (target groups in
// display order), and the case's own gemeente is not among its related ones.
func (in *CaseInput) normalize() {
	if in.Stage == "" {
		in.Stage = StageUnknown
	}
	if in.Homes == nil {
		in.HomesQualifier = ""
	}
	if in.People == nil {
		in.PeopleQualifier = ""
	}
	if in.GemeenteCode != "" {
		in.ProvinceCode = ""
	}
	var related []string
	for _, g := range in.RelatedGemeenten {
		if g != "" && g != in.GemeenteCode && !slices.Contains(related, g) {
			related = append(related, g)
		}
	}
	in.RelatedGemeenten = related
	var groups []string
	for _, g := range TargetGroups {
		if slices.Contains(in.TargetGroups, g) {
			groups = append(groups, g)
		}
	}
	for _, g := range in.TargetGroups {
		if !slices.Contains(TargetGroups, g) && !slices.Contains(groups, g) {
			groups = append(groups, g) // unknown: kept, so the database refuses it
		}
	}
	in.TargetGroups = groups
}

// Input is the case's content as an editor would set it.
func (c Case) Input() CaseInput {
	in := CaseInput{
		Slug: c.Slug, Title: c.Title, Summary: c.Summary, Body: c.Body,
		GemeenteCode: c.GemeenteCode, Kind: c.Kind, Year: c.Year, Homes: c.Homes, People: c.People,
		Partners: c.Partners, Contact: c.Contact, SourceURL: c.SourceURL, Status: c.Status,
		Stage: c.Stage, StageDate: c.StageDate, TargetGroups: c.TargetGroups,
		HomesQualifier: c.HomesQualifier, PeopleQualifier: c.PeopleQualifier,
		Financing: c.Financing, LessonsHard: c.LessonsHard, LessonsWorked: c.LessonsWorked,
		SourceChecked: c.SourceChecked,
	}
	if c.GemeenteCode == "" {
		in.ProvinceCode = c.ProvinceCode
	}
	for _, t := range c.Themes {
		in.Themes = append(in.Themes, t.Slug)
	}
	for _, g := range c.RelatedGemeenten {
		in.RelatedGemeenten = append(in.RelatedGemeenten, g.Code)
	}
	return in
}

// caseColumns is the column list scanned by scanCase.
const caseColumns = `c.id, c.slug, c.title, c.summary, c.body, coalesce(c.gemeente_code, ''),
	coalesce(g.name, ''), coalesce(p.code, ''), coalesce(p.name, ''),
	c.kind, c.year, c.homes, c.people, c.partners, c.contact, c.source_url, c.status,
	c.version, c.author_id, coalesce(u.name, u.email, ''), c.created_at, c.updated_at, c.published_at,
	c.stage, c.stage_date, c.target_groups, coalesce(c.homes_qualifier, ''), coalesce(c.people_qualifier, ''),
	c.financing, c.lessons_hard, c.lessons_worked, c.source_checked, s.case_id IS NOT NULL, coalesce(s.version, 0),
	EXISTS (SELECT 1 FROM case_gemeenten cg WHERE cg.case_id = c.id)
	FROM cases c
	LEFT JOIN gemeenten g ON g.code = c.gemeente_code
	LEFT JOIN provinces p ON p.code = coalesce(g.province_code, c.province_code)
	LEFT JOIN users u ON u.id = c.author_id
	LEFT JOIN seeded_cases s ON s.case_id = c.id`

func scanCase(s rowScanner) (Case, error) {
	var (
		c                   Case
		year, homes, people sql.NullInt64
		author              sql.NullInt64
		partners, groups    string
		created, updated    string
		published           sql.NullString
	)
	err := s.Scan(&c.ID, &c.Slug, &c.Title, &c.Summary, &c.Body, &c.GemeenteCode,
		&c.GemeenteName, &c.ProvinceCode, &c.ProvinceName,
		&c.Kind, &year, &homes, &people, &partners, &c.Contact, &c.SourceURL, &c.Status,
		&c.Version, &author, &c.AuthorName, &created, &updated, &published,
		&c.Stage, &c.StageDate, &groups, &c.HomesQualifier, &c.PeopleQualifier,
		&c.Financing, &c.LessonsHard, &c.LessonsWorked, &c.SourceChecked, &c.Seeded, &c.SeedVersion, &c.hasRelated)
	if err != nil {
		return Case{}, err
	}
	c.Year, c.Homes, c.People = intPtr(year), intPtr(homes), intPtr(people)
	if author.Valid {
		c.AuthorID = &author.Int64
	}
	c.Partners = Lines(partners)
	c.TargetGroups = strings.Fields(groups)
	c.CreatedAt, _ = time.Parse(time.RFC3339, created)
	c.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	c.PublishedAt = timeOrNil(published)
	if c.ProvinceCode != "" {
		c.Provinces = []Province{{Code: c.ProvinceCode, Name: c.ProvinceName}}
	}
	return c, nil
}

// FindCaseBySlug returns the case with the given slug, whatever its status.
func (d *DB) FindCaseBySlug(ctx context.Context, slug string) (Case, error) {
	return d.findCase(ctx, fmt.Sprintf("find case %q", slug), "WHERE c.slug = ?", slug)
}

// FindCaseByID returns the case with the given id, whatever its status.
func (d *DB) FindCaseByID(ctx context.Context, id int64) (Case, error) {
	return d.findCase(ctx, fmt.Sprintf("find case %d", id), "WHERE c.id = ?", id)
}

// findCase returns the one case that where (with arg) selects, or ErrNotFound;
// what names the lookup in errors.
func (d *DB) findCase(ctx context.Context, what, where string, arg any) (Case, error) {
	cases, err := queryCases(ctx, d.r, where, arg)
	if err == nil && len(cases) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Case{}, fmt.Errorf("%s: %w", what, err)
	}
	return cases[0], nil
}

// LatestCases returns the first n published cases in the library's "newest"
// order: the latest editors' publications, then the starting content by year.
func (d *DB) LatestCases(ctx context.Context, n int) ([]Case, error) {
	res, err := d.FindCases(ctx, CaseFilter{Sort: SortNewest, PerPage: n})
	if err != nil {
		return nil, fmt.Errorf("latest cases: %w", err)
	}
	out := make([]Case, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Case
	}
	return out, nil
}

// queryer is satisfied by *sql.DB and *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryCases runs SELECT caseColumns with the given tail (WHERE/ORDER/LIMIT) and
// attaches the themes of every case found.
func queryCases(ctx context.Context, q queryer, tail string, args ...any) ([]Case, error) {
	cases, err := queryAll(ctx, q, "query cases", scanCase, "SELECT "+caseColumns+" "+tail, args...)
	if err != nil {
		return nil, err
	}
	if err := attachThemes(ctx, q, cases); err != nil {
		return nil, err
	}
	if err := attachGemeenten(ctx, q, cases); err != nil {
		return nil, err
	}
	return cases, nil
}

// attachThemes fills Themes for each case with one query: slug and label, what
// cases show of their themes (the theme pages read the explanation texts, which
// made this query seven times slower when it read them too).
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
	rows, err := q.QueryContext(ctx, `SELECT ct.case_id, t.slug, t.label
		FROM case_themes ct JOIN themes t ON t.slug = ct.theme_slug
		WHERE ct.case_id IN (`+placeholders(len(ids))+`) ORDER BY t.position`, ids...)
	if err != nil {
		return fmt.Errorf("case themes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t Theme
		if err := rows.Scan(&id, &t.Slug, &t.Label); err != nil {
			return fmt.Errorf("case themes: %w", err)
		}
		byID[id].Themes = append(byID[id].Themes, t)
	}
	return rows.Err()
}

// attachGemeenten fills RelatedGemeenten, and the Provinces they add, for each
// case with one query.
func attachGemeenten(ctx context.Context, q queryer, cases []Case) error {
	if len(cases) == 0 {
		return nil
	}
	byID := make(map[int64]*Case, len(cases))
	var ids []any
	for i := range cases {
		if cases[i].hasRelated {
			byID[cases[i].ID] = &cases[i]
			ids = append(ids, cases[i].ID)
		}
	}
	if len(ids) == 0 {
		return nil // most pages: no query
	}
	rows, err := q.QueryContext(ctx, `SELECT cg.case_id, `+gemeenteColumns+`
		JOIN case_gemeenten cg ON cg.gemeente_code = g.code
		WHERE cg.case_id IN (`+placeholders(len(ids))+`) ORDER BY g.name`, ids...)
	if err != nil {
		return fmt.Errorf("case gemeenten: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id int64
			g  Gemeente
		)
		if err := rows.Scan(&id, &g.Code, &g.Name, &g.ProvinceCode, &g.ProvinceName, &g.Population); err != nil {
			return fmt.Errorf("case gemeenten: %w", err)
		}
		c := byID[id]
		c.RelatedGemeenten = append(c.RelatedGemeenten, g)
		if !slices.ContainsFunc(c.Provinces, func(p Province) bool { return p.Code == g.ProvinceCode }) {
			c.Provinces = append(c.Provinces, Province{Code: g.ProvinceCode, Name: g.ProvinceName})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("case gemeenten: %w", err)
	}
	for _, c := range byID {
		slices.SortFunc(c.Provinces, func(a, b Province) int { return strings.Compare(a.Name, b.Name) })
	}
	return nil
}

// CreateCase stores a new case with its first revision and returns it. authorID
// may be nil (the seed, a program); otherwise the author must be an active editor
// whose role may create a case in in.Status (CanTransition from "").
func (d *DB) CreateCase(ctx context.Context, in CaseInput, authorID *int64) (Case, error) {
	var id int64
	at := d.Now()
	err := d.write(ctx, func(tx *sql.Tx) error {
		var by *User
		if authorID != nil {
			u, err := loadActor(ctx, tx, *authorID)
			if err != nil {
				return err
			}
			if !CanTransition(u.Role, "", in.Status) {
				return &TransitionError{From: "", To: in.Status}
			}
			by = &u
		}
		ts := timestamp(at)
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
			return audit(ctx, tx, at, by, ActionPublish, caseSubject(in), "")
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
	in.normalize()
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
		author_id, created_at, updated_at, published_at,
		stage, stage_date, target_groups, homes_qualifier, people_qualifier,
		financing, lessons_hard, lessons_worked, province_code, source_checked)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Slug, in.Title, in.Summary, in.Body, PlainText(in.Body),
		nullString(in.GemeenteCode), in.Kind, nullInt(in.Year), nullInt(in.Homes), nullInt(in.People),
		strings.Join(in.Partners, "\n"), in.Contact, in.SourceURL, in.Status,
		author, ts, ts, published,
		in.Stage, in.StageDate, strings.Join(in.TargetGroups, " "), nullString(in.HomesQualifier), nullString(in.PeopleQualifier),
		in.Financing, in.LessonsHard, in.LessonsWorked, nullString(in.ProvinceCode), in.SourceChecked)
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
	if err := setCaseLinks(ctx, tx, id, in); err != nil {
		return 0, err
	}
	return id, indexCase(ctx, tx, id)
}

// updateCaseRow writes in over case id if it is still at version, moving it to the
// next version. It reports ErrConflict when the version moved on meanwhile.
func updateCaseRow(ctx context.Context, tx *sql.Tx, id int64, version int, in CaseInput, ts string, published sql.NullString) error {
	in.normalize()
	res, err := tx.ExecContext(ctx, `UPDATE cases SET slug = ?, title = ?, summary = ?, body = ?, body_text = ?,
		gemeente_code = ?, kind = ?, year = ?, homes = ?, people = ?, partners = ?, contact = ?, source_url = ?,
		status = ?, version = version + 1, updated_at = ?, published_at = ?,
		stage = ?, stage_date = ?, target_groups = ?, homes_qualifier = ?, people_qualifier = ?,
		financing = ?, lessons_hard = ?, lessons_worked = ?, province_code = ?, source_checked = ?
		WHERE id = ? AND version = ?`,
		in.Slug, in.Title, in.Summary, in.Body, PlainText(in.Body),
		nullString(in.GemeenteCode), in.Kind, nullInt(in.Year), nullInt(in.Homes), nullInt(in.People),
		strings.Join(in.Partners, "\n"), in.Contact, in.SourceURL, in.Status, ts, published,
		in.Stage, in.StageDate, strings.Join(in.TargetGroups, " "), nullString(in.HomesQualifier), nullString(in.PeopleQualifier),
		in.Financing, in.LessonsHard, in.LessonsWorked, nullString(in.ProvinceCode), in.SourceChecked,
		id, version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrConflict
	}
	if err := setCaseLinks(ctx, tx, id, in); err != nil {
		return err
	}
	return indexCase(ctx, tx, id)
}

// setCaseLinks replaces the case's rows in its link tables: its themes and its
// related gemeenten.
func setCaseLinks(ctx context.Context, tx *sql.Tx, id int64, in CaseInput) error {
	if err := setLinks(ctx, tx, "theme", "case_themes", "theme_slug", id, in.Themes); err != nil {
		return err
	}
	return setLinks(ctx, tx, "related gemeente", "case_gemeenten", "gemeente_code", id, in.RelatedGemeenten)
}

// setLinks replaces the rows (case_id, column) of case id in a link table with
// one row a value; what names a value in errors. table and column are names
// written in this file, never input.
func setLinks(ctx context.Context, tx *sql.Tx, what, table, column string, id int64, values []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE case_id = ?", id); err != nil {
		return err
	}
	insert := "INSERT OR IGNORE INTO " + table + " (case_id, " + column + ") VALUES (?, ?)"
	for _, v := range values {
		if _, err := tx.ExecContext(ctx, insert, id, v); err != nil {
			return fmt.Errorf("%s %q: %w", what, v, err)
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
