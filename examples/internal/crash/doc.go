// Package crash ends a tutorial program the way its Python original ends
// on an exception that nothing catches.
//
// Some of the tutorial's first clients (blocking, asynchronous, Twisted
// 1.0) do not handle a refused connection at all: Python prints the
// traceback and the exception, and the program exits with status 1. The
// tutorial builds on that flaw (part 5 says client 1.0 "just crashes", and
// part 4's first exercise is to make it survive), so gyre's programs keep
// it, in Go's terms: Exit prints the goroutine's stack trace, then the
// error as "TYPE: MESSAGE" (Go's type where Python names the exception's
// class), and exits with status 1. It is not a panic: a panic exits with
// status 2 and says "panic:", which gyre's programs never do.
//
// The same programs handle no signal, as their originals handle none (the
// Twisted client only until its reactor runs). Python turns Ctrl-C into a
// KeyboardInterrupt all the same: the traceback shows where the program was
// waiting, and the program then dies by SIGINT. OnInterrupt makes a Go
// program end so: the main goroutine's stack, then "KeyboardInterrupt",
// then death by SIGINT.
package crash
