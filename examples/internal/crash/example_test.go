package crash_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

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

// What a program that handles no signal prints at Ctrl-C: the main
// goroutine's stack (elided here: its addresses vary), then the line that
// names Python's exception.
func ExampleReportInterrupt() {
	var b strings.Builder
	crash.ReportInterrupt(&b)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	fmt.Println(strings.HasPrefix(lines[0], "goroutine 1 "), strings.HasSuffix(lines[0], ":"))
	fmt.Println(lines[len(lines)-3])
	fmt.Println(lines[len(lines)-1])
	// Output:
	// true true
	// main.main()
	// KeyboardInterrupt
}

// A program that waits before it hands Ctrl-C over to a reactor (as the
// Twisted client 1.0 connects before reactor.run()): Ctrl-C during the
// wait prints where it waited and kills the program by SIGINT; after stop,
// SIGINT is the reactor's to take (reactor.WithSignalHandling).
func ExampleOnInterrupt() {
	stop := crash.OnInterrupt()
	time.Sleep(10 * time.Millisecond) // a blocking connect, say
	stop()
	fmt.Println("SIGINT handed over")
	// Output: SIGINT handed over
}
