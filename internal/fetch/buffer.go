package fetch

import (
	"io"
	"strings"
)

// Buffer holds a poem as it arrives, in blocks that are filled one after
// the other and never moved. A slice grown by append is copied into one
// twice as large each time it is full: a poem of n bytes leaves about n of
// garbage behind, its last slice may be half empty, and with the
// collector's headroom the process took about 4n. A Buffer takes n, plus
// the spare room of its last block (at most maxBlock), and leaves no
// garbage.
//
// The zero Buffer is empty and ready to use. A copy of a Buffer shares its
// blocks: only one of them may be written to.
type Buffer struct {
	blocks [][]byte
	n      int64
}

// Block sizes: each new block is as large as what the Buffer holds
// already (and the chunk being written), between minBlock and maxBlock, so
// that a short poem takes a few small blocks and a long one few large
// ones.
const (
	minBlock = 512
	maxBlock = 1 << 20
)

// Write appends p. It never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		last := len(b.blocks) - 1
		if last < 0 || len(b.blocks[last]) == cap(b.blocks[last]) {
			size := min(max(b.n, int64(len(p)), minBlock), maxBlock)
			b.blocks = append(b.blocks, make([]byte, 0, size))
			last++
		}
		blk := b.blocks[last]
		k := copy(blk[len(blk):cap(blk)], p)
		b.blocks[last] = blk[:len(blk)+k]
		b.n += int64(k)
		p = p[k:]
	}
	return n, nil
}

// Len is the number of bytes held.
func (b *Buffer) Len() int64 { return b.n }

// WriteTo writes what is held to w, block by block.
func (b *Buffer) WriteTo(w io.Writer) (int64, error) {
	var written int64
	for _, blk := range b.blocks {
		n, err := w.Write(blk)
		written += int64(n)
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// String returns what is held as one string, in a single allocation of
// its size, for what needs the poem in one piece.
func (b *Buffer) String() string {
	var s strings.Builder
	s.Grow(int(b.n))
	b.WriteTo(&s) // a strings.Builder never fails
	return s.String()
}

// Reset empties the Buffer and lets its blocks go.
func (b *Buffer) Reset() { *b = Buffer{} }
