package crash_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"gyre/examples/internal/crash"
)

// What a client that cannot connect prints before exiting: a stack trace
// (elided here: its addresses vary) and the error.
func ExampleReport() {
	var b strings.Builder
	crash.Report(&b, os.NewSyscallError("connect", errors.New("connection refused")))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	fmt.Println(strings.HasPrefix(lines[0], "goroutine "), strings.HasSuffix(lines[0], " [running]:"))
	fmt.Println(lines[len(lines)-1])
	// Output:
	// true true
	// *os.SyscallError: connect: connection refused
}
