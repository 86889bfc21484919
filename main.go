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
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

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
	DBPath        string
	BaseURL       string
	SecureCookies bool
	ContactEmail  string
	LogLevel      slog.Level
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:    envOr(getenv, "ADDR", "127.0.0.1:8080"),
		DBPath:  envOr(getenv, "DB_PATH", filepath.Join("data", "opnieuwthuis.db")),
		BaseURL: envOr(getenv, "BASE_URL", ""),
		// Shown on /over, /toegankelijkheid and /privacy as the address for questions.
		ContactEmail: getenv("CONTACT_EMAIL"),
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
		return serve(ctx, cfg, logger, nil)
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
  user add --email ADDRESS --role beheerder|redacteur [--name NAME]
                        add an editor account; the password is asked for (without
                        echo on a terminal) or read from the first line of stdin
  synthetic-cases N     add N fictitious published cases, for load tests only
  help                  show this text

environment: ADDR, DB_PATH, BASE_URL, SECURE_COOKIES, CONTACT_EMAIL, LOG_LEVEL (see README.md)
`

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
	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("close database", "err", err)
		}
	}()

	views, _ := fs.Sub(viewsFS, "views")
	public, _ := fs.Sub(publicFS, "public")
	app, err := handlers.New(handlers.Config{
		DB:            store,
		Views:         views,
		Public:        public,
		Logger:        logger,
		BaseURL:       cfg.BaseURL,
		SecureCookies: cfg.SecureCookies,
		ContactEmail:  cfg.ContactEmail,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	logger.Info("listening", "addr", ln.Addr().String(), "db", cfg.DBPath)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	// Stop accepting, let requests in flight finish (bounded), then close the
	// database (deferred above), which checkpoints the WAL.
	if err := app.ShutdownWithTimeout(10 * time.Second); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		logger.Error("shutdown", "err", err)
	}
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
