package poetry_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"gyre/poetry"
)

func ExamplePoems() {
	for _, name := range poetry.Poems() {
		poem, _ := poetry.Poem(name)
		fmt.Println(name, len(poem))
	}
	// Output:
	// library 3014
	// night-bus 593
	// orchard 608
}

func ExampleParseAddress() {
	for _, arg := range []string{"10000", "localhost:10002", "[::1]:10003", "abc"} {
		addr, err := poetry.ParseAddress(arg)
		if err != nil {
			fmt.Println(arg, "->", err)
			continue
		}
		fmt.Println(arg, "->", addr)
	}
	// Output:
	// 10000 -> 127.0.0.1:10000
	// localhost:10002 -> localhost:10002
	// [::1]:10003 -> [::1]:10003
	// abc -> Ports must be integers.
}

// The command line of a client naming several servers: every argument is
// checked before anything connects, and the first bad one is the error, a
// *AddressError whose message is the tutorial's and whose Input is the
// argument.
func ExampleParseAddresses() {
	addrs, err := poetry.ParseAddresses([]string{"10000", "10001", "poems.example:10002"})
	fmt.Println(addrs, err)
	_, err = poetry.ParseAddresses([]string{"10000", "ten-thousand-and-one", "x"})
	var bad *poetry.AddressError
	if errors.As(err, &bad) {
		fmt.Printf("%v (%q)\n", err, bad.Input)
	}
	// Output:
	// [127.0.0.1:10000 127.0.0.1:10001 poems.example:10002] <nil>
	// Ports must be integers. ("ten-thousand-and-one")
}

func ExampleFormatElapsed() {
	fmt.Println(poetry.FormatElapsed(10*time.Second + 134220*time.Microsecond))
	fmt.Println(poetry.FormatElapsed(3 * time.Second))
	fmt.Println(poetry.FormatElapsed(26 * time.Hour))
	// Output:
	// 0:00:10.134220
	// 0:00:03
	// 1 day, 2:00:00
}

// A slow server sends "10 bytes" as 10 characters: the accented letter
// makes the second chunk one byte longer.
func ExampleChunkLen() {
	poem := []byte("Soft rain, naïve and kind.")
	for len(poem) > 0 {
		n := poetry.ChunkLen(poem, 10)
		fmt.Printf("%d %q\n", n, poem[:n])
		poem = poem[n:]
	}
	// Output:
	// 10 "Soft rain,"
	// 11 " naïve and"
	// 6 " kind."
}

// The slow servers greet each client with its address as Python prints a
// socket address.
func ExampleSocketTuple() {
	fmt.Println(poetry.SocketTuple(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 54626}))
	fmt.Println(poetry.SocketTuple(&net.TCPAddr{IP: net.IPv6loopback, Port: 54627}))
	// Output:
	// ('127.0.0.1', 54626)
	// ('::1', 54627, 0, 0)
}

// What a program prints after "failed to get poetry from ADDR: ".
func ExampleReason() {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	fmt.Println(refused)
	fmt.Println(poetry.Reason(refused))
	fmt.Println(poetry.Reason(errors.New("anything else")))
	// Output:
	// dial tcp: connect: connection refused
	// connection refused
	// anything else
}
