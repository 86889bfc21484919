package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Province is a CBS province (code "PV27").
type Province struct {
	Code string
	Name string
}

// Gemeente is a municipality of the current CBS division (code "GM0363").
type Gemeente struct {
	Code         string
	Name         string
	ProvinceCode string
	ProvinceName string
	Population   int
}

// Theme is one entry of the fixed list of themes.
type Theme struct {
	Slug     string
	Label    string
	Intro    string
	WhenText string
	Version  int // of the texts; UpdateTheme checks it
}

// Provinces lists all provinces by name.
func (d *DB) Provinces(ctx context.Context) ([]Province, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT code, name FROM provinces ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list provinces: %w", err)
	}
	defer rows.Close()
	var out []Province
	for rows.Next() {
		var p Province
		if err := rows.Scan(&p.Code, &p.Name); err != nil {
			return nil, fmt.Errorf("list provinces: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

const gemeenteColumns = `g.code, g.name, g.province_code, p.name, g.population
	FROM gemeenten g JOIN provinces p ON p.code = g.province_code`

func scanGemeente(s interface{ Scan(...any) error }) (Gemeente, error) {
	var g Gemeente
	err := s.Scan(&g.Code, &g.Name, &g.ProvinceCode, &g.ProvinceName, &g.Population)
	return g, err
}

// Gemeenten lists all gemeenten by name.
func (d *DB) Gemeenten(ctx context.Context) ([]Gemeente, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT "+gemeenteColumns+" ORDER BY g.name")
	if err != nil {
		return nil, fmt.Errorf("list gemeenten: %w", err)
	}
	defer rows.Close()
	var out []Gemeente
	for rows.Next() {
		g, err := scanGemeente(rows)
		if err != nil {
			return nil, fmt.Errorf("list gemeenten: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// FindGemeente returns the gemeente with the given CBS code.
func (d *DB) FindGemeente(ctx context.Context, code string) (Gemeente, error) {
	g, err := scanGemeente(d.r.QueryRowContext(ctx, "SELECT "+gemeenteColumns+" WHERE g.code = ?", code))
	if errors.Is(err, sql.ErrNoRows) {
		return Gemeente{}, fmt.Errorf("find gemeente %q: %w", code, ErrNotFound)
	}
	if err != nil {
		return Gemeente{}, fmt.Errorf("find gemeente %q: %w", code, err)
	}
	return g, nil
}

// Themes lists the themes in their fixed order.
func (d *DB) Themes(ctx context.Context) ([]Theme, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT slug, label, intro, when_text, version FROM themes ORDER BY position")
	if err != nil {
		return nil, fmt.Errorf("list themes: %w", err)
	}
	defer rows.Close()
	var out []Theme
	for rows.Next() {
		var t Theme
		if err := rows.Scan(&t.Slug, &t.Label, &t.Intro, &t.WhenText, &t.Version); err != nil {
			return nil, fmt.Errorf("list themes: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
