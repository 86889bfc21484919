package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// Land in beeld: the map (/kaart), its search (/kaart/zoek) and the same figures as
// a table (/kaart/tabel). Every figure comes from db.PeriodFigures, the one code path
// that the gemeente pages and the downloads use too.

// mapState is a resolved /kaart query: period, optional province and gemeente.
type mapState struct {
	Periods   []db.Period
	Figures   *db.PeriodFigures // nil when there are no figures at all
	Provinces []db.Province
	Province  db.Province // Code "" for all of the Netherlands
	Gemeente  string      // selected gemeente, "" for none
	Absent    string      // why the asked-for gemeente is not shown
}

// Period is the period shown.
func (s mapState) Period() db.Period {
	if s.Figures == nil {
		return db.Period{}
	}
	return s.Figures.Period
}

// resolveMap reads periode, provincie and gemeente from the query string. A missing
// period means the current one; a wrong value of any of them is a Dutch 404.
func (h *Handler) resolveMap(c *fiber.Ctx) (mapState, error) {
	ctx := c.UserContext()
	var st mapState
	var err error
	if st.Periods, err = h.mapPeriods(ctx); err != nil {
		return st, err
	}
	if st.Provinces, err = h.db.Provinces(ctx); err != nil {
		return st, err
	}
	code := c.Query("periode")
	if code == "" {
		p, ok := db.CurrentPeriod(st.Periods, time.Now())
		if !ok {
			return st, nil // no figures at all: the pages say so
		}
		code = p.Code
	}
	if st.Figures, err = h.periodFigures(c, st.Periods, code); err != nil {
		return st, err
	}
	if v := c.Query("provincie"); v != "" {
		found := false
		for _, p := range st.Provinces {
			if p.Code == v {
				st.Province, found = p, true
			}
		}
		if !found {
			return st, clientError(fiber.StatusNotFound, "Provincie niet gevonden",
				"‘"+db.Truncate(v, 40)+"’ is geen provinciecode. Provincies hebben een code van het CBS, zoals PV27 voor Noord-Holland. Kies een provincie in de lijst op de kaart.")
		}
	}
	if v := c.Query("gemeente"); v != "" {
		if g, ok := st.Figures.Gemeente(v); ok {
			if st.Province.Code != "" && g.ProvinceCode != st.Province.Code {
				// Zoomed to another province (the form keeps the choice while the
				// province changes): the gemeente is off the map, so not chosen.
				st.Absent = g.Name + " ligt niet in " + st.Province.Name + ". Kies een gemeente op de kaart."
				return st, nil
			}
			st.Gemeente = v
			return st, nil
		}
		// A gemeente of another boundary set (kept by the form while the period
		// changes): show the map without it and say why. An unknown code is a 404.
		if !gemeentePattern.MatchString(v) {
			return st, gemeenteNotFound(v, st.Figures.Period)
		}
		info, _, err := h.db.GemeenteHistory(ctx, v)
		if errors.Is(err, db.ErrNotFound) {
			return st, gemeenteNotFound(v, st.Figures.Period)
		}
		if err != nil {
			return st, err
		}
		st.Absent = info.Name + " hoort niet bij de gemeentelijke indeling van " + st.Figures.Period.Label() + ". Kies een andere gemeente op de kaart."
	}
	return st, nil
}

// mapPeriods are the periods the map offers, oldest first: those with figures, then
// the half years after the last stored one up to today's, which have no national
// figure yet (db.PendingPeriods): they show "nog geen landelijk cijfer" instead of
// the list ending silently.
func (h *Handler) mapPeriods(ctx context.Context) ([]db.Period, error) {
	periods, err := h.db.FigurePeriods(ctx)
	if err != nil || len(periods) == 0 {
		return periods, err
	}
	all, err := h.db.Periods(ctx)
	if err != nil {
		return nil, err
	}
	return append(periods, db.PendingPeriods(all, time.Now())...), nil
}

// periodFigures returns the figures of one of periods (a pending one has every
// gemeente without figures), or a Dutch 404 that names the periods that do have
// figures.
func (h *Handler) periodFigures(c *fiber.Ctx, periods []db.Period, code string) (*db.PeriodFigures, error) {
	if _, _, ok := db.ParsePeriod(code); !ok {
		return nil, clientError(fiber.StatusNotFound, "Periode niet gevonden",
			"‘"+db.Truncate(code, 40)+"’ is geen periode. Een periode is een halfjaar, geschreven als 2025-H1 (eerste halfjaar) of 2025-H2 (tweede halfjaar).")
	}
	for _, p := range periods {
		if p.Code == code && p.Pending {
			return h.db.PendingFigures(c.UserContext(), p)
		}
	}
	pf, err := h.db.PeriodFigures(c.UserContext(), code)
	if errors.Is(err, db.ErrNotFound) {
		msg := "Voor " + code + " zijn geen cijfers per gemeente beschikbaar."
		if len(periods) > 0 && code > periods[len(periods)-1].Code {
			msg = "Voor " + code + " heeft deze site nog geen landelijk cijfer, dus ook geen cijfers per gemeente."
		}
		if len(periods) > 0 {
			msg += " De kaart heeft cijfers van " + periods[0].Label() + " tot en met " + periods[len(periods)-1].Label() + "."
		}
		return nil, clientError(fiber.StatusNotFound, "Geen cijfers voor deze periode", msg)
	}
	return pf, err
}

func gemeenteNotFound(code string, p db.Period) error {
	msg := "Er is geen gemeente met code ‘" + db.Truncate(code, 40) + "’."
	if p.Code != "" {
		msg = "Er is geen gemeente met code ‘" + db.Truncate(code, 40) + "’ in de gemeentelijke indeling van " + p.Label() + "."
	}
	return clientError(fiber.StatusNotFound, "Gemeente niet gevonden",
		msg+" Gemeentecodes van het CBS zien eruit als GM0363. Zoek de gemeente op de kaart of in de tabel.")
}

// mapURL is the shareable URL of a map state.
func mapURL(period, province, gemeente string) string {
	return withQuery("/kaart", "periode", period, "provincie", province, "gemeente", gemeente)
}

// gemeenteURL is the page of a gemeente in a period; the map passes its province
// along so that the panel can lead back to the same view.
func gemeenteURL(code, period, province string) string {
	return withQuery("/gemeenten/"+code, "periode", period, "provincie", province)
}

// withQuery is path with the query of the name-value pairs whose value is set.
func withQuery(path string, pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			v.Set(pairs[i], pairs[i+1])
		}
	}
	if q := v.Encode(); q != "" {
		return path + "?" + q
	}
	return path
}

func periodOptions(periods []db.Period, selected string) []option {
	out := make([]option, 0, len(periods))
	for i := len(periods) - 1; i >= 0; i-- { // newest first
		p := periods[i]
		label := p.Label()
		switch {
		case p.Pending:
			label += " (nog geen landelijk cijfer)"
		case !p.Known():
			label += " (landelijk cijfer niet gevonden)"
		}
		out = append(out, option{Value: p.Code, Label: label, Selected: p.Code == selected})
	}
	return out
}

// laterPending lists the pending periods after p, for the notice that the map shows
// the latest half year with a national figure.
func laterPending(periods []db.Period, p db.Period) []db.Period {
	var out []db.Period
	for _, q := range periods {
		if q.Pending && q.Code > p.Code {
			out = append(out, q)
		}
	}
	return out
}

// periodList names periods in a sentence: "1e halfjaar 2026 en 2e halfjaar 2026".
func periodList(periods []db.Period) string {
	s := ""
	for i, p := range periods {
		switch {
		case i == 0:
		case i == len(periods)-1:
			s += " en "
		default:
			s += ", "
		}
		s += p.Label()
	}
	return s
}

// nationalLine states a period's national figure with its status and source, or why
// there is none.
func nationalLine(p db.Period) string {
	switch {
	case p.Pending:
		return "Voor " + p.LongLabel() + " heeft deze site nog geen landelijk cijfer."
	case !p.Known():
		return "Voor " + p.LongLabel() + " is geen landelijk cijfer gevonden."
	}
	s := "Landelijke taakstelling " + p.Label() + ": " + formatNumber(*p.NationalTotal) + " personen, " + p.TotalStatus
	if !p.Official() {
		s += " (geen vastgesteld getal)"
	}
	return s + "."
}

func provinceOptions(provinces []db.Province, selected string) []option {
	out := []option{{Value: "", Label: "Heel Nederland", Selected: selected == ""}}
	for _, p := range provinces {
		out = append(out, option{Value: p.Code, Label: p.Name, Selected: p.Code == selected})
	}
	return out
}

// legendItem is one class of the legend with its threshold and count.
type legendItem struct {
	Standing db.Standing
	Slug     string
	Rule     string
	Count    int
}

func legend(t db.FigureTotals) []legendItem {
	out := make([]legendItem, 0, len(db.Standings))
	for _, s := range db.Standings {
		out = append(out, legendItem{Standing: s, Slug: s.Slug(), Rule: s.Rule(), Count: t.Count(s)})
	}
	return out
}

// mapPage is the view model of /kaart, page and fragment alike.
type mapPage struct {
	page
	Empty      bool
	KindSource string      // totalsSource of the shown figures
	National   string      // nationalLine
	SourceURL  string      // of the national figure
	Pending    []db.Period // later half years without a national figure
	Period     db.Period
	Province   db.Province
	Periods    []option
	Provinces  []option
	Totals     db.FigureTotals
	Legend     []legendItem
	Map        template.HTML // rendered by views/kaart/svg.html, cached (see renderMap)
	Names      []string      // for the search field's suggestions
	mapChoice                // the gemeente chosen, if any
	Search     *searchResult
	Absent     string
	Status     string // announced after a swap
	TableURL   string
	CSVURL     string
	JSONURL    string
	ProvinceOf string // "in Noord-Holland" or ""
}

// selectionOverlay outlines the chosen gemeente on top of the cached map.
type selectionOverlay struct {
	ViewBox string
	Path    string
	Name    string
}

// searchResult is the answer of the gemeente search when it is not one gemeente.
type searchResult struct {
	Query   string
	Matches []searchMatch
}

type searchMatch struct {
	Name, URL string
}

// showMap is /kaart: the map of a period, optionally zoomed to a province and with a
// gemeente's panel open. With htmx (the period form) it answers with the map part.
func (h *Handler) showMap(c *fiber.Ctx) error {
	st, err := h.resolveMap(c)
	if err != nil {
		return err
	}
	vm, err := h.mapPage(c, st)
	if err != nil {
		return err
	}
	vm.OOB = wantsFragment(c)
	return h.render(c, fiber.StatusOK, "kaart/index", "kaart/fragment", vm)
}

func (h *Handler) mapPage(c *fiber.Ctx, st mapState) (mapPage, error) {
	vm := mapPage{}
	vm.Title = "Land in beeld"
	vm.Description = "Kaart van alle gemeenten met de stand van hun taakstelling voor de huisvesting van vergunninghouders, per halfjaar: voor op schema, op schema of achter op schema."
	vm.Canonical = h.canonical("/kaart")
	vm.Nav = "kaart"
	if st.Figures == nil {
		vm.Empty = true
		return vm, nil
	}
	pf, p := st.Figures, st.Figures.Period
	vm.Period, vm.Province, vm.Absent = p, st.Province, st.Absent
	vm.Periods = periodOptions(st.Periods, p.Code)
	vm.Provinces = provinceOptions(st.Provinces, st.Province.Code)
	rows := pf.Gemeenten
	if st.Province.Code != "" {
		rows = pf.Select(st.Province.Code, "")
		vm.ProvinceOf = "in " + st.Province.Name
	}
	vm.Totals = db.SumFigures(rows)
	vm.Legend = legend(vm.Totals)
	vm.KindSource = totalsSource(vm.Totals)
	vm.National, vm.SourceURL = nationalLine(p), p.SourceURL
	vm.Pending = laterPending(st.Periods, p)
	vm.Description = withKind(totalsSource(vm.Totals), "Land in beeld, "+p.Label()+prefixSpace(vm.ProvinceOf)+
		": de stand van de taakstelling huisvesting vergunninghouders per gemeente, op een kaart met "+
		formatNumber(vm.Totals.Gemeenten)+" gemeenten. "+nationalLine(p))
	vm.Names = make([]string, 0, len(rows))
	for _, g := range rows {
		vm.Names = append(vm.Names, g.Name)
	}
	dv, err := h.db.Division(c.UserContext(), p.Division)
	if err != nil {
		return vm, err
	}
	if vm.Map, err = h.renderMap(pf, dv, st.Province.Code, vm.Totals); err != nil {
		return vm, err
	}
	if st.Gemeente != "" {
		current, err := h.isCurrentGemeente(c.UserContext(), st.Gemeente)
		if err != nil {
			return vm, err
		}
		if vm.mapChoice, err = h.chooseOnMap(c, pf, dv, st.Province.Code, st.Gemeente, current); err != nil {
			return vm, err
		}
	}
	vm.Title = "Land in beeld: " + p.Label()
	if st.Province.Code != "" {
		vm.Title += ", " + st.Province.Name
	}
	vm.Status = fmt.Sprintf("De kaart toont %s%s: %d gemeenten.", p.Label(), prefixSpace(vm.ProvinceOf), vm.Totals.Gemeenten)
	vm.TableURL = tableURL(tableQuery{Period: p.Code, Province: st.Province.Code})
	vm.CSVURL = "/open-data/cijfers.csv?periode=" + url.QueryEscape(p.Code)
	vm.JSONURL = "/open-data/cijfers.json?periode=" + url.QueryEscape(p.Code)
	return vm, nil
}

func prefixSpace(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// selection outlines one gemeente in the map's frame.
func selection(dv *db.Division, province, code string) *selectionOverlay {
	shape, ok := dv.Gemeente(code)
	if !ok {
		return nil
	}
	return &selectionOverlay{ViewBox: mapViewBox(dv, province).String(), Path: shape.Path, Name: shape.Name}
}

// mapViewBox is the frame of the map: the whole division, or a province's box with
// a strip below it for the label (mapStamp), so that the label covers no gemeente.
// On the whole country the label fits in the empty south-west corner (Belgium).
func mapViewBox(dv *db.Division, province string) db.Box {
	if province != "" {
		if b, ok := dv.ProvinceBox(province); ok {
			b.H += stampHeight(b)
			return b
		}
	}
	return dv.ViewBox
}

// stampLines is the number of lines of the map's label, at most.
const stampLines = 4

// stampFont is the label's font size in the units of box b: about 14 px when the
// map is drawn 800 px tall, and still 10 px or more in a narrow column.
func stampFont(b db.Box) int { return max(max(b.W, b.H)/55, 4) }

// stampHeight is the height of the label with all its lines.
func stampHeight(b db.Box) int {
	font := stampFont(b)
	return stampLines*font*5/4 + font
}

// searchMap is /kaart/zoek: find a gemeente by name or code. One match opens it:
// without JavaScript on its own page, with htmx in the map's panel. Otherwise the
// map shows what was found.
func (h *Handler) searchMap(c *fiber.Ctx) error {
	st, err := h.resolveMap(c)
	if err != nil {
		return err
	}
	if st.Figures == nil {
		return c.Redirect("/kaart", fiber.StatusSeeOther)
	}
	q := db.Truncate(strings.TrimSpace(strings.ToValidUTF8(c.Query("q"), "")), 100)
	matches := findGemeenten(st.Figures.Gemeenten, q, st.Province.Code)
	p := st.Figures.Period
	if len(matches) == 1 {
		code := matches[0].Code
		if !wantsFragment(c) {
			return c.Redirect(gemeenteURL(code, p.Code, ""), fiber.StatusSeeOther)
		}
		current, err := h.isCurrentGemeente(c.UserContext(), code)
		if err != nil {
			return err
		}
		choice, err := h.swapChoice(c, st.Figures, st.Province.Code, code, current)
		if err != nil {
			return err
		}
		c.Vary("HX-Request")
		return c.Render("gemeenten/kaart-fragment", choice)
	}
	res := &searchResult{Query: q}
	for _, g := range matches {
		res.Matches = append(res.Matches, searchMatch{Name: g.Name, URL: gemeenteURL(g.Code, p.Code, st.Province.Code)})
	}
	if wantsFragment(c) {
		c.Vary("HX-Request")
		return c.Render("kaart/zoekresultaat", res)
	}
	vm, err := h.mapPage(c, st)
	if err != nil {
		return err
	}
	vm.Search = res
	vm.NoIndex = true
	return h.render(c, fiber.StatusOK, "kaart/index", "", vm)
}

// aliases are names people use for gemeenten whose CBS name differs.
var aliases = map[string]string{
	"den haag":  "GM0518", // 's-Gravenhage
	"den bosch": "GM0796", // 's-Hertogenbosch
}

// findGemeenten finds gemeenten by name, alias or code: an exact match wins, then a
// unique start of a name, then names containing the query (at most 12).
func findGemeenten(all []db.GemeenteFigures, q, province string) []db.GemeenteFigures {
	return matchGemeenten(all, q, province, func(g db.GemeenteFigures) (code, name, province string) {
		return g.Code, g.Name, g.ProvinceCode
	})
}

// matchGemeenten is the one way the site matches what people type to gemeenten
// (the map's search, the gemeente field of the case and tip forms): an exact
// match of name ("Sudwest Fryslan", "'s-gravenhage"), alias ("Den Haag") or code
// ("GM0363", "0363") wins, then names that start with the query ("Hengelo" for
// "Hengelo (O.)"), then names containing it; at most 12. fields gives a
// gemeente's code, name and province; province, when set, is preferred among
// several matches.
func matchGemeenten[G any](all []G, q, province string, fields func(G) (code, name, province string)) []G {
	key := searchKey(q)
	if key == "" {
		return nil
	}
	var exact, prefix, contains []G
	alias := aliases[key]
	for _, g := range all {
		code, n, _ := fields(g)
		name := searchKey(n)
		switch {
		case name == key || strings.EqualFold(code, q) || code == alias || "gm"+key == strings.ToLower(code):
			exact = append(exact, g)
		case strings.HasPrefix(name, key):
			prefix = append(prefix, g)
		case strings.Contains(name, key):
			contains = append(contains, g)
		}
	}
	for _, set := range [][]G{exact, prefix, contains} {
		if len(set) == 0 {
			continue
		}
		if len(set) > 1 && province != "" {
			// Zoomed in on a province: prefer its gemeenten.
			var in []G
			for _, g := range set {
				if _, _, p := fields(g); p == province {
					in = append(in, g)
				}
			}
			if len(in) > 0 {
				set = in
			}
		}
		return set[:min(len(set), 12)]
	}
	return nil
}

// searchKey folds a name for matching: lower case, no accents, letters and digits
// separated by single spaces ("'s-Gravenhage" → "s gravenhage", "Fryslân" → "fryslan").
func searchKey(s string) string {
	return strings.Join(strings.FieldsFunc(db.Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// The rendered map. Rendering 342 gemeenten with their titles takes a few
// milliseconds; the result only changes when the figures do, so it is kept per
// period, province and boundary set until figures_version moves (PeriodFigures.
// Version). A period has one boundary set; it is part of the key all the same, so a
// period moved to another set (an import of a new division) can never hit an old map.
// At most periods × 13 entries of 20–170 KB are kept.

type mapKey struct {
	period   string
	province string
	division int
}

type mapCache struct {
	mu      sync.Mutex
	version int64
	maps    map[mapKey]template.HTML
}

func (m *mapCache) get(version int64, k mapKey) (template.HTML, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if version != m.version {
		return "", false
	}
	s, ok := m.maps[k]
	return s, ok
}

func (m *mapCache) put(version int64, k mapKey, s template.HTML) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case version > m.version || m.maps == nil:
		m.version, m.maps = version, map[mapKey]template.HTML{}
	case version < m.version:
		return // rendered from figures that have changed since
	}
	m.maps[k] = s
}

// mapSVG is the view model of views/kaart/svg.html.
type mapSVG struct {
	ViewBox      string
	Label        string
	Desc         string // what the figures are, in full sentences
	PatternScale string // size of the pattern tiles, relative to the zoom
	Context      []db.Shape
	Areas        []mapArea
	Provinces    []db.Shape
	Stamp        mapStamp
}

// mapStamp is the visible label inside the drawing, bottom left: the kind of the
// figures, the period and the source, on a white ground.
type mapStamp struct {
	Lines                   []stampLine
	X, Y, W, H, Font, TextX int
}

type stampLine struct {
	Y    int
	Text string
	Bold bool
}

// newMapStamp places the label lines in the bottom-left corner of viewBox vb (for a
// province: the strip mapViewBox added), with a font size that renders at about
// 12 px whatever the zoom.
func newMapStamp(vb db.Box, font int, lines []string, bold int) mapStamp {
	pad := font / 2
	st := mapStamp{X: vb.X + pad, Font: font, TextX: vb.X + 2*pad}
	longest := 0
	for _, l := range lines {
		longest = max(longest, utf8.RuneCountInString(l))
	}
	// An estimate of the text's width: 0.56 em per character of a sans-serif font.
	st.W = longest*font*56/100 + 2*pad
	st.H = len(lines)*font*5/4 + pad
	st.Y = vb.Y + vb.H - st.H - pad
	for i, l := range lines {
		st.Lines = append(st.Lines, stampLine{Y: st.Y + pad/2 + (i+1)*font*5/4 - font/4, Text: l, Bold: i < bold})
	}
	return st
}

// mapArea is one gemeente on the map: an SVG link to its page, whose panel htmx
// loads in place.
type mapArea struct {
	Code  string
	Path  string
	Slug  string // class
	URL   string
	Name  string // accessible name: kind, name and class
	Title string // kind, name, class and figures in words
}

// renderMap returns the SVG of a period's map, from the cache when it can. totals
// are those of the gemeenten drawn (the province's when zoomed).
func (h *Handler) renderMap(pf *db.PeriodFigures, dv *db.Division, province string, totals db.FigureTotals) (template.HTML, error) {
	key := mapKey{pf.Period.Code, province, dv.Year}
	if s, ok := h.maps.get(pf.Version, key); ok {
		return s, nil
	}
	vb := mapViewBox(dv, province)
	where := provinceIn(dv, province)
	source := totalsSource(totals)
	vm := mapSVG{
		ViewBox: vb.String(),
		Label: withKind(source, "Kaart van de gemeenten"+prefixSpace(where)+", "+pf.Period.Label()+
			". Elke gemeente is een link naar haar cijfers."),
		Desc: kindDescription(totals) + "Stand van de taakstelling huisvesting vergunninghouders per gemeente" +
			prefixSpace(where) + ", " + pf.Period.Label() + ". " + nationalLine(pf.Period) + " Bron: Opnieuw Thuis, Land in beeld.",
		PatternScale: fmt.Sprintf("%.2f", float64(max(vb.W, vb.H))/450),
	}
	base := dv.ViewBox
	if b, ok := dv.ProvinceBox(province); ok && province != "" {
		base = b
	}
	lines, bold := kindLines(totals)
	lines = append(lines, "Land in beeld · "+pf.Period.Label()+prefixSpace(where), "Opnieuw Thuis · grenzen: CBS / Kadaster")
	vm.Stamp = newMapStamp(vb, stampFont(base), lines, bold)
	for _, pv := range dv.Provinces {
		if province == "" || pv.Code == province {
			vm.Provinces = append(vm.Provinces, pv)
		} else {
			vm.Context = append(vm.Context, pv)
		}
	}
	for _, shape := range dv.Gemeenten {
		if province != "" && shape.ProvinceCode != province {
			continue
		}
		g, ok := pf.Gemeente(shape.Code)
		if !ok {
			continue
		}
		name := g.Name + ", " + string(g.Standing)
		if k := figureKindShort(g.Source()); k != "" {
			name = k + ": " + name
		}
		vm.Areas = append(vm.Areas, mapArea{
			Code:  shape.Code,
			Path:  shape.Path,
			Slug:  g.Standing.Slug(),
			URL:   gemeenteURL(shape.Code, pf.Period.Code, province),
			Name:  name,
			Title: describe(g, pf.Period),
		})
	}
	var buf bytes.Buffer
	if err := h.views.Render(&buf, "kaart/svg", vm); err != nil {
		return "", fmt.Errorf("render map: %w", err)
	}
	// The output of our own template, with every value escaped by html/template:
	// safe to insert as is.
	s := template.HTML(buf.String())
	h.maps.put(pf.Version, key, s)
	return s, nil
}

func provinceIn(dv *db.Division, code string) string {
	for _, p := range dv.Provinces {
		if p.Code == code {
			return "in " + p.Name
		}
	}
	return ""
}

// describe states a gemeente's standing and figures in Dutch sentences, for the
// map's titles, the panel and the gemeente page's lead and description. It starts
// with the kind of the figures when they are not official (withKind).
func describe(g db.GemeenteFigures, p db.Period) string {
	var b strings.Builder
	b.WriteString(g.Name + ", " + p.Label() + ": " + string(g.Standing) + ".")
	switch {
	case p.Pending:
		b.WriteString(" Voor dit halfjaar heeft deze site nog geen landelijk cijfer, dus ook geen taakstelling per gemeente.")
	case g.Taakstelling == nil && !p.Known():
		b.WriteString(" De landelijke taakstelling voor deze periode is niet gevonden, dus er is geen taakstelling per gemeente berekend.")
	case g.Taakstelling == nil:
		b.WriteString(" Geen taakstelling bekend.")
	case g.Realised == nil:
		b.WriteString(" Taakstelling " + formatNumber(*g.Taakstelling) + basisNote(g.TaakstellingBasis))
		if c := g.CarryBalance(); c != nil && *c != 0 {
			b.WriteString(", gecorrigeerd " + formatNumber(*g.Corrected))
		}
		b.WriteString("; nog geen realisaties bekend.")
	default:
		b.WriteString(" Gerealiseerd " + formatNumber(*g.Realised) + " van de " + formatNumber(*g.Expected) +
			" die naar rato verwacht worden")
		if g.Percentage != nil {
			b.WriteString(" (" + formatNumber(*g.Percentage) + " %)")
		}
		switch d := *g.Difference; {
		case g.Standing == db.StandingTooSmall:
			b.WriteString("; bij minder dan " + formatNumber(db.MinJudgedExpected) + " verwachte personen geeft deze site geen oordeel.")
		case d < 0:
			b.WriteString(", " + formatNumber(-d) + " " + plural(-d, "persoon", "personen") + " achter op schema.")
		case d > 0:
			b.WriteString(", " + formatNumber(d) + " " + plural(d, "persoon", "personen") + " voor op schema.")
		default:
			b.WriteString(", precies op schema.")
		}
		b.WriteString(" Gecorrigeerde taakstelling " + formatNumber(*g.Corrected) + basisNote(g.TaakstellingBasis) + ".")
	}
	return withKind(g.Source(), b.String())
}

func basisNote(basis string) string {
	if basis == db.BasisComputed {
		return " (berekend naar inwonertal)"
	}
	return ""
}
