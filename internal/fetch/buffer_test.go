package fetch

import (
	"bytes"
	"strings"
	"testing"
)

// A Buffer gives back what was written, however it was cut, and holds no
// more than one block beyond it.
func TestBuffer(t *testing.T) {
	data := make([]byte, 5<<20+123)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, chunk := range []int{1, 30, 4096, 65536, 3 << 20} {
		var b Buffer
		for rest := data; len(rest) > 0; {
			n := min(chunk, len(rest))
			if k, err := b.Write(rest[:n]); k != n || err != nil {
				t.Fatalf("chunks of %d: Write = %d, %v", chunk, k, err)
			}
			rest = rest[n:]
		}
		var out bytes.Buffer
		if n, err := b.WriteTo(&out); n != int64(len(data)) || err != nil || !bytes.Equal(out.Bytes(), data) {
			t.Errorf("chunks of %d: WriteTo = %d, %v, same bytes %v", chunk, n, err, bytes.Equal(out.Bytes(), data))
		}
		if b.Len() != int64(len(data)) || b.String() != string(data) {
			t.Errorf("chunks of %d: Len %d, String same %v", chunk, b.Len(), b.String() == string(data))
		}
		held := 0
		for _, blk := range b.blocks {
			held += cap(blk)
		}
		if held > len(data)+maxBlock {
			t.Errorf("chunks of %d: %d bytes of blocks for %d", chunk, held, len(data))
		}
		b.Reset()
		if b.Len() != 0 || b.String() != "" {
			t.Errorf("after Reset: %d bytes", b.Len())
		}
	}
}

// A short poem of small reads costs a few allocations, not one per read.
func TestBufferAllocations(t *testing.T) {
	chunk := []byte(strings.Repeat("x", 30))
	allocs := testing.AllocsPerRun(20, func() {
		var b Buffer
		for range 100 { // 3000 bytes, the size of the library poem
			b.Write(chunk)
		}
	})
	if allocs > 8 {
		t.Errorf("%.0f allocations for 100 writes of 30 bytes", allocs)
	}
}
