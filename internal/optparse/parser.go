package optparse

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// ErrHelp is returned by ParseArgs when the arguments ask for help (-h or
// --help). Parse handles it by printing the help and exiting with status 0.
var ErrHelp = errors.New("optparse: help requested")

// UsageError is a command-line error, with optparse's message, e.g.
// "no such option: --bogus". Parse and Error print it after the usage.
type UsageError struct {
	Msg string
}

func (e *UsageError) Error() string { return e.Msg }

// Parser is an optparse.OptionParser: the options of one program, its usage
// text, and where help and errors go. Create it with New; the zero value is
// not usable.
type Parser struct {
	// Prog is the program name: it replaces "%prog" and starts error lines.
	Prog string
	// Usage is optparse's usage string: "%prog [options] ..." possibly
	// followed by free text, printed after "Usage: " exactly as written. A
	// leading "usage: " is dropped, as optparse does.
	Usage string
	// Description, if set, is wrapped to the help width and printed after
	// the usage (optparse's description=).
	Description string
	// Width is the help width in columns. Zero means what optparse does:
	// $COLUMNS if it is an integer, else 80, minus 2.
	Width int
	// Stdout and Stderr receive help and errors (nil: os.Stdout, os.Stderr).
	Stdout, Stderr io.Writer
	// Exit ends the program (nil: os.Exit). Tests may replace it; it must
	// not return (panic instead) or the caller carries on after an error.
	Exit func(code int)

	fs   *pflag.FlagSet
	opts []*option
}

// option is what optparse knows about an option beyond the pflag.Flag.
type option struct {
	flag    *pflag.Flag
	short   []string // "-p"
	long    []string // "--port" (the first one is the pflag name)
	metavar string
	deflt   any // the default, for "%default"
}

func (o *option) takesValue() bool { return o.flag.NoOptDefVal == "" }

// New returns a parser for program prog with the given usage text and the
// -h/--help option that optparse always adds first.
func New(prog, usage string) *Parser {
	fs := pflag.NewFlagSet(prog, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard) // pflag prints nothing; this package does
	fs.Usage = func() {}
	p := &Parser{Prog: prog, Usage: usage, fs: fs}
	var help bool // never read: the scanner stops at -h/--help
	p.add("-h, --help", boolValue{&help}, false, "show this help message and exit", true)
	return p
}

// Int adds an option taking an integer, read as optparse's type="int"
// does, and returns where its value is stored. names lists the option
// strings, e.g. "--port" or "-p, --port"; there must be a long one.
func (p *Parser) Int(names string, value int, help string) *int {
	v := &value
	p.add(names, intValue{v}, value, help, false)
	return v
}

// Float adds an option taking a number, read as Python's float() does.
func (p *Parser) Float(names string, value float64, help string) *float64 {
	v := &value
	p.add(names, floatValue{v}, value, help, false)
	return v
}

// String adds an option taking any string.
func (p *Parser) String(names string, value, help string) *string {
	v := &value
	p.add(names, stringValue{v}, value, help, false)
	return v
}

// Bool adds a flag (optparse's action="store_true"): false unless given.
func (p *Parser) Bool(names string, help string) *bool {
	v := new(bool)
	p.add(names, boolValue{v}, false, help, true)
	return v
}

// SetMetavar changes the placeholder shown in the help for an option's
// value (by default the long name in capitals, dashes as underscores:
// "--num-bytes=NUM_BYTES"). name is any of the option's strings.
func (p *Parser) SetMetavar(name, metavar string) {
	for _, o := range p.opts {
		for _, s := range append(o.short, o.long...) {
			if s == name {
				o.metavar = metavar
				return
			}
		}
	}
	panic(fmt.Sprintf("optparse: SetMetavar: no option %q", name))
}

// Changed reports whether the option was given on the command line. name
// is any of its option strings ("--port" or "-p").
func (p *Parser) Changed(name string) bool {
	var f *pflag.Flag
	if long, ok := strings.CutPrefix(name, "--"); ok {
		f = p.fs.Lookup(long)
	} else if short, ok := strings.CutPrefix(name, "-"); ok && len(short) == 1 {
		f = p.fs.ShorthandLookup(short)
	}
	return f != nil && f.Changed
}

// add defines an option in the pflag set. Bad names are programming
// errors and panic, as optparse raises OptionError.
func (p *Parser) add(names string, v pflag.Value, deflt any, help string, isFlag bool) {
	o := &option{deflt: deflt}
	for _, s := range strings.FieldsFunc(names, func(r rune) bool { return r == ',' || r == ' ' }) {
		switch {
		case len(s) > 2 && strings.HasPrefix(s, "--") && s[2] != '-':
			o.long = append(o.long, s)
		case len(s) == 2 && s[0] == '-' && s[1] != '-':
			o.short = append(o.short, s)
		default:
			panic(fmt.Sprintf("optparse: bad option string %q", s))
		}
	}
	if len(o.long) == 0 || len(o.short) > 1 || len(o.long) > 1 {
		panic(fmt.Sprintf("optparse: %q: give one long option and at most one short one", names))
	}
	short := ""
	if len(o.short) == 1 {
		short = o.short[0][1:]
	}
	name := o.long[0][2:]
	if p.fs.Lookup(name) != nil || (short != "" && p.fs.ShorthandLookup(short) != nil) {
		panic(fmt.Sprintf("optparse: conflicting option string(s): %s", names))
	}
	o.flag = p.fs.VarPF(v, name, short, help)
	if isFlag {
		o.flag.NoOptDefVal = boolPresent
	}
	o.metavar = strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	p.opts = append(p.opts, o)
}

func (p *Parser) stdout() io.Writer {
	if p.Stdout != nil {
		return p.Stdout
	}
	return os.Stdout
}

func (p *Parser) stderr() io.Writer {
	if p.Stderr != nil {
		return p.Stderr
	}
	return os.Stderr
}

func (p *Parser) exit(code int) {
	if p.Exit != nil {
		p.Exit(code)
		return
	}
	os.Exit(code)
}

// Parse parses the arguments (without the program name) and returns the
// positional ones. On -h/--help it prints the help to stdout and exits 0;
// on a bad option it prints the usage and the error to stderr and exits 2,
// as optparse's parse_args does.
func (p *Parser) Parse(args []string) []string {
	rest, err := p.ParseArgs(args)
	switch {
	case errors.Is(err, ErrHelp):
		p.PrintHelp()
		p.exit(0)
	case err != nil:
		p.Error(err.Error())
	}
	return rest
}

// Error prints the usage and "PROG: error: MSG" to stderr and exits with
// status 2: optparse's parser.error, for the checks a program makes after
// parsing ("Provide exactly one poetry file.").
func (p *Parser) Error(msg string) {
	fmt.Fprint(p.stderr(), p.usageForError())
	fmt.Fprintf(p.stderr(), "%s: error: %s\n", p.Prog, msg)
	p.exit(2)
}

// Errorf is Error with formatting.
func (p *Parser) Errorf(format string, args ...any) {
	p.Error(fmt.Sprintf(format, args...))
}

// PrintHelp writes the help to stdout (optparse's print_help).
func (p *Parser) PrintHelp() {
	fmt.Fprint(p.stdout(), p.FormatHelp())
}

// ExitWithHelp prints the help to stdout followed by an empty line and
// exits with status 0. It is what the tutorial's clients do when they get
// no address at all (print(parser.format_help()); parser.exit()), which is
// why their help then ends with one more blank line than with --help.
func (p *Parser) ExitWithHelp() {
	fmt.Fprintln(p.stdout(), p.FormatHelp())
	p.exit(0)
}

// ParseArgs parses without printing or exiting: it returns the positional
// arguments, ErrHelp when help was asked for, or a *UsageError with
// optparse's message. Options are processed left to right and the first
// problem wins, as in optparse; options before it keep their values.
func (p *Parser) ParseArgs(args []string) ([]string, error) {
	occs, positional, stop := p.scan(args)
	// Hand the options to pflag in canonical form; it converts the values
	// in order and stops at the first bad one.
	canon := make([]string, len(occs))
	for i, oc := range occs {
		canon[i] = "--" + oc.opt.flag.Name
		if oc.opt.takesValue() {
			canon[i] += "=" + oc.value
		}
	}
	next := 0
	err := p.fs.ParseAll(canon, func(f *pflag.Flag, value string) error {
		oc := occs[next]
		next++
		if err := p.fs.Set(f.Name, value); err != nil {
			var ve *valueError
			if errors.As(err, &ve) {
				return &UsageError{Msg: fmt.Sprintf("option %s: %s: %s", oc.shown, ve, pyRepr(value))}
			}
			return &UsageError{Msg: fmt.Sprintf("option %s: %v", oc.shown, err)}
		}
		return nil
	})
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			return nil, ue
		}
		return nil, &UsageError{Msg: err.Error()}
	}
	if stop != nil {
		return nil, stop
	}
	return positional, nil
}
