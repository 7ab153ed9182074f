package reactor

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strconv"
	"syscall"

	"gyre/deferred"
)

// Errors of the TCP layer. The messages of those the tutorial's programs
// print are Twisted's own sentences.
var (
	// ErrConnectionAborted is the reason ConnectionLost gives after
	// AbortConnection. It matches ErrConnectionLost with errors.Is, as
	// Twisted's ConnectionAborted is a ConnectionLost.
	ErrConnectionAborted error = &ConnectionAbortedError{}

	// ErrConnectTimeout is wrapped by the *ConnectError of a connection
	// attempt that did not succeed within ConnectTCP's timeout.
	ErrConnectTimeout = errors.New("User timeout caused connection failure.") //lint:ignore ST1005 Twisted's message, printed by the tutorial's programs

	// ErrConnectCancelled is wrapped by the *ConnectError of an attempt
	// ended by Connector.StopConnecting (or Disconnect).
	ErrConnectCancelled = errors.New("User aborted connection.") //lint:ignore ST1005 Twisted's message

	// ErrNoProtocol is wrapped by the *ConnectError of an attempt whose
	// factory's BuildProtocol returned nil.
	ErrNoProtocol = errors.New("reactor: factory built no protocol")

	// ErrProducerRegistered is returned by RegisterProducer when the
	// connection already has a producer (or a file transfer) going.
	ErrProducerRegistered = errors.New("reactor: a producer is already registered")

	// ErrProducerStopped is the failure of a file transfer whose consumer
	// stopped it (its connection was lost); the connection's reason is
	// wrapped too when known.
	ErrProducerStopped = errors.New("reactor: consumer stopped the producer")
)

// ConnectionAbortedError is the type of ErrConnectionAborted, Twisted's
// twisted.internet.error.ConnectionAborted. It matches both
// ErrConnectionAborted and ErrConnectionLost with errors.Is.
type ConnectionAbortedError struct{}

func (*ConnectionAbortedError) Error() string {
	return "Connection was aborted locally using ITCPTransport.abortConnection."
}

// Is makes errors.Is true for ErrConnectionAborted and ErrConnectionLost.
func (*ConnectionAbortedError) Is(target error) bool {
	return target == ErrConnectionAborted || target == ErrConnectionLost
}

// ConnectionLostError is the reason for an unclean end of a connection,
// Twisted's twisted.internet.error.ConnectionLost: a read, write or connect
// failed with Err (a syscall.Errno such as ECONNRESET or EPIPE), or, with
// Err nil, the connection was cut for a reason the kernel did not give
// (ErrConnectionLost itself is one of those). Every *ConnectionLostError
// matches ErrConnectionLost with errors.Is, and its errno too.
type ConnectionLostError struct {
	Err error
}

func (e *ConnectionLostError) Error() string {
	const lost = "Connection to the other side was lost in a non-clean fashion"
	if e.Err == nil {
		return lost + "."
	}
	return lost + ": " + sentence(e.Err) + "."
}

// Unwrap returns the errno.
func (e *ConnectionLostError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrConnectionLost) true.
func (e *ConnectionLostError) Is(target error) bool { return target == ErrConnectionLost }

// lostBy makes the reason for a connection ended by errno.
func lostBy(errno error) error { return &ConnectionLostError{Err: errno} }

// ConnectError is why a connection attempt failed (the reason given to
// ClientFactory.ClientConnectionFailed). Err is what failed: a
// syscall.Errno from connect(2) (ECONNREFUSED, ENETUNREACH, EHOSTUNREACH,
// ETIMEDOUT...), a *net.DNSError from resolving the name,
// ErrConnectTimeout, ErrConnectCancelled, or ErrNoProtocol. Match it with
// errors.As, and the cause with errors.Is:
//
//	var ce *reactor.ConnectError
//	if errors.As(reason, &ce) && errors.Is(reason, syscall.ECONNREFUSED) { ... }
//
// Its message is Twisted's for the same failure, e.g. "Connection was
// refused by other side: 111: Connection refused.".
type ConnectError struct {
	Addr string // the destination as given to ConnectTCP
	Err  error
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Is makes an attempt stopped by StopConnecting match deferred.ErrCancelled
// as well: that is how a connect Deferred cancelled by task.AddTimeout or
// CancelOnDone ends, and those helpers then say why (a *task.TimeoutError,
// the context's error) rather than "User aborted connection.".
func (e *ConnectError) Is(target error) bool {
	return target == deferred.ErrCancelled && errors.Is(e.Err, ErrConnectCancelled)
}

// Timeout reports whether the attempt timed out, by the connector's timeout
// or the kernel's.
func (e *ConnectError) Timeout() bool {
	return errors.Is(e.Err, ErrConnectTimeout) || errors.Is(e.Err, syscall.ETIMEDOUT)
}

func (e *ConnectError) Error() string {
	var errno syscall.Errno
	var dns *net.DNSError
	var pe *fs.PathError
	switch {
	case e.Err == nil:
		return "An error occurred while connecting."
	case errors.Is(e.Err, ErrConnectTimeout), errors.Is(e.Err, ErrConnectCancelled):
		return e.Err.Error()
	case errors.As(e.Err, &pe) && pe.Path != "":
		// A file the connection needed (a TLS endpoint's caCerts): its
		// errno alone would send the reader looking for a socket.
		return "An error occurred while connecting: " + e.Err.Error() + "."
	case errors.As(e.Err, &dns):
		return "DNS lookup failed: " + dns.Error() + "."
	case errors.As(e.Err, &errno):
		return errnoConnectMessage(errno) + ": " + strconv.Itoa(int(errno)) + ": " + sentence(errno) + "."
	default:
		return "An error occurred while connecting: " + e.Err.Error() + "."
	}
}

// errnoConnectMessage is the class docstring of Twisted's error for errno
// (twisted.internet.error.getConnectError).
func errnoConnectMessage(errno syscall.Errno) string {
	switch errno {
	case syscall.ECONNREFUSED:
		return "Connection was refused by other side"
	case syscall.ETIMEDOUT:
		return "TCP connection timed out"
	case syscall.ENETUNREACH, syscall.EHOSTUNREACH:
		return "No route to host"
	case syscall.EAGAIN:
		// gyre's own: what connect(2) answers on Linux for a Unix
		// socket whose listener has a full queue (Twisted would retry).
		return "The listener's queue of connections not yet accepted is full"
	}
	return "An error occurred while connecting"
}

// sentence is err's message with a capital first letter: Go's errno texts
// are lower case ("connection refused"), the C library's, which Twisted
// prints, are not ("Connection refused").
func sentence(err error) string {
	s := err.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// ListenError is why ListenTCP could not listen (Twisted's
// CannotListenError). Err is usually a syscall.Errno (EADDRINUSE,
// EACCES...) or a resolution error for the interface name.
type ListenError struct {
	Interface string // the host part as given ("" for all interfaces)
	Port      int
	Path      string // a Unix socket's path, what a systemd socket was asked by, or the address as given when it was never parsed ("" otherwise)
	Err       error
}

func (e *ListenError) Unwrap() error { return e.Err }

func (e *ListenError) Error() string {
	where := e.Path
	if where == "" {
		iface := e.Interface
		if iface == "" {
			iface = "any" // Twisted's word for all interfaces
		}
		where = iface + ":" + strconv.Itoa(e.Port)
	}
	// A file the listener needed (a TLS key or certificate) is named: the
	// errno alone would not say which file is missing.
	var pe *fs.PathError
	if errors.As(e.Err, &pe) && pe.Path != "" && pe.Path != e.Path {
		where += ": " + pe.Path
	}
	var errno syscall.Errno
	if errors.As(e.Err, &errno) {
		return fmt.Sprintf("Couldn't listen on %s: [Errno %d] %s.", where, int(errno), sentence(errno))
	}
	return fmt.Sprintf("Couldn't listen on %s: %v.", where, e.Err)
}
