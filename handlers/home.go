package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// homePage is the view model of the home page.
type homePage struct {
	page
	Latest []db.Case
	Themes []themeSummary
	Total  int
	// Figures are the national totals of the current period: the one containing
	// today, or else the latest with figures (Latest is then true).
	Figures *homeFigures
}

type homeFigures struct {
	Period   db.Period
	Totals   db.FigureTotals
	Latest   bool
	MapURL   string
	Source   string      // the kind of the figures (totalsSource), shown first
	National string      // nationalLine
	Pending  []db.Period // half years after it without a national figure
}

// home introduces the platform, offers the search box and shows the latest cases.
func (h *Handler) home(c *fiber.Ctx) error {
	ctx := c.UserContext()
	latest, err := h.db.LatestCases(ctx, 6)
	if err != nil {
		return err
	}
	themes, total, err := h.themeSummaries(ctx)
	if err != nil {
		return err
	}
	vm := homePage{Latest: latest, Themes: themes, Total: total}
	periods, err := h.mapPeriods(ctx)
	if err != nil {
		return err
	}
	if p, ok := db.CurrentPeriod(periods, time.Now()); ok {
		pf, err := h.periodFigures(c, periods, p.Code)
		if err != nil {
			return err
		}
		vm.Figures = &homeFigures{Period: p, Totals: pf.Totals, Latest: p.Code != db.PeriodCode(time.Now()), MapURL: mapURL(p.Code, "", ""),
			Source: totalsSource(pf.Totals), National: nationalLine(p), Pending: laterPending(periods, p)}
	}
	vm.Description = "Opnieuw Thuis helpt gemeenten vergunninghouders te huisvesten: goede voorbeelden van woonoplossingen en aanpakken, en per gemeente de stand van de taakstelling."
	vm.Canonical = h.canonical("/")
	vm.Nav = "home"
	vm.Feeds = []feedLink{{Title: "Nieuwe goede voorbeelden", URL: h.canonical("/voorbeelden.atom")}}
	return h.render(c, fiber.StatusOK, "home/index", "", vm)
}
