package reactor_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net"
	"time"

	"gyre/reactor"
)

// selfSigned makes, in memory, a certificate for 127.0.0.1 signed by its
// own key, and a pool that trusts it: enough for a client to verify the
// server of an example without a file or a certificate authority.
func selfSigned() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "gyre example"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)}, // what the client checks
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}

// lineGreeter answers the first line it receives with a greeting, then
// closes. Over TLS the close sends close_notify first.
type lineGreeter struct {
	reactor.BaseProtocol
	buf []byte
}

func (g *lineGreeter) DataReceived(data []byte) {
	g.buf = append(g.buf, data...) // data is only lent: copy it
	if line, _, ok := bytes.Cut(g.buf, []byte("\n")); ok {
		g.Transport.Write([]byte("hello, " + string(line) + "\n"))
		g.Transport.LoseConnection()
	}
}

// lineCaller sends one line as soon as it is connected and keeps what
// comes back; the end of the connection is the end of the answer.
type lineCaller struct {
	reactor.BaseProtocol
	line string
	got  []byte
	done func(p *lineCaller, reason error)
}

func (c *lineCaller) ConnectionMade() { c.Transport.Write([]byte(c.line + "\n")) }

func (c *lineCaller) DataReceived(data []byte) { c.got = append(c.got, data...) }

func (c *lineCaller) ConnectionLost(reason error) { c.done(c, reason) }

// A TLS server and a TLS client on one reactor. The protocols are the
// ones a TCP server and client would run: only their transport, a
// *TLSConn, differs. The client writes in ConnectionMade, before the
// handshake is over; the TLS layer keeps the line until it can be sent.
func ExampleReactor_ListenTLS() {
	cert, roots := selfSigned()
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	server := &tls.Config{Certificates: []tls.Certificate{cert}}
	port, err := r.ListenTLS("127.0.0.1:0", server, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &lineGreeter{}
	}))
	if err != nil {
		log.Fatal(err)
	}
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol {
		return &lineCaller{line: "ada", done: func(c *lineCaller, reason error) {
			state := c.Transport.(*reactor.TLSConn).ConnectionState()
			fmt.Println(tls.VersionName(state.Version), "with", state.PeerCertificates[0].Subject.CommonName)
			fmt.Print(string(c.got))
			fmt.Println("lost:", reason)
			r.Stop()
		}}
	}
	// The certificate is checked against roots, for the host of the
	// address (ServerName defaults to it): 127.0.0.1.
	r.ConnectTLS(port.Addr().String(), &tls.Config{RootCAs: roots}, client, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// TLS 1.3 with gyre example
	// hello, ada
	// lost: Connection was closed cleanly.
}

// listenTLSExample serves f over TLS on a loopback port with a fresh
// self-signed certificate, and returns the port and the pool that trusts
// it (for the examples that are about the client side).
func listenTLSExample(r *reactor.Reactor, f reactor.Factory) (*reactor.Port, *x509.CertPool) {
	cert, roots := selfSigned()
	port, err := r.ListenTLS("127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}}, f)
	if err != nil {
		log.Fatal(err)
	}
	return port, roots
}

// untrusting reports how its connection went: the TCP connection is made
// (so the factory hears no ClientConnectionFailed), then the handshake
// fails.
type untrusting struct{ reactor.BaseClientFactory }

func (f *untrusting) ClientConnectionFailed(_ *reactor.Connector, reason error) {
	fmt.Println("never printed: connecting succeeded", reason)
}

// A client that does not trust the server's certificate: ConnectTLS's
// connection is made, and ends with a *TLSError that says why.
func ExampleReactor_ConnectTLS() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, _ := listenTLSExample(r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &lineGreeter{}
	}))
	client := &untrusting{}
	client.Protocol = func() reactor.Protocol {
		return &lineCaller{line: "ada", done: func(c *lineCaller, reason error) {
			var te *reactor.TLSError
			var unknown x509.UnknownAuthorityError
			fmt.Println("got:", len(c.got), "bytes")
			if errors.As(reason, &te) {
				fmt.Println("TLS error in the", te.Op)
			}
			fmt.Println("unknown authority:", errors.As(reason, &unknown))
			fmt.Println("lost, not done:", errors.Is(reason, reactor.ErrConnectionLost))
			r.Stop()
		}}
	}
	// An empty configuration trusts the system's roots, which do not
	// know this certificate.
	r.ConnectTLS(port.Addr().String(), &tls.Config{}, client, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// got: 0 bytes
	// TLS error in the handshake
	// unknown authority: true
	// lost, not done: true
}

// starttlsServer speaks plaintext until the client asks for TLS, says
// "GO" in the clear, then switches the same connection to TLS and answers
// the next line encrypted.
type starttlsServer struct {
	reactor.BaseProtocol
	config *tls.Config
	buf    []byte
}

func (s *starttlsServer) DataReceived(data []byte) {
	s.buf = append(s.buf, data...)
	line, rest, ok := bytes.Cut(s.buf, []byte("\n"))
	if !ok {
		return
	}
	s.buf = rest
	if conn, plain := s.Transport.(*reactor.Conn); plain {
		if string(line) == "STARTTLS" {
			s.Transport.Write([]byte("GO\n")) // written before StartTLS: in the clear
			if _, err := conn.StartTLS(s.config); err != nil {
				log.Fatal(err)
			}
		}
		return
	}
	s.Transport.Write([]byte("secret: " + string(line) + "\n"))
	s.Transport.LoseConnection()
}

// starttlsClient asks for TLS, waits for the server's "GO", starts its
// side of the handshake and sends its line through the new transport.
type starttlsClient struct {
	reactor.BaseProtocol
	config *tls.Config
	buf    []byte
	done   func(got []byte, reason error)
}

func (c *starttlsClient) ConnectionMade() {
	fmt.Printf("plaintext over %T\n", c.Transport)
	c.Transport.Write([]byte("STARTTLS\n"))
}

func (c *starttlsClient) DataReceived(data []byte) {
	c.buf = append(c.buf, data...)
	conn, plain := c.Transport.(*reactor.Conn)
	if !plain || string(c.buf) != "GO\n" {
		return
	}
	c.buf = nil
	// StartTLS hands the protocol its new transport (MakeConnection
	// again, which BaseProtocol stores): c.Transport is the *TLSConn now.
	if _, err := conn.StartTLS(c.config); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("then over %T\n", c.Transport)
	c.Transport.Write([]byte("ada\n"))
}

func (c *starttlsClient) ConnectionLost(reason error) { c.done(c.buf, reason) }

// STARTTLS: a connection that begins in plaintext and is secured in the
// middle, on both sides, with the same protocols going on through their
// new transports.
func ExampleConn_StartTLS() {
	cert, roots := selfSigned()
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	server := &tls.Config{Certificates: []tls.Certificate{cert}}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &starttlsServer{config: server}
	}))
	if err != nil {
		log.Fatal(err)
	}
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol {
		// A client StartTLS checks the certificate for the host it
		// connected to, as ConnectTLS does.
		return &starttlsClient{config: &tls.Config{RootCAs: roots}, done: func(got []byte, reason error) {
			fmt.Print(string(got))
			fmt.Println("lost:", reason)
			r.Stop()
		}}
	}
	r.ConnectTCP(port.Addr().String(), client, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// plaintext over *reactor.Conn
	// then over *reactor.TLSConn
	// secret: ada
	// lost: Connection was closed cleanly.
}
