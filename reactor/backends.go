package reactor

import "gyre/reactor/internal/poll"

// Backends returns the names of the backends available on this operating
// system, the default first. The reactor's tests run once for each.
func Backends() []string { return poll.Names() }

// DefaultBackend returns the backend New uses when none is chosen (neither
// WithBackend nor GYRE_REACTOR): epoll on Linux, kqueue on macOS and the
// BSDs, poll elsewhere.
func DefaultBackend() string { return poll.Default }
