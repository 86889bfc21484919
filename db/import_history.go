package db

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// The import history: every confirmed figure import is kept with who, when and
// what, and with the figures of its period as they were just before it. Undoing an
// import puts those back, in one transaction with its audit entry. Only the
// newest import of a period that is not undone can be undone: undoing an older
// one would also wipe out the ones after it.

// periodFigures is the state of one period's figures, as stored in a snapshot.
type periodFigures struct {
	Taakstellingen []snapTaakstelling `json:"taakstellingen"`
	Realisaties    []snapRealisatie   `json:"realisaties"`
}

type snapTaakstelling struct {
	Division int    `json:"d"`
	Gemeente string `json:"g"`
	Amount   int    `json:"n"`
	Basis    string `json:"b"`
}

type snapRealisatie struct {
	Division  int    `json:"d"`
	Gemeente  string `json:"g"`
	Peildatum string `json:"p"`
	Realised  int    `json:"n"`
	Basis     string `json:"b"`
}

// periodSnapshot reads the period's taakstellingen and realisaties, gzipped JSON.
func periodSnapshot(ctx context.Context, tx *sql.Tx, period string) ([]byte, error) {
	var (
		pf  periodFigures
		err error
	)
	pf.Taakstellingen, err = queryAll(ctx, tx, "snapshot", func(s rowScanner) (snapTaakstelling, error) {
		var t snapTaakstelling
		err := s.Scan(&t.Division, &t.Gemeente, &t.Amount, &t.Basis)
		return t, err
	}, "SELECT division, gemeente_code, amount, basis FROM taakstellingen WHERE period = ? ORDER BY gemeente_code", period)
	if err != nil {
		return nil, err
	}
	pf.Realisaties, err = queryAll(ctx, tx, "snapshot", func(s rowScanner) (snapRealisatie, error) {
		var r snapRealisatie
		err := s.Scan(&r.Division, &r.Gemeente, &r.Peildatum, &r.Realised, &r.Basis)
		return r, err
	}, "SELECT division, gemeente_code, peildatum, realised, basis FROM realisaties WHERE period = ? ORDER BY gemeente_code, peildatum", period)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(pf); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// recordImport adds an import to the history.
func recordImport(ctx context.Context, tx *sql.Tx, imp FigureImport, by User, summary string, lost int, snapshot []byte, at time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO figure_imports (period, filename, user_id, actor, created_at, summary, lost_gemeenten, snapshot)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, imp.Period, imp.Filename, nullID(by.ID), by.DisplayName(), timestamp(at), summary, lost, snapshot)
	if err != nil {
		return 0, fmt.Errorf("record import: %w", err)
	}
	return res.LastInsertId()
}

// FigureImportRecord is one import in the history.
type FigureImportRecord struct {
	ID            int64
	Period        string
	Filename      string
	UserID        int64 // 0: unknown
	Actor         string
	CreatedAt     time.Time
	Summary       string
	LostGemeenten int
	UndoneAt      *time.Time
	UndoneBy      string
	// Undoable: not undone, and no later import of its period that is not undone.
	Undoable bool
}

// PeriodLabel is the period in words.
func (r FigureImportRecord) PeriodLabel() string { return PeriodLabel(r.Period) }

const importRecordColumns = `f.id, f.period, f.filename, coalesce(f.user_id, 0), f.actor, f.created_at, f.summary,
	f.lost_gemeenten, f.undone_at, coalesce(f.undone_by, ''),
	f.undone_at IS NULL AND NOT EXISTS (SELECT 1 FROM figure_imports l WHERE l.period = f.period AND l.id > f.id AND l.undone_at IS NULL)
	FROM figure_imports f`

func scanImportRecord(s rowScanner) (FigureImportRecord, error) {
	var (
		r       FigureImportRecord
		created string
		undone  sql.NullString
	)
	if err := s.Scan(&r.ID, &r.Period, &r.Filename, &r.UserID, &r.Actor, &created, &r.Summary, &r.LostGemeenten,
		&undone, &r.UndoneBy, &r.Undoable); err != nil {
		return FigureImportRecord{}, err
	}
	r.CreatedAt, _ = time.Parse(time.RFC3339, created)
	r.UndoneAt = timeOrNil(undone)
	return r, nil
}

// ImportHistory lists the latest n imports, newest first.
func (d *DB) ImportHistory(ctx context.Context, n int) ([]FigureImportRecord, error) {
	return queryAll(ctx, d.r, "import history", scanImportRecord, "SELECT "+importRecordColumns+" ORDER BY f.id DESC LIMIT ?", n)
}

// FindImport returns one import of the history.
func (d *DB) FindImport(ctx context.Context, id int64) (FigureImportRecord, error) {
	r, err := scanImportRecord(d.r.QueryRowContext(ctx, "SELECT "+importRecordColumns+" WHERE f.id = ?", id))
	if err != nil {
		return FigureImportRecord{}, lookupErr(err, fmt.Sprintf("import %d", id))
	}
	return r, nil
}

// UndoImport puts the figures of import id's period back as they were just
// before it, marks it undone and audits it, in one transaction. It gives
// ErrConflict when the import is undone already or a later import of the same
// period is not.
func (d *DB) UndoImport(ctx context.Context, id int64, by User) (FigureImportRecord, error) {
	at := d.Now()
	err := d.write(ctx, func(tx *sql.Tx) error {
		actor, err := loadActor(ctx, tx, by.ID)
		if err != nil {
			return err
		}
		r, err := scanImportRecord(tx.QueryRowContext(ctx, "SELECT "+importRecordColumns+" WHERE f.id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !r.Undoable {
			return ErrConflict
		}
		var snapshot []byte
		if err := tx.QueryRowContext(ctx, "SELECT snapshot FROM figure_imports WHERE id = ?", id).Scan(&snapshot); err != nil {
			return err
		}
		zr, err := gzip.NewReader(bytes.NewReader(snapshot))
		if err != nil {
			return fmt.Errorf("snapshot of import %d: %w", id, err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			return fmt.Errorf("snapshot of import %d: %w", id, err)
		}
		var pf periodFigures
		if err := json.Unmarshal(raw, &pf); err != nil {
			return fmt.Errorf("snapshot of import %d: %w", id, err)
		}
		for _, q := range []string{"DELETE FROM realisaties WHERE period = ?", "DELETE FROM taakstellingen WHERE period = ?"} {
			if _, err := tx.ExecContext(ctx, q, r.Period); err != nil {
				return err
			}
		}
		for _, t := range pf.Taakstellingen {
			if _, err := tx.ExecContext(ctx, "INSERT INTO taakstellingen (period, division, gemeente_code, amount, basis) VALUES (?, ?, ?, ?, ?)",
				r.Period, t.Division, t.Gemeente, t.Amount, t.Basis); err != nil {
				return fmt.Errorf("restore taakstelling %s: %w", t.Gemeente, err)
			}
		}
		for _, x := range pf.Realisaties {
			if _, err := tx.ExecContext(ctx, "INSERT INTO realisaties (period, division, gemeente_code, peildatum, realised, basis) VALUES (?, ?, ?, ?, ?, ?)",
				r.Period, x.Division, x.Gemeente, x.Peildatum, x.Realised, x.Basis); err != nil {
				return fmt.Errorf("restore realisatie %s %s: %w", x.Gemeente, x.Peildatum, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE figure_imports SET undone_at = ?, undone_by = ? WHERE id = ?",
			timestamp(at), actor.DisplayName(), id); err != nil {
			return err
		}
		detail := fmt.Sprintf("import %d (%s, %s) ongedaan: %d taakstellingen en %d realisaties teruggezet",
			id, r.Filename, r.CreatedAt.Format("2006-01-02 15:04"), len(pf.Taakstellingen), len(pf.Realisaties))
		return audit(ctx, tx, at, &actor, ActionImportUndo, "cijfers "+r.Period, detail)
	})
	if err != nil {
		return FigureImportRecord{}, fmt.Errorf("undo import %d: %w", id, err)
	}
	return d.FindImport(ctx, id)
}
