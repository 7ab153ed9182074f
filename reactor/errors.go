package reactor

import (
	"errors"

	"gyre/internal/timerheap"
	"gyre/reactor/internal/poll"
)

// Errors reported by the loop and by delayed calls. They are sentinels: match
// them with errors.Is, since some are wrapped with more detail.
var (
	// ErrNotRunning is returned by Stop when the reactor is not running (it
	// never started, it already stopped, or Stop was already called).
	ErrNotRunning = errors.New("reactor: not running")

	// ErrAlreadyRunning is returned by Run when the reactor is running.
	ErrAlreadyRunning = errors.New("reactor: already running")

	// ErrReactorStopped is returned by Run on a reactor that has run and
	// stopped (as in Twisted, a reactor cannot be restarted), and by
	// CallFromGoroutine and BlockingCall once the loop has ended.
	ErrReactorStopped = errors.New("reactor: stopped; a reactor cannot be restarted")

	// ErrAlreadyCalled is returned by DelayedCall.Cancel, Reset and Delay
	// when the call has already run.
	ErrAlreadyCalled = timerheap.ErrAlreadyCalled

	// ErrAlreadyCancelled is returned by DelayedCall.Cancel, Reset and Delay
	// when the call was cancelled.
	ErrAlreadyCancelled = timerheap.ErrAlreadyCancelled

	// ErrUnknownBackend is returned by New for a backend name it does not
	// know or that this operating system does not have.
	ErrUnknownBackend = poll.ErrUnknown

	// ErrUnwatchable is returned by AddReader and AddWriter for a
	// descriptor the backend cannot watch; the message says why (select
	// cannot watch one at or above FD_SETSIZE; the other backends have no
	// such limit). A listening port holds back a connection accepted on
	// such a descriptor until a lower one is free.
	ErrUnwatchable = poll.ErrUnwatchable

	// ErrBadDescriptor is returned by AddReader and AddWriter for a negative
	// fd or a descriptor type that cannot be compared, and is the reason
	// given to ConnectionLost when the kernel reports that a registered fd
	// is no longer open (it was closed without being removed first).
	ErrBadDescriptor = errors.New("reactor: bad file descriptor")

	// ErrConnectionDone and ErrConnectionLost carry Twisted's messages
	// (error.ConnectionDone, error.ConnectionLost) because the tutorial's
	// programs print them, and have exported types named after Twisted's
	// classes, because a printed Failure names the error's type where
	// Twisted names the exception's class.
	//
	// ErrConnectionDone is the reason for a clean end: DoRead returned it or
	// io.EOF (io.EOF is reported to ConnectionLost as ErrConnectionDone).
	ErrConnectionDone error = &ConnectionDoneError{}

	// ErrConnectionLost is the reason for an unclean end, and the reason
	// given to every descriptor still registered when the reactor stops. It
	// is a *ConnectionLostError with no errno: the one a connection gets
	// when it is lost for a reason the kernel did not give.
	ErrConnectionLost error = &ConnectionLostError{}
)

// ConnectionDoneError is the type of ErrConnectionDone, Twisted's
// twisted.internet.error.ConnectionDone: the connection was closed cleanly.
// Every *ConnectionDoneError matches ErrConnectionDone with errors.Is.
type ConnectionDoneError struct{}

// Error returns Twisted's sentence, capital and full stop included (which
// is why this is a type and not errors.New, whose strings Go style wants
// in lower case).
func (*ConnectionDoneError) Error() string { return "Connection was closed cleanly." }

// Is makes errors.Is(err, ErrConnectionDone) true.
func (*ConnectionDoneError) Is(target error) bool { return target == ErrConnectionDone }
