package fetch

import (
	"context"
	"crypto/tls"
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
	next := 0 // the first task not started yet
	var startNext func()
	done := func(i int, err error) {
		if pending[i] == nil {
			return
		}
		pending[i] = nil
		r.finish(i, err)
		if left--; left == 0 {
			rt.Stop()
			return
		}
		startNext() // its descriptor is free
	}
	startTask := func(i int) {
		r.start(i)
		// The observer keeps the poem (or not, WithoutPoems):
		// GetPoetry need not keep a second copy.
		opts := []poetry.GetOption{poetry.WithChunkObserver(func(chunk []byte) {
			if err := r.received(i, chunk); err != nil {
				// Over WithMaxBytes: the task ends with that error, then
				// the download is abandoned (its failure, ErrCancelled,
				// finds the task ended and is dropped).
				d := pending[i]
				done(i, err)
				d.Cancel()
			}
		}), poetry.WithoutPoem()}
		if r.cfg.timeout > 0 {
			opts = append(opts, poetry.WithTimeout(r.cfg.timeout))
		}
		d := getPoetry(rt, r.results[i].Addr, r.cfg.tls, opts)
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
	startNext = func() {
		if next < len(r.results) && ctx.Err() == nil {
			next++
			startTask(next - 1)
		}
	}
	limit := r.cfg.openLimit(len(r.results))
	if rt.Backend() == "select" {
		// GYRE_REACTOR=select: the reactor's select() watches
		// descriptors below FD_SETSIZE only, as the async mode's does,
		// and a socket past it failed its task (with an error logged
		// for each): fewer at once, as there, and the others wait.
		limit = min(limit, selectOpenLimit)
	}
	rt.CallWhenRunning(func() {
		for range limit {
			startNext()
		}
	})
	stop := context.AfterFunc(ctx, func() {
		rt.CallFromGoroutine(func() {
			for _, d := range pending {
				if d != nil {
					d.Cancel()
				}
			}
			// The tasks that never started end too, interrupted.
			for next < len(r.results) {
				next++
				r.start(next - 1)
				pending[next-1] = deferred.New()
				done(next-1, ctx.Err())
			}
		})
	})
	defer stop()
	return rt.Run()
}

// getPoetry starts the download of one poem from addr, through its
// endpoint if it has one (tls: endpoints take tlsCfg when it is set).
func getPoetry(rt *reactor.Reactor, addr poetry.Address, tlsCfg *tls.Config, opts []poetry.GetOption) *deferred.Deferred {
	if addr.Endpoint != "" {
		e, err := reactor.ParseClientEndpoint(addr.Endpoint)
		if err != nil {
			return deferred.Fail(err)
		}
		if e.Type == "tls" && tlsCfg != nil {
			e.TLSConfig = tlsCfg.Clone()
			if e.TLSConfig.ServerName == "" {
				e.TLSConfig.ServerName = e.Host
			}
		}
		opts = append(opts, poetry.WithEndpoint(e))
	}
	return poetry.GetPoetry(rt, addr.String(), opts...)
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
