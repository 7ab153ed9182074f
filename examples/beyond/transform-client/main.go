// Command transform-client downloads poems and has a transformation
// service transform them (transform-server), beyond the tutorial's parts 1
// to 11 (its part 12 builds this client in Twisted).
//
//	go run ./examples/beyond/transform-client [--transform NAME] [--retries N]
//	    [--retry-delay D] [--timeout D] TRANSFORM_ADDR POETRY_ADDR...
//
// For each poetry server it downloads the poem (poetry.GetPoetry), sends
// the service one netstring, "NAME.POEM", and prints the netstring that
// comes back. An address is a port (on 127.0.0.1) or host:port.
//
// The connection to the service is made by a reconnecting factory
// (protocols/reconnect): when the service is down it tries again, --retries
// times, after --retry-delay, then e times as long each time (with
// jitter); --retries 0 makes one attempt and no retry. If it still cannot be reached, or it closes without an answer
// (an unknown transform), the client says so on stderr and prints the poem
// untransformed: a poem is never lost for want of a transformation.
//
// Each poem is printed followed by an empty line. The exit status is 1 if
// a poem could not be downloaded (the others are still printed).
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/protocols/basic"
	"gyre/protocols/reconnect"
	"gyre/reactor"
)

// errNoAnswer is the failure of a service that closed without answering.
var errNoAnswer = errors.New("the service closed the connection without an answer (an unknown transform?)")

// transformClient is the connection to the service: one request, one answer.
type transformClient struct {
	basic.NetstringReceiver
	f *transformFactory
}

func (c *transformClient) ConnectionMade() {
	c.SendString([]byte(c.f.name + "." + c.f.poem))
}

func (c *transformClient) StringReceived(s []byte) {
	c.f.finish(string(s), nil)
	c.LoseConnection()
}

func (c *transformClient) ConnectionLost(reason error) {
	// Connected, so the service is up: whatever happened, trying again
	// would get the same.
	c.f.StopTrying()
	if err := c.Err(); err != nil {
		c.f.finish("", err)
	}
	if !errors.Is(reason, reactor.ErrConnectionDone) {
		// Cut off (a reset, a timeout): say so, not "no answer".
		c.f.finish("", fmt.Errorf("the service's answer was cut off: %w", reason))
	}
	c.f.finish("", errNoAnswer)
}

// transformFactory makes the connections of one transformation and fires
// its Deferred once.
type transformFactory struct {
	reconnect.Factory
	name, poem string
	noRetry    bool // --retries 0: to the Factory, MaxRetries 0 means no limit
	d          *deferred.Deferred
}

// ClientConnectionFailed gives up at the first failure when no retry is
// allowed, and otherwise leaves the retries to the reconnecting factory.
func (f *transformFactory) ClientConnectionFailed(c *reactor.Connector, reason error) {
	if f.noRetry {
		f.StopTrying()
		f.finish("", fmt.Errorf("the service could not be reached (no retries): %w", reason))
		return
	}
	f.Factory.ClientConnectionFailed(c, reason)
}

func (f *transformFactory) BuildProtocol(addr net.Addr) reactor.Protocol {
	f.Factory.BuildProtocol(addr) // resets the back-off
	c := &transformClient{f: f}
	c.Handler = c
	c.MaxLength = 16 << 20
	return c
}

func (f *transformFactory) finish(poem string, err error) {
	if f.d.Called() {
		return
	}
	if err != nil {
		f.d.Errback(err)
	} else {
		f.d.Callback(poem)
	}
}

type options struct {
	transform  string
	retries    int
	retryDelay time.Duration
	timeout    time.Duration
	service    poetry.Address
	poems      []poetry.Address
}

func parseArgs() options {
	var o options
	fs := flag.NewFlagSet("transform-client", flag.ContinueOnError)
	fs.StringVar(&o.transform, "transform", "cummingsify", "the transformation to ask for")
	fs.IntVar(&o.retries, "retries", 2, "how many times to retry a service that is down (0: one attempt, no retry)")
	fs.DurationVar(&o.retryDelay, "retry-delay", 200*time.Millisecond, "the delay before the first retry")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "give up a download or transformation after this long")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: transform-client [options] TRANSFORM_ADDR POETRY_ADDR...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() < 2 {
		bad(fs, "need the service's address and at least one poetry server's")
	}
	if o.retries < 0 || o.retryDelay <= 0 || o.timeout <= 0 {
		bad(fs, "--retries must not be negative, --retry-delay and --timeout must be positive")
	}
	var addrs []poetry.Address
	for _, arg := range fs.Args() {
		a, err := poetry.ParseAddress(arg)
		if err != nil {
			bad(fs, "address %q: %v", arg, err)
		}
		addrs = append(addrs, a)
	}
	o.service, o.poems = addrs[0], addrs[1:]
	return o
}

func bad(fs *flag.FlagSet, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "transform-client: "+format+"\n", args...)
	fs.Usage()
	os.Exit(2)
}

func main() {
	o := parseArgs()
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "transform-client:", err)
		os.Exit(1)
	}
	left, failed := len(o.poems), false
	done := func() {
		if left--; left == 0 {
			r.Stop()
		}
	}
	r.CallWhenRunning(func() {
		for _, addr := range o.poems {
			d := poetry.GetPoetry(r, addr.String(), poetry.WithTimeout(o.timeout))
			d.AddCallback(func(v any) (any, error) {
				return transform(r, o, v.(string)), nil
			})
			d.AddCallbacks(func(v any) (any, error) {
				fmt.Printf("%s\n\n", v)
				return nil, nil
			}, func(f *deferred.Failure) (any, error) {
				failed = true
				fmt.Fprintf(os.Stderr, "transform-client: no poem from %v: %v\n", addr, f.Error())
				return nil, nil
			})
			d.AddBoth(func(any) (any, error) { done(); return nil, nil })
		}
	})
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "transform-client:", err)
		os.Exit(1)
	}
	if failed {
		os.Exit(1)
	}
}

// transform asks the service for the transformation of poem and returns a
// Deferred that always fires with a poem to print: the transformed one, or
// the poem as it was when the service cannot give one (said on stderr).
func transform(r *reactor.Reactor, o options, poem string) *deferred.Deferred {
	f := &transformFactory{name: o.transform, poem: poem, noRetry: o.retries == 0, d: deferred.New()}
	f.Clock = r
	f.MaxRetries = o.retries
	f.Backoff.InitialDelay = o.retryDelay
	f.GaveUp = func(reason error) { f.finish("", reason) }
	timer := r.CallLater(o.timeout, func() {
		f.StopTrying()
		f.finish("", fmt.Errorf("no answer after %v", o.timeout))
	})
	r.ConnectTCP(o.service.String(), f, o.timeout)
	return f.d.AddBoth(func(v any) (any, error) {
		if timer.Active() {
			timer.Cancel()
		}
		if err, ok := v.(error); ok {
			fmt.Fprintf(os.Stderr, "transform-client: transformation failed: %v; the poem untransformed:\n", err)
			return poem, nil
		}
		return v, nil
	})
}
