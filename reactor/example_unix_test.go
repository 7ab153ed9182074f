package reactor_test

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"gyre/reactor"
)

// exampleDir makes a directory for an example's sockets; the caller
// removes it.
func exampleDir() string {
	dir, err := os.MkdirTemp("", "gyre-example")
	if err != nil {
		log.Fatal(err)
	}
	return dir
}

// leaveDeadSocket leaves at path what a server that died leaves: a socket
// file nobody listens on.
func leaveDeadSocket(path string) {
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		log.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
}

// A poetry server on a Unix socket and a client of it. The socket file a
// dead server left at the path is replaced: nobody listened on it.
func ExampleReactor_ListenUnix() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "poems.sock")
	leaveDeadSocket(path)

	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	poem := []byte("Frost on the gate,\nthe latch stiff with it.\n")
	_, err = r.ListenUnix(path, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: poem}
	}))
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
	// Frost on the gate,
	// the latch stiff with it.
	// lost: Connection was closed cleanly.
}

// A client of a socket nobody listens on any more (its server died,
// leaving the file) is refused: the factory hears a *ConnectError wrapping
// ECONNREFUSED, as for TCP.
func ExampleReactor_ConnectUnix() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "poems.sock")
	leaveDeadSocket(path)

	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	r.ConnectUnix(path, &failedFactory{r: r}, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// connect error: true
	// refused: true
}

// Only the socket file's owner and group may connect: connect(2) needs
// write permission on it. The mode is set before anyone can connect,
// whatever the umask, and the file goes when the port stops.
func ExampleWithMode() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "poems.sock")

	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	port, err := r.ListenUnix(path, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: []byte("for the group only")}
	}), reactor.WithMode(0o660))
	if err != nil {
		log.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Mode().Type() == fs.ModeSocket, st.Mode().Perm())
	port.StopListening()
	_, err = os.Stat(path)
	fmt.Println("removed:", errors.Is(err, fs.ErrNotExist))
	// Output:
	// true -rw-rw----
	// removed: true
}
