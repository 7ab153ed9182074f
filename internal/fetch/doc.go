// Package fetch downloads poems from several poetry servers in each of the
// three ways part 2 of Dave Peticolas's Twisted tutorial compares, so that
// gyre can run them side by side and show the difference:
//
//   - Blocking (blocking.go): one server after another with plain blocking
//     sockets, like examples/blocking-client. The run takes the SUM of the
//     downloads.
//   - Async (async.go): every server at once from one goroutine and a
//     hand-written select(2) loop over non-blocking sockets, like
//     examples/async-client. The run takes as long as the LONGEST download.
//   - Reactor (reactormode.go): every server at once on a gyre reactor with
//     poetry.GetPoetry, the tutorial's client 4: the same loop, hidden
//     inside the reactor.
//
// Fetch runs one of them and returns one Result per address, in the order
// of the addresses. While it runs it tells an Observer what happens, one
// Event at a time: a task Started (it began connecting), Received a chunk,
// Finished (with the error, if any). Those events feed the live progress
// display and the timelines (Timeline turns them into a
// timeline.Recorder's figure) of gyre get and gyre demo.
//
// Every mode calls the Observer from the goroutine that called Fetch, one
// event at a time, so an observer needs no locking. Timestamps come from
// the clock WithClock gives (time.Now by default): a test that drives the
// servers in lockstep with a fake clock gets the same timeline every run.
//
// Each download may be bounded by WithTimeout (connecting included), and
// the whole run by the context: cancelling it fails every unfinished task
// with the context's error and Fetch returns promptly, having closed every
// socket it opened.
//
// Failures are reported per task, never as Fetch's error: a server that
// refuses, resets or times out fails its task and the others go on. Reason
// turns a task's error into the short text a person wants to read
// ("connection refused"), the same whichever mode produced it.
//
// The examples under examples/ stay self-contained tutorial programs; this
// package is the product's version of the same three clients, instrumented.
package fetch
