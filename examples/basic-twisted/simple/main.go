// Command simple starts a reactor with nothing to do. It prints nothing and
// runs until it is stopped: Ctrl-C (SIGINT) or SIGTERM stops the reactor
// cleanly, as Twisted's reactor does, and the program exits quietly.
//
// The reactor sleeps in its backend's wait (epoll on Linux, kqueue on
// macOS): watch it with top, it uses no CPU.
//
// The tutorial's basic-twisted/simple.py. Run it with:
//
//	go run ./examples/basic-twisted/simple
package main

import (
	"fmt"
	"os"

	"gyre/reactor"
)

func main() {
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "simple:", err)
		os.Exit(1)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "simple:", err)
		os.Exit(1)
	}
}
