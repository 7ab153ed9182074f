package reactor

import (
	"crypto/tls"
	"net"
	"testing"
)

// A client that checks nothing (InsecureSkipVerify) still names the host
// it dials in its hello (SNI), as tls.Dial does: a server with a
// certificate per name, or one that refuses a hello without a name,
// serves it like any other. It sent no name at all.
func TestTLSInsecureClientSendsServerName(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	names := make(chan string, 1)
	config := testCerts(t).serverConfig()
	config.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		names <- hello.ServerName // on the handshake's goroutine
		return nil, nil
	}
	port, err := r.ListenTLS("localhost:0", config, &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) { p.Transport.LoseConnection() }}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer port.StopListening()
	_, portNumber, _ := net.SplitHostPort(port.Addr().String())
	cf := &clientFactory{}
	cf.build = func() *recorder {
		return &recorder{onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) }}
	}
	r.ConnectTLS(net.JoinHostPort("localhost", portNumber), &tls.Config{InsecureSkipVerify: true}, cf, testTimeout)
	run(t, r)
	select {
	case name := <-names:
		if name != "localhost" {
			t.Errorf("server name %q, want localhost", name)
		}
	default:
		t.Fatalf("no hello reached the server: %v %v", cf.protos, cf.failed)
	}
}
