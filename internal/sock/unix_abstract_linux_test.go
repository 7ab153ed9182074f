package sock

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// An abstract name may fill sun_path (108 bytes on Linux), its '@' or
// leading NUL standing for the NUL in the first byte: it needs no
// terminating NUL. A file's path needs one, so it has a byte fewer. The
// abstract name was held to the path's limit.
func TestUnixSockaddrAbstractLimit(t *testing.T) {
	size := len(unix.RawSockaddrUnix{}.Path)
	prefix := fmt.Sprintf("gyre-test-%d-", os.Getpid())
	name := prefix + strings.Repeat("a", size-1-len(prefix)) // one short of sun_path
	for _, c := range []struct {
		path string
		ok   bool
	}{
		{"@" + name, true},
		{"\x00" + name, true},
		{"@" + name + "a", false},
		{"/" + name[1:], true},
		{"/" + name, false},
	} {
		sa, err := UnixSockaddr(c.path)
		if (err == nil) != c.ok {
			t.Errorf("UnixSockaddr of %d bytes starting %q: %v, want ok %v", len(c.path), c.path[0], err, c.ok)
			continue
		}
		if err != nil || c.path[0] == '/' {
			continue
		}
		// The kernel takes the whole name.
		fd, err := Socket(unix.AF_UNIX, unix.SOCK_STREAM)
		if err != nil {
			t.Fatal(err)
		}
		err = Bind(fd, sa)
		Close(fd)
		if err != nil {
			t.Errorf("bind to the abstract name of %d bytes starting %q: %v", len(c.path), c.path[0], err)
		}
	}
}
