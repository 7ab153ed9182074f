package poetry

import (
	"net"
	"strconv"
	"strings"
)

// DefaultHost is the host a client uses when an address is a bare port, as
// in the tutorial, where "get-poetry.py 10000" means 127.0.0.1:10000.
const DefaultHost = "127.0.0.1"

// Address is where a poetry client finds a server, as written on its
// command line.
type Address struct {
	// Host is kept exactly as given ("localhost" stays "localhost") because
	// the blocking client echoes it. It is DefaultHost for a bare port and
	// empty for ":10000", which, as with Python's socket module, means this
	// machine.
	Host string
	Port int
	// Endpoint, when not empty, is a client endpoint description
	// (reactor.ParseClientEndpoint: "tls:host=H:port=P",
	// "unix:path=P"...) to connect to instead of Host and Port.
	Endpoint string
}

// String formats the address as host:port, with brackets around an IPv6
// host ("[::1]:10000"), so that ParseAddress reads it back unchanged.
func (a Address) String() string {
	if a.Endpoint != "" {
		return a.Endpoint
	}
	return net.JoinHostPort(a.Host, strconv.Itoa(a.Port))
}

// AddressError reports an argument that is not a poetry address. For a
// port that is not digits, its message is the one the tutorial's clients
// print, "Ports must be integers."; for a port of digits outside 1-65535,
// which the tutorial takes and then fails to connect to, it says so.
type AddressError struct {
	Input      string // the argument as given
	OutOfRange bool   // the port is digits, but not a number from 1 to 65535
}

func (e *AddressError) Error() string {
	if e.OutOfRange {
		return "Ports must be integers from 1 to 65535."
	}
	return "Ports must be integers."
}

// ParseAddress reads one client argument the way the tutorial does, with
// IPv6 added:
//
//	10000          127.0.0.1:10000
//	host:port      host and port as given (split at the first colon)
//	:10000         empty host: this machine
//	[::1]:10000    IPv6 host in brackets (brackets hold IPv6 literals only)
//
// The port must be decimal digits only (no sign, no spaces; leading zeros
// are fine) and between 1 and 65535. Anything else is an *AddressError:
// "Ports must be integers." as in the tutorial, or, for digits out of
// range, "Ports must be integers from 1 to 65535.".
func ParseAddress(s string) (Address, error) {
	var host, port string
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.Index(s, "]:")
		if end < 0 {
			return Address{}, &AddressError{Input: s}
		}
		host, port = s[1:end], s[end+2:]
		// Brackets are for IPv6 literals only, so that String, which adds
		// them exactly when the host has a colon, gives the input back.
		if !strings.Contains(host, ":") || strings.ContainsAny(host, "[]") {
			return Address{}, &AddressError{Input: s}
		}
	case !strings.Contains(s, ":"):
		host, port = DefaultHost, s
	default:
		// Splitting at the FIRST colon is what the original does; it also
		// means an unbracketed IPv6 address is refused rather than guessed.
		host, port, _ = strings.Cut(s, ":")
	}
	n, ok, digits := parsePort(port)
	if !ok {
		return Address{}, &AddressError{Input: s, OutOfRange: digits}
	}
	return Address{Host: host, Port: n}, nil
}

// ParseAddresses parses every argument with ParseAddress and stops at the
// first bad one.
func ParseAddresses(args []string) ([]Address, error) {
	addrs := make([]Address, 0, len(args))
	for _, arg := range args {
		a, err := ParseAddress(arg)
		if err != nil {
			return nil, err
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// parsePort accepts 1 to 65535 written with ASCII digits only. strconv.Atoi
// alone would also take "+80" and "-1", which the original rejects. digits
// reports whether s is ASCII digits, in range or not.
func parsePort(s string) (port int, ok, digits bool) {
	if s == "" {
		return 0, false, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false, false
		}
		if n <= 65535 {
			n = n*10 + int(c-'0')
		}
	}
	return n, n >= 1 && n <= 65535, true
}
