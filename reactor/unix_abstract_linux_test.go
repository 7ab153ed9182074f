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

// An abstract name fills the whole of sun_path (108 bytes: the '@' stands
// for the leading NUL, and no NUL ends it), as package net allows: a
// server listens on it and ConnectUnix reaches it. It was refused as
// longer than 107 bytes, a file path's limit.
func TestUnixAbstractFullName(t *testing.T) {
	prefix := fmt.Sprintf("@gyre-test-%d-%d-", os.Getpid(), time.Now().UnixNano())
	name := prefix + strings.Repeat("a", 108-len(prefix))
	r, _ := newReactor(t, DefaultBackend())
	p, err := r.ListenUnix(name, greeter("full"))
	if err != nil {
		t.Fatalf("ListenUnix of a %d-byte abstract name: %v", len(name), err)
	}
	defer p.StopListening()
	cf := &clientFactory{onFail: func(*Connector, error) { r.Stop() }}
	cf.build = func() *recorder {
		return &recorder{onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) }}
	}
	r.ConnectUnix(name, cf, testTimeout)
	run(t, r)
	if len(cf.protos) != 1 || string(cf.protos[0].data) != "full" {
		t.Fatalf("client: %v, failed %v", cf.protos, cf.failed)
	}
	if _, err := r.ListenUnix(name+"a", greeter("x")); err == nil || !strings.Contains(err.Error(), "at most 108") {
		t.Errorf("ListenUnix of a %d-byte abstract name: %v, want too long", len(name)+1, err)
	}
}
