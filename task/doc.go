// Package task holds helpers for work spread over time, built on the
// reactor's Clock: Twisted's twisted.internet.task.
//
//   - LoopingCall runs a function every interval until stopped, and hands
//     back a Deferred that fires when it stops (or fails when the function
//     does). The count variant tells the function how many intervals went
//     by, for when the loop falls behind. The Deferred variant
//     (NewLoopingCallDeferred) is for asynchronous work: the function
//     returns a Deferred, and the loop waits for it before the next call.
//   - DeferLater runs a function after a delay and returns a Deferred for
//     its result.
//   - AddTimeout cancels a Deferred that has not fired in time and makes
//     its failure a *TimeoutError saying how long it waited.
//   - Clock is a fake reactor.Clock whose time moves only when a test says
//     so (Advance), so code that schedules work can be tested in
//     microseconds, without sleeping and without flakiness.
//
// Everything here takes a reactor.Clock, which *reactor.Reactor and *Clock
// both satisfy: the same LoopingCall runs on the real loop in a program and
// on a Clock in its tests. Clock keeps its calls in the reactor's own timer
// heap (gyre/internal/timerheap), so the fake behaves as the real one
// does, ordering included.
//
// Like the reactor, these types belong to one goroutine: the one running
// the reactor, or the test driving the Clock.
package task
