package handlers

import (
	"reflect"
	"strings"
	"testing"
)

// TestRequiredFieldsSayWhatToDo: every required field of every form has a Dutch
// message of its own ("Vul een titel in.", "Kies een soort."), so an editor never
// reads the generic fallback built from the label ("Vul het veld ‘Titel’ in.").
func TestRequiredFieldsSayWhatToDo(t *testing.T) {
	for _, form := range []any{caseForm{}, tipForm{}, themeForm{}, accountForm{}, passwordForm{}, nationalForm{}} {
		typ := reflect.TypeOf(form)
		for i := range typ.NumField() {
			f := typ.Field(i)
			rules := strings.Split(f.Tag.Get("validate"), ",")
			if rules[0] != "required" {
				continue
			}
			msg := f.Tag.Get("required")
			if msg == "" {
				msg = f.Tag.Get("message")
			}
			if msg == "" {
				t.Errorf("%s.%s is required but has no message of its own", typ.Name(), f.Name)
			} else if !strings.HasSuffix(msg, ".") || strings.ToUpper(msg[:1]) != msg[:1] {
				t.Errorf("%s.%s: %q is not a sentence", typ.Name(), f.Name, msg)
			}
		}
	}
}
