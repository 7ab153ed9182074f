package reactortest_test

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/reactor"
	"gyre/reactor/reactortest"
	"gyre/task"
)

// greeter answers each line with a greeting, and hangs up on "bye" after
// a pause: a protocol with input, output, time and a close to test.
type greeter struct {
	reactor.BaseProtocol
	clock reactor.Clock
	buf   []byte
}

func (g *greeter) DataReceived(data []byte) {
	g.buf = append(g.buf, data...) // data is only lent: copy it
	for {
		i := strings.IndexByte(string(g.buf), '\n')
		if i < 0 {
			return
		}
		line := string(g.buf[:i])
		g.buf = g.buf[i+1:]
		if line == "bye" {
			g.clock.CallLater(time.Second, g.Transport.LoseConnection)
			continue
		}
		g.Transport.Write([]byte("hello, " + line + "\n"))
	}
}

func (g *greeter) ConnectionLost(reason error) { fmt.Println("lost:", reason) }

// Unit-testing a protocol: no socket, no reactor running, no sleep. The
// StringTransport records what the protocol writes, the task.Clock moves
// time by hand, and Disconnect delivers the end the protocol asked for.
func ExampleStringTransport() {
	clock := task.NewClock()
	t := reactortest.NewStringTransport()
	t.Connect(&greeter{clock: clock})

	t.Receive([]byte("ada\ngra"))
	t.Receive([]byte("ce\nbye\n"))
	fmt.Printf("%q\n", t.Writes())

	fmt.Println("disconnecting before a second:", t.Disconnecting())
	clock.Advance(time.Second)
	fmt.Println("disconnecting after a second:", t.Disconnecting())
	t.Disconnect()
	// Output:
	// ["hello, ada\n" "hello, grace\n"]
	// disconnecting before a second: false
	// disconnecting after a second: true
	// lost: Connection was closed cleanly.
}

// A client runs on the double of the reactor: GetPoetry connects, the test
// completes the connection, the "server" sends a poem and closes, and the
// Deferred fires, all within the test's own calls.
func ExampleReactor() {
	r := reactortest.NewReactor()
	d := poetry.GetPoetry(r, "127.0.0.1:10000")
	d.AddCallback(func(poem any) (any, error) {
		fmt.Printf("poem: %q\n", poem)
		return nil, nil
	})

	attempt := r.LastConnect()
	fmt.Println("connecting to", attempt.Addr)
	t, _ := attempt.Complete()
	t.Receive([]byte("Twas brillig, "))
	t.Receive([]byte("and the slithy toves"))
	t.ClosePeer()
	// Output:
	// connecting to 127.0.0.1:10000
	// poem: "Twas brillig, and the slithy toves"
}

// Failures are the test's to choose: a refused connection, a reset in the
// middle of a poem, or a server that never answers (the clock runs the
// timeout).
func ExampleConnect_Refuse() {
	r := reactortest.NewReactor()
	report := func(err *deferred.Failure) (any, error) {
		var timeout *poetry.TimeoutError
		fmt.Println(errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, reactor.ErrConnectionLost), errors.As(err, &timeout))
		return nil, nil
	}

	poetry.GetPoetry(r, "127.0.0.1:10000").AddErrback(report)
	r.LastConnect().Refuse()

	poetry.GetPoetry(r, "127.0.0.1:10001").AddErrback(report)
	t, _ := r.LastConnect().Complete()
	t.Receive([]byte("half a po"))
	t.ResetPeer()

	poetry.GetPoetry(r, "127.0.0.1:10002", poetry.WithTimeout(5*time.Second)).AddErrback(report)
	r.Advance(5 * time.Second)
	// Output:
	// true false false
	// false true false
	// false false true
}

// A server's factory is tested the same way: Accept builds its protocol
// for a new StringTransport.
func ExampleListen_Accept() {
	r := reactortest.NewReactor()
	port, _ := r.ListenTCP("127.0.0.1:10000", poetry.NewFastServerFactory([]byte("A short poem.\n")))
	t, _ := port.Accept()
	fmt.Printf("%q, closing: %v\n", t.String(), t.Disconnecting())
	// Output:
	// "A short poem.\n", closing: true
}

// echoToEnd keeps what its peer sends and, at the peer's end of stream,
// answers with the total and shuts its own side: a protocol that takes
// half-closes (reactor.HalfCloseableProtocol).
type echoToEnd struct {
	reactor.BaseProtocol
	n int
}

func (e *echoToEnd) DataReceived(data []byte) { e.n += len(data) }

func (e *echoToEnd) ReadConnectionLost() {
	e.Transport.Write([]byte(fmt.Sprintf("%d bytes\n", e.n)))
	e.Transport.(reactor.TCPTransport).LoseWriteConnection()
}

func (e *echoToEnd) WriteConnectionLost() { fmt.Println("write side shut") }

func (e *echoToEnd) ConnectionLost(reason error) { fmt.Println("lost:", reason) }

// ClosePeer hands a protocol that takes half-closes the peer's end of
// stream as the reactor does, with ReadConnectionLost: the connection stays
// open for its answer, and ends once both sides are shut.
func ExampleStringTransport_ClosePeer() {
	t := reactortest.NewStringTransport()
	t.Connect(&echoToEnd{})
	t.Receive([]byte("twelve bytes"))
	t.ClosePeer()
	fmt.Printf("%q, read side closed: %v\n", t.String(), t.ReadClosed())
	t.Disconnect()
	// Output:
	// write side shut
	// "12 bytes\n", read side closed: true
	// lost: Connection was closed cleanly.
}
