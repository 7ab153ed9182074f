package deferred

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"weak"
)

// A chain that ends on a Failure nobody handled is a bug that would otherwise
// pass in silence. As in Twisted, such a Deferred reports its Failure when it
// is garbage-collected: only then is it certain that no errback will ever be
// added. The report goes to a handler that is package-level state on purpose:
// the garbage collector, not any caller, decides when it runs, so there is
// no caller to hand a logger to (Twisted logs it to its global log for the
// same reason).

// watch is what the cleanup of a Deferred holds: never the Deferred itself,
// or it could not be collected.
type watch struct {
	failure atomic.Pointer[Failure] // nil once handled
	self    weak.Pointer[Deferred]  // lets FlushUnhandled see which ones died
	done    chan struct{}           // closed once the cleanup ran
	cleanup runtime.Cleanup
}

var (
	handler atomic.Pointer[func(*Failure)]

	// armed holds the watches of the Deferreds that currently end on an
	// unhandled Failure, for FlushUnhandled.
	armedMu sync.Mutex
	armed   = map[*watch]struct{}{}

	// reports counts the reports made, for FlushUnhandled.
	reports atomic.Int64
)

// arm records that the chain of d ends on f, unhandled for now.
func (d *Deferred) arm(f *Failure) {
	if d.watch != nil {
		d.watch.failure.Store(f)
		return
	}
	w := &watch{self: weak.Make(d), done: make(chan struct{})}
	w.failure.Store(f)
	armedMu.Lock()
	armed[w] = struct{}{}
	armedMu.Unlock()
	w.cleanup = runtime.AddCleanup(d, reportUnhandled, w)
	d.watch = w
}

// disarm records that the failure of d was handled (or handed on).
func (d *Deferred) disarm() {
	w := d.watch
	d.watch = nil
	w.cleanup.Stop()
	w.failure.Store(nil)
	armedMu.Lock()
	delete(armed, w)
	armedMu.Unlock()
}

// reportUnhandled is the cleanup of an armed Deferred. It runs on a runtime
// goroutine, possibly alongside others.
// The watch leaves the armed set only once the report is written, so that
// FlushUnhandled either finds it (and waits for done) or knows it is over.
func reportUnhandled(w *watch) {
	defer close(w.done)
	defer func() {
		armedMu.Lock()
		delete(armed, w)
		armedMu.Unlock()
	}()
	if f := w.failure.Swap(nil); f != nil {
		report(f)
		reports.Add(1)
	}
}

// report hands f to the handler. A handler that panics is contained: this
// runs on a runtime goroutine, where a panic would end the process at a
// moment that has nothing to do with its cause. One line on stderr says
// what was lost.
func report(f *Failure) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "Unhandled error in Deferred: %T: %s (and its report panicked: %v)\n", f.cause(), f.Error(), r)
		}
	}()
	unhandledHandler()(f)
}

func unhandledHandler() func(*Failure) {
	if h := handler.Load(); h != nil {
		return *h
	}
	return reportToStderr
}

// reportToStderr is the default handler.
func reportToStderr(f *Failure) { WriteUnhandled(os.Stderr, f) }

// WriteUnhandled writes the report of an unhandled failure in the form the
// default handler uses and Twisted prints: "Unhandled error in Deferred:",
// an empty line, the traceback and an empty line. It makes a single Write,
// so that concurrent reports do not interleave on a shared writer.
func WriteUnhandled(w io.Writer, f *Failure) {
	_, _ = io.WriteString(w, "Unhandled error in Deferred:\n\n"+f.Traceback()+"\n")
}

// SetUnhandledErrorHandler makes h the function that receives the Failure of
// every Deferred garbage-collected while its chain ended on an unhandled
// Failure, and returns the handler it replaces. nil restores the default,
// which calls WriteUnhandled on os.Stderr. The handler runs on a goroutine
// of the runtime, possibly alongside other reports, so it must be safe for
// concurrent use. To send the reports to log/slog instead:
//
//	deferred.SetUnhandledErrorHandler(func(f *deferred.Failure) {
//		slog.Error("Unhandled error in Deferred", "error", f, "traceback", f.Traceback())
//	})
func SetUnhandledErrorHandler(h func(*Failure)) (previous func(*Failure)) {
	previous = unhandledHandler()
	if h == nil {
		handler.Store(nil)
	} else {
		handler.Store(&h)
	}
	return previous
}

// FlushUnhandled runs a garbage collection and waits, at most timeout, for
// the reports of every Deferred it found unreachable with an unhandled
// Failure. It returns the number of reports made while it ran. A Go program does not collect
// its garbage on exit, so a program (or a test) that wants to see those
// reports calls this before it ends, where Python would report them while
// the interpreter shuts down.
func FlushUnhandled(timeout time.Duration) int {
	before := reports.Load()
	runtime.GC()
	armedMu.Lock()
	var due []*watch
	for w := range armed {
		if w.self.Value() == nil {
			due = append(due, w)
		}
	}
	armedMu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for _, w := range due {
		select {
		case <-w.done:
		case <-timer.C:
			return int(reports.Load() - before)
		}
	}
	return int(reports.Load() - before)
}
