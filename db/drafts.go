package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Drafts: what an editor typed in a case form and did not save. The form is kept
// as the editor types (autosave), and when a save arrives after their session
// ended; the next time they open the form it is offered back. Each opened form
// has its own key, so two tabs never overwrite each other's text. The db package
// keeps the form as opaque JSON: the handlers own its fields.

// Draft is the unsaved content of one opened case form.
type Draft struct {
	UserID    int64
	FormKey   string
	CaseID    int64 // 0: a new case
	Content   []byte
	UpdatedAt time.Time
}

// DraftRetention is how long an untouched draft is kept.
const DraftRetention = 30 * 24 * time.Hour

// SaveDraft keeps the content of form formKey of user (for case caseID, 0 for a
// new case). A form that was saved already stays saved: an autosave that arrives
// late changes nothing. Now and then it also removes drafts older than
// DraftRetention.
func (d *DB) SaveDraft(ctx context.Context, userID int64, formKey string, caseID int64, content []byte) error {
	at := d.Now()
	ts := timestamp(at)
	err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO case_drafts (user_id, form_key, case_id, content, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, form_key) DO UPDATE
			SET content = excluded.content, case_id = excluded.case_id, updated_at = excluded.updated_at
			WHERE case_drafts.saved = 0`, userID, formKey, nullID(caseID), string(content), ts)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM case_drafts WHERE updated_at < ?", timestamp(at.Add(-DraftRetention)))
		return err
	})
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// FindDraft returns user's unsaved draft of form formKey.
func (d *DB) FindDraft(ctx context.Context, userID int64, formKey string) (Draft, error) {
	dr, err := scanDraft(d.r.QueryRowContext(ctx, `SELECT user_id, form_key, coalesce(case_id, 0), content, updated_at
		FROM case_drafts WHERE user_id = ? AND form_key = ? AND saved = 0`, userID, formKey))
	if err != nil {
		return Draft{}, fmt.Errorf("draft: %w", err)
	}
	return dr, nil
}

// LatestDraft returns user's newest unsaved draft of case caseID (0: of a new case).
func (d *DB) LatestDraft(ctx context.Context, userID, caseID int64) (Draft, error) {
	dr, err := scanDraft(d.r.QueryRowContext(ctx, `SELECT user_id, form_key, coalesce(case_id, 0), content, updated_at
		FROM case_drafts WHERE user_id = ? AND case_id IS ? AND saved = 0
		ORDER BY updated_at DESC, rowid DESC LIMIT 1`, userID, nullID(caseID)))
	if err != nil {
		return Draft{}, fmt.Errorf("latest draft of case %d: %w", caseID, err)
	}
	return dr, nil
}

func scanDraft(row *sql.Row) (Draft, error) {
	var (
		dr      Draft
		content string
		updated string
	)
	err := row.Scan(&dr.UserID, &dr.FormKey, &dr.CaseID, &content, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Draft{}, ErrNotFound
	}
	if err != nil {
		return Draft{}, err
	}
	dr.Content = []byte(content)
	dr.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	return dr, nil
}

// DiscardDraft removes user's draft of form formKey (the editor threw it away).
func (d *DB) DiscardDraft(ctx context.Context, userID int64, formKey string) error {
	err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM case_drafts WHERE user_id = ? AND form_key = ?", userID, formKey)
		return err
	})
	if err != nil {
		return fmt.Errorf("discard draft: %w", err)
	}
	return nil
}

// DraftsSaved records that user saved form formKey (of case caseID; 0 for a new
// case, which has its id only now): that form's draft, and for an existing case
// every other draft of user for it, are done. The rows stay, emptied, as markers
// until DraftRetention removes them, so that an autosave still on its way cannot
// bring them back.
func (d *DB) DraftsSaved(ctx context.Context, userID int64, formKey string, caseID int64) error {
	ts := timestamp(d.Now())
	err := d.writeBookkeeping(ctx, func(tx *sql.Tx) error {
		if caseID != 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE case_drafts SET saved = 1, content = '{}' WHERE user_id = ? AND case_id = ?",
				userID, caseID); err != nil {
				return err
			}
		}
		if formKey == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_drafts (user_id, form_key, case_id, content, saved, updated_at)
			VALUES (?, ?, ?, '{}', 1, ?) ON CONFLICT (user_id, form_key) DO UPDATE SET saved = 1, content = '{}'`,
			userID, formKey, nullID(caseID), ts)
		return err
	})
	if err != nil {
		return fmt.Errorf("drafts saved: %w", err)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
