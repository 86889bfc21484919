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
	Periods []db.Period // oldest first
	Chart   nationalChart
	Missing []db.Period
	Example *taakExample
}

// taakExample works the rules out for one real gemeente in the current period.
type taakExample struct {
	Period        db.Period
	Figures       db.GemeenteFigures
	Population    int // the Netherlands
	Share         string
	ThreeMonths   int
	MapURL        string
	Computed      bool
	CarryKnown    bool
	CarryIsBehind bool
	CarryAbs      int
}

// exampleGemeente is the gemeente of the worked example: Utrecht, a large gemeente
// in the middle of the country whose numbers are easy to follow.
const exampleGemeente = "GM0344"

// showTaakstelling is /taakstelling.
func (h *Handler) showTaakstelling(c *fiber.Ctx) error {
	ctx := c.UserContext()
	periods, err := h.db.Periods(ctx)
	if err != nil {
		return err
	}
	vm := taakstellingPage{Periods: periods, Chart: newNationalChart(periods)}
	for _, p := range periods {
		if p.NationalTotal == nil {
			vm.Missing = append(vm.Missing, p)
		}
	}
	mapPeriods, err := h.db.FigurePeriods(ctx)
	if err != nil {
		return err
	}
	// The example uses the latest period with a known national total.
	for i := len(mapPeriods) - 1; i >= 0 && vm.Example == nil; i-- {
		p := mapPeriods[i]
		if p.NationalTotal == nil || p.Code > db.PeriodCode(time.Now()) {
			continue
		}
		pf, err := h.db.PeriodFigures(ctx, p.Code)
		if err != nil {
			return err
		}
		g, ok := pf.Gemeente(exampleGemeente)
		if !ok || g.Taakstelling == nil || g.Population == nil {
			continue
		}
		ex := &taakExample{Period: p, Figures: g, MapURL: mapURL(p.Code, "", g.Code),
			Computed: g.TaakstellingBasis == db.BasisComputed, CarryKnown: g.CarriedIn != nil}
		for _, r := range pf.Gemeenten {
			if r.Population != nil {
				ex.Population += *r.Population
			}
		}
		ex.Share = formatDecimal(float64(*g.Population)*100/float64(ex.Population), 2)
		ex.ThreeMonths = db.ExpectedProRata(3, *g.Corrected)
		if g.CarriedIn != nil {
			ex.CarryIsBehind = *g.CarriedIn >= 0
			ex.CarryAbs = max(*g.CarriedIn, -*g.CarriedIn)
		}
		vm.Example = ex
	}
	vm.Title = "Hoe werkt de taakstelling?"
	vm.Description = "Uitleg in gewone taal van de taakstelling huisvesting vergunninghouders: halfjaarlijkse perioden, verdeling naar inwonertal, gecorrigeerde taakstelling, achterstand en voorsprong, en toezicht door de provincie. Met de landelijke aantallen per halfjaar en hun bronnen."
	vm.Canonical = h.canonical("/taakstelling")
	vm.Nav = "taakstelling"
	return h.render(c, fiber.StatusOK, "taakstelling/index", "", vm)
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
