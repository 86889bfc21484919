package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The workflow of a case, in one place.
//
//	concept ──▶ ingediend ──▶ gepubliceerd ──▶ gearchiveerd
//	   ▲  ◀──────  │  ╲_____________________________▲ (afwijzen)
//	   └───────────┴─────────────────── (beheerder) ┘
//
// Every editor (redacteur or beheerder) may write a case as concept, offer it for
// review (ingediend) or send it back, publish it from concept or ingediend (a
// redacteur moderates and publishes), archive it from any status (withdrawing a
// publication, or rejecting a suggestion with a note), and edit it without changing
// its status. Only a beheerder may take a case out of the archive again (to concept
// or straight to gepubliceerd): the archive holds what was rejected or withdrawn on
// purpose. A new case starts as concept, ingediend or gepubliceerd, never archived.
var transitions = map[string][]string{
	"":              {StatusDraft, StatusSubmitted, StatusPublished},
	StatusDraft:     {StatusSubmitted, StatusPublished, StatusArchived},
	StatusSubmitted: {StatusDraft, StatusPublished, StatusArchived},
	StatusPublished: {StatusDraft, StatusArchived},
	StatusArchived:  {},
}

var adminTransitions = map[string][]string{
	StatusArchived: {StatusDraft, StatusPublished},
}

// CanTransition reports whether role may move a case from status from ("" for a
// new case) to status to. Staying in the same status is always allowed.
func CanTransition(role, from, to string) bool {
	if role != RoleEditor && role != RoleAdmin {
		return false
	}
	if from == to && from != "" {
		return true
	}
	if slices.Contains(transitions[from], to) {
		return true
	}
	return role == RoleAdmin && slices.Contains(adminTransitions[from], to)
}

// AllowedStatuses lists, in workflow order, the statuses role may give a case that
// is now in status from (including from itself).
func AllowedStatuses(role, from string) []string {
	var out []string
	for _, s := range Statuses {
		if CanTransition(role, from, s) {
			out = append(out, s)
		}
	}
	return out
}

// StatusLabel is the Dutch label of a status.
func StatusLabel(s string) string {
	switch s {
	case StatusDraft:
		return "Concept"
	case StatusSubmitted:
		return "Ingediend"
	case StatusPublished:
		return "Gepubliceerd"
	case StatusArchived:
		return "Gearchiveerd"
	}
	return s
}

// CaseUpdate is an editor's change to an existing case (UpdateCase).
type CaseUpdate struct {
	// Version is the version the editor started from: when the case changed
	// since, nothing is written and the save gives ErrConflict (optimistic locking).
	Version int
	Input   CaseInput // the new content, with the new status
	Note    string    // for the history; rejecting a tip needs one (ErrNoteRequired)
}

// StatusUpdate moves an existing case to another status, keeping its content
// (SetCaseStatus). Version and Note mean what they mean in CaseUpdate.
type StatusUpdate struct {
	Version int
	Status  string
	Note    string
}

// MaxNoteRunes is the longest note a change of a case may carry.
const MaxNoteRunes = 500

var (
	// ErrNoteRequired: rejecting a tip (ingediend → gearchiveerd) needs a note
	// saying why, for the history and the audit log.
	ErrNoteRequired = errors.New("a rejected tip needs a note")
	// ErrNoteTooLong: a note longer than MaxNoteRunes.
	ErrNoteTooLong = errors.New("note too long")
)

// TransitionError is a change of status that the editor's role may not make
// (CanTransition). It is ErrForbidden for errors.Is.
type TransitionError struct{ From, To string }

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s: status %q to %q", ErrForbidden, e.From, e.To)
}

// Is makes errors.Is(err, ErrForbidden) true.
func (e *TransitionError) Is(target error) bool { return target == ErrForbidden }

// UpdateCase saves an editor's change to case id. A status change the editor's
// role may not make gives a *TransitionError; a case that changed since the
// editor started gives ErrConflict. The save, its revision and its audit entry are
// one transaction; the library sees the result at once.
func (d *DB) UpdateCase(ctx context.Context, id int64, upd CaseUpdate, by User) (Case, error) {
	at := d.Now()
	err := d.write(ctx, func(tx *sql.Tx) error {
		return updateCase(ctx, tx, caseChange{id: id, version: upd.Version, in: upd.Input, by: by, note: upd.Note, at: at})
	})
	if err != nil {
		return Case{}, fmt.Errorf("update case %d: %w", id, err)
	}
	d.caseChanged(ctx, id)
	return d.FindCaseByID(ctx, id)
}

// SetCaseStatus moves case id to another status, keeping its content: publishing,
// rejecting (to gearchiveerd, with a note) and the like from the moderation queue.
func (d *DB) SetCaseStatus(ctx context.Context, id int64, upd StatusUpdate, by User) (Case, error) {
	at := d.Now()
	err := d.write(ctx, func(tx *sql.Tx) error {
		cur, err := caseInTx(ctx, tx, id)
		if err != nil {
			return err
		}
		in := cur.Input()
		in.Status = upd.Status
		return updateCase(ctx, tx, caseChange{id: id, version: upd.Version, in: in, by: by, note: upd.Note, at: at})
	})
	if err != nil {
		return Case{}, fmt.Errorf("set status of case %d: %w", id, err)
	}
	d.caseChanged(ctx, id)
	return d.FindCaseByID(ctx, id)
}

// RestoreRevision makes the content of an older revision the case's content again,
// as a new revision. The status stays what it is now: restoring text never
// publishes or withdraws a case by itself.
func (d *DB) RestoreRevision(ctx context.Context, id int64, revision, version int, by User) (Case, error) {
	at := d.Now()
	err := d.write(ctx, func(tx *sql.Tx) error {
		rev, err := findRevision(ctx, tx, id, revision)
		if err != nil {
			return err
		}
		var status string
		if err := tx.QueryRowContext(ctx, "SELECT status FROM cases WHERE id = ?", id).Scan(&status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		in := rev.Content
		in.Status = status
		if rev.Legacy {
			// The revision predates the fields of the richer case model: it says
			// nothing about them, so they keep what the case has now.
			cur, err := caseInTx(ctx, tx, id)
			if err != nil {
				return err
			}
			in = in.withModelFieldsOf(cur.Input())
		}
		return updateCase(ctx, tx, caseChange{id: id, version: version, in: in, by: by,
			note: fmt.Sprintf("Versie %d teruggezet", revision), action: ActionRestore, at: at})
	})
	if err != nil {
		return Case{}, fmt.Errorf("restore case %d to revision %d: %w", id, revision, err)
	}
	d.caseChanged(ctx, id)
	return d.FindCaseByID(ctx, id)
}

func caseInTx(ctx context.Context, tx *sql.Tx, id int64) (Case, error) {
	cases, err := queryCases(ctx, tx, "WHERE c.id = ?", id)
	if err != nil {
		return Case{}, err
	}
	if len(cases) == 0 {
		return Case{}, ErrNotFound
	}
	return cases[0], nil
}

// caseChange is one change to an existing case, inside its write (updateCase).
type caseChange struct {
	id      int64
	version int // the version the editor started from
	in      CaseInput
	by      User
	note    string
	action  string // audited besides any status change; "" for none
	at      time.Time
}

// updateCase is the one write path for a change to an existing case, and the one
// place that holds it to the workflow's rules: the role's transitions
// (CanTransition) and a note for every rejected tip.
func updateCase(ctx context.Context, tx *sql.Tx, ch caseChange) error {
	id, in, note := ch.id, ch.in, ch.note
	actor, err := loadActor(ctx, tx, ch.by.ID)
	if err != nil {
		return err
	}
	var (
		from, oldSlug string
		published     sql.NullString
	)
	err = tx.QueryRowContext(ctx, "SELECT status, published_at, slug FROM cases WHERE id = ?", id).Scan(&from, &published, &oldSlug)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if !CanTransition(actor.Role, from, in.Status) {
		return &TransitionError{From: from, To: in.Status}
	}
	rejecting := from == StatusSubmitted && in.Status == StatusArchived
	switch {
	case utf8.RuneCountInString(note) > MaxNoteRunes:
		return ErrNoteTooLong
	case rejecting && strings.TrimSpace(note) == "":
		return ErrNoteRequired
	}
	ts := timestamp(ch.at)
	// The first publication date stays: republishing after a withdrawal does not
	// make an old case "new".
	if in.Status == StatusPublished && !published.Valid {
		published = sql.NullString{String: ts, Valid: true}
	}
	if err := updateCaseRow(ctx, tx, id, ch.version, in, ts, published); err != nil {
		return err // ErrConflict: the row exists (read above), someone saved in between
	}
	if err := keepOldSlug(ctx, tx, id, oldSlug, in.Slug, published.Valid, ts); err != nil {
		return err
	}
	if err := writeRevision(ctx, tx, id, ch.version+1, in, &actor, actor.DisplayName(), note, ts); err != nil {
		return err
	}
	subject := caseSubject(in)
	if ch.action != "" {
		if err := audit(ctx, tx, ch.at, &actor, ch.action, subject, note); err != nil {
			return err
		}
	}
	if from == in.Status {
		return nil
	}
	if from == StatusSubmitted && (in.Status == StatusPublished || in.Status == StatusArchived) {
		// The tip is handled: its sender's contact details go (privacy statement).
		if err := forgetTipper(ctx, tx, id, ch.at); err != nil {
			return err
		}
	}
	switch {
	case in.Status == StatusPublished:
		return audit(ctx, tx, ch.at, &actor, ActionPublish, subject, note)
	case rejecting:
		return audit(ctx, tx, ch.at, &actor, ActionReject, subject, note)
	case from == StatusPublished:
		return audit(ctx, tx, ch.at, &actor, ActionUnpublish, subject, note)
	}
	return nil
}

func caseSubject(in CaseInput) string { return in.Title + " (/voorbeelden/" + in.Slug + ")" }

// Revision is one saved state of a case.
type Revision struct {
	ID         int64
	CaseID     int64
	Version    int
	Status     string
	EditorID   *int64
	EditorName string
	Note       string
	CreatedAt  time.Time
	Content    CaseInput
	// Legacy: written before the case model had a stage, target groups, qualified
	// numbers, financing, lessons, related gemeenten, a province and a source
	// check. Content holds those as empty (the stage as StageUnknown).
	Legacy bool
}

// withModelFieldsOf returns in with the fields that legacy revisions lack taken
// from other.
func (in CaseInput) withModelFieldsOf(other CaseInput) CaseInput {
	in.RelatedGemeenten, in.ProvinceCode = other.RelatedGemeenten, other.ProvinceCode
	in.Stage, in.StageDate, in.TargetGroups = other.Stage, other.StageDate, other.TargetGroups
	in.HomesQualifier, in.PeopleQualifier = other.HomesQualifier, other.PeopleQualifier
	in.Financing, in.LessonsHard, in.LessonsWorked = other.Financing, other.LessonsHard, other.LessonsWorked
	in.SourceChecked = other.SourceChecked
	return in
}

// decodeRevision reads a revision's content, old or new.
func decodeRevision(content string) (CaseInput, bool, error) {
	var (
		in   CaseInput
		keys map[string]json.RawMessage
	)
	if err := json.Unmarshal([]byte(content), &in); err != nil {
		return CaseInput{}, false, err
	}
	if err := json.Unmarshal([]byte(content), &keys); err != nil {
		return CaseInput{}, false, err
	}
	_, current := keys[legacyKey]
	in.normalize()
	return in, !current, nil
}

func writeRevision(ctx context.Context, tx *sql.Tx, caseID int64, version int, in CaseInput, by *User, name, note, ts string) error {
	in.normalize()
	content, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("revision: %w", err)
	}
	var editor sql.NullInt64
	if by != nil && by.ID != 0 {
		editor = sql.NullInt64{Int64: by.ID, Valid: true}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO case_revisions (case_id, version, status, editor_id, editor_name, note, content, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, caseID, version, in.Status, editor, name, note, string(content), ts)
	if err != nil {
		return fmt.Errorf("revision %d of case %d: %w", version, caseID, err)
	}
	return nil
}

const revisionColumns = `id, case_id, version, status, editor_id, editor_name, note, content, created_at FROM case_revisions`

func scanRevision(s rowScanner) (Revision, error) {
	var (
		r       Revision
		editor  sql.NullInt64
		content string
		created string
	)
	if err := s.Scan(&r.ID, &r.CaseID, &r.Version, &r.Status, &editor, &r.EditorName, &r.Note, &content, &created); err != nil {
		return Revision{}, err
	}
	if editor.Valid {
		r.EditorID = &editor.Int64
	}
	r.CreatedAt, _ = time.Parse(time.RFC3339, created)
	var err error
	if r.Content, r.Legacy, err = decodeRevision(content); err != nil {
		return Revision{}, fmt.Errorf("revision %d: %w", r.ID, err)
	}
	return r, nil
}

// Revisions lists the revisions of a case, newest first.
func (d *DB) Revisions(ctx context.Context, caseID int64) ([]Revision, error) {
	return queryAll(ctx, d.r, fmt.Sprintf("revisions of case %d", caseID), scanRevision,
		"SELECT "+revisionColumns+" WHERE case_id = ? ORDER BY version DESC", caseID)
}

// FindRevision returns one revision of a case.
func (d *DB) FindRevision(ctx context.Context, caseID int64, version int) (Revision, error) {
	r, err := findRevision(ctx, d.r, caseID, version)
	if err != nil {
		return Revision{}, fmt.Errorf("revision %d of case %d: %w", version, caseID, err)
	}
	return r, nil
}

func findRevision(ctx context.Context, q rowQueryer, caseID int64, version int) (Revision, error) {
	r, err := scanRevision(q.QueryRowContext(ctx, "SELECT "+revisionColumns+" WHERE case_id = ? AND version = ?", caseID, version))
	if errors.Is(err, sql.ErrNoRows) {
		return Revision{}, ErrNotFound
	}
	return r, err
}

// RecentChange is a revision with the title of its case, for the dashboard.
type RecentChange struct {
	Revision
	Title string
}

// RecentChanges lists the n most recently changed cases, one line per case: its
// latest revision (whose version tells how many saves it has had).
func (d *DB) RecentChanges(ctx context.Context, n int) ([]RecentChange, error) {
	return queryAll(ctx, d.r, "recent changes", func(s rowScanner) (RecentChange, error) {
		var (
			rc      RecentChange
			editor  sql.NullInt64
			created string
		)
		if err := s.Scan(&rc.ID, &rc.CaseID, &rc.Version, &rc.Status, &editor, &rc.EditorName, &rc.Note,
			&created, &rc.Title); err != nil {
			return RecentChange{}, err
		}
		rc.CreatedAt, _ = time.Parse(time.RFC3339, created)
		if editor.Valid {
			rc.EditorID = &editor.Int64
		}
		return rc, nil
	}, `SELECT r.id, r.case_id, r.version, r.status, r.editor_id, r.editor_name, r.note,
		r.created_at, c.title FROM cases c JOIN case_revisions r ON r.case_id = c.id AND r.version = c.version
		ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`, n)
}

// EditorCaseFilter selects cases of any status for the editors' list.
type EditorCaseFilter struct {
	Query    string // words in title, summary, body, gemeente or partners
	Status   string // "" for all
	AuthorID int64  // 0 for all; NoAuthor for cases without an author (tips, the seed)
	Gemeente string // CBS code; "" for all, NoGemeente for regional or national cases
	Oldest   bool   // oldest change first (the moderation queue)
	Page     int
	PerPage  int
}

// Special values of EditorCaseFilter.AuthorID and .Gemeente.
const (
	NoAuthor   = -1
	NoGemeente = "-"
)

// FindEditorCases returns one page of cases for editors, most recently changed
// first, and the number that match.
func (d *DB) FindEditorCases(ctx context.Context, f EditorCaseFilter) ([]Case, int, error) {
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	f.Page = max(1, f.Page)
	var (
		where []string
		args  []any
	)
	if f.Status != "" {
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	}
	switch {
	case f.AuthorID == NoAuthor:
		where = append(where, "c.author_id IS NULL")
	case f.AuthorID > 0:
		where, args = append(where, "c.author_id = ?"), append(args, f.AuthorID)
	}
	switch f.Gemeente {
	case "":
	case NoGemeente:
		where = append(where, "c.gemeente_code IS NULL")
	default:
		where, args = append(where, "c.gemeente_code = ?"), append(args, f.Gemeente)
	}
	if strings.TrimSpace(f.Query) != "" {
		match := matchQuery(f.Query)
		if match == "" {
			return nil, 0, nil
		}
		where = append(where, "c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)")
		args = append(args, match)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM cases c "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("find editor cases: %w", err)
	}
	order := "c.updated_at DESC, c.id DESC"
	if f.Oldest {
		order = "c.updated_at, c.id"
	}
	cases, err := queryCases(ctx, d.r, cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find editor cases: %w", err)
	}
	return cases, total, nil
}

// CaseAuthor is an account that wrote cases, for the editors' filter.
type CaseAuthor struct {
	ID    int64
	Name  string
	Cases int
}

// CaseFilterChoices are what the editors' case list filters on: the accounts
// that wrote cases and the gemeenten that have cases of any status, each by name.
type CaseFilterChoices struct {
	Authors   []CaseAuthor
	Gemeenten []Gemeente
}

// CaseFilterChoices reads both lists in one read transaction, so they agree.
func (d *DB) CaseFilterChoices(ctx context.Context) (CaseFilterChoices, error) {
	var ch CaseFilterChoices
	err := d.read(ctx, func(tx *sql.Tx) (err error) {
		ch.Authors, err = queryAll(ctx, tx, "case authors", func(s rowScanner) (CaseAuthor, error) {
			var a CaseAuthor
			err := s.Scan(&a.ID, &a.Name, &a.Cases)
			return a, err
		}, `SELECT u.id, CASE WHEN u.name <> '' THEN u.name ELSE u.email END, count(*)
			FROM cases c JOIN users u ON u.id = c.author_id GROUP BY u.id ORDER BY 2 COLLATE NOCASE`)
		if err != nil {
			return err
		}
		ch.Gemeenten, err = queryAll(ctx, tx, "case gemeenten", scanGemeente,
			"SELECT "+gemeenteColumns+" WHERE g.code IN (SELECT gemeente_code FROM cases) ORDER BY g.name")
		return err
	})
	if err != nil {
		return CaseFilterChoices{}, fmt.Errorf("case filter choices: %w", err)
	}
	return ch, nil
}

// WaitingCount is the number of cases waiting for review (ingediend): the
// editors' menu shows it on every page.
func (d *DB) WaitingCount(ctx context.Context) (int, error) {
	var n int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE status = 'ingediend'").Scan(&n); err != nil {
		return 0, fmt.Errorf("waiting count: %w", err)
	}
	return n, nil
}

// StatusCounts returns the number of cases per status.
func (d *DB) StatusCounts(ctx context.Context) (map[string]int, error) {
	return queryMap(ctx, d.r, "status counts", func(s rowScanner) (status string, n int, err error) {
		err = s.Scan(&status, &n)
		return status, n, err
	}, "SELECT status, count(*) FROM cases GROUP BY status")
}

// SlugTaken reports whether another case than except (0: none) uses slug.
func (d *DB) SlugTaken(ctx context.Context, slug string, except int64) (bool, error) {
	var n int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE slug = ? AND id <> ?", slug, except).Scan(&n); err != nil {
		return false, fmt.Errorf("slug taken %q: %w", slug, err)
	}
	return n > 0, nil
}

// FreeSlug returns base, or base-2, base-3 … whichever no other case than except uses.
func (d *DB) FreeSlug(ctx context.Context, base string, except int64) (string, error) {
	if base == "" {
		base = "voorbeeld"
	}
	slug := base
	for i := 2; ; i++ {
		taken, err := d.SlugTaken(ctx, slug, except)
		if err != nil || !taken {
			return slug, err
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

// maxSlugLen keeps slugs readable in a URL.
const maxSlugLen = 80

// Slugify turns a title into a slug: lower case, accents dropped, words joined by
// hyphens ("Café in 's-Hertogenbosch" → "cafe-in-s-hertogenbosch").
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(title) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > maxSlugLen {
		s = strings.TrimRight(s[:maxSlugLen], "-")
		if i := strings.LastIndexByte(s, '-'); i > maxSlugLen/2 {
			s = s[:i]
		}
	}
	return s
}

// Tipper is who suggested a case through /tip; never shown publicly.
type Tipper struct {
	Name      string
	Email     string
	CreatedAt time.Time
}

// CreateSuggestion stores a visitor's suggestion as a case in status ingediend,
// with the tipper's contact apart from the case. Nothing is published.
func (d *DB) CreateSuggestion(ctx context.Context, in CaseInput, tipper Tipper) (Case, error) {
	in.Status = StatusSubmitted
	var id int64
	at := d.Now()
	err := d.write(ctx, func(tx *sql.Tx) error {
		ts := timestamp(at)
		slug, err := freeSlugTx(ctx, tx, in.Slug)
		if err != nil {
			return err
		}
		in.Slug = slug
		if id, err = insertCase(ctx, tx, in, nil, ts); err != nil {
			return err
		}
		if err := forgetTipper(ctx, tx, 0, at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO case_tippers (case_id, name, email, created_at) VALUES (?, ?, ?, ?)",
			id, tipper.Name, NormalizeEmail(tipper.Email), ts); err != nil {
			return err
		}
		return writeRevision(ctx, tx, id, 1, in, nil, "tip van een bezoeker", "Ingestuurd via het tipformulier", ts)
	})
	if err != nil {
		return Case{}, fmt.Errorf("create suggestion: %w", err)
	}
	return d.FindCaseByID(ctx, id)
}

// freeSlugTx is FreeSlug inside a write, so two suggestions with the same title
// cannot both take the same slug.
func freeSlugTx(ctx context.Context, tx *sql.Tx, base string) (string, error) {
	if base == "" {
		base = "tip"
	}
	slug := base
	for i := 2; ; i++ {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE slug = ?", slug).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return slug, nil
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

// TipperRetention is how long a tipper's contact details are kept at most; they go
// sooner, as soon as an editor publishes or rejects the tip.
const TipperRetention = 183 * 24 * time.Hour

// forgetTipper removes the contact details of case id's tipper (0: none), and of
// every tip older than TipperRetention at time at.
func forgetTipper(ctx context.Context, tx *sql.Tx, id int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM case_tippers WHERE case_id = ? OR created_at < ?",
		id, timestamp(at.Add(-TipperRetention)))
	return err
}

// FindTipper returns who suggested case id, or ErrNotFound when an editor wrote it.
func (d *DB) FindTipper(ctx context.Context, caseID int64) (Tipper, error) {
	var (
		t       Tipper
		created string
	)
	err := d.r.QueryRowContext(ctx, "SELECT name, email, created_at FROM case_tippers WHERE case_id = ?", caseID).
		Scan(&t.Name, &t.Email, &created)
	if err != nil {
		return Tipper{}, lookupErr(err, fmt.Sprintf("tipper of case %d", caseID))
	}
	t.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return t, nil
}

// UpdateTheme changes the explanation texts of a theme (its intro and when it
// helps), shown on the theme pages. version is the version the editor started
// from: when someone saved the texts since, nothing changes and ErrConflict is
// returned (optimistic locking, as for cases).
func (d *DB) UpdateTheme(ctx context.Context, slug string, version int, intro, when string, by User) (Theme, error) {
	at := d.Now()
	err := d.write(ctx, func(tx *sql.Tx) error {
		actor, err := loadActor(ctx, tx, by.ID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE themes SET intro = ?, when_text = ?, version = version + 1 WHERE slug = ? AND version = ?",
			intro, when, slug, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM themes WHERE slug = ?)", slug).Scan(&exists); err != nil {
				return err
			}
			if exists {
				return ErrConflict
			}
			return ErrNotFound
		}
		return audit(ctx, tx, at, &actor, ActionThemeChange, slug, "")
	})
	if err != nil {
		return Theme{}, fmt.Errorf("update theme %q: %w", slug, err)
	}
	d.casesChanged(ctx) // the index holds the theme list
	return d.FindTheme(ctx, slug)
}
