package deferred

import (
	"fmt"
	"runtime"
	"strings"
)

// Tracebacks follow the shape of Twisted's, because that is what the
// tutorial shows and explains: the frames above the point where the error
// was caught, the marker "--- <exception caught here> ---", the frames from
// there down to where the error arose, and a last line with the error's
// type and message. Frames are printed the Go way (function, then file:line)
// and the runtime's own frames are left out.

// maxDepth bounds the frames recorded per Failure: deep enough for any
// callback chain worth reading, small enough to keep failing cheap.
const maxDepth = 64

// caughtMarker separates the frames above the catch point from those below.
const caughtMarker = "--- <exception caught here> ---"

// briefStackFrames is how many frames above the catch point the brief form
// shows, as Twisted shows a few.
const briefStackFrames = 4

// frame is one resolved stack frame.
type frame struct {
	function string
	file     string
	line     int
}

// callers returns the stack starting skip frames above its caller (skip 0 =
// the caller of callers), innermost first, in an exactly sized slice.
func callers(skip int) []uintptr {
	var buf [maxDepth]uintptr
	n := runtime.Callers(skip+2, buf[:])
	return append([]uintptr(nil), buf[:n]...)
}

// resolve turns program counters into frames, innermost first, dropping the
// runtime's frames.
func resolve(pcs []uintptr) []frame {
	if len(pcs) == 0 {
		return nil
	}
	var out []frame
	frames := runtime.CallersFrames(pcs)
	for {
		fr, more := frames.Next()
		if fr.Function != "" && !strings.HasPrefix(fr.Function, "runtime.") {
			out = append(out, frame{fr.Function, fr.File, fr.Line})
		}
		if !more {
			return out
		}
	}
}

// panicFailure makes the Failure for a recovered panic value. It must run
// inside the deferred function that recovered (skip 0 = its caller is that
// function; skip 1 = one more level up, and so on).
//
// While a deferred function runs during a panic, the goroutine's stack still
// holds the frames that panicked: deferred function, runtime.gopanic, the
// panic site, its callers up to the function that deferred the recovery,
// and that function's callers. Those are split at the recovering function,
// which Go names after the deferred closure ("pkg.f.func1" is deferred by
// "pkg.f").
func panicFailure(v any, skip int) *Failure {
	err, ok := v.(error)
	if !ok {
		err = &PanicError{Value: v}
	}
	if f, ok := err.(*Failure); ok && f != nil {
		return f // re-panicking with a Failure keeps the original
	}
	var buf [maxDepth]uintptr
	n := runtime.Callers(skip+2, buf[:])
	var all []frame
	frames := runtime.CallersFrames(buf[:n])
	for {
		fr, more := frames.Next()
		all = append(all, frame{fr.Function, fr.File, fr.Line})
		if !more {
			break
		}
	}
	f := &Failure{err: err}
	panicking := -1
	for i, fr := range all {
		if fr.function == "runtime.gopanic" {
			panicking = i
			break
		}
	}
	if panicking < 0 {
		// Not called during a panic: nothing was raised, so no frames.
		f.stack = append([]uintptr(nil), buf[:n]...)
		return f
	}
	catcher := enclosingFunction(all[0].function)
	caught := len(all) // not found: every frame is below the catch point
	for i := panicking + 1; i < len(all); i++ {
		if all[i].function == catcher {
			caught = i + 1
			break
		}
	}
	f.resolved = keepUserFrames(all[panicking+1:])
	f.below = countUserFrames(all[panicking+1 : caught])
	return f
}

// enclosingFunction names the function that a closure belongs to:
// "main.main.func1" -> "main.main", "main.main.func1.2" -> "main.main.func1".
func enclosingFunction(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return name
	}
	last := strings.TrimPrefix(name[i+1:], "func")
	if last == "" || strings.Trim(last, "0123456789") != "" {
		return name
	}
	return name[:i]
}

func keepUserFrames(frames []frame) []frame {
	out := make([]frame, 0, len(frames))
	for _, fr := range frames {
		if fr.function != "" && !strings.HasPrefix(fr.function, "runtime.") {
			out = append(out, fr)
		}
	}
	return out
}

func countUserFrames(frames []frame) int {
	n := 0
	for _, fr := range frames {
		if fr.function != "" && !strings.HasPrefix(fr.function, "runtime.") {
			n++
		}
	}
	return n
}

// parts returns the frames above the catch point and those below it, both
// innermost first.
func (f *Failure) parts() (above, below []frame) {
	if f.resolved != nil {
		return f.resolved[f.below:], f.resolved[:f.below]
	}
	above = resolve(f.stack)
	if f.origin != 0 {
		if fn := runtime.FuncForPC(f.origin); fn != nil {
			file, line := fn.FileLine(f.origin)
			below = []frame{{fn.Name(), file, line}}
		}
	}
	return above, below
}

// Traceback returns the Failure's report, as Twisted's getTraceback does:
//
//	Traceback (most recent call last):
//	  main.main
//	      /src/prog/main.go:12
//	  gyre/deferred.(*Deferred).Callback
//	      /src/gyre/deferred/deferred.go:150
//	--- <exception caught here> ---
//	  main.poemFailed
//	      /src/prog/main.go:30
//	*errors.errorString: no poem
//
// Frames run outermost first. Above the marker is the stack where the
// Failure was made or caught; below it, for a panic, the frames from the
// recovering function down to the panic site, and for an error returned by a
// callback, that callback (at the line where it is declared, since a returned
// error does not record where it was made). A Failure made from an error
// value has no marker and nothing below it. The text ends with a newline.
func (f *Failure) Traceback() string {
	above, below := f.parts()
	var b strings.Builder
	b.WriteString("Traceback (most recent call last):\n")
	writeFrames(&b, above)
	if len(below) > 0 {
		b.WriteString(caughtMarker + "\n")
		writeFrames(&b, below)
	}
	b.WriteString(f.errorLine())
	b.WriteByte('\n')
	return b.String()
}

// writeFrames writes frames (given innermost first) outermost first.
func writeFrames(b *strings.Builder, frames []frame) {
	for i := len(frames) - 1; i >= 0; i-- {
		fmt.Fprintf(b, "  %s\n      %s:%d\n", frames[i].function, frames[i].file, frames[i].line)
	}
}

// brief is Twisted's brief traceback, the body of str(failure): one line
// with the error, then (only when there are frames below the catch point) a
// few frames above it, the marker and the frames below, one "file:line:func"
// line each.
func (f *Failure) brief() string {
	above, below := f.parts()
	var b strings.Builder
	if len(below) == 0 {
		b.WriteString("Traceback (failure with no frames): ")
		b.WriteString(f.errorLine())
		b.WriteByte('\n')
		return b.String()
	}
	b.WriteString("Traceback: ")
	b.WriteString(f.errorLine())
	b.WriteByte('\n')
	writeBriefFrames(&b, above[:min(len(above), briefStackFrames)])
	b.WriteString(caughtMarker + "\n")
	writeBriefFrames(&b, below)
	return b.String()
}

func writeBriefFrames(b *strings.Builder, frames []frame) {
	for i := len(frames) - 1; i >= 0; i-- {
		fmt.Fprintf(b, "%s:%d:%s\n", frames[i].file, frames[i].line, frames[i].function)
	}
}
