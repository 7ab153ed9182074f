package reactor

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// A name starting with '@' is a socket in the abstract namespace: no file
// is made, checked, chmod-ed or removed, a file of that name in the working
// directory is left alone, and the name is free again after StopListening.
func TestListenUnixAbstract(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	name := fmt.Sprintf("@gyre-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	if err := os.WriteFile(name, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, _ := newReactor(t, DefaultBackend())
	p, err := r.ListenUnix(name, greeter("x"), WithMode(0o600))
	if err != nil {
		t.Fatalf("ListenUnix(%q): %v", name, err)
	}
	if _, err := r.ListenUnix(name, greeter("y")); !strings.Contains(fmt.Sprint(err), "Address already in use") {
		t.Errorf("second listener on the same abstract name: %v", err)
	}
	var got string
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := net.DialTimeout("unix", name, testTimeout)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got = string(b)
	}()
	run(t, r)
	if got != "x" {
		t.Errorf("client read %q", got)
	}
	if b, err := os.ReadFile(name); err != nil || string(b) != "keep" {
		t.Errorf("the file named like the socket: %q, %v", b, err)
	}
	p.StopListening()
	r2, _ := newReactor(t, DefaultBackend())
	p2, err := r2.ListenUnix(name, greeter("z"))
	if err != nil {
		t.Fatalf("the name is not free after StopListening: %v", err)
	}
	p2.StopListening()
}
