package fetch

import (
	"context"
	"errors"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/reactor"
)

// fetchReactor is the tutorial's client 4: a reactor, poetry.GetPoetry for
// every address at once, and a count of the Deferreds still to fire; the
// last one stops the reactor. The select loop of the async mode is still
// there, inside the reactor (epoll on Linux, or whatever GYRE_REACTOR
// names).
//
// The reactor runs on the calling goroutine, so the observer is called
// there too. A cancelled context cancels every Deferred still waiting,
// which abandons its download (GetPoetry's canceller closes the
// connection or stops the attempt).
func fetchReactor(ctx context.Context, r *run) error {
	if len(r.results) == 0 {
		return nil
	}
	rt, err := reactor.New()
	if err != nil {
		return err
	}
	pending := make([]*deferred.Deferred, len(r.results))
	left := len(r.results)
	done := func(i int, err error) {
		if pending[i] == nil {
			return
		}
		pending[i] = nil
		r.finish(i, err)
		if left--; left == 0 {
			rt.Stop()
		}
	}
	rt.CallWhenRunning(func() {
		for i := range r.results {
			r.start(i)
			opts := []poetry.GetOption{poetry.WithChunkObserver(func(chunk []byte) { r.received(i, chunk) })}
			if r.cfg.timeout > 0 {
				opts = append(opts, poetry.WithTimeout(r.cfg.timeout))
			}
			addr := r.results[i].Addr
			var bad error
			if addr.Endpoint != "" {
				e, err := reactor.ParseClientEndpoint(addr.Endpoint)
				bad = err
				if e.Type == "tls" && r.cfg.tls != nil {
					e.TLSConfig = r.cfg.tls.Clone()
					if e.TLSConfig.ServerName == "" {
						e.TLSConfig.ServerName = e.Host
					}
				}
				opts = append(opts, poetry.WithEndpoint(e))
			}
			var d *deferred.Deferred
			if bad != nil {
				d = deferred.Fail(bad)
			} else {
				d = poetry.GetPoetry(rt, addr.String(), opts...)
			}
			pending[i] = d
			d.AddCallbacks(func(any) (any, error) {
				// The observer has kept every chunk: the poem is in
				// the Result already.
				done(i, nil)
				return nil, nil
			}, func(f *deferred.Failure) (any, error) {
				done(i, reactorError(ctx, f, r.cfg))
				return nil, nil // handled: reported in the Result
			})
		}
	})
	stop := context.AfterFunc(ctx, func() {
		rt.CallFromGoroutine(func() {
			for _, d := range pending {
				if d != nil {
					d.Cancel()
				}
			}
		})
	})
	defer stop()
	return rt.Run()
}

// reactorError turns a GetPoetry failure into the error the other modes
// give for the same cause.
func reactorError(ctx context.Context, f *deferred.Failure, cfg config) error {
	switch {
	case errors.Is(f, deferred.ErrCancelled) && ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(f, poetry.ErrTimeout):
		return timeoutError(cfg.timeout)
	}
	return f
}
