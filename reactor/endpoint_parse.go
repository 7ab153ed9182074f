package reactor

import (
	"crypto/tls"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Endpoint strings are Twisted's: a type, then fields separated by colons,
// each either positional ("tcp:10000") or named ("tcp:port=10000"). A
// backslash takes the next character literally, so a colon inside a field
// (an IPv6 address, a path) is written "\:". They are parsed here, once,
// for servers (ParseServerEndpoint) and for clients (ParseClientEndpoint);
// ListenEndpoint and ConnectEndpoint act on what they return.

// ServerEndpoint is a parsed server endpoint description.
type ServerEndpoint struct {
	// Type is "tcp", "tcp6", "unix", "tls" (also written "ssl") or
	// "systemd".
	Type string
	// Port and Interface: where tcp, tcp6 and tls listen (an empty
	// interface means every IPv4 interface, "::" for tcp6).
	Port      int
	Interface string
	// Backlog is the listen backlog of tcp, tcp6, tls and unix, 0 for
	// the default. A systemd socket has the one its unit sets
	// (Backlog=): systemd listened on it, so there it is ignored.
	Backlog int
	// Path and Mode: the Unix socket's file and its permissions. Mode 0
	// means none given: the listen's WithMode, or DefaultUnixMode (0666,
	// as Twisted's).
	Path string
	Mode os.FileMode
	// PrivateKey and CertKey are the TLS key and certificate chain files
	// (PEM); CertKey defaults to PrivateKey (one file holding both).
	PrivateKey, CertKey string
	// HandshakeTimeout bounds each TLS handshake (handshakeTimeout=S, in
	// seconds or as a duration; 0: DefaultTLSHandshakeTimeout). It is
	// gyre's addition to Twisted's fields.
	HandshakeTimeout time.Duration
	// Domain, Index and Name select a socket handed over by systemd:
	// Domain is INET, INET6 or UNIX; Index counts from 0 in the order of
	// LISTEN_FDS, or Name picks it by its LISTEN_FDNAMES name (Index is
	// -1 then).
	Domain string
	Index  int
	Name   string
}

// ClientEndpoint is a parsed client endpoint description.
type ClientEndpoint struct {
	// Type is "tcp", "unix" or "tls" (also written "ssl").
	Type string
	// Host and Port: where tcp and tls connect.
	Host string
	Port int
	// Timeout bounds the connection attempt (0: DefaultConnectTimeout).
	Timeout time.Duration
	// Path is the Unix socket to connect to.
	Path string
	// CACerts is a PEM file of the certificate authorities a TLS server's
	// certificate is checked against (empty: the system's roots).
	CACerts string
	// TLSConfig, when set, is the configuration of a tls: connection
	// (client certificates, InsecureSkipVerify...), instead of the one
	// made from CACerts; its ServerName defaults to Host, and
	// renegotiation is refused whatever its Renegotiation says (see
	// Reactor.ConnectTLS). It is never set by parsing.
	TLSConfig *tls.Config
}

// EndpointError is a malformed endpoint description: which description,
// which field, and what was expected there.
type EndpointError struct {
	Desc  string // the description as given
	Field string // the field at fault ("" when the whole string is)
	Msg   string // what is wrong, what was expected
}

func (e *EndpointError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("endpoint %q: %s", e.Desc, e.Msg)
	}
	return fmt.Sprintf("endpoint %q: %s: %s", e.Desc, e.Field, e.Msg)
}

// endpointFields is a description split into its fields.
type endpointFields struct {
	desc  string
	typ   string
	args  []string
	named map[string]string
	order []string // named fields in the order given, for checking

	// cut is the first named field that positional fields follow, and
	// cutValue its value with them joined back by colons: what a value
	// cut short by a colon that should have been escaped looks like
	// (interface=::1 is interface="" then the fields "" and "1"). See
	// noteField.
	cut, cutValue string
	cutting       bool   // the fields after cut are still positional
	last, lastVal string // the last named field seen, until cut is found
}

// splitEndpoint splits desc at unescaped colons and separates positional
// fields from named ones (the first unescaped "=" names a field).
func splitEndpoint(desc string) (*endpointFields, error) {
	f := &endpointFields{desc: desc, named: map[string]string{}}
	var cur strings.Builder
	key := ""
	haveKey := false
	first := true
	flush := func() error {
		val := cur.String()
		cur.Reset()
		defer func() { key, haveKey = "", false }()
		if first {
			first = false
			f.typ = strings.ToLower(val)
			return nil
		}
		if !haveKey {
			f.args = append(f.args, val)
			f.noteField("", val)
			return nil
		}
		if key == "" {
			return &EndpointError{Desc: desc, Msg: "a field name is empty before " + strconv.Quote("="+val)}
		}
		if _, dup := f.named[key]; dup {
			return &EndpointError{Desc: desc, Field: key, Msg: "given twice"}
		}
		f.named[key] = val
		f.order = append(f.order, key)
		f.noteField(key, val)
		return nil
	}
	for i := 0; i < len(desc); i++ {
		switch ch := desc[i]; {
		case ch == '\\':
			if i+1 == len(desc) {
				return nil, &EndpointError{Desc: desc, Msg: "ends with a lone backslash; expected a character after it"}
			}
			i++
			cur.WriteByte(desc[i])
		case ch == ':':
			if err := flush(); err != nil {
				return nil, err
			}
		case ch == '=' && !haveKey && !first:
			key, haveKey = cur.String(), true
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if f.typ == "" {
		return nil, &EndpointError{Desc: desc, Msg: "empty type; expected tcp, tcp6, unix, tls, ssl or systemd"}
	}
	return f, nil
}

// noteField follows the fields in the order given (key is "" for a
// positional one) to find cut: the first named field that positional
// fields follow, and cutValue, its value with them. Positional fields may
// legally come after named ones; it is only when the fields then fail to
// bind that an unescaped colon is the likely cause (see positionalError).
func (f *endpointFields) noteField(key, val string) {
	switch {
	case key != "":
		f.cutting = false
		f.last, f.lastVal = key, val
	case f.cutting:
		f.cutValue += ":" + val
	case f.cut == "" && f.last != "":
		f.cut, f.cutValue, f.cutting = f.last, f.lastVal+":"+val, true
	}
}

// positionalError is the error of positional fields that do not bind: on
// field, msg. If a named field was followed by positional ones, the
// likely cause is a colon inside its value that was not escaped, and the
// error leads with that, showing the value escaped; asWritten says what
// went wrong as the description was split.
func (f *endpointFields) positionalError(field, msg, asWritten string) error {
	if f.cut == "" {
		return &EndpointError{Desc: f.desc, Field: field, Msg: msg}
	}
	var b endpointBuilder
	b.escaped(f.cutValue)
	return &EndpointError{Desc: f.desc, Field: f.cut, Msg: fmt.Sprintf(
		"an unescaped colon ends its value early; write %s=%s (as written, %s)", f.cut, b.String(), asWritten)}
}

// bind assigns the positional fields to names, in order, and checks that
// every field is one the type knows. It returns the fields by name.
func (f *endpointFields) bind(positional []string, known ...string) (map[string]string, error) {
	if len(f.args) > len(positional) {
		if len(positional) == 0 {
			return nil, f.positionalError("", fmt.Sprintf("%s takes only named fields (name=value), not %q", f.typ, f.args[0]),
				fmt.Sprintf("%q is a positional field, and %s takes only named ones", f.args[0], f.typ))
		}
		return nil, f.positionalError("", fmt.Sprintf("too many positional fields (%d); %s takes at most %d: %s%s",
			len(f.args), f.typ, len(positional), strings.Join(positional, ", "), colonHint),
			fmt.Sprintf("there are %d positional fields, and %s takes at most %d", len(f.args), f.typ, len(positional)))
	}
	out := make(map[string]string, len(f.args)+len(f.named))
	for i, v := range f.args {
		out[positional[i]] = v
	}
	allowed := map[string]bool{}
	for _, k := range positional {
		allowed[k] = true
	}
	for _, k := range known {
		allowed[k] = true
	}
	for _, k := range f.order {
		if !allowed[k] {
			names := append(append([]string(nil), positional...), known...)
			return nil, &EndpointError{Desc: f.desc, Field: k, Msg: "unknown field for " + f.typ + "; expected one of " + strings.Join(names, ", ") + equalsHint(k)}
		}
		if _, dup := out[k]; dup {
			return nil, f.positionalError(k, "given both by position and by name"+colonHint,
				k+" is given both by position and by name")
		}
		out[k] = f.named[k]
	}
	return out, nil
}

// colonHint ends the errors an unescaped colon inside a value makes: it
// splits the value into fields of its own, most often an IPv6 address
// written as it is elsewhere (interface=::1).
const colonHint = ` (a colon inside a value, as in an IPv6 address, is written \:)`

func (f *endpointFields) errorf(field, format string, args ...any) error {
	return &EndpointError{Desc: f.desc, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// port reads a port field: required, 0 to 65535 (1 to 65535 when zero is
// not allowed, for clients).
func (f *endpointFields) port(v map[string]string, allowZero bool) (int, error) {
	s, ok := v["port"]
	if !ok {
		return 0, f.errorf("port", "missing; expected a port number")
	}
	lo := 1
	if allowZero {
		lo = 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > 65535 {
		return 0, f.errorf("port", "expected a number from %d to 65535, got %q", lo, s)
	}
	return n, nil
}

func (f *endpointFields) backlog(v map[string]string) (int, error) {
	s, ok := v["backlog"]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1<<16-1 {
		return 0, f.errorf("backlog", "expected a number from 1 to 65535, got %q", s)
	}
	return n, nil
}

// ParseServerEndpoint parses a server endpoint description:
//
//	tcp:PORT[:interface=IP][:backlog=N]
//	tcp6:PORT[:interface=IP6][:backlog=N]
//	unix:PATH[:mode=0660][:backlog=N]
//	tls:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:interface=IP][:backlog=N][:handshakeTimeout=S]   (also ssl:)
//	systemd:domain=INET:index=N   (or name=NAME instead of index)
//
// Fields are separated by colons and given by name (tcp:port=8080,
// unix:path=PATH); the first ones may be given by position instead, in
// the order shown (tcp:8080:127.0.0.1 is tcp:8080:interface=127.0.0.1,
// tls:443:KEY.pem:CERT.pem names the two files), as Twisted's
// serverFromString takes them. A colon, an equals sign or a backslash
// inside a value is escaped with a backslash: tcp6:8080:interface=\:\:1,
// unix:/run/a\:b.sock, unix:/run/a\=b.sock. The type is not case
// sensitive.
//
// A malformed description is an *EndpointError naming the field and what
// was expected.
func ParseServerEndpoint(desc string) (ServerEndpoint, error) {
	f, err := splitEndpoint(desc)
	if err != nil {
		return ServerEndpoint{}, err
	}
	e := ServerEndpoint{Type: f.typ, Index: -1}
	switch f.typ {
	case "tcp", "tcp6":
		v, err := f.bind([]string{"port", "interface", "backlog"})
		if err != nil {
			return e, err
		}
		if e.Port, err = f.port(v, true); err != nil {
			return e, err
		}
		e.Interface = v["interface"]
		if e.Backlog, err = f.backlog(v); err != nil {
			return e, err
		}
		if f.typ == "tcp6" && e.Interface == "" {
			e.Interface = "::"
		}
	case "ssl", "tls":
		e.Type = "tls"
		v, err := f.bind([]string{"port", "privateKey", "certKey"}, "interface", "backlog", "handshakeTimeout")
		if err != nil {
			return e, err
		}
		if e.Port, err = f.port(v, true); err != nil {
			return e, err
		}
		e.Interface = v["interface"]
		if e.Backlog, err = f.backlog(v); err != nil {
			return e, err
		}
		e.PrivateKey = v["privateKey"]
		if e.PrivateKey == "" {
			return e, f.errorf("privateKey", "missing; expected the PEM file of the server's private key")
		}
		e.CertKey = v["certKey"]
		if e.CertKey == "" {
			e.CertKey = e.PrivateKey
		}
		if s, ok := v["handshakeTimeout"]; ok {
			d, err := parseTimeout(s)
			if err != nil {
				return e, f.errorf("handshakeTimeout", "expected seconds (10, 2.5) or a duration (500ms), more than 0 and at most 1000000 s, got %q", s)
			}
			e.HandshakeTimeout = d
		}
	case "unix":
		v, err := f.bind([]string{"address", "mode", "backlog"}, "path")
		if err != nil {
			return e, err
		}
		e.Path = v["address"]
		field := "address"
		if p, ok := v["path"]; ok {
			if e.Path != "" {
				return e, f.positionalError("path", "given both by position and by name",
					"path is given both by position and by name")
			}
			e.Path, field = p, "path"
		}
		if e.Path == "" {
			return e, f.errorf(field, "missing; expected the socket's path")
		}
		if s, ok := v["mode"]; ok {
			// 0 is refused: it would let nobody but root connect, and
			// it is how the field says that no mode was given.
			m, err := strconv.ParseUint(s, 8, 32)
			if err != nil || m == 0 || m > 0o777 {
				return e, f.errorf("mode", "expected octal permissions from 1 to 0777, got %q", s)
			}
			e.Mode = os.FileMode(m)
		}
		if e.Backlog, err = f.backlog(v); err != nil {
			return e, err
		}
	case "systemd":
		v, err := f.bind(nil, "domain", "index", "name")
		if err != nil {
			return e, err
		}
		e.Domain = strings.ToUpper(v["domain"])
		switch e.Domain {
		case "INET", "INET6", "UNIX":
		case "":
			return e, f.errorf("domain", "missing; expected INET, INET6 or UNIX")
		default:
			return e, f.errorf("domain", "expected INET, INET6 or UNIX, got %q", v["domain"])
		}
		idx, hasIdx := v["index"]
		name, hasName := v["name"]
		switch {
		case hasIdx && hasName:
			return e, f.errorf("name", "give index or name, not both")
		case hasIdx:
			n, err := strconv.Atoi(idx)
			if err != nil || n < 0 || n > 1<<16 {
				return e, f.errorf("index", "expected a number from 0 (the first socket systemd passed), got %q", idx)
			}
			e.Index = n
		case hasName:
			if name == "" {
				return e, f.errorf("name", "empty; expected a name from LISTEN_FDNAMES")
			}
			e.Name = name
		default:
			return e, f.errorf("index", "missing; expected index=N (0 for the first socket) or name=NAME")
		}
	default:
		return e, &EndpointError{Desc: desc, Msg: fmt.Sprintf("unknown type %q; expected tcp, tcp6, unix, tls, ssl or systemd", f.typ)}
	}
	return e, nil
}

// ParseClientEndpoint parses a client endpoint description:
//
//	tcp:host=H:port=P[:timeout=S]       (or tcp:H:P)
//	unix:path=P[:timeout=S]             (or unix:P)
//	tls:host=H:port=P[:caCerts=FILE][:timeout=S]   (also ssl:)
//
// timeout is in seconds (a decimal number) or a Go duration ("500ms").
// Fields are given by position or by name, and a colon inside a value is
// escaped with a backslash, as for ParseServerEndpoint: an IPv6 host is
// tcp:host=\:\:1:port=80 (no brackets).
// A malformed description is an *EndpointError.
func ParseClientEndpoint(desc string) (ClientEndpoint, error) {
	f, err := splitEndpoint(desc)
	if err != nil {
		return ClientEndpoint{}, err
	}
	e := ClientEndpoint{Type: f.typ}
	var v map[string]string
	switch f.typ {
	case "tcp":
		v, err = f.bind([]string{"host", "port", "timeout"})
	case "tls", "ssl":
		e.Type = "tls"
		v, err = f.bind([]string{"host", "port"}, "timeout", "caCerts")
	case "unix":
		v, err = f.bind([]string{"path", "timeout"})
	default:
		return e, &EndpointError{Desc: desc, Msg: fmt.Sprintf("unknown type %q; expected tcp, unix, tls or ssl", f.typ)}
	}
	if err != nil {
		return e, err
	}
	switch e.Type {
	case "tcp", "tls":
		e.Host = v["host"]
		if e.Host == "" {
			return e, f.errorf("host", "missing; expected a host name or address")
		}
		if e.Port, err = f.port(v, false); err != nil {
			return e, err
		}
		e.CACerts = v["caCerts"]
	case "unix":
		e.Path = v["path"]
		if e.Path == "" {
			return e, f.errorf("path", "missing; expected the socket's path")
		}
	}
	if s, ok := v["timeout"]; ok {
		d, err := parseTimeout(s)
		if err != nil {
			return e, f.errorf("timeout", "expected seconds (30, 2.5) or a duration (500ms), more than 0 and at most 1000000 s, got %q", s)
		}
		e.Timeout = d
	}
	return e, nil
}

// parseTimeout reads seconds as a decimal number, or a Go duration.
func parseTimeout(s string) (time.Duration, error) {
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if secs <= 0 || secs > maxEndpointTimeout.Seconds() || secs != secs {
			return 0, strconv.ErrRange
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	// The same limit as for seconds: String writes the timeout back in
	// seconds, which must parse again.
	if d <= 0 || d > maxEndpointTimeout {
		return 0, strconv.ErrRange
	}
	return d, nil
}

// maxEndpointTimeout is the longest timeout a description may give
// (about 11.6 days).
const maxEndpointTimeout = 1e6 * time.Second

// String puts the description back together (canonical form, named
// fields, colons escaped), so that a parsed endpoint can be printed or
// parsed again. Only the fields the type's description takes are
// printed: an endpoint built in code with others set (a systemd socket's
// Backlog) prints as what Parse would accept.
func (e ServerEndpoint) String() string {
	var b endpointBuilder
	b.typ(e.Type)
	switch e.Type {
	case "tcp", "tcp6", "tls":
		b.arg(strconv.Itoa(e.Port))
		if e.Type == "tls" {
			b.kv("privateKey", e.PrivateKey)
			if e.CertKey != e.PrivateKey {
				b.kv("certKey", e.CertKey)
			}
			if e.HandshakeTimeout != 0 {
				b.kv("handshakeTimeout", e.HandshakeTimeout.String())
			}
		}
		if e.Interface != "" && !(e.Type == "tcp6" && e.Interface == "::") {
			b.kv("interface", e.Interface)
		}
		b.backlog(e.Backlog)
	case "unix":
		b.arg(e.Path)
		if e.Mode != 0 {
			b.kv("mode", fmt.Sprintf("%#o", uint32(e.Mode)))
		}
		b.backlog(e.Backlog)
	case "systemd":
		// No backlog: systemd listened on the socket (the unit's
		// Backlog=), and the description takes none.
		b.kv("domain", e.Domain)
		if e.Name != "" {
			b.kv("name", e.Name)
		} else {
			b.kv("index", strconv.Itoa(e.Index))
		}
	}
	return b.String()
}

// String puts the description back together, as ServerEndpoint.String.
func (e ClientEndpoint) String() string {
	var b endpointBuilder
	b.typ(e.Type)
	switch e.Type {
	case "unix":
		b.kv("path", e.Path)
	default:
		b.kv("host", e.Host)
		b.kv("port", strconv.Itoa(e.Port))
		if e.CACerts != "" {
			b.kv("caCerts", e.CACerts)
		}
	}
	if e.Timeout != 0 {
		b.kv("timeout", strconv.FormatFloat(e.Timeout.Seconds(), 'f', -1, 64))
	}
	return b.String()
}

type endpointBuilder struct{ strings.Builder }

func (b *endpointBuilder) typ(t string) { b.WriteString(t) }

// backlog adds backlog=N, unless n is 0 (the default).
func (b *endpointBuilder) backlog(n int) {
	if n != 0 {
		b.kv("backlog", strconv.Itoa(n))
	}
}

func (b *endpointBuilder) arg(v string) {
	b.WriteByte(':')
	b.escaped(v)
}

func (b *endpointBuilder) kv(k, v string) {
	b.WriteByte(':')
	b.WriteString(k)
	b.WriteByte('=')
	b.escaped(v)
}

func (b *endpointBuilder) escaped(v string) {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == ':' || c == '\\' || c == '=' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
}

// equalsHint explains an unknown field whose name no field could have (a
// slash, a dot...): most likely a value with an equals sign in it, such as
// unix:/run/a=b.sock, which the parser split at the sign.
func equalsHint(name string) string {
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return `; an equals sign inside a value, as in a path, is written \=`
		}
	}
	return ""
}
