// Package db is the only package that speaks SQL. It owns the SQLite file: the
// schema, the reference data, the seed cases, and every query the site runs.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Errors that handlers turn into responses.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict means the record changed since it was read (optimistic locking).
	ErrConflict = errors.New("conflict")
	// ErrDuplicate means a unique value (a slug, an e-mail address) is taken.
	ErrDuplicate = errors.New("duplicate")
	// ErrReadOnly means the database cannot be written (read-only file, disk full).
	ErrReadOnly = errors.New("database not writable")
)

// DB holds one writer connection and a pool of read-only connections to the same
// file. All writes go through the single writer, so no request ever waits on
// "database is locked"; readers never block in WAL mode.
type DB struct {
	w    *sql.DB
	r    *sql.DB
	path string
	// passiveClose: Close checkpoints only what it can without waiting
	// (CheckpointPassivelyOnClose).
	passiveClose bool
	// PasswordCost is the bcrypt work factor of new password hashes; zero means
	// passwordCost. Only tests lower it (bcrypt.MinCost, right after Open), so
	// that the accounts they make and sign in with cost them no time.
	PasswordCost int

	// index is the in-memory facet index of published cases (index.go): patched
	// after a write to one case (caseChanged), rebuilt after others (casesChanged).
	indexMu sync.Mutex
	index   atomic.Pointer[caseIndex]

	// lex is the search vocabulary (lexicon.go), renewed after writes.
	lexMu       sync.Mutex
	lex         atomic.Pointer[lexicon]
	lexStale    atomic.Bool
	lexBuilding atomic.Bool

	// gen counts committed writes to what public pages show (Generation);
	// figuresSeen is the figures_version it last took into account.
	gen         atomic.Uint64
	figuresSeen atomic.Int64
	stop        chan struct{} // closed by Close: ends watchOutsideWrites
	stopped     chan struct{}
	stopOnce    sync.Once

	// figs holds the computed taakstelling figures at one figures_version (figures.go);
	// divisions the map geometry, which never changes while the program runs.
	figsMu    sync.Mutex
	figs      atomic.Pointer[figureSnapshot]
	divisions sync.Map // year → *Division

	// Now is the database's clock: every timestamp it writes and every expiry it
	// checks comes from it. Open sets time.Now; a test sets its own clock right
	// after Open (before the first request) to let time pass without waiting.
	Now func() time.Time
}

// Open opens (creating if needed) the database at path, applies the schema and
// migrations, and on a new file loads the reference data and seed cases, all in one
// transaction.
func Open(ctx context.Context, path, schema string) (*DB, error) {
	if _, err := loadWordLists(); err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	w, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	if err := migrate(ctx, w, schema); err != nil {
		w.Close()
		return nil, err
	}

	r, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open readers: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)

	d := &DB{w: w, r: r, path: path, stop: make(chan struct{}), stopped: make(chan struct{}), Now: time.Now}
	if err := d.Ping(ctx); err != nil {
		close(d.stopped)
		d.Close()
		return nil, err
	}
	if err := d.NoticeOutsideWrites(ctx); err != nil {
		close(d.stopped)
		d.Close()
		return nil, err
	}
	go d.watchOutsideWrites()
	return d, nil
}

// dsn puts every setting in the connection string, so each pooled connection gets it.
// synchronous=FULL makes every acknowledged commit durable, also across power loss.
func dsn(path string, readOnly bool) string {
	v := url.Values{}
	v.Set("_journal_mode", "WAL")
	v.Set("_busy_timeout", "5000")
	v.Set("_foreign_keys", "on")
	v.Set("_synchronous", "FULL")
	if readOnly {
		v.Set("_query_only", "1")
	} else {
		v.Set("_txlock", "immediate")
	}
	return fileURI(path) + "?" + v.Encode()
}

// Close checkpoints the WAL into the main file and closes all connections.
func (d *DB) Close() error {
	d.stopOnce.Do(func() { close(d.stop) })
	<-d.stopped
	var errs []error
	if d.r != nil {
		errs = append(errs, d.r.Close())
	}
	if d.w != nil {
		mode := "TRUNCATE"
		if d.passiveClose {
			mode = "PASSIVE"
		}
		if _, err := d.w.Exec("PRAGMA wal_checkpoint(" + mode + ")"); err != nil && !isReadOnly(err) {
			errs = append(errs, fmt.Errorf("checkpoint: %w", err))
		}
		errs = append(errs, d.w.Close())
	}
	return errors.Join(errs...)
}

// CheckpointPassivelyOnClose makes Close copy to the database file only what it can
// without waiting, instead of emptying the WAL. For a file that another program
// reads all the time and checkpoints itself (Litestream, which keeps a read lock):
// a full checkpoint would wait out the busy timeout and then give up anyway.
func (d *DB) CheckpointPassivelyOnClose() { d.passiveClose = true }

// Ping checks that the file can be read.
func (d *DB) Ping(ctx context.Context) error {
	var n int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM provinces").Scan(&n); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Path is the file the database lives in.
func (d *DB) Path() string { return d.path }

// write runs fn in an immediate transaction on the writer connection and maps
// driver errors to the package's error values. A committed write moves the content
// generation on (see Generation).
func (d *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := d.writeBookkeeping(ctx, fn); err != nil {
		return err
	}
	d.gen.Add(1)
	return nil
}

// writeBookkeeping is write for tables that no public page shows (sessions,
// accounts, sign-in failures, the audit log, secrets, uploads): the content
// generation stays, so cached public pages stay valid.
func (d *DB) writeBookkeeping(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return mapError(inTx(ctx, d.w, nil, fn))
}

// read runs fn in one read-only transaction on the read pool: every query in it
// sees the database at the same moment.
func (d *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return inTx(ctx, d.r, &sql.TxOptions{ReadOnly: true}, fn)
}

// inTx runs fn in a transaction on conn and commits it when fn succeeds.
func inTx(ctx context.Context, conn *sql.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Generation identifies the state of everything public pages show: cases, themes
// and figures. It moves with every committed write to them by this program, and
// (within a second, or at once after NoticeOutsideWrites) with figures written by
// another program: triggers keep figures_version. Pages cached under one generation
// are stale under the next. It costs no query: pages are answered from a cache
// thousands of times a second.
func (d *DB) Generation() uint64 { return d.gen.Load() }

// outsideWritesEvery is how often the database is checked for figures written by
// another program (a script or the sqlite3 shell).
const outsideWritesEvery = time.Second

// NoticeOutsideWrites moves Generation on when figures_version moved since it last
// looked: figures were written by another program.
func (d *DB) NoticeOutsideWrites(ctx context.Context) error {
	var v int64
	if err := d.r.QueryRowContext(ctx, "SELECT version FROM figures_version WHERE id = 1").Scan(&v); err != nil {
		return fmt.Errorf("figures version: %w", err)
	}
	if old := d.figuresSeen.Swap(v); old != v {
		d.gen.Add(1)
	}
	return nil
}

// watchOutsideWrites notices figures written by another program, and removes
// expired personal data at the first turn and then every PurgeEvery (retention.go).
func (d *DB) watchOutsideWrites() {
	defer close(d.stopped)
	t := time.NewTicker(outsideWritesEvery)
	defer t.Stop()
	var lastPurge time.Time
	for {
		select {
		case <-d.stop:
			return
		case now := <-t.C:
			if err := d.NoticeOutsideWrites(context.Background()); err != nil {
				slog.Warn("check for outside writes", "err", err)
			}
			if now.Sub(lastPurge) >= PurgeEvery {
				d.purge(now)
				lastPurge = now
			}
		}
	}
}

// mapError is the one place where driver errors become domain errors.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch {
		case se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey:
			return fmt.Errorf("%w: %w", ErrDuplicate, err)
		case isReadOnly(err):
			return fmt.Errorf("%w: %w", ErrReadOnly, err)
		}
	}
	return err
}

func isReadOnly(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrReadonly, sqlite3.ErrFull, sqlite3.ErrCantOpen, sqlite3.ErrIoErr, sqlite3.ErrPerm:
		return true
	}
	return false
}

// timestamp is t in the format stored in every *_at column.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// sqliteNow is SQLite's clock in the format of timestamp, for what Open writes
// (migrations, the seed) before the database has its clock (DB.Now).
func sqliteNow(ctx context.Context, tx *sql.Tx) (string, error) {
	var ts string
	err := tx.QueryRowContext(ctx, "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')").Scan(&ts)
	return ts, err
}

// nullString turns "" into NULL.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// nullInt turns a nil pointer into NULL.
func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

// timeOrNil reads a nullable RFC 3339 column: nil for NULL.
func timeOrNil(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t, _ := time.Parse(time.RFC3339, s.String)
	return &t
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// FileSizes reports the size in bytes of the database file and of its write-ahead
// log (0 when there is none).
func (d *DB) FileSizes() (file, wal int64) {
	if fi, err := os.Stat(d.path); err == nil {
		file = fi.Size()
	}
	if fi, err := os.Stat(d.path + "-wal"); err == nil {
		wal = fi.Size()
	}
	return file, wal
}

// rowScanner is a *sql.Row or *sql.Rows: what the scan functions read from.
type rowScanner interface{ Scan(...any) error }

// queryAll runs query on q and returns every row as read by scan. what names the
// query in the errors it returns.
func queryAll[T any](ctx context.Context, q queryer, what string, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// queryMap runs query on q and returns its rows as a map, scan reading each row
// into a key and a value. what names the query in the errors it returns.
func queryMap[K comparable, V any](ctx context.Context, q queryer, what string, scan func(rowScanner) (K, V, error), query string, args ...any) (map[K]V, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := map[K]V{}
	for rows.Next() {
		k, v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// scanStringPair reads a row of two text columns, such as a code and a name.
func scanStringPair(s rowScanner) (k, v string, err error) {
	err = s.Scan(&k, &v)
	return k, v, err
}

// lookupErr is the error of a single-row lookup, wrapped with what names it: no
// row (sql.ErrNoRows) is ErrNotFound; no error stays nil.
func lookupErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// scanString reads a row of one text column.
func scanString(s rowScanner) (string, error) {
	var v string
	err := s.Scan(&v)
	return v, err
}
