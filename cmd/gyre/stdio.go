package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// closedOutput reports whether w is a standard stream that was closed when
// gyre started (gyre get --print >&-). Go's runtime opens /dev/null,
// read-write, on a standard descriptor it finds closed, so that nothing
// else takes its number; writes to it then succeed and vanish. A shell
// redirection to /dev/null opens it for writing only, so /dev/null opened
// read-write on descriptor 1 or 2 is taken for a stream that was closed:
// a poem written there would be lost without a word.
func closedOutput(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || (f.Fd() != 1 && f.Fd() != 2) {
		return false
	}
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	if err != nil || flags&unix.O_ACCMODE != unix.O_RDWR {
		return false
	}
	var st, null unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil || unix.Stat("/dev/null", &null) != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == null.Rdev
}

// checkOpen is the error of a command about to write what (the poems) to
// a stdout that was closed: one line and status 1, rather than output
// lost without a word.
func checkOpen(stdout io.Writer, what string) error {
	if closedOutput(stdout) {
		return &exitError{code: exitFailure, err: fmt.Errorf("cannot write %s to stdout: it is closed", what)}
	}
	return nil
}
