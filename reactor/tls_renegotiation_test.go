package reactor

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// openSSLServer starts openssl s_server, TLS 1.2, with the test
// certificate, and returns its address and its standard input, where a
// line "R" asks the client to renegotiate. It returns once the server
// prints the client's first line, ready.
func openSSLServer(t *testing.T) (addr string, stdin io.Writer, ready <-chan struct{}) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl to send a HelloRequest (crypto/tls never does)")
	}
	key, cert, _ := testCerts(t).files(t)
	// Port 0: openssl binds one of the kernel's choosing and names it on
	// its ACCEPT line (a port picked here and closed could be taken by
	// another test before openssl binds it).
	cmd := exec.Command(bin, "s_server", "-tls1_2", "-accept", "127.0.0.1:0", "-cert", cert, "-key", key)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("openssl s_server: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	accepting, got := make(chan string, 1), make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "ACCEPT "):
				accepting <- strings.TrimPrefix(line, "ACCEPT ")
			case line == "ready":
				close(got)
			}
		}
	}()
	select {
	case addr = <-accepting:
	case <-time.After(testTimeout):
		t.Skip("openssl s_server did not start")
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "0" {
		t.Skipf("openssl s_server named no port to connect to: %q", addr)
	}
	return addr, in, got
}

// A TLS 1.2 server's HelloRequest ends a client connection whose
// configuration allows renegotiation with a *TLSError, as it ends one
// that does not. The connection went silent instead: crypto/tls's
// renegotiation, run inside Read on the loop, kept the BIO's "would
// block" as its failure; nothing the server sent was delivered again,
// nothing failed, and the input piled up unread.
func TestTLSRenegotiationRefused(t *testing.T) {
	addr, stdin, ready := openSSLServer(t)
	r, _ := newReactor(t, DefaultBackend())
	config := testCerts(t).clientConfig()
	config.Renegotiation = tls.RenegotiateFreelyAsClient
	cf := &clientFactory{}
	cf.build = func() *recorder {
		return &recorder{
			onMade: func(p *recorder) { p.Transport.Write([]byte("ready\n")) },
			onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) },
		}
	}
	r.ConnectTLS(addr, config, cf, testTimeout)
	go func() {
		select {
		case <-ready:
		case <-time.After(testTimeout):
			return // the reactor's own timer ends the test
		}
		io.WriteString(stdin, "R\n")
		time.Sleep(100 * time.Millisecond)
		io.WriteString(stdin, "after the HelloRequest\n")
	}()
	r.CallLater(testTimeout/2, func() { r.Stop() })
	run(t, r)
	if len(cf.protos) != 1 {
		t.Fatalf("%d client protocols, failures %v", len(cf.protos), cf.failed)
	}
	c := cf.protos[0]
	var te *TLSError
	if err := c.lostOnce(t); !errors.As(err, &te) || !strings.Contains(err.Error(), "renegotiation") {
		t.Errorf("client got %q, lost: %v", c.data, err)
	}
}
