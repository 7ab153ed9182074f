// Gyre is the command-line tool of the gyre project, Twisted's asynchronous
// model rebuilt in Go together with the poetry system of Dave Peticolas's
// Twisted tutorial.
//
// Each job is a subcommand (`gyre simulate`, ...), one file per command
// (simulate.go) registered with one line in root.go. root.go builds the
// command tree with cobra; exit.go decides, in one place, what a failed
// command prints and which exit status it gets:
//
//	0  success, or help/--version
//	1  the command failed (one line "gyre: <error>" on stderr)
//	2  usage error: unknown command or flag, bad arguments (same one line)
//
// A command reports a usage error by returning usageErrorf(...), a failure
// by returning any other error, and a bare exit status (having already said
// what it had to) by returning &exitError{code: n}.
package main
