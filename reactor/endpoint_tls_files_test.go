package reactor_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/reactor"
)

// A key or certificate file that is a FIFO, a device, a directory or
// larger than 16 MiB is refused at once with an error naming it: a FIFO with no writer used to
// block the open forever, and /dev/zero used to be read until the process
// ran out of memory.
func TestPEMFilesMustBeRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "ca.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	t.Cleanup(func() { unblockFIFO(fifo) })
	huge := filepath.Join(t.TempDir(), "huge.pem")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 17<<20); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	cases := []struct{ name, file, want string }{
		{"fifo", fifo, "a named pipe, not a PEM file"},
		{"device", os.DevNull, "a device, not a PEM file"},
		{"directory", t.TempDir(), "a directory, not a PEM file"},
		{"huge", huge, "larger than 16 MiB: not a PEM file"},
	}
	for _, c := range cases {
		t.Run(c.name+"/LoadCertPool", func(t *testing.T) {
			err := within(t, func() error { _, err := reactor.LoadCertPool(c.file); return err })
			if err == nil || !strings.Contains(err.Error(), c.file+": "+c.want) {
				t.Fatalf("LoadCertPool(%s) = %v, want an error saying %q", c.file, err, c.want)
			}
		})
		t.Run(c.name+"/ServerTLSConfig", func(t *testing.T) {
			e, err := reactor.ParseServerEndpoint("tls:0:privateKey=" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			err = within(t, func() error { _, err := e.ServerTLSConfig(); return err })
			var le *reactor.ListenError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), c.file+": "+c.want) {
				t.Fatalf("ServerTLSConfig = %v, want a *ListenError saying %q", err, c.want)
			}
		})
	}
}

// within runs f and fails the test if it has not returned in two seconds.
func within(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(2 * time.Second):
		t.Fatal("still blocked after 2s")
		return nil
	}
}

// unblockFIFO opens fifo for writing and closes it at once, so that a
// reader blocked in its open (without the fix) sees an end of file and
// its goroutine ends with the test.
func unblockFIFO(fifo string) {
	if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		f.Close()
	} // else ENXIO: no reader is blocked on it
}
