// Command stack prints the goroutine's stack from inside a callback: the
// callback is at the top, called by the reactor, whose Run is below it,
// called by main. Our code runs because the reactor calls it.
//
// The message keeps the tutorial's words ("The python stack:"); the stack
// itself is Go's, on standard error. Stop the program with Ctrl-C.
//
// The tutorial's basic-twisted/stack.py. Run it with:
//
//	go run ./examples/basic-twisted/stack
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"gyre/reactor"
)

func stack() {
	fmt.Println("The python stack:")
	debug.PrintStack()
}

func main() {
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "stack:", err)
		os.Exit(1)
	}
	r.CallWhenRunning(stack)
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "stack:", err)
		os.Exit(1)
	}
}
