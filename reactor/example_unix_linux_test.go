package reactor_test

import (
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"gyre/reactor"
)

// credentialsServer tells each client who it is, from what the kernel
// recorded when it connected, not from anything the client says.
type credentialsServer struct{ reactor.BaseProtocol }

func (p *credentialsServer) ConnectionMade() {
	cred, err := p.Transport.(*reactor.Conn).PeerCredentials()
	if err != nil {
		p.Transport.Write([]byte(fmt.Sprintln("no credentials:", err)))
	} else {
		p.Transport.Write([]byte(fmt.Sprintf("my user: %v, my process: %v\n", cred.UID == os.Getuid(), cred.PID == os.Getpid())))
	}
	p.Transport.LoseConnection()
}

// A server on a Unix socket knows who connected (SO_PEERCRED, Linux):
// here the client is the same process.
func ExampleConn_PeerCredentials() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "trusted.sock")

	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	_, err = r.ListenUnix(path, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &credentialsServer{}
	}), reactor.WithMode(0o600))
	if err != nil {
		log.Fatal(err)
	}
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol { return printingPoemClient(r) }
	r.ConnectUnix(path, client, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// my user: true, my process: true
	// lost: Connection was closed cleanly.
}
