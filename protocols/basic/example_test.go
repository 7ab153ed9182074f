package basic_test

import (
	"fmt"
	"net"
	"strings"

	"gyre/protocols/basic"
	"gyre/reactor"
)

// Upper is a line protocol: it answers each line with the line in capitals,
// and closes on "bye". It embeds LineReceiver and is its own Handler.
type Upper struct {
	basic.LineReceiver
}

func NewUpper() *Upper {
	u := &Upper{}
	u.Handler = u
	u.Delimiter = []byte("\n")
	return u
}

func (u *Upper) LineReceived(line []byte) {
	if string(line) == "bye" {
		u.LoseConnection()
		return
	}
	u.SendLine([]byte(strings.ToUpper(string(line))))
}

// A line server on the reactor, and a plain Go client talking to it; the
// client's lines arrive cut anywhere, the server sees whole lines.
func ExampleLineReceiver() {
	r, _ := reactor.New()
	defer r.Close()
	port, _ := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return NewUpper() }))
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := net.Dial("tcp", port.Addr().String())
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("hello, wor"))
		c.Write([]byte("ld\nsecond line\nbye\n"))
		buf := make([]byte, 100)
		var got []byte
		for {
			n, err := c.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		fmt.Print(string(got))
	}()
	r.Run()
	// Output:
	// HELLO, WORLD
	// SECOND LINE
}

// printStrings prints each string it receives.
type printStrings struct{}

func (printStrings) StringReceived(s []byte) { fmt.Printf("%q\n", s) }

// A NetstringReceiver fed by hand (as the reactor would, one read at a
// time, cut anywhere); a malformed netstring ends it with a reason.
func ExampleNetstringReceiver() {
	n := &basic.NetstringReceiver{}
	n.Handler = printStrings{}
	n.MaxLength = 100
	n.MakeConnection(&nopTransport{})
	n.DataReceived([]byte("5:hello,0:,1"))
	n.DataReceived([]byte("1:hello world,3:abcX"))
	fmt.Println(n.Err())
	// Output:
	// "hello"
	// ""
	// "hello world"
	// basic: netstring of 3 bytes ends with 'X': malformed frame: want ','
}

// A length-prefixed protocol: SendString writes the 4-byte big-endian
// length and the bytes in one write.
func ExampleInt32StringReceiver() {
	out := &nopTransport{}
	s := &basic.Int32StringReceiver{}
	s.Handler = printStrings{}
	s.MakeConnection(out)
	s.SendString([]byte("ping"))
	fmt.Printf("% x\n", out.written)
	s.DataReceived(out.written) // loop it back
	// Output:
	// 00 00 00 04 70 69 6e 67
	// "ping"
}

// nopTransport keeps what is written and does nothing else.
type nopTransport struct {
	reactor.Transport // the methods not needed here
	written           []byte
}

func (t *nopTransport) WriteSequence(bs [][]byte) {
	for _, b := range bs {
		t.written = append(t.written, b...)
	}
}
func (t *nopTransport) LoseConnection()     {}
func (t *nopTransport) Disconnecting() bool { return false }
