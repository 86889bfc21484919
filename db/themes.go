package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RelatedTheme is a theme that shares published cases with another one.
type RelatedTheme struct {
	Theme
	Shared int // published cases that carry both themes
}

// FindTheme returns the theme with the given slug.
func (d *DB) FindTheme(ctx context.Context, slug string) (Theme, error) {
	var t Theme
	err := d.r.QueryRowContext(ctx, "SELECT slug, label, intro, when_text, version FROM themes WHERE slug = ?", slug).
		Scan(&t.Slug, &t.Label, &t.Intro, &t.WhenText, &t.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return Theme{}, fmt.Errorf("find theme %q: %w", slug, ErrNotFound)
	}
	if err != nil {
		return Theme{}, fmt.Errorf("find theme %q: %w", slug, err)
	}
	return t, nil
}

// RelatedThemes returns up to n themes that occur most often together with the
// given one on published cases, most shared first.
func (d *DB) RelatedThemes(ctx context.Context, slug string, n int) ([]RelatedTheme, error) {
	return queryAll(ctx, d.r, fmt.Sprintf("related themes of %q", slug), func(s rowScanner) (RelatedTheme, error) {
		var r RelatedTheme
		err := s.Scan(&r.Slug, &r.Label, &r.Intro, &r.WhenText, &r.Shared)
		return r, err
	}, `SELECT t.slug, t.label, t.intro, t.when_text, count(*) AS shared
		FROM case_themes mine
		JOIN cases c ON c.id = mine.case_id AND c.status = 'gepubliceerd'
		JOIN case_themes other ON other.case_id = mine.case_id AND other.theme_slug <> mine.theme_slug
		JOIN themes t ON t.slug = other.theme_slug
		WHERE mine.theme_slug = ?
		GROUP BY t.slug
		ORDER BY shared DESC, t.position
		LIMIT ?`, slug, n)
}
