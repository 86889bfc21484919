package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"regexp"
	"slices"
	"strings"
)

// The library's starting content. Each file is an object {"cases": [...],
// "left_out": [...]}, or a bare list of cases, in the format the content writers
// use (README, "Seeding");
// every case names the entry of a facts file (db/testdata/cases-facts*.json) it was
// written from, and left_out lists the entries deliberately not written, with a
// reason. seedLeftOutFile holds only left_out (a bare list is accepted too).
var seedCaseFiles = []string{"seed/cases.json", "seed/cases-2.json", "seed/cases-3.json"}

const seedLeftOutFile = "seed/left-out.json"

// seedFiles is where the seed case files are read from: the embedded seed folder
// (tests put other content in its place).
var seedFiles fs.FS = seedFS

// seedSyncVersion is part of the seed digest: change it when the way entries
// become cases changes, so that every database compares its seeded cases again.
const seedSyncVersion = "1"

// seedCase is one case of a seed file.
type seedCase struct {
	Facts                string   `json:"facts"`
	Slug                 string   `json:"slug"`
	Title                string   `json:"title"`
	Summary              string   `json:"summary"`
	Body                 string   `json:"body"`
	GemeenteCode         *string  `json:"gemeente_code"`
	RelatedGemeenteCodes []string `json:"related_gemeente_codes"`
	ProvinceCode         *string  `json:"province_code"`
	Themes               []string `json:"themes"`
	Kind                 string   `json:"kind"`
	Year                 *int     `json:"year"`
	InitiativeStatus     string   `json:"initiative_status"`
	StatusDate           *string  `json:"status_date"`
	TargetGroups         []string `json:"target_groups"`
	Homes                *int     `json:"homes"`
	HomesQualifier       *string  `json:"homes_qualifier"`
	People               *int     `json:"people"`
	PeopleQualifier      *string  `json:"people_qualifier"`
	Financing            string   `json:"financing"`
	LessonsHard          string   `json:"lessons_hard"`
	LessonsWorked        string   `json:"lessons_worked"`
	Partners             []string `json:"partners"`
	Contact              string   `json:"contact"`
	SourceURL            string   `json:"source_url"`
	SourceChecked        *string  `json:"source_checked"`
}

// seedLeftOut is an entry of a facts file that is deliberately not a case.
type seedLeftOut struct {
	Facts  string `json:"facts"`
	Reason string `json:"reason"`
}

type seedFile struct {
	Cases   []seedCase    `json:"cases"`
	LeftOut []seedLeftOut `json:"left_out"`
}

// seedContent is every seed file, read and checked.
type seedContent struct {
	Cases   []seedCase
	LeftOut []seedLeftOut
	// digest identifies the case files' bytes (and seedSyncVersion): a database
	// that was synchronised with the same digest needs nothing.
	digest string
}

var (
	factsRefPattern  = regexp.MustCompile(`^cases-facts(?:-[23])?\.json#(?:0|[1-9][0-9]*)$`)
	seedSlugPattern  = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	stageDatePattern = regexp.MustCompile(`^[12][0-9]{3}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?$`)
	checkedPattern   = regexp.MustCompile(`^[12][0-9]{3}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?$`)
)

// readSeedContent reads the seed files and checks what the database cannot: the
// shape of every value, and that no facts entry is used twice. Gemeenten,
// provinces and themes are checked by the database's foreign keys.
func readSeedContent() (seedContent, error) {
	out, err := readSeedFiles()
	if err != nil {
		return seedContent{}, err
	}
	if err := out.check(); err != nil {
		return seedContent{}, fmt.Errorf("seed cases: %w", err)
	}
	return out, nil
}

// readSeedFiles reads the seed case files and the left-out list, with their digest.
func readSeedFiles() (seedContent, error) {
	var out seedContent
	h := sha256.New()
	h.Write([]byte(seedSyncVersion))
	for _, name := range seedCaseFiles {
		b, err := fs.ReadFile(seedFiles, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return seedContent{}, err
		}
		h.Write([]byte(name))
		h.Write(b)
		var f seedFile
		if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
			err = decodeStrict(b, &f.Cases) // a bare list of cases
		} else {
			err = decodeStrict(b, &f)
		}
		if err != nil {
			return seedContent{}, fmt.Errorf("read %s: %w", name, err)
		}
		out.Cases = append(out.Cases, f.Cases...)
		out.LeftOut = append(out.LeftOut, f.LeftOut...)
	}
	out.digest = hex.EncodeToString(h.Sum(nil))
	if b, err := fs.ReadFile(seedFiles, seedLeftOutFile); err == nil {
		var list []seedLeftOut
		if errList := decodeStrict(b, &list); errList != nil {
			var f seedFile
			if err := decodeStrict(b, &f); err != nil {
				return seedContent{}, fmt.Errorf("read %s: %w", seedLeftOutFile, err)
			}
			if len(f.Cases) > 0 {
				return seedContent{}, fmt.Errorf("read %s: cases belong in %s", seedLeftOutFile, strings.Join(seedCaseFiles, ", "))
			}
			list = f.LeftOut
		}
		out.LeftOut = append(out.LeftOut, list...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return seedContent{}, err
	}
	return out, nil
}

// check checks every seed case and left-out entry; each facts entry may be used
// once.
func (out seedContent) check() error {
	var errs []error
	facts := map[string]string{} // facts entry → where it is used
	slugs := map[string]bool{}
	use := func(ref, where string) {
		if !factsRefPattern.MatchString(ref) {
			errs = append(errs, fmt.Errorf("%s: facts %q is not like cases-facts-2.json#0", where, ref))
		} else if prev, ok := facts[ref]; ok {
			errs = append(errs, fmt.Errorf("%s: facts %s already used by %s", where, ref, prev))
		}
		facts[ref] = where
	}
	for _, c := range out.Cases {
		where := "case " + c.Slug
		use(c.Facts, where)
		if slugs[c.Slug] {
			errs = append(errs, fmt.Errorf("%s: slug used twice", where))
		}
		slugs[c.Slug] = true
		errs = append(errs, c.check(where)...)
	}
	for _, l := range out.LeftOut {
		use(l.Facts, "left_out")
		if strings.TrimSpace(l.Reason) == "" {
			errs = append(errs, fmt.Errorf("left_out %s: give a reason", l.Facts))
		}
	}
	return errors.Join(errs...)
}

// check checks one seed case's own fields.
func (c seedCase) check(where string) []error {
	var errs []error
	if !seedSlugPattern.MatchString(c.Slug) || len(c.Slug) > maxSlugLen {
		errs = append(errs, fmt.Errorf("%s: slug %q", where, c.Slug))
	}
	if strings.TrimSpace(c.Title) == "" || strings.TrimSpace(c.Summary) == "" {
		errs = append(errs, fmt.Errorf("%s: title and summary are required", where))
	}
	if !slices.Contains(Kinds, c.Kind) {
		errs = append(errs, fmt.Errorf("%s: kind %q", where, c.Kind))
	}
	if !slices.Contains(Stages, c.InitiativeStatus) {
		errs = append(errs, fmt.Errorf("%s: initiative_status %q", where, c.InitiativeStatus))
	}
	for _, g := range c.TargetGroups {
		if !slices.Contains(TargetGroups, g) {
			errs = append(errs, fmt.Errorf("%s: target group %q", where, g))
		}
	}
	for _, n := range []struct {
		name string
		v    *int
		q    *string
	}{{"homes", c.Homes, c.HomesQualifier}, {"people", c.People, c.PeopleQualifier}} {
		if n.q != nil && (n.v == nil || !slices.Contains(Qualifiers, *n.q)) {
			errs = append(errs, fmt.Errorf("%s: %s_qualifier %q needs a number and one of %v", where, n.name, *n.q, Qualifiers))
		}
		if n.v != nil && *n.v < 0 {
			errs = append(errs, fmt.Errorf("%s: %s is negative", where, n.name))
		}
	}
	if c.StatusDate != nil && !stageDatePattern.MatchString(*c.StatusDate) {
		errs = append(errs, fmt.Errorf("%s: status_date %q is not YYYY, YYYY-MM or YYYY-MM-DD", where, *c.StatusDate))
	}
	if c.SourceChecked != nil && !checkedPattern.MatchString(*c.SourceChecked) {
		errs = append(errs, fmt.Errorf("%s: source_checked %q is not YYYY-MM or YYYY-MM-DD", where, *c.SourceChecked))
	}
	if c.ProvinceCode != nil && c.GemeenteCode != nil {
		errs = append(errs, fmt.Errorf("%s: province_code is only for a case without gemeente_code", where))
	}
	return errs
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// input is the seed case as the content of a published case.
func (c seedCase) input() CaseInput {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	in := CaseInput{
		Slug: c.Slug, Title: c.Title, Summary: c.Summary, Body: c.Body,
		GemeenteCode: str(c.GemeenteCode), RelatedGemeenten: c.RelatedGemeenteCodes, ProvinceCode: str(c.ProvinceCode),
		Themes: c.Themes, Kind: c.Kind, Year: c.Year,
		Stage: c.InitiativeStatus, StageDate: str(c.StatusDate), TargetGroups: c.TargetGroups,
		Homes: c.Homes, HomesQualifier: str(c.HomesQualifier), People: c.People, PeopleQualifier: str(c.PeopleQualifier),
		Financing: c.Financing, LessonsHard: c.LessonsHard, LessonsWorked: c.LessonsWorked,
		Partners: c.Partners, Contact: c.Contact, SourceURL: c.SourceURL, SourceChecked: str(c.SourceChecked),
		Status: StatusPublished,
	}
	in.normalize()
	return in
}

// contentDigest identifies what a seed wrote into a case.
func contentDigest(in CaseInput) string {
	in.normalize()
	in.Status = StatusPublished
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Names under which the seed writes revisions.
const (
	seedEditor     = "startinhoud"
	seedNoteNew    = "Startinhoud van de site"
	seedNoteUpdate = "Startinhoud bijgewerkt"
)

// seedResult counts what syncSeedCases did.
type seedResult struct {
	Added, Updated, KeptEdited, Unchanged, Gone int
}

// syncSeedCases brings the seeded cases in line with the seed files, at every
// start: an entry that was never seeded becomes a published case; an entry whose
// content changed is written over its case only while no editor changed that
// case since the seed last wrote it (the case is still at the version the seed
// wrote); a case an editor deleted stays deleted. What the seed did is recorded in
// seeded_cases. When the files are the ones the database last synchronised with,
// nothing is read or written, so a second start changes nothing.
func syncSeedCases(ctx context.Context, tx *sql.Tx) (seedResult, error) {
	var res seedResult
	content, err := readSeedContent()
	if err != nil {
		return res, err
	}
	var last []byte
	err = tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = 'seed_digest'").Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	if string(last) == content.digest {
		return res, nil
	}
	ledger, err := loadSeedLedger(ctx, tx)
	if err != nil {
		return res, err
	}
	ts, err := sqliteNow(ctx, tx)
	if err != nil {
		return res, err
	}
	for _, sc := range content.Cases {
		in := sc.input()
		digest := contentDigest(in)
		r, seeded := ledger[sc.Facts]
		switch {
		case !seeded:
			if err := seedNewCase(ctx, tx, sc, in, digest, ts); err != nil {
				return res, err
			}
			res.Added++
		case !r.caseID.Valid:
			res.Gone++ // deleted by an editor: not seeded again
		case r.digest == digest:
			res.Unchanged++
		default:
			updated, err := updateSeededCase(ctx, tx, sc, in, r, digest, ts)
			if err != nil {
				return res, err
			}
			if updated {
				res.Updated++
			} else {
				res.KeptEdited++ // an editor changed it: theirs stays
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('seed_digest', ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, []byte(content.digest)); err != nil {
		return res, err
	}
	level := slog.LevelInfo // an existing database got new or corrected content
	if len(ledger) == 0 {
		level = slog.LevelDebug // a new database
	}
	slog.Log(ctx, level, "seed cases synchronised", "added", res.Added, "updated", res.Updated,
		"kept_edited", res.KeptEdited, "unchanged", res.Unchanged, "deleted_by_editors", res.Gone)
	return res, nil
}

// ledgerRow is what seeded_cases remembers of a seed case: the case it became
// (none once an editor deleted it), and its version and content when seeded.
type ledgerRow struct {
	caseID  sql.NullInt64
	version int
	digest  string
}

// loadSeedLedger returns seeded_cases by facts entry.
func loadSeedLedger(ctx context.Context, tx *sql.Tx) (map[string]ledgerRow, error) {
	ledger := map[string]ledgerRow{}
	rows, err := tx.QueryContext(ctx, "SELECT facts, case_id, version, digest FROM seeded_cases")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			facts string
			r     ledgerRow
		)
		if err := rows.Scan(&facts, &r.caseID, &r.version, &r.digest); err != nil {
			return nil, err
		}
		ledger[facts] = r
	}
	return ledger, rows.Err()
}

// seedNewCase adds a seed case the database has not had, under another slug when
// its own is taken.
func seedNewCase(ctx context.Context, tx *sql.Tx, sc seedCase, in CaseInput, digest, ts string) error {
	slug, err := freeSlugTx(ctx, tx, in.Slug)
	if err != nil {
		return err
	}
	if slug != in.Slug {
		slog.WarnContext(ctx, "seed case slug taken: seeded under another", "facts", sc.Facts, "slug", in.Slug, "as", slug)
		in.Slug = slug
	}
	id, err := insertCase(ctx, tx, in, nil, ts)
	if err != nil {
		return fmt.Errorf("seed case %s (%s): %w", sc.Slug, sc.Facts, err)
	}
	if err := writeRevision(ctx, tx, id, 1, in, nil, seedEditor, seedNoteNew, ts); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO seeded_cases (facts, case_id, version, digest, seeded_at, updated_at)
		VALUES (?, ?, 1, ?, ?, ?)`, sc.Facts, id, digest, ts, ts); err != nil {
		return fmt.Errorf("seed case %s: %w", sc.Slug, err)
	}
	return nil
}

// updateSeededCase brings a seeded case up to date with its corrected content,
// unless an editor has changed it since (then it is not updated).
func updateSeededCase(ctx context.Context, tx *sql.Tx, sc seedCase, in CaseInput, r ledgerRow, digest, ts string) (bool, error) {
	var (
		version         int
		status, oldSlug string
		published       sql.NullString
	)
	if err := tx.QueryRowContext(ctx, "SELECT version, status, published_at, slug FROM cases WHERE id = ?", r.caseID.Int64).
		Scan(&version, &status, &published, &oldSlug); err != nil {
		return false, fmt.Errorf("seed case %s: %w", sc.Slug, err)
	}
	if version != r.version {
		return false, nil
	}
	var other int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE slug = ? AND id <> ?", in.Slug, r.caseID.Int64).Scan(&other); err != nil {
		return false, err
	}
	if other > 0 {
		slog.WarnContext(ctx, "seed case slug taken: kept the old one", "facts", sc.Facts, "slug", in.Slug, "kept", oldSlug)
		in.Slug = oldSlug
	}
	in.Status = status
	if err := updateCaseRow(ctx, tx, r.caseID.Int64, version, in, ts, published); err != nil {
		return false, fmt.Errorf("seed case %s: %w", sc.Slug, err)
	}
	// A corrected slug: the old address keeps leading to the case.
	if err := keepOldSlug(ctx, tx, r.caseID.Int64, oldSlug, in.Slug, published.Valid, ts); err != nil {
		return false, err
	}
	if err := writeRevision(ctx, tx, r.caseID.Int64, version+1, in, nil, seedEditor, seedNoteUpdate, ts); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE seeded_cases SET version = ?, digest = ?, updated_at = ? WHERE facts = ?",
		version+1, digest, ts, sc.Facts); err != nil {
		return false, err
	}
	return true, nil
}
