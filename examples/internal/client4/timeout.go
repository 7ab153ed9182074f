package client4

import (
	"time"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/reactor"
)

// GetPoetry is the getPoetry of the answers to part 8's exercises: it
// downloads a poem from addr ("host:port") and returns a Deferred that
// fires with the poem (a string), or fails. With a timeout above zero, a
// download still going after it fails with timedOut's error (each program
// has its own error type, which its failures print), and its connection
// is aborted or its attempt stopped.
func GetPoetry(r *reactor.Reactor, addr string, timeout time.Duration, timedOut func() error) *deferred.Deferred {
	factory := poetry.NewClientFactory()
	connector := r.ConnectTCP(addr, factory, reactor.DefaultConnectTimeout)
	d := factory.Deferred
	if timeout <= 0 {
		return d
	}
	timer := r.CallLater(timeout, func() {
		factory.PoemFailed(timedOut())
		// Stop the work too: the factory's own outcome, when it comes,
		// finds the Deferred fired and is dropped.
		if t := connector.Transport(); t != nil {
			t.AbortConnection()
		} else {
			connector.StopConnecting()
		}
	})
	// Whatever the outcome, the timer has nothing left to do. A stage that
	// returns its input, Failure or not, passes it on unchanged.
	d.AddBoth(func(result any) (any, error) {
		if timer.Active() {
			timer.Cancel()
		}
		return result, nil
	})
	return d
}
