package main

// Operations tests: the program's subcommands, shutdown, backup and restore, and
// metrics, on real database files. The helpers here (startServer, startProcess)
// serve the browser, load and fault tests too: an in-process server that can be
// stopped and started again on the same file, and the real binary as a separate
// process that can be sent SIGTERM or SIGKILL.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"opnieuwthuis/db"
	"opnieuwthuis/internal/testkit"
)

// server is the real program's serve running in this process.
type server struct {
	URL    string
	DBPath string
	Log    *testkit.SyncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// testEnv is the environment of a test server: a free port on 127.0.0.1, a fixed
// BASE_URL (so that two servers render the same pages), and DB_PATH in dir, with
// env's values taking precedence.
func testEnv(dir string, env map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "ADDR":
			return "127.0.0.1:0"
		case "DB_PATH":
			return filepath.Join(dir, "site.db")
		case "BASE_URL":
			return "https://opnieuwthuis.example"
		}
		return ""
	}
}

// startServer runs serve with the given environment overrides until Stop or the
// end of the test.
func startServer(t testing.TB, env map[string]string) *server {
	t.Helper()
	dir := t.TempDir()
	if _, ok := env["DB_PATH"]; !ok {
		// A new database: a copy of one built once (schema, seed, search index).
		testkit.CopyOfBuilt(t, "new database", filepath.Join(dir, "site.db"), func(path string) error {
			store, err := db.Open(context.Background(), path, schema)
			if err != nil {
				return err
			}
			return store.Close()
		})
	}
	cfg, err := loadConfig(testEnv(dir, env))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{DBPath: cfg.DBPath, Log: &testkit.SyncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() { s.done <- serve(ctx, cfg, slog.New(slog.NewJSONHandler(s.Log, nil)), ready) }()
	select {
	case addr := <-ready:
		s.URL = "http://" + addr
	case err := <-s.done:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start within 30 s")
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s
}

// Stop shuts the server down as SIGTERM would and waits until serve returns.
func (s *server) Stop() error {
	s.once.Do(func() {
		s.cancel()
		s.err = <-s.done
	})
	return s.err
}

// httpGet fetches url and returns status and body; it fails the test on a
// transport error.
func httpGet(t testing.TB, url string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 20 * time.Second}
	res, err := client.Get(url)
	body := testkit.Body(t, res, err)
	return res.StatusCode, body
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary that programBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// programBinary builds the program once per test run (with the build cache this
// is a link, a few seconds).
func programBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "opnieuwthuis-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "opnieuwthuis")
		out, err := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is the real binary serving in a process of its own.
type process struct {
	URL    string
	DBPath string
	cmd    *exec.Cmd
	Log    *testkit.SyncBuffer
	exited chan struct{}
}

// startProcess starts the binary with `serve` on a free port and waits until it
// listens. The process is killed at the end of the test if still running.
func startProcess(t testing.TB, dbPath string, env ...string) *process {
	t.Helper()
	cmd := exec.Command(programBinary(t), "serve")
	cmd.Env = append(os.Environ(), "ADDR=127.0.0.1:0", "DB_PATH="+dbPath, "BASE_URL=https://opnieuwthuis.example")
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{DBPath: dbPath, cmd: cmd, Log: &testkit.SyncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.Log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			p.Log.Write(append(line, '\n'))
			var l struct{ Msg, Addr string }
			if json.Unmarshal(line, &l) == nil && l.Msg == "listening" {
				addr <- l.Addr
			}
		}
	}()
	go func() { cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
	})
	select {
	case a := <-addr:
		p.URL = "http://" + a
	case <-p.exited:
		t.Fatalf("process exited before listening:\n%s", p.Log)
	case <-time.After(30 * time.Second):
		t.Fatalf("process did not listen within 30 s:\n%s", p.Log)
	}
	return p
}

// Signal sends sig to the process.
func (p *process) Signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// Wait waits for the process to exit and returns its exit code.
func (p *process) Wait(t testing.TB, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		t.Fatalf("process still running after %v:\n%s", limit, p.Log)
		return -1
	}
}

func TestHealthcheckSubcommand(t *testing.T) {
	s := startServer(t, nil)
	addr := strings.TrimPrefix(s.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)
	ctx := context.Background()
	for _, a := range []string{addr, "0.0.0.0:" + port, ":" + port} {
		if err := run(ctx, []string{"healthcheck"}, testEnv(t.TempDir(), map[string]string{"ADDR": a}), nil, io.Discard); err != nil {
			t.Errorf("healthcheck with ADDR=%s: %v", a, err)
		}
	}
	s.Stop()
	err := run(ctx, []string{"healthcheck"}, testEnv(t.TempDir(), map[string]string{"ADDR": addr}), nil, io.Discard)
	if err == nil {
		t.Fatal("healthcheck succeeds with the site stopped")
	}
}

func TestGracefulShutdownFinishesRequestsAndCheckpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary: skipped under -short")
	}
	dbPath := filepath.Join(t.TempDir(), "site.db")
	p := startProcess(t, dbPath)
	addr := strings.TrimPrefix(p.URL, "http://")

	// A request in flight: headers sent, half of the body still to come.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "GET /voorbeelden?q=startblok HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
	time.Sleep(200 * time.Millisecond) // let the server start reading it

	p.Signal(t, syscall.SIGTERM)
	// The server stops accepting new connections…
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-p.exited:
		t.Fatalf("the server exited with a request in flight:\n%s", p.Log)
	default:
	}
	// …and the request in flight still gets its whole answer.
	io.WriteString(conn, "67890")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("request in flight: %v", err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("request in flight: body cut off: %v", err)
	}
	if res.StatusCode != 200 || !strings.Contains(string(body), `class="case-card"`) || !strings.HasSuffix(strings.TrimSpace(string(body)), "</html>") {
		t.Fatalf("request in flight: status %d, %d bytes", res.StatusCode, len(body))
	}
	conn.Close()

	if code := p.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, p.Log)
	}
	if fi, err := os.Stat(dbPath + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("the WAL holds %d bytes after shutdown: not checkpointed", fi.Size())
	}
	if !strings.Contains(p.Log.String(), `"msg":"database closed"`) {
		t.Errorf("no log line for the database closing:\n%s", p.Log)
	}
}

// addCases writes n published cases to the database file at path (creating it).
func addCases(t *testing.T, path, prefix string, n int) {
	t.Helper()
	d, err := db.Open(context.Background(), path, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	year := 2025
	for i := range n {
		_, err := d.CreateCase(context.Background(), db.CaseInput{
			Slug: fmt.Sprintf("%s-%d", prefix, i), Title: fmt.Sprintf("Hersteltoets %s %d", prefix, i),
			Summary: "Een voorbeeld om de back-up mee te controleren.", Body: "Woningen voor **statushouders**.",
			GemeenteCode: "GM0363", Themes: []string{"gemengd-wonen"}, Kind: db.KindSolution, Year: &year,
			Status: db.StatusPublished,
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestBackupWhileServingAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "site.db")
	addCases(t, live, "voor-backup", 3)
	env := map[string]string{"DB_PATH": live}
	s := startServer(t, env)

	pages := []string{"/", "/voorbeelden?sort=nieuwste", "/voorbeelden?q=hersteltoets", "/voorbeelden?thema=gemengd-wonen&provincie=PV27",
		"/voorbeelden/voor-backup-1", "/voorbeelden/startblok-riekerhaven"}
	before := map[string]string{}
	for _, p := range pages {
		status, body := httpGet(t, s.URL+p)
		if status != 200 {
			t.Fatalf("%s: status %d", p, status)
		}
		before[p] = body
	}

	// Back up while visitors search.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 20 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := client.Get(s.URL + "/voorbeelden?q=wonen")
				if err != nil {
					t.Errorf("search during backup: %v", err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					t.Errorf("search during backup: status %d", res.StatusCode)
				}
			}
		}()
	}
	copyPath := filepath.Join(dir, "backups", "site-copy.db")
	os.MkdirAll(filepath.Dir(copyPath), 0o700)
	backupEnv := testEnv(dir, env)
	err := run(ctx, []string{"backup", copyPath}, backupEnv, nil, io.Discard)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"backup", copyPath}, backupEnv, nil, io.Discard); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second backup to the same file: err = %v, want a refusal", err)
	}
	missing := filepath.Join(dir, "nergens.db")
	if err := run(ctx, []string{"backup", filepath.Join(dir, "x.db")}, testEnv(dir, map[string]string{"DB_PATH": missing}), nil, io.Discard); err == nil {
		t.Fatal("backup of a database that does not exist succeeded")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("backup created the database it should have copied")
	}

	// A change after the backup, which the restore must undo.
	s.Stop()
	addCases(t, live, "na-backup", 1)

	// Restore as README.md says: stop, replace the file, remove -wal and -shm, start.
	b, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(live, b, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(live + "-wal")
	os.Remove(live + "-shm")
	r := startServer(t, env)
	for _, p := range pages {
		status, body := httpGet(t, r.URL+p)
		if status != 200 || body != before[p] {
			t.Errorf("%s after restore: status %d, page differs from before the backup", p, status)
		}
	}
	if status, _ := httpGet(t, r.URL+"/voorbeelden/na-backup-0"); status != 404 {
		t.Errorf("the case written after the backup is still there (status %d)", status)
	}
}

func TestMetricsOnTheirOwnAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	s := startServer(t, map[string]string{"METRICS_ADDR": metricsAddr})
	httpGet(t, s.URL+"/voorbeelden?q=wonen")
	httpGet(t, s.URL+"/voorbeelden/startblok-riekerhaven")

	status, body := httpGet(t, "http://"+metricsAddr+"/metrics")
	if status != 200 {
		t.Fatalf("metrics: status %d", status)
	}
	for _, want := range []string{
		`opnieuwthuis_http_request_duration_seconds_count{method="GET",route="/voorbeelden",status="2xx"} 1`,
		`opnieuwthuis_http_request_duration_seconds_count{method="GET",route="/voorbeelden/:slug",status="2xx"} 1`,
		`opnieuwthuis_http_request_duration_seconds_bucket{method="GET",route="/voorbeelden",status="2xx",le="+Inf"} 1`,
		"opnieuwthuis_database_size_bytes ", "opnieuwthuis_database_wal_size_bytes ",
		"opnieuwthuis_http_requests_in_flight ", "go_goroutines ", "go_memstats_heap_alloc_bytes ",
		"process_resident_memory_bytes ", "process_open_fds ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Not on the site itself.
	if status, _ := httpGet(t, s.URL+"/metrics"); status != 404 {
		t.Errorf("/metrics on the site: status %d, want 404", status)
	}

	// Without METRICS_ADDR no metrics listener starts.
	quiet := startServer(t, nil)
	if strings.Contains(quiet.Log.String(), "metrics listening") {
		t.Error("metrics served without METRICS_ADDR")
	}
}

func TestBackupUsage(t *testing.T) {
	err := run(context.Background(), []string{"backup"}, testEnv(t.TempDir(), nil), nil, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("backup without a file: %v", err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, testEnv(t.TempDir(), nil), nil, &out); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"healthcheck", "backup FILE", "METRICS_ADDR"} {
		if !strings.Contains(out.String(), cmd) {
			t.Errorf("help does not mention %s", cmd)
		}
	}
}

// TestNumberSettings: the page cache and the proxies' cache time take a whole
// number in their range, their default when unset; anything else stops the start
// with an error naming the setting.
func TestNumberSettings(t *testing.T) {
	cfg, err := loadConfig(testEnv(t.TempDir(), nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PageCacheMB != 48 || cfg.SharedCacheSeconds != 60 {
		t.Errorf("defaults: PageCacheMB %d, SharedCacheSeconds %d; want 48 and 60", cfg.PageCacheMB, cfg.SharedCacheSeconds)
	}
	cfg, err = loadConfig(testEnv(t.TempDir(), map[string]string{"PAGE_CACHE_MB": "0", "SHARED_CACHE_SECONDS": "86400"}))
	if err != nil || cfg.PageCacheMB != 0 || cfg.SharedCacheSeconds != 86400 {
		t.Errorf("PAGE_CACHE_MB=0, SHARED_CACHE_SECONDS=86400: %d, %d, %v", cfg.PageCacheMB, cfg.SharedCacheSeconds, err)
	}
	for _, tc := range []struct{ key, value string }{
		{"PAGE_CACHE_MB", "-1"}, {"PAGE_CACHE_MB", "4097"}, {"PAGE_CACHE_MB", "veel"},
		{"SHARED_CACHE_SECONDS", "0"}, {"SHARED_CACHE_SECONDS", "86401"}, {"SHARED_CACHE_SECONDS", "1m"},
	} {
		if _, err := loadConfig(testEnv(t.TempDir(), map[string]string{tc.key: tc.value})); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s=%q: %v, want an error naming the setting", tc.key, tc.value, err)
		}
	}
}

func TestPrivacySettingsAreReadOnceAndChecked(t *testing.T) {
	env := map[string]string{"PRIVACY_CONTROLLER": "  Stichting Opnieuw Thuis,\n Postbus 1,  Amsterdam ", "PRIVACY_DPO_EMAIL": "fg@opnieuwthuis.example",
		"CONTACT_EMAIL": "redactie@opnieuwthuis.example"}
	cfg, err := loadConfig(testEnv(t.TempDir(), env))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PrivacyController != "Stichting Opnieuw Thuis, Postbus 1, Amsterdam" || cfg.PrivacyDPOEmail != "fg@opnieuwthuis.example" {
		t.Errorf("config %+v", cfg)
	}
	for key, value := range map[string]string{"PRIVACY_DPO_EMAIL": "geen adres", "CONTACT_EMAIL": "<script>@x.nl", "PRIVACY_CONTROLLER": strings.Repeat("x", 301)} {
		if _, err := loadConfig(testEnv(t.TempDir(), map[string]string{key: value})); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%.20q: %v, want an error naming the setting", key, value, err)
		}
	}
	// The running site shows them.
	s := startServer(t, env)
	if _, body := httpGet(t, s.URL+"/privacy"); !strings.Contains(body, "Stichting Opnieuw Thuis, Postbus 1, Amsterdam") ||
		!strings.Contains(body, "mailto:fg@opnieuwthuis.example") || strings.Contains(body, "Nog niet ingevuld") {
		t.Error("/privacy does not show the configured controller and DPO")
	}
}
