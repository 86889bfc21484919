package testkit

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// NeedRoot skips the test, saying why, unless it runs as root (CI does).
func NeedRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("needs root to %s (CI runs as root)", why)
	}
}

// MountTmpfs mounts a tmpfs of the given size ("24m") for one test and returns
// its folder.
func MountTmpfs(t testing.TB, size string) string {
	t.Helper()
	NeedRoot(t, "mount a small file system")
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// FillDisk writes to a new file in dir until its file system is full, down to
// the last few bytes; it returns the file.
func FillDisk(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64*1024)
	for n := len(chunk); n >= 512; n /= 2 {
		for {
			if _, err := f.Write(chunk[:n]); err != nil {
				break
			}
		}
	}
	return path
}

// ReadOnlyFile makes path read-only at the file-system level (a read-only bind
// mount of the file onto itself) until the returned function or the end of the
// test.
func ReadOnlyFile(t testing.TB, path string) (writable func()) {
	t.Helper()
	NeedRoot(t, "bind-mount a file read-only")
	for _, args := range [][]string{{"--bind", path, path}, {"-o", "remount,bind,ro", path}} {
		if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
			t.Fatalf("mount %v: %v: %s", args, err, out)
		}
	}
	var once sync.Once
	writable = func() {
		once.Do(func() {
			if out, err := exec.Command("umount", path).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v: %s", path, err, out)
			}
		})
	}
	t.Cleanup(writable)
	return writable
}

// CountRows counts the rows of table in the SQLite file at path, through a
// read-only connection of its own. The caller links a driver registered as
// "sqlite3" (mattn/go-sqlite3).
func CountRows(t testing.TB, path, table string) int {
	t.Helper()
	c, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
