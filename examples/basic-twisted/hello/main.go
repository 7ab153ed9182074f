// Command hello runs a function from inside the reactor loop, with
// CallWhenRunning, then keeps running with nothing more to do (stop it with
// Ctrl-C).
//
// The tutorial's basic-twisted/hello.py. Run it with:
//
//	go run ./examples/basic-twisted/hello
package main

import (
	"fmt"
	"os"

	"gyre/reactor"
)

func hello() {
	fmt.Println("Hello from the reactor loop!")
	fmt.Println("Lately I feel like I'm stuck in a rut.")
}

func main() {
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
	r.CallWhenRunning(hello)
	fmt.Println("Starting the reactor.")
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}
