package deferred_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"gyre/deferred"
)

// flushTimeout bounds every wait for unhandled-error reports.
const flushTimeout = 5 * time.Second

// watchUnhandled routes unhandled-failure reports to a list for the rest of
// the test, after draining any left by earlier tests, and returns a function
// that reads the list.
func watchUnhandled(t *testing.T) func() []*deferred.Failure {
	t.Helper()
	var mu sync.Mutex
	var got []*deferred.Failure
	prev := deferred.SetUnhandledErrorHandler(func(f *deferred.Failure) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, f)
	})
	deferred.FlushUnhandled(flushTimeout)
	mu.Lock()
	got = nil
	mu.Unlock()
	t.Cleanup(func() { deferred.SetUnhandledErrorHandler(prev) })
	return func() []*deferred.Failure {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

// reportsOf keeps the reports of err.
func reportsOf(reports []*deferred.Failure, err error) []*deferred.Failure {
	var out []*deferred.Failure
	for _, f := range reports {
		if errors.Is(f, err) {
			out = append(out, f)
		}
	}
	return out
}

// failingChain makes a Deferred whose chain ends on a failure of err, and
// drops it.
//
//go:noinline
func failingChain(err error) {
	d := deferred.New()
	d.AddCallback(func(any) (any, error) { return nil, err })
	_ = d.Callback("Here is your result.")
}

func TestUnhandledFailureIsReportedWhenCollected(t *testing.T) {
	reports := watchUnhandled(t)
	oops := errors.New("oops")
	failingChain(oops)
	if n := deferred.FlushUnhandled(flushTimeout); n < 1 {
		t.Errorf("FlushUnhandled = %d, want at least 1", n)
	}
	got := reportsOf(reports(), oops)
	if len(got) != 1 {
		t.Fatalf("%d reports of the failure, want 1", len(got))
	}
	if tb := got[0].Traceback(); !strings.Contains(tb, "failingChain") {
		t.Errorf("reported traceback does not show the chain:\n%s", tb)
	}
}

func TestReachableDeferredIsNotReported(t *testing.T) {
	reports := watchUnhandled(t)
	kept := errors.New("kept")
	d := deferred.Fail(kept)
	deferred.FlushUnhandled(flushTimeout)
	if n := len(reportsOf(reports(), kept)); n != 0 {
		t.Errorf("%d reports while the Deferred is still reachable", n)
	}
	runtime.KeepAlive(d)
}

//go:noinline
func handledLater(err error) {
	d := deferred.Fail(err)
	d.AddErrback(func(*deferred.Failure) (any, error) { return "fine", nil })
}

func TestFailureHandledLaterIsNotReported(t *testing.T) {
	reports := watchUnhandled(t)
	later := errors.New("handled later")
	handledLater(later)
	deferred.FlushUnhandled(flushTimeout)
	if n := len(reportsOf(reports(), later)); n != 0 {
		t.Errorf("%d reports of a handled failure", n)
	}
}

// An inner Deferred whose failure passed to an outer chain is not reported;
// the outer one is, since nothing handled it there.
//
//go:noinline
func innerFailureHandedOut(err error, ready bool) {
	inner := deferred.New()
	if ready {
		_ = inner.Errback(err)
	}
	outer := deferred.New()
	outer.AddCallback(func(any) (any, error) { return inner, nil })
	_ = outer.Callback(nil)
	if !ready {
		_ = inner.Errback(err)
	}
}

func TestChainedFailureIsReportedOnce(t *testing.T) {
	for _, ready := range []bool{true, false} {
		reports := watchUnhandled(t)
		inner := errors.New("inner")
		innerFailureHandedOut(inner, ready)
		deferred.FlushUnhandled(flushTimeout)
		if n := len(reportsOf(reports(), inner)); n != 1 {
			t.Errorf("inner fired before chaining=%v: %d reports, want 1 (the outer)", ready, n)
		}
	}
}

//go:noinline
func succeedingChain() {
	d := deferred.New()
	d.AddCallback(func(v any) (any, error) { return v, nil })
	_ = d.Callback("ok")
}

func TestSuccessIsNotReported(t *testing.T) {
	reports := watchUnhandled(t)
	succeedingChain()
	if n := deferred.FlushUnhandled(flushTimeout); n != 0 {
		t.Errorf("FlushUnhandled = %d after a success", n)
	}
	if n := len(reports()); n != 0 {
		t.Errorf("%d reports after a success", n)
	}
}

func TestUnhandledReportFormat(t *testing.T) {
	var f *deferred.Failure
	d := deferred.New()
	d.AddCallback(returnsOops)
	d.AddErrback(func(g *deferred.Failure) (any, error) { f = g; return nil, nil })
	_ = d.Callback(nil)
	var buf bytes.Buffer
	deferred.WriteUnhandled(&buf, f)
	got := buf.String()
	// As Twisted prints it: the heading, an empty line, the traceback and
	// an empty line.
	if want := "Unhandled error in Deferred:\n\n" + f.Traceback() + "\n"; got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(got, "\n--- <exception caught here> ---\n  gyre/deferred_test.returnsOops\n") ||
		!strings.HasSuffix(got, "\n*errors.errorString: oops\n\n") {
		t.Errorf("report does not end with the callback frame and the error line:\n%s", got)
	}
}

func TestSetUnhandledErrorHandlerReturnsThePrevious(t *testing.T) {
	first := func(*deferred.Failure) {}
	orig := deferred.SetUnhandledErrorHandler(first)
	defer func() { deferred.SetUnhandledErrorHandler(orig) }()
	prev := deferred.SetUnhandledErrorHandler(nil)
	if prev == nil {
		t.Fatal("previous handler is nil")
	}
	if restored := deferred.SetUnhandledErrorHandler(orig); restored == nil {
		t.Fatal("the default handler is returned as nil")
	}
}

// poemError has a pointer receiver: a nil *poemError returned as an error
// (the classic Go slip) panics when its Error is called.
type poemError struct{ line int }

func (e *poemError) Error() string { return "bad line " + strconv.Itoa(e.line) }

func failWithTypedNil() {
	var bad *poemError
	d := deferred.New()
	d.AddCallback(func(any) (any, error) { return nil, bad })
	_ = d.Callback(nil)
}

// A typed nil error and a handler that panics are contained: the report
// of an unhandled failure runs on a runtime goroutine, where a panic would
// end the process.
func TestUnhandledReportNeverPanics(t *testing.T) {
	var bad *poemError
	f := deferred.NewFailure(bad)
	if f.Error() != "<nil>" || !strings.Contains(f.Traceback(), "*deferred_test.poemError: <nil>") {
		t.Errorf("typed nil: %q\n%s", f.Error(), f.Traceback())
	}

	// The default handler formats the traceback of a typed nil error.
	var out bytes.Buffer
	deferred.WriteUnhandled(&out, f)
	if !strings.Contains(out.String(), "Unhandled error in Deferred:") {
		t.Errorf("report %q", out.String())
	}

	// A handler that panics: the process goes on, and stderr has a line.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	prev := deferred.SetUnhandledErrorHandler(func(*deferred.Failure) { panic("handler broke") })
	failWithTypedNil()
	deferred.FlushUnhandled(flushTimeout)
	deferred.SetUnhandledErrorHandler(prev)
	os.Stderr = stderr
	w.Close()
	b, _ := io.ReadAll(r)
	if !strings.Contains(string(b), "Unhandled error in Deferred: *deferred_test.poemError: <nil> (and its report panicked: handler broke)") {
		t.Errorf("stderr: %q", b)
	}
}

// errOfItsDeferred is an error that holds the Deferred it failed.
type errOfItsDeferred struct{ d *deferred.Deferred }

func (e *errOfItsDeferred) Error() string { return "an error holding its own Deferred" }

// failWithItself fails a Deferred with an error that refers back to it,
// drops both, and returns a weak pointer to the Deferred.
//
//go:noinline
func failWithItself() weak.Pointer[deferred.Deferred] {
	d := deferred.New()
	_ = d.Errback(&errOfItsDeferred{d: d})
	return weak.Make(d)
}

// The package doc's warning holds: an error that refers back to its own
// Deferred keeps the Deferred reachable from the record of its unhandled
// Failure, so it is never collected and never reported.
func TestErrorHoldingItsDeferredIsNeverReported(t *testing.T) {
	reports := watchUnhandled(t)
	d := failWithItself()
	deferred.FlushUnhandled(flushTimeout)
	if d.Value() == nil {
		t.Error("the Deferred was collected: the package doc's warning no longer holds")
	}
	for _, f := range reports() {
		if strings.Contains(f.Error(), "holding its own Deferred") {
			t.Error("the Failure was reported: the package doc's warning no longer holds")
		}
	}
}
