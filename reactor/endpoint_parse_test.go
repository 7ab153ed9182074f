package reactor

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseServerEndpoint(t *testing.T) {
	cases := []struct {
		desc string
		want ServerEndpoint
	}{
		{"tcp:10000", ServerEndpoint{Type: "tcp", Port: 10000, Index: -1}},
		{"tcp:port=0:interface=127.0.0.1:backlog=5", ServerEndpoint{Type: "tcp", Interface: "127.0.0.1", Backlog: 5, Index: -1}},
		{"tcp:80:127.0.0.1:12", ServerEndpoint{Type: "tcp", Port: 80, Interface: "127.0.0.1", Backlog: 12, Index: -1}},
		{"tcp6:8080", ServerEndpoint{Type: "tcp6", Port: 8080, Interface: "::", Index: -1}},
		{`tcp6:8080:interface=\:\:1`, ServerEndpoint{Type: "tcp6", Port: 8080, Interface: "::1", Index: -1}},
		{"unix:/run/gyre.sock", ServerEndpoint{Type: "unix", Path: "/run/gyre.sock", Index: -1}},
		{"unix:/tmp/a\\:b:mode=0660", ServerEndpoint{Type: "unix", Path: "/tmp/a:b", Mode: 0o660, Index: -1}},
		{"UNIX:path=x.sock:mode=600:backlog=3", ServerEndpoint{Type: "unix", Path: "x.sock", Mode: 0o600, Backlog: 3, Index: -1}},
		{"ssl:443:privateKey=key.pem:certKey=cert.pem", ServerEndpoint{Type: "tls", Port: 443, PrivateKey: "key.pem", CertKey: "cert.pem", Index: -1}},
		{"tls:10443:privateKey=both.pem:interface=127.0.0.1", ServerEndpoint{Type: "tls", Port: 10443, PrivateKey: "both.pem", CertKey: "both.pem", Interface: "127.0.0.1", Index: -1}},
		{"tls:1:privateKey=k:handshakeTimeout=2.5", ServerEndpoint{Type: "tls", Port: 1, PrivateKey: "k", CertKey: "k", HandshakeTimeout: 2500 * time.Millisecond, Index: -1}},
		{"systemd:domain=INET:index=0", ServerEndpoint{Type: "systemd", Domain: "INET", Index: 0}},
		{"systemd:domain=unix:index=2", ServerEndpoint{Type: "systemd", Domain: "UNIX", Index: 2}},
		{"systemd:domain=INET6:name=web", ServerEndpoint{Type: "systemd", Domain: "INET6", Index: -1, Name: "web"}},
	}
	for _, c := range cases {
		got, err := ParseServerEndpoint(c.desc)
		if err != nil {
			t.Errorf("%s: %v", c.desc, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.desc, got, c.want)
		}
		again, err := ParseServerEndpoint(got.String())
		if err != nil || again != got {
			t.Errorf("%s: String %q parses to %+v, %v", c.desc, got.String(), again, err)
		}
	}
}

func TestParseClientEndpoint(t *testing.T) {
	cases := []struct {
		desc string
		want ClientEndpoint
	}{
		{"tcp:host=127.0.0.1:port=10000", ClientEndpoint{Type: "tcp", Host: "127.0.0.1", Port: 10000}},
		{"tcp:localhost:10000:timeout=2.5", ClientEndpoint{Type: "tcp", Host: "localhost", Port: 10000, Timeout: 2500 * time.Millisecond}},
		{`tcp:host=\:\:1:port=1:timeout=500ms`, ClientEndpoint{Type: "tcp", Host: "::1", Port: 1, Timeout: 500 * time.Millisecond}},
		{"unix:path=/run/gyre.sock", ClientEndpoint{Type: "unix", Path: "/run/gyre.sock"}},
		{"unix:/run/gyre.sock:3", ClientEndpoint{Type: "unix", Path: "/run/gyre.sock", Timeout: 3 * time.Second}},
		{"tls:host=example.org:port=10443:caCerts=ca.pem", ClientEndpoint{Type: "tls", Host: "example.org", Port: 10443, CACerts: "ca.pem"}},
		{"ssl:host=h:port=1", ClientEndpoint{Type: "tls", Host: "h", Port: 1}},
	}
	for _, c := range cases {
		got, err := ParseClientEndpoint(c.desc)
		if err != nil {
			t.Errorf("%s: %v", c.desc, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.desc, got, c.want)
		}
		again, err := ParseClientEndpoint(got.String())
		if err != nil || again != got {
			t.Errorf("%s: String %q parses to %+v, %v", c.desc, got.String(), again, err)
		}
	}
}

// Every malformed description names the field at fault and what was
// expected there.
func TestParseEndpointErrors(t *testing.T) {
	server := []struct{ desc, field, msg string }{
		{"", "", "empty type"},
		{"udp:53", "", `unknown type "udp"; expected tcp, tcp6, unix, tls, ssl or systemd`},
		{"tcp", "port", "missing; expected a port number"},
		{"tcp:http", "port", `expected a number from 0 to 65535, got "http"`},
		{"tcp:65536", "port", "expected a number from 0 to 65535"},
		{"tcp:1:backlog=0", "backlog", "expected a number from 1 to 65535"},
		{"tcp:1:iface=x", "iface", "unknown field for tcp; expected one of port, interface, backlog"},
		{"unix:/run/a=b.sock", "/run/a", `unknown field for unix; expected one of address, mode, backlog, path; an equals sign inside a value, as in a path, is written \=`},
		{"tcp:1:interface=a:interface=b", "interface", "given twice"},
		{"unix:", "address", "missing; expected the socket's path"},
		{"unix:path=", "path", "missing; expected the socket's path"},
		// A colon inside a value, not escaped: the value ends there and the
		// rest become positional fields. The error's first words point at
		// the colon and show the value escaped, whatever binding then
		// failed; without a named field before them, the hint comes last.
		{"tcp:1:2:3:4", "", `too many positional fields (4); tcp takes at most 3: port, interface, backlog (a colon inside a value, as in an IPv6 address, is written \:)`},
		{"tcp:1:port=2", "port", `given both by position and by name (a colon inside a value`},
		{"tcp:0:interface=::1", "interface", `an unescaped colon ends its value early; write interface=\:\:1 (as written, interface is given both by position and by name)`},
		{"tcp6:1:interface=::1:backlog=5", "interface", `an unescaped colon ends its value early; write interface=\:\:1 (as written, interface is given both`},
		{"tcp:1:interface=2001:db8:1:2", "interface", `an unescaped colon ends its value early; write interface=2001\:db8\:1\:2 (as written, there are 4 positional fields, and tcp takes at most 3)`},
		{"unix:path=/run/a:b.sock", "path", `an unescaped colon ends its value early; write path=/run/a\:b.sock (as written, path is given both`},
		{"systemd:domain=INET:name=a:b", "name", `an unescaped colon ends its value early; write name=a\:b (as written, "b" is a positional field, and systemd takes only named ones)`},
		{"unix:/x:mode=rw", "mode", `expected octal permissions from 1 to 0777, got "rw"`},
		{"unix:/x:mode=1777", "mode", "expected octal permissions"},
		{"tls:443", "privateKey", "missing; expected the PEM file"},
		{"tls:443:privateKey=k:handshakeTimeout=-1", "handshakeTimeout", "more than 0"},
		{"systemd:domain=INET", "index", "missing; expected index=N"},
		{"systemd:index=0", "domain", "missing; expected INET, INET6 or UNIX"},
		{"systemd:domain=IPX:index=0", "domain", `expected INET, INET6 or UNIX, got "IPX"`},
		{"systemd:domain=INET:index=-1", "index", "expected a number from 0"},
		{"systemd:domain=INET:index=0:name=a", "name", "give index or name, not both"},
		{"systemd:0", "", "systemd takes only named fields"},
		{`tcp:1\`, "", "lone backslash"},
		{"=x:1", "", `unknown type "=x"`},
		{"tcp:=1", "", "a field name is empty"},
	}
	for _, c := range server {
		_, err := ParseServerEndpoint(c.desc)
		checkEndpointError(t, c.desc, err, c.field, c.msg)
	}
	client := []struct{ desc, field, msg string }{
		{"tcp:port=1", "host", "missing; expected a host name or address"},
		{"tcp:host=h", "port", "missing"},
		{"tcp:host=h:port=0", "port", "expected a number from 1 to 65535"},
		{"tcp:host=h:port=1:timeout=soon", "timeout", `expected seconds (30, 2.5) or a duration (500ms), more than 0 and at most 1000000 s, got "soon"`},
		{"tcp:host=h:port=1:timeout=300h", "timeout", `expected seconds (30, 2.5) or a duration (500ms), more than 0 and at most 1000000 s, got "300h"`},
		{"tcp:host=h:port=1:timeout=0", "timeout", "more than 0"},
		{"tcp:host=h:port=1:timeout=NaN", "timeout", "more than 0"},
		{"unix:timeout=1", "path", "missing"},
		{"tls:host=h:port=1:ca=x", "ca", "unknown field for tls; expected one of host, port, timeout, caCerts"},
		{"systemd:domain=INET:index=0", "", "unknown type \"systemd\"; expected tcp, unix, tls or ssl"},
		{"tcp:host=::1:port=80", "host", `an unescaped colon ends its value early; write host=\:\:1 (as written, host is given both by position and by name)`},
		{"unix:path=/a:b", "path", `an unescaped colon ends its value early; write path=/a\:b`},
	}
	for _, c := range client {
		_, err := ParseClientEndpoint(c.desc)
		checkEndpointError(t, c.desc, err, c.field, c.msg)
	}
}

func checkEndpointError(t *testing.T, desc string, err error, field, msg string) {
	t.Helper()
	var ee *EndpointError
	if !errors.As(err, &ee) {
		t.Errorf("%q: error %v, want an *EndpointError", desc, err)
		return
	}
	if ee.Field != field || !strings.Contains(ee.Msg, msg) || ee.Desc != desc {
		t.Errorf("%q: got field %q, %q; want field %q, %q", desc, ee.Field, ee.Msg, field, msg)
	}
	if !strings.HasPrefix(err.Error(), "endpoint ") || strings.Contains(err.Error(), "\n") {
		t.Errorf("%q: message %q", desc, err)
	}
}

// FuzzParseEndpoint: no input panics, every error is an *EndpointError,
// and every description that parses prints back to one that parses to
// the same endpoint.
func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{
		"tcp:10000", `tcp6:1:interface=\:\:1`, "unix:/a:mode=0660", "ssl:1:privateKey=k:certKey=c",
		"systemd:domain=INET:index=0", "tcp:host=h:port=1:timeout=2", "unix:path=p", "tls:host=h:port=2:caCerts=x",
		"tcp:a=b=c", `x\:y`, "::::", "tcp:1:backlog=\\5",
		// Over the limit in seconds as a duration: it printed back as
		// timeout=1080000, which did not parse.
		"tcp:h:80:timeout=300h", "tcp:h:80:timeout=277h46m40s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, desc string) {
		var ee *EndpointError
		if s, err := ParseServerEndpoint(desc); err == nil {
			again, err := ParseServerEndpoint(s.String())
			if err != nil || again != s {
				t.Fatalf("server %q: %+v prints as %q, which parses to %+v, %v", desc, s, s.String(), again, err)
			}
		} else if !errors.As(err, &ee) {
			t.Fatalf("server %q: error %T %v", desc, err, err)
		}
		if c, err := ParseClientEndpoint(desc); err == nil {
			again, err := ParseClientEndpoint(c.String())
			if err != nil || again != c {
				t.Fatalf("client %q: %+v prints as %q, which parses to %+v, %v", desc, c, c.String(), again, err)
			}
		} else if !errors.As(err, &ee) {
			t.Fatalf("client %q: error %T %v", desc, err, err)
		}
	})
}

// An endpoint built in code prints only what its type's description
// takes: a systemd socket has no backlog (systemd listened on it, with
// the unit's Backlog=), and printing one made a description that did not
// parse back.
func TestServerEndpointStringParsesBack(t *testing.T) {
	for _, c := range []struct {
		e    ServerEndpoint
		want string
	}{
		{ServerEndpoint{Type: "systemd", Domain: "INET", Index: 0, Backlog: 5}, "systemd:domain=INET:index=0"},
		{ServerEndpoint{Type: "systemd", Domain: "UNIX", Index: -1, Name: "poems", Backlog: 5}, "systemd:domain=UNIX:name=poems"},
		{ServerEndpoint{Type: "tcp", Port: 10000, Backlog: 5}, "tcp:10000:backlog=5"},
		{ServerEndpoint{Type: "unix", Path: "p.sock", Backlog: 7}, "unix:p.sock:backlog=7"},
	} {
		s := c.e.String()
		if s != c.want {
			t.Errorf("%+v prints as %q, want %q", c.e, s, c.want)
		}
		again, err := ParseServerEndpoint(s)
		if err != nil || again.String() != s {
			t.Errorf("%+v prints as %q, which parses to %+v, %v", c.e, s, again, err)
		}
	}
}
