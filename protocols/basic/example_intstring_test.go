package basic_test

import (
	"errors"
	"fmt"
	"strings"

	"gyre/protocols/basic"
	"gyre/reactor/reactortest"
)

// Echo8 sends back every string it receives, framed the same way.
type Echo8 struct {
	basic.Int8StringReceiver
}

func NewEcho8() *Echo8 {
	e := &Echo8{}
	e.Handler = e
	return e
}

func (e *Echo8) StringReceived(s []byte) {
	_ = e.SendString(s) // a string received fits the one-byte prefix
}

// One-byte length prefixes: strings of at most 255 bytes. SendString
// refuses a longer one before writing anything.
func ExampleInt8StringReceiver() {
	t := reactortest.NewStringTransport()
	e := NewEcho8()
	t.Connect(e)
	t.Receive([]byte("\x05hello\x00\x02hi"))
	fmt.Printf("%q\n", t.Writes())

	err := e.SendString([]byte(strings.Repeat("x", 256)))
	fmt.Println(errors.Is(err, basic.ErrFrameTooLong), len(t.Writes()))
	// Output:
	// ["\x05hello" "\x00" "\x02hi"]
	// true 3
}

// Two-byte big-endian prefixes, fed one byte per read as a slow network
// might: each string is delivered once whole. A prefix announcing more
// than MaxLength is refused as soon as it is read, before the body comes.
func ExampleInt16StringReceiver() {
	t := reactortest.NewStringTransport()
	r := &basic.Int16StringReceiver{}
	r.Handler = printStrings{}
	r.MaxLength = 100
	t.Connect(r)
	for _, b := range []byte("\x00\x03abc\x00\x00\x00\x0ctwelve bytes\x01\x00") {
		t.Receive([]byte{b})
	}
	fmt.Println(r.Err())
	fmt.Println(errors.Is(r.Err(), basic.ErrFrameTooLong), t.Disconnecting())
	// Output:
	// "abc"
	// ""
	// "twelve bytes"
	// basic: 2-byte-prefixed string of 256 bytes: frame longer than the maximum (100)
	// true true
}
