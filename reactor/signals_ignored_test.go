package reactor

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/progtest"
)

// ignoredChildEnv makes the test binary the child of
// TestSignalHandlingKeepsIgnoredInterrupt.
const ignoredChildEnv = "GYRE_IGNORED_SIGINT_CHILD"

// TestSignalHandlingKeepsIgnoredInterrupt: a program started with SIGINT
// ignored (a shell script's background job) keeps ignoring it under
// WithSignalHandling, as under Twisted, and still stops on SIGTERM.
// os/signal's Notify turned the ignored SIGINT back on, so the Ctrl-C
// meant for the script stopped the job.
func TestSignalHandlingKeepsIgnoredInterrupt(t *testing.T) {
	if os.Getenv(ignoredChildEnv) != "" {
		ignoredInterruptChild()
		return
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to start the child with SIGINT ignored")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := progtest.StartWith(t, progtest.Options{Env: []string{ignoredChildEnv + "=1"}},
		sh, "-c", `trap '' INT; exec "$0" -test.run='^TestSignalHandlingKeepsIgnoredInterrupt$'`, self)
	p.WaitLine(regexp.MustCompile(`^running$`), testTimeout)
	syscall.Kill(p.Pid(), syscall.SIGINT)
	time.Sleep(300 * time.Millisecond) // nothing may happen
	if !p.Running() {
		t.Fatalf("an ignored SIGINT stopped the reactor (the child said %q)", p.Stdout())
	}
	syscall.Kill(p.Pid(), syscall.SIGTERM)
	p.WaitLine(regexp.MustCompile(`^stopped$`), testTimeout)
	p.Wait(testTimeout)
}

// ignoredInterruptChild runs a reactor with WithSignalHandling until a
// signal stops it, saying when it runs and when it has stopped.
func ignoredInterruptChild() {
	r, err := New(WithSignalHandling())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	r.CallWhenRunning(func() { fmt.Println("running") })
	if err := r.Run(); err != nil && !strings.Contains(err.Error(), "stopped") {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("stopped")
	os.Exit(0)
}
