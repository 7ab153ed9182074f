package fetch

import (
	"context"
	"errors"
	"io"
	"net"
)

// readSize is how much one read asks for, in the blocking and async modes
// (the reactor reads 64 KiB too).
const readSize = 64 << 10

// fetchBlocking is the blocking client: connect to one server, read until
// it closes the connection, and only then go on to the next. Each call
// blocks for as long as its server takes, so the tasks run one after
// another and the run takes the sum of their times.
func fetchBlocking(ctx context.Context, r *run) {
	buf := make([]byte, readSize)
	for i := range r.results {
		r.start(i)
		if err := ctx.Err(); err != nil {
			r.finish(i, err) // interrupted before its turn
			continue
		}
		r.finish(i, getBlocking(ctx, r, i, buf))
	}
}

// getBlocking downloads task i's poem.
func getBlocking(ctx context.Context, r *run, i int, buf []byte) error {
	tctx := ctx
	if d := r.cfg.timeout; d > 0 {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	// Why the download was cut short, when the context did it: the
	// caller's cancellation, or the task's own timeout.
	why := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if tctx.Err() != nil {
			return timeoutError(r.cfg.timeout)
		}
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(tctx, "tcp", r.results[i].Addr.String())
	if err != nil {
		return why(err)
	}
	defer conn.Close()
	// A blocking read wakes up when the connection is closed under it:
	// that is how a timeout or an interrupt reaches it.
	stop := context.AfterFunc(tctx, func() { conn.Close() })
	defer stop()
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if err := r.received(i, buf[:n]); err != nil {
				return err
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			// The server closed the connection: the poem is whole.
			// (Closing it ourselves makes reads fail differently.)
			return nil
		case err != nil:
			return why(err)
		}
	}
}
