package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
)

// caseIndex is an in-memory snapshot of what the library filters on: for every
// published case its gemeenten, provinces, kind, year, stage, target groups and
// themes, in the orders the library sorts by. Counting facets over it is a tight
// loop over small structs, so a search with facets stays in the low milliseconds
// even at 100,000 cases, where seven GROUP BY queries would each scan the table. It
// is rebuilt after every write to cases (casesChanged); the full-text part of a
// search stays in FTS5.
type caseIndex struct {
	entries   []indexEntry // newest first
	byYear    []int32      // positions in entries: year descending, then newest
	pos       []int32      // by case id: position in entries, or -1
	provinces []Province   // 1-based in indexEntry.provinces' bits
	gemeenten []Gemeente   // 1-based in indexEntry.gemeente and more
	themes    []Theme      // bit i of indexEntry.themes is themes[i]
	provIdx   map[string]int
	gemIdx    map[string]int
	themeBit  map[string]int
	// more holds the related gemeenten of the cases that have any, as runs of
	// gemeente numbers each ended by 0; indexEntry.more points into it. A patched
	// snapshot (with) appends to a copy, so older snapshots keep theirs.
	more []uint16
	// byChecked (positions: source check newest first, unknown last, then newest)
	// is made on first use: few visitors sort on it.
	checkedOnce sync.Once
	byChecked   []int32
	cache       matchCache // FTS5 results on this snapshot, per word of a search
	orders      matchCache // the order of recent searches (kept apart: each search adds one)
	buckets     matchCache // the order of recent searches with more than rankLimit results
	cases       caseCache  // cases shown from this snapshot (library.go)
}

type indexEntry struct {
	id        int64
	themes    uint64
	published uint32 // unix seconds of an editor's publication (0 for the starting content): with year and id, the "newest" order
	checked   uint32 // source_checked as yyyymmdd (dd 00 when only the month is known); 0 unknown
	more      uint32 // 0: no related gemeenten; else 1 + where its run starts in caseIndex.more
	gemeente  uint16 // 0: none (regional or national case)
	year      uint16 // 0: unknown
	provinces uint16 // bit i: provinces[i-1]; the gemeente's, the related gemeenten's, or the case's own
	province  uint8  // the one province when more is 0 (1-based; 0 none): the facet pass's fast path
	kind      uint8  // index in Kinds
	stage     uint8  // index in Stages
	groups    uint8  // bit i: TargetGroups[i]
}

// caseIndex returns the current snapshot, building it when there is none.
func (d *DB) caseIndex(ctx context.Context) (*caseIndex, error) {
	if ix := d.index.Load(); ix != nil {
		return ix, nil
	}
	d.indexMu.Lock()
	defer d.indexMu.Unlock()
	if ix := d.index.Load(); ix != nil {
		return ix, nil
	}
	ix, err := loadIndex(ctx, d.r)
	if err != nil {
		return nil, err
	}
	d.index.Store(ix)
	return ix, nil
}

// casesChanged rebuilds the snapshot after a committed write, so that the writer's
// next request (and everyone else's) already sees the change. Rebuilds are
// serialised: the last one always starts after the last commit.
func (d *DB) casesChanged(ctx context.Context) {
	d.lexStale.Store(true)
	d.indexMu.Lock()
	defer d.indexMu.Unlock()
	defer d.indexReplaced()
	ix, err := loadIndex(context.WithoutCancel(ctx), d.r)
	if err != nil {
		// Drop the stale snapshot; the next search builds a fresh one.
		d.index.Store(nil)
		slog.ErrorContext(ctx, "rebuild case index", "err", err)
		return
	}
	d.index.Store(ix)
}

// indexReplaced moves the content generation on once more after a write's new
// snapshot is in place. write moved it at the commit, but a search between the
// commit and the new snapshot still used the old one: a page made then and cached
// under the new generation missed the write (a case just published was absent from
// the library until the next write; TestGenerationMovesOnlyOnceTheLibraryShowsTheWrite).
// Pages made from the old snapshot are now under a generation that has passed.
func (d *DB) indexReplaced() { d.gen.Add(1) }

func loadIndex(ctx context.Context, r *sql.DB) (*caseIndex, error) {
	tx, err := r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("load case index: %w", err)
	}
	defer tx.Rollback()
	ix := &caseIndex{
		provIdx:  map[string]int{},
		gemIdx:   map[string]int{},
		themeBit: map[string]int{},
	}
	if err := ix.loadPlaces(ctx, tx); err != nil {
		return nil, fmt.Errorf("load case index: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+indexColumns+` WHERE c.status = 'gepubliceerd'
		ORDER BY 2 DESC, c.year DESC NULLS LAST, c.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("load case index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, _, err := ix.scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("load case index: %w", err)
		}
		ix.entries = append(ix.entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load case index: %w", err)
	}
	ix.finish()
	return ix, nil
}

// indexColumns are what scanEntry reads of a case. The "newest" key of a case of
// the starting content is 0: its publication date is the install's, and the cases
// editors publish later are newer than all of it.
const indexColumns = `c.id, CASE WHEN s.case_id IS NULL THEN coalesce(unixepoch(c.published_at), 0) ELSE 0 END,
	coalesce(c.gemeente_code, ''), c.kind, coalesce(c.year, 0),
	coalesce((SELECT group_concat(theme_slug) FROM case_themes WHERE case_id = c.id), ''),
	c.status, coalesce((SELECT group_concat(gemeente_code, ' ') FROM case_gemeenten WHERE case_id = c.id), ''),
	coalesce(c.province_code, ''), c.stage, c.target_groups, c.source_checked
	FROM cases c LEFT JOIN seeded_cases s ON s.case_id = c.id`

// scanEntry reads one row of indexColumns. Related gemeenten are appended to
// ix.more, which the caller owns.
func (ix *caseIndex) scanEntry(s rowScanner) (indexEntry, string, error) {
	var (
		e                         indexEntry
		gemeente, kind, status    string
		year                      int
		published                 int64
		themes, related, province string
		stage, groups, checked    string
	)
	if err := s.Scan(&e.id, &published, &gemeente, &kind, &year, &themes, &status, &related,
		&province, &stage, &groups, &checked); err != nil {
		return e, "", err
	}
	e.published = uint32(max(0, published))
	if g := ix.gemIdx[gemeente]; g > 0 {
		e.gemeente = uint16(g)
		e.province = uint8(ix.provIdx[ix.gemeenten[g-1].ProvinceCode])
	} else {
		e.province = uint8(ix.provIdx[province])
	}
	if e.province > 0 {
		e.provinces |= 1 << e.province
	}
	if related != "" {
		start := len(ix.more)
		for _, code := range strings.Fields(related) {
			if g := ix.gemIdx[code]; g > 0 && uint16(g) != e.gemeente {
				ix.more = append(ix.more, uint16(g))
				e.provinces |= 1 << ix.provIdx[ix.gemeenten[g-1].ProvinceCode]
			}
		}
		if len(ix.more) > start {
			ix.more = append(ix.more, 0)
			e.more = uint32(start) + 1
		}
	}
	for i, k := range Kinds {
		if k == kind {
			e.kind = uint8(i)
		}
	}
	e.stage = uint8(slices.Index(Stages, StageUnknown))
	if i := slices.Index(Stages, stage); i >= 0 {
		e.stage = uint8(i)
	}
	for _, g := range strings.Fields(groups) {
		if i := slices.Index(TargetGroups, g); i >= 0 {
			e.groups |= 1 << i
		}
	}
	e.checked = checkedKey(checked)
	e.year = uint16(year)
	for _, t := range strings.Split(themes, ",") {
		if b, ok := ix.themeBit[t]; ok {
			e.themes |= 1 << b
		}
	}
	return e, status, nil
}

// checkedKey turns "2026-12" or "2026-12-05" into 20261200 or 20261205 (0 for
// anything else), so that a later check sorts first.
func checkedKey(s string) uint32 {
	if len(s) != 7 && len(s) != 10 {
		return 0
	}
	var key uint32
	for i := 0; i < len(s); i++ {
		switch {
		case (i == 4 || i == 7) && s[i] == '-':
		case s[i] >= '0' && s[i] <= '9' && i != 4 && i != 7:
			key = key*10 + uint32(s[i]-'0')
		default:
			return 0
		}
	}
	if len(s) == 7 {
		key *= 100
	}
	return key
}

// related calls fn for every related gemeente of e.
func (ix *caseIndex) related(e *indexEntry, fn func(g uint16)) {
	if e.more == 0 {
		return
	}
	for _, g := range ix.more[e.more-1:] {
		if g == 0 {
			return
		}
		fn(g)
	}
}

// newer reports whether a comes before b in the library's "newest" order, the
// ORDER BY of loadIndex: an editor's publication (the starting content has none),
// then year (unknown last), then id, all descending.
func newer(a, b *indexEntry) bool {
	if a.published != b.published {
		return a.published > b.published
	}
	if a.year != b.year {
		return a.year > b.year // 0 (unknown) sorts last
	}
	return a.id > b.id
}

// caseChanged brings the snapshot up to date after a committed write to one case:
// instead of reloading every published case (most of a second at 100,000 cases),
// it reads that one case and builds the new snapshot from the current one.
// Without a snapshot there is nothing to patch: the next search loads one.
func (d *DB) caseChanged(ctx context.Context, id int64) {
	d.lexStale.Store(true)
	d.indexMu.Lock()
	defer d.indexMu.Unlock()
	defer d.indexReplaced()
	old := d.index.Load()
	if old == nil {
		return
	}
	// The entry's related gemeenten go to a copy of old.more (the full slice
	// expression makes append copy), so readers of the old snapshot keep theirs.
	scratch := caseIndex{gemeenten: old.gemeenten, provIdx: old.provIdx, gemIdx: old.gemIdx,
		themeBit: old.themeBit, more: old.more[:len(old.more):len(old.more)]}
	e, status, err := scratch.scanEntry(d.r.QueryRowContext(context.WithoutCancel(ctx), "SELECT "+indexColumns+" WHERE c.id = ?", id))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		d.index.Store(nil)
		slog.ErrorContext(ctx, "update case index", "id", id, "err", err)
		return
	}
	d.index.Store(old.with(id, e, scratch.more, err == nil && status == StatusPublished))
}

// with returns a new snapshot in which case id is e (when published) or absent;
// more is the related gemeenten e may point into. Places and themes are shared:
// they do not change with a case. The match cache is not: it starts empty, like
// that of any new snapshot.
func (ix *caseIndex) with(id int64, e indexEntry, more []uint16, published bool) *caseIndex {
	next := caseIndex{
		provinces: ix.provinces, gemeenten: ix.gemeenten, themes: ix.themes,
		provIdx: ix.provIdx, gemIdx: ix.gemIdx, themeBit: ix.themeBit, more: more,
	}
	next.entries = make([]indexEntry, 0, len(ix.entries)+1)
	for i := range ix.entries {
		if ix.entries[i].id != id {
			next.entries = append(next.entries, ix.entries[i])
		}
	}
	if published {
		at := sort.Search(len(next.entries), func(i int) bool { return !newer(&next.entries[i], &e) })
		next.entries = append(next.entries, indexEntry{})
		copy(next.entries[at+1:], next.entries[at:])
		next.entries[at] = e
	}
	next.finish()
	return &next
}

// finish derives the lookups from entries: position by id, and the year order;
// and sizes the caches of the snapshot.
func (ix *caseIndex) finish() {
	ix.orders.maxBytes, ix.buckets.maxBytes = 2<<20, 2<<20
	ix.cases.maxBytes = caseCacheBytes
	if len(ix.entries) > wholeLibrary {
		ix.cases.maxBytes = smallCaseCacheBytes
	}
	var maxID int64
	for _, e := range ix.entries {
		maxID = max(maxID, e.id)
	}
	ix.pos = make([]int32, maxID+1)
	for i := range ix.pos {
		ix.pos[i] = -1
	}
	for p, e := range ix.entries {
		ix.pos[e.id] = int32(p)
	}
	ix.byYear = make([]int32, len(ix.entries))
	for i := range ix.byYear {
		ix.byYear[i] = int32(i)
	}
	sort.SliceStable(ix.byYear, func(a, b int) bool {
		return ix.entries[ix.byYear[a]].year > ix.entries[ix.byYear[b]].year
	})
}

// checkedOrder returns the positions in the order of the last source check
// (latest first, unknown last, then newest), made once per snapshot.
func (ix *caseIndex) checkedOrder() []int32 {
	ix.checkedOnce.Do(func() {
		ix.byChecked = make([]int32, len(ix.entries))
		for i := range ix.byChecked {
			ix.byChecked[i] = int32(i)
		}
		sort.SliceStable(ix.byChecked, func(a, b int) bool {
			return ix.entries[ix.byChecked[a]].checked > ix.entries[ix.byChecked[b]].checked
		})
	})
	return ix.byChecked
}

func (ix *caseIndex) loadPlaces(ctx context.Context, tx *sql.Tx) error {
	var err error
	if ix.provinces, err = queryAll(ctx, tx, "index provinces", scanProvince, "SELECT code, name FROM provinces ORDER BY name"); err != nil {
		return err
	}
	for i, p := range ix.provinces {
		ix.provIdx[p.Code] = i + 1
	}
	if len(ix.provinces) > 15 {
		return fmt.Errorf("%d provinces: indexEntry.provinces holds 15", len(ix.provinces))
	}
	if ix.gemeenten, err = queryAll(ctx, tx, "index gemeenten", scanGemeente, "SELECT "+gemeenteColumns+" ORDER BY g.name"); err != nil {
		return err
	}
	for i, g := range ix.gemeenten {
		ix.gemIdx[g.Code] = i + 1
	}
	rows, err := tx.QueryContext(ctx, "SELECT slug, label, intro, when_text FROM themes ORDER BY position LIMIT 64")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t Theme
		if err := rows.Scan(&t.Slug, &t.Label, &t.Intro, &t.WhenText); err != nil {
			return err
		}
		ix.themeBit[t.Slug] = len(ix.themes)
		ix.themes = append(ix.themes, t)
	}
	return rows.Err()
}

// position returns where the published case with this id sits in entries.
func (ix *caseIndex) position(id int64) (int32, bool) {
	if id < 0 || id >= int64(len(ix.pos)) || ix.pos[id] < 0 {
		return 0, false
	}
	return ix.pos[id], true
}

// matchCache keeps the results of the most recent FTS5 expressions of one
// snapshot: per word of a search its match sets (all, head, exact, stem) and bm25
// scores, and the orders of recent searches. It holds at most maxBytes (a bitset
// of 100,000 cases is 12.5 KB, the scores of a word up to 64 KB) and at most
// matchCacheSize entries, dropping the oldest first.
type matchCache struct {
	mu       sync.Mutex
	items    map[string]*matches
	order    []string // oldest first
	bytes    int
	maxBytes int // 0: defaultCacheBytes
}

const (
	matchCacheSize    = 1024
	defaultCacheBytes = 8 << 20
)

func (c *matchCache) get(match string) (*matches, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.items[match]
	return m, ok
}

func (c *matchCache) put(match string, m *matches) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[string]*matches{}
	}
	if _, ok := c.items[match]; ok {
		return
	}
	limit := c.maxBytes
	if limit == 0 {
		limit = defaultCacheBytes
	}
	size := m.size() + len(match)
	for len(c.order) > 0 && (len(c.order) >= matchCacheSize || c.bytes+size > limit) {
		old := c.order[0]
		c.bytes -= c.items[old].size() + len(old)
		delete(c.items, old)
		c.order = c.order[1:]
	}
	c.items[match] = m
	c.order = append(c.order, match)
	c.bytes += size
}

func (c *matchCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items, c.order, c.bytes = nil, nil, 0
}
