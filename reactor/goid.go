package reactor

import (
	"bytes"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"gyre/deferred"
)

// Goroutine identity, for finding misuse early: BlockingCall on the loop's
// own goroutine, and (with WithDebug) loop-only methods called from another.
// Go hides goroutine ids on purpose, so that nobody builds goroutine-local
// storage on them; here they only answer "is this the loop?", and only on
// paths that are either rare (BlockingCall, Run) or switched on for
// debugging. The id is read from the first line of the goroutine's
// traceback ("goroutine 12 [running]:"): a few microseconds, more on a
// deep stack.

// goid returns the id of the calling goroutine. The buffer comes from a
// pool, since runtime.Stack makes it escape: with the debug checks on, the
// hot paths they guard still allocate nothing.
func goid() int64 {
	bp := headerBufs.Get().(*[64]byte)
	id, _ := parseGoid(bp[:runtime.Stack(bp[:], false)])
	headerBufs.Put(bp)
	return id
}

var headerBufs = sync.Pool{New: func() any { return new([64]byte) }}

// parseGoid reads the id from the start of a traceback.
func parseGoid(tb []byte) (int64, bool) {
	rest, ok := bytes.CutPrefix(tb, []byte("goroutine "))
	if !ok {
		return 0, false
	}
	end := bytes.IndexByte(rest, ' ')
	if end < 0 {
		return 0, false
	}
	id, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	return id, err == nil
}

// inlineBodyFrame is the frame every deferred.Inline body runs under, as a
// traceback prints it. The package path is read from a function of the
// package, so that it follows the module path.
var inlineBodyFrame = func() []byte {
	name := runtime.FuncForPC(reflect.ValueOf(deferred.New).Pointer()).Name() // "gyre/deferred.New"
	return []byte(strings.TrimSuffix(name, "New") + "(*Coroutine).run(")
}()

// callerIs reports whether the calling goroutine is loop, or is the
// coroutine of a deferred.Inline body. Such a body runs only when whoever
// fires what it awaits resumes it, and that one waits, blocked, until the
// body suspends again: on a running reactor, it is the loop taking a turn
// through the body. The id is read from the first line of a traceback cut
// short (the cheap part, and all the loop itself needs); only another
// goroutine pays for the whole traceback, to look for the coroutine's
// frames.
func callerIs(loop int64) bool {
	if goid() == loop {
		return true
	}
	bp := tracebackBufs.Get().(*[]byte)
	defer tracebackBufs.Put(bp)
	for {
		n := runtime.Stack(*bp, false)
		if n < len(*bp) || len(*bp) >= maxTraceback {
			tb := (*bp)[:n]
			return bytes.Contains(tb, inlineBodyFrame) && bytes.Contains(tb, []byte("\ncreated by iter.Pull["))
		}
		*bp = make([]byte, 4*len(*bp)) // a deep stack: the end did not fit
	}
}

// maxTraceback bounds the traceback callerIs reads: a stack deeper than
// that is not taken for an Inline body.
const maxTraceback = 1 << 20

// tracebackBufs keeps the buffers callerIs reads tracebacks into, so
// that BlockingCall from other goroutines does not allocate one each time.
var tracebackBufs = sync.Pool{New: func() any {
	b := make([]byte, 8<<10)
	return &b
}}
