package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/locales/nl"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	nltrans "github.com/go-playground/validator/v10/translations/nl"

	"opnieuwthuis/db"
)

// forms validates every form of the site with go-playground/validator and its
// Dutch translations, plus the project's own rules with Dutch messages. The inline
// (per field, htmx) validation and the full submit call the same functions.
type forms struct {
	v  *validator.Validate
	tr ut.Translator

	gemeenten      []db.Gemeente
	gemeenteByCode map[string]db.Gemeente
	themes         []db.Theme
	provinces      []db.Province
}

// Year range of a case: from the first cases the platform knew to next year.
const minCaseYear = 1990

func maxCaseYear() int { return time.Now().Year() + 1 }

func newForms(ctx context.Context, store *db.DB) (*forms, error) {
	f := &forms{gemeenteByCode: map[string]db.Gemeente{}}
	var err error
	if f.gemeenten, err = store.Gemeenten(ctx); err != nil {
		return nil, err
	}
	for _, g := range f.gemeenten {
		f.gemeenteByCode[g.Code] = g
	}
	if f.themes, err = store.Themes(ctx); err != nil {
		return nil, err
	}
	if f.provinces, err = store.Provinces(ctx); err != nil {
		return nil, err
	}
	if err := f.setupValidator(); err != nil {
		return nil, err
	}
	return f, nil
}

// setupValidator makes the validator with Dutch messages that name a field by its
// label, and registers the site's own rules.
func (f *forms) setupValidator() error {
	loc := nl.New()
	f.tr, _ = ut.New(loc, loc).GetTranslator("nl")
	f.v = validator.New(validator.WithRequiredStructEnabled())
	// Messages name a field by its Dutch label.
	f.v.RegisterTagNameFunc(func(sf reflect.StructField) string {
		if l := sf.Tag.Get("label"); l != "" {
			return l
		}
		return sf.Name
	})
	if err := nltrans.RegisterDefaultTranslations(f.v, f.tr); err != nil {
		return fmt.Errorf("validator translations: %w", err)
	}
	for _, r := range f.rules() {
		if err := f.v.RegisterValidation(r.tag, r.fn); err != nil {
			return err
		}
		if err := f.translate(r.tag, r.message); err != nil {
			return err
		}
	}
	// Clearer Dutch than the stock texts for the rules used most.
	for tag, msg := range map[string]string{
		"required": "Vul het veld ‘{0}’ in.", // fields without a required:"…" text of their own
		"email":    "{0} moet een geldig e-mailadres zijn, zoals naam@gemeente.nl.",
	} {
		if err := f.translate(tag, msg); err != nil {
			return err
		}
	}
	return nil
}

// formRule is a validation tag of the site's own, with its Dutch message.
type formRule struct {
	tag, message string
	fn           validator.Func
}

// rules are the tags the forms use beyond validator's own.
func (f *forms) rules() []formRule {
	return []formRule{
		{"slug", "{0} mag alleen kleine letters zonder accenten, cijfers en losse streepjes bevatten, zoals ‘tijdelijke-woningen-utrecht’.",
			func(fl validator.FieldLevel) bool { return slugPattern.MatchString(fl.Field().String()) }},
		{"gemeente", "{0}: kies een bestaande gemeente uit de lijst (naam of CBS-code zoals GM0363), of laat leeg voor een regionaal of landelijk voorbeeld.",
			func(fl validator.FieldLevel) bool { _, ok := f.findGemeente(fl.Field().String()); return ok }},
		{"theme", "Kies alleen thema’s uit de lijst.",
			func(fl validator.FieldLevel) bool {
				return slices.ContainsFunc(f.themes, func(t db.Theme) bool { return t.Slug == fl.Field().String() })
			}},
		{"kind", "Kies bij {0} ‘Woonoplossing’ of ‘Aanpak’.",
			func(fl validator.FieldLevel) bool { return slices.Contains(db.Kinds, fl.Field().String()) }},
		{"status", "Kies een geldige {0}.",
			func(fl validator.FieldLevel) bool { return slices.Contains(db.Statuses, fl.Field().String()) }},
		{"year", fmt.Sprintf("{0} moet een jaartal tussen %d en %d zijn.", minCaseYear, maxCaseYear()),
			func(fl validator.FieldLevel) bool {
				n, err := strconv.Atoi(strings.TrimSpace(fl.Field().String()))
				return err == nil && n >= minCaseYear && n <= maxCaseYear()
			}},
		{"count", "{0} moet een heel getal zijn van 0 tot 1.000.000, zonder punten of letters.",
			func(fl validator.FieldLevel) bool {
				n, err := strconv.Atoi(strings.TrimSpace(fl.Field().String()))
				return err == nil && n >= 0 && n <= 1_000_000
			}},
		{"stage", "Kies bij {0} plan, in uitvoering, gerealiseerd, beëindigd of onbekend.",
			func(fl validator.FieldLevel) bool { return slices.Contains(db.Stages, fl.Field().String()) }},
		{"targetgroup", "Kies bij Doelgroep alleen alleenstaanden, gezinnen, jongeren of gemengd.",
			func(fl validator.FieldLevel) bool { return slices.Contains(db.TargetGroups, fl.Field().String()) }},
		{"qualifier", "Kies bij {0} doel, gerealiseerd of maximaal.",
			func(fl validator.FieldLevel) bool { return slices.Contains(db.Qualifiers, fl.Field().String()) }},
		{"province", "Kies bij {0} een provincie uit de lijst.",
			func(fl validator.FieldLevel) bool {
				return slices.ContainsFunc(f.provinces, func(p db.Province) bool { return p.Code == fl.Field().String() })
			}},
		{"partialdate", "{0} moet een jaar, een maand of een dag zijn, zoals 2024, 2024-05 of 2024-05-12.",
			func(fl validator.FieldLevel) bool { _, ok := parsePartialDate(fl.Field().String(), 1); return ok }},
		{"monthdate", "{0} moet een maand of een dag zijn, zoals 2026-12 of 2026-12-05.",
			func(fl validator.FieldLevel) bool { _, ok := parsePartialDate(fl.Field().String(), 2); return ok }},
		{"weburl", "{0} moet een volledig webadres zijn dat begint met https:// of http://.",
			func(fl validator.FieldLevel) bool { return isWebURL(fl.Field().String()) }},
		{"password", "{0} moet minstens " + strconv.Itoa(db.MinPasswordLength) + " en hoogstens " + strconv.Itoa(db.MaxPasswordBytes) + " tekens lang zijn.",
			func(fl validator.FieldLevel) bool { return db.CheckPassword(fl.Field().String()) == "" }},
		{"role", "Kies als {0} ‘redacteur’ of ‘beheerder’.",
			func(fl validator.FieldLevel) bool { return slices.Contains(db.Roles, fl.Field().String()) }},
		{"period", "{0} moet een halfjaar zijn zoals 2025-H1 of 2025-H2.",
			func(fl validator.FieldLevel) bool { _, _, ok := db.ParsePeriod(fl.Field().String()); return ok }},
		{"national_total", "{0} moet een heel aantal personen zijn van 1 tot " + formatNumber(db.MaxNationalTotal) + ", zoals 13000 of 13.000.",
			func(fl validator.FieldLevel) bool { return validNationalTotal(fl.Field().String()) }},
		{"total_status", "Kies bij {0} vastgesteld, bijgesteld, prognose of afgeleid.",
			func(fl validator.FieldLevel) bool { return slices.Contains(db.TotalStatuses, fl.Field().String()) }},
		{"source_date", "{0} moet een datum zijn zoals 2025-04-16, of alleen jaar en maand (2025-04) of jaar (2025), en niet in de toekomst.",
			func(fl validator.FieldLevel) bool { return validSourceDate(fl.Field().String()) }},
	}
}

// translate registers message (with {0} for the field's label and {1} for the
// rule's parameter) as the Dutch text of tag.
func (f *forms) translate(tag, message string) error {
	return f.v.RegisterTranslation(tag, f.tr,
		func(t ut.Translator) error { return t.Add(tag, message, true) },
		func(t ut.Translator, fe validator.FieldError) string {
			s, err := t.T(tag, fe.Field(), fe.Param())
			if err != nil {
				return fe.Error()
			}
			return s
		})
}

// findGemeente is the gemeente that what was typed names, when exactly one does
// (gemeenteMatches).
func (f *forms) findGemeente(s string) (db.Gemeente, bool) {
	m := f.gemeenteMatches(s)
	if len(m) != 1 {
		return db.Gemeente{}, false
	}
	return m[0], true
}

// gemeenteMatches are the gemeenten what an editor or visitor typed may mean: the
// picker's "Name (GM0363)", a CBS code, or a name as the map's search understands
// it ("Den Haag", "Den Bosch", "Sudwest Fryslan", "Hengelo" for "Hengelo (O.)"),
// with the map's own matching (matchGemeenten).
func (f *forms) gemeenteMatches(s string) []db.Gemeente {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "("); i > 0 && strings.HasSuffix(s, ")") {
		if g, ok := f.gemeenteByCode[strings.ToUpper(s[i+1:len(s)-1])]; ok {
			return []db.Gemeente{g}
		}
	}
	return matchGemeenten(f.gemeenten, s, "", func(g db.Gemeente) (code, name, province string) {
		return g.Code, g.Name, g.ProvinceCode
	})
}

// explainGemeente replaces the generic message of an unknown gemeente by the
// candidates when the name fits several ("Bergen": Limburg and Noord-Holland).
func (f *forms) explainGemeente(errs formErrors, field, value string) {
	if !errs.Has(field) {
		return
	}
	m := f.gemeenteMatches(value)
	if len(m) < 2 {
		return
	}
	names := make([]string, len(m))
	for i, g := range m {
		names[i] = g.Name + " (" + g.ProvinceName + ")"
	}
	errs.set(field, "Meerdere gemeenten passen bij ‘"+db.Truncate(value, 40)+"’: "+strings.Join(names, ", ")+". Kies er een uit de lijst.")
}

// provinceName is the name of a province code (the code itself when unknown).
func (f *forms) provinceName(code string) string {
	for _, p := range f.provinces {
		if p.Code == code {
			return p.Name
		}
	}
	return code
}

// gemeenteLabel is what the picker shows for a code: "Name (GM0363)".
func (f *forms) gemeenteLabel(code string) string {
	if g, ok := f.gemeenteByCode[code]; ok {
		return g.Name + " (" + g.Code + ")"
	}
	return code
}

func isWebURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		!strings.ContainsAny(u.Host, " <>\"") && u.User == nil
}

// fieldError is one invalid field: its form name, Dutch label and message.
type fieldError struct {
	Field   string
	Label   string
	Message string
}

// formErrors are a form's validation errors in the order of the form.
type formErrors []fieldError

// Get returns the message for a field, or "".
func (e formErrors) Get(field string) string {
	for _, fe := range e {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

// set replaces the message of a field that has an error.
func (e formErrors) set(field, message string) {
	for i := range e {
		if e[i].Field == field {
			e[i].Message = message
		}
	}
}

// Has reports whether the field has an error.
func (e formErrors) Has(field string) bool { return e.Get(field) != "" }

// add records a message for a field unless it already has one.
func (e *formErrors) add(field, label, message string) {
	if !e.Has(field) {
		*e = append(*e, fieldError{field, label, message})
	}
}

// check validates form (a pointer to a struct with form, label and validate tags)
// and returns its errors in field order, in Dutch. A field may word the message of
// a rule itself, in a tag named after the rule: `required:"Vul een titel in."`
// (a `message` tag words every rule of the field).
func (f *forms) check(form any) formErrors {
	err := f.v.Struct(form)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return nil
	}
	t := reflect.TypeOf(form).Elem()
	byField := map[string]string{}
	for _, fe := range verrs {
		name := strings.SplitN(fe.StructField(), "[", 2)[0]
		if _, seen := byField[name]; !seen {
			msg := fe.Translate(f.tr)
			if sf, ok := t.FieldByName(name); ok && sf.Tag.Get(fe.Tag()) != "" {
				msg = sf.Tag.Get(fe.Tag())
			}
			byField[name] = msg
		}
	}
	var out formErrors
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if msg, ok := byField[sf.Name]; ok {
			if custom := sf.Tag.Get("message"); custom != "" {
				msg = custom
			}
			out.add(sf.Tag.Get("form"), sf.Tag.Get("label"), msg)
		}
	}
	return out
}

// sortErrors puts errors in the order of the form's fields (after adding checks
// that need the database).
func sortErrors(form any, errs formErrors) formErrors {
	t := reflect.TypeOf(form).Elem()
	pos := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		pos[t.Field(i).Tag.Get("form")] = i
	}
	slices.SortStableFunc(errs, func(a, b fieldError) int { return pos[a.Field] - pos[b.Field] })
	return errs
}

// optionalInt parses a validated optional number field.
func optionalInt(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return nil
	}
	return &n
}

// cleanText normalises typed text: valid UTF-8, Windows line ends to \n, no
// control characters but newline and tab, trimmed.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "�")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !(r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)) {
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(s)
}

// cleanLine is cleanText for a one-line field.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// partialDate is a date known to the year, the month or the day: "2024",
// "2024-05" or "2024-05-12".
type partialDate struct {
	Year, Month, Day int // Month and Day 0 when not known
}

// parsePartialDate reads a partial date of at least minParts parts (1: a year is
// enough, 2: at least a month). Only real dates between 1990 and next year pass.
func parsePartialDate(s string, minParts int) (partialDate, bool) {
	parts := strings.Split(strings.TrimSpace(s), "-")
	if len(parts) < minParts || len(parts) > 3 {
		return partialDate{}, false
	}
	width := []int{4, 2, 2}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || len(p) != width[i] {
			return partialDate{}, false
		}
		n[i] = v
	}
	d := partialDate{n[0], n[1], n[2]}
	if d.Year < minCaseYear || d.Year > maxCaseYear() || (len(parts) > 1 && (d.Month < 1 || d.Month > 12)) {
		return partialDate{}, false
	}
	if len(parts) == 3 {
		t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		if d.Day < 1 || t.Day() != d.Day {
			return partialDate{}, false
		}
	}
	return d, true
}

// formatPartialDate writes a partial date the Dutch way: "2024", "mei 2024" or
// "12 mei 2024". Anything else comes back as it is.
func formatPartialDate(s string) string {
	d, ok := parsePartialDate(s, 1)
	if !ok {
		// Dates from before next year's boundary moved, or typed elsewhere: show
		// what is stored rather than nothing.
		return s
	}
	switch {
	case d.Month == 0:
		return strconv.Itoa(d.Year)
	case d.Day == 0:
		return months[d.Month-1] + " " + strconv.Itoa(d.Year)
	}
	return strconv.Itoa(d.Day) + " " + months[d.Month-1] + " " + strconv.Itoa(d.Year)
}

// formField is one input or textarea of a form whose fields are checked as the
// visitor leaves them (the case form, the tip form): views/partials/veld.html,
// built in a template with veld.
type formField struct {
	Name     string // the form value; the ids are f-<name>, <prefix>veld-<name>, <prefix><name>-hint and -error
	Prefix   string // of the ids, so that two forms' ids differ ("tip-")
	Label    string
	Required bool
	Hint     string
	Error    string
	Value    string
	Rows     int    // a textarea of so many rows; 0 for an input
	Type     string // of the input: "text" unless given
	// Attributes of the control, left out when empty.
	InputMode, Size, MaxLength, List, Spellcheck, Autocomplete string
	Check                                                      string // where the field is checked (hx-post), "?veld=<name>" added
	Trigger                                                    string // when: "blur" unless given
}

// veld builds a formField from name-value pairs ("name" "title" "label" "Titel"
// "required" true "rows" 3 …), the keys being the fields' names in lower case.
func veld(pairs ...any) (formField, error) {
	f := formField{Type: "text", Trigger: "blur"}
	for i := 0; i+1 < len(pairs); i += 2 {
		key, _ := pairs[i].(string)
		switch v := pairs[i+1].(type) {
		case bool:
			if key != "required" {
				return f, fmt.Errorf("veld: %s is not a yes or no", key)
			}
			f.Required = v
		case int:
			if key != "rows" {
				return f, fmt.Errorf("veld: %s is not a number", key)
			}
			f.Rows = v
		case string:
			p, ok := map[string]*string{"name": &f.Name, "prefix": &f.Prefix, "label": &f.Label, "hint": &f.Hint,
				"error": &f.Error, "value": &f.Value, "type": &f.Type, "inputmode": &f.InputMode, "size": &f.Size,
				"maxlength": &f.MaxLength, "list": &f.List, "spellcheck": &f.Spellcheck, "autocomplete": &f.Autocomplete,
				"check": &f.Check, "trigger": &f.Trigger}[key]
			if !ok {
				return f, fmt.Errorf("veld: unknown %s", key)
			}
			*p = v
		default:
			return f, fmt.Errorf("veld: %s has a value of type %T", key, v)
		}
	}
	return f, nil
}
