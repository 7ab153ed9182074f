package uring

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrUnsupported is New's error where the kernel has no io_uring, or
// refuses it (io_uring_disabled, a seccomp filter such as a container's).
var ErrUnsupported = errors.New("uring: io_uring is not available on this system")

// The kernel's interface (include/uapi/linux/io_uring.h), only what is used.
const (
	opClose = 19 // IORING_OP_CLOSE
	opSend  = 26 // IORING_OP_SEND
	opRecv  = 27 // IORING_OP_RECV

	sqeLink     = 1 << 2 // IOSQE_IO_LINK: the next entry runs after this one, if it succeeds
	sqeHardLink = 1 << 3 // IOSQE_IO_HARDLINK: the next entry runs after this one, whatever its result

	setupClamp       = 1 << 4 // IORING_SETUP_CLAMP: fewer entries rather than EINVAL
	setupSubmitAll   = 1 << 7 // IORING_SETUP_SUBMIT_ALL: one bad entry does not stop the rest
	setupCoopTaskrun = 1 << 8 // IORING_SETUP_COOP_TASKRUN: no interrupt to post completions

	enterGetEvents = 1 << 0 // IORING_ENTER_GETEVENTS

	featSingleMmap = 1 << 0 // IORING_FEAT_SINGLE_MMAP: one mapping for both rings

	offSQRing = 0          // IORING_OFF_SQ_RING
	offCQRing = 0x8000000  // IORING_OFF_CQ_RING
	offSQEs   = 0x10000000 // IORING_OFF_SQES
)

// ringOffsets is io_sqring_offsets and io_cqring_offsets: where each field
// of a ring sits in its mapping. The two structures have the same shape;
// only the names of their fifth to seventh fields differ.
type ringOffsets struct {
	head, tail, ringMask, ringEntries uint32
	flagsOrOverflow                   uint32 // sq: flags; cq: overflow
	droppedOrCQEs                     uint32 // sq: dropped; cq: cqes
	arrayOrFlags                      uint32 // sq: array; cq: flags
	resv1                             uint32
	userAddr                          uint64
}

// params is struct io_uring_params (120 bytes).
type params struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sq, cq                                                                 ringOffsets
}

// sqe is struct io_uring_sqe (64 bytes), the fields a send or receive uses.
type sqe struct {
	opcode   uint8
	flags    uint8
	ioprio   uint16
	fd       int32
	off      uint64
	addr     uint64
	len      uint32
	msgFlags uint32
	userData uint64
	bufIndex uint16
	_        uint16
	_        int32
	_        [2]uint64
}

// cqe is struct io_uring_cqe (16 bytes).
type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

// Ring is one io_uring instance: the submission queue entries this side
// fills, the kernel's completions it reads.
type Ring struct {
	fd int

	sqMap, cqMap, sqeMap []byte
	single               bool // cqMap is sqMap (IORING_FEAT_SINGLE_MMAP)

	sqHead, sqTail *uint32 // the kernel advances sqHead as it consumes entries
	sqMask         uint32
	sqEntries      uint32
	sqes           []sqe
	queued         uint32 // entries filled since the last Submit
	tail           uint32 // our copy of *sqTail plus queued

	cqHead, cqTail *uint32 // the kernel advances cqTail as it completes
	cqMask         uint32
	cqes           []cqe

	inflight int // submitted, completion not read yet
}

// New sets up a ring with room for entries submissions at a time (the
// kernel rounds up to a power of two; Space says what was granted).
func New(entries uint32) (*Ring, error) {
	var p params
	p.flags = setupClamp | setupSubmitAll | setupCoopTaskrun
	fd, err := setup(entries, &p)
	if err == unix.EINVAL {
		// An older kernel that knows none of the flags.
		p = params{}
		fd, err = setup(entries, &p)
	}
	if err != nil {
		if err == unix.ENOSYS || err == unix.EPERM || err == unix.EACCES {
			return nil, fmt.Errorf("%w (io_uring_setup: %v)", ErrUnsupported, err)
		}
		return nil, os.NewSyscallError("io_uring_setup", err)
	}
	if err := checkOps(fd); err != nil {
		unix.Close(fd)
		return nil, err
	}
	r := &Ring{fd: fd}
	if err := r.mapRings(&p); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func setup(entries uint32, p *params) (int, error) {
	fd, _, e := unix.RawSyscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(p)), 0)
	if e != 0 {
		return -1, e
	}
	unix.CloseOnExec(int(fd))
	return int(fd), nil
}

// mapRings maps the two rings and the submission entries, and fills the
// submission array once with the identity: entry i is always slot i, so
// only the tail moves.
func (r *Ring) mapRings(p *params) error {
	sqSize := int(p.sq.arrayOrFlags) + int(p.sqEntries)*4
	cqSize := int(p.cq.droppedOrCQEs) + int(p.cqEntries)*int(unsafe.Sizeof(cqe{}))
	single := p.features&featSingleMmap != 0
	r.single = single
	if single {
		sqSize = max(sqSize, cqSize)
	}
	var err error
	if r.sqMap, err = mmap(r.fd, offSQRing, sqSize); err != nil {
		return err
	}
	r.cqMap = r.sqMap
	if !single {
		if r.cqMap, err = mmap(r.fd, offCQRing, cqSize); err != nil {
			return err
		}
	}
	if r.sqeMap, err = mmap(r.fd, offSQEs, int(p.sqEntries)*int(unsafe.Sizeof(sqe{}))); err != nil {
		return err
	}
	r.sqHead = word(r.sqMap, p.sq.head)
	r.sqTail = word(r.sqMap, p.sq.tail)
	r.sqMask = *word(r.sqMap, p.sq.ringMask)
	r.sqEntries = *word(r.sqMap, p.sq.ringEntries)
	array := unsafe.Slice(word(r.sqMap, p.sq.arrayOrFlags), r.sqEntries)
	for i := range array {
		array[i] = uint32(i)
	}
	r.sqes = unsafe.Slice((*sqe)(unsafe.Pointer(&r.sqeMap[0])), r.sqEntries)
	r.tail = atomic.LoadUint32(r.sqTail)

	r.cqHead = word(r.cqMap, p.cq.head)
	r.cqTail = word(r.cqMap, p.cq.tail)
	r.cqMask = *word(r.cqMap, p.cq.ringMask)
	cqEntries := *word(r.cqMap, p.cq.ringEntries)
	r.cqes = unsafe.Slice((*cqe)(unsafe.Pointer(&r.cqMap[p.cq.droppedOrCQEs])), cqEntries)
	return nil
}

func mmap(fd int, off int64, size int) ([]byte, error) {
	b, err := unix.Mmap(fd, off, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, os.NewSyscallError("mmap io_uring", err)
	}
	return b, nil
}

// word is the ring field at byte offset off of a mapping.
func word(m []byte, off uint32) *uint32 {
	return (*uint32)(unsafe.Pointer(&m[off]))
}

// Close releases the ring. Nothing may be in flight.
func (r *Ring) Close() error {
	if r.sqeMap != nil {
		unix.Munmap(r.sqeMap)
	}
	if r.cqMap != nil && !r.single {
		unix.Munmap(r.cqMap)
	}
	if r.sqMap != nil {
		unix.Munmap(r.sqMap)
	}
	r.sqeMap, r.cqMap, r.sqMap = nil, nil, nil
	if r.fd >= 0 {
		unix.Close(r.fd)
		r.fd = -1
	}
	return nil
}

// Space is how many more entries fit before Submit must be called.
func (r *Ring) Space() int {
	return int(r.sqEntries) - int(r.queued) - r.inflight
}

// PrepSend queues a send(2) of p on fd with the given flags (MSG_*),
// tagged tag. It reports false, queueing nothing, when the ring is full.
// p must stay alive and unchanged until its completion has been read.
func (r *Ring) PrepSend(fd int, p []byte, flags uint32, tag uint64) bool {
	return r.prep(opSend, fd, p, flags, tag)
}

// PrepRecv queues a recv(2) into p on fd, as PrepSend does a send.
func (r *Ring) PrepRecv(fd int, p []byte, flags uint32, tag uint64) bool {
	return r.prep(opRecv, fd, p, flags, tag)
}

func (r *Ring) prep(op uint8, fd int, p []byte, flags uint32, tag uint64) bool {
	if r.Space() <= 0 {
		return false
	}
	e := r.next()
	*e = sqe{opcode: op, fd: int32(fd), len: uint32(len(p)), msgFlags: flags, userData: tag}
	if len(p) > 0 {
		e.addr = uint64(uintptr(unsafe.Pointer(&p[0])))
	}
	return true
}

// PrepDiscard queues a receive on fd that drops up to n bytes of what
// waits to be read, without waiting (MSG_DONTWAIT) and without copying
// them anywhere: MSG_TRUNC, which TCP honours by skipping the copy. No
// buffer is given, so a socket that copied anyway (not TCP: a Unix socket
// does) fails the receive with EFAULT instead of writing to memory; use
// it on TCP sockets.
func (r *Ring) PrepDiscard(fd, n int, tag uint64) bool {
	if r.Space() <= 0 {
		return false
	}
	*r.next() = sqe{opcode: opRecv, fd: int32(fd), len: uint32(n), msgFlags: unix.MSG_DONTWAIT | unix.MSG_TRUNC, userData: tag}
	return true
}

// PrepClose queues a close(2) of fd, tagged tag.
func (r *Ring) PrepClose(fd int, tag uint64) bool {
	if r.Space() <= 0 {
		return false
	}
	*r.next() = sqe{opcode: opClose, fd: int32(fd), userData: tag}
	return true
}

// Link makes the next entry queued depend on the last one: it runs only
// once the last has completed and, unless hard, only if it succeeded (a
// send that sent less than asked counts as failing); otherwise it
// completes with -ECANCELED, and so does the rest of the chain. Call it
// between the two Preps, with room for the second checked first.
func (r *Ring) Link(hard bool) {
	e := &r.sqes[(r.tail-1)&r.sqMask]
	if hard {
		e.flags |= sqeHardLink
	} else {
		e.flags |= sqeLink
	}
}

// next claims the next submission entry.
func (r *Ring) next() *sqe {
	e := &r.sqes[r.tail&r.sqMask]
	r.tail++
	r.queued++
	return e
}

// Submit hands the queued entries to the kernel and waits until every
// submitted entry has completed: with MSG_DONTWAIT they complete while
// they are issued, so the wait is one system call, and it is bounded even
// when one does not (a request the kernel hands to a worker thread). Read
// the results with Next.
func (r *Ring) Submit() error {
	if r.queued == 0 && r.inflight == 0 {
		return nil
	}
	// The entries' contents must be visible before the tail that
	// publishes them: the atomic store orders them.
	atomic.StoreUint32(r.sqTail, r.tail)
	toSubmit := r.queued
	r.inflight += int(r.queued)
	r.queued = 0
	for stalls := 0; ; {
		n, _, e := unix.RawSyscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(toSubmit), 0, enterGetEvents, 0, 0)
		switch e {
		case 0:
			toSubmit -= uint32(n)
		case unix.EINTR:
		case unix.EAGAIN:
			// The kernel could not allocate a request: try again a few
			// times, then give up rather than spin.
			if stalls++; stalls > maxStalls {
				return os.NewSyscallError("io_uring_enter", e)
			}
		default:
			return os.NewSyscallError("io_uring_enter", e)
		}
		ready := int(atomic.LoadUint32(r.cqTail) - atomic.LoadUint32(r.cqHead))
		if toSubmit == 0 && ready >= r.inflight {
			return nil
		}
		if toSubmit == 0 {
			// Something went to a worker: wait for it as an ordinary
			// blocking call, so the scheduler may run others meanwhile.
			_, _, e := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), 0, uintptr(r.inflight-ready), enterGetEvents, 0, 0)
			if e != 0 && e != unix.EINTR {
				return os.NewSyscallError("io_uring_enter", e)
			}
		}
	}
}

// maxStalls bounds Submit's retries when the kernel is short of memory.
const maxStalls = 3

// Next returns the next completion: the tag its entry was queued with and
// the call's result (bytes sent or received, or a negated errno).
func (r *Ring) Next() (tag uint64, res int32, ok bool) {
	head := atomic.LoadUint32(r.cqHead)
	if head == atomic.LoadUint32(r.cqTail) {
		return 0, 0, false
	}
	c := &r.cqes[head&r.cqMask]
	tag, res = c.userData, c.res
	atomic.StoreUint32(r.cqHead, head+1)
	r.inflight--
	return tag, res, true
}
