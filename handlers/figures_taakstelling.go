package handlers

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// taakstellingPage is the view model of /taakstelling: how the taakstelling works,
// with the real national totals per period.
type taakstellingPage struct {
	page
	Periods    []db.Period // oldest first, with the pending half years after them
	Chart      nationalChart
	Missing    []db.Period
	Pending    []db.Period
	Example    *taakExample
	Deviations []deviationView
	Statuses   []statusRule
	MinJudged  int
	Legend     []legendItem
	Source     string // nationalAttribution
}

func (taakstellingPage) Crumbs() []crumb {
	return []crumb{{Label: "Home", URL: "/"}, {Label: "Taakstelling", URL: "/taakstelling", Current: true}}
}

// statusRule explains one status of a national figure.
type statusRule struct{ Status, Rule string }

// taakExample works the rules out for one real gemeente in the latest period with
// a national figure: its taakstelling from real numbers (computed, and labelled so),
// then a stated made-up carry-over, because the site's own carry-over figures are
// fictitious.
type taakExample struct {
	Period      db.Period
	Figures     db.GemeenteFigures
	Population  int // the Netherlands
	Share       string
	Computed    bool
	Carry       int // the made-up achterstand of the example
	Corrected   int
	ThreeMonths int
	OneMonth    int
	MapURL      string
}

// exampleGemeente is the gemeente of the worked example: Utrecht, a large gemeente
// in the middle of the country whose numbers are easy to follow.
const exampleGemeente = "GM0344"

// exampleCarry is the made-up achterstand of the worked example, stated as such.
const exampleCarry = 40

// deviationView is a known deviation with what it means in the latest period.
type deviationView struct {
	db.Deviation
	Period    db.Period
	Gemeenten []deviationGemeente
	Total     int // their computed taakstelling together
	Share     string
}

type deviationGemeente struct {
	Name, Code string
	Computed   int
	Population int
}

// showTaakstelling is /taakstelling.
func (h *Handler) showTaakstelling(c *fiber.Ctx) error {
	ctx := c.UserContext()
	periods, err := h.nationalPeriods(ctx)
	if err != nil {
		return err
	}
	vm := taakstellingPage{Periods: periods, Chart: newNationalChart(periods), MinJudged: db.MinJudgedExpected,
		Source: nationalAttribution(periods)}
	for _, st := range append(db.TotalStatuses, db.TotalMissing, db.TotalPending) {
		vm.Statuses = append(vm.Statuses, statusRule{st, db.TotalStatusRule(st)})
	}
	for _, s := range db.Standings {
		vm.Legend = append(vm.Legend, legendItem{Standing: s, Slug: s.Slug(), Rule: s.Rule()})
	}
	for _, p := range periods {
		switch {
		case p.Pending:
			vm.Pending = append(vm.Pending, p)
		case p.NationalTotal == nil:
			vm.Missing = append(vm.Missing, p)
		}
	}
	mapPeriods, err := h.db.FigurePeriods(ctx)
	if err != nil {
		return err
	}
	// The example and the deviations use the latest period with a known national
	// total (not after today).
	var latest *db.PeriodFigures
	for i := len(mapPeriods) - 1; i >= 0 && latest == nil; i-- {
		p := mapPeriods[i]
		if p.NationalTotal == nil || p.Code > db.PeriodCode(time.Now()) {
			continue
		}
		if latest, err = h.db.PeriodFigures(ctx, p.Code); err != nil {
			return err
		}
	}
	if latest != nil {
		vm.Example = newTaakExample(latest)
		vm.Deviations = deviationViews(latest)
	}
	vm.Title = "Hoe werkt de taakstelling?"
	vm.Description = "Uitleg in gewone taal van de taakstelling huisvesting vergunninghouders: halfjaarlijkse perioden, verdeling naar inwonertal, gecorrigeerde taakstelling, achterstand en voorsprong, de maatstaf van de kaart, bekende afwijkingen en toezicht door de provincie. Met de landelijke aantallen per halfjaar, hun status en hun bronnen."
	vm.Canonical = h.canonical("/taakstelling")
	vm.Nav = "taakstelling"
	return h.render(c, fiber.StatusOK, "taakstelling/index", "", vm)
}

func newTaakExample(pf *db.PeriodFigures) *taakExample {
	g, ok := pf.Gemeente(exampleGemeente)
	if !ok || g.Taakstelling == nil || g.Population == nil {
		return nil
	}
	ex := &taakExample{Period: pf.Period, Figures: g, MapURL: mapURL(pf.Period.Code, "", g.Code),
		Computed: g.TaakstellingBasis == db.BasisComputed, Carry: exampleCarry}
	for _, r := range pf.Gemeenten {
		if r.Population != nil {
			ex.Population += *r.Population
		}
	}
	ex.Share = formatDecimal(float64(*g.Population)*100/float64(ex.Population), 2)
	ex.Corrected = *g.Taakstelling + ex.Carry
	ex.ThreeMonths = db.ExpectedProRata(3, ex.Corrected)
	ex.OneMonth = db.ExpectedProRata(1, ex.Corrected)
	return ex
}

func deviationViews(pf *db.PeriodFigures) []deviationView {
	var out []deviationView
	population := 0
	for _, g := range pf.Gemeenten {
		if g.Population != nil {
			population += *g.Population
		}
	}
	for _, d := range db.KnownDeviations {
		v := deviationView{Deviation: d, Period: pf.Period}
		pop := 0
		for _, code := range d.Codes {
			g, ok := pf.Gemeente(code)
			if !ok || g.Taakstelling == nil || g.Population == nil || g.TaakstellingBasis != db.BasisComputed {
				continue
			}
			v.Gemeenten = append(v.Gemeenten, deviationGemeente{Name: g.Name, Code: g.Code, Computed: *g.Taakstelling, Population: *g.Population})
			v.Total += *g.Taakstelling
			pop += *g.Population
		}
		if population > 0 {
			v.Share = formatDecimal(float64(pop)*100/float64(population), 2)
		}
		out = append(out, v)
	}
	return out
}

// formatDecimal writes f the Dutch way with n decimals: 2,07.
func formatDecimal(f float64, n int) string {
	s := fmt.Sprintf("%.*f", n, f)
	for i := range s {
		if s[i] == '.' {
			return s[:i] + "," + s[i+1:]
		}
	}
	return s
}
