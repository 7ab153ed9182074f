package basic_test

import (
	"errors"
	"fmt"

	"gyre/protocols/basic"
	"gyre/reactor/reactortest"
)

// Shout is a line protocol with no raw mode and no pausing, so it takes
// the simpler, faster framer: it answers each line with the line and
// "!", and accepts lines of at most 12 bytes.
type Shout struct {
	basic.LineOnlyReceiver
}

func NewShout() *Shout {
	s := &Shout{}
	s.Handler = s
	s.MaxLength = 12
	return s
}

func (s *Shout) LineReceived(line []byte) {
	// line is a window on the read buffer: build the answer apart, never
	// by appending to it.
	s.SendLine(fmt.Appendf(nil, "%s!", line))
}

// A LineOnlyReceiver on a StringTransport: lines arrive cut anywhere and
// are delivered whole; a line over MaxLength, even one whose delimiter
// has not come yet, loses the connection with ErrFrameTooLong.
func ExampleLineOnlyReceiver() {
	t := reactortest.NewStringTransport()
	s := NewShout()
	t.Connect(s)
	t.Receive([]byte("hel"))
	t.Receive([]byte("lo\r\nworld\r\nthis line never"))
	fmt.Printf("%q\n", t.Writes())
	fmt.Println(errors.Is(s.Err(), basic.ErrFrameTooLong), t.Disconnecting())
	// Output:
	// ["hello!\r\n" "world!\r\n"]
	// true true
}
