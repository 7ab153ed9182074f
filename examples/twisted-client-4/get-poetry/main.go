// Command get-poetry is the tutorial's Twisted client 4.0
// (twisted-client-4/get-poetry.py in part 8 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor and Deferreds.
//
//	go run ./examples/twisted-client-4/get-poetry [hostname]:port ...
//
// # getPoetry returns a Deferred
//
// Client 3.1's getPoetry took two functions, one for the poem and one for
// a failure, and promised to call exactly one of them, once. That promise
// is what a Deferred is, made into a value. getPoetry now takes no
// functions at all:
//
//	d := getPoetry(r, addr)
//	d.AddCallbacks(gotPoem, poemFailed)
//	d.AddBoth(poemDone)
//
// It returns a *deferred.Deferred at once, and the caller attaches what it
// wants done with the outcome: a callback for the poem, an errback for a
// failure, and here a third stage that runs after either (AddBoth) and
// stops the reactor once every download is over. The factory fires the
// Deferred when it knows the outcome: Callback with the poem, Errback with
// the failure. Firing is synchronous: the chain of callbacks runs right
// there, inside the factory's call, inside the reactor's.
//
// The protocol and factory are gyre's poetry.ClientProtocol and
// poetry.ClientFactory, the tutorial's client 4 pair: the protocol
// collects the poem and, at a clean end of the connection, calls the
// factory's PoemFinished, which fires the Deferred; ClientConnectionFailed,
// and a connection lost before the end of the poem, fire it with the
// failure instead (the original takes any end for the end of the poem).
// getPoetry below is all there is to assembling them.
//
// What is done with the outcomes, and the run of the reactor until every
// download is over, are in ../../internal/client4 (client4.Run), shared
// with the answer to the part's first exercise, ../get-poetry-exercise-1,
// which differs in its getPoetry only.
//
// # Output
//
// As the original's: when every download is over, the poems, each
// followed by an empty line, in the order they finished; and for each
// failure, as it happens, on stderr,
//
//	Poem failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectError: Connection was refused by other side: 111: Connection refused.
//	]
//
// (the Go type of the error where Python shows its class).
//
// Where this client departs from the original: a connection lost
// uncleanly is a failure, not a poem. As the original, it waits as long
// as a server keeps the connection open, and exits with status 0 after a
// failed download.
package main

import (
	"os"

	"gyre/deferred"
	"gyre/examples/internal/client4"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 4.0
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-4/get-poetry 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

// getPoetry downloads a poem from addr ("host:port") and returns a
// Deferred that fires with the poem (a string), or fails.
func getPoetry(r *reactor.Reactor, addr string) *deferred.Deferred {
	factory := poetry.NewClientFactory()
	r.ConnectTCP(addr, factory, reactor.DefaultConnectTimeout)
	return factory.Deferred
}

func main() {
	p := optparse.New("get-poetry", usage)
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.ExitWithHelp()
	}
	addrs, err := poetry.ParseAddresses(args)
	if err != nil {
		p.Error(err.Error())
	}
	client4.Run("get-poetry", addrs, getPoetry)
}
