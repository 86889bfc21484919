package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migrateNationalFigureStatus brings a file made by the first release to the
// national figures of issue 11:
//
//   - periods.total_status says bijgesteld where it said "vastgesteld (verlaagd)":
//     the CHECK constraint changes, and SQLite can change a constraint only by
//     rebuilding the table. periods is the parent of taakstellingen and realisaties,
//     so those are copied aside, dropped, and made again from their own stored
//     definitions (whatever columns they have by then), with their indexes and
//     triggers. Foreign keys stay on throughout: every table is dropped only when
//     nothing refers to it.
//   - Two notes that misstated their sources are corrected where nobody changed them
//     since (2016-H2, 2022-H2; see seed/taakstelling-landelijk.csv).
//
// It touches only the figures tables, and does nothing to a file that already has
// the new constraint, so it is safe in any order among other migrations.
func migrateNationalFigureStatus(ctx context.Context, tx *sql.Tx) error {
	var periodsSQL string
	if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'periods'").
		Scan(&periodsSQL); err != nil {
		return fmt.Errorf("read periods: %w", err)
	}
	if !strings.Contains(periodsSQL, "'bijgesteld'") {
		if err := rebuildPeriods(ctx, tx, periodsSQL); err != nil {
			return err
		}
	}
	for _, n := range correctedNotes {
		if _, err := tx.ExecContext(ctx, "UPDATE periods SET note = ? WHERE code = ? AND note = ?", n.now, n.period, n.was); err != nil {
			return fmt.Errorf("correct note of %s: %w", n.period, err)
		}
	}
	return nil
}

// correctedNotes are the notes of the first release that misstated their sources.
var correctedNotes = []struct{ period, was, now string }{
	{"2016-H2",
		"Daarbovenop een achterstand van 5.283 uit eerdere perioden: ongeveer 4.714 per maand.",
		"Daarbovenop een achterstand van 5.283 uit eerdere perioden. Samen 28.283 te huisvesten: ongeveer 4.714 per maand, de achterstand inbegrepen."},
	{"2022-H2",
		"Staatscourant van 8 april 2022. Achterstand uit het eerste halfjaar: ongeveer 1.835 (NRC, Trouw). Eind augustus 2022 is daarbovenop een niet-wettelijk streefcijfer van 20.000 afgesproken; dat is geen taakstelling.",
		"Staatscourant van 8 april 2022. Achterstand uit het eerste halfjaar: 1.833 volgens NRC, 1.836 volgens Trouw. Eind augustus 2022 sprak de staatssecretaris met de gemeenten een streefcijfer af dat hoger ligt dan de wettelijke verplichting: gemeenten zouden eind 2022 niet 13.500 maar 20.000 statushouders moeten huisvesten (Trouw, november 2022). Dat streefcijfer is geen wettelijke taakstelling."},
}

func rebuildPeriods(ctx context.Context, tx *sql.Tx, periodsSQL string) error {
	const oldStatus, newStatus = "'vastgesteld (verlaagd)'", "'bijgesteld'"
	if !strings.Contains(periodsSQL, oldStatus) || !strings.HasPrefix(periodsSQL, "CREATE TABLE periods ") {
		return fmt.Errorf("periods: unexpected definition %q", periodsSQL)
	}
	// Everything that belongs to the three tables, as stored: made again below.
	children := []string{"taakstellingen", "realisaties"}
	tableSQL := map[string]string{}
	for _, name := range children {
		var s string
		if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", name).Scan(&s); err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		tableSQL[name] = s
	}
	// The indexes and triggers of the figure tables.
	extras, err := queryAll(ctx, tx, "figure indexes and triggers", scanString, `SELECT sql FROM sqlite_schema
		WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ('periods', 'taakstellingen', 'realisaties')
		ORDER BY type, name`)
	if err != nil {
		return err
	}
	columns, err := tableColumns(ctx, tx, "periods")
	if err != nil {
		return err
	}
	selected := make([]string, len(columns))
	for i, c := range columns {
		selected[i] = c
		if c == "total_status" {
			selected[i] = "CASE total_status WHEN " + oldStatus + " THEN " + newStatus + " ELSE total_status END"
		}
	}
	newSQL := strings.Replace(strings.Replace(periodsSQL, "CREATE TABLE periods ", "CREATE TABLE periods_v2 ", 1), oldStatus, newStatus, 1)
	steps := []string{
		newSQL,
		"INSERT INTO periods_v2 (" + strings.Join(columns, ", ") + ") SELECT " + strings.Join(selected, ", ") + " FROM periods",
		"CREATE TEMP TABLE migrate_taakstellingen AS SELECT * FROM taakstellingen",
		"CREATE TEMP TABLE migrate_realisaties AS SELECT * FROM realisaties",
		"DROP TABLE realisaties",
		"DROP TABLE taakstellingen",
		"DROP TABLE periods",
		"ALTER TABLE periods_v2 RENAME TO periods",
		tableSQL["taakstellingen"],
		tableSQL["realisaties"],
		"INSERT INTO taakstellingen SELECT * FROM temp.migrate_taakstellingen",
		"INSERT INTO realisaties SELECT * FROM temp.migrate_realisaties",
		"DROP TABLE temp.migrate_taakstellingen",
		"DROP TABLE temp.migrate_realisaties",
	}
	steps = append(steps, extras...)
	steps = append(steps, "UPDATE figures_version SET version = version + 1")
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("rebuild periods: %s: %w", firstLine(s), err)
		}
	}
	return nil
}

// tableColumns lists a table's columns in order.
func tableColumns(ctx context.Context, tx *sql.Tx, table string) ([]string, error) {
	return queryAll(ctx, tx, "columns of "+table, scanString, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
