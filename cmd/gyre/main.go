package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A write to a closed pipe (gyre serve 2>&1 | head -3, gyre get
	// --print | head) fails with EPIPE instead of killing the process:
	// a server keeps serving whatever becomes of its log, and every
	// command reports an output error in one line and its own status.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(execute(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
