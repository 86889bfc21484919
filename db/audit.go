package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Audit actions: the codes stored in audit_log.action. AuditActionLabel gives the
// Dutch words shown to beheerders.
const (
	ActionLogin          = "login"
	ActionLoginFailed    = "login_failed"
	ActionLogout         = "logout"
	ActionPublish        = "publish"
	ActionUnpublish      = "unpublish"
	ActionReject         = "reject"
	ActionRestore        = "restore"
	ActionImport         = "import"
	ActionImportUndo     = "import_undo"
	ActionAccountCreate  = "account_create"
	ActionAccountChange  = "account_change"
	ActionPasswordChange = "password_change"
	ActionThemeChange    = "theme_change"
	ActionNationalFigure = "national_figure"
)

// AuditActions lists the actions in the order the audit page offers them as a filter.
var AuditActions = []string{ActionLogin, ActionLoginFailed, ActionLogout, ActionPublish, ActionUnpublish,
	ActionReject, ActionRestore, ActionImport, ActionImportUndo, ActionAccountCreate, ActionAccountChange,
	ActionPasswordChange, ActionThemeChange, ActionNationalFigure}

// AuditActionLabel is the Dutch label of an audit action.
func AuditActionLabel(action string) string {
	switch action {
	case ActionLogin:
		return "Aangemeld"
	case ActionLoginFailed:
		return "Aanmelden mislukt"
	case ActionLogout:
		return "Afgemeld"
	case ActionPublish:
		return "Gepubliceerd"
	case ActionUnpublish:
		return "Publicatie ingetrokken"
	case ActionReject:
		return "Tip afgewezen"
	case ActionRestore:
		return "Versie teruggezet"
	case ActionImport:
		return "Cijfers geïmporteerd"
	case ActionImportUndo:
		return "Import ongedaan gemaakt"
	case ActionAccountCreate:
		return "Account aangemaakt"
	case ActionAccountChange:
		return "Account gewijzigd"
	case ActionPasswordChange:
		return "Wachtwoord gewijzigd"
	case ActionThemeChange:
		return "Themetekst gewijzigd"
	case ActionNationalFigure:
		return "Landelijk cijfer ingevoerd"
	}
	return action
}

// AuditRetention is how long audit entries are kept (privacy statement: two years).
const AuditRetention = 2 * 365 * 24 * time.Hour

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID      int64
	At      time.Time
	UserID  *int64
	Actor   string // e-mail address at the time; "" for the command line or a visitor
	Action  string
	Subject string
	Detail  string
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Action  string // "" for all
	Page    int    // 1-based
	PerPage int
}

// audit writes one entry inside the transaction of the change it records, so the
// log holds exactly what was committed, at the time of the change. by is nil for
// the command line or a visitor.
func audit(ctx context.Context, tx *sql.Tx, at time.Time, by *User, action, subject, detail string) error {
	var (
		uid   sql.NullInt64
		actor string
	)
	if by != nil && by.ID != 0 {
		uid = sql.NullInt64{Int64: by.ID, Valid: true}
		actor = by.Email
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO audit_log (at, user_id, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
		timestamp(at), uid, actor, action, subject, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// Audit records an event that changes nothing else (such as signing out).
func (d *DB) Audit(ctx context.Context, by *User, action, subject, detail string) error {
	at := d.Now()
	return d.writeBookkeeping(ctx, func(tx *sql.Tx) error { return audit(ctx, tx, at, by, action, subject, detail) })
}

// AuditLog returns one page of entries, newest first, and the number of entries
// that match.
func (d *DB) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	f.Page = max(1, f.Page)
	where, args := "", []any{}
	if f.Action != "" {
		where, args = "WHERE action = ?", append(args, f.Action)
	}
	var total int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM audit_log "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	rows, err := d.r.QueryContext(ctx, "SELECT id, at, user_id, actor, action, subject, detail FROM audit_log "+where+
		" ORDER BY at DESC, id DESC LIMIT ? OFFSET ?", append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var (
			e   AuditEntry
			at  string
			uid sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &at, &uid, &e.Actor, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, 0, fmt.Errorf("audit log: %w", err)
		}
		e.At, _ = time.Parse(time.RFC3339, at)
		if uid.Valid {
			e.UserID = &uid.Int64
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}
