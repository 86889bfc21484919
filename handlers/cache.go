package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"html/template"
	"io/fs"
	"mime"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Compressed bodies, made once. Pages and static files are compressed when they are
// made (or at start) and kept, instead of on every request: for the map page
// (190 KB of SVG) compression was most of the cost of an answer.

// encoding is a body's Content-Encoding; "" is the plain body.
type encoding string

const (
	encBrotli encoding = "br"
	encGzip   encoding = "gzip"
	encPlain  encoding = ""
)

// acceptedEncoding picks what to send: brotli when the client takes it, else gzip,
// else the plain body. A coding the client lists with q=0 ("br;q=0") is refused,
// and "*" stands for every coding it does not name.
func acceptedEncoding(c *fiber.Ctx) encoding {
	q := map[string]float64{}
	for _, part := range strings.Split(c.Get(fiber.HeaderAcceptEncoding), ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		weight := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				w, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || w < 0 {
					w = 0
				}
				weight = w
			}
		}
		q[name] = weight
	}
	takes := func(name string) bool {
		if w, ok := q[name]; ok {
			return w > 0
		}
		w, ok := q["*"]
		return ok && w > 0
	}
	switch {
	case takes(string(encBrotli)):
		return encBrotli
	case takes(string(encGzip)):
		return encGzip
	}
	return encPlain
}

// variants is one body in every encoding, with a strong ETag per encoding.
type variants struct {
	body map[encoding][]byte
	etag map[encoding]string
}

// minCompress is the size below which compressing a body is not worth it.
const minCompress = 512

// brotliLevel trades the one-off cost against size: the 190 KB map page takes about
// 17 ms at level 6 and gives 34 KB (36.6 KB at the default 4; 28.6 KB at 11 takes
// 300 ms, too long for the visitor who happens to make it).
const brotliLevel = 6

func newVariants(plain []byte, compressible bool) variants {
	v := variants{body: map[encoding][]byte{encPlain: plain}, etag: map[encoding]string{}}
	if compressible && len(plain) >= minCompress {
		v.body[encBrotli] = fasthttp.AppendBrotliBytesLevel(nil, plain, brotliLevel)
		v.body[encGzip] = fasthttp.AppendGzipBytesLevel(nil, plain, fasthttp.CompressDefaultCompression)
	}
	for enc, b := range v.body {
		v.etag[enc] = fmt.Sprintf(`"%d-%08x"`, len(b), crc32.ChecksumIEEE(b))
	}
	return v
}

// size is what the variants hold in memory.
func (v variants) size() int {
	n := 0
	for _, b := range v.body {
		n += len(b)
	}
	return n
}

// send answers with the variant the client accepts, or 304 when it has it already.
func (v variants) send(c *fiber.Ctx) {
	enc := acceptedEncoding(c)
	body, ok := v.body[enc]
	if !ok {
		enc, body = encPlain, v.body[encPlain]
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	c.Set(fiber.HeaderETag, v.etag[enc])
	if enc != encPlain {
		c.Set(fiber.HeaderContentEncoding, string(enc))
	}
	if c.Get(fiber.HeaderIfNoneMatch) == v.etag[enc] {
		c.Status(fiber.StatusNotModified)
		c.Response().ResetBody()
		return
	}
	c.Response().SetBodyRaw(body)
}

// staticFile is a file of public/, ready to send.
type staticFile struct {
	contentType string
	variants
}

// loadStatic reads every file of public/ once: it compresses what compresses well
// and gives every file a URL with a short content hash (assets), so it can be
// cached for a year and still change the moment the file does.
func loadStatic(public fs.FS) (files map[string]staticFile, assets map[string]string, err error) {
	files, assets = map[string]staticFile{}, map[string]string{}
	err = fs.WalkDir(public, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(public, name)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		compressible := strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") ||
			strings.Contains(ct, "svg") || strings.Contains(ct, "json")
		files[name] = staticFile{contentType: ct, variants: newVariants(b, compressible)}
		sum := sha256.Sum256(b)
		assets[name] = "/static/" + name + "?v=" + hex.EncodeToString(sum[:4])
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("load static files: %w", err)
	}
	return files, assets, nil
}

// static serves public/ under /static from memory. URLs carry a content hash (see
// loadStatic), so a file asked for with its current hash may be cached for a year.
// Only names that are files of public/ are served: no path can reach anything else.
func (h *Handler) static(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return fiber.ErrMethodNotAllowed
	}
	name := strings.TrimPrefix(c.Path(), "/static/")
	f, ok := h.staticFiles[name]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	if v := c.Query("v"); v != "" && strings.HasSuffix(h.assets[name], "?v="+v) {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	f.send(c)
	return nil
}

// pageCache keeps public pages and fragments as they were sent, compressed, for as
// long as the data they show stays the same (db.Generation). Only routes marked
// with h.cached use it: pages that are the same for every visitor. Forms with
// tokens, editor pages, downloads and feeds are never cached.
type pageCache struct {
	mu         sync.RWMutex
	generation uint64
	entries    map[string]cachedPage
	order      []string // oldest first
	bytes      int
	maxBytes   int // 0: the cache is off
}

type cachedPage struct {
	headers [][2]string // what the handler set: Content-Type, Vary, HX-Push-Url, …
	variants
}

// notKept are response headers that belong to one answer, not to the page
// (lower case: header names are compared without regard to case).
var notKept = map[string]bool{
	"x-request-id": true, "set-cookie": true, "date": true, "server": true,
	"content-length": true, "content-encoding": true, "etag": true, "connection": true,
	"transfer-encoding": true, "x-cache": true,
	// Set per request by setSecurityHeaders: only an answer over HTTPS has it, and
	// a copy made for one must not give it to a plain request.
	"strict-transport-security": true,
}

const (
	maxCachedURI    = 512 // longer addresses (junk queries) are not kept
	maxCachedEntry  = 4 << 20
	pageCacheHeader = "X-Cache"
)

func (p *pageCache) get(generation uint64, key string) (cachedPage, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if generation != p.generation {
		return cachedPage{}, false
	}
	e, ok := p.entries[key]
	return e, ok
}

func (p *pageCache) put(generation uint64, key string, e cachedPage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if generation != p.generation {
		// The data changed: everything kept so far is stale.
		p.generation, p.entries, p.order, p.bytes = generation, map[string]cachedPage{}, nil, 0
	}
	if _, ok := p.entries[key]; ok {
		return
	}
	if e.size() > p.maxBytes {
		return
	}
	for p.bytes+e.size() > p.maxBytes && len(p.order) > 0 {
		p.bytes -= p.entries[p.order[0]].size()
		delete(p.entries, p.order[0])
		p.order = p.order[1:]
	}
	p.entries[key], p.order, p.bytes = e, append(p.order, key), p.bytes+e.size()
}

// Cache-Control. A shared cache in front (the proxy, see deploy/nginx) may keep a
// public page for a short while; nothing that carries a session, a form token or
// editor content may be kept anywhere:
//
//   - pages of h.cached routes, asked without a session cookie, answer
//     h.publicCache: "public, max-age=0, s-maxage=N". Browsers revalidate every
//     time (the ETag makes that a 304), a shared cache keeps the page N seconds
//     (SHARED_CACHE_SECONDS, default 60): N is how long a published change may
//     take to reach every visitor. They also say "Vary: Cookie": visitors have
//     no cookie of this site, so a cache holds one copy for all of them, and a
//     request with an editor's session never gets, nor leaves, that copy;
//   - every answer to a request that carries the session cookie (an editor's, on
//     any page, public ones included, which may one day show editors more) is
//     "private, no-store", and skips the page cache too; static files excepted,
//     which are the same for everyone;
//   - an answer that set no Cache-Control of its own (forms, editor pages,
//     downloads, searches of the map) is "private, no-store" (cachePolicy).
const (
	privateNoStore            = "private, no-store"
	defaultSharedCacheSeconds = 60
)

func publicCacheControl(seconds int) string {
	if seconds <= 0 {
		seconds = defaultSharedCacheSeconds
	}
	return "public, max-age=0, s-maxage=" + strconv.Itoa(seconds)
}

// hasSession reports whether the request carries an editor's session cookie
// (valid or not: it is enough that the answer might be an editor's).
func (h *Handler) hasSession(c *fiber.Ctx) bool {
	return c.Cookies(cookieName(true, sessionCookie)) != "" || c.Cookies(sessionCookie) != ""
}

// cachePolicy gives every answer its Cache-Control (see above). Error pages set
// their own no-store in handleError.
func (h *Handler) cachePolicy(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	switch {
	case h.hasSession(c) && !strings.HasPrefix(c.Path(), "/static/"):
		c.Set(fiber.HeaderCacheControl, privateNoStore)
	case len(c.Response().Header.Peek(fiber.HeaderCacheControl)) == 0:
		c.Set(fiber.HeaderCacheControl, privateNoStore)
	}
	return nil
}

// markPublic lets shared caches keep a successful public answer that did not
// choose its own Cache-Control.
func (h *Handler) markPublic(c *fiber.Ctx) {
	if c.Response().StatusCode() == fiber.StatusOK && len(c.Response().Header.Peek(fiber.HeaderCacheControl)) == 0 {
		c.Set(fiber.HeaderCacheControl, h.publicCache)
		c.Vary(fiber.HeaderCookie)
	}
}

// cached answers from the page cache, or runs the handler and keeps a successful
// answer. The key is the method, the full address, whether htmx asked for a
// fragment (the request header answers Vary on), and today's date. A request with a session cookie neither reads nor fills it.
func (h *Handler) cached(c *fiber.Ctx) error {
	if h.hasSession(c) {
		return c.Next()
	}
	uri := c.OriginalURL()
	if h.pages.maxBytes == 0 || len(uri) > maxCachedURI {
		if err := c.Next(); err != nil {
			return err
		}
		h.markPublic(c)
		return nil
	}
	generation := h.db.Generation()
	// Today's date is part of the key too: which half year is "current" (the map's
	// default period, the home page's figures) follows the calendar.
	key := strings.Join([]string{c.Method(), uri, strconv.FormatBool(wantsFragment(c)),
		time.Now().Format(time.DateOnly)}, " ")
	if e, ok := h.pages.get(generation, key); ok {
		for _, kv := range e.headers {
			c.Set(kv[0], kv[1])
		}
		c.Set(pageCacheHeader, "hit")
		e.send(c)
		return nil
	}
	if err := c.Next(); err != nil {
		return err
	}
	h.markPublic(c)
	res := c.Response()
	setsCookie := false
	res.Header.VisitAllCookie(func(_, _ []byte) { setsCookie = true })
	if res.StatusCode() != fiber.StatusOK || res.IsBodyStream() || len(res.Header.ContentEncoding()) > 0 ||
		len(res.Body()) > maxCachedEntry || setsCookie {
		return nil
	}
	e := cachedPage{variants: newVariants(bytes.Clone(res.Body()), true)}
	res.Header.VisitAll(func(k, v []byte) {
		if !notKept[strings.ToLower(string(k))] {
			e.headers = append(e.headers, [2]string{string(k), string(v)})
		}
	})
	h.pages.put(generation, key, e)
	c.Set(pageCacheHeader, "miss")
	e.send(c)
	return nil
}

// renderCache keeps what html/template made of one view model value, for as long
// as the content generation (db.Generation) stays. The library's answer holds
// about 60 facet options and 12 cards; html/template passes every value it
// prints through its escaper by a reflective call, about 560 of them per answer,
// and that was most of a search fragment's CPU (BENCHMARKS.md, "Cards and facet
// options back in templates"). The same option with the same count, and the same
// card with the same marks, come back from search to search, so each is rendered
// once by its template (auto-escaped, the one markup) and the page prints the
// result: one value instead of 6 to 15.
//
// The key is the whole view model (for a card, cardKey: all of its fields):
// the output is a function of the key alone, so an entry can never show
// something other than what rendering it now would. The generation only bounds
// what is kept to what the current library can ask for: a write to cases,
// themes or figures empties the cache. It holds at most maxBytes (keys and
// output, about), or largeBytes for a large library (db.CaseResults.LargeLibrary:
// there the same card or count comes back far less often, so a big cache buys
// little and costs memory), and drops the oldest entries first.
type renderCache[K comparable] struct {
	mu         sync.RWMutex
	generation uint64
	entries    map[K]template.HTML
	order      []K // oldest first
	bytes      int
	limit      int // maxBytes or largeBytes, chosen when a generation starts
	maxBytes   int
	largeBytes int
	keySize    func(K) int

	hits, misses atomic.Uint64
}

// renderEntryOverhead is about what an entry costs besides its strings: the map
// slot, the string headers of the key and the output, the order slot.
const renderEntryOverhead = 96

func newRenderCache[K comparable](maxBytes, largeBytes int, keySize func(K) int) *renderCache[K] {
	return &renderCache[K]{limit: maxBytes, maxBytes: maxBytes, largeBytes: largeBytes, keySize: keySize, entries: map[K]template.HTML{}}
}

// get returns the output kept for k under generation, counting hits and misses.
func (r *renderCache[K]) get(generation uint64, k K) (template.HTML, bool) {
	r.mu.RLock()
	s, ok := r.entries[k]
	ok = ok && r.generation == generation
	r.mu.RUnlock()
	if ok {
		r.hits.Add(1)
	} else {
		r.misses.Add(1)
	}
	return s, ok
}

// put keeps s as the output for k, made from data of generation; large says
// whether that library is a large one.
func (r *renderCache[K]) put(generation uint64, large bool, k K, s template.HTML) {
	size := r.keySize(k) + len(s) + renderEntryOverhead
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case generation > r.generation:
		r.generation, r.entries, r.order, r.bytes = generation, map[K]template.HTML{}, nil, 0
		r.limit = r.maxBytes
		if large {
			r.limit = r.largeBytes
		}
	case generation < r.generation:
		return // made while the data changed: the cache belongs to the newer data
	}
	if _, ok := r.entries[k]; ok || size > r.limit {
		return
	}
	for r.bytes+size > r.limit && len(r.order) > 0 {
		old := r.order[0]
		r.bytes -= r.keySize(old) + len(r.entries[old]) + renderEntryOverhead
		delete(r.entries, old)
		var none K
		r.order[0] = none // the slot stays in the array until append moves it: let the key's strings go
		r.order = r.order[1:]
	}
	r.entries[k], r.order, r.bytes = s, append(r.order, k), r.bytes+size
}

// stats are the cache's hits and misses since the start, its entries and bytes.
func (r *renderCache[K]) stats() (hits, misses uint64, entries, bytes int) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.hits.Load(), r.misses.Load(), len(r.entries), r.bytes
}
