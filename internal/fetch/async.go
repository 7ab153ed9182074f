package fetch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"gyre/poetry"
)

// asyncTask is one download of the select loop.
type asyncTask struct {
	i          int
	fd         int // -1 once closed
	connecting bool
	deadline   time.Time // on the real clock; zero: none
}

// selectOpenLimit is how many downloads the select loop runs at once:
// their sockets then stay below FD_SETSIZE, the process's other
// descriptors taking no more than fdReserve of the numbers below it. A
// socket that still lands past it (a process with many files open) fails
// with ErrSelectLimit.
const selectOpenLimit = unix.FD_SETSIZE - fdReserve

// pollCap bounds a select() wait when the loop cannot watch its wake-up
// pipe (its descriptor is past FD_SETSIZE): the loop then looks at the
// context this often instead.
const pollCap = 100 * time.Millisecond

// fetchAsync is the asynchronous client of part 2, without a framework:
// every socket non-blocking and connecting at once, then one loop around
// select(2) that sleeps until some socket is ready and serves exactly the
// ready ones, never waiting for a particular server. It is what a reactor
// does, written out by hand.
//
// The loop also watches the read end of a pipe that a cancelled context
// writes to, so that an interrupt wakes it at once, and wakes by itself
// when the earliest task deadline comes.
func fetchAsync(ctx context.Context, r *run) {
	tasks := make([]*asyncTask, len(r.results))
	for i := range tasks {
		tasks[i] = &asyncTask{i: i, fd: -1}
	}
	wakeR, wakeW, err := os.Pipe()
	if err != nil {
		for i := range tasks {
			r.start(i)
			r.finish(i, err)
		}
		return
	}
	defer wakeR.Close()
	defer wakeW.Close()
	wakeFd := int(wakeR.Fd())
	// Writing to the pipe after it was closed fails harmlessly (an
	// *os.File knows it is closed), so the late wake-up needs no care.
	stop := context.AfterFunc(ctx, func() { wakeW.Write([]byte{0}) })
	defer stop()

	// Tasks start in order, as many at a time as there are descriptors
	// for (see openLimit); the others wait for one to end.
	// select() watches descriptors below FD_SETSIZE only: fewer at once,
	// and the others wait, as for the descriptor limit, rather than fail.
	limit := min(r.cfg.openLimit(len(tasks)), selectOpenLimit)
	next := 0
	buf := make([]byte, readSize)
	for {
		open := 0
		for _, t := range tasks {
			if t.fd >= 0 {
				open++
			}
		}
		if err := ctx.Err(); err != nil {
			failOpen(r, tasks, err)
			for ; next < len(tasks); next++ {
				r.start(next)
				r.finish(next, err)
			}
			return
		}
		for ; open < limit && next < len(tasks); next++ {
			t := tasks[next]
			r.start(t.i)
			if r.cfg.timeout > 0 {
				t.deadline = time.Now().Add(r.cfg.timeout)
			}
			if err := t.connect(ctx, r.results[t.i].Addr, r.cfg.timeout); err != nil {
				t.fail(r, err)
				continue
			}
			open++
		}
		if open == 0 {
			return
		}
		if err := turn(r, tasks, wakeFd, buf); err != nil {
			failOpen(r, tasks, os.NewSyscallError("select", err))
			return
		}
	}
}

// turn is one turn of the loop: wait in select() until a socket is ready
// (or a deadline comes, or the pipe says stop), then serve the ready
// sockets without blocking.
func turn(r *run, tasks []*asyncTask, wakeFd int, buf []byte) error {
	var readable, writable unix.FdSet
	maxFd := -1
	var first time.Time // the earliest deadline
	for _, t := range tasks {
		if t.fd < 0 {
			continue
		}
		if t.fd >= unix.FD_SETSIZE {
			t.fail(r, ErrSelectLimit)
			continue
		}
		if t.connecting {
			writable.Set(t.fd)
		} else {
			readable.Set(t.fd)
		}
		maxFd = max(maxFd, t.fd)
		if !t.deadline.IsZero() && (first.IsZero() || t.deadline.Before(first)) {
			first = t.deadline
		}
	}
	if maxFd < 0 {
		return nil
	}
	wait := time.Duration(-1) // no timeout: sleep until there is news
	if !first.IsZero() {
		wait = max(time.Until(first), 0)
	}
	if wakeFd < unix.FD_SETSIZE {
		readable.Set(wakeFd)
		maxFd = max(maxFd, wakeFd)
	} else if wait < 0 || wait > pollCap {
		wait = pollCap
	}
	var tv *unix.Timeval
	if wait >= 0 {
		t := unix.NsecToTimeval(wait.Nanoseconds())
		tv = &t
	}
	if _, err := unix.Select(maxFd+1, &readable, &writable, nil, tv); err != nil {
		if errors.Is(err, unix.EINTR) {
			return nil
		}
		return err
	}
	for _, t := range tasks {
		switch {
		case t.fd < 0:
		case t.connecting && writable.IsSet(t.fd):
			t.finishConnect(r)
		case !t.connecting && readable.IsSet(t.fd):
			t.readAvailable(r, buf)
		}
	}
	now := time.Now()
	for _, t := range tasks {
		if t.fd >= 0 && !t.deadline.IsZero() && !now.Before(t.deadline) {
			t.fail(r, timeoutError(r.cfg.timeout))
		}
	}
	return nil
}

// failOpen fails every task still open with err.
func failOpen(r *run, tasks []*asyncTask, err error) {
	for _, t := range tasks {
		if t.fd >= 0 {
			t.fail(r, err)
		}
	}
}

// connect opens a non-blocking socket and starts connecting it. A
// non-blocking connect returns at once (EINPROGRESS) and the loop learns
// how it went when the socket turns writable, so every connection is
// under way at the same time.
func (t *asyncTask) connect(ctx context.Context, addr poetry.Address, timeout time.Duration) error {
	sa, err := resolve(ctx, addr, timeout)
	if err != nil {
		return err
	}
	family := unix.AF_INET
	if _, ok := sa.(*unix.SockaddrInet6); ok {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	t.fd = fd
	if fd >= unix.FD_SETSIZE {
		// select() could never watch this socket: fail the task before
		// connecting, rather than make the server accept (and serve) a
		// connection that the loop would then drop unread.
		return ErrSelectLimit
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		return os.NewSyscallError("setnonblock", err)
	}
	switch err := unix.Connect(fd, sa); {
	case err == nil:
	case errors.Is(err, unix.EINPROGRESS), errors.Is(err, unix.EINTR):
		t.connecting = true
	default:
		return os.NewSyscallError("connect", err)
	}
	return nil
}

// finishConnect learns how the connect ended: SO_ERROR holds its errno.
func (t *asyncTask) finishConnect(r *run) {
	errno, err := unix.GetsockoptInt(t.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	switch {
	case err != nil:
		t.fail(r, os.NewSyscallError("getsockopt", err))
	case errno != 0:
		t.fail(r, os.NewSyscallError("connect", unix.Errno(errno)))
	default:
		t.connecting = false
	}
}

// maxReadsPerTurn bounds the reads one socket gets per turn of the loop: a
// server that sends faster than we read would otherwise keep us in its
// socket, and the other sockets and every deadline would wait.
const maxReadsPerTurn = 16

// readAvailable reads what the socket holds, until a read would block (or
// maxReadsPerTurn reads): the loop then goes back to select. End of file means the server closed the
// connection, which ends the poem.
func (t *asyncTask) readAvailable(r *run, buf []byte) {
	for range maxReadsPerTurn {
		n, err := unix.Read(t.fd, buf)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			t.fail(r, os.NewSyscallError("read", err))
			return
		case n == 0:
			t.close()
			r.finish(t.i, nil)
			return
		}
		if err := r.received(t.i, buf[:n]); err != nil {
			t.fail(r, err)
			return
		}
	}
}

func (t *asyncTask) fail(r *run, err error) {
	t.close()
	r.finish(t.i, err)
}

func (t *asyncTask) close() {
	if t.fd >= 0 {
		unix.Close(t.fd)
		t.fd = -1
	}
}

// resolve turns an address into what connect(2) takes. A host name is
// looked up here, blocking (bounded by the timeout), before the loop
// starts: name lookup is not what this lesson is about. An empty host, as
// in ":10000", means this machine.
func resolve(ctx context.Context, a poetry.Address, timeout time.Duration) (unix.Sockaddr, error) {
	host := a.Host
	if host == "" {
		host = poetry.DefaultHost
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		ips, lerr := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if lerr != nil {
			return nil, lerr
		}
		ip = ips[0]
		for _, cand := range ips {
			if cand.Unmap().Is4() {
				ip = cand
				break
			}
		}
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return &unix.SockaddrInet4{Port: a.Port, Addr: ip.As4()}, nil
	}
	sa := &unix.SockaddrInet6{Port: a.Port, Addr: ip.As16()}
	if zone := ip.Zone(); zone != "" {
		if ifi, err := net.InterfaceByName(zone); err == nil {
			sa.ZoneId = uint32(ifi.Index)
		} else if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
			sa.ZoneId = uint32(n)
		} else {
			return nil, &net.AddrError{Err: "unknown zone " + zone, Addr: a.String()}
		}
	}
	return sa, nil
}
