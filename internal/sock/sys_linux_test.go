package sock

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Writev clears its vector afterwards, so the scratch space does not keep
// the caller's buffers alive.
func TestWritevClearsVector(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	var iov Iovecs
	n, err := iov.Writev(p[1], [][]byte{[]byte("x"), nil, []byte("yz")})
	if n != 3 || err != nil {
		t.Fatalf("Writev = %d, %v; want 3, nil", n, err)
	}
	if cap(iov.v) == 0 {
		t.Fatal("Writev kept no vector")
	}
	for _, v := range iov.v[:cap(iov.v)] {
		if v.Base != nil {
			t.Fatal("iovec still points at a buffer")
		}
	}
	buf := make([]byte, 8)
	if n, _ := unix.Read(p[0], buf); string(buf[:n]) != "xyz" {
		t.Errorf("read %q", buf[:n])
	}
}
