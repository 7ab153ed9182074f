package reactor_test

import (
	"fmt"
	"log"
	"net"
	"strings"
	"time"

	"gyre/reactor"
)

// sharedPoemServer writes one poem, shared by every connection, without a
// copy per client: what a slow client's socket has not taken yet stays a
// reference into the same bytes.
type sharedPoemServer struct {
	reactor.BaseProtocol
	poem []byte // never changed while served
}

func (p *sharedPoemServer) ConnectionMade() {
	p.Transport.(*reactor.Conn).WriteShared(p.poem)
	p.Transport.LoseConnection()
}

// A poem served with WriteShared: each of three clients gets it whole.
func ExampleConn_WriteShared() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem := []byte(strings.Repeat("the same lines for everyone,\n", 40000)) // about 1 MB
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &sharedPoemServer{poem: poem}
	}))
	if err != nil {
		log.Fatal(err)
	}
	left := 3
	for range left {
		client := &reactor.BaseClientFactory{}
		client.Protocol = func() reactor.Protocol {
			return &PoemClient{done: func(got []byte, reason error) {
				fmt.Println(len(got) == len(poem), reason)
				if left--; left == 0 {
					r.Stop()
				}
			}}
		}
		r.ConnectTCP(port.Addr().String(), client, 5*time.Second)
	}
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// true Connection was closed cleanly.
	// true Connection was closed cleanly.
	// true Connection was closed cleanly.
}
