package reactor_test

import (
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"gyre/reactor"
)

// PoemServer is the tutorial's fast poetry server protocol: the whole poem
// as soon as the client connects, then close.
type PoemServer struct {
	reactor.BaseProtocol
	poem []byte
}

func (p *PoemServer) ConnectionMade() {
	p.Transport.Write(p.poem)
	p.Transport.LoseConnection()
}

// PoemClient keeps what arrives; the end of the connection is the end of
// the poem.
type PoemClient struct {
	reactor.BaseProtocol
	poem []byte
	done func(poem []byte, reason error)
}

func (p *PoemClient) DataReceived(data []byte) {
	p.poem = append(p.poem, data...) // data is only lent: copy it
}

func (p *PoemClient) ConnectionLost(reason error) { p.done(p.poem, reason) }

// printingPoemClient prints the poem it gets and how the connection
// ended, then stops r.
func printingPoemClient(r *reactor.Reactor) *PoemClient {
	return &PoemClient{done: func(poem []byte, reason error) {
		fmt.Print(string(poem))
		fmt.Println("lost:", reason)
		r.Stop()
	}}
}

// A server and a client in one reactor.
func ExampleReactor_ListenTCP() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem := []byte("Soft rain on the orchard,\nthe ladders put away.\n")
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: poem}
	}))
	if err != nil {
		log.Fatal(err)
	}
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol { return printingPoemClient(r) }
	r.ConnectTCP(port.Addr().String(), client, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Soft rain on the orchard,
	// the ladders put away.
	// lost: Connection was closed cleanly.
}

// refusingAddr returns an address where nothing listens (for the example).
func refusingAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// failedFactory reports a failed connection attempt, as the tutorial's
// client 2 does.
type failedFactory struct {
	reactor.BaseClientFactory
	r *reactor.Reactor
}

func (f *failedFactory) ClientConnectionFailed(c *reactor.Connector, reason error) {
	var ce *reactor.ConnectError
	fmt.Println("connect error:", errors.As(reason, &ce))
	fmt.Println("refused:", errors.Is(reason, syscall.ECONNREFUSED))
	f.r.Stop()
}

// A connection attempt that fails is reported to the factory, from the
// loop, with a *ConnectError wrapping the errno.
func ExampleReactor_ConnectTCP() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	r.ConnectTCP(refusingAddr(), &failedFactory{r: r}, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// connect error: true
	// refused: true
}

// TaskProtocol and TaskFactory are the tutorial's client 2.0 pattern: the
// factory numbers the protocols it builds, and each protocol reaches its
// factory.
type TaskProtocol struct {
	reactor.BaseProtocol
	task int
}

func (p *TaskProtocol) ConnectionLost(error) {
	p.Factory.(*TaskFactory).finished(p.task)
}

type TaskFactory struct {
	reactor.BaseClientFactory
	next, left int
	r          *reactor.Reactor
}

// BuildProtocol passes the factory itself (not the embedded base) to the
// protocols it builds, as Python's ClientFactory.buildProtocol(self, addr).
func (f *TaskFactory) BuildProtocol(addr net.Addr) reactor.Protocol {
	p := f.BuildProtocolFor(f, addr)
	f.next++
	p.(*TaskProtocol).task = f.next
	return p
}

func (f *TaskFactory) finished(task int) {
	fmt.Println("task", task, "finished")
	if f.left--; f.left == 0 {
		f.r.Stop()
	}
}

func ExampleBaseFactory_BuildProtocolFor() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: []byte("a poem")}
	}))
	if err != nil {
		log.Fatal(err)
	}
	f := &TaskFactory{left: 1, r: r}
	f.Protocol = func() reactor.Protocol { return &TaskProtocol{} }
	r.ConnectTCP(port.Addr().String(), f, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// task 1 finished
}

// The tutorial's programs print addresses the way Twisted does.
func ExampleAddressRepr() {
	fmt.Println(reactor.AddressRepr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 10001}))
	fmt.Println(reactor.AddressRepr(&net.TCPAddr{IP: net.IPv6loopback, Port: 10002}))
	fmt.Println(reactor.AddressRepr(&reactor.HostPortAddr{Host: "localhost", Port: 10003}))
	// Output:
	// IPv4Address(type='TCP', host='127.0.0.1', port=10001)
	// IPv6Address(type='TCP', host='::1', port=10002)
	// IPv4Address(type='TCP', host='localhost', port=10003)
}

// FileServer streams a file to each client (sendfile(2) on Linux), then
// closes.
type FileServer struct {
	reactor.BaseProtocol
	path string
}

func (p *FileServer) ConnectionMade() {
	f, err := os.Open(p.path)
	if err != nil {
		p.Transport.AbortConnection()
		return
	}
	reactor.SendFile(p.Transport, f).AddBoth(func(v any) (any, error) {
		f.Close()
		if n, ok := v.(int64); ok {
			fmt.Println("server sent", n, "bytes")
		}
		p.Transport.LoseConnection()
		return nil, nil
	})
}

// A file served with flow control: never read whole into memory, and a
// slow reader makes the server wait rather than buffer.
func ExampleSendFile() {
	dir, err := os.MkdirTemp("", "poem")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "long-poem.txt")
	if err := os.WriteFile(path, make([]byte, 5<<20), 0o600); err != nil {
		log.Fatal(err)
	}
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &FileServer{path: path}
	}))
	if err != nil {
		log.Fatal(err)
	}
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol {
		return &PoemClient{done: func(poem []byte, reason error) {
			fmt.Println("client got", len(poem), "bytes:", reason)
			r.Stop()
		}}
	}
	r.ConnectTCP(port.Addr().String(), client, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// server sent 5242880 bytes
	// client got 5242880 bytes: Connection was closed cleanly.
}

// Two reactors, each on its own goroutine, share one port: the kernel
// spreads the connections between them (gyre serve --loops N).
func ExampleWithReusePort() {
	var ports []*reactor.Port
	addr := "127.0.0.1:0"
	for range 2 {
		r, err := reactor.New()
		if err != nil {
			log.Fatal(err)
		}
		p, err := r.ListenTCP(addr, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
			return &PoemServer{poem: []byte("shared")}
		}), reactor.WithReusePort())
		if err != nil {
			log.Fatal(err)
		}
		addr = p.Addr().String() // the second listens where the first does
		ports = append(ports, p)
		r.Close() // a real server would Run each reactor on a goroutine
	}
	fmt.Println(ports[0].Addr().String() == ports[1].Addr().String())
	// Output:
	// true
}

// A server whose clients take the end of the stream for the end of the
// message arms its port with WithResetOnExit: if the process is killed
// mid-poem (SIGKILL after a stop timeout, the out-of-memory killer), the
// kernel resets every open connection instead of closing it cleanly, so
// no client takes part of a poem for the whole. A poem that ends as meant
// still ends cleanly, as here.
func ExampleWithResetOnExit() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem := []byte("The kettle sings, then stops.\n")
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: poem}
	}), reactor.WithResetOnExit())
	if err != nil {
		log.Fatal(err)
	}
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol { return printingPoemClient(r) }
	r.ConnectTCP(port.Addr().String(), client, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// The kettle sings, then stops.
	// lost: Connection was closed cleanly.
}
