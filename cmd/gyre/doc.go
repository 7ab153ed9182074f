// Gyre is the command-line tool of the gyre project, Twisted's asynchronous
// model rebuilt in Go together with the poetry system of Dave Peticolas's
// Twisted tutorial.
//
// Each job is a subcommand (`gyre demo`, `gyre serve`, `gyre get`, `gyre
// simulate`), one file per command (demo.go, serve.go, get.go,
// simulate.go) registered with one line in root.go. root.go builds the
// command tree with cobra; exit.go decides, in one place, what a failed
// command prints and which exit status it gets:
//
//	0  success, or help/--version
//	1  the command failed (one line "gyre: <error>" on stderr)
//	2  usage error: unknown command or flag, bad arguments (same one line)
//	128 + the signal's number, when a signal stopped the command (130 after
//	   SIGINT, 143 after SIGTERM, 129 after SIGHUP), as a shell reports a
//	   process the signal killed; serve exits 0 after a drain that the
//	   first signal began, and 128 + n only when a second one cuts it
//
// A command reports a usage error by returning usageErrorf(...), a failure
// by returning any other error, and a bare exit status (having already said
// what it had to) by returning &exitError{code: n}.
//
// What the commands share: flags.go (flag types: ports, durations in
// seconds or with a unit, one-word choices), fetchview.go (running
// downloads through internal/fetch and showing them, live with
// internal/progress on a terminal or as the tutorial's lines).
//
// gyre serve is the one command whose cost matters (it is measured against
// other servers under load), and its files say how it keeps that cost to
// the library's: servepoems.go (which poems are held in memory and which
// are streamed), serveloop.go (the reactor loops; every counter lives on
// its loop), serveblocking.go (--blocking), logformat.go (an
// allocation-free slog.Handler writing into memory) and logsink.go (the
// goroutine that writes the log, so that no loop ever waits for stderr).
//
// The end-to-end tests run the built binary (main_test.go builds it once);
// testdata/tmux-progress.sh checks the live progress lines in a real
// terminal.
package main
