package handlers

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// /gemeenten/{code}: one gemeente's figures over time and its cases. The same URL
// with htmx gives the panel that the map opens beside itself.

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

// gemeentePanel builds the panel of a gemeente in a period. province is the map's
// zoom, kept in the links back to the map.
func (h *Handler) gemeentePanel(c *fiber.Ctx, code string, pf *db.PeriodFigures, province string, inMap bool) (gemeentePanel, error) {
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
	_, err = h.db.FindGemeente(c.UserContext(), code)
	current := err == nil
	if err != nil && !errors.Is(err, db.ErrNotFound) {
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

// mapPanelFragment is what the map swaps in: the panel, the outline of the gemeente
// on the map, and the form field that keeps it selected when the period changes.
type mapPanelFragment struct {
	Panel     gemeentePanel
	Selection *selectionOverlay
	Selected  string
}

// mapPanel answers an htmx request from the map with the gemeente's panel, and
// points the address bar at the map with the gemeente selected: a reload or a
// shared link shows the same.
func (h *Handler) mapPanel(c *fiber.Ctx, code string, pf *db.PeriodFigures, province string) error {
	panel, err := h.gemeentePanel(c, code, pf, province, true)
	if err != nil {
		return err
	}
	panel.Focus = true
	dv, err := h.db.Division(c.UserContext(), pf.Period.Division)
	if err != nil {
		return err
	}
	c.Vary("HX-Request", "HX-Target")
	c.Set("HX-Push-Url", panel.MapURL)
	return c.Render("gemeenten/kaart-fragment", mapPanelFragment{Panel: panel, Selection: selection(dv, province, code), Selected: code})
}

// historyRow is one period in the table of a gemeente's figures over time.
type historyRow struct {
	Period  db.Period
	Figures db.GemeenteFigures
	URL     string
	Current bool
}

// gemeentePage is the view model of /gemeenten/{code}.
type gemeentePage struct {
	page
	Info    db.GemeenteInfo
	Panel   *gemeentePanel
	Periods []option
	History []historyRow
	Pending []db.Period // later half years without a national figure, newest first
	Source  string      // the kind of the figures in History (totalsSource)
}

// showGemeente is /gemeenten/{code}?periode=…: the gemeente's page, or its panel for
// htmx. Without a period it shows the current one.
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
		var periods []db.Period
		for _, g := range history {
			p, err := h.db.FindPeriod(ctx, g.Period)
			if err != nil {
				return err
			}
			periods = append(periods, p)
		}
		cur, _ := db.CurrentPeriod(periods, time.Now())
		if pf, err = h.db.PeriodFigures(ctx, cur.Code); err != nil {
			return err
		}
	}
	if pf != nil && wantsFragment(c) && c.Get("HX-Target") == "kaart-paneel" {
		return h.mapPanel(c, code, pf, province)
	}

	vm := gemeentePage{Info: info}
	vm.Title = info.Name
	vm.Description = fmt.Sprintf("%s (provincie %s): de stand van de taakstelling voor de huisvesting van vergunninghouders per halfjaar, met goede voorbeelden uit de gemeente.", info.Name, info.ProvinceName)
	vm.Canonical = h.canonical("/gemeenten/" + code)
	vm.Nav = "kaart"
	if pf != nil {
		panel, err := h.gemeentePanel(c, code, pf, province, false)
		if err != nil {
			return err
		}
		vm.Panel = &panel
		vm.Title = info.Name + ": " + pf.Period.Label()
		// The description (and og:description) starts with the labelled sentence:
		// a search result or a shared link shows the kind of the figures first.
		vm.Description = panel.Sentence + " " + vm.Description
		if info.Current {
			for i := len(mapPeriods) - 1; i >= 0; i-- {
				if p := mapPeriods[i]; p.Pending {
					vm.Pending = append(vm.Pending, p)
					vm.Periods = append(vm.Periods, option{Value: p.Code, Label: p.Label() + " (nog geen landelijk cijfer)", Selected: p.Code == pf.Period.Code})
				}
			}
		}
		for i := len(history) - 1; i >= 0; i-- {
			g := history[i]
			p, err := h.db.FindPeriod(ctx, g.Period)
			if err != nil {
				return err
			}
			vm.History = append(vm.History, historyRow{Period: p, Figures: g, URL: gemeenteURL(code, p.Code, ""), Current: p.Code == pf.Period.Code})
			vm.Periods = append(vm.Periods, option{Value: p.Code, Label: p.Label(), Selected: p.Code == pf.Period.Code})
		}
		vm.Source = totalsSource(db.SumFigures(history))
	}
	c.Vary("HX-Target")
	return h.render(c, fiber.StatusOK, "gemeenten/show", "gemeenten/fragment", vm)
}
