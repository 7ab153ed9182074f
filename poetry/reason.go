package poetry

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// Reason is the part of an error worth a user's time, as the tutorial's
// programs print it after "failed to get poetry from ADDR: " or "cannot
// listen on ADDR: ": the system's words for an errno ("connection
// refused", "address already in use", "permission denied"), the
// resolver's for a name it could not resolve ("no such host"), the
// address parser's for a malformed address, "connection closed" for a use
// of a closed network connection, rather than the whole chain Go builds
// ("dial tcp 127.0.0.1:10000: connect: connection refused"). Other errors
// are given as they are.
func Reason(err error) string {
	var errno syscall.Errno
	var dnsErr *net.DNSError
	var addrErr *net.AddrError
	var pathErr *os.PathError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &errno):
		return errno.Error()
	case errors.As(err, &dnsErr):
		return dnsErr.Err
	case errors.As(err, &addrErr):
		return addrErr.Err
	case errors.As(err, &pathErr):
		return pathErr.Err.Error()
	case errors.Is(err, net.ErrClosed):
		return "connection closed"
	}
	return err.Error()
}
