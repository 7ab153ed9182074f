package reactor_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// A server on a Unix socket and a client, both from endpoint strings. The
// client's Deferred fires with its protocol once connected.
func ExampleListenEndpoint() {
	dir, err := os.MkdirTemp("", "gyre-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "poems.sock")

	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem := []byte("A lamp in the window,\nthe kettle on.\n")
	_, err = reactor.ListenEndpoint(r, "unix:"+sock+":mode=0600", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: poem}
	}))
	if err != nil {
		log.Fatal(err)
	}
	client := printingPoemClient(r)
	d := reactor.ConnectEndpoint(r, "unix:path="+sock, reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return client }))
	d.AddCallbacks(func(p any) (any, error) {
		fmt.Printf("connected: %T\n", p)
		return nil, nil
	}, func(f *deferred.Failure) (any, error) {
		fmt.Println("cannot connect:", f.Error())
		r.Stop()
		return nil, nil
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// connected: *reactor_test.PoemClient
	// A lamp in the window,
	// the kettle on.
	// lost: Connection was closed cleanly.
}

// A malformed endpoint says which field is wrong and what was expected.
func ExampleParseServerEndpoint() {
	e, err := reactor.ParseServerEndpoint(`tcp6:10000:interface=\:\:1:backlog=64`)
	fmt.Printf("%s %d %s %d\n", e.Type, e.Port, e.Interface, e.Backlog)
	fmt.Println(err)
	_, err = reactor.ParseServerEndpoint("unix:/run/gyre.sock:mode=rw")
	fmt.Println(err)
	// Output:
	// tcp6 10000 ::1 64
	// <nil>
	// endpoint "unix:/run/gyre.sock:mode=rw": mode: expected octal permissions from 1 to 0777, got "rw"
}

// An endpoint parsed once (from a flag, say) is used many times: Listen
// on a ServerEndpoint, Dial on a ClientEndpoint. Dial is the client side
// for a ClientFactory, as ConnectTCP is: it returns the Connector, and
// the connection's outcome goes to the factory, on the loop. Its error
// is only that of an endpoint that cannot be used at all.
func ExampleServerEndpoint_Listen() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	server, err := reactor.ParseServerEndpoint("tcp:0:interface=127.0.0.1") // port 0: the system chooses
	if err != nil {
		log.Fatal(err)
	}
	port, err := server.Listen(r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: []byte("Said once, heard twice.\n")}
	}))
	if err != nil {
		log.Fatal(err)
	}

	client, err := reactor.ParseClientEndpoint("tcp:127.0.0.1:" + portOf(port.Addr().String()))
	if err != nil {
		log.Fatal(err)
	}
	f := &reactor.BaseClientFactory{}
	f.Protocol = func() reactor.Protocol { return printingPoemClient(r) }
	c, err := r.DialEndpoint(client, f) // client.Dial(r, f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("dialing:", c.State())
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// dialing: connecting
	// Said once, heard twice.
	// lost: Connection was closed cleanly.
}

// Datagrams: an echo port and a client port on one reactor.
func ExampleReactor_ListenUDP() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	echo := &Echo{}
	server, err := r.ListenUDP("127.0.0.1:0", echo)
	if err != nil {
		log.Fatal(err)
	}
	client := &Printer{stop: func() { r.Stop() }}
	port, err := r.ListenUDP("127.0.0.1:0", client)
	if err != nil {
		log.Fatal(err)
	}
	r.CallWhenRunning(func() { port.Write([]byte("a line of verse"), server.Addr()) })
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// echo: a line of verse
}

// Echo sends every datagram back where it came from.
type Echo struct{ reactor.BaseDatagramProtocol }

func (e *Echo) DatagramReceived(data []byte, addr *net.UDPAddr) {
	e.Transport.Write(append([]byte("echo: "), data...), addr)
}

// Printer prints the first datagram and stops.
type Printer struct {
	reactor.BaseDatagramProtocol
	stop func()
}

func (p *Printer) DatagramReceived(data []byte, _ *net.UDPAddr) {
	fmt.Println(string(data))
	p.stop()
}

// A client from an endpoint string: the Deferred fires with the protocol
// once it is connected. A malformed string fails at once, naming the
// field, before anything is tried.
func ExampleConnectEndpoint() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: []byte("Chalk on the pavement,\nrain on the chalk.\n")}
	}))
	if err != nil {
		log.Fatal(err)
	}
	client := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return printingPoemClient(r) })

	reactor.ConnectEndpoint(r, "tcp:host=127.0.0.1:port=http", client).AddErrback(func(f *deferred.Failure) (any, error) {
		var ee *reactor.EndpointError
		if errors.As(f, &ee) {
			fmt.Println("malformed:", ee.Field)
		}
		fmt.Println(f.Error())
		return nil, nil
	})

	desc := "tcp:host=127.0.0.1:port=" + portOf(port.Addr().String()) + ":timeout=5"
	reactor.ConnectEndpoint(r, desc, client).AddCallback(func(p any) (any, error) {
		fmt.Printf("connected: %T\n", p)
		return nil, nil
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// malformed: port
	// endpoint "tcp:host=127.0.0.1:port=http": port: expected a number from 1 to 65535, got "http"
	// connected: *reactor_test.PoemClient
	// Chalk on the pavement,
	// rain on the chalk.
	// lost: Connection was closed cleanly.
}

// Cancelling the Deferred of ConnectEndpoint abandons the attempt.
func ExampleConnectEndpoint_cancel() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	d := reactor.ConnectEndpoint(r, "tcp:host=127.0.0.1:port="+portOf(refusingAddr()), reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &reactor.BaseProtocol{}
	}))
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		var ce *reactor.ConnectError
		fmt.Println(errors.As(f, &ce), errors.Is(f, reactor.ErrConnectCancelled))
		return nil, nil
	})
	d.Cancel() // before the loop has run: the attempt never gets an answer
	// Output:
	// true true
}

// portOf returns the port of a host:port address.
func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		log.Fatal(err)
	}
	return port
}

// Client endpoint descriptions, parsed once: positional or named fields,
// the tls: type (also written ssl:), and String to print one back in
// its canonical form.
func ExampleParseClientEndpoint() {
	for _, desc := range []string{
		"tcp:poems.example:10000",
		"ssl:host=poems.example:port=10443:caCerts=/etc/gyre/ca.pem:timeout=2.5",
		"unix:/run/gyre.sock",
		"tcp:host=poems.example",
	} {
		e, err := reactor.ParseClientEndpoint(desc)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s %q %d %q %v -> %s\n", e.Type, e.Host, e.Port, e.Path, e.Timeout, e)
	}
	// Output:
	// tcp "poems.example" 10000 "" 0s -> tcp:host=poems.example:port=10000
	// tls "poems.example" 10443 "" 2.5s -> tls:host=poems.example:port=10443:caCerts=/etc/gyre/ca.pem:timeout=2.5
	// unix "" 0 "/run/gyre.sock" 0s -> unix:path=/run/gyre.sock
	// endpoint "tcp:host=poems.example": port: missing; expected a port number
}

// A ClientEndpoint can be made in code too, with what a string cannot
// hold: here a TLS configuration whose pool of trusted certificates lives
// in memory.
func ExampleClientEndpoint_Connect() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, roots := listenTLSExample(r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: []byte("Sealed, and still a poem.\n")}
	}))
	e := reactor.ClientEndpoint{
		Type:      "tls",
		Host:      "127.0.0.1",
		Port:      port.Addr().(*net.TCPAddr).Port,
		Timeout:   5 * time.Second,
		TLSConfig: &tls.Config{RootCAs: roots}, // ServerName: Host
	}
	e.Connect(r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return printingPoemClient(r) }))
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Sealed, and still a poem.
	// lost: Connection was closed cleanly.
}

// Dial's error is only that of an endpoint that cannot be used at all
// (here a caCerts file that does not exist): nothing is dialled then. A
// connection that fails once tried (here refused) is no error of Dial's:
// the factory hears it, from the loop, as from ConnectTCP.
func ExampleClientEndpoint_Dial() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	unusable, err := reactor.ParseClientEndpoint("tls:host=127.0.0.1:port=10443:caCerts=/nonexistent/gyre-ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	_, err = unusable.Dial(r, &reactor.BaseClientFactory{})
	fmt.Println("unusable:", err)

	refused, err := reactor.ParseClientEndpoint("tcp:127.0.0.1:" + portOf(refusingAddr()))
	if err != nil {
		log.Fatal(err)
	}
	c, err := refused.Dial(r, &failedFactory{r: r}) // prints what it is told, then stops r
	fmt.Println("refused endpoint:", c.State(), err)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// unusable: An error occurred while connecting: open /nonexistent/gyre-ca.pem: no such file or directory.
	// refused endpoint: connecting <nil>
	// connect error: true
	// refused: true
}

// DialEndpoint is Dial as a method of the reactor, which makes *Reactor an
// EndpointDialer: code written against that interface (poetry.GetPoetry
// given an endpoint) connects through a real reactor, as here over a Unix
// socket, or through a test's double.
func ExampleReactor_DialEndpoint() {
	dir, err := os.MkdirTemp("", "gyre-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "poems.sock")

	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	_, err = r.ListenUnix(sock, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: []byte("Dialled by name,\nanswered in kind.\n")}
	}))
	if err != nil {
		log.Fatal(err)
	}
	e, err := reactor.ParseClientEndpoint("unix:" + sock)
	if err != nil {
		log.Fatal(err)
	}
	f := &reactor.BaseClientFactory{}
	f.Protocol = func() reactor.Protocol { return printingPoemClient(r) }
	var dialer reactor.EndpointDialer = r
	if _, err := dialer.DialEndpoint(e, f); err != nil {
		log.Fatal(err)
	}
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Dialled by name,
	// answered in kind.
	// lost: Connection was closed cleanly.
}
