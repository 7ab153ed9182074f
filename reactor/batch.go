package reactor

import (
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"gyre/reactor/internal/uring"
)

// BatchEnv is the environment variable New reads when no WithBatchedIO
// option is given: GYRE_BATCHED_IO=1 makes every reactor of the process
// batch (so that a whole test suite can run that way), 0 makes none do.
const BatchEnv = "GYRE_BATCHED_IO"

// WithBatchedIO makes the reactor hand the kernel a turn's socket reads
// and writes together instead of one system call each. When a wait
// reports several connections readable, one io_uring_enter(2) receives
// for all of them; a connection's Write copies the bytes into a buffer the
// reactor shares among connections, and once the turn's callbacks have
// run one io_uring_enter sends every connection's output. (A turn with
// one connection readable, or one with output, makes a plain read(2) or
// write(2) instead: one system call either way, and the plain one is
// cheaper.) A connection that closes once its output is sent
// (LoseConnection after Write: a fast poetry server's whole life) has its
// unread input dropped in that same call, as a direct close does, and is
// closed in the next, with the turn's other closes, even when it is the
// turn's only one. A server that answers
// many requests per turn then makes a few system calls per turn instead of
// two or more per request; where each system call is expensive (a virtual
// machine) that is a large part of the cost of a small request.
//
// What a protocol sees does not change: the order of bytes on each
// connection and of the callbacks, LoseConnection after Write (the close
// waits for the send), AbortConnection (batched bytes never go),
// back-pressure (what the socket refuses waits for writability as before),
// PauseProducing (bytes received for a connection paused meanwhile wait
// for ResumeProducing), Buffered (it counts what the socket refused, and
// a batched Write's bytes have not been refused: a server that checks
// Buffered after writing, to find slow clients, finds them when the batch
// has gone, as it would after a direct write). Only the timing moves: the
// bytes leave at the end of the turn, not inside Write. Connections hold no buffer
// between turns: only the reactor's shared ones (64 KiB for output, 128
// KiB for input), whatever the number of connections.
//
// It needs io_uring with sends and receives (Linux 5.6 or later); where
// the kernel has none, or refuses it (a container's seccomp filter,
// io_uring_disabled), the reactor reads and writes as it otherwise would.
// BatchedIO says which. A close follows its send through the ring (the
// send and the drop of unread input in one submission, the closes of the
// turn in the next) only where the kernel cancels what is linked after a
// short send (current kernels; the reactor asks once per process); a
// connection whose peer had left input unread closes the direct way, so
// that its close lingers as it would without batching. A Write larger than 16 KiB is not
// batched: it goes out at once, as without batching (one system call
// carries it well, and batching would copy it); nor are file transfers
// (sendfile). A TLS connection's records are written like any bytes: a
// small answer's are batched, a large one's go at once.
func WithBatchedIO(on bool) Option {
	return func(c *config) { c.batched, c.batchedSet = on, true }
}

// BatchedIO reports whether the reactor batches its reads and writes
// (WithBatchedIO asked for it and the kernel allowed it).
func (r *Reactor) BatchedIO() bool { return r.batch != nil }

// batchEntries is the ring's size: the requests one system call carries
// at most (a turn with more makes several).
const batchEntries = 256

// Completion tags: the kind of request in the top two bits, an arena slot
// (receives) in the bits above 32, and an index into the batch below.
const (
	tagSend    uint64 = 0
	tagRecv    uint64 = 1 << 62
	tagDiscard uint64 = 2 << 62
	tagClose   uint64 = 3 << 62
	tagKind    uint64 = 3 << 62
)

// ioBatch is the ring and what waits for it: the turn's output
// (batch_write.go) and the connections set aside for a receive
// (batch_read.go).
type ioBatch struct {
	ring *uring.Ring

	items []batchItem // one per connection with output waiting (fBatched)
	spare []batchItem // the other list, swapped with items during a flush
	// out holds the turn's output, one connection's after the other's,
	// so that connections keep no buffer of their own between turns.
	// Reset when a flush has sent everything.
	out []byte

	reads []*Conn    // readable connections set aside by the dispatch
	arena []byte     // what their receives share
	done  []recvDone // their completions, read before any is handed over

	// linkedClose: the kernel cancels what is linked after a short send
	// (uring's ShortSendBreaksLink), so the drop of unread input may be
	// linked after a send, and the close follow in the next submission
	// (prepSend, closeItems). Without it closes go the direct way.
	linkedClose bool
}

// newBatch makes the ring, or returns nil where there is none.
func newBatch(cfg *config) *ioBatch {
	on := cfg.batched
	if !cfg.batchedSet {
		on = os.Getenv(BatchEnv) == "1"
	}
	if !on {
		return nil
	}
	ring, err := uring.New(batchEntries)
	if err != nil {
		return nil
	}
	// The shared buffers are made now, not on first use: they are the
	// reactor's, whatever the number of connections, and pages of them
	// that are never written cost no memory.
	return &ioBatch{ring: ring, out: make([]byte, 0, outSize), arena: make([]byte, readArena),
		linkedClose: shortSendBreaksLink(ring)}
}

// The kernel's answer to ShortSendBreaksLink does not change while the
// process runs: the first ring asks, the others reuse the answer.
var (
	linkProbe       sync.Once
	linkProbeAnswer bool
)

func shortSendBreaksLink(ring *uring.Ring) bool {
	linkProbe.Do(func() { linkProbeAnswer = ring.ShortSendBreaksLink() })
	return linkProbeAnswer
}

func (b *ioBatch) close() {
	if b != nil {
		b.ring.Close()
	}
}

// batchFailed gives up on the ring after io_uring_enter itself failed
// (not a request: the kernel refused the call), which leaves unknown what
// was sent. The connections whose output waited are aborted, since their
// peers cannot be told the stream is whole, and the reactor reads and
// writes directly from then on.
func (r *Reactor) batchFailed(waiting []batchItem, err error) {
	r.log().Error("batched I/O failed; reading and writing directly from now on", "error", err)
	b := r.batch
	r.batch = nil
	b.reads = nil
	for _, items := range [][]batchItem{waiting, b.items} {
		for _, it := range items {
			if c := it.c; c != nil && c.flags&fBatched != 0 {
				c.flags &^= fBatched
				c.AbortConnection()
			}
		}
	}
	b.items = nil
	b.close()
}

func tagIndex(tag uint64) int { return int(uint32(tag)) }
func tagSlot(tag uint64) int  { return int(tag &^ tagKind >> 32) }

// errnoOf is a completion's negated errno as an error.
func errnoOf(res int32) unix.Errno { return unix.Errno(-res) }
