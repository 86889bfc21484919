package db

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGenerationMovesOnlyOnceTheLibraryShowsTheWrite checks the promise the page
// cache relies on: a library result read after Generation returned g shows every
// write that moved the generation to g. A reader spins, keeping the first result
// it read under each generation, as the page cache does, while cases are
// published one by one; the result kept under the generation a publication left
// must hold the new case. The generation used to move when the write committed,
// before the in-memory library index was patched (caseChanged): a search in
// between was kept under the new generation without the new case, and the library
// page missed it until the next write (33 of 40 new cases at 30,000 cases).
func TestGenerationMovesOnlyOnceTheLibraryShowsTheWrite(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	filter := CaseFilter{Gemeenten: []string{"GM0014"}, Sort: SortNewest, PerPage: 100}

	var (
		mu    sync.Mutex
		kept  = map[uint64][]int64{} // generation → ids of the first result read under it
		stop  atomic.Bool
		reads atomic.Int64
		wg    sync.WaitGroup
	)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				g := d.Generation()
				res, err := d.FindCases(ctx, filter)
				if err != nil {
					t.Error(err)
					return
				}
				reads.Add(1)
				var ids []int64
				for _, h := range res.Hits {
					ids = append(ids, h.ID)
				}
				mu.Lock()
				if _, ok := kept[g]; !ok {
					kept[g] = ids
				}
				mu.Unlock()
			}
		}()
	}

	var missed []string
	for i := range 60 {
		in := testCaseInput(1000+i, "Een nieuw voorbeeld.")
		in.GemeenteCode = "GM0014"
		cs := mustCreateCase(t, d, in, nil)
		g := d.Generation()
		// Let the readers read under this generation too.
		for n, deadline := reads.Load(), time.Now().Add(5*time.Second); reads.Load() < n+2 && time.Now().Before(deadline); {
		}
		mu.Lock()
		ids, ok := kept[g]
		mu.Unlock()
		if ok && !slices.Contains(ids, cs.ID) {
			missed = append(missed, fmt.Sprintf("%s (generation %d)", cs.Slug, g))
		}
	}
	stop.Store(true)
	wg.Wait()
	if len(missed) > 0 {
		t.Errorf("%d of 60 new cases missing from the result kept under the generation their save left: %v", len(missed), missed)
	}
}
