package poetry

import (
	"context"

	"gyre/deferred"
	"gyre/reactor"
)

// GetPoem is GetPoetry for Go callers: the result is typed (a
// deferred.Future[string], so no assertion is needed, in an Inline body or
// through Handle) and the download follows ctx: if ctx is done first, the
// download is abandoned as by Cancel and fails with an error matching both
// deferred.ErrCancelled and ctx's error. The options and failures are
// GetPoetry's. GetPoem belongs to r's loop goroutine (or, before Run, the
// one that will run it).
//
//	poem, err := poetry.GetPoem(ctx, r, addr).Await(co)
func GetPoem(ctx context.Context, r *reactor.Reactor, addr string, opts ...GetOption) deferred.Future[string] {
	return deferred.Typed[string](reactor.CancelOnDone(r, ctx, GetPoetry(r, addr, opts...)))
}
