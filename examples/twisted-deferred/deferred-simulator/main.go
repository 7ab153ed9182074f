package main

import (
	"os"

	"gyre/examples/internal/crash"
	"gyre/internal/simulator"
)

func main() {
	// As the original, the program handles no signal, and it spends its
	// time waiting for the user's next line; Python still turns Ctrl-C
	// there into a KeyboardInterrupt, whose traceback shows the wait
	// (raw_input), before it dies by SIGINT. So does this one.
	crash.OnInterrupt()
	os.Exit(simulator.Main("deferred-simulator", os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
