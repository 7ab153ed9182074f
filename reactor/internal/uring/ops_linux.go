package uring

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// neededOps are the requests a Ring queues. A kernel with io_uring but
// without all of them (5.1 to 5.5 have no send or receive) would fail
// every one with EINVAL, so New treats it as having no io_uring.
var neededOps = [...]uint8{opNop, opClose, opSend, opRecv}

const (
	registerProbe = 8      // IORING_REGISTER_PROBE (Linux 5.6)
	opSupported   = 1 << 0 // IO_URING_OP_SUPPORTED
)

// opProbe is struct io_uring_probe with room for 256 operations.
type opProbe struct {
	lastOp, opsLen uint8
	_              uint16
	_              [3]uint32
	ops            [256]struct {
		op    uint8
		_     uint8
		flags uint16
		_     uint32
	}
}

// checkOps asks the kernel which operations its io_uring knows, and
// reports ErrUnsupported unless it knows every one a Ring queues.
func checkOps(fd int) error {
	var p opProbe
	_, _, e := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(fd), registerProbe,
		uintptr(unsafe.Pointer(&p)), uintptr(len(p.ops)), 0, 0)
	if e != 0 {
		return fmt.Errorf("%w (IORING_REGISTER_PROBE: %v; Linux before 5.6)", ErrUnsupported, e)
	}
	if !p.supports(neededOps[:]...) {
		return fmt.Errorf("%w (its io_uring lacks send, receive or close)", ErrUnsupported)
	}
	return nil
}

// supports reports whether the probe's kernel knows every op.
func (p *opProbe) supports(ops ...uint8) bool {
	for _, op := range ops {
		if op >= p.opsLen || p.ops[op].flags&opSupported == 0 {
			return false
		}
	}
	return true
}
