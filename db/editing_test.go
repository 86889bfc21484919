package db

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCanTransition(t *testing.T) {
	cases := []struct {
		role, from, to string
		want           bool
	}{
		{RoleEditor, "", StatusDraft, true},
		{RoleEditor, "", StatusPublished, true},
		{RoleEditor, "", StatusArchived, false},
		{RoleEditor, StatusDraft, StatusSubmitted, true},
		{RoleEditor, StatusSubmitted, StatusDraft, true},
		{RoleEditor, StatusSubmitted, StatusPublished, true},
		{RoleEditor, StatusSubmitted, StatusArchived, true},
		{RoleEditor, StatusPublished, StatusArchived, true},
		{RoleEditor, StatusPublished, StatusSubmitted, false},
		{RoleEditor, StatusArchived, StatusPublished, false},
		{RoleEditor, StatusArchived, StatusDraft, false},
		{RoleEditor, StatusArchived, StatusArchived, true},
		{RoleAdmin, StatusArchived, StatusPublished, true},
		{RoleAdmin, StatusArchived, StatusDraft, true},
		{RoleAdmin, StatusArchived, StatusSubmitted, false},
		{RoleAdmin, "", StatusArchived, false},
		{"bezoeker", StatusDraft, StatusDraft, false},
		{RoleAdmin, StatusDraft, "verwijderd", false},
	}
	for _, c := range cases {
		if got := CanTransition(c.role, c.from, c.to); got != c.want {
			t.Errorf("CanTransition(%s, %q, %q) = %v", c.role, c.from, c.to, got)
		}
	}
	if got := AllowedStatuses(RoleEditor, StatusArchived); len(got) != 1 || got[0] != StatusArchived {
		t.Errorf("redacteur from archive: %v", got)
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Café in ’s-Hertogenbosch":        "cafe-in-s-hertogenbosch",
		"  Wonen -- boven  winkels!":      "wonen-boven-winkels",
		"Één, twee & drie (2025)":         "een-twee-drie-2025",
		"日本":                              "",
		strings.Repeat("lang woord ", 20): "lang-woord-lang-woord-lang-woord-lang-woord-lang-woord-lang-woord-lang-woord",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiffCases(t *testing.T) {
	year := 2024
	a := CaseInput{Title: "Oud", Body: "regel 1\nregel 2\nregel 3", Themes: []string{"b", "a"}, Status: StatusDraft, Year: &year}
	b := a
	b.Title = "Nieuw"
	b.Themes = []string{"a", "b"}
	b.Year = nil
	b.Body = "regel 1\nregel twee\nregel 3\nregel 4"
	d := DiffCases(a, b, nil)
	fields := map[string]FieldChange{}
	for _, f := range d.Fields {
		fields[f.Field] = f
	}
	if fields["title"].Before != "Oud" || fields["title"].After != "Nieuw" {
		t.Errorf("title change: %+v", fields["title"])
	}
	if _, ok := fields["themes"]; ok {
		t.Error("themes in another order count as a change")
	}
	if fields["year"].Before != "2024" || fields["year"].After != "" {
		t.Errorf("year change: %+v", fields["year"])
	}
	var got []string
	for _, l := range d.Body {
		got = append(got, string(l.Op)+l.Text)
	}
	want := " regel 1|-regel 2|+regel twee| regel 3|+regel 4"
	if strings.Join(got, "|") != want {
		t.Errorf("body diff = %q, want %q", strings.Join(got, "|"), want)
	}
	if DiffCases(a, a, nil).Changed() {
		t.Error("identical revisions differ")
	}
}

func TestUpdateCaseVersionsAndRevisions(t *testing.T) {
	d, ed := openAs(t, "ria@example.org", RoleEditor)
	ctx := context.Background()
	in := CaseInput{Slug: "proef", Title: "Proef", Summary: "S", Kind: KindApproach, Status: StatusDraft}
	c := mustCreateCase(t, d, in, &ed.ID)
	in.Title = "Proef 2"
	if _, err := d.UpdateCase(ctx, c.ID, CaseUpdate{Version: c.Version, Input: in, Note: "tweede"}, ed); err != nil {
		t.Fatal(err)
	}
	in.Title = "Proef 3"
	if _, err := d.UpdateCase(ctx, c.ID, CaseUpdate{Version: c.Version, Input: in}, ed); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale version: %v, want ErrConflict", err)
	}
	if _, err := d.UpdateCase(ctx, 424242, CaseUpdate{Version: 1, Input: in}, ed); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown case: %v", err)
	}
	revs, err := d.Revisions(ctx, c.ID)
	if err != nil || len(revs) != 2 || revs[0].Version != 2 || revs[0].Content.Title != "Proef 2" || revs[0].Note != "tweede" ||
		revs[1].Content.Title != "Proef" || revs[0].EditorName != "ria@example.org" {
		t.Fatalf("revisions = %+v, %v", revs, err)
	}
	// A seeded case has its first revision too.
	seeded, _ := d.FindCaseBySlug(ctx, "startblok-riekerhaven")
	if revs, _ := d.Revisions(ctx, seeded.ID); len(revs) != 1 {
		t.Errorf("seed case has %d revisions", len(revs))
	}
	// A disabled editor can no longer write.
	admin := mustUser(t, d, "admin@example.org", RoleAdmin)
	off := true
	if _, err := d.UpdateUser(ctx, ed.ID, UserUpdate{Disabled: &off}, admin); err != nil {
		t.Fatal(err)
	}
	cur, _ := d.FindCaseByID(ctx, c.ID)
	if _, err := d.UpdateCase(ctx, c.ID, CaseUpdate{Version: cur.Version, Input: in}, ed); !errors.Is(err, ErrForbidden) {
		t.Fatalf("disabled editor: %v", err)
	}
}

// TestWorkflowRulesAreKeptByTheDatabase: a status the role may not give is a
// *TransitionError that names both statuses, and a rejected tip needs a note;
// either way nothing is written.
func TestWorkflowRulesAreKeptByTheDatabase(t *testing.T) {
	d, ed := openAs(t, "ria@example.org", RoleEditor)
	ctx := context.Background()
	in := CaseInput{Slug: "tip", Title: "Tip", Summary: "S", Kind: KindApproach, Status: StatusArchived}
	var te *TransitionError
	if _, err := d.CreateCase(ctx, in, &ed.ID); !errors.As(err, &te) || te.From != "" || te.To != StatusArchived || !errors.Is(err, ErrForbidden) {
		t.Fatalf("a new archived case: %v", err)
	}
	in.Status = StatusSubmitted
	c := mustCreateCase(t, d, in, &ed.ID)
	for _, note := range []string{"", "  ", strings.Repeat("x", MaxNoteRunes+1)} {
		_, err := d.SetCaseStatus(ctx, c.ID, StatusUpdate{Version: c.Version, Status: StatusArchived, Note: note}, ed)
		if !errors.Is(err, ErrNoteRequired) && !errors.Is(err, ErrNoteTooLong) {
			t.Errorf("reject with note %q: %v", note, err)
		}
	}
	in.Status = StatusArchived
	if _, err := d.UpdateCase(ctx, c.ID, CaseUpdate{Version: c.Version, Input: in}, ed); !errors.Is(err, ErrNoteRequired) {
		t.Errorf("reject through the form without a note: %v", err)
	}
	if cur, _ := d.FindCaseByID(ctx, c.ID); cur.Version != c.Version || cur.Status != StatusSubmitted {
		t.Fatalf("a refused change was written: version %d, status %s", cur.Version, cur.Status)
	}
	c, err := d.SetCaseStatus(ctx, c.ID, StatusUpdate{Version: c.Version, Status: StatusArchived, Note: "Geen bron."}, ed)
	if err != nil || c.Status != StatusArchived {
		t.Fatalf("reject with a note: %v", err)
	}
	if _, err := d.SetCaseStatus(ctx, c.ID, StatusUpdate{Version: c.Version, Status: StatusPublished}, ed); !errors.As(err, &te) ||
		te.From != StatusArchived || te.To != StatusPublished {
		t.Errorf("a redacteur publishing an archived case: %v", err)
	}
}

func TestSessionStorage(t *testing.T) {
	d := openTest(t)
	clock := time.Now()
	d.Now = func() time.Time { return clock }
	s := d.Sessions()
	if err := s.Set("a", []byte("data-a"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("b", []byte("data-b"), time.Second); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get("a"); string(v) != "data-a" {
		t.Fatalf("get a = %q", v)
	}
	if v, _ := s.Get("nope"); v != nil {
		t.Fatal("unknown session found")
	}
	clock = clock.Add(1100 * time.Millisecond)
	if v, _ := s.Get("b"); v != nil {
		t.Fatal("expired session still returned")
	}
	// The next save after sessionSweepEvery removes expired rows.
	s.lastSweep.Store(0)
	if err := s.Set("c", []byte("data-c"), time.Hour); err != nil {
		t.Fatal(err)
	}
	n := queryInt(t, d, "SELECT count(*) FROM sessions")
	if n != 2 {
		t.Fatalf("%d sessions stored after the sweep, want 2", n)
	}
	if err := s.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get("a"); v != nil {
		t.Fatal("deleted session found")
	}
}

func TestSecretIsMadeOnce(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	a, err := d.Secret(ctx, "k", 32)
	if err != nil || len(a) != 32 {
		t.Fatal(err)
	}
	b, _ := d.Secret(ctx, "k", 32)
	if string(a) != string(b) {
		t.Fatal("secret changed")
	}
}

func TestImportReplacesFictitious(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	for _, q := range []string{
		// OR IGNORE / ON CONFLICT: the same rows as the map's seed, where it has them.
		`INSERT OR IGNORE INTO divisions (year, view_box, source) VALUES (2025, '0 0 1 1', 'test')`,
		`INSERT OR IGNORE INTO division_gemeenten (division, code, name, province_code, population, label_x, label_y, path)
			SELECT 2025, code, name, province_code, population, 0, 0, 'M0 0z' FROM gemeenten`,
		`INSERT OR IGNORE INTO periods (code, division, national_total, total_status) VALUES ('2025-H2', 2025, 10000, 'vastgesteld')`,
		`INSERT INTO taakstellingen (period, division, gemeente_code, amount, basis) VALUES ('2025-H2', 2025, 'GM0363', 900, 'berekend')
			ON CONFLICT (period, gemeente_code) DO UPDATE SET amount = 900, basis = 'berekend'`,
		`INSERT INTO realisaties (period, division, gemeente_code, peildatum, realised, basis) VALUES
			('2025-H2', 2025, 'GM0363', '2025-08-01', 3, 'fictief'), ('2025-H2', 2025, 'GM0014', '2025-08-01', 4, 'fictief')
			ON CONFLICT (period, gemeente_code, peildatum) DO UPDATE SET realised = excluded.realised, basis = 'fictief'`,
	} {
		if _, err := d.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	ed := mustUser(t, d, "ria@example.org", RoleEditor)
	file := "gemeente_code,periode,taakstelling,peildatum,gerealiseerd,officieel\n" +
		"GM0363,2025-H2,950,2025-08-01,5,ja\n" +
		"GM0363,2025-H2,,2026-01-01,80,ja\n"
	imp, lineErrs, err := d.ParseFigureImport(ctx, "2025-H2", "f.csv", []byte(file))
	if err != nil || lineErrs != nil {
		t.Fatalf("parse: %v %v", err, lineErrs)
	}
	// Every other gemeente loses its fictitious realisations and gets none: the
	// import is refused unless that was confirmed.
	preview, err := d.PreviewFigureImport(ctx, imp)
	if err != nil {
		t.Fatal(err)
	}
	had := queryInt(t, d, "SELECT count(DISTINCT gemeente_code) FROM realisaties WHERE period = '2025-H2'")
	if preview.LostGemeenten != had-1 || preview.HadRealisations != had || preview.RealisedGemeenten != 1 || !preview.Destructive() {
		t.Fatalf("preview: lost %d had %d realised %d, want lost %d had %d realised 1", preview.LostGemeenten, preview.HadRealisations, preview.RealisedGemeenten, had-1, had)
	}
	if _, err := d.ImportFigures(ctx, imp, ed); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a destructive import without AllowLoss: %v", err)
	}
	imp.AllowLoss = true
	p, err := d.ImportFigures(ctx, imp, ed)
	if err != nil {
		t.Fatal(err)
	}
	if p.ChangedFigures != 1 || p.NewFigures != 2 || p.FictitiousRemoved < 2 || p.ImportID == 0 {
		t.Errorf("summary = %+v", p)
	}
	var basis string
	var amount int
	d.r.QueryRow("SELECT amount, basis FROM taakstellingen WHERE gemeente_code = 'GM0363' AND period = '2025-H2'").Scan(&amount, &basis)
	if amount != 950 || basis != "officieel" {
		t.Errorf("taakstelling = %d %s", amount, basis)
	}
	fict := queryInt(t, d, "SELECT count(*) FROM realisaties WHERE basis = 'fictief' AND period = '2025-H2'")
	if fict != 0 {
		t.Errorf("%d fictitious realisations left in the imported period", fict)
	}
	// Peildata of H2 run to 1 January of the next year.
	if _, errs, _ := d.ParseFigureImport(ctx, "2025-H2", "f.csv", []byte("gemeente_code,periode,peildatum,gerealiseerd,officieel\nGM0363,2025-H2,2025-07-01,1,ja\n")); len(errs) != 1 {
		t.Errorf("2025-07-01 accepted for 2025-H2: %v", errs)
	}
}

// The snapshot patched after each save equals one loaded from scratch.
func TestCaseChangedPatchesIndex(t *testing.T) {
	d, ed := openAs(t, "ria@example.org", RoleEditor)
	ctx := context.Background()
	if _, err := d.caseIndex(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		fresh, err := loadIndex(ctx, d.r)
		if err != nil {
			t.Fatal(err)
		}
		got := d.index.Load()
		if got == nil {
			t.Fatalf("%s: no snapshot", step)
		}
		if !slices.Equal(resolvedEntries(got), resolvedEntries(fresh)) || !slices.Equal(got.byYear, fresh.byYear) ||
			!slices.Equal(got.pos, fresh.pos) || !slices.Equal(got.checkedOrder(), fresh.checkedOrder()) {
			t.Fatalf("%s: patched snapshot differs from a fresh one", step)
		}
	}
	y2019, y2030 := 2019, 2030
	in := CaseInput{Slug: "patch", Title: "Patch", Summary: "S", Kind: KindSolution, Status: StatusPublished, Year: &y2019,
		GemeenteCode: "GM0363", Themes: []string{"gezinnen"}}
	c := mustCreateCase(t, d, in, &ed.ID)
	check("create published")
	in.Year, in.Themes, in.GemeenteCode = &y2030, []string{"woningdelen", "gezinnen"}, "GM0014"
	c, _ = d.UpdateCase(ctx, c.ID, CaseUpdate{Version: c.Version, Input: in}, ed)
	check("change year, themes, gemeente")
	in.Year = nil
	c, _ = d.UpdateCase(ctx, c.ID, CaseUpdate{Version: c.Version, Input: in}, ed)
	check("year unknown")
	c, _ = d.SetCaseStatus(ctx, c.ID, StatusUpdate{Version: c.Version, Status: StatusArchived}, ed)
	check("archive")
	in2 := in
	in2.Slug, in2.Status = "concept", StatusDraft
	c2, _ := d.CreateCase(ctx, in2, &ed.ID)
	check("create concept")
	seeded, _ := d.FindCaseBySlug(ctx, "startblok-riekerhaven")
	sin := seeded.Input()
	sin.Year = &y2030
	if _, err := d.UpdateCase(ctx, seeded.ID, CaseUpdate{Version: seeded.Version, Input: sin}, ed); err != nil {
		t.Fatal(err)
	}
	check("seed case moves in the year order")
	c2, _ = d.SetCaseStatus(ctx, c2.ID, StatusUpdate{Version: c2.Version, Status: StatusPublished}, ed)
	check("publish the concept")
	if _, err := d.RestoreRevision(ctx, seeded.ID, 1, seeded.Version+1, ed); err != nil {
		t.Fatal(err)
	}
	check("restore")
	// Related gemeenten live beside the entries: adding, changing and dropping them.
	c2, _ = d.FindCaseByID(ctx, c2.ID)
	in3 := c2.Input()
	in3.RelatedGemeenten, in3.Stage, in3.TargetGroups, in3.SourceChecked = []string{"GM0344", "GM0599"}, StageRealised, []string{GroupYoung}, "2026-12"
	c3, err := d.UpdateCase(ctx, c2.ID, CaseUpdate{Version: c2.Version, Input: in3}, ed)
	if err != nil {
		t.Fatal(err)
	}
	check("related gemeenten, stage, target group, source check")
	in3.RelatedGemeenten = []string{"GM0014"}
	if c3, err = d.UpdateCase(ctx, c3.ID, CaseUpdate{Version: c3.Version, Input: in3}, ed); err != nil {
		t.Fatal(err)
	}
	check("other related gemeenten")
	in3.RelatedGemeenten = nil
	if _, err = d.UpdateCase(ctx, c3.ID, CaseUpdate{Version: c3.Version, Input: in3}, ed); err != nil {
		t.Fatal(err)
	}
	check("no related gemeenten")
}

// indexView is an index entry with its related gemeenten written out, so that two
// snapshots that store them at different places compare equal.
type indexView struct {
	indexEntry
	related string
}

func resolvedEntries(ix *caseIndex) []indexView {
	out := make([]indexView, len(ix.entries))
	for i := range ix.entries {
		e := ix.entries[i]
		var rel []string
		ix.related(&e, func(g uint16) { rel = append(rel, ix.gemeenten[g-1].Code) })
		e.more = 0
		out[i] = indexView{e, strings.Join(rel, " ")}
	}
	return out
}
