package poetry

import (
	"context"
	"errors"
	"net"
	"testing"

	"gyre/deferred"
	"gyre/reactor"
)

// GetPoem delivers the poem as a string, typed, in an Inline body and
// through Handle alike.
func TestGetPoemTyped(t *testing.T) {
	r := newReactor(t, reactor.DefaultBackend())
	poem, _ := Poem("orchard")
	addr := listen(t, r, NewFastServerFactory(poem)).Addr().String()
	var inBody, handled string
	var errs []error
	r.CallWhenRunning(func() {
		ctx := context.Background()
		GetPoem(ctx, r, addr).Handle(func(p string, err error) {
			handled = p
			errs = append(errs, err)
		})
		deferred.Inline(func(co *deferred.Coroutine) (any, error) {
			p, err := GetPoem(ctx, r, addr).Await(co)
			inBody = p
			errs = append(errs, err)
			return nil, r.Stop()
		})
	})
	run(t, r)
	if inBody != string(poem) || handled != string(poem) || errors.Join(errs...) != nil {
		t.Errorf("in a body %d bytes, handled %d bytes, want %d; errors %v", len(inBody), len(handled), len(poem), errs)
	}
}

// A context cancelled mid-download abandons it: the connection is aborted
// and the error names both the cancellation and the context's cause.
func TestGetPoemContextCancelled(t *testing.T) {
	r := newReactor(t, reactor.DefaultBackend())
	var server *firstLineThenSilence
	port := listen(t, r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		server = &firstLineThenSilence{silentProtocol{onLost: func() { r.Stop() }}}
		return server
	}))
	ctx, cancel := context.WithCancel(context.Background())
	var got error
	r.CallWhenRunning(func() {
		// The context is cancelled, from another goroutine, once the
		// first line has arrived: mid-poem.
		GetPoem(ctx, r, port.Addr().String(), WithChunkObserver(func([]byte) { go cancel() })).
			Handle(func(_ string, err error) { got = err })
	})
	run(t, r)
	if !errors.Is(got, deferred.ErrCancelled) || !errors.Is(got, context.Canceled) {
		t.Errorf("got %v", got)
	}
	if server == nil || !errors.Is(server.lost, reactor.ErrConnectionLost) {
		t.Errorf("server side: %+v", server)
	}
}

// firstLineThenSilence sends a line and then nothing.
type firstLineThenSilence struct{ silentProtocol }

func (p *firstLineThenSilence) ConnectionMade() { p.Transport.Write([]byte("The first line\n")) }
