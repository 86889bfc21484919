-- Opnieuw Thuis: the whole current schema.
--
-- Applied at every start by db.Open; every statement is safe to re-run. The schema
-- version lives in PRAGMA user_version (set by db.Open, not here); later changes are
-- ordered migrations in db/migrate.go.
--
-- Timestamps are UTC text in RFC 3339 form ('2025-06-01T12:00:00Z').

CREATE TABLE IF NOT EXISTS provinces (
    code TEXT PRIMARY KEY CHECK (code GLOB 'PV[0-9][0-9]'),
    name TEXT NOT NULL
) STRICT;

-- The gemeenten of the current CBS division (2025). Cases refer to these codes.
CREATE TABLE IF NOT EXISTS gemeenten (
    code          TEXT PRIMARY KEY CHECK (code GLOB 'GM[0-9][0-9][0-9][0-9]'),
    name          TEXT NOT NULL,
    province_code TEXT NOT NULL REFERENCES provinces (code),
    population    INTEGER NOT NULL CHECK (population >= 0)
) STRICT;

CREATE INDEX IF NOT EXISTS gemeenten_province ON gemeenten (province_code);

CREATE TABLE IF NOT EXISTS themes (
    slug      TEXT PRIMARY KEY CHECK (slug GLOB '[a-z]*' AND slug NOT GLOB '*[^a-z0-9-]*'),
    label     TEXT NOT NULL,
    position  INTEGER NOT NULL,
    intro     TEXT NOT NULL DEFAULT '',
    when_text TEXT NOT NULL DEFAULT '',
    version   INTEGER NOT NULL DEFAULT 1 -- of the texts: optimistic locking, as cases.version
) STRICT;

CREATE TABLE IF NOT EXISTS users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('redacteur', 'beheerder')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    -- set for a password made up by the system: the editor must choose a new one
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    created_at    TEXT NOT NULL,
    last_login_at TEXT,
    -- moves on at every password change: sessions signed in before it end
    session_epoch INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A good example ("voorbeeld"). body is Markdown; body_text is its plain text, kept
-- by the db package for full-text search and snippets.
CREATE TABLE IF NOT EXISTS cases (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE CHECK (slug GLOB '[a-z0-9]*' AND slug NOT GLOB '*[^a-z0-9-]*'),
    title         TEXT NOT NULL CHECK (title <> ''),
    summary       TEXT NOT NULL,
    body          TEXT NOT NULL DEFAULT '',
    body_text     TEXT NOT NULL DEFAULT '',
    gemeente_code TEXT REFERENCES gemeenten (code),
    kind          TEXT NOT NULL CHECK (kind IN ('woonoplossing', 'aanpak')),
    year          INTEGER CHECK (year BETWEEN 1990 AND 2100),
    homes         INTEGER CHECK (homes >= 0),
    people        INTEGER CHECK (people >= 0),
    partners      TEXT NOT NULL DEFAULT '', -- one partner per line
    contact       TEXT NOT NULL DEFAULT '',
    source_url    TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'concept'
                  CHECK (status IN ('concept', 'ingediend', 'gepubliceerd', 'gearchiveerd')),
    version       INTEGER NOT NULL DEFAULT 1, -- optimistic locking
    author_id     INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    published_at  TEXT,
    -- What became of the initiative ("Status van het initiatief" on the site; not
    -- the editorial workflow above) and when a source last confirmed it: '2024',
    -- '2024-05' or '2024-05-12' ('' when unknown).
    stage         TEXT NOT NULL DEFAULT 'onbekend'
                  CHECK (stage IN ('plan', 'in-uitvoering', 'gerealiseerd', 'beeindigd', 'onbekend')),
    stage_date    TEXT NOT NULL DEFAULT '' CHECK (stage_date = '' OR stage_date GLOB '[12][0-9][0-9][0-9]'
                  OR stage_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]' OR stage_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    target_groups TEXT NOT NULL DEFAULT '', -- space-separated: alleenstaanden gezinnen jongeren gemengd
    -- What homes and people mean: a target, what was realised, or an upper bound.
    -- NULL with the number; NULL beside a number saved before qualifiers existed.
    homes_qualifier  TEXT CHECK (homes_qualifier IN ('doel', 'gerealiseerd', 'maximaal')),
    people_qualifier TEXT CHECK (people_qualifier IN ('doel', 'gerealiseerd', 'maximaal')),
    financing      TEXT NOT NULL DEFAULT '', -- who pays what, plain text
    lessons_hard   TEXT NOT NULL DEFAULT '', -- Markdown: "Wat ging moeilijk"
    lessons_worked TEXT NOT NULL DEFAULT '', -- Markdown: "Wat werkte"
    -- Only for a case without gemeente that belongs to one province (provincial
    -- supervision, a provincial scheme).
    province_code  TEXT REFERENCES provinces (code),
    -- When the source was last checked: '2026-12' or '2026-12-05' ('' unknown).
    source_checked TEXT NOT NULL DEFAULT '' CHECK (source_checked = ''
                   OR source_checked GLOB '[12][0-9][0-9][0-9]-[01][0-9]' OR source_checked GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]')
) STRICT;

CREATE INDEX IF NOT EXISTS cases_status ON cases (status, published_at);
CREATE INDEX IF NOT EXISTS cases_gemeente ON cases (gemeente_code);
CREATE INDEX IF NOT EXISTS cases_updated ON cases (updated_at);
-- No index on the columns added after the first release: this file runs before the
-- migrations, when an older database does not have them yet. The library filters
-- on them in memory (db/index.go).

-- The other gemeenten a case involves ("betrokken gemeenten": a regional approach,
-- the gemeenten under a provincial measure). The case shows on each of their pages
-- and counts for each in the library's gemeente and province facets.
CREATE TABLE IF NOT EXISTS case_gemeenten (
    case_id       INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    gemeente_code TEXT NOT NULL REFERENCES gemeenten (code),
    PRIMARY KEY (case_id, gemeente_code)
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS case_gemeenten_gemeente ON case_gemeenten (gemeente_code, case_id);

-- The site's starting content (db/seed/cases*.json) as written into this database:
-- one row per seed entry, keyed by the facts entry it was written from. A case with
-- a row here is "startinhoud": its publication date is the install's, not an
-- editor's. A newer version of an entry is applied only while its case is still at
-- the version the seed wrote (no editor changed it since). The row outlives its
-- case, so a case an editor deleted is never seeded again. Only db/seed.go writes it.
CREATE TABLE IF NOT EXISTS seeded_cases (
    facts      TEXT PRIMARY KEY, -- 'cases-facts-2.json#0'
    case_id    INTEGER UNIQUE REFERENCES cases (id) ON DELETE SET NULL,
    version    INTEGER NOT NULL, -- the case's version as the seed last wrote it
    digest     TEXT NOT NULL,    -- SHA-256 of the entry's content as the seed last wrote it
    seeded_at  TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS case_themes (
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    theme_slug TEXT NOT NULL REFERENCES themes (slug),
    PRIMARY KEY (case_id, theme_slug)
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS case_themes_theme ON case_themes (theme_slug, case_id);

-- Full-text search. The db package writes every case's search document (title,
-- places, province, summary, body, themes, kind, year, partners: caseSearchDoc in
-- db/searchindex.go) in the same transaction as the case, as folded words and as
-- their Dutch stems, since SQLite's tokenizer cannot stem Dutch. The table keeps no
-- copy of the text (contentless); the first six columns hold words, the last two
-- stems. settings.search-document-version says which document version it holds.
CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING fts5 (
    title, place, region, summary, body, tags, head_stems, text_stems,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- The words of the index with the number of cases holding each, per column: the
-- vocabulary that typo correction and compound matching draw on.
CREATE VIRTUAL TABLE IF NOT EXISTS case_search_vocab USING fts5vocab (case_search, 'col');

CREATE TRIGGER IF NOT EXISTS case_search_delete AFTER DELETE ON cases BEGIN
    DELETE FROM case_search WHERE rowid = old.id;
END;

-- ---------------------------------------------------------------------------
-- Editors: accounts, sessions, revisions, suggestions, audit, figure uploads.
-- ---------------------------------------------------------------------------

-- Server secrets and other single values, generated on first use (never in code).
CREATE TABLE IF NOT EXISTS settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- Editors' sessions, the storage behind Fiber's session middleware. id is the
-- SHA-256 (hex) of the session id in the cookie, so a copy of the file (a backup)
-- holds no usable session. expires_at is unix seconds; 0 means no expiry.
CREATE TABLE IF NOT EXISTS sessions (
    id         TEXT PRIMARY KEY,
    data       BLOB NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);

-- Failed sign-ins (and wrong current passwords) per e-mail address, known or not so
-- that the answer never tells which addresses have an account: per address and
-- client, and per address as a whole. Failures lead to a growing delay (db/users.go).
CREATE TABLE IF NOT EXISTS login_throttle (
    email      TEXT NOT NULL COLLATE NOCASE,
    client_key TEXT NOT NULL, -- keyed hash of the client's address; '' counts the account as a whole
    failures   INTEGER NOT NULL,
    last_at    INTEGER NOT NULL, -- unix seconds of the last failure
    wait_until INTEGER NOT NULL DEFAULT 0, -- no attempt is checked before this (unix seconds)
    PRIMARY KEY (email, client_key)
) STRICT;

-- Clients (keyed hash of the address) from which an account signed in lately: failures
-- elsewhere do not slow the account down for them.
CREATE TABLE IF NOT EXISTS login_clients (
    email      TEXT NOT NULL COLLATE NOCASE,
    client_key TEXT NOT NULL,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (email, client_key)
) STRICT;

-- Every save of a case: who, when, and the full content (JSON of db.CaseInput).
CREATE TABLE IF NOT EXISTS case_revisions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    editor_id   INTEGER REFERENCES users (id),
    editor_name TEXT NOT NULL, -- as it was at the time
    note        TEXT NOT NULL DEFAULT '', -- why: a rejection, a restore, the editor's remark
    content     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (case_id, version)
) STRICT;

-- Who suggested a case through /tip. Kept apart from cases.contact, which is public:
-- the tipper's e-mail address is never published.
CREATE TABLE IF NOT EXISTS case_tippers (
    case_id    INTEGER PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- What editors did: sign-ins, publications, imports, account changes. Never holds
-- a password, nor an e-mail address typed at a failed sign-in for no account.
CREATE TABLE IF NOT EXISTS audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    user_id  INTEGER REFERENCES users (id),
    actor    TEXT NOT NULL DEFAULT '', -- e-mail address at the time; '' for a visitor
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at DESC, id DESC);

-- An uploaded figures file between its preview and the editor's confirmation.
-- Rows older than a day are removed at the next upload.
CREATE TABLE IF NOT EXISTS figure_uploads (
    id         TEXT PRIMARY KEY, -- random, in the confirm form
    user_id    INTEGER NOT NULL REFERENCES users (id),
    period     TEXT NOT NULL,
    filename   TEXT NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Old addresses of published cases: when the slug of a case that was ever public
-- changes, /voorbeelden/{old_slug} answers 301 to the case's current address. A
-- case that takes an old slug for itself removes its row.
CREATE TABLE IF NOT EXISTS case_slug_redirects (
    old_slug   TEXT PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS case_slug_redirects_case ON case_slug_redirects (case_id);

-- What an editor typed in a case form and did not save (yet): kept as they type
-- (autosave) and when a save arrives after their session ended. One row per opened
-- form (form_key, random and signed for its account); saved = 1 once that form was
-- saved, so that a late autosave cannot bring it back. Rows untouched for 30 days
-- are removed.
CREATE TABLE IF NOT EXISTS case_drafts (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    form_key   TEXT NOT NULL,
    case_id    INTEGER REFERENCES cases (id) ON DELETE CASCADE, -- NULL: a new case
    content    TEXT NOT NULL, -- JSON of the form as typed
    saved      INTEGER NOT NULL DEFAULT 0 CHECK (saved IN (0, 1)),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, form_key)
) STRICT;

CREATE INDEX IF NOT EXISTS case_drafts_case ON case_drafts (user_id, case_id, updated_at);

-- Every confirmed figure import: who, when, what, and the period's figures as they
-- were before it (gzipped JSON), so that it can be undone in one transaction.
CREATE TABLE IF NOT EXISTS figure_imports (
    id             INTEGER PRIMARY KEY,
    period         TEXT NOT NULL,
    filename       TEXT NOT NULL,
    user_id        INTEGER REFERENCES users (id),
    actor          TEXT NOT NULL, -- display name at the time
    created_at     TEXT NOT NULL,
    summary        TEXT NOT NULL,
    lost_gemeenten INTEGER NOT NULL DEFAULT 0, -- gemeenten left without a realisation
    snapshot       BLOB NOT NULL,
    undone_at      TEXT,
    undone_by      TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS figure_imports_period ON figure_imports (period, id);

-- ---------------------------------------------------------------------------------
-- Land in beeld: boundary sets, half-year periods, taakstelling and realisations.
-- How the figures are computed and how an import replaces them: db/figures.go.

-- A CBS municipal division ("gebiedsindeling") with its map geometry. Gemeenten merge
-- almost every year, so figures are always drawn and joined on the division of their
-- own period (periods.division). Every division uses the same SVG frame (view_box).
CREATE TABLE IF NOT EXISTS divisions (
    year     INTEGER PRIMARY KEY CHECK (year BETWEEN 1900 AND 2100),
    view_box TEXT NOT NULL,
    source   TEXT NOT NULL
) STRICT;

-- The provinces of a division as drawn on the map (dissolved from its gemeenten).
CREATE TABLE IF NOT EXISTS division_provinces (
    division INTEGER NOT NULL REFERENCES divisions (year),
    code     TEXT NOT NULL REFERENCES provinces (code),
    path     TEXT NOT NULL, -- SVG path data: "M x y l dx dy … z", fill-rule evenodd
    PRIMARY KEY (division, code)
) STRICT;

-- The gemeenten of a division. The current division (2025) repeats the gemeenten
-- table, which cases refer to; an older one (2016: 390 gemeenten) has codes that no
-- longer exist. population is CBS's count on 1 January of the division's year, NULL
-- where unknown (2016).
CREATE TABLE IF NOT EXISTS division_gemeenten (
    division      INTEGER NOT NULL REFERENCES divisions (year),
    code          TEXT NOT NULL CHECK (code GLOB 'GM[0-9][0-9][0-9][0-9]'),
    name          TEXT NOT NULL,
    province_code TEXT NOT NULL REFERENCES provinces (code),
    population    INTEGER CHECK (population >= 0),
    label_x       INTEGER NOT NULL, -- a point inside the shape
    label_y       INTEGER NOT NULL,
    path          TEXT NOT NULL,
    PRIMARY KEY (division, code)
) STRICT;

-- Half-year periods with the national taakstelling. division is the boundary set the
-- period's figures use (NULL: no boundaries available, so no per-gemeente figures).
-- national_total is NULL when no source was found: unknown, never zero. total_status
-- is the figure's status as its source gives it: vastgesteld, bijgesteld (set and
-- later raised or lowered), prognose, afgeleid (worked out from a source), or niet
-- gevonden. Migration migrateNationalFigureStatus brought older files to this table.
CREATE TABLE IF NOT EXISTS periods (
    code           TEXT PRIMARY KEY CHECK (code GLOB '[12][0-9][0-9][0-9]-H[12]'),
    division       INTEGER REFERENCES divisions (year),
    national_total INTEGER CHECK (national_total > 0),
    total_status   TEXT NOT NULL CHECK (total_status IN
                   ('vastgesteld', 'bijgesteld', 'prognose', 'afgeleid', 'niet gevonden')),
    source_url     TEXT NOT NULL DEFAULT '',
    source_date    TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    CHECK ((national_total IS NULL) = (total_status = 'niet gevonden')),
    UNIQUE (code, division)
) STRICT;

-- The taakstelling of one gemeente in one period: official (imported from the
-- circulaire) or computed here from the national total and the population share.
CREATE TABLE IF NOT EXISTS taakstellingen (
    period        TEXT NOT NULL,
    division      INTEGER NOT NULL,
    gemeente_code TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount >= 0),
    basis         TEXT NOT NULL CHECK (basis IN ('officieel', 'berekend')),
    PRIMARY KEY (period, gemeente_code),
    FOREIGN KEY (period, division) REFERENCES periods (code, division),
    FOREIGN KEY (division, gemeente_code) REFERENCES division_gemeenten (division, code)
) STRICT, WITHOUT ROWID;

-- Realisations: the number of permit holders a gemeente housed in a period from its
-- start up to a peildatum (cumulative, as COA reports them monthly). The peildatum is
-- the 1st of a month and lies within the period: 2025-H1 has 2025-02-01 … 2025-07-01.
-- basis 'fictief' marks generated demo figures; an import of 'officieel' ones
-- replaces them.
CREATE TABLE IF NOT EXISTS realisaties (
    period        TEXT NOT NULL,
    division      INTEGER NOT NULL,
    gemeente_code TEXT NOT NULL,
    peildatum     TEXT NOT NULL CHECK (peildatum GLOB '[12][0-9][0-9][0-9]-[01][0-9]-01'),
    realised      INTEGER NOT NULL CHECK (realised >= 0),
    basis         TEXT NOT NULL CHECK (basis IN ('officieel', 'fictief')),
    PRIMARY KEY (period, gemeente_code, peildatum),
    FOREIGN KEY (period, division) REFERENCES periods (code, division),
    FOREIGN KEY (division, gemeente_code) REFERENCES division_gemeenten (division, code),
    CHECK (CASE substr(period, 6, 2)
        WHEN 'H1' THEN peildatum BETWEEN substr(period, 1, 4) || '-02-01' AND substr(period, 1, 4) || '-07-01'
        ELSE peildatum BETWEEN substr(period, 1, 4) || '-08-01' AND substr(period, 1, 4) || '-12-01'
             OR peildatum = (CAST(substr(period, 1, 4) AS INTEGER) + 1) || '-01-01'
    END)
) STRICT, WITHOUT ROWID;

-- figures_version changes with every write to the figures, whoever makes it; the
-- computed standings and the rendered maps are cached until it does.
CREATE TABLE IF NOT EXISTS figures_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;

INSERT OR IGNORE INTO figures_version (id, version) VALUES (1, 1);

CREATE TRIGGER IF NOT EXISTS periods_changed_insert AFTER INSERT ON periods BEGIN
    UPDATE figures_version SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS periods_changed_update AFTER UPDATE ON periods BEGIN
    UPDATE figures_version SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS periods_changed_delete AFTER DELETE ON periods BEGIN
    UPDATE figures_version SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS taakstellingen_changed_insert AFTER INSERT ON taakstellingen BEGIN
    UPDATE figures_version SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS taakstellingen_changed_update AFTER UPDATE ON taakstellingen BEGIN
    UPDATE figures_version SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS taakstellingen_changed_delete AFTER DELETE ON taakstellingen BEGIN
    UPDATE figures_version SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS realisaties_changed_insert AFTER INSERT ON realisaties BEGIN
    UPDATE figures_version SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS realisaties_changed_update AFTER UPDATE ON realisaties BEGIN
    UPDATE figures_version SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS realisaties_changed_delete AFTER DELETE ON realisaties BEGIN
    UPDATE figures_version SET version = version + 1;
END;
