package progtest

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestRefusedAddr: a connection is refused at once, and the port stays
// taken, so nothing else can listen there while the test runs.
func TestRefusedAddr(t *testing.T) {
	addr := RefusedAddr(t)
	if _, err := net.DialTimeout("tcp", addr, 5*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial %s: %v, want connection refused", addr, err)
	}
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		t.Errorf("could listen on %s: the port is not kept", addr)
	}
}

// TestUnansweredAddr: a connection attempt gets no answer (it times out
// rather than being refused or accepted).
func TestUnansweredAddr(t *testing.T) {
	addr := UnansweredAddr(t)
	_, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("dial %s: %v, want a timeout", addr, err)
	}
}
