package db

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// seedFS holds the reference data (CBS provinces and gemeenten with population) and
// the seed content (themes and cases). Sources and licences: seed/README.md.
//
//go:embed seed/*.csv seed/*.json seed/*.txt
var seedFS embed.FS

// seed loads everything a new database starts with, except the cases
// (syncSeedCases, which runs at every start). It runs inside the migration
// transaction of a new file, so it happens once and completely, or not at all.
func seed(ctx context.Context, tx *sql.Tx) error {
	if err := seedPlaces(ctx, tx); err != nil {
		return err
	}
	if err := seedFigures(ctx, tx); err != nil {
		return err
	}
	return migrateNewThemes(ctx, tx) // on a new file every theme is new
}

func seedPlaces(ctx context.Context, tx *sql.Tx) error {
	rows, err := readCSV("seed/gemeenten-2025.csv", []string{"code", "name", "province_code", "province_name", "population"})
	if err != nil {
		return err
	}
	provinces := map[string]string{}
	for _, r := range rows {
		provinces[r[2]] = r[3]
	}
	for code, name := range provinces {
		if _, err := tx.ExecContext(ctx, "INSERT INTO provinces (code, name) VALUES (?, ?)", code, name); err != nil {
			return fmt.Errorf("insert province %s: %w", code, err)
		}
	}
	for _, r := range rows {
		pop, err := strconv.Atoi(r[4])
		if err != nil {
			return fmt.Errorf("population of %s: %w", r[0], err)
		}
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO gemeenten (code, name, province_code, population) VALUES (?, ?, ?, ?)",
			r[0], r[1], r[2], pop); err != nil {
			return fmt.Errorf("insert gemeente %s: %w", r[0], err)
		}
	}
	return nil
}

func readJSON(name string, v any) error {
	b, err := seedFS.ReadFile(name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

func readCSV(name string, header []string) ([][]string, error) {
	b, err := seedFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("read %s: unexpected header", name)
	}
	return rows[1:], nil
}
