package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSetNationalFigureForANewPeriodSplitsIt(t *testing.T) {
	d, admin := openAs(t, "beheer@example.org", RoleAdmin)
	ctx := context.Background()
	today := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	before, _ := d.FigurePeriods(ctx)

	// 2026-H2 while 2026-H1 is not stored either: 2026-H1 is made as "niet gevonden".
	res, err := d.SetNationalFigure(ctx, NationalFigure{Period: "2026-H2", Total: 9000, Status: TotalForecast,
		SourceURL: "https://www.rijksoverheid.nl/nieuws/2026", SourceDate: "2026-04", Note: "Prognose."}, admin, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 2 || res.Created[0] != "2026-H1" || res.Computed != 342 || res.Division != 2025 || res.Previous != nil {
		t.Fatalf("result %+v", res)
	}
	h1, err := d.FindPeriod(ctx, "2026-H1")
	if err != nil || h1.Known() || h1.TotalStatus != TotalMissing {
		t.Errorf("2026-H1: %+v %v, want niet gevonden", h1, err)
	}
	pf, err := d.PeriodFigures(ctx, "2026-H2")
	if err != nil {
		t.Fatalf("the split of 2026-H2 is not on the map: %v", err)
	}
	if pf.Totals.Taakstelling != 9000 || pf.Totals.TaakstellingKnown != 342 || !pf.Totals.Computed || pf.Totals.RealisedKnown != 0 {
		t.Errorf("2026-H2 totals %+v", pf.Totals)
	}
	if !pf.Period.Known() || pf.Period.TotalStatus != TotalForecast || pf.Period.Official() {
		t.Errorf("2026-H2 period %+v: a prognose is not official", pf.Period)
	}
	after, _ := d.FigurePeriods(ctx)
	if len(after) != len(before)+2 || after[len(after)-1].Code != "2026-H2" {
		t.Errorf("map periods %d → %d, last %s", len(before), len(after), after[len(after)-1].Code)
	}
	// Nothing is made up for the new period: no realisations.
	n := queryInt(t, d, "SELECT count(*) FROM realisaties WHERE period LIKE '2026-%'")
	if n != 0 {
		t.Errorf("%d realisations generated for 2026", n)
	}
	// The split is the seed's method: the same as the seeded 2025-H2 for the same total.
	var a, b int
	d.r.QueryRow("SELECT amount FROM taakstellingen WHERE period = '2026-H2' AND gemeente_code = 'GM0344'").Scan(&a)
	if a < 9000*361000/18044027-1 || a > 9000*380000/18044027+1 {
		t.Errorf("Utrecht's share of 9000 is %d", a)
	}

	// A known figure is not replaced by accident.
	_, err = d.SetNationalFigure(ctx, NationalFigure{Period: "2026-H2", Total: 9500, Status: TotalSet, SourceURL: "https://example.org"}, admin, today)
	if !errors.Is(err, ErrFigureExists) {
		t.Fatalf("replacing without Replace: %v", err)
	}
	res, err = d.SetNationalFigure(ctx, NationalFigure{Period: "2026-H2", Total: 9500, Status: TotalSet,
		SourceURL: "https://example.org/circulaire", Replace: true}, admin, today)
	if err != nil || res.Previous == nil || *res.Previous != 9000 || res.PreviousStatus != TotalForecast {
		t.Fatalf("replace: %+v %v", res, err)
	}
	pf, _ = d.PeriodFigures(ctx, "2026-H2")
	if pf.Totals.Taakstelling != 9500 || pf.Period.TotalStatus != TotalSet {
		t.Errorf("after the replacement: %d, %s", pf.Totals.Taakstelling, pf.Period.TotalStatus)
	}
	d.r.QueryRow("SELECT amount FROM taakstellingen WHERE period = '2026-H2' AND gemeente_code = 'GM0344'").Scan(&b)
	if b <= a {
		t.Errorf("Utrecht's share did not follow the new total: %d then %d", a, b)
	}

	// Audited, with the source.
	entries, _, err := d.AuditLog(ctx, AuditFilter{Action: ActionNationalFigure, PerPage: 10})
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d audit entries (%v)", len(entries), err)
	}
	if e := entries[0]; e.Subject != "landelijk 2026-H2" || !strings.Contains(e.Detail, "9500 (vastgesteld)") ||
		!strings.Contains(e.Detail, "https://example.org/circulaire") || !strings.Contains(e.Detail, "was 9000 (prognose)") {
		t.Errorf("audit entry %+v", e)
	}
}

func TestSetNationalFigureLimits(t *testing.T) {
	d, admin := openAs(t, "beheer@example.org", RoleAdmin)
	ctx := context.Background()
	today := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	good := NationalFigure{Period: "2027-H1", Total: 10000, Status: TotalSet, SourceURL: "https://example.org"}
	for name, f := range map[string]NationalFigure{
		"two half years ahead":   {Period: "2027-H2", Total: 1, Status: TotalSet, SourceURL: "https://example.org"},
		"before the first":       {Period: "2015-H2", Total: 1, Status: TotalSet, SourceURL: "https://example.org"},
		"not a period":           {Period: "2027-H3", Total: 1, Status: TotalSet, SourceURL: "https://example.org"},
		"no source":              {Period: "2027-H1", Total: 1, Status: TotalSet},
		"status niet gevonden":   {Period: "2027-H1", Total: 1, Status: TotalMissing, SourceURL: "https://example.org"},
		"zero":                   {Period: "2027-H1", Total: 0, Status: TotalSet, SourceURL: "https://example.org"},
		"more than ever thought": {Period: "2027-H1", Total: MaxNationalTotal + 1, Status: TotalSet, SourceURL: "https://example.org"},
	} {
		if _, err := d.SetNationalFigure(ctx, f, admin, today); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if periods, _ := d.Periods(ctx); periods[len(periods)-1].Code != "2025-H2" {
		t.Errorf("a refused figure left period %s", periods[len(periods)-1].Code)
	}
	// The next half year after today's is allowed (figures are set in advance).
	if _, err := d.SetNationalFigure(ctx, good, admin, today); err != nil {
		t.Errorf("the next half year: %v", err)
	}
	// A period whose figure was not found gets one; its split follows.
	res, err := d.SetNationalFigure(ctx, NationalFigure{Period: "2024-H2", Total: 19000, Status: TotalSet, SourceURL: "https://example.org/2024"}, admin, today)
	if err != nil || res.Computed != 342 || len(res.Created) != 0 {
		t.Fatalf("2024-H2: %+v %v", res, err)
	}
	pf, err := d.PeriodFigures(ctx, "2024-H2")
	if err != nil || pf.Totals.Taakstelling != 19000 {
		t.Errorf("2024-H2 after its figure: %v", err)
	}
	// A period without boundaries (2021-H1) gets its figure, but no split.
	res, err = d.SetNationalFigure(ctx, NationalFigure{Period: "2021-H1", Total: 7000, Status: TotalSet, SourceURL: "https://example.org/2021"}, admin, today)
	if err != nil || !res.NoSplit || res.Computed != 0 {
		t.Errorf("2021-H1: %+v %v", res, err)
	}
}

func TestNationalFigureKeepsOfficialTaakstellingen(t *testing.T) {
	d, admin := openAs(t, "beheer@example.org", RoleAdmin)
	ctx := context.Background()
	if err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("UPDATE taakstellingen SET basis = 'officieel', amount = 77 WHERE period = '2025-H2' AND gemeente_code = 'GM0344'")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	res, err := d.SetNationalFigure(ctx, NationalFigure{Period: "2025-H2", Total: 14000, Status: TotalAdjusted,
		SourceURL: "https://example.org", Replace: true}, admin, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || res.KeptOfficial != 1 || res.Computed != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	amount := queryInt(t, d, "SELECT amount FROM taakstellingen WHERE period = '2025-H2' AND gemeente_code = 'GM0344'")
	if amount != 77 {
		t.Errorf("the official taakstelling became %d", amount)
	}
}

func TestPurgeExpiredEnforcesTheRetentionPeriods(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(age time.Duration) string { return now.Add(-age).UTC().Format(time.RFC3339) }
	ed := mustUser(t, d, "ria@example.org", RoleEditor)
	if err := d.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"INSERT INTO case_tippers (case_id, name, email, created_at) SELECT id, 'Oud', 'oud@example.org', ? FROM cases WHERE id = (SELECT min(id) FROM cases)", []any{at(TipperRetention + time.Hour)}},
			{"INSERT INTO case_tippers (case_id, name, email, created_at) SELECT id, 'Nieuw', 'nieuw@example.org', ? FROM cases WHERE id = (SELECT max(id) FROM cases)", []any{at(TipperRetention - time.Hour)}},
			{"INSERT INTO audit_log (at, user_id, actor, action) VALUES (?, ?, 'ria@example.org', 'login'), (?, ?, 'ria@example.org', 'login')",
				[]any{at(AuditRetention + time.Hour), ed.ID, at(AuditRetention - time.Hour), ed.ID}},
			{"INSERT INTO sessions (id, data, expires_at) VALUES ('oud', x'00', ?), ('nieuw', x'00', ?)", []any{now.Unix() - 1, now.Unix() + 60}},
			{"INSERT INTO login_throttle (email, client_key, failures, last_at) VALUES ('a@example.org', 'k', 1, ?), ('b@example.org', 'k', 1, ?)",
				[]any{now.Add(-FailureMemory - time.Minute).Unix(), now.Add(-time.Minute).Unix()}},
			{"INSERT INTO login_clients (email, client_key, last_at) VALUES ('a@example.org', 'k', ?), ('b@example.org', 'k', ?)",
				[]any{now.Add(-KnownClientMemory - time.Minute).Unix(), now.Add(-time.Hour).Unix()}},
			{"INSERT INTO figure_uploads (id, user_id, period, filename, content, created_at) VALUES ('oud', ?, '2025-H1', 'a.csv', x'00', ?), ('nieuw', ?, '2025-H1', 'b.csv', x'00', ?)",
				[]any{ed.ID, at(figureUploadMaxAge + time.Hour), ed.ID, at(time.Hour)}},
		} {
			if _, err := tx.Exec(q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p, err := d.PurgeExpired(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Tippers != 1 || p.Audit != 1 || p.Sessions != 1 || p.LoginFailures != 1 || p.KnownClients != 1 || p.Uploads != 1 {
		t.Errorf("purged %+v, want one of each", p)
	}
	for table, want := range map[string]int{"case_tippers": 1, "sessions": 1, "login_throttle": 1, "login_clients": 1, "figure_uploads": 1} {
		var n int
		d.r.QueryRow("SELECT count(*) FROM " + table).Scan(&n)
		if n != want {
			t.Errorf("%s keeps %d rows, want the %d within its retention", table, n, want)
		}
	}
	var oldAudit int
	d.r.QueryRow("SELECT count(*) FROM audit_log WHERE at < ?", at(AuditRetention)).Scan(&oldAudit)
	if oldAudit != 0 {
		t.Error("audit entries older than two years remain")
	}
	// Nothing due: nothing written.
	if p, err := d.PurgeExpired(ctx, now); err != nil || p != (Purged{}) {
		t.Errorf("second purge: %+v %v", p, err)
	}
}
