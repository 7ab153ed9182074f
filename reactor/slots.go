package reactor

// slotChunk is how many descriptor slots one chunk of the table holds:
// 256 slots of 40 bytes, 10 KiB.
const slotChunk = 256

// slotTable is the descriptor table: the slot of fd is found by indexing,
// not by a map lookup, so dispatching an event costs two loads.
//
// It grows by whole chunks that never move. A flat slice would have to be
// copied each time it grows; during a burst of connects (ten thousand
// slow clients at once) those copies are garbage, over two megabytes of
// it when the slice grows by a quarter at a time, and garbage is what
// raises the collector's heap target and so the server's resident memory.
// Chunks cost no copy and at most one chunk of slack.
type slotTable struct {
	chunks []*[slotChunk]fdSlot
}

// size is the number of fds the table covers: every fd below it has a
// slot.
func (t *slotTable) size() int { return len(t.chunks) * slotChunk }

// lookup returns the slot of fd, or nil if the table does not reach fd
// (no descriptor was ever registered on it).
func (t *slotTable) lookup(fd int) *fdSlot {
	c := uint(fd) / slotChunk // fds are never negative: a shift
	if c >= uint(len(t.chunks)) {
		return nil
	}
	return &t.chunks[c][uint(fd)%slotChunk]
}

// at returns the slot of fd, which must be below size.
func (t *slotTable) at(fd int) *fdSlot {
	return &t.chunks[uint(fd)/slotChunk][uint(fd)%slotChunk]
}

// grow returns the slot of fd, adding chunks up to it if needed.
func (t *slotTable) grow(fd int) *fdSlot {
	for fd >= t.size() {
		t.chunks = append(t.chunks, new([slotChunk]fdSlot))
	}
	return t.at(fd)
}
