package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"opnieuwthuis/db"
)

func TestUserAdd(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "DB_PATH" {
			return filepath.Join(dir, "data", "site.db")
		}
		return ""
	}
	ctx := context.Background()
	var out bytes.Buffer
	err := run(ctx, []string{"user", "add", "--email", "Eerste@Gemeente.example", "--role", "beheerder", "--name", "Eerste Beheerder"},
		getenv, strings.NewReader("een heel lang wachtwoord\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "added beheerder eerste@gemeente.example") {
		t.Errorf("output %q", out.String())
	}
	for name, tc := range map[string]struct {
		args  []string
		stdin string
		want  string
	}{
		"duplicate":  {[]string{"user", "add", "--email", "eerste@gemeente.example", "--role", "redacteur"}, "een heel lang wachtwoord\n", "exists already"},
		"short":      {[]string{"user", "add", "--email", "b@gemeente.example", "--role", "redacteur"}, "kort\n", "minstens 12 tekens"},
		"role":       {[]string{"user", "add", "--email", "c@gemeente.example", "--role", "koning"}, "een heel lang wachtwoord\n", "--role beheerder|redacteur"},
		"no stdin":   {[]string{"user", "add", "--email", "d@gemeente.example", "--role", "redacteur"}, "", "read password"},
		"subcommand": {[]string{"user", "remove"}, "", "usage: opnieuwthuis user add"},
	} {
		if err := run(ctx, tc.args, getenv, strings.NewReader(tc.stdin), &out); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
	store, err := db.Open(ctx, getenv("DB_PATH"), schema)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	u, err := store.FindUserByEmail(ctx, "eerste@gemeente.example")
	if err != nil || u.Role != db.RoleAdmin || u.Name != "Eerste Beheerder" || u.MustChangePassword {
		t.Fatalf("user = %+v, %v", u, err)
	}
	if _, err := store.Authenticate(ctx, "eerste@gemeente.example", "een heel lang wachtwoord", ""); err != nil {
		t.Fatalf("sign in with the password from stdin: %v", err)
	}
	if n, _ := store.Users(ctx); len(n) != 1 {
		t.Errorf("%d users, want 1", len(n))
	}
}
