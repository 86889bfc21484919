package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLitestreamCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := config{DBPath: filepath.Join(dir, "data", "site.db")}
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

	if args, _, err := litestreamCommand(cfg, env(nil), nil); args != nil || err != nil {
		t.Fatalf("without LITESTREAM_REPLICA_URL: %v, %v", args, err)
	}
	child := map[string]string{"LITESTREAM_REPLICA_URL": "file:///replica", litestreamChild: "1"}
	if args, _, err := litestreamCommand(cfg, env(child), nil); args != nil || err != nil {
		t.Fatalf("the site started by Litestream must serve itself: %v, %v", args, err)
	}
	missing := map[string]string{"LITESTREAM_REPLICA_URL": "file:///replica", "LITESTREAM_BIN": filepath.Join(dir, "geen-litestream")}
	if _, _, err := litestreamCommand(cfg, env(missing), nil); err == nil || !strings.Contains(err.Error(), "no litestream program") {
		t.Fatalf("without the program: %v", err)
	}
	bin := filepath.Join(dir, "litestream")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	bad := map[string]string{"LITESTREAM_REPLICA_URL": "file:///replica", "LITESTREAM_BIN": bin, "LITESTREAM_SYNC_INTERVAL": "vaak"}
	if _, _, err := litestreamCommand(cfg, env(bad), nil); err == nil || !strings.Contains(err.Error(), "LITESTREAM_SYNC_INTERVAL") {
		t.Fatalf("a bad interval: %v", err)
	}

	ok := map[string]string{"LITESTREAM_REPLICA_URL": "s3://bak/ot", "LITESTREAM_BIN": bin, "LITESTREAM_CONFIG": filepath.Join(dir, "ls.yml")}
	if err := os.WriteFile(ok["LITESTREAM_CONFIG"], litestreamConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	args, environ, err := litestreamCommand(cfg, env(ok), []string{"PATH=/usr/bin"})
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	want := []string{bin, "replicate", "-config", ok["LITESTREAM_CONFIG"], "-exec", "'" + self + "' serve"}
	if !slices.Equal(args, want) {
		t.Errorf("args = %q, want %q", args, want)
	}
	for _, kv := range []string{"PATH=/usr/bin", "DB_PATH=" + cfg.DBPath, "LITESTREAM_SYNC_INTERVAL=1s", litestreamChild + "=1"} {
		if !slices.Contains(environ, kv) {
			t.Errorf("environment lacks %q: %q", kv, environ)
		}
	}
	if fi, err := os.Stat(filepath.Dir(cfg.DBPath)); err != nil || !fi.IsDir() {
		t.Errorf("the database folder was not made: %v", err)
	}
	// The configuration names what the command sets.
	for _, want := range []string{"${DB_PATH}", "${LITESTREAM_REPLICA_URL}", "sync-interval: ${LITESTREAM_SYNC_INTERVAL}", "restore-if-db-not-exists: true"} {
		if !strings.Contains(string(litestreamConfig), want) {
			t.Errorf("deploy/litestream.yml lacks %q", want)
		}
	}
	if got := shellQuote("/a b/it's"); got != `'/a b/it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
	if got := redactURL("sftp://kees:geheim@backup.example:22/ot"); strings.Contains(got, "geheim") {
		t.Errorf("redactURL = %s", got)
	}
}
