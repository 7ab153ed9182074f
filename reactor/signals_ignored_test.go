package reactor

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
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
	cmd := exec.Command(sh, "-c", `trap '' INT; exec "$0" -test.run='^TestSignalHandlingKeepsIgnoredInterrupt$'`, self)
	cmd.Env = append(os.Environ(), ignoredChildEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "running" {
		t.Fatalf("the child said %q", lines.Text())
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
		lines.Scan()
		t.Fatalf("an ignored SIGINT stopped the reactor (the child said %q)", lines.Text())
	case <-time.After(300 * time.Millisecond): // nothing may happen
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if !lines.Scan() || lines.Text() != "stopped" {
		t.Fatalf("after SIGTERM the child said %q, want stopped", lines.Text())
	}
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("the child did not exit after SIGTERM")
	}
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
