package reactor_test

import (
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"

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
	client := &PoemClient{done: func(poem []byte, reason error) {
		fmt.Print(string(poem))
		fmt.Println("lost:", reason)
		r.Stop()
	}}
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
	// endpoint "unix:/run/gyre.sock:mode=rw": mode: expected octal permissions from 0 to 0777, got "rw"
}
