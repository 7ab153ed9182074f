// Package reactortest is gyre's test kit for protocols and clients, as
// net/http/httptest is for handlers and Twisted's proto_helpers for
// protocols: doubles that run code written for the reactor without
// sockets, without a running loop and without sleeping.
//
//   - StringTransport is a Transport that records what the protocol writes,
//     in order, and what it asks for (LoseConnection, AbortConnection, a
//     producer, pausing); the test feeds it data (Receive) and ends the
//     connection the way the reactor would (ClosePeer, ResetPeer,
//     Disconnect). A protocol that takes half-closes hears the peer's
//     end of stream as ReadConnectionLost, as from the reactor. With
//     HoldWrites it is also a peer that reads only when the test says
//     (Drain), so that a push producer is paused and resumed by its
//     buffer's water marks as on a real connection.
//   - Reactor is a double of the reactor for clients: its time is a
//     task.Clock the test advances, and ConnectTCP and ListenTCP are
//     recorded; the test then completes a connection over a
//     StringTransport or fails it. It satisfies reactor.ClientReactor, so
//     code that takes one (poetry.GetPoetry) runs on it unchanged.
//   - RealReactor makes a real reactor on a given backend, closed when the
//     test ends, for the tests that then go over real sockets.
//
// Everything here belongs to the test's goroutine, which plays the loop:
// callbacks run inside the calls that trigger them (Receive, Advance,
// Complete...), and a panic in one reaches the test.
package reactortest
