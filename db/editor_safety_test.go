package db

import (
	"context"
	"errors"
	"testing"
)

// The first release's database upgrades with migrateEditorSafety: the new tables
// and index exist, and slug redirects, drafts and the import history with undo
// work on its cases and figures.
func TestMigrateEditorSafetyOnReleaseOne(t *testing.T) {
	d := openRelease(t)
	ctx := context.Background()
	version := queryInt(t, d, "PRAGMA user_version")
	if version != SchemaVersion() {
		t.Fatalf("user_version %d, want %d", version, SchemaVersion())
	}
	for _, name := range []string{"case_slug_redirects", "case_drafts", "figure_imports", "cases_updated", "case_drafts_case", "figure_imports_period"} {
		var n int
		d.r.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = ?", name).Scan(&n)
		if n != 1 {
			t.Errorf("%s missing after the upgrade", name)
		}
	}
	// Running the migration again (another branch's order) changes nothing.
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateEditorSafety(ctx, tx); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()

	ed := mustUser(t, d, "bea@example.org", RoleAdmin)
	// A released, published case changes its slug: the old one redirects.
	cs, err := d.FindCaseBySlug(ctx, "startblok-riekerhaven")
	if err != nil {
		t.Fatal(err)
	}
	in := cs.Input()
	in.Slug = "startblok-riekerhaven-amsterdam"
	if _, err := d.UpdateCase(ctx, cs.ID, CaseUpdate{Version: cs.Version, Input: in}, ed); err != nil {
		t.Fatal(err)
	}
	if got, err := d.FindSlugRedirect(ctx, "startblok-riekerhaven"); err != nil || got != "startblok-riekerhaven-amsterdam" {
		t.Fatalf("redirect = %q %v", got, err)
	}
	// A draft of that case.
	if err := d.SaveDraft(ctx, ed.ID, "sleutel", cs.ID, []byte(`{"Title":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if dr, err := d.LatestDraft(ctx, ed.ID, cs.ID); err != nil || dr.FormKey != "sleutel" {
		t.Fatalf("draft = %+v %v", dr, err)
	}
	// An import of the release's figures, and its undo.
	var period string
	if err := d.r.QueryRow("SELECT period FROM realisaties WHERE basis = 'fictief' ORDER BY period DESC LIMIT 1").Scan(&period); err != nil {
		t.Fatal(err)
	}
	before := periodDigest(t, d, period)
	imp, lineErrs, err := d.ParseFigureImport(ctx, period, "f.csv", []byte("gemeente_code,periode,taakstelling,officieel\nGM0363,"+period+",77,ja\n"))
	if err != nil || lineErrs != nil {
		t.Fatalf("parse: %v %v", err, lineErrs)
	}
	p, err := d.ImportFigures(ctx, imp, ed)
	if err != nil {
		t.Fatal(err)
	}
	if periodDigest(t, d, period) == before {
		t.Fatal("the import changed nothing")
	}
	if _, err := d.UndoImport(ctx, p.ImportID, ed); err != nil {
		t.Fatal(err)
	}
	if periodDigest(t, d, period) != before {
		t.Fatal("undo did not restore the release's figures")
	}
}

func periodDigest(t *testing.T, d *DB, period string) string {
	t.Helper()
	var s string
	err := d.r.QueryRow(`SELECT coalesce((SELECT group_concat(gemeente_code || amount || basis, ',') FROM (SELECT * FROM taakstellingen WHERE period = ?1 ORDER BY gemeente_code)), '') ||
		'|' || coalesce((SELECT group_concat(gemeente_code || peildatum || realised || basis, ',') FROM (SELECT * FROM realisaties WHERE period = ?1 ORDER BY gemeente_code, peildatum)), '')`, period).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Only addresses that were public redirect; a chain of changes leads to the
// current slug; a case that takes an old slug wins over its redirect; a
// withdrawn case's old address redirects nowhere.
func TestSlugRedirects(t *testing.T) {
	d, ed := openAs(t, "ria@example.org", RoleEditor)
	ctx := context.Background()
	base := CaseInput{Slug: "eerste-adres", Title: "Een voorbeeld", Summary: "Samenvatting.", Kind: KindSolution, Status: StatusDraft}
	cs := mustCreateCase(t, d, base, &ed.ID)
	update := func(mut func(*CaseInput)) {
		t.Helper()
		cur, _ := d.FindCaseByID(ctx, cs.ID)
		in := cur.Input()
		mut(&in)
		if _, err := d.UpdateCase(ctx, cs.ID, CaseUpdate{Version: cur.Version, Input: in}, ed); err != nil {
			t.Fatal(err)
		}
	}
	// A concept's slug was never public: no redirect.
	update(func(in *CaseInput) { in.Slug = "tweede-adres" })
	if _, err := d.FindSlugRedirect(ctx, "eerste-adres"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a never-public slug redirects: %v", err)
	}
	update(func(in *CaseInput) { in.Status = StatusPublished })
	update(func(in *CaseInput) { in.Slug = "derde-adres" })
	update(func(in *CaseInput) { in.Slug = "vierde-adres" })
	for _, old := range []string{"tweede-adres", "derde-adres"} {
		if got, err := d.FindSlugRedirect(ctx, old); err != nil || got != "vierde-adres" {
			t.Errorf("%s → %q %v, want vierde-adres", old, got, err)
		}
	}
	if old, _ := d.OldSlugs(ctx, cs.ID); len(old) != 2 {
		t.Errorf("old slugs = %v", old)
	}
	// Back to an old slug: it is the case's again, not a redirect.
	update(func(in *CaseInput) { in.Slug = "derde-adres" })
	if _, err := d.FindSlugRedirect(ctx, "derde-adres"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the current slug is still a redirect: %v", err)
	}
	// Another case takes an old slug: its page wins.
	other := base
	other.Slug, other.Title = "tweede-adres", "Een ander voorbeeld"
	if _, err := d.CreateCase(ctx, other, &ed.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.FindSlugRedirect(ctx, "tweede-adres"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a taken slug still redirects: %v", err)
	}
	// Withdrawn: the old address no longer leads anywhere.
	update(func(in *CaseInput) { in.Status = StatusDraft })
	if _, err := d.FindSlugRedirect(ctx, "vierde-adres"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a withdrawn case's old slug redirects: %v", err)
	}
}

// A saved form's draft stays saved: a late autosave does not bring it back.
func TestDraftsSavedIgnoreLateAutosaves(t *testing.T) {
	d, ed := openAs(t, "ria@example.org", RoleEditor)
	ctx := context.Background()
	other := mustUser(t, d, "kees@example.org", RoleEditor)
	if err := d.SaveDraft(ctx, ed.ID, "nieuw-1", 0, []byte(`{"Title":"a"}`)); err != nil {
		t.Fatal(err)
	}
	if err := d.SaveDraft(ctx, ed.ID, "nieuw-1", 0, []byte(`{"Title":"ab"}`)); err != nil {
		t.Fatal(err)
	}
	dr, err := d.LatestDraft(ctx, ed.ID, 0)
	if err != nil || string(dr.Content) != `{"Title":"ab"}` {
		t.Fatalf("draft = %s %v", dr.Content, err)
	}
	if _, err := d.LatestDraft(ctx, other.ID, 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another editor sees the draft: %v", err)
	}
	if err := d.DraftsSaved(ctx, ed.ID, "nieuw-1", 0); err != nil {
		t.Fatal(err)
	}
	if err := d.SaveDraft(ctx, ed.ID, "nieuw-1", 0, []byte(`{"Title":"abc"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.LatestDraft(ctx, ed.ID, 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a late autosave brought a saved draft back: %v", err)
	}
	if _, err := d.FindDraft(ctx, ed.ID, "nieuw-1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a saved draft is found: %v", err)
	}
	if err := d.DiscardDraft(ctx, ed.ID, "nieuw-1"); err != nil {
		t.Fatal(err)
	}
}
