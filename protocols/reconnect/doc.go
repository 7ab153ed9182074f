// Package reconnect keeps client connections up: Twisted's
// ReconnectingClientFactory and ClientService on gyre's reactor.
//
//   - Factory is a reactor.ClientFactory that connects again, after a
//     delay that grows exponentially with jitter, each time the connection
//     fails or is lost, until it succeeds, StopTrying is called, or
//     MaxRetries attempts in a row have failed. A successful connection
//     resets the delay.
//   - ClientService keeps one connection to an address up with a Factory,
//     hands out the current connection's protocol through WhenConnected (a
//     Deferred, fired at once when connected, later otherwise) and stops
//     cleanly: StopService stops the retries, closes the connection and
//     fires when it has ended. Unlike Twisted's, it does not wait for ever
//     on a peer that reads nothing: a close not done within StopTimeout
//     is aborted.
//
// These live in a package of their own, not in policies: policies wrap a
// server's factories with limits that apply per connection accepted,
// while this package is about a client's connection over time (retry
// schedules, the Deferreds of a service), and builds on deferred as well.
//
// The delays run on a reactor.Clock, so tests drive them with task.Clock.
// Everything runs on the reactor's goroutine.
package reconnect
