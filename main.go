// Command opnieuwthuis serves the Opnieuw Thuis platform: a library of good examples
// of housing refugees with a residence permit, and a map of every gemeente's
// taakstelling. One binary, one SQLite file.
package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"opnieuwthuis/db"
	"opnieuwthuis/handlers"
)

//go:embed schema.sql
var schema string

//go:embed views
var viewsFS embed.FS

//go:embed public
var publicFS embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "opnieuwthuis:", err)
		os.Exit(1)
	}
}

// config is read once from the environment.
type config struct {
	Addr          string
	MetricsAddr   string // "" serves no metrics
	DBPath        string
	BaseURL       string
	SecureCookies bool
	ContactEmail  string
	// The privacy statement's controller (name and address) and data-protection
	// officer; where empty, /privacy and the beheerders' dashboard say so.
	PrivacyController string
	PrivacyDPOEmail   string
	LogLevel          slog.Level
	PageCacheMB       int // 0 turns the cache of public pages off
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (TRUSTED_PROXIES, comma-separated).
	TrustedProxies []string
	// SharedCacheSeconds is how long a proxy may keep a public page.
	SharedCacheSeconds int
	// UnderLitestream: this process is the site that Litestream started
	// (litestream.go); Litestream checkpoints the WAL.
	UnderLitestream bool
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:        envOr(getenv, "ADDR", "127.0.0.1:8080"),
		MetricsAddr: getenv("METRICS_ADDR"),
		DBPath:      envOr(getenv, "DB_PATH", filepath.Join("data", "opnieuwthuis.db")),
		BaseURL:     envOr(getenv, "BASE_URL", ""),
		// Shown on /over, /toegankelijkheid and /privacy as the address for questions.
		ContactEmail:      strings.TrimSpace(getenv("CONTACT_EMAIL")),
		PrivacyController: strings.Join(strings.Fields(getenv("PRIVACY_CONTROLLER")), " "),
		PrivacyDPOEmail:   strings.TrimSpace(getenv("PRIVACY_DPO_EMAIL")),
	}
	if n := len(c.PrivacyController); n > 300 {
		return c, fmt.Errorf("PRIVACY_CONTROLLER is %d bytes: give the name and address of the controller in at most 300", n)
	}
	for _, kv := range [][2]string{{"CONTACT_EMAIL", c.ContactEmail}, {"PRIVACY_DPO_EMAIL", c.PrivacyDPOEmail}} {
		if kv[1] != "" && !plausibleEmail(kv[1]) {
			return c, fmt.Errorf("%s=%q: not an e-mail address", kv[0], kv[1])
		}
	}
	var err error
	if c.PageCacheMB, err = envInt(getenv, "PAGE_CACHE_MB", 48, 0, 4096, "a number of megabytes from 0 (off) to 4096"); err != nil {
		return c, err
	}
	if v := getenv("TRUSTED_PROXIES"); v != "" {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
		}
	}
	c.UnderLitestream = underLitestream(getenv)
	if c.SharedCacheSeconds, err = envInt(getenv, "SHARED_CACHE_SECONDS", 60, 1, 86400, "a number of seconds from 1 to 86400"); err != nil {
		return c, err
	}
	switch v := getenv("SECURE_COOKIES"); v {
	case "", "0", "false", "off", "no":
	case "1", "true", "on", "yes":
		c.SecureCookies = true
	default:
		return c, fmt.Errorf("SECURE_COOKIES=%q: use true or false", v)
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return c, fmt.Errorf("LOG_LEVEL=%q: %w", v, err)
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	return c, nil
}

// envInt is the whole number in the variable name, def where it is empty. A value
// that is no number or lies outside min..max is an error that says to use what.
func envInt(getenv func(string) string, name string, def, min, max int, what string) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return def, fmt.Errorf("%s=%q: use %s", name, v, what)
	}
	return n, nil
}

// plausibleEmail checks an address from the configuration: one @, something on both
// sides, a dot in the domain, no spaces or markup.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-3 && strings.Count(s, "@") == 1 && strings.Contains(s[at:], ".") &&
		!strings.ContainsAny(s, " <>\"(),;:[]")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// run is the whole program: tests call it with their own arguments and environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(logger)

	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		if args, env, err := litestreamCommand(cfg, getenv, os.Environ()); err != nil {
			return err
		} else if args != nil {
			logger.Info("starting under litestream", "replica", redactURL(getenv("LITESTREAM_REPLICA_URL")))
			return execLitestream(args, env)
		}
		return serve(ctx, cfg, logger, nil)
	case "healthcheck":
		return healthcheck(ctx, cfg.Addr)
	case "backup":
		if len(args) != 1 {
			return fmt.Errorf("usage: opnieuwthuis backup FILE")
		}
		return backup(ctx, cfg, args[0], stdout)
	case "check":
		return check(ctx, cfg, stdout)
	case "user":
		return userCommand(ctx, cfg, args, stdin, stdout)
	case "synthetic-cases":
		return syntheticCases(ctx, cfg, args, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage: opnieuwthuis [command]

commands:
  serve                 run the web site (default)
  healthcheck           exit 0 when the site at ADDR answers /healthz, 1 otherwise
  backup FILE           write a consistent copy of the live database to FILE (a new file)
  check                 check the database at DB_PATH (after a restore, say): SQLite's
                        integrity_check and the search index against every case
  user add --email ADDRESS --role beheerder|redacteur [--name NAME]
                        add an editor account; the password is asked for (without
                        echo on a terminal) or read from the first line of stdin
  synthetic-cases N     add N fictitious published cases, for load tests only
  help                  show this text

environment: ADDR, METRICS_ADDR, DB_PATH, BASE_URL, SECURE_COOKIES, CONTACT_EMAIL,
PRIVACY_CONTROLLER, PRIVACY_DPO_EMAIL, LOG_LEVEL, PAGE_CACHE_MB, TRUSTED_PROXIES,
SHARED_CACHE_SECONDS, LITESTREAM_* (see README.md)
`

// shutdownTimeout bounds how long requests in flight may take to finish after
// SIGTERM; Docker's default stop grace period is 10 s.
const shutdownTimeout = 8 * time.Second

// serve opens the database and serves HTTP until ctx is cancelled. When ready is not
// nil it receives the listening address once the server accepts connections.
func serve(ctx context.Context, cfg config, logger *slog.Logger, ready chan<- string) error {
	if err := os.MkdirAll(filepath.Dir(cfg.DBPath), 0o750); err != nil {
		return fmt.Errorf("create database folder: %w", err)
	}
	store, err := db.Open(ctx, cfg.DBPath, schema)
	if err != nil {
		return err
	}
	if cfg.UnderLitestream {
		store.CheckpointPassivelyOnClose()
	}
	defer func() {
		// Close checkpoints the WAL into the database file, so that the file alone
		// is the whole database (and a copy of it is a backup). Under Litestream
		// the WAL may stay: Litestream checkpoints it and has shipped it.
		if err := store.Close(); err != nil {
			logger.Error("close database", "err", err)
			return
		}
		logger.Info("database closed", "db", cfg.DBPath)
	}()

	hcfg, registry := handlerConfig(cfg, store, logger)
	app, err := handlers.New(hcfg)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 2)
	var metrics *http.Server
	if registry != nil {
		if metrics, err = serveMetrics(cfg.MetricsAddr, registry, logger, errc); err != nil {
			ln.Close()
			return err
		}
	}
	logger.Info("listening", "addr", ln.Addr().String(), "db", cfg.DBPath)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()

	select {
	case err = <-served:
	case err = <-errc:
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	// Stop accepting, let requests in flight finish (bounded), then close the
	// database (deferred above).
	if err := app.ShutdownWithTimeout(shutdownTimeout); err != nil {
		logger.Error("shutdown: requests still running were cut off", "err", err)
	}
	if metrics != nil {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		metrics.Shutdown(sctx)
		cancel()
	}
	return err
}

// handlerConfig is the site's configuration for handlers.New, with the metrics
// registry when metrics are asked for (nil otherwise).
func handlerConfig(cfg config, store *db.DB, logger *slog.Logger) (handlers.Config, *prometheus.Registry) {
	views, _ := fs.Sub(viewsFS, "views")
	public, _ := fs.Sub(publicFS, "public")
	hcfg := handlers.Config{
		DB:                store,
		Views:             views,
		Public:            public,
		Logger:            logger,
		BaseURL:           cfg.BaseURL,
		SecureCookies:     cfg.SecureCookies,
		ContactEmail:      cfg.ContactEmail,
		PrivacyController: cfg.PrivacyController,
		PrivacyDPOEmail:   cfg.PrivacyDPOEmail,
		PageCacheBytes:    cfg.PageCacheMB << 20, // 0: off

		TrustedProxies:     cfg.TrustedProxies,
		SharedCacheSeconds: cfg.SharedCacheSeconds,
	}
	// Metrics only when asked for, and on their own address: never on the site.
	var registry *prometheus.Registry
	if cfg.MetricsAddr != "" {
		registry = prometheus.NewRegistry()
		registry.MustRegister(
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
		hcfg.Metrics = registry
	}
	return hcfg, registry
}

// serveMetrics serves /metrics on addr, apart from the site; a failure while
// serving goes to errc.
func serveMetrics(addr string, registry *prometheus.Registry, logger *slog.Logger, errc chan<- error) (*http.Server, error) {
	mln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError)}))
	metrics := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	logger.Info("metrics listening", "addr", mln.Addr().String())
	go func() {
		if err := metrics.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics: %w", err)
		}
	}()
	return metrics, nil
}

// healthcheck asks the running site for /healthz: the container's HEALTHCHECK, which
// needs no curl. A wildcard listen address is reached through the loopback address.
func healthcheck(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("healthcheck: ADDR=%q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, res.Status)
	}
	return nil
}

// backup writes a consistent copy of the live database at cfg.DBPath to file while
// the site may keep running. It never creates a database: a wrong DB_PATH is an error.
func backup(ctx context.Context, cfg config, file string, stdout io.Writer) error {
	store, err := openExisting(ctx, cfg, "backup")
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	if err := store.Backup(ctx, file); err != nil {
		return err
	}
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	slog.InfoContext(ctx, "backup written", "file", file, "bytes", fi.Size(), "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// openExisting opens the database at DB_PATH for the command cmd (backup, check),
// which must never create one: a missing file is an error.
func openExisting(ctx context.Context, cfg config, cmd string) (*db.DB, error) {
	if _, err := os.Stat(cfg.DBPath); err != nil {
		return nil, fmt.Errorf("%s: no database at DB_PATH: %w", cmd, err)
	}
	return db.Open(ctx, cfg.DBPath, schema)
}

// check runs the database's own checks on the file at DB_PATH and exits non-zero
// on a problem. It opens the file as serve does (so an older file is migrated
// first), which is why it is a command of the binary and not a sqlite3 one-liner:
// the search index uses FTS5 options (contentless_delete) that older sqlite3
// programs, Debian 12's among them, cannot read.
func check(ctx context.Context, cfg config, stdout io.Writer) error {
	store, err := openExisting(ctx, cfg, "check")
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.CheckIntegrity(ctx); err != nil {
		return err
	}
	if err := store.CheckSearchIndex(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok (integrity_check, search index)\n", cfg.DBPath)
	return nil
}

// syntheticCases fills a database with fictitious cases for benchmarks and load
// tests. Never run it on a real site's database.
func syntheticCases(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: opnieuwthuis synthetic-cases N")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 || n > 1_000_000 {
		return fmt.Errorf("synthetic-cases: %q is not a number from 1 to 1000000", args[0])
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DBPath), 0o750); err != nil {
		return err
	}
	store, err := db.Open(ctx, cfg.DBPath, schema)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.AddSyntheticCases(ctx, n, 1); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %d synthetic cases to %s\n", n, cfg.DBPath)
	return nil
}
