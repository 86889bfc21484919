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
    when_text TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE IF NOT EXISTS users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('redacteur', 'beheerder')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL
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
    published_at  TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS cases_status ON cases (status, published_at);
CREATE INDEX IF NOT EXISTS cases_gemeente ON cases (gemeente_code);

CREATE TABLE IF NOT EXISTS case_themes (
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    theme_slug TEXT NOT NULL REFERENCES themes (slug),
    PRIMARY KEY (case_id, theme_slug)
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS case_themes_theme ON case_themes (theme_slug, case_id);

-- Full-text search. The external content is a view so that the gemeente's name is
-- searchable too; triggers below keep the index in step with cases.
CREATE VIEW IF NOT EXISTS cases_search (id, title, summary, body, gemeente, partners) AS
    SELECT c.id, c.title, c.summary, c.body_text, coalesce(g.name, ''), c.partners
    FROM cases c LEFT JOIN gemeenten g ON g.code = c.gemeente_code;

CREATE VIRTUAL TABLE IF NOT EXISTS cases_fts USING fts5 (
    title, summary, body, gemeente, partners,
    content = 'cases_search',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER IF NOT EXISTS cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, title, summary, body, gemeente, partners)
    VALUES (new.id, new.title, new.summary, new.body_text,
            coalesce((SELECT name FROM gemeenten WHERE code = new.gemeente_code), ''),
            new.partners);
END;

CREATE TRIGGER IF NOT EXISTS cases_fts_delete AFTER DELETE ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, title, summary, body, gemeente, partners)
    VALUES ('delete', old.id, old.title, old.summary, old.body_text,
            coalesce((SELECT name FROM gemeenten WHERE code = old.gemeente_code), ''),
            old.partners);
END;

CREATE TRIGGER IF NOT EXISTS cases_fts_update
AFTER UPDATE OF title, summary, body_text, gemeente_code, partners ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, title, summary, body, gemeente, partners)
    VALUES ('delete', old.id, old.title, old.summary, old.body_text,
            coalesce((SELECT name FROM gemeenten WHERE code = old.gemeente_code), ''),
            old.partners);
    INSERT INTO cases_fts (rowid, title, summary, body, gemeente, partners)
    VALUES (new.id, new.title, new.summary, new.body_text,
            coalesce((SELECT name FROM gemeenten WHERE code = new.gemeente_code), ''),
            new.partners);
END;
