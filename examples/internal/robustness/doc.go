// Package robustness holds the tests that run every poetry program at
// once against what goes wrong: the tutorial's clients and servers under
// examples/ and gyre's commands, given bad arguments, and the clients
// given servers that reset, names that do not resolve and ports that
// refuse.
//
// Each program's own tests check its exact messages against the
// reference transcripts; the tables here check the rules that hold for
// all of them (issue 8), so that a new program or a new kind of bad input
// is one row:
//
//   - bad input gets a clear error: for the tutorial's optparse programs
//     the usage, an empty line and "PROG: error: MESSAGE" on stderr, exit
//     status 2; for a failure found later (a port in use) one line, exit
//     status 1; for gyre one line "gyre: MESSAGE";
//   - never a Go panic ("panic:", "goroutine " on the output), never a
//     hang (every run is bounded and fails the test when it overruns);
//   - a poem cut short by a reset is never printed as if it were whole;
//     a client whose original survives a failure keeps the poems it did
//     get, and one whose original crashes (blocking, asynchronous, 1.0)
//     crashes the same way: a Go stack trace and the error, exit status 1,
//     never a panic; client 3.0 waits for ever, as its original does.
//
// An empty poem file is refused by every server (slowpoetry, fastpoetry
// and gyre serve) as a usage error: serving nothing and closing would look
// to a client exactly like a poem that is empty, and a server started on
// an empty file is almost always a mistake.
//
// The package has no code of its own, only tests; it builds the programs
// with internal/progtest and uses examples/internal/poetrytest's servers.
package robustness
