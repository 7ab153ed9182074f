// Package optparse gives gyre's example programs the command line of the
// tutorial's Python programs, which all use Python's optparse module.
//
// Reproducing optparse matters because the examples are checked line for
// line against transcripts of the originals. What optparse does, and this
// package does too:
//
//   - options anywhere among the positional arguments
//     ("--port 10000 poem.txt --num-bytes 30"), "--opt value" and
//     "--opt=value", "-o value" and "-ovalue", "--" to end the options;
//   - unambiguous abbreviations of long options ("--num" for "--num-bytes");
//   - integers read the way optparse reads them ("0x1f", "010" is octal,
//     "1_000") and floats the way Python's float() does;
//   - help ("-h", "--help") on stdout with exit status 0, laid out by
//     optparse's IndentedHelpFormatter: "Usage: ...", the description,
//     then "Options:" with the help text wrapped by Python's textwrap at
//     the width optparse assumes ($COLUMNS, else 80, minus 2);
//   - errors as the usage, a blank line and "PROG: error: MESSAGE" on
//     stderr with exit status 2, with optparse's messages: "no such option:
//     --bogus", "option --port: invalid integer value: 'abc'",
//     "option --delay: invalid floating-point value: 'abc'",
//     "--port option requires 1 argument", "ambiguous option: --p (--port,
//     --print?)", "--print option does not take a value".
//
// The options themselves are github.com/spf13/pflag flags: this package
// tokenises the command line by optparse's rules, hands the options to a
// pflag.FlagSet in their canonical "--name=value" form, and prints help and
// errors the optparse way. A program needs three or four lines:
//
//	p := optparse.New("slowpoetry", usage)
//	port := p.Int("--port", 0, "The port to listen on.")
//	args := p.Parse(os.Args[1:]) // exits on -h or a bad option
//	if len(args) != 1 {
//		p.Error("Provide exactly one poetry file.")
//	}
//
// As in optparse, "%prog" in the usage and the description stands for the
// program name, and "%default" in a help text for the option's default
// value (the Go default: optparse would print "none" for an option without
// one).
//
// Where this package knowingly differs from optparse: integers must fit in
// a Go int, and only ASCII digits count as digits (Python also takes other
// Unicode decimal digits).
package optparse
