package reactor

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
)

// heldConn holds what is written while hold is set, so that a test can
// send several TLS records in one TCP write.
type heldConn struct {
	net.Conn
	hold bool
	buf  []byte
}

func (c *heldConn) Write(b []byte) (int, error) {
	if c.hold {
		c.buf = append(c.buf, b...)
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// A TLS connection stops delivering plaintext once the protocol calls
// LoseConnection, as a TCP connection stops reading: the records that
// came in the same read are not decrypted for it, and Disconnecting says
// the connection is going away.
func TestTLSLoseConnectionStopsDelivery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		var disconnecting []bool
		srv := &servers{build: func() *recorder {
			return &recorder{
				onData: func(p *recorder, b []byte) {
					disconnecting = append(disconnecting, p.Transport.Disconnecting())
					p.Transport.LoseConnection()
					disconnecting = append(disconnecting, p.Transport.Disconnecting())
				},
				onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) },
			}
		}}
		port := listenTLS(t, r, srv)
		go sendTwoRecordsInOneWrite(t, port.Addr())
		run(t, r)
		if len(srv.all) != 1 {
			t.Fatalf("%d connections", len(srv.all))
		}
		if got := string(srv.all[0].data); got != "QUIT\n" {
			t.Errorf("server got %q after LoseConnection, want only %q", got, "QUIT\n")
		}
		if len(disconnecting) != 2 || disconnecting[0] || !disconnecting[1] {
			t.Errorf("Disconnecting before and after LoseConnection: %v", disconnecting)
		}
	})
}

// The same when the connection underneath is aborted (through Conn, as a
// caller holding the TCP connection does): the records of the same read
// are not decrypted for the protocol either.
func TestTLSAbortUnderneathStopsDelivery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		srv := &servers{build: func() *recorder {
			return &recorder{
				onData: func(p *recorder, b []byte) {
					p.Transport.(*TLSConn).Conn().AbortConnection()
				},
				onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) },
			}
		}}
		port := listenTLS(t, r, srv)
		go sendTwoRecordsInOneWrite(t, port.Addr())
		run(t, r)
		if len(srv.all) != 1 {
			t.Fatalf("%d connections", len(srv.all))
		}
		if got := string(srv.all[0].data); got != "QUIT\n" {
			t.Errorf("server got %q after its TCP connection was aborted, want only %q", got, "QUIT\n")
		}
	})
}

// sendTwoRecordsInOneWrite connects to addr over TLS and sends two
// records, "QUIT\n" and "DELETE x\n", in one TCP write, so that the server
// reads both at once; then it reads until the server closes.
func sendTwoRecordsInOneWrite(t *testing.T, addr net.Addr) {
	raw := goDial(t, addr)
	if raw == nil {
		return
	}
	hc := &heldConn{Conn: raw}
	c := tls.Client(hc, testCerts(t).clientConfig())
	if err := c.Handshake(); err != nil {
		t.Error(err)
		return
	}
	hc.hold = true
	c.Write([]byte("QUIT\n"))
	c.Write([]byte("DELETE x\n"))
	hc.hold = false
	raw.Write(hc.buf)
	io.Copy(io.Discard, c)
	c.Close()
}

// A TLS client's Connector hands out the transport its protocol was given,
// the TLS one: aborting what it returns goes through TLS (and stops the
// delivery of records at once), as the protocol's own abort would.
func TestTLSConnectorTransportIsTheTLSOne(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	port := listenTLS(t, r, &servers{})
	var connector *Connector
	var got Transport
	same := false
	cf := &clientFactory{onFail: func(*Connector, error) { r.Stop() }}
	cf.build = func() *recorder {
		return &recorder{
			onMade: func(p *recorder) {
				got = connector.Transport()
				same = got == p.Transport
				p.Transport.AbortConnection()
			},
			onLost: func(*recorder, error) { r.Stop() },
		}
	}
	connector = r.ConnectTLS(port.Addr().String(), testCerts(t).clientConfig(), cf, testTimeout)
	run(t, r)
	if len(cf.protos) != 1 || cf.protos[0].made != 1 {
		t.Fatalf("the client never connected: %v", cf.failed)
	}
	if !same {
		t.Errorf("Connector.Transport() is %T, not the protocol's transport", got)
	}
}
