//go:build unix && !linux

package reactor

import (
	"errors"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The portable socket primitives, for the systems without Linux's
// one-call variants: flags are set with fcntl under syscall.ForkLock, as
// the standard library does, so that a fork in between cannot leak the
// descriptor into a child.

func newSocket(domain int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(domain, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return fd, nil
}

type acceptScratch struct{}

func accept(lfd int, _ *acceptScratch, peer *sockAddr) (int, error) {
	syscall.ForkLock.RLock()
	nfd, sa, err := unix.Accept(lfd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, err
	}
	peer.fromSockaddr(sa)
	return nfd, nil
}

const maxIovecs = 1024

// writev writes the buffers one write(2) at a time, stopping at the first
// partial write: writev is not in x/sys on every system, and this path is
// not the one gyre's performance is measured on.
func writev(fd int, bufs [][]byte, _ *[]unix.Iovec) (int, error) {
	total := 0
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		n, err := unix.Write(fd, b)
		if n > 0 {
			total += n
		}
		if err != nil {
			if total > 0 && err == unix.EAGAIN {
				return total, nil
			}
			return total, err
		}
		if n < len(b) {
			break
		}
	}
	return total, nil
}

func setKeepAlivePeriod(int, time.Duration) error { return errors.ErrUnsupported }

// sysRead, sysWrite and sysClose are the socket calls of the connection
// (Linux makes them without the scheduler's bookkeeping; see sock_linux.go).
func sysRead(fd int, p []byte) (int, error)  { return unix.Read(fd, p) }
func sysWrite(fd int, p []byte) (int, error) { return unix.Write(fd, p) }
func sysClose(fd int) error                  { return unix.Close(fd) }

// MSG_MORE is Linux's: elsewhere Write during ConnectionMade writes at
// once and there is nothing to release.
func sysWriteMore(fd int, p []byte) (int, error) { return unix.Write(fd, p) }
func releaseHeld(int)                            {}

// acceptDelay is known on Linux only.
func acceptDelay(int) time.Duration { return 0 }
