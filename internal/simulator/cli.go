package simulator

import (
	"errors"
	"fmt"
	"io"

	"gyre/internal/optparse"
)

// The tutorial's program parses its command line with Python's optparse,
// and so does this one, with internal/optparse, which reproduces its
// quirks: long options may be abbreviated to any unambiguous prefix
// (--nar), short options may be bundled (-hx shows the help before looking
// at x), "--" ends the options, and options may follow positional
// arguments. Errors print the usage, an empty line and "PROG: error: MSG"
// on stderr and exit with status 2; --help prints the help on stdout and
// exits with status 0 at once, ignoring what follows.

// usage is the program's usage line and description, as the original
// gives them to its OptionParser.
const usage = `%prog
A Deferred simulator. Use this to see how a particular
set of callbacks and errbacks will fire in a deferred.`

// newParser returns the original's option parser for program prog.
func newParser(prog string) (p *optparse.Parser, narrow *bool) {
	p = optparse.New(prog, usage)
	// The help is laid out for 80 columns whatever $COLUMNS says, so that
	// it is the same in every terminal (the reference's width).
	p.Width = 80
	narrow = p.Bool("--narrow", "draw all three chains in one column")
	return p, narrow
}

// Main runs the tutorial's deferred-simulator program with the arguments
// args (without the program name) and returns its exit status: 0 after a
// session, whatever its input; 2 for a usage error; 1 if reading stdin or
// writing stdout fails. prog is the name shown in usage and error messages.
func Main(prog string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	p, narrow := newParser(prog)
	positional, err := p.ParseArgs(args)
	if err == nil && len(positional) > 0 {
		err = &optparse.UsageError{Msg: "No arguments supported."}
	}
	switch {
	case errors.Is(err, optparse.ErrHelp):
		fmt.Fprint(stdout, p.FormatHelp())
		return 0
	case err != nil:
		// Python writes stderr with the backslashreplace handler, so an
		// argument that was not valid UTF-8 shows as \udcXX escapes.
		fmt.Fprint(stderr, p.FormatUsage())
		fmt.Fprintf(stderr, "\n%s: error: %s\n", prog, backslashReplace(err.Error()))
		return 2
	}
	if err := Run(stdin, stdout, *narrow); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}

// backslashReplace writes s the way Python's stderr does: bytes that were not
// valid UTF-8 (lone surrogates once Python has decoded them) become \udcXX.
func backslashReplace(s string) string {
	var b []byte
	for _, r := range pyRunes(s) {
		if isEscapedByte(r) {
			b = appendHexEscape(b, 'u', r, 4)
			continue
		}
		b = appendPyRune(b, r)
	}
	return string(b)
}
