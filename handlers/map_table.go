package handlers

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// /kaart/tabel: the figures of the map as a table, the accessible alternative to it.
// Sortable by every column and filterable by province and class, through links and a
// GET form that work without JavaScript and that htmx swaps in place.

// tableQuery is the state of the table, as in its URL.
type tableQuery struct {
	Period   string
	Province string
	Standing string // slug
	Sort     string // a tableColumns key; "" = gemeente
	Desc     bool
}

func tableURL(q tableQuery) string {
	sort, dir := q.Sort, ""
	if sort == "gemeente" {
		sort = "" // the default
	}
	if q.Desc {
		dir = "af"
	}
	return withQuery("/kaart/tabel", "periode", q.Period, "provincie", q.Province, "status", q.Standing, "sorteer", sort, "richting", dir)
}

// tableColumn is a sortable column. value returns nil for an unknown value, which
// sorts last in either direction.
type tableColumn struct {
	Key     string
	Label   string
	Numeric bool
	value   func(g db.GemeenteFigures) *int
	text    func(g db.GemeenteFigures) string
}

// standingRank orders the classes from the worst to the best, then te klein om te
// beoordelen; geen gegevens has no rank and sorts last.
func standingRank(g db.GemeenteFigures) *int {
	switch g.Standing {
	case db.StandingFarBehind:
		return ptrInt(0)
	case db.StandingBehind:
		return ptrInt(1)
	case db.StandingOnSchedule:
		return ptrInt(2)
	case db.StandingAhead:
		return ptrInt(3)
	case db.StandingTooSmall:
		return ptrInt(4)
	}
	return nil
}

// oldStandingSlugs are the status values of the first release, when the pace
// classes were named after the carry-over; links that still use them are sent on.
var oldStandingSlugs = map[string]db.Standing{
	"voorsprong":        db.StandingAhead,
	"achterstand":       db.StandingBehind,
	"grote-achterstand": db.StandingFarBehind,
}

func ptrInt(n int) *int { return &n }

var tableColumns = []tableColumn{
	{Key: "gemeente", Label: "Gemeente", text: func(g db.GemeenteFigures) string { return searchKey(g.Name) }},
	{Key: "provincie", Label: "Provincie", text: func(g db.GemeenteFigures) string { return searchKey(g.ProvinceName) }},
	{Key: "inwoners", Label: "Inwoners", Numeric: true, value: func(g db.GemeenteFigures) *int { return g.Population }},
	{Key: "taakstelling", Label: "Taakstelling", Numeric: true, value: func(g db.GemeenteFigures) *int { return g.Taakstelling }},
	{Key: "overloop", Label: "Overloop uit vorig halfjaar", Numeric: true, value: func(g db.GemeenteFigures) *int { return g.CarryBalance() }},
	{Key: "gecorrigeerd", Label: "Gecorrigeerd", Numeric: true, value: func(g db.GemeenteFigures) *int { return g.Corrected }},
	{Key: "gerealiseerd", Label: "Gerealiseerd", Numeric: true, value: func(g db.GemeenteFigures) *int { return g.Realised }},
	{Key: "verwacht", Label: "Verwacht", Numeric: true, value: func(g db.GemeenteFigures) *int { return g.Expected }},
	{Key: "verschil", Label: "Verschil met verwacht", Numeric: true, value: func(g db.GemeenteFigures) *int { return g.Difference }},
	{Key: "percentage", Label: "% van verwacht", Numeric: true, value: func(g db.GemeenteFigures) *int { return g.Percentage }},
	{Key: "status", Label: "Status", value: standingRank},
}

func findColumn(key string) (tableColumn, bool) {
	for _, c := range tableColumns {
		if c.Key == key {
			return c, true
		}
	}
	return tableColumn{}, false
}

// sortFigures orders rows by a column; unknown values last, ties by name. The keys
// are computed once per row: folding a name (searchKey) in every comparison would
// cost more than the rest of the table.
func sortFigures(rows []db.GemeenteFigures, col tableColumn, desc bool) {
	type keyed struct {
		name, code, text string
		value            *int
		row              int
	}
	keys := make([]keyed, len(rows))
	for i, g := range rows {
		k := keyed{name: searchKey(g.Name), code: g.Code, row: i}
		if col.text != nil {
			k.text = col.text(g)
		} else {
			k.value = col.value(g)
		}
		keys[i] = k
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		byName := cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.code, b.code))
		var c int
		if col.text != nil {
			c = strings.Compare(a.text, b.text)
		} else {
			switch {
			case a.value == nil && b.value == nil:
				return byName
			case a.value == nil:
				return 1
			case b.value == nil:
				return -1
			}
			c = cmp.Compare(*a.value, *b.value)
		}
		if desc {
			c = -c
		}
		return cmp.Or(c, byName)
	})
	sorted := make([]db.GemeenteFigures, len(rows))
	for i, k := range keys {
		sorted[i] = rows[k.row]
	}
	copy(rows, sorted)
}

// headerCell is a column header: a link that sorts by it, and its aria-sort.
type headerCell struct {
	Key     string
	Label   string
	URL     string
	Numeric bool
	Sort    string // "ascending", "descending" or ""
	Next    string // what the link does, for screen readers
}

// tablePage is the view model of /kaart/tabel, page and fragment alike.
type tablePage struct {
	page
	Empty       bool
	Period      db.Period
	Province    db.Province
	Standing    db.Standing
	Periods     []option
	Provinces   []option
	Standings   []option
	Headers     []headerCell
	Rows        []db.GemeenteFigures
	Totals      db.FigureTotals
	Caption     string
	Status      string
	MapURL      string
	CSVURL      string
	JSONURL     string
	Query       tableQuery
	AllTotals   db.FigureTotals // before the class filter, for its counts
	StatusLinks []statusLink
	National    string // nationalLine
}

func (tablePage) Crumbs() []crumb {
	return mapCrumbs(crumb{Label: "Tabel", URL: "/kaart/tabel", Current: true})
}

// statusLink filters the table on a class, showing how many gemeenten it holds.
type statusLink struct {
	Slug, Label, URL string
	Count            int
	Selected         bool
}

// showTable is /kaart/tabel.
func (h *Handler) showTable(c *fiber.Ctx) error {
	st, err := h.resolveMap(c)
	if err != nil {
		return err
	}
	vm := tablePage{}
	vm.Title = "Land in beeld: tabel"
	vm.Description = "De stand van de taakstelling huisvesting vergunninghouders van alle gemeenten als tabel, te sorteren op elke kolom en te filteren op provincie en status."
	if v := c.Query("status"); oldStandingSlugs[v] != "" {
		q := c.Request().URI().QueryArgs()
		q.Set("status", oldStandingSlugs[v].Slug())
		return c.Redirect("/kaart/tabel?"+string(q.QueryString()), fiber.StatusMovedPermanently)
	}
	vm.Canonical = h.canonical("/kaart/tabel")
	vm.Nav = "kaart"
	if st.Figures == nil {
		vm.Empty = true
		return h.render(c, fiber.StatusOK, "kaart/tabel", "kaart/tabel-fragment", vm)
	}
	p := st.Figures.Period
	q, sortCol, err := parseTableQuery(c, tableQuery{Period: p.Code, Province: st.Province.Code, Sort: "gemeente"})
	if err != nil {
		return err
	}
	vm.Query = q
	vm.Standing, _ = db.StandingBySlug(q.Standing)
	vm.Period, vm.Province = p, st.Province
	vm.Periods = periodOptions(st.Periods, p.Code)
	vm.Provinces = provinceOptions(st.Provinces, st.Province.Code)
	vm.AllTotals = db.SumFigures(st.Figures.Select(st.Province.Code, ""))
	vm.Standings, vm.StatusLinks = standingFilters(q, vm.AllTotals)
	vm.Rows = st.Figures.Select(st.Province.Code, vm.Standing)
	sortFigures(vm.Rows, sortCol, q.Desc)
	vm.Totals = db.SumFigures(vm.Rows)
	vm.Headers = tableHeaders(q)
	where := "Nederland"
	if st.Province.Code != "" {
		where = st.Province.Name
	}
	vm.Caption = "Stand van de taakstelling per gemeente, " + p.Label() + ", " + where
	if vm.Standing != "" {
		vm.Caption += ", status " + string(vm.Standing)
	}
	// The caption names the kind of the figures first, as does the description.
	vm.Caption = withKind(totalsSource(vm.AllTotals), vm.Caption)
	vm.National = nationalLine(p)
	vm.Description = withKind(totalsSource(vm.AllTotals), "Land in beeld als tabel, "+p.Label()+", "+where+
		": de stand van de taakstelling huisvesting vergunninghouders van "+formatNumber(vm.AllTotals.Gemeenten)+
		" gemeenten, te sorteren op elke kolom en te filteren op provincie en status. "+nationalLine(p))
	vm.Status = formatNumber(len(vm.Rows)) + " " + plural(len(vm.Rows), "gemeente", "gemeenten") + " in de tabel."
	vm.Title = "Land in beeld: tabel, " + p.Label()
	vm.MapURL = mapURL(p.Code, st.Province.Code, "")
	vm.CSVURL = "/open-data/cijfers.csv?periode=" + url.QueryEscape(p.Code)
	vm.JSONURL = "/open-data/cijfers.json?periode=" + url.QueryEscape(p.Code)
	return h.render(c, fiber.StatusOK, "kaart/tabel", "kaart/tabel-fragment", vm)
}

// parseTableQuery reads the status filter and the sort order of the table into q,
// and returns the column to sort on.
func parseTableQuery(c *fiber.Ctx, q tableQuery) (tableQuery, tableColumn, error) {
	if v := c.Query("status"); v != "" {
		if _, ok := db.StandingBySlug(v); !ok {
			return q, tableColumn{}, clientError(fiber.StatusNotFound, "Status niet gevonden",
				"‘"+db.Truncate(v, 40)+"’ is geen status. Kies voor op schema, op schema, achter op schema, ver achter op schema, te klein om te beoordelen of geen gegevens.")
		}
		q.Standing = v
	}
	sortCol, _ := findColumn("gemeente")
	if v := c.Query("sorteer"); v != "" {
		col, ok := findColumn(v)
		if !ok {
			return q, tableColumn{}, clientError(fiber.StatusBadRequest, "Onbekende sortering",
				"‘"+db.Truncate(v, 40)+"’ is geen kolom van de tabel. Klik op een kolomkop om te sorteren.")
		}
		sortCol, q.Sort = col, col.Key
	}
	switch c.Query("richting") {
	case "", "op":
	case "af":
		q.Desc = true
	default:
		return q, tableColumn{}, clientError(fiber.StatusBadRequest, "Onbekende sorteerrichting", "Sorteer oplopend (op) of aflopend (af).")
	}
	return q, sortCol, nil
}

// standingFilters are the status choices of the table's form and its status
// links with their counts; the chosen status links back to all.
func standingFilters(q tableQuery, totals db.FigureTotals) ([]option, []statusLink) {
	opts := []option{{Value: "", Label: "Alle statussen", Selected: q.Standing == ""}}
	var links []statusLink
	for _, s := range db.Standings {
		opts = append(opts, option{Value: s.Slug(), Label: string(s), Selected: s.Slug() == q.Standing})
		link := q
		link.Standing = s.Slug()
		if link.Standing == q.Standing {
			link.Standing = ""
		}
		links = append(links, statusLink{Slug: s.Slug(), Label: string(s),
			Count: totals.Count(s), URL: tableURL(link), Selected: s.Slug() == q.Standing})
	}
	return opts, links
}

// tableHeaders are the column heads, each a link that sorts on it (again: the
// other way round).
func tableHeaders(q tableQuery) []headerCell {
	var out []headerCell
	for _, col := range tableColumns {
		hc := headerCell{Key: col.Key, Label: col.Label, Numeric: col.Numeric}
		next := q
		next.Sort, next.Desc = col.Key, false
		if col.Key == q.Sort {
			hc.Sort = "ascending"
			if q.Desc {
				hc.Sort = "descending"
			}
			next.Desc = !q.Desc
		}
		hc.URL = tableURL(next)
		hc.Next = "oplopend sorteren"
		if next.Desc {
			hc.Next = "aflopend sorteren"
		}
		out = append(out, hc)
	}
	return out
}
