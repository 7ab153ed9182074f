package reactor

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"gyre/deferred"
)

// TestConnectionErrorTypes: a printed Failure names the error's Go type
// where Twisted names the exception's class, so the connection errors have
// exported types named after Twisted's (ConnectionDone, ConnectionLost,
// ConnectionAborted), and the sentinels, the types and errors.Is agree.
func TestConnectionErrorTypes(t *testing.T) {
	for _, tc := range []struct {
		err      error
		typeName string
		msg      string
	}{
		{ErrConnectionDone, "*reactor.ConnectionDoneError", "Connection was closed cleanly."},
		{ErrConnectionLost, "*reactor.ConnectionLostError", "Connection to the other side was lost in a non-clean fashion."},
		{ErrConnectionAborted, "*reactor.ConnectionAbortedError", "Connection was aborted locally using ITCPTransport.abortConnection."},
	} {
		want := "[Failure instance: Traceback (failure with no frames): " + tc.typeName + ": " + tc.msg + "\n]"
		if got := fmt.Sprintf("%+v", deferred.NewFailure(tc.err)); got != want {
			t.Errorf("%%+v of a Failure of %v:\n%s\nwant:\n%s", tc.err, got, want)
		}
	}

	var lost *ConnectionLostError
	if !errors.As(ErrConnectionLost, &lost) || lost.Err != nil {
		t.Errorf("ErrConnectionLost is not a *ConnectionLostError without errno: %#v", ErrConnectionLost)
	}
	var done *ConnectionDoneError
	if !errors.As(ErrConnectionDone, &done) || errors.As(ErrConnectionLost, &done) {
		t.Errorf("errors.As with *ConnectionDoneError does not tell ErrConnectionDone from ErrConnectionLost")
	}
	for _, tc := range []struct {
		err    error
		target error
		want   bool
	}{
		{ErrConnectionDone, ErrConnectionDone, true},
		{&ConnectionDoneError{}, ErrConnectionDone, true},
		{ErrConnectionDone, ErrConnectionLost, false},
		{ErrConnectionLost, ErrConnectionLost, true},
		{ErrConnectionLost, ErrConnectionDone, false},
		{ErrConnectionLost, ErrConnectionAborted, false},
		{&ConnectionLostError{Err: syscall.ECONNRESET}, ErrConnectionLost, true},
		{&ConnectionLostError{Err: syscall.ECONNRESET}, syscall.ECONNRESET, true},
		{ErrConnectionAborted, ErrConnectionLost, true},
		{ErrConnectionAborted, ErrConnectionAborted, true},
		{&ConnectionAbortedError{}, ErrConnectionAborted, true},
		{fmt.Errorf("read: %w", ErrConnectionDone), ErrConnectionDone, true},
	} {
		if got := errors.Is(tc.err, tc.target); got != tc.want {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", tc.err, tc.target, got, tc.want)
		}
	}
}
