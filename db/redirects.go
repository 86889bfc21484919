package db

import (
	"context"
	"database/sql"
	"fmt"
)

// Addresses that last: a published case keeps answering at the slugs it had
// (case_slug_redirects). The public case page looks an unknown slug up here and
// answers 301 to the case's current address.

// keepOldSlug records, inside the write that changes case id's slug from old to
// slug, that old now leads to the case, when the case was ever public (wasPublic):
// an address that was never public needs no redirect. The new slug stops being a
// redirect of any case: a case that holds a slug always wins.
func keepOldSlug(ctx context.Context, tx *sql.Tx, id int64, old, slug string, wasPublic bool, ts string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM case_slug_redirects WHERE old_slug = ?", slug); err != nil {
		return fmt.Errorf("slug redirect %q: %w", slug, err)
	}
	if old == "" || old == slug || !wasPublic {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_slug_redirects (old_slug, case_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (old_slug) DO UPDATE SET case_id = excluded.case_id, created_at = excluded.created_at`, old, id, ts)
	if err != nil {
		return fmt.Errorf("slug redirect %q: %w", old, err)
	}
	return nil
}

// FindSlugRedirect returns the current slug of the published case that used to
// live at slug, or ErrNotFound.
func (d *DB) FindSlugRedirect(ctx context.Context, slug string) (string, error) {
	var current string
	err := d.r.QueryRowContext(ctx, `SELECT c.slug FROM case_slug_redirects r JOIN cases c ON c.id = r.case_id
		WHERE r.old_slug = ? AND c.status = 'gepubliceerd'`, slug).Scan(&current)
	if err != nil {
		return "", lookupErr(err, fmt.Sprintf("slug redirect %q", slug))
	}
	return current, nil
}

// OldSlugs lists the earlier addresses that lead to case id, newest first.
func (d *DB) OldSlugs(ctx context.Context, id int64) ([]string, error) {
	return queryAll(ctx, d.r, fmt.Sprintf("old slugs of case %d", id), scanString,
		"SELECT old_slug FROM case_slug_redirects WHERE case_id = ? ORDER BY created_at DESC, old_slug", id)
}
