package reactor_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gyre/reactor"
)

// writePEMFiles writes a fresh self-signed certificate for 127.0.0.1 and
// its key into dir, as the PEM files a tls: endpoint names.
func writePEMFiles(dir string) (certFile, keyFile string) {
	cert, _ := selfSigned()
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		log.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		log.Fatal(err)
	}
	return certFile, keyFile
}

// halfCloseEcho echoes what it reads; when the client has said all it has
// to say (its end of stream, over TLS a close_notify) it answers once more
// and closes. ReadConnectionLost makes it a HalfCloseableProtocol: without
// it the client's end of stream would end the connection at once.
type halfCloseEcho struct{ reactor.BaseProtocol }

func (e *halfCloseEcho) DataReceived(data []byte) { e.Transport.Write(data) }

func (e *halfCloseEcho) ReadConnectionLost() {
	e.Transport.Write([]byte(" (that was all)"))
	e.Transport.LoseConnection()
}

// sayAll writes its message, shuts its side of the connection
// (LoseWriteConnection) and prints what the server sends back until the
// server closes.
type sayAll struct {
	reactor.BaseProtocol
	got  []byte
	done func()
}

func (c *sayAll) ConnectionMade() {
	c.Transport.Write([]byte("hello"))
	c.Transport.(reactor.TCPTransport).LoseWriteConnection()
}

func (c *sayAll) DataReceived(data []byte) { c.got = append(c.got, data...) }

func (c *sayAll) ConnectionLost(reason error) {
	fmt.Printf("%s\nlost: %v\n", c.got, reason)
	c.done()
}

// A TLS server whose key and certificate are PEM files, listening on a tls:
// endpoint, and a client that trusts that certificate through LoadCertPool
// and half-closes: it sends everything, shuts its side (over TLS:
// close_notify), and still reads the answer. A *TLSConn is a TCPTransport,
// so LoseWriteConnection is there as on a plain TCP connection.
func ExampleLoadCertPool() {
	dir, err := os.MkdirTemp("", "gyre-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	certFile, keyFile := writePEMFiles(dir)

	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	desc := "tls:0:privateKey=" + keyFile + ":certKey=" + certFile + ":interface=127.0.0.1"
	port, err := reactor.ListenEndpoint(r, desc, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &halfCloseEcho{}
	}))
	if err != nil {
		log.Fatal(err)
	}

	roots, err := reactor.LoadCertPool(certFile)
	if err != nil {
		log.Fatal(err)
	}
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol { return &sayAll{done: func() { r.Stop() }} }
	r.ConnectTLS(port.Addr().String(), &tls.Config{RootCAs: roots}, client, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// hello (that was all)
	// lost: Connection was closed cleanly.
}

// The files of a tls: endpoint can be loaded without listening, for a
// server that starts TLS itself on a plain TCP connection (Conn.StartTLS).
// A file that cannot serve is a *ListenError naming it.
func ExampleServerEndpoint_ServerTLSConfig() {
	dir, err := os.MkdirTemp("", "gyre-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	certFile, keyFile := writePEMFiles(dir)

	for _, key := range []string{keyFile, dir} {
		e, err := reactor.ParseServerEndpoint("tls:10443:privateKey=" + key + ":certKey=" + certFile)
		if err != nil {
			log.Fatal(err)
		}
		config, err := e.ServerTLSConfig()
		if err != nil {
			var le *reactor.ListenError
			fmt.Println("a *ListenError:", errors.As(err, &le))
			fmt.Println("names the file:", strings.Contains(err.Error(), key+": a directory, not a PEM file"))
			continue
		}
		fmt.Println(len(config.Certificates), "certificate, at least", tls.VersionName(config.MinVersion))
	}
	// Output:
	// 1 certificate, at least TLS 1.2
	// a *ListenError: true
	// names the file: true
}
