package proxyproto

import (
	"errors"
	"strings"
)

// Why a connection was rejected before its header was complete (the Err of
// a Rejected record; match with errors.Is).
var (
	// ErrNoHeader: the first bytes are not a PROXY protocol signature (a
	// client that reached the port directly, past the balancer).
	ErrNoHeader = errors.New("proxyproto: no PROXY protocol header")
	// ErrMalformed: a signature, then bytes that are not a valid header.
	// The error wraps the reason (most often go-proxyproto's).
	ErrMalformed = errors.New("proxyproto: malformed PROXY protocol header")
	// ErrTooLarge: a header longer than MaxHeaderSize (or a v1 line
	// longer than 107 bytes).
	ErrTooLarge = errors.New("proxyproto: PROXY protocol header too large")
	// ErrTimeout: the whole header did not arrive within the timeout.
	ErrTimeout = errors.New("proxyproto: PROXY protocol header not received in time")
	// ErrClosed: the connection ended before its header was complete; the
	// error wraps the connection's reason.
	ErrClosed = errors.New("proxyproto: connection ended before its PROXY protocol header")
	// ErrRefused: the inner factory refused the connection (its
	// BuildProtocol returned nil, or panicked: the error then wraps the
	// panic), or TLS could not be started on it (WithTLS).
	ErrRefused = errors.New("proxyproto: connection refused by the inner factory")
)

// errV2FixedPart is the reason a v2 header is malformed when the byte
// of its version and command, or its family byte, is none the
// specification defines.
var errV2FixedPart = errors.New("unsupported version, command or address family in a v2 header")

// wrapped is one of the sentinel errors with its cause.
type wrapped struct {
	kind, cause error
}

// Error names the package once: go-proxyproto's reasons begin with
// "proxyproto:" too.
func (e *wrapped) Error() string {
	return e.kind.Error() + ": " + strings.TrimPrefix(e.cause.Error(), "proxyproto: ")
}

func (e *wrapped) Unwrap() []error { return []error{e.kind, e.cause} }

// Reason names the kind of a rejection in one word, for metric labels and
// logs: "missing" (ErrNoHeader, ErrClosed), "malformed" (ErrMalformed,
// ErrTooLarge), "timeout", "refused", or "other".
func Reason(err error) string {
	switch {
	case errors.Is(err, ErrNoHeader), errors.Is(err, ErrClosed):
		return "missing"
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrTooLarge):
		return "malformed"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrRefused):
		return "refused"
	}
	return "other"
}
