package main

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Continuous backup with Litestream (README, "Continuous backup").
//
// With LITESTREAM_REPLICA_URL set, `serve` does not serve itself: it replaces
// itself (exec) with `litestream replicate -exec "<this binary> serve"`, so that
// Litestream is the container's first process, ships every write to the replica,
// passes SIGTERM on to the site and ships what is left once the site has stopped.
// The site, started by Litestream, finds litestreamChild set and serves. This
// keeps the image distroless: no shell, no init system, one entry point.

//go:embed deploy/litestream.yml
var litestreamConfig []byte

const (
	// litestreamChild marks the site started by Litestream.
	litestreamChild = "OPNIEUWTHUIS_UNDER_LITESTREAM"
	// defaultLitestreamBin is where the image has the litestream binary.
	defaultLitestreamBin    = "/usr/local/bin/litestream"
	defaultLitestreamConfig = "/etc/litestream.yml"
	defaultSyncInterval     = "1s"
)

// underLitestream reports whether this process is the site that Litestream started.
func underLitestream(getenv func(string) string) bool { return getenv(litestreamChild) == "1" }

// litestreamCommand is the program, arguments and environment that `serve` runs
// instead of itself, or nil when LITESTREAM_REPLICA_URL is not set or this process
// already runs under Litestream.
func litestreamCommand(cfg config, getenv func(string) string, environ []string) ([]string, []string, error) {
	if getenv("LITESTREAM_REPLICA_URL") == "" || underLitestream(getenv) {
		return nil, nil, nil
	}
	bin := envOr(getenv, "LITESTREAM_BIN", defaultLitestreamBin)
	if p, err := exec.LookPath(bin); err == nil {
		bin = p
	} else {
		return nil, nil, fmt.Errorf("LITESTREAM_REPLICA_URL is set, but there is no litestream program at %s (set LITESTREAM_BIN): %w", bin, err)
	}
	interval := envOr(getenv, "LITESTREAM_SYNC_INTERVAL", defaultSyncInterval)
	if d, err := time.ParseDuration(interval); err != nil || d < 100*time.Millisecond || d > time.Hour {
		return nil, nil, fmt.Errorf("LITESTREAM_SYNC_INTERVAL=%q: use a duration from 100ms to 1h, such as 1s or 10s", interval)
	}
	dbPath, err := filepath.Abs(cfg.DBPath)
	if err != nil {
		return nil, nil, err
	}
	// Litestream opens the database before the site creates it: the folder
	// must exist (its restore makes the file when a replica has one).
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		return nil, nil, fmt.Errorf("create database folder: %w", err)
	}
	conf := envOr(getenv, "LITESTREAM_CONFIG", defaultLitestreamConfig)
	if _, err := os.Stat(conf); errors.Is(err, os.ErrNotExist) && getenv("LITESTREAM_CONFIG") == "" {
		// Outside the image: the copy this binary carries.
		conf = filepath.Join(os.TempDir(), "opnieuwthuis-litestream.yml") // the same for every start: settings come from the environment
		if err := os.WriteFile(conf, litestreamConfig, 0o600); err != nil {
			return nil, nil, fmt.Errorf("write litestream configuration: %w", err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	env := append(environ[:len(environ):len(environ)],
		"DB_PATH="+dbPath,
		"LITESTREAM_SYNC_INTERVAL="+interval,
		litestreamChild+"=1",
	)
	return []string{bin, "replicate", "-config", conf, "-exec", shellQuote(self) + " serve"}, env, nil
}

// shellQuote quotes s for Litestream's -exec, which splits it like a shell.
func shellQuote(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, `'\''`...)
			continue
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}

// execLitestream replaces this process by Litestream running the site. It returns
// only on failure.
func execLitestream(args, env []string) error {
	err := syscall.Exec(args[0], args, env)
	return fmt.Errorf("start litestream: %w", err)
}

// redactURL drops the password of a replica URL (sftp://user:secret@host/…) for
// the log.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unreadable)"
	}
	return u.Redacted()
}
