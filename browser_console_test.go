package main

// Helpers every browser test can use: failOnConsoleErrors (which newBrowser attaches
// to every browser) fails a test for every error the page reports, acceptDialogs answers the browser's own dialogs (such as
// "leave this page?"), and setViewport switches between desktop and phone widths.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// consoleWatch collects what a page reported as going wrong.
type consoleWatch struct {
	mu       sync.Mutex
	problems []string
	urls     map[network.RequestID]string
}

// failOnConsoleErrors makes the test fail, when it ends (or at check), for every
// console.error and console.assert the pages of ctx call (htmx reports its error
// events there, such as htmx:sendAbort and htmx:responseError), every uncaught
// exception or unhandled rejection, every error the browser logs itself (such as
// a Content-Security-Policy violation), every request that failed (a network
// error, a resource the CSP blocked) and every answer with a 5xx status. Requests the
// browser cancels on purpose, such as those still running when a page is left,
// are not failures. newBrowser calls it before the test can navigate.
func failOnConsoleErrors(t testing.TB, ctx context.Context) *consoleWatch {
	t.Helper()
	w := &consoleWatch{urls: map[network.RequestID]string{}}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					switch {
					case a.Description != "":
						args = append(args, a.Description)
					case len(a.Value) > 0:
						var text string
						if json.Unmarshal(a.Value, &text) != nil {
							text = string(a.Value) // not a string: as JSON
						}
						args = append(args, text)
					default:
						args = append(args, string(a.Type))
					}
				}
				w.add("console.%s: %s", e.Type, strings.Join(args, " "))
			}
		case *cdplog.EventEntryAdded:
			// The browser's own errors, such as a CSP violation ("Refused to …").
			// Those of the network (a 404 or a 422 answer) are the requests' business.
			if e.Entry.Level == cdplog.EntryLevelError && e.Entry.Source != cdplog.EntrySourceNetwork {
				w.add("browser %s error: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			w.add("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg)
		case *network.EventRequestWillBeSent:
			w.mu.Lock()
			w.urls[e.RequestID] = e.Request.URL
			w.mu.Unlock()
		case *network.EventLoadingFailed:
			if !e.Canceled || e.BlockedReason != "" {
				w.add("request failed: %s %s %s", w.url(e.RequestID), e.ErrorText, e.BlockedReason)
			}
		case *network.EventResponseReceived:
			if e.Response.Status >= 500 {
				w.add("%d from %s", e.Response.Status, e.Response.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.check(t, "at the end of the test") })
	return w
}

func (w *consoleWatch) add(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
}

func (w *consoleWatch) url(id network.RequestID) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.urls[id]
}

// check fails the test for what was reported since the last check; where says
// which step it was.
func (w *consoleWatch) check(t testing.TB, where string) {
	t.Helper()
	w.mu.Lock()
	problems := w.problems
	w.problems = nil
	w.mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser reported an error (%s): %s", where, p)
	}
}

// dialogs counts the dialogs the browser opened and answered.
type dialogs struct {
	mu       sync.Mutex
	opened   []string // their types ("beforeunload", "alert", …)
	accepted chan struct{}
}

// acceptDialogs answers every dialog the pages of ctx open with OK (for
// "beforeunload": leave the page) and records its type.
func acceptDialogs(t testing.TB, ctx context.Context) *dialogs {
	t.Helper()
	d := &dialogs{accepted: make(chan struct{}, 16)}
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			d.mu.Lock()
			d.opened = append(d.opened, string(e.Type))
			d.mu.Unlock()
			// A listener may not run commands itself.
			go func() {
				chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
				d.accepted <- struct{}{}
			}()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// count is the number of dialogs of type typ opened so far.
func (d *dialogs) count(typ string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, o := range d.opened {
		if o == typ {
			n++
		}
	}
	return n
}

// setViewport gives the page a width in CSS pixels: 1280 for a desktop, 390 for a
// phone (with the phone's touch and mobile layout).
func setViewport(t testing.TB, ctx context.Context, width int64) {
	t.Helper()
	var action chromedp.Action[chromedp.Void]
	if width < 600 {
		action = chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulateScale(1))
	} else {
		action = chromedp.EmulateViewport(width, 900)
	}
	do(t, ctx, action)
}

// noHorizontalScroll fails when the page is wider than the window.
func noHorizontalScroll(t testing.TB, ctx context.Context) {
	t.Helper()
	if over := eval[int](t, ctx, "document.documentElement.scrollWidth - window.innerWidth"); over > 0 {
		wide := eval[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
			.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')`)
		t.Errorf("%s scrolls %d px sideways at %d px wide: %s", eval[string](t, ctx, "location.pathname"), over, eval[int](t, ctx, "window.innerWidth"), wide)
	}
}

// recordingTB stands in for a test inside a test: it records what would have
// failed it.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

// Cleanup drops f: the test calls check itself.
func (r *recordingTB) Cleanup(f func()) {}

func (r *recordingTB) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errors)
}

// TestBrowserConsoleErrorsFailTheTest proves the watch every browser test gets:
// a page that logs a console error, throws, rejects a promise, loads from a
// server that is not there, gets a 500 or breaks its Content-Security-Policy fails
// the test; a quiet page does not.
func TestBrowserConsoleErrorsFailTheTest(t *testing.T) {
	browser := startBrowser(t)
	gone, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	goneURL := "http://" + gone.Addr().String() + "/x.js"
	gone.Close()
	pages := map[string]string{
		"/stil":      `<p>Niets aan de hand.</p>`,
		"/console":   `<script>console.error("kapot in de console")</script>`,
		"/uitzonder": `<script>throw new Error("niet opgevangen")</script>`,
		"/belofte":   `<script>Promise.reject(new Error("afgewezen belofte"))</script>`,
		"/weg":       `<script src="` + goneURL + `"></script>`,
		"/fout":      `<img src="/500" alt="">`,
		"/csp":       `<p style="color: red">Inline opgemaakt.</p>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/500" {
			http.Error(w, "stuk", http.StatusInternalServerError)
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/csp" {
			w.Header().Set("Content-Security-Policy", "default-src 'self'")
		}
		fmt.Fprintf(w, `<!doctype html><html lang="nl"><title>t</title>%s</html>`, body)
	}))
	t.Cleanup(srv.Close)

	for _, tc := range []struct{ path, want string }{
		{"/stil", ""},
		{"/console", "console.error: kapot in de console"},
		{"/uitzonder", "niet opgevangen"},
		{"/belofte", "afgewezen belofte"},
		{"/weg", "request failed: " + goneURL},
		{"/fout", "500 from " + srv.URL + "/500"},
		{"/csp", "Content Security Policy"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			// One tab for all: the quiet page comes first, so that nothing a
			// page before it reported can reach it.
			ctx := browser
			rec := &recordingTB{TB: t}
			w := failOnConsoleErrors(rec, ctx)
			do(t, ctx, chromedp.Navigate(srv.URL+tc.path))
			if tc.want == "" {
				// A round trip to the page, so that what it reported has arrived.
				eval[bool](t, ctx, "document.readyState === 'complete'")
				w.check(rec, "the quiet page")
				if got := rec.failures(); len(got) > 0 {
					t.Errorf("a quiet page failed the test: %q", got)
				}
				return
			}
			deadline := time.Now().Add(5 * time.Second)
			for {
				w.check(rec, tc.path)
				got := rec.failures()
				if slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, tc.want) }) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s did not fail the test with %q; it reported %q", tc.path, tc.want, got)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
