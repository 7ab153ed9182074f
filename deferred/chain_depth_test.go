package deferred_test

import (
	"runtime"
	"testing"

	"gyre/deferred"
)

// stackDepth is how many frames are on the calling goroutine's stack.
func stackDepth() int {
	pcs := make([]uintptr, 1<<20)
	return runtime.Callers(0, pcs)
}

// Resuming Deferreds that wait on one another costs no stack per level,
// as in Twisted (its chain of Deferreds is walked by a loop): the depth
// at the innermost callback is the same for one waiting Deferred as for
// a thousand. Recursion here would make a long-running loop whose every
// step returns the next step's Deferred overflow the stack when it ends.
func TestResumingWaitingDeferredsUsesBoundedStack(t *testing.T) {
	depthFor := func(levels int) int {
		// levels Deferreds, each waiting for the next; the last one,
		// when fired, resumes them all from the innermost out.
		ds := make([]*deferred.Deferred, levels+1)
		for i := range ds {
			ds[i] = deferred.New()
		}
		depth := 0
		for i := range levels {
			next := ds[i+1]
			ds[i].AddCallback(func(any) (any, error) { return next, nil })
		}
		ds[0].AddCallback(func(v any) (any, error) {
			depth = stackDepth()
			return v, nil
		})
		for _, d := range ds[:levels] {
			d.Callback(nil)
		}
		ds[levels].Callback("done")
		return depth
	}
	one, many := depthFor(1), depthFor(1000)
	if one == 0 || many != one {
		t.Errorf("stack depth at the outermost callback: %d frames for 1 waiting level, %d for 1000", one, many)
	}
}

// A result climbs out through a hundred thousand waiting levels and
// arrives whole at the outermost.
func TestDeepChainOfWaitingDeferreds(t *testing.T) {
	const levels = 100000
	ds := make([]*deferred.Deferred, levels+1)
	for i := range ds {
		ds[i] = deferred.New()
	}
	for i := range levels {
		next := ds[i+1]
		ds[i].AddCallback(func(any) (any, error) { return next, nil })
	}
	var got any
	ds[0].AddCallback(func(v any) (any, error) { got = v; return nil, nil })
	for _, d := range ds[:levels] {
		d.Callback(nil)
	}
	ds[levels].Callback("poem")
	if got != "poem" {
		t.Errorf("got %v", got)
	}
}
