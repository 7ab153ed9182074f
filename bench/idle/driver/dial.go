//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// opener opens the idle connections of one measurement.
type opener struct {
	addr     string       // the server's
	srcs     []netip.Addr // connection i binds to srcs[i/per]
	per      int
	chunk    int           // bytes of the first chunk
	inflight int           // connections between connect and first chunk at once
	wait     time.Duration // for one connection's first chunk
}

// open makes n connections, each of which has read its first chunk of
// o.chunk bytes and nothing more, and returns them. It fails on the first
// connection refused, reset, closed or not served within o.wait, when the
// server exits, or when all are not served by ctx's deadline; the
// connections already open are then closed.
//
// At most o.inflight connections are between connect and first chunk at
// any time: that bounds the server's listen queue (the kernel's somaxconn
// is 4096 by default), which an unbounded burst would overflow, turning
// the measurement into one of SYN retries.
func (o *opener) open(ctx context.Context, n int, srv *server, progress func(done int)) ([]*net.TCPConn, error) {
	conns := make([]*net.TCPConn, n)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-srv.exited:
			cancel(errors.New(srv.dead()))
		case <-ctx.Done():
		}
	}()

	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range min(o.inflight, n) {
		wg.Go(func() {
			buf := make([]byte, o.chunk)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				c, err := o.one(ctx, i, buf)
				if err != nil {
					cancel(err)
					return
				}
				conns[i] = c
				done.Add(1)
			}
		})
	}
	stop := make(chan struct{})
	var pg sync.WaitGroup
	if progress != nil {
		pg.Go(func() {
			t := time.NewTicker(2 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					progress(int(done.Load()))
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	pg.Wait()
	if err := context.Cause(ctx); err != nil && int(done.Load()) < n {
		// A server that died resets its connections before its parent
		// hears of the exit: give the exit a moment to arrive, since it
		// is the better explanation.
		select {
		case <-srv.exited:
		case <-time.After(500 * time.Millisecond):
		}
		if d := srv.dead(); d != "" {
			err = errors.New(d) // a dead server explains the resets it caused
		} else if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("only %s of %s connections served within -timeout", thousands(int(done.Load())), thousands(n))
		}
		abortAll(conns)
		return nil, err
	}
	return conns, nil
}

// one opens connection i and reads its first chunk.
func (o *opener) one(ctx context.Context, i int, buf []byte) (*net.TCPConn, error) {
	src := o.srcs[i/o.per]
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: src.AsSlice()}, Timeout: o.wait}
	c, err := d.DialContext(ctx, "tcp4", o.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
			// The dialer gives up at ctx's deadline, a moment before
			// ctx itself says so.
			return nil, context.DeadlineExceeded
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("connection %d from %v: not accepted within %v", i+1, src, o.wait)
		}
		return nil, fmt.Errorf("connection %d from %v: %v", i+1, src, reason(err))
	}
	tc := c.(*net.TCPConn)
	tc.SetReadDeadline(time.Now().Add(o.wait))
	stopWatch := context.AfterFunc(ctx, func() { tc.SetReadDeadline(time.Now()) })
	_, err = io.ReadFull(tc, buf)
	stopWatch()
	if err != nil {
		abort(tc)
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("connection %d from %v: no first chunk within %v", i+1, src, o.wait)
		}
		return nil, fmt.Errorf("connection %d from %v: %v before its first chunk of %d bytes", i+1, src, reason(err), o.chunk)
	}
	tc.SetReadDeadline(time.Time{})
	return tc, nil
}

// reason is the short form of a dial or read error.
func reason(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed by the server"
	case errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EADDRINUSE):
		return fmt.Sprintf("no free local port (%v)", err)
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return fmt.Sprintf("out of descriptors (%v)", err)
	}
	return err.Error()
}

// abort closes a connection with a reset (SO_LINGER 0): no TIME_WAIT is
// left behind to hold the source port, so the next server's run finds the
// same ports free.
func abort(c *net.TCPConn) {
	c.SetLinger(0)
	c.Close()
}

func abortAll(conns []*net.TCPConn) {
	for _, c := range conns {
		if c != nil {
			abort(c)
		}
	}
}
