package reactor

import (
	"bytes"
	"testing"
	"unsafe"
)

// WriteShared keeps what the socket refused by reference (no copy), and a
// later Write copies what remains instead of writing into the lent array;
// the peer still gets every byte in order.
func TestWriteSharedKeepsNoCopy(t *testing.T) {
	r, _ := newReactor(t, "epoll", directWrites)
	c, peer := pairConn(t, r, &recorder{})
	data := pattern(1 << 20)
	orig := bytes.Clone(data)
	c.WriteShared(data)
	n := c.Buffered()
	if n == 0 || n == len(data) {
		t.Fatalf("buffered %d of %d: want a partial write", n, len(data))
	}
	x := c.extra
	if !x.lent || unsafe.SliceData(x.wbuf) != &data[len(data)-n] {
		t.Fatal("the unsent part was copied, not lent")
	}
	if cap(x.wbuf) != len(x.wbuf) {
		t.Fatalf("lent buffer has spare capacity %d: an append would write into the caller's array", cap(x.wbuf)-len(x.wbuf))
	}
	c.Write([]byte("tail"))
	if x.lent || unsafe.SliceData(x.wbuf) == &data[len(data)-n] {
		t.Fatal("a Write after WriteShared kept using the lent array")
	}
	if !bytes.Equal(data, orig) {
		t.Fatal("the caller's bytes were changed")
	}
	var got []byte
	for i := 0; c.Buffered() > 0; i++ {
		if i > 100000 {
			t.Fatal("buffer never drained")
		}
		got = append(got, readSome(t, peer)...)
		if err := c.DoWrite(); err != nil {
			t.Fatal(err)
		}
	}
	got = append(got, readSome(t, peer)...)
	if want := append(bytes.Clone(orig), "tail"...); !bytes.Equal(got, want) {
		t.Fatalf("peer got %d bytes, want %d", len(got), len(want))
	}
}

// Draining a lent buffer forgets it, so the next partial Write copies into
// a buffer of the connection's own.
func TestWriteSharedDrainedForgetsTheLoan(t *testing.T) {
	r, _ := newReactor(t, "epoll", directWrites)
	c, peer := pairConn(t, r, &recorder{})
	data := pattern(256 << 10)
	c.WriteShared(data)
	for i := 0; c.Buffered() > 0; i++ {
		if i > 100000 {
			t.Fatal("buffer never drained")
		}
		readSome(t, peer)
		if err := c.DoWrite(); err != nil {
			t.Fatal(err)
		}
	}
	if c.extra.lent || c.extra.wbuf != nil {
		t.Fatal("drained buffer still lent")
	}
}
