package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// built holds, per key, the bytes of a file built once per test binary.
var built sync.Map // key → *builtFile

type builtFile struct {
	once sync.Once
	data []byte
	err  error
}

// CopyOfBuilt writes to path a copy of the file that build made the first time a
// test of this binary asked for key. Tests that each need a new database built
// the same way (the schema, the seed, the search index) copy it instead of
// building it again. build gets a path in a folder of its own and must leave the
// file there complete and closed (for SQLite: the write-ahead log checkpointed).
func CopyOfBuilt(t testing.TB, key, path string, build func(path string) error) {
	t.Helper()
	v, _ := built.LoadOrStore(key, &builtFile{})
	f := v.(*builtFile)
	f.once.Do(func() {
		dir, err := os.MkdirTemp("", "testkit-built")
		if err != nil {
			f.err = err
			return
		}
		defer os.RemoveAll(dir)
		p := filepath.Join(dir, "built")
		if err := build(p); err != nil {
			f.err = fmt.Errorf("build %s: %w", key, err)
			return
		}
		f.data, f.err = os.ReadFile(p)
	})
	if f.err != nil {
		t.Fatal(f.err)
	}
	if err := os.WriteFile(path, f.data, 0o600); err != nil {
		t.Fatal(err)
	}
}
