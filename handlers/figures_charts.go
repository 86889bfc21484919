package handlers

import (
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"opnieuwthuis/db"
)

// Server-rendered SVG charts. The handlers compute coordinates; the templates only
// place them. Each chart comes with a table of the same numbers as its text
// alternative.

// chartTick is a labelled position on an axis.
type chartTick struct {
	Pos   int
	Label string
}

// chartPoint is a point of a line.
type chartPoint struct{ X, Y int }

// chartBar is one bar.
type chartBar struct {
	X, Y, W, H int
	Class      string
	Title      string
	LabelX     int
	Missing    bool
}

// monthChart is the small chart of a gemeente's period: housed per month (bars),
// cumulative (line) against the pro-rata expectation (dashed line).
type monthChart struct {
	Width, Height int
	Left, Right   int
	Top, Bottom   int
	YTicks        []chartTick
	XLabels       []chartTick
	Bars          []chartBar
	Cumulative    string // polyline points
	Dots          []chartPoint
	ProRata       string // line points; "" when the taakstelling is unknown
	Rows          []monthRow
	Summary       string // starts with the kind of the figures (withKind)
	Kind          string // a visible line inside the drawing; "" for official figures
	Caption       string // of the table of the same numbers
	HasData       bool
}

// monthRow is one month in the chart's table.
type monthRow struct {
	Month      string
	Peildatum  time.Time
	Housed     *int
	Cumulative *int
	Expected   *int
}

var shortMonths = [...]string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}

func newMonthChart(g db.GemeenteFigures, p db.Period) monthChart {
	ch := monthChart{Width: 360, Height: 210, Left: 48, Right: 348, Top: 26, Bottom: 174}
	source := g.Source()
	ch.Kind = figureKind(source)
	if source == db.BasisFictitious {
		ch.Kind = "Fictieve cijfers (gesimuleerd)"
	}
	ch.Caption = withKind(source, "Realisatie per maand, "+g.Name+", "+p.Label())
	slot := (ch.Right - ch.Left) / 6
	top := 1
	if g.Corrected != nil {
		top = max(top, *g.Corrected)
	}
	for _, v := range g.Cumulative {
		if v != nil {
			top = max(top, *v)
		}
	}
	step, top := niceScale(top)
	y := func(v int) int {
		v = max(v, 0)
		return ch.Bottom - (ch.Bottom-ch.Top)*v/top
	}
	for v := 0; v <= top; v += step {
		ch.YTicks = append(ch.YTicks, chartTick{Pos: y(v), Label: formatNumber(v)})
	}
	points := []string{fmt.Sprintf("%d,%d", ch.Left, ch.Bottom)}
	for m := 1; m <= 6; m++ {
		month := p.Start().AddDate(0, m-1, 0)
		label := shortMonths[month.Month()-1]
		ch.XLabels = append(ch.XLabels, chartTick{Pos: ch.Left + (m-1)*slot + slot/2, Label: label})
		row := monthRow{Month: months[month.Month()-1] + " " + strconv.Itoa(month.Year()), Peildatum: p.Peildatum(m),
			Housed: g.Monthly(m), Cumulative: g.Cumulative[m-1]}
		if g.Corrected != nil {
			row.Expected = ptrInt(db.ExpectedProRata(m, *g.Corrected))
		}
		if row.Housed != nil {
			ch.HasData = true
			h := *row.Housed
			ch.Bars = append(ch.Bars, chartBar{
				X: ch.Left + (m-1)*slot + slot/4, W: slot / 2, Y: y(h), H: ch.Bottom - y(h),
				Title: withKind(source, fmt.Sprintf("%s: %s gehuisvest", row.Month, formatNumber(h))),
			})
		}
		if v := g.Cumulative[m-1]; v != nil {
			x := ch.Left + m*slot
			points = append(points, fmt.Sprintf("%d,%d", x, y(*v)))
			ch.Dots = append(ch.Dots, chartPoint{X: x, Y: y(*v)})
		}
		ch.Rows = append(ch.Rows, row)
	}
	if len(points) > 1 {
		ch.Cumulative = strings.Join(points, " ")
	}
	if g.Corrected != nil {
		ch.ProRata = fmt.Sprintf("%d,%d %d,%d", ch.Left, ch.Bottom, ch.Right, y(*g.Corrected))
	}
	switch {
	case !ch.HasData:
		ch.Summary = "Voor " + p.Label() + " zijn geen realisaties van " + g.Name + " bekend."
	case g.Expected != nil:
		ch.Summary = withKind(source, fmt.Sprintf("%s huisvestte in %s tot %s %s van de %s personen die naar rato verwacht werden.",
			g.Name, p.Label(), formatDate(g.Peildatum), formatNumber(*g.Realised), formatNumber(*g.Expected)))
	default:
		ch.Summary = withKind(source, fmt.Sprintf("%s huisvestte in %s tot %s %s personen; de taakstelling is onbekend.",
			g.Name, p.Label(), formatDate(g.Peildatum), formatNumber(*g.Realised)))
	}
	return ch
}

// niceScale picks a tick step of 1, 2 or 5 × 10ⁿ giving about four intervals, and
// the top of the axis as a multiple of it.
func niceScale(maxValue int) (step, top int) {
	raw := max(maxValue/4, 1)
	for mag := 1; ; mag *= 10 {
		for _, f := range []int{1, 2, 5} {
			if f*mag >= raw {
				step = f * mag
				top = step * ((maxValue + step - 1) / step)
				return step, max(top, step)
			}
		}
	}
}

// nationalChart is the bar chart of the national totals per period on /taakstelling.
type nationalChart struct {
	Width, Height int
	Left, Right   int
	Top, Bottom   int
	YTicks        []chartTick
	Bars          []chartBar
	Years         []chartTick
	Halves        []chartTick
}

func newNationalChart(periods []db.Period) nationalChart {
	ch := nationalChart{Width: 720, Height: 250, Left: 64, Top: 12, Bottom: 196}
	slot := 32
	ch.Right = ch.Left + slot*len(periods)
	ch.Width = ch.Right + 12
	top := 1
	for _, p := range periods {
		if p.NationalTotal != nil {
			top = max(top, *p.NationalTotal)
		}
	}
	step, top := niceScale(top)
	y := func(v int) int { return ch.Bottom - (ch.Bottom-ch.Top)*v/top }
	for v := 0; v <= top; v += step {
		ch.YTicks = append(ch.YTicks, chartTick{Pos: y(v), Label: formatNumber(v)})
	}
	for i, p := range periods {
		x := ch.Left + i*slot
		bar := chartBar{X: x + 6, W: slot - 12, LabelX: x + slot/2}
		switch {
		case p.NationalTotal == nil:
			// Missing: an empty dashed frame with a question mark, not a bar of zero.
			bar.Missing, bar.Class = true, "missing"
			bar.H = (ch.Bottom - ch.Top) / 6
			bar.Y = ch.Bottom - bar.H
			bar.Title = p.Label() + ": landelijke taakstelling niet gevonden"
			if p.Pending {
				bar.Title = p.Label() + ": nog geen landelijk cijfer"
			}
		default:
			bar.Y = y(*p.NationalTotal)
			bar.H = ch.Bottom - bar.Y
			bar.Class = "set"
			if !p.Official() {
				bar.Class = "uncertain"
			}
			bar.Title = p.Label() + ": " + formatNumber(*p.NationalTotal) + " (" + p.TotalStatus + ")"
		}
		ch.Bars = append(ch.Bars, bar)
		ch.Halves = append(ch.Halves, chartTick{Pos: x + slot/2, Label: "H" + strconv.Itoa(p.Half)})
		if p.Half == 1 {
			ch.Years = append(ch.Years, chartTick{Pos: x + slot, Label: strconv.Itoa(p.Year)})
		}
	}
	return ch
}

// figureFuncs are the template functions for figures that may be unknown (nil).
func figureFuncs() template.FuncMap {
	return template.FuncMap{
		// num writes a known number the Dutch way, or "onbekend".
		"num": func(p *int) string {
			if p == nil {
				return "onbekend"
			}
			return formatNumber(*p)
		},
		// signed writes a difference with its sign: +12, −48 (a real minus sign), 0.
		"signed": func(p *int) string {
			switch {
			case p == nil:
				return "onbekend"
			case *p > 0:
				return "+" + formatNumber(*p)
			case *p < 0:
				return "−" + formatNumber(-*p)
			}
			return "0"
		},
		"abs": func(n int) int { return max(n, -n) },
		"sub": func(a, b int) int { return a - b },
		"add": func(a, b int) int { return a + b },
		// host is the site a source link points to, as its visible text.
		"host": func(raw string) string {
			u, err := url.Parse(raw)
			if err != nil || u.Host == "" {
				return raw
			}
			return strings.TrimPrefix(u.Host, "www.")
		},
		"neg": func(p *int) bool { return p != nil && *p < 0 },
		// negated turns a sum of carry-ins (positive: achterstand) into the sign
		// convention of the pages (negative: behind), as db.GemeenteFigures.CarryBalance.
		"negated": func(n int) *int { n = -n; return &n },
		"pos":     func(p *int) bool { return p != nil && *p > 0 },
	}
}
