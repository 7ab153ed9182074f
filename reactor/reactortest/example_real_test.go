package reactortest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// upperLines answers each read in capitals: the protocol under test.
type upperLines struct{ reactor.BaseProtocol }

func (u *upperLines) DataReceived(data []byte) {
	u.Transport.Write(bytes.ToUpper(data))
}

// exchangeOverSockets is the body of a test that runs the protocol over
// real sockets on one backend: RealReactor makes the reactor (and closes
// it when the test ends), a goroutine of the test's runs it, and the test
// talks to the server as any client would.
func exchangeOverSockets(t testing.TB, backend string) string {
	r := reactortest.RealReactor(t, backend)
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &upperLines{}
	}))
	if err != nil {
		t.Fatalf("listen on %s: %v", backend, err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	defer func() {
		r.CallFromGoroutine(func() { r.Stop() })
		if err := <-done; err != nil {
			t.Fatalf("run on %s: %v", backend, err)
		}
	}()

	c, err := net.DialTimeout("tcp", port.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial on %s: %v", backend, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second)) // a bug fails the test, never hangs it
	if _, err := c.Write([]byte("over a real socket\n")); err != nil {
		t.Fatalf("write on %s: %v", backend, err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("read on %s: %v", backend, err)
	}
	return line
}

// exampleT stands in for the *testing.T a test is given, which an Example
// has not: it keeps the cleanups RealReactor registers, to run them as the
// test's end would, and makes a fatal error a panic. (Embedding
// testing.TB is what lets it stand in; only these methods are called.)
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()          {}
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

func (t *exampleT) end() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// After the unit tests on a StringTransport, the same protocol over
// sockets, once per backend this system has (reactor.Backends). In a
// test, pass its t (and run each backend as a subtest, t.Run): the
// reactor is then closed when the test or subtest ends.
func ExampleRealReactor() {
	t := &exampleT{}
	defer t.end()
	answers := map[string]bool{}
	for _, backend := range reactor.Backends() {
		answers[exchangeOverSockets(t, backend)] = true
	}
	for answer := range answers {
		fmt.Printf("every backend answered %q\n", answer)
	}
	// Output:
	// every backend answered "OVER A REAL SOCKET\n"
}
