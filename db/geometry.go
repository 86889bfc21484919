package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Division is a boundary set with its map geometry: SVG paths in one frame for every
// year (RD New, 1 unit = 100 m, y down). It belongs to a shared cache: read it,
// never change it.
type Division struct {
	Year      int
	ViewBox   Box
	Source    string
	Gemeenten []Shape // by code
	Provinces []Shape // by code
	gemIdx    map[string]int
	provBox   map[string]Box
}

// Shape is one area of the map.
type Shape struct {
	Code         string
	Name         string
	ProvinceCode string // gemeenten only
	Path         string // SVG path data, fill-rule evenodd
	LabelX       int    // a point inside the shape
	LabelY       int
	Box          Box
}

// Box is an axis-aligned rectangle in map units.
type Box struct{ X, Y, W, H int }

// String formats the box as an SVG viewBox value.
func (b Box) String() string {
	return strconv.Itoa(b.X) + " " + strconv.Itoa(b.Y) + " " + strconv.Itoa(b.W) + " " + strconv.Itoa(b.H)
}

// Union is the smallest box holding both.
func (b Box) Union(o Box) Box {
	if b.W == 0 && b.H == 0 {
		return o
	}
	x0, y0 := min(b.X, o.X), min(b.Y, o.Y)
	x1, y1 := max(b.X+b.W, o.X+o.W), max(b.Y+b.H, o.Y+o.H)
	return Box{x0, y0, x1 - x0, y1 - y0}
}

// Pad grows the box by n units on every side.
func (b Box) Pad(n int) Box { return Box{b.X - n, b.Y - n, b.W + 2*n, b.H + 2*n} }

// Gemeente returns the shape of a gemeente.
func (dv *Division) Gemeente(code string) (Shape, bool) {
	i, ok := dv.gemIdx[code]
	if !ok {
		return Shape{}, false
	}
	return dv.Gemeenten[i], true
}

// ProvinceBox is the bounding box of a province's gemeenten, padded by 2 % of its
// larger side so that its borders are not cut off.
func (dv *Division) ProvinceBox(code string) (Box, bool) {
	b, ok := dv.provBox[code]
	return b, ok
}

// Division returns a boundary set with its geometry. It is reference data that only
// a new program version changes, so it is read once and kept.
func (d *DB) Division(ctx context.Context, year int) (*Division, error) {
	if v, ok := d.divisions.Load(year); ok {
		return v.(*Division), nil
	}
	dv, err := loadDivision(ctx, d, year)
	if err != nil {
		return nil, err
	}
	v, _ := d.divisions.LoadOrStore(year, dv)
	return v.(*Division), nil
}

func loadDivision(ctx context.Context, d *DB, year int) (*Division, error) {
	dv := &Division{Year: year, gemIdx: map[string]int{}, provBox: map[string]Box{}}
	var viewBox string
	err := d.r.QueryRowContext(ctx, "SELECT view_box, source FROM divisions WHERE year = ?", year).Scan(&viewBox, &dv.Source)
	if err != nil {
		return nil, lookupErr(err, fmt.Sprintf("division %d", year))
	}
	if dv.ViewBox, err = parseViewBox(viewBox); err != nil {
		return nil, fmt.Errorf("division %d: %w", year, err)
	}
	rows, err := d.r.QueryContext(ctx, `SELECT code, name, province_code, label_x, label_y, path
		FROM division_gemeenten WHERE division = ? ORDER BY code`, year)
	if err != nil {
		return nil, fmt.Errorf("division %d: %w", year, err)
	}
	defer rows.Close()
	for rows.Next() {
		var s Shape
		if err := rows.Scan(&s.Code, &s.Name, &s.ProvinceCode, &s.LabelX, &s.LabelY, &s.Path); err != nil {
			return nil, fmt.Errorf("division %d: %w", year, err)
		}
		if s.Box, err = pathBox(s.Path); err != nil {
			return nil, fmt.Errorf("division %d, %s: %w", year, s.Code, err)
		}
		dv.gemIdx[s.Code] = len(dv.Gemeenten)
		dv.Gemeenten = append(dv.Gemeenten, s)
		dv.provBox[s.ProvinceCode] = dv.provBox[s.ProvinceCode].Union(s.Box)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("division %d: %w", year, err)
	}
	for code, b := range dv.provBox {
		dv.provBox[code] = b.Pad(max(b.W, b.H) / 50)
	}
	prows, err := d.r.QueryContext(ctx, `SELECT dp.code, p.name, dp.path FROM division_provinces dp
		JOIN provinces p ON p.code = dp.code WHERE dp.division = ? ORDER BY dp.code`, year)
	if err != nil {
		return nil, fmt.Errorf("division %d: %w", year, err)
	}
	defer prows.Close()
	for prows.Next() {
		var s Shape
		if err := prows.Scan(&s.Code, &s.Name, &s.Path); err != nil {
			return nil, fmt.Errorf("division %d: %w", year, err)
		}
		if s.Box, err = pathBox(s.Path); err != nil {
			return nil, fmt.Errorf("division %d, %s: %w", year, s.Code, err)
		}
		s.ProvinceCode = s.Code
		dv.Provinces = append(dv.Provinces, s)
	}
	if err := prows.Err(); err != nil {
		return nil, fmt.Errorf("division %d: %w", year, err)
	}
	if len(dv.Gemeenten) == 0 {
		return nil, fmt.Errorf("division %d has no gemeenten: %w", year, ErrNotFound)
	}
	return dv, nil
}

func parseViewBox(s string) (Box, error) {
	f := strings.Fields(s)
	if len(f) != 4 {
		return Box{}, fmt.Errorf("view box %q", s)
	}
	var n [4]int
	for i := range f {
		v, err := strconv.Atoi(f[i])
		if err != nil {
			return Box{}, fmt.Errorf("view box %q: %w", s, err)
		}
		n[i] = v
	}
	return Box{n[0], n[1], n[2], n[3]}, nil
}

// pathBox is the bounding box of SVG path data made of M/L (absolute), m/l
// (relative) and z commands with integer coordinates, the form the map files use.
func pathBox(d string) (Box, error) {
	var (
		cmd          byte
		x, y         int
		pending      []int
		minX, minY   = int(^uint(0) >> 1), int(^uint(0) >> 1)
		maxX, maxY   = -minX - 1, -minY - 1
		points       int
		startOfGroup bool
	)
	for i := 0; i < len(d); {
		c := d[i]
		switch {
		case c == 'M' || c == 'm' || c == 'L' || c == 'l':
			cmd, startOfGroup = c, true
			pending = pending[:0]
			i++
		case c == 'z' || c == 'Z' || c == ' ' || c == ',' || c == '\n':
			i++
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(d) && d[j] >= '0' && d[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(d[i:j])
			if err != nil {
				return Box{}, fmt.Errorf("path data at %d: %w", i, err)
			}
			i = j
			pending = append(pending, n)
			if len(pending) < 2 {
				continue
			}
			dx, dy := pending[0], pending[1]
			pending = pending[:0]
			switch cmd {
			case 'M', 'L':
				x, y = dx, dy
			case 'm', 'l':
				if cmd == 'm' && startOfGroup && points == 0 {
					x, y = dx, dy // a leading m is absolute
				} else {
					x, y = x+dx, y+dy
				}
			default:
				return Box{}, fmt.Errorf("path data: coordinates before a command")
			}
			startOfGroup = false
			points++
			minX, minY = min(minX, x), min(minY, y)
			maxX, maxY = max(maxX, x), max(maxY, y)
		default:
			return Box{}, fmt.Errorf("path data: unexpected %q at %d", c, i)
		}
	}
	if points == 0 {
		return Box{}, fmt.Errorf("path data without points")
	}
	return Box{minX, minY, maxX - minX, maxY - minY}, nil
}
