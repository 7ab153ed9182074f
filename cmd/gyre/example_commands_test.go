package main

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// An address gyre get cannot read is a usage error: one line, status 2,
// and nothing is downloaded.
func Example_getBadAddress() {
	code := execute(context.Background(), []string{"get", "10000", "localhost:http"}, strings.NewReader(""), os.Stdout, os.Stdout)
	fmt.Println("exit status", code)
	// Output:
	// gyre: "localhost:http" is not a server address: give PORT, HOST:PORT or [IPV6]:PORT
	// exit status 2
}

// gyre serve checks every poem before it listens on anything.
func Example_serveUnknownPoem() {
	code := execute(context.Background(), []string{"serve", "library", "sonnet-18"}, strings.NewReader(""), os.Stdout, os.Stdout)
	fmt.Println("exit status", code)
	// Output:
	// gyre: sonnet-18: no such file, nor an embedded poem (those are: library, night-bus, orchard)
	// exit status 2
}
