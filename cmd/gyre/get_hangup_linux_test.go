package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A terminal that hangs up under gyre get, the report going to it, ends
// with SIGHUP's status, 129, as get's help says: the report's write to the
// dead terminal failed with EIO, and that error won, status 1. The same
// holds for the figure of --timeline written to that terminal (through
// stdout or /dev/tty), whose error was returned before the status was
// decided.
func TestGetTerminalHangsUp(t *testing.T) {
	for _, args := range [][]string{nil, {"--timeline", "/dev/stdout"}, {"--timeline", "/dev/tty"}} {
		t.Run(strings.Join(append([]string{"get"}, args...), " "), func(t *testing.T) {
			getTerminalHangsUp(t, args...)
		})
	}
}

func getTerminalHangsUp(t *testing.T, args ...string) {
	ctl, tty := openPty(t, 24, 80)
	stalling := slowServers(t, 10, time.Hour, embedded(t, "night-bus"))[0]
	errPath := filepath.Join(t.TempDir(), "stderr")
	errFile, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	cmd := exec.Command(gyreBinary, append(append([]string{"get"}, args...), stalling)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, errFile
	// A session of its own whose controlling terminal is the pty: closing
	// the pty's controlling side sends SIGHUP to it alone.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	go io.Copy(io.Discard, ctl)
	time.Sleep(time.Second) // the download has started, the signals are caught
	tty.Close()
	ctl.Close()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("gyre get did not stop when its terminal hung up")
	}
	msg, _ := os.ReadFile(errPath)
	if code := cmd.ProcessState.ExitCode(); code != 129 || string(msg) != "gyre: hung up\n" {
		t.Errorf("after the terminal hung up: status %d, stderr %q; want 129 and \"gyre: hung up\"", code, msg)
	}
}
