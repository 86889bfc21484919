package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSeedFilesCoverEveryFactsEntry is the proof that no documented initiative was
// forgotten: every entry of the three facts files (db/testdata) is a seed case or
// listed in left_out with a reason, exactly once, and every reference names an
// entry that exists.
func TestSeedFilesCoverEveryFactsEntry(t *testing.T) {
	content, err := readSeedContent()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]string{}
	for _, c := range content.Cases {
		used[c.Facts] = "case " + c.Slug
	}
	for _, l := range content.LeftOut {
		used[l.Facts] = "left out"
	}
	names := []string{"cases-facts.json", "cases-facts-2.json", "cases-facts-3.json"}
	total := 0
	for _, name := range names {
		var entries []struct {
			Title string `json:"title"`
		}
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &entries); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var missing []string
		for i, e := range entries {
			ref := fmt.Sprintf("%s#%d", name, i)
			if _, ok := used[ref]; !ok {
				missing = append(missing, fmt.Sprintf("%s (%s)", ref, e.Title))
			}
			delete(used, ref)
		}
		total += len(entries)
		if len(missing) > 0 {
			t.Errorf("%d of the %d entries of %s are neither a seed case nor in left_out:\n\t%s",
				len(missing), len(entries), name, strings.Join(missing, "\n\t"))
		}
	}
	for ref, where := range used {
		t.Errorf("%s refers to %s, which is no entry of %v", where, ref, names)
	}
	t.Logf("%d facts entries: %d seed cases, %d left out", total, len(content.Cases), len(content.LeftOut))
}

// TestSeedFilesAreValid checks the seed files against what the site needs beyond
// their shape (readSeedContent): known themes and gemeenten, and that a new
// database holds every seed case, published and recorded as seeded.
func TestSeedFilesAreValid(t *testing.T) {
	content, err := readSeedContent()
	if err != nil {
		t.Fatal(err)
	}
	var themes []struct{ Slug, Label string }
	if err := readJSON("seed/themes.json", &themes); err != nil {
		t.Fatal(err)
	}
	gemeenten, err := readCSV("seed/gemeenten-2025.csv", []string{"code", "name", "province_code", "province_name", "population"})
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, g := range gemeenten {
		known[g[0]] = true
	}
	for _, c := range content.Cases {
		for _, th := range c.Themes {
			if !slices.ContainsFunc(themes, func(x struct{ Slug, Label string }) bool { return x.Slug == th }) {
				t.Errorf("%s: unknown theme %q", c.Slug, th)
			}
		}
		codes := slices.Clone(c.RelatedGemeenteCodes)
		if c.GemeenteCode != nil {
			codes = append(codes, *c.GemeenteCode)
		}
		for _, g := range codes {
			if !known[g] {
				t.Errorf("%s: unknown gemeente %q", c.Slug, g)
			}
		}
	}
	d := openTest(t)
	var cases, ledger, published int
	d.r.QueryRow("SELECT count(*) FROM cases").Scan(&cases)
	d.r.QueryRow("SELECT count(*) FROM seeded_cases WHERE case_id IS NOT NULL").Scan(&ledger)
	d.r.QueryRow("SELECT count(*) FROM cases WHERE status = 'gepubliceerd'").Scan(&published)
	if cases != len(content.Cases) || ledger != cases || published != cases {
		t.Errorf("a new database holds %d cases (%d published, %d recorded as seeded), the seed files %d",
			cases, published, ledger, len(content.Cases))
	}
}

func TestReadSeedContentRefusesMistakes(t *testing.T) {
	good := func() seedCase {
		g := "GM0363"
		return seedCase{Facts: "cases-facts-2.json#1", Slug: "goed", Title: "T", Summary: "S", GemeenteCode: &g,
			Themes: []string{"gezinnen"}, Kind: KindSolution, InitiativeStatus: StagePlan}
	}
	str := func(s string) *string { return &s }
	n := 5
	for name, tc := range map[string]struct {
		edit func(*seedCase)
		want string
	}{
		"facts ref":             {func(c *seedCase) { c.Facts = "cases-facts-9.json#1" }, "facts"},
		"slug":                  {func(c *seedCase) { c.Slug = "Met Hoofdletter" }, "slug"},
		"stage":                 {func(c *seedCase) { c.InitiativeStatus = "in uitvoering" }, "initiative_status"},
		"target group":          {func(c *seedCase) { c.TargetGroups = []string{"ouderen"} }, "target group"},
		"qualifier alone":       {func(c *seedCase) { c.HomesQualifier = str("doel") }, "homes_qualifier"},
		"unknown qualifier":     {func(c *seedCase) { c.People, c.PeopleQualifier = &n, str("ongeveer") }, "people_qualifier"},
		"status date":           {func(c *seedCase) { c.StatusDate = str("mei 2024") }, "status_date"},
		"source checked":        {func(c *seedCase) { c.SourceChecked = str("2026") }, "source_checked"},
		"province and gemeente": {func(c *seedCase) { c.ProvinceCode = str("PV27") }, "province_code"},
	} {
		t.Run(name, func(t *testing.T) {
			c := good()
			tc.edit(&c)
			other := good()
			other.Facts, other.Slug = "cases-facts-2.json#2", "ander"
			useSeedFiles(t, map[string]seedFile{"seed/cases.json": {Cases: []seedCase{c, other}}}, nil)
			_, err := readSeedContent()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one about %s", err, tc.want)
			}
		})
	}
	t.Run("facts entry used twice", func(t *testing.T) {
		a, b := good(), good()
		b.Slug = "ander"
		useSeedFiles(t, map[string]seedFile{"seed/cases.json": {Cases: []seedCase{a}}, "seed/cases-2.json": {Cases: []seedCase{b}}},
			[]seedLeftOut{{Facts: "cases-facts-2.json#1", Reason: "ook nog weggelaten"}})
		_, err := readSeedContent()
		if err == nil || !strings.Contains(err.Error(), "already used") {
			t.Errorf("error %v", err)
		}
	})
}

// useSeedFiles makes the seed read files (by name, as seedFile objects) and a
// left-out list instead of the embedded ones, until the test ends.
func useSeedFiles(t testing.TB, files map[string]seedFile, leftOut []seedLeftOut) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, f := range files {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	if leftOut != nil {
		b, _ := json.Marshal(leftOut) // a bare list is accepted too
		fsys[seedLeftOutFile] = &fstest.MapFile{Data: b}
	}
	old := seedFiles
	seedFiles = fsys
	t.Cleanup(func() { seedFiles = old })
}

// embeddedSeed returns the embedded seed case files, parsed.
func embeddedSeed(t testing.TB) map[string]seedFile {
	t.Helper()
	out := map[string]seedFile{}
	for _, name := range seedCaseFiles {
		b, err := seedFS.ReadFile(name)
		if err != nil {
			continue
		}
		var f seedFile
		if strings.HasPrefix(strings.TrimSpace(string(b)), "[") {
			err = json.Unmarshal(b, &f.Cases)
		} else {
			err = json.Unmarshal(b, &f)
		}
		if err != nil {
			t.Fatal(err)
		}
		out[name] = f
	}
	return out
}

// correctedSeed is the embedded seed with every case of the first file corrected
// (a new title, a stage, a qualified number, related gemeenten for Kasteel
// Ooijen) and two new cases in cases-2.json, one of them under a slug an editor
// already uses ("proef-botsing").
func correctedSeed(t testing.TB) map[string]seedFile {
	t.Helper()
	files := embeddedSeed(t)
	first := files["seed/cases.json"]
	for i := range first.Cases {
		c := &first.Cases[i]
		c.Title += " (gecorrigeerd)"
		c.InitiativeStatus = StageRealised
		if c.Homes != nil {
			q := QualifierTarget
			c.HomesQualifier = &q
		}
		if c.Slug == "kasteel-ooijen-doorstroomvoorziening" {
			c.RelatedGemeenteCodes = []string{"GM0984", "GM0983"} // Venray, Venlo
		}
	}
	files["seed/cases.json"] = first
	g, y, sc := "GM0080", 2023, "2026-12"
	newCase := func(facts, slug string) seedCase {
		return seedCase{Facts: facts, Slug: slug, Title: "Nieuw voorbeeld " + slug, Summary: "Een nieuw voorbeeld.",
			Body: "Tekst.", GemeenteCode: &g, Themes: []string{"taakstelling-en-toezicht"}, Kind: KindSolution, Year: &y,
			InitiativeStatus: StageRealised, TargetGroups: []string{GroupMixed}, SourceChecked: &sc}
	}
	second := files["seed/cases-2.json"]
	second.Cases = append(second.Cases, newCase("cases-facts-2.json#900", "leeuwarden-proef"), newCase("cases-facts-2.json#901", "proef-botsing"))
	files["seed/cases-2.json"] = second
	return files
}

// editAsReleaseOne changes a database of the first release the way its editors
// could have: with that release's schema, revisions and content format.
func editAsReleaseOne(t *testing.T, path string) {
	t.Helper()
	c, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ts := "2026-12-01T10:00:00Z"
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := c.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO users (id, email, name, password_hash, role, created_at) VALUES (7, 'ria@example.org', 'Ria', 'x', 'redacteur', ?)`, ts)
	revise := func(slug string, change string, args ...any) {
		t.Helper()
		exec("UPDATE cases SET "+change+", version = version + 1, updated_at = ? WHERE slug = ?", append(args, ts, slug)...)
		var (
			id                                 int64
			version                            int
			title, summary, body, kind, status string
			newSlug                            string
		)
		row := c.QueryRow("SELECT id, version, slug, title, summary, body, kind, status FROM cases WHERE slug = ? OR slug = ?", slug, args[0])
		if err := row.Scan(&id, &version, &newSlug, &title, &summary, &body, &kind, &status); err != nil {
			t.Fatal(err)
		}
		content, _ := json.Marshal(map[string]any{"slug": newSlug, "title": title, "summary": summary, "body": body,
			"gemeente_code": "", "themes": []string{}, "kind": kind, "year": nil, "homes": nil, "people": nil,
			"partners": []string{}, "contact": "", "source_url": "", "status": status})
		exec(`INSERT INTO case_revisions (case_id, version, status, editor_id, editor_name, note, content, created_at)
			VALUES (?, ?, ?, 7, 'Ria', '', ?, ?)`, id, version, status, string(content), ts)
	}
	revise("stek-oost", "title = ?", "Stek Oost, zoals de redactie het schreef")
	revise("place2bu", "status = ?", "gearchiveerd")
	revise("majella-wonen", "slug = ?", "majella")
	exec("DELETE FROM cases WHERE slug = 'plan-einstein'")
	exec(`INSERT INTO cases (slug, title, summary, kind, status, author_id, created_at, updated_at, published_at)
		VALUES ('proef-botsing', 'Van de redactie', 'Eigen voorbeeld.', 'aanpak', 'gepubliceerd', 7, ?, ?, ?)`, ts, ts, ts)
}

// TestUpgradeFromReleaseOneKeepsEditorsChanges is the proof that adding the new
// and corrected seed cases to a database of the first release never touches what
// editors did there: changed, archived, renamed and deleted cases stay as they
// are, and their own cases keep their addresses; the seed's corrections reach only
// cases no editor changed; a second start changes nothing; a seeded case an
// editor deletes later is not seeded again.
func TestUpgradeFromReleaseOneKeepsEditorsChanges(t *testing.T) {
	ctx := context.Background()
	path := releaseFile(t)
	editAsReleaseOne(t, path)
	files := correctedSeed(t)
	useSeedFiles(t, files, []seedLeftOut{{Facts: "cases-facts-3.json#900", Reason: "test: deliberately left out"}})

	d := openFile(t, path)
	find := func(slug string) (Case, bool) {
		t.Helper()
		c, err := d.FindCaseBySlug(ctx, slug)
		if err != nil {
			return Case{}, false
		}
		return c, true
	}
	// Untouched: corrected, as a new revision by the seed.
	for _, slug := range []string{"startblok-riekerhaven", "kasteel-ooijen-doorstroomvoorziening", "takecarebnb"} {
		c, ok := find(slug)
		if !ok || !strings.HasSuffix(c.Title, "(gecorrigeerd)") || c.Stage != StageRealised || c.Version != 2 || !c.Seeded || c.SeedVersion != 2 {
			t.Errorf("untouched %s was not corrected: %+v", slug, c)
			continue
		}
		revs, _ := d.Revisions(ctx, c.ID)
		if len(revs) != 2 || revs[0].EditorName != seedEditor || revs[0].Note != seedNoteUpdate || revs[1].Legacy != true {
			t.Errorf("%s: revisions %+v", slug, revs)
		}
		if c.EditedAt() != nil || c.PublishedByEditor() != nil {
			t.Errorf("%s: a correction by the seed shows as an editor's change", slug)
		}
	}
	if c, _ := find("kasteel-ooijen-doorstroomvoorziening"); len(c.RelatedGemeenten) != 2 {
		t.Errorf("Kasteel Ooijen's related gemeenten: %+v", c.RelatedGemeenten)
	}
	// Editors' work stays.
	if c, ok := find("stek-oost"); !ok || c.Title != "Stek Oost, zoals de redactie het schreef" || c.Stage != StageUnknown || c.Version != 2 {
		t.Errorf("an editor's change was overwritten: %+v", c)
	}
	if c, ok := find("place2bu"); !ok || c.Status != StatusArchived || strings.HasSuffix(c.Title, "(gecorrigeerd)") {
		t.Errorf("an archived case was changed or published again: %+v", c)
	}
	if c, ok := find("majella"); !ok || strings.HasSuffix(c.Title, "(gecorrigeerd)") || !c.Seeded {
		t.Errorf("a renamed case: %+v", c)
	}
	if _, ok := find("majella-wonen"); ok {
		t.Error("a case an editor renamed was seeded again under its old address")
	}
	if _, ok := find("plan-einstein"); ok {
		t.Error("a case an editor deleted was seeded again")
	}
	if c, ok := find("proef-botsing"); !ok || c.Title != "Van de redactie" || c.Seeded {
		t.Errorf("an editor's own case lost its address: %+v", c)
	}
	// New cases: added once, published, marked as starting content.
	for _, slug := range []string{"leeuwarden-proef", "proef-botsing-2"} {
		c, ok := find(slug)
		if !ok || c.Status != StatusPublished || !c.Seeded || c.Version != 1 || c.SourceChecked != "2026-12" {
			t.Errorf("new seed case %s: %+v", slug, c)
		}
	}
	res, err := d.FindCases(ctx, CaseFilter{Gemeenten: []string{"GM0080"}, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"leeuwarden-proef", "proef-botsing-2"} {
		if !slices.ContainsFunc(res.Hits, func(h CaseHit) bool { return h.Slug == slug }) {
			t.Errorf("the library does not show the new case %s under Leeuwarden", slug)
		}
	}
	themes := queryInt(t, d, "SELECT count(*) FROM themes")
	if themes != 18 {
		t.Errorf("%d themes after the upgrade, want the 18 of themes.json", themes)
	}
	checkSecondStartChangesNothing(t, d, path)

	// An editor deletes a seeded case; the seed changes again: it stays deleted,
	// and the correction still reaches what nobody changed.
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("DELETE FROM cases WHERE slug = 'leeuwarden-proef'"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	second := files["seed/cases-2.json"]
	second.Cases[0].Title = "Nieuw voorbeeld, opnieuw bewerkt"
	files["seed/cases-2.json"] = second
	first := files["seed/cases.json"]
	first.Cases[0].Summary = "Nog eens verbeterd."
	files["seed/cases.json"] = first
	useSeedFiles(t, files, nil)
	d = openFile(t, path)
	defer d.Close()
	if _, err := d.FindCaseBySlug(ctx, "leeuwarden-proef"); err == nil {
		t.Error("a seeded case an editor deleted came back")
	}
	if c, _ := d.FindCaseBySlug(ctx, "startblok-riekerhaven"); c.Summary != "Nog eens verbeterd." || c.Version != 3 {
		t.Errorf("a second correction did not reach an untouched case: %q, version %d", c.Summary, c.Version)
	}
}

// TestReleaseOneUpgradeWithTheSameSeedChangesNoCase: with seed content equal to
// what the first release wrote (its own seed, converted to the new format as the
// first commit of this model did), the upgrade records the seeded cases and adds
// the themes, but writes no revision.
func TestReleaseOneUpgradeWithTheSameSeedChangesNoCase(t *testing.T) {
	ctx := context.Background()
	path := releaseFile(t)
	raw := openReadOnly(t, path)
	rows, err := raw.Query("SELECT content FROM case_revisions WHERE version = 1 ORDER BY case_id")
	if err != nil {
		t.Fatal(err)
	}
	var same seedFile
	for i := 0; rows.Next(); i++ {
		var content string
		if err := rows.Scan(&content); err != nil {
			t.Fatal(err)
		}
		var in CaseInput
		if err := json.Unmarshal([]byte(content), &in); err != nil {
			t.Fatal(err)
		}
		g := &in.GemeenteCode
		if in.GemeenteCode == "" {
			g = nil
		}
		same.Cases = append(same.Cases, seedCase{Facts: fmt.Sprintf("cases-facts.json#%d", slices.Index(releaseOneSeed, in.Slug)),
			Slug: in.Slug, Title: in.Title, Summary: in.Summary, Body: in.Body, GemeenteCode: g, Themes: in.Themes,
			Kind: in.Kind, Year: in.Year, InitiativeStatus: StageUnknown, Homes: in.Homes, People: in.People,
			Partners: in.Partners, Contact: in.Contact, SourceURL: in.SourceURL})
	}
	rows.Close()
	raw.Close()
	if len(same.Cases) != 24 {
		t.Fatalf("the first release's file has %d first revisions", len(same.Cases))
	}
	useSeedFiles(t, map[string]seedFile{"seed/cases.json": same}, nil)
	d := openFile(t, path)
	defer d.Close()
	var revisions, ledger, versions int
	d.r.QueryRow("SELECT count(*) FROM case_revisions").Scan(&revisions)
	d.r.QueryRow("SELECT count(*) FROM seeded_cases WHERE case_id IS NOT NULL AND version = 1").Scan(&ledger)
	d.r.QueryRow("SELECT count(*) FROM cases WHERE version <> 1").Scan(&versions)
	if revisions != 24 || ledger != 24 || versions != 0 {
		t.Errorf("revisions %d, seeded %d, changed versions %d: want 24, 24, 0", revisions, ledger, versions)
	}
	// The five themes the first release lacked, with their texts.
	for _, slug := range []string{"dorpen-en-kleine-kernen", "draagvlak-en-omwonenden", "nareizigers-en-gezinshereniging", "taakstelling-en-toezicht", "landelijk-beleid"} {
		th, err := d.FindTheme(ctx, slug)
		if err != nil || th.Intro == "" || th.WhenText == "" {
			t.Errorf("theme %s after the upgrade: %+v (%v)", slug, th, err)
		}
	}
}

// TestLegacyRevisionsLoadDiffAndRestore: revisions written before the richer case
// model still load, compare with newer ones and restore, keeping the case's
// newer fields that they know nothing of.
func TestLegacyRevisionsLoadDiffAndRestore(t *testing.T) {
	ctx := context.Background()
	d := openRelease(t)
	ed := mustUser(t, d, "ria@example.org", RoleEditor)
	c, err := d.FindCaseBySlug(ctx, "woonpilot-zwolle")
	if err != nil {
		t.Fatal(err)
	}
	nine := 9 // the first release had 9 homes, without saying it is a maximum
	in := c.Input()
	in.Title = "Woonpilot Zwolle, herschreven"
	in.Stage, in.StageDate, in.TargetGroups = StageEnded, "2019-06", []string{GroupYoung, GroupSingles}
	in.Homes, in.HomesQualifier, in.LessonsHard = &nine, QualifierMaximum, "- Weinig woningen."
	in.RelatedGemeenten = []string{"GM0166"} // Kampen
	if c, err = d.UpdateCase(ctx, c.ID, CaseUpdate{Version: c.Version, Input: in}, ed); err != nil {
		t.Fatal(err)
	}
	old, err := d.FindRevision(ctx, c.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !old.Legacy || old.Content.Stage != StageUnknown || old.Content.Title == in.Title {
		t.Fatalf("the first release's revision: legacy %v, %+v", old.Legacy, old.Content)
	}
	cur, _ := d.FindRevision(ctx, c.ID, c.Version) // the editor's (the seed may have corrected it before)
	if cur.Legacy {
		t.Error("a new revision counts as legacy")
	}
	diff := DiffCases(old.Content, cur.Content, nil)
	var fields []string
	for _, f := range diff.Fields {
		fields = append(fields, f.Field)
	}
	for _, want := range []string{"title", "initiative_status", "status_date", "target_groups", "homes", "lessons_hard", "related_gemeente_codes"} {
		if !slices.Contains(fields, want) {
			t.Errorf("diff of the legacy revision with the new one lacks %s: %v", want, fields)
		}
	}
	restored, err := d.RestoreRevision(ctx, c.ID, 1, c.Version, ed)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Title == in.Title || restored.Stage != StageEnded || restored.HomesQualifier != QualifierMaximum ||
		len(restored.RelatedGemeenten) != 1 || restored.LessonsHard == "" {
		t.Errorf("restoring a legacy revision: title %q, stage %q, lessons %q, related %v",
			restored.Title, restored.Stage, restored.LessonsHard, restored.RelatedGemeenten)
	}
	// A revision of the new model restores all of its fields.
	if restored, err = d.RestoreRevision(ctx, c.ID, cur.Version, restored.Version, ed); err != nil || restored.Title != in.Title {
		t.Fatalf("restore version %d: %v %q", cur.Version, err, restored.Title)
	}
}

// TestMigratedSchemaMatchesANewOne: an upgraded database of the first release has
// the same tables, columns (type, NOT NULL, default) and indexes as a new one.
func TestMigratedSchemaMatchesANewOne(t *testing.T) {
	describe := func(path string) string {
		t.Helper()
		c := openReadOnly(t, path)
		defer c.Close()
		var out []string
		rows, err := c.Query(`SELECT m.type, m.name, coalesce(p.name, ''), coalesce(p.type, ''), coalesce(p."notnull", 0), coalesce(p.dflt_value, '')
			FROM sqlite_schema m LEFT JOIN pragma_table_info(m.name) p ON m.type = 'table'
			WHERE m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'cases_fts_%'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var typ, name, col, ctype, dflt string
			var notnull int
			if err := rows.Scan(&typ, &name, &col, &ctype, &notnull, &dflt); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %s.%s %s %d %s", typ, name, col, ctype, notnull, dflt))
		}
		slices.Sort(out)
		return strings.Join(out, "\n")
	}
	old := releaseFile(t)
	openFile(t, old).Close()
	fresh := filepath.Join(t.TempDir(), "new.db")
	openFile(t, fresh).Close()
	if a, b := describe(old), describe(fresh); a != b {
		t.Errorf("upgraded schema differs from a new one:\nupgraded:\n%s\n\nnew:\n%s", a, b)
	}
}

// TestSeedDigestSkipsWork: a start with the seed files the database last saw
// reads no seed case at all (the setting says so).
func TestSeedDigestSkipsWork(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	var digest []byte
	if err := d.r.QueryRow("SELECT value FROM settings WHERE name = 'seed_digest'").Scan(&digest); err != nil {
		t.Fatal(err)
	}
	content, _ := readSeedContent()
	if string(digest) != content.digest {
		t.Fatal("the seed digest was not recorded")
	}
	// Remove a case behind the ledger's back: with the same digest, nothing looks.
	if _, err := d.w.Exec("DELETE FROM seeded_cases WHERE facts = 'cases-facts.json#0'"); err != nil {
		t.Fatal(err)
	}
	tx, _ := d.w.BeginTx(ctx, nil)
	defer tx.Rollback()
	res, err := syncSeedCases(ctx, tx)
	if err != nil || res != (seedResult{}) {
		t.Errorf("sync with the same files did %+v (%v)", res, err)
	}
}

// TestSeedFilesMayBeBareLists: a seed case file may be a bare list of cases, and
// left-out.json a bare list, as the content tools write them.
func TestSeedFilesMayBeBareLists(t *testing.T) {
	g := "GM0363"
	c := seedCase{Facts: "cases-facts-2.json#4", Slug: "een", Title: "T", Summary: "S", GemeenteCode: &g,
		Themes: []string{"gezinnen"}, Kind: KindSolution, InitiativeStatus: StagePlan}
	b, _ := json.Marshal([]seedCase{c})
	lo, _ := json.Marshal([]seedLeftOut{{Facts: "cases-facts-2.json#5", Reason: "not about housing permit holders"}})
	old := seedFiles
	seedFiles = fstest.MapFS{"seed/cases-2.json": {Data: b}, seedLeftOutFile: {Data: lo}}
	t.Cleanup(func() { seedFiles = old })
	content, err := readSeedContent()
	if err != nil || len(content.Cases) != 1 || len(content.LeftOut) != 1 {
		t.Fatalf("bare lists: %+v, %v", content, err)
	}
}
