package poetry

import (
	"bytes"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"gyre/deferred"
	"gyre/reactor"
	"gyre/task"
)

// feedChunks delivers poem to p in chunks whose sizes come from cuts (each
// byte a size from 1 to 64, used in turn, the last repeated), the way the
// reactor does: every chunk is lent in one shared buffer that the next
// read overwrites, so a protocol that keeps the slice instead of copying
// it loses data. It returns the chunk sizes used.
func feedChunks(p reactor.Protocol, poem, cuts []byte) []int {
	buf := make([]byte, 64)
	var sizes []int
	for i, rest := 0, poem; len(rest) > 0; i++ {
		n := len(rest)
		if len(cuts) > 0 {
			n = min(int(cuts[min(i, len(cuts)-1)])%64+1, len(rest))
		}
		if n > len(buf) {
			buf = make([]byte, n)
		}
		copy(buf, rest[:n])
		p.DataReceived(buf[:n])
		for j := range buf { // the next read reuses the buffer
			buf[j] = 0xff
		}
		sizes = append(sizes, n)
		rest = rest[n:]
	}
	return sizes
}

// outcome collects what a client factory's Deferred fired with.
func outcome(d *deferred.Deferred) func() (poem any, err error, fired bool) {
	var result any
	var failure error
	fired := false
	d.AddCallbacks(func(v any) (any, error) {
		result, fired = v, true
		return nil, nil
	}, func(f *deferred.Failure) (any, error) {
		failure, fired = f, true
		return nil, nil
	})
	return func() (any, error, bool) { return result, failure, fired }
}

// FuzzClientChunks: however the network cuts a poem into reads, the poetry
// client reassembles it exactly, the chunk observer sees every byte once,
// and the Deferred fires once: with the poem on a clean close, with a
// failure (never the partial poem) when the connection is lost.
func FuzzClientChunks(f *testing.F) {
	f.Add([]byte("A short poem\nin two lines\n"), []byte{0})
	f.Add([]byte("A short poem\nin two lines\n"), []byte{3, 0, 63, 7})
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte("naïve rain "), 40), []byte{1, 200, 17})
	f.Fuzz(func(t *testing.T, poem, cuts []byte) {
		for _, clean := range []bool{true, false} {
			factory := NewClientFactory()
			observed := 0
			factory.OnChunk = func(chunk []byte) { observed += len(chunk) }
			result := outcome(factory.Deferred)
			p, _ := connect(factory, task.NewClock())
			sizes := feedChunks(p, poem, cuts)
			if _, _, fired := result(); fired {
				t.Fatalf("the Deferred fired before the connection ended (chunks %v)", sizes)
			}
			if observed != len(poem) {
				t.Fatalf("the observer saw %d bytes of %d (chunks %v)", observed, len(poem), sizes)
			}
			reason := reactor.ErrConnectionDone
			if !clean {
				reason = fmt.Errorf("%w: %w", reactor.ErrConnectionLost, syscall.ECONNRESET)
			}
			p.ConnectionLost(reason)
			got, err, fired := result()
			switch {
			case !fired:
				t.Fatalf("clean=%v: the Deferred never fired", clean)
			case clean && (err != nil || got != string(poem)):
				t.Fatalf("chunks %v: got %q, %v; want the poem %q", sizes, got, err, poem)
			case !clean && (got != nil || !errors.Is(err, reactor.ErrConnectionLost)):
				t.Fatalf("chunks %v, connection lost: got %q, %v; want a failure", sizes, got, err)
			}
		}
	})
}
