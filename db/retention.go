package db

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// Retention: what the privacy statement (/privacy) promises, enforced here and not
// only when someone happens to act. PurgeExpired runs when the database opens its
// background watcher and then every PurgeEvery; each table's own code removes rows
// sooner where it can (a tip's contact details at publication or rejection).
//
//	tip contact details   TipperRetention (183 days) after receipt
//	audit log             AuditRetention (two years)
//	sessions              when they expire (30 minutes idle, 12 hours at most)
//	failed sign-ins       FailureMemory (a day) after the last one
//	known sign-in clients KnownClientMemory (90 days) after the last sign-in
//	figure uploads        figureUploadMaxAge (a day) without confirmation

// PurgeEvery is how often expired personal data is removed, at the latest.
const PurgeEvery = time.Hour

// Purged counts what PurgeExpired removed.
type Purged struct {
	Tippers, Audit, Sessions, LoginFailures, KnownClients, Uploads int64
}

// PurgeExpired removes every row past its retention on date now. When nothing is
// due it reads only, so it writes nothing (and a read-only file is no error then).
func (d *DB) PurgeExpired(ctx context.Context, now time.Time) (Purged, error) {
	var p Purged
	ts := func(age time.Duration) string { return now.Add(-age).UTC().Format(time.RFC3339) }
	queries := []struct {
		n           *int64
		table, cond string
		args        []any
	}{
		{&p.Tippers, "case_tippers", "created_at < ?", []any{ts(TipperRetention)}},
		{&p.Audit, "audit_log", "at < ?", []any{ts(AuditRetention)}},
		{&p.Sessions, "sessions", "expires_at <> 0 AND expires_at <= ?", []any{now.Unix()}},
		{&p.LoginFailures, "login_throttle", "last_at < ?", []any{now.Add(-FailureMemory).Unix()}},
		{&p.KnownClients, "login_clients", "last_at < ?", []any{now.Add(-KnownClientMemory).Unix()}},
		{&p.Uploads, "figure_uploads", "created_at < ?", []any{ts(figureUploadMaxAge)}},
	}
	due := false
	for _, q := range queries {
		var found bool
		if err := d.r.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+q.table+" WHERE "+q.cond+")", q.args...).Scan(&found); err != nil {
			return Purged{}, fmt.Errorf("purge expired data: %w", err)
		}
		due = due || found
	}
	if !due {
		return p, nil
	}
	err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		for _, q := range queries {
			res, err := tx.ExecContext(ctx, "DELETE FROM "+q.table+" WHERE "+q.cond, q.args...)
			if err != nil {
				return err
			}
			if *q.n, err = res.RowsAffected(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Purged{}, fmt.Errorf("purge expired data: %w", err)
	}
	return p, nil
}

// purge is PurgeExpired at t for the background watcher: a failure (a read-only
// file) is logged, and tried again at the next turn.
func (d *DB) purge(t time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := d.PurgeExpired(ctx, t)
	if err != nil {
		slog.Warn("remove expired personal data", "err", err)
		return
	}
	if p != (Purged{}) {
		slog.Info("removed expired personal data", "tippers", p.Tippers, "audit", p.Audit, "sessions", p.Sessions,
			"login_failures", p.LoginFailures, "known_clients", p.KnownClients, "uploads", p.Uploads)
	}
}
