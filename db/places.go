package db

import (
	"context"
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
	return queryAll(ctx, d.r, "list provinces", scanProvince, "SELECT code, name FROM provinces ORDER BY name")
}

func scanProvince(s rowScanner) (Province, error) {
	var p Province
	err := s.Scan(&p.Code, &p.Name)
	return p, err
}

const gemeenteColumns = `g.code, g.name, g.province_code, p.name, g.population
	FROM gemeenten g JOIN provinces p ON p.code = g.province_code`

func scanGemeente(s rowScanner) (Gemeente, error) {
	var g Gemeente
	err := s.Scan(&g.Code, &g.Name, &g.ProvinceCode, &g.ProvinceName, &g.Population)
	return g, err
}

// Gemeenten lists all gemeenten by name.
func (d *DB) Gemeenten(ctx context.Context) ([]Gemeente, error) {
	return listGemeenten(ctx, d.r)
}

func listGemeenten(ctx context.Context, q queryer) ([]Gemeente, error) {
	return queryAll(ctx, q, "list gemeenten", scanGemeente, "SELECT "+gemeenteColumns+" ORDER BY g.name")
}

// FindGemeente returns the gemeente with the given CBS code.
func (d *DB) FindGemeente(ctx context.Context, code string) (Gemeente, error) {
	g, err := scanGemeente(d.r.QueryRowContext(ctx, "SELECT "+gemeenteColumns+" WHERE g.code = ?", code))
	if err != nil {
		return Gemeente{}, lookupErr(err, fmt.Sprintf("find gemeente %q", code))
	}
	return g, nil
}

// Themes lists the themes in their fixed order.
func (d *DB) Themes(ctx context.Context) ([]Theme, error) {
	return listThemes(ctx, d.r)
}

func listThemes(ctx context.Context, q queryer) ([]Theme, error) {
	return queryAll(ctx, q, "list themes", func(s rowScanner) (Theme, error) {
		var t Theme
		err := s.Scan(&t.Slug, &t.Label, &t.Intro, &t.WhenText, &t.Version)
		return t, err
	}, "SELECT slug, label, intro, when_text, version FROM themes ORDER BY position")
}
