package reactor

import "errors"

var (
	// ErrTLSHandshakeTimeout is wrapped by the *TLSError of a handshake
	// that took longer than its timeout (a peer that stopped half-way,
	// or never sent its hello).
	ErrTLSHandshakeTimeout = errors.New("TLS handshake timed out")

	// ErrTLSTruncated is wrapped by the *TLSError of a TLS stream the
	// peer ended without a close_notify: what was received may be cut
	// short, so it is not a clean end.
	ErrTLSTruncated = errors.New("TLS stream ended without close_notify")
)

// TLSError is why a TLS connection failed: Op is "handshake" or "read",
// Err is crypto/tls's error (a tls.AlertError, a
// *tls.CertificateVerificationError, a tls.RecordHeaderError for a peer
// that sent something other than TLS...) or ErrTLSHandshakeTimeout or
// ErrTLSTruncated. It also matches ErrConnectionLost with errors.Is: the
// connection did not end cleanly.
type TLSError struct {
	Op  string
	Err error
}

func (e *TLSError) Error() string { return "TLS " + e.Op + " failed: " + e.Err.Error() }

// Unwrap gives the cause and ErrConnectionLost.
func (e *TLSError) Unwrap() []error { return []error{e.Err, ErrConnectionLost} }
