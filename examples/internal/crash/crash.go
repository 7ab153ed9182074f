package crash

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// Exit writes Report's text to stderr and exits with status 1. It never
// returns.
func Exit(err error) {
	Report(os.Stderr, err)
	os.Exit(1)
}

// Report writes what Exit prints to w: the stack of the calling goroutine,
// innermost call first (Go's order, where Python lists the outermost
// first), then one line, "TYPE: MESSAGE", as Python's last line names the
// exception and its message.
func Report(w io.Writer, err error) {
	w.Write(debug.Stack())
	fmt.Fprintf(w, "%T: %v\n", err, err)
}
