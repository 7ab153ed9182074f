package reactor

import (
	"bytes"
	"reflect"
	"runtime"
	"strconv"
	"strings"

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

// goid returns the id of the calling goroutine.
func goid() int64 {
	var buf [64]byte
	id, _ := parseGoid(buf[:runtime.Stack(buf[:], false)])
	return id
}

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

// inInlineBody reports whether the calling goroutine is the coroutine of a
// deferred.Inline body. Such a body runs only when whoever fires what it
// awaits resumes it, and that one waits, blocked, until the body suspends
// again: on a running reactor, it is the loop taking a turn through the
// body. It reads the whole traceback, so it is for rare paths only.
func inInlineBody() bool {
	tb := traceback()
	return bytes.Contains(tb, inlineBodyFrame) &&
		bytes.Contains(tb, []byte("\ncreated by iter.Pull["))
}

// traceback returns the calling goroutine's whole traceback (up to 1 MiB).
func traceback() []byte {
	for size := 16 << 10; ; size *= 4 {
		buf := make([]byte, size)
		n := runtime.Stack(buf, false)
		if n < size || size >= 1<<20 {
			return buf[:n]
		}
	}
}
