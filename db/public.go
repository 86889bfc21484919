package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CaseStamp is the address and last change of a published case: what a sitemap needs.
type CaseStamp struct {
	Slug      string
	UpdatedAt time.Time
}

// CaseStamps returns every published case's slug and last change, newest first.
func (d *DB) CaseStamps(ctx context.Context) ([]CaseStamp, error) {
	return listCaseStamps(ctx, d.r)
}

func listCaseStamps(ctx context.Context, q queryer) ([]CaseStamp, error) {
	return queryAll(ctx, q, "case stamps", func(s rowScanner) (CaseStamp, error) {
		var (
			cs      CaseStamp
			updated string
		)
		err := s.Scan(&cs.Slug, &updated)
		cs.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
		return cs, err
	}, `SELECT slug, updated_at FROM cases
		WHERE status = 'gepubliceerd' ORDER BY published_at DESC, id DESC`)
}

// SitePages is what the sitemap lists besides its fixed pages: every published
// case's address and last change (CaseStamps), the themes and the gemeenten.
type SitePages struct {
	Cases     []CaseStamp
	Themes    []Theme
	Gemeenten []Gemeente
}

// SitePages reads the three lists in one read transaction, so they agree.
func (d *DB) SitePages(ctx context.Context) (SitePages, error) {
	var p SitePages
	err := d.read(ctx, func(tx *sql.Tx) (err error) {
		if p.Cases, err = listCaseStamps(ctx, tx); err != nil {
			return err
		}
		if p.Themes, err = listThemes(ctx, tx); err != nil {
			return err
		}
		p.Gemeenten, err = listGemeenten(ctx, tx)
		return err
	})
	if err != nil {
		return SitePages{}, fmt.Errorf("site pages: %w", err)
	}
	return p, nil
}

// CasesChangedAt is when the set of public cases last changed: the latest change to
// a case that is or was published (so archiving one counts too). It is the zero
// time when nothing was ever published.
func (d *DB) CasesChangedAt(ctx context.Context) (time.Time, error) {
	var last sql.NullString
	err := d.r.QueryRowContext(ctx,
		"SELECT max(updated_at) FROM cases WHERE published_at IS NOT NULL").Scan(&last)
	if err != nil {
		return time.Time{}, fmt.Errorf("cases changed at: %w", err)
	}
	if !last.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, last.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("cases changed at: %w", err)
	}
	return t, nil
}

// FiguresChangedAt tells when the figures last changed: the last import of
// official figures (zero when there was none, or its audit entry has expired) and
// the latest peildatum in the figures ("" when there are none).
func (d *DB) FiguresChangedAt(ctx context.Context) (lastImport time.Time, latestPeildatum string, err error) {
	var imp, peil sql.NullString
	err = d.r.QueryRowContext(ctx, `SELECT
		(SELECT max(at) FROM audit_log WHERE action = ?),
		(SELECT max(peildatum) FROM realisaties)`, ActionImport).Scan(&imp, &peil)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("figures changed at: %w", err)
	}
	if imp.Valid {
		if lastImport, err = time.Parse(time.RFC3339, imp.String); err != nil {
			return time.Time{}, "", fmt.Errorf("figures changed at: %w", err)
		}
	}
	return lastImport, peil.String, nil
}
