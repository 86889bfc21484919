package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// /gemeenten/{code}: one gemeente's figures over time and its cases. The same URL
// with htmx (a gemeente clicked on the map) gives its panel beside the map.

// gemeentePanel is views/gemeenten/paneel.html: a gemeente's figures in one period.
type gemeentePanel struct {
	Figures  db.GemeenteFigures
	Period   db.Period
	Balance  *int   // the carry-over in the one sign convention (CarryBalance)
	Sentence string // describe: starts with the kind of the figures
	Chart    monthChart
	Cases    []db.CaseHit // the newest few
	AllCases int          // how many there are in all
	Current  bool         // part of the current division: cases can refer to it
	PageURL  string       // the gemeente's own page
	CasesURL string       // the library filtered on it
	MapURL   string       // the map with this gemeente selected
	CloseURL string       // the map without it
	InMap    bool         // shown beside the map
	Focus    bool         // move the focus to it after a swap
}

// panelCases is how many of its cases a gemeente's panel lists.
const panelCases = 8

// gemeentePanel is the one builder of a gemeente's panel in a period. province is
// the map's zoom, kept in the links back to the map; current says whether the
// gemeente is part of the current division (GemeenteInfo.Current).
func (h *Handler) gemeentePanel(c *fiber.Ctx, code string, pf *db.PeriodFigures, province string, current, inMap bool) (gemeentePanel, error) {
	g, ok := pf.Gemeente(code)
	if !ok {
		return gemeentePanel{}, gemeenteNotFound(code, pf.Period)
	}
	// The library's own index gives the newest few and the count, whatever the
	// size of the library (a large gemeente may have hundreds).
	cases, err := h.db.FindCases(c.UserContext(), db.CaseFilter{Gemeenten: []string{code}, Sort: db.SortYear, PerPage: panelCases})
	if err != nil {
		return gemeentePanel{}, err
	}
	p := pf.Period
	return gemeentePanel{
		Figures:  g,
		Period:   p,
		Balance:  g.CarryBalance(),
		Sentence: describe(g, p),
		Chart:    newMonthChart(g, p),
		Cases:    cases.Hits,
		AllCases: cases.Total,
		Current:  current,
		PageURL:  gemeenteURL(code, p.Code, ""),
		CasesURL: "/voorbeelden?gemeente=" + code,
		MapURL:   mapURL(p.Code, province, code),
		CloseURL: mapURL(p.Code, province, ""),
		InMap:    inMap,
	}, nil
}

// mapChoice is a gemeente chosen on the map: its panel beside the map, its outline
// on the map, and the value of the form field that keeps it chosen when the period
// changes. The map's page shows it (mapPage); views/gemeenten/kaart-fragment.html
// swaps it in after a click on the map or a search.
type mapChoice struct {
	Panel     *gemeentePanel
	Selection *selectionOverlay
	Selected  string
	OOB       bool // the form field is swapped in out of band (a fragment)
}

// chooseOnMap opens gemeente code beside the map of pf in division dv, zoomed to
// province.
func (h *Handler) chooseOnMap(c *fiber.Ctx, pf *db.PeriodFigures, dv *db.Division, province, code string, current bool) (mapChoice, error) {
	panel, err := h.gemeentePanel(c, code, pf, province, current, true)
	if err != nil {
		return mapChoice{}, err
	}
	return mapChoice{Panel: &panel, Selection: selection(dv, province, code), Selected: code}, nil
}

// swapChoice is a choice made with htmx (a click on the map, a search with one
// match): the focus moves to the panel, and the address bar points at the map with
// the gemeente selected, so that a reload or a shared link shows the same.
func (h *Handler) swapChoice(c *fiber.Ctx, pf *db.PeriodFigures, province, code string, current bool) (mapChoice, error) {
	dv, err := h.db.Division(c.UserContext(), pf.Period.Division)
	if err != nil {
		return mapChoice{}, err
	}
	choice, err := h.chooseOnMap(c, pf, dv, province, code, current)
	if err != nil {
		return mapChoice{}, err
	}
	choice.Panel.Focus, choice.OOB = true, true
	c.Set("HX-Push-Url", choice.Panel.MapURL)
	return choice, nil
}

// isCurrentGemeente reports whether code is part of the current division.
func (h *Handler) isCurrentGemeente(ctx context.Context, code string) (bool, error) {
	_, err := h.db.FindGemeente(ctx, code)
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// historyRow is one period in the table of a gemeente's figures over time.
type historyRow struct {
	Period  db.Period
	Figures db.GemeenteFigures
	URL     string
	Current bool
}

// gemeentePage is the view model of /gemeenten/{code}: the page, or with htmx its
// panel beside the map (mapChoice, views/gemeenten/kaart-fragment.html).
type gemeentePage struct {
	page
	mapChoice
	Info    db.GemeenteInfo
	Periods []option
	History []historyRow
	Pending []db.Period // later half years without a national figure, newest first
	Source  string      // the kind of the figures in History (totalsSource)
}

// mapCrumbs are the first steps of the trail of the map's pages.
func mapCrumbs(current crumb) []crumb {
	return []crumb{{Label: "Home", URL: "/"}, {Label: "Land in beeld", URL: "/kaart"}, current}
}

func (p gemeentePage) Crumbs() []crumb {
	return mapCrumbs(crumb{Label: p.Info.Name, URL: "/gemeenten/" + p.Info.Code, Current: true})
}

// showGemeente is /gemeenten/{code}?periode=…: the gemeente's page, or its panel
// beside the map for htmx. Without a period it shows the current one.
func (h *Handler) showGemeente(c *fiber.Ctx) error {
	ctx := c.UserContext()
	code := c.Params("code")
	if up := strings.ToUpper(code); up != code && gemeentePattern.MatchString(up) {
		// gm0344 is a typed or shortened link: send it to the one real address.
		return c.Redirect("/gemeenten/"+up+queryString(c), fiber.StatusMovedPermanently)
	}
	if !gemeentePattern.MatchString(code) {
		return gemeenteNotFound(code, db.Period{})
	}
	info, history, err := h.db.GemeenteHistory(ctx, code)
	if errors.Is(err, db.ErrNotFound) {
		return gemeenteNotFound(code, db.Period{})
	}
	if err != nil {
		return err
	}
	province := c.Query("provincie")
	if !provincePattern.MatchString(province) {
		province = "" // only used for the links back to the map
	}
	mapPeriods, err := h.mapPeriods(ctx)
	if err != nil {
		return err
	}
	// The history holds figures of map periods only.
	periods := make(map[string]db.Period, len(mapPeriods))
	for _, p := range mapPeriods {
		periods[p.Code] = p
	}
	var pf *db.PeriodFigures
	if v := c.Query("periode"); v != "" {
		if pf, err = h.periodFigures(c, mapPeriods, v); err != nil {
			return err
		}
		if _, ok := pf.Gemeente(code); !ok {
			return clientError(fiber.StatusNotFound, "Geen cijfers voor deze gemeente in deze periode",
				fmt.Sprintf("%s hoorde niet bij de gemeentelijke indeling van %s. Bekijk de perioden waarin %s wel voorkomt op de pagina van de gemeente.", info.Name, pf.Period.Label(), info.Name))
		}
	} else if len(history) > 0 {
		withFigures := make([]db.Period, 0, len(history))
		for _, g := range history {
			withFigures = append(withFigures, periods[g.Period])
		}
		cur, _ := db.CurrentPeriod(withFigures, time.Now())
		if pf, err = h.db.PeriodFigures(ctx, cur.Code); err != nil {
			return err
		}
	}

	vm := gemeentePage{Info: info}
	vm.Title = info.Name
	vm.Description = fmt.Sprintf("%s (provincie %s): de stand van de taakstelling voor de huisvesting van vergunninghouders per halfjaar, met goede voorbeelden uit de gemeente.", info.Name, info.ProvinceName)
	vm.Canonical = h.canonical("/gemeenten/" + code)
	vm.Nav = "kaart"
	if pf == nil {
		return h.render(c, fiber.StatusOK, "gemeenten/show", "gemeenten/kaart-fragment", vm)
	}
	if wantsFragment(c) {
		vm.mapChoice, err = h.swapChoice(c, pf, province, code, info.Current)
	} else {
		var panel gemeentePanel
		panel, err = h.gemeentePanel(c, code, pf, province, info.Current, false)
		vm.Panel = &panel
	}
	if err != nil {
		return err
	}
	vm.Title = info.Name + ": " + pf.Period.Label()
	// The description (and og:description) starts with the labelled sentence:
	// a search result or a shared link shows the kind of the figures first.
	vm.Description = vm.Panel.Sentence + " " + vm.Description
	vm.addHistory(history, periods, mapPeriods, pf.Period)
	return h.render(c, fiber.StatusOK, "gemeenten/show", "gemeenten/kaart-fragment", vm)
}

// addHistory fills the table of all periods and the period choice, newest first:
// for a gemeente of the current division the half years without a national
// figure, then those of its history. shown is the period on the page.
func (vm *gemeentePage) addHistory(history []db.GemeenteFigures, periods map[string]db.Period, mapPeriods []db.Period, shown db.Period) {
	if vm.Info.Current {
		for i := len(mapPeriods) - 1; i >= 0; i-- {
			if p := mapPeriods[i]; p.Pending {
				vm.Pending = append(vm.Pending, p)
				vm.Periods = append(vm.Periods, option{Value: p.Code, Label: p.Label() + " (nog geen landelijk cijfer)", Selected: p.Code == shown.Code})
			}
		}
	}
	for i := len(history) - 1; i >= 0; i-- {
		g := history[i]
		p := periods[g.Period]
		vm.History = append(vm.History, historyRow{Period: p, Figures: g, URL: gemeenteURL(vm.Info.Code, p.Code, ""), Current: p.Code == shown.Code})
		vm.Periods = append(vm.Periods, option{Value: p.Code, Label: p.Label(), Selected: p.Code == shown.Code})
	}
	vm.Source = totalsSource(db.SumFigures(history))
}
