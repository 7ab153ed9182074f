package simulator

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The tutorial's program parses its command line with Python's optparse.
// Main reproduces what that parser does with this program's two options,
// including its quirks: long options may be abbreviated to any unambiguous
// prefix (--nar), short options may be bundled (-hx shows the help before
// looking at x), "--" ends the options, and options may follow positional
// arguments. Errors print the usage, an empty line and "PROG: error: MSG" on
// stderr and exit with status 2; --help prints the help on stdout and exits
// with status 0 at once, ignoring what follows.

// usageText is the program's usage line and description, %s being the
// program name.
const usageText = `Usage: %s
A Deferred simulator. Use this to see how a particular
set of callbacks and errbacks will fire in a deferred.
`

// optionsHelp lists the options, laid out as optparse's formatter does.
const optionsHelp = `Options:
  -h, --help  show this help message and exit
  --narrow    draw all three chains in one column
`

// longOptions are the long option names, sorted (optparse sorts the
// candidates it lists in its "ambiguous option" message).
var longOptions = []string{"--help", "--narrow"}

// errHelp is how option parsing asks for the help text.
var errHelp = errors.New("help requested")

// usageError is a command-line error, worded as optparse words it.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Main runs the tutorial's deferred-simulator program with the arguments
// args (without the program name) and returns its exit status: 0 after a
// session, whatever its input; 2 for a usage error; 1 if reading stdin or
// writing stdout fails. prog is the name shown in usage and error messages.
func Main(prog string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	narrow, err := parseArgs(args)
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprintf(stdout, usageText, prog)
		fmt.Fprint(stdout, "\n"+optionsHelp)
		return 0
	case err != nil:
		// Python writes stderr with the backslashreplace handler, so an
		// argument that was not valid UTF-8 shows as \udcXX escapes.
		fmt.Fprintf(stderr, usageText, prog)
		fmt.Fprintf(stderr, "\n%s: error: %s\n", prog, backslashReplace(err.Error()))
		return 2
	}
	if err := Run(stdin, stdout, narrow); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}

// parseArgs parses the command line as the original's optparse parser
// does. It returns errHelp when -h or --help comes before any error.
func parseArgs(args []string) (narrow bool, err error) {
	var positional []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(arg, "--"):
			name, _, hasValue := strings.Cut(arg, "=")
			opt, err := matchLongOption(name)
			if err != nil {
				return false, err
			}
			if hasValue {
				return false, usageErrorf("%s option does not take a value", opt)
			}
			if opt == "--help" {
				return false, errHelp
			}
			narrow = true
		case len(arg) > 1 && arg[0] == '-':
			// A bundle of short options is taken one character at a
			// time, but -h is the only one and it ends the parsing, so
			// only the first character ever matters.
			first := pyRunes(arg[1:])[0]
			if first != 'h' {
				return false, usageErrorf("no such option: -%s", pyString([]rune{first}))
			}
			return false, errHelp
		default:
			positional = append(positional, arg)
		}
	}
	if len(positional) > 0 {
		return false, &usageError{msg: "No arguments supported."}
	}
	return narrow, nil
}

// matchLongOption resolves a possibly abbreviated long option name.
func matchLongOption(name string) (string, error) {
	if slices.Contains(longOptions, name) {
		return name, nil
	}
	var matches []string
	for _, opt := range longOptions {
		if strings.HasPrefix(opt, name) {
			matches = append(matches, opt)
		}
	}
	switch len(matches) {
	case 0:
		return "", usageErrorf("no such option: %s", name)
	case 1:
		return matches[0], nil
	}
	return "", usageErrorf("ambiguous option: %s (%s?)", name, strings.Join(matches, ", "))
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
