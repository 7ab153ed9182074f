// Package poetrytest is the test kit for gyre's poetry programs under
// examples/: the tutorial's clients and servers, tested by running them.
//
// For testing clients, it runs poetry servers inside the test binary:
// StartSlowServer serves a poem the way the tutorial's slow server does (a
// few characters per send, a pause after each, then the connection closed)
// on a loopback port the system picks, but serves every client at once so
// that it never becomes the bottleneck a test measures.
// StartStaggeredServers paces several of them so that their poems finish in
// a known order. StartTutorialServers are the tutorial's three slow servers
// scaled down (the blocking and asynchronous clients' measurements), and
// StartScenario three staggered servers whose poems finish in a known
// order (the Twisted clients' tests). RefusedAddr gives an address where
// nothing listens, for the "connection refused" cases; StartSilentServer
// one that accepts and never sends (for timeouts); StartHoldingServer one
// that sends the start of a poem and then nothing (to interrupt);
// StartResettingServer one that resets the connection in the middle of a
// poem.
//
// The checks every client or server test makes are here once: Program
// names a tutorial program (its binary, its transcript, its reference text
// in gyre's conventions); ReplayRuns replays a transcript's runs and
// compares all the program prints; CheckClientUsage, ClientHelp and
// WithPrintOption cover the first clients' command line;
// CheckSlowServerArguments and its siblings the slow server's;
// OnBackend and CheckUnknownBackend run a reactor program on a given
// backend (GYRE_REACTOR); CheckStack reads a Go stack trace, and
// CheckCrash the stack trace and error of a program that crashes as its
// original does (examples/internal/crash); GoTypes maps the exception
// classes of the reference's Failures to gyre's error types.
//
// For testing servers, StartServerProgram runs a server program and waits
// for its "Serving FILE on port P." line; PoemFile and WriteFile put a poem
// (one of gyre's embedded poems, or any bytes) in a temporary file to serve;
// FreePort finds a port for a server program to listen on, and Dial
// connects to it.
//
// GyreText adapts text from the reference transcripts of the Python
// originals to the team's conventions (program names without ".py", "go
// run" commands, the note on the tutorial's poems in the servers' help),
// so that a program's help and errors can be compared with
// the original's character for character. StartReferenceServers stands in
// for the servers the Twisted clients' transcripts were made with, and its
// PortMap replays a transcript's run against them by mapping the ports.
//
// Building and running the programs is internal/progtest's job; this
// package only adds what is specific to poetry.
package poetrytest
