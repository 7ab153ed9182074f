// Package servercli is the command line the tutorial's poetry servers
// share: the slow server of part 2 in its two editions (examples/
// blocking-server, examples/async-server), the Twisted server of part 11
// (examples/twisted-server-1/fastpoetry, --port and --iface only) and the
// programs of that part's exercises beside it (the slow one keeps the slow
// server's options).
//
// They all take --port and --iface, check the poetry files before
// listening (a bad file is reported at start-up in one line, not to the
// first client), and the slow modes take --delay and --num-bytes, checked
// the same way. Each program keeps its own usage text and its own rules
// for how many files it takes; the options, their help and the checks'
// messages are here, once:
//
//	p := optparse.New("slowpoetry", usage)
//	opts := servercli.ParseSlow(p, os.Args[1:])
//	// opts.Poem, opts.Iface, opts.Port, opts.Delay, opts.NumBytes
//
// Errors go through the optparse parser, as optparse's parser.error:
// usage, then "PROG: error: MESSAGE" on stderr, exit status 2.
//
// The package is plumbing for the example programs, not part of gyre's
// library: the poetry protocol itself is package poetry.
package servercli
