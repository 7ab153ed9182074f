package main

import (
	"os"

	"gyre/internal/simulator"
)

func main() {
	os.Exit(simulator.Main("deferred-simulator", os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
