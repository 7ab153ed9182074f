package poetry

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// ErrTimeout is what every *TimeoutError matches with errors.Is: the
// failure of a GetPoetry whose WithTimeout ran out before the poem was
// complete.
var ErrTimeout = errors.New("poetry: timed out")

// TimeoutError is the failure of a GetPoetry whose WithTimeout ran out
// before the poem was complete. It is a type of its own, rather than
// ErrTimeout wrapped with fmt.Errorf, so that a printed Failure names it
// (*poetry.TimeoutError, where Twisted would name the exception's class)
// and so that errors.As gives the address and the limit. It matches
// ErrTimeout with errors.Is.
type TimeoutError struct {
	Addr    string        // the server, as given to GetPoetry
	Timeout time.Duration // the limit that ran out
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%v: no poem from %s within %v", ErrTimeout, e.Addr, e.Timeout)
}

// Unwrap makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Unwrap() error { return ErrTimeout }

// ErrTooLarge is what every *TooLargeError matches with errors.Is: the
// failure of a download whose server sent more than WithMaxBytes (or
// ClientFactory.MaxBytes) allows.
var ErrTooLarge = errors.New("poetry: poem too large")

// TooLargeError is the failure of a download whose server sent more than
// its bound: a server that never stops sending is not sending a poem, and
// keeping what it sends would grow without end.
type TooLargeError struct {
	Addr     string // the server, as the connection names its peer
	MaxBytes int64  // the bound it went past
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%v: %s sent more than %d bytes", ErrTooLarge, e.Addr, e.MaxBytes)
}

// Unwrap makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// ClientProtocol is the client side of the poetry protocol, as in the
// tutorial's clients 3 and 4: it keeps every byte that arrives, and when
// the server closes the connection the poem is complete. A clean close
// hands the poem to the factory's PoemFinished; any other end (a reset, an
// abort) is a failure, PoemFailed, because the poem may be cut short.
type ClientProtocol struct {
	reactor.BaseProtocol
	poem    strings.Builder
	factory *ClientFactory
	got     int64 // bytes received
}

// DataReceived keeps the bytes (copying them: data is only lent) and tells
// the factory's OnChunk observer. Past the factory's MaxBytes it fails the
// download with a *TooLargeError and aborts the connection instead.
//
// Once the Deferred has fired, the download is over (it can fire before
// the end of the connection only with a failure: a timeout, a
// cancellation, the size bound), and what still arrives is dropped and
// the connection aborted. The reactor stops delivering on an aborted
// connection, TLS included, whichever transport the abort went through;
// this keeps OnChunk's promise (nothing after the Deferred) for a
// Deferred fired some other way too, without an abort (a caller's own
// Callback or Errback on it).
func (p *ClientProtocol) DataReceived(data []byte) {
	if p.factory.Deferred.Called() {
		p.Transport.AbortConnection()
		return
	}
	p.got += int64(len(data))
	if limit := p.factory.MaxBytes; limit > 0 && p.got > limit {
		e := &TooLargeError{MaxBytes: limit}
		if peer := p.Transport.Peer(); peer != nil {
			e.Addr = peer.String()
		}
		p.factory.PoemFailed(e)
		p.Transport.AbortConnection()
		return
	}
	if !p.factory.Discard {
		p.poem.Write(data)
	}
	if p.factory.OnChunk != nil {
		p.factory.OnChunk(data)
	}
}

// ConnectionLost ends the poem: complete on a clean close, failed
// otherwise.
func (p *ClientProtocol) ConnectionLost(reason error) {
	if errors.Is(reason, reactor.ErrConnectionDone) {
		p.PoemReceived(p.poem.String())
		return
	}
	p.factory.PoemFailed(reason)
}

// PoemReceived passes the finished poem to the factory (the tutorial's
// poemReceived).
func (p *ClientProtocol) PoemReceived(poem string) { p.factory.PoemFinished(poem) }

// ClientFactory builds ClientProtocols for one download and fires
// Deferred once, with the poem (a string) or the failure: a
// *reactor.ConnectError when the connection could not be made, the
// connection's error when it was lost before the poem ended. It is the
// tutorial's client 4 factory.
type ClientFactory struct {
	reactor.BaseClientFactory
	// Deferred fires once with the outcome.
	Deferred *deferred.Deferred
	// OnChunk, if set, is called with every chunk as it arrives (valid
	// only during the call), until the Deferred fires: none comes after
	// a failure, a timeout or a cancellation.
	OnChunk func(chunk []byte)
	// Discard keeps nothing of the poem: OnChunk is its only reader, and
	// PoemFinished is called with the empty string. A download of any
	// size then costs no memory.
	Discard bool
	// MaxBytes, if more than 0, bounds the poem: a server that sends more
	// fails the Deferred with a *TooLargeError, and the connection is
	// aborted. Nothing past the bound reaches the poem or OnChunk.
	MaxBytes int64
}

// NewClientFactory returns a factory with a new Deferred.
func NewClientFactory() *ClientFactory {
	return &ClientFactory{Deferred: deferred.New()}
}

// BuildProtocol makes the ClientProtocol for the connection.
func (f *ClientFactory) BuildProtocol(net.Addr) reactor.Protocol {
	return &ClientProtocol{factory: f}
}

// PoemFinished fires the Deferred with the poem, unless it has fired.
func (f *ClientFactory) PoemFinished(poem string) {
	if !f.Deferred.Called() {
		f.Deferred.Callback(poem)
	}
}

// PoemFailed fails the Deferred with err, unless it has fired.
func (f *ClientFactory) PoemFailed(err error) {
	if !f.Deferred.Called() {
		f.Deferred.Errback(err)
	}
}

// ClientConnectionFailed fails the Deferred with the *reactor.ConnectError.
func (f *ClientFactory) ClientConnectionFailed(_ *reactor.Connector, reason error) {
	f.PoemFailed(reason)
}

// GetOption configures GetPoetry.
type GetOption func(*getConfig)

type getConfig struct {
	timeout  time.Duration
	onChunk  func([]byte)
	discard  bool
	maxBytes int64
	endpoint *reactor.ClientEndpoint
}

// WithMaxBytes bounds the poem to n bytes: a server that sends more fails
// the Deferred with a *TooLargeError (which matches ErrTooLarge) and the
// connection is aborted. Without it, a server that never stops sending
// grows the kept poem without end (as the tutorial's clients do).
func WithMaxBytes(n int64) GetOption {
	return func(c *getConfig) { c.maxBytes = n }
}

// WithoutPoem keeps nothing of the poem, for a caller that reads it
// through WithChunkObserver: the Deferred fires with the empty string when
// the poem is complete, and a download of any size costs no memory.
func WithoutPoem() GetOption {
	return func(c *getConfig) { c.discard = true }
}

// WithEndpoint connects to a client endpoint (reactor.ParseClientEndpoint:
// tcp:, unix:, tls:) instead of the address given to GetPoetry, which
// then only names the server in errors.
func WithEndpoint(e reactor.ClientEndpoint) GetOption {
	return func(c *getConfig) { c.endpoint = &e }
}

// WithTimeout bounds the whole download, connecting included: if the poem
// is not complete after d, the connection is aborted (or the attempt
// stopped) and the Deferred fails with a *TimeoutError (which matches
// ErrTimeout).
func WithTimeout(d time.Duration) GetOption {
	return func(c *getConfig) { c.timeout = d }
}

// WithChunkObserver calls f with each chunk of the poem as it arrives, on
// the loop goroutine: for progress bars and timelines (len(chunk) is the
// number of bytes; the slice is valid only during the call). f is not
// called once the Deferred has fired, not even from the same read: a
// cancellation inside f is the last chunk f sees.
func WithChunkObserver(f func(chunk []byte)) GetOption {
	return func(c *getConfig) { c.onChunk = f }
}

// GetPoetry downloads a poem from the server at addr ("host:port") on r and
// returns a Deferred that fires with the poem as a string: the tutorial's
// get_poetry (client 4.0). It fails with the *reactor.ConnectError if the
// connection cannot be made (errors.Is(err, syscall.ECONNREFUSED) for no
// server), with the connection's error if it is lost before the server
// closes it cleanly (a reset mid-poem is a failure, not a short poem), or
// with a *TimeoutError (see WithTimeout). Cancelling the Deferred abandons the
// download.
//
// r is the reactor (a *reactor.Reactor) or anything else that keeps time
// and makes connections, such as the double in package reactortest, which
// runs GetPoetry in a test without a socket. GetPoetry must be called on
// r's loop goroutine (or before Run).
func GetPoetry(r reactor.ClientReactor, addr string, opts ...GetOption) *deferred.Deferred {
	var cfg getConfig
	for _, o := range opts {
		o(&cfg)
	}
	f := &ClientFactory{OnChunk: cfg.onChunk, Discard: cfg.discard, MaxBytes: cfg.maxBytes}
	var connector *reactor.Connector
	// abandon stops the attempt or cuts the connection; the failure the
	// factory hears of then finds the Deferred fired and is dropped.
	abandon := func() {
		if connector == nil {
			return
		}
		if t := connector.Transport(); t != nil {
			t.AbortConnection()
		} else {
			connector.StopConnecting()
		}
	}
	f.Deferred = deferred.NewWithCanceller(func(d *deferred.Deferred) {
		d.Errback(deferred.ErrCancelled)
		abandon()
	})
	d := f.Deferred
	if cfg.timeout > 0 {
		timer := r.CallLater(cfg.timeout, func() {
			if d.Called() {
				return
			}
			d.Errback(&TimeoutError{Addr: addr, Timeout: cfg.timeout})
			abandon()
		})
		d.AddBoth(func(v any) (any, error) {
			if timer.Active() {
				timer.Cancel()
			}
			if err, ok := v.(error); ok {
				return nil, err
			}
			return v, nil
		})
	}
	if cfg.endpoint == nil {
		connector = r.ConnectTCP(addr, f, cfg.timeout)
		return d
	}
	e := *cfg.endpoint
	if e.Timeout == 0 {
		e.Timeout = cfg.timeout
	}
	ed, ok := r.(reactor.EndpointDialer)
	if !ok {
		f.PoemFailed(fmt.Errorf("%s: %T cannot connect to endpoints", e, r))
		return d
	}
	c, err := ed.DialEndpoint(e, f)
	if err != nil {
		f.PoemFailed(err)
		return d
	}
	connector = c
	return d
}
