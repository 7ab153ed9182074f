// Command simple-poll is simple on a reactor that waits with poll(2)
// instead of the system's default (epoll on Linux, kqueue on macOS): the
// backend is chosen when the reactor is made, and nothing else changes.
//
// The tutorial's basic-twisted/simple-poll.py. Run it with:
//
//	go run ./examples/basic-twisted/simple-poll
package main

import (
	"fmt"
	"os"

	"gyre/reactor"
)

func main() {
	r, err := reactor.New(reactor.WithBackend("poll"), reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "simple-poll:", err)
		os.Exit(1)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "simple-poll:", err)
		os.Exit(1)
	}
}
