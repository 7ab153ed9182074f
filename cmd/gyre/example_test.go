package main

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// Running gyre in-process: what `gyre simulate` prints when its input ends
// before the empty line that would draw the chain (its last lines only).
func Example_simulate() {
	var out strings.Builder
	code := execute(context.Background(), []string{"simulate"}, strings.NewReader("r ab p x\nr ab\n"), &out, os.Stderr)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for _, l := range lines[len(lines)-2:] {
		fmt.Println(l)
	}
	fmt.Println("exit status", code)
	// Output:
	// ERROR: extra arguments
	// ERROR: missing command
	// exit status 0
}

// A usage error is one line on stderr and exit status 2.
func Example_usageError() {
	code := execute(context.Background(), []string{"simulate", "--wide"}, strings.NewReader(""), os.Stdout, os.Stdout)
	fmt.Println("exit status", code)
	// Output:
	// gyre: unknown flag: --wide
	// exit status 2
}
