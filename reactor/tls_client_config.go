package reactor

import "crypto/tls"

// clientTLSConfig is the configuration a TLS client connection to host
// runs with: config (an empty one if nil), its ServerName defaulting to
// host, and renegotiation refused.
//
// The ServerName is set with InsecureSkipVerify too, as tls.Dial sets it:
// nothing is checked against it then, but it is also the SNI the server
// picks its certificate (or refuses the client) by.
//
// crypto/tls renegotiates inside Read, as a blocking handshake, which the
// loop cannot run: its BIO answers "would block" when the peer's next
// handshake message has not arrived, and crypto/tls keeps that answer as
// the handshake's failure, so every later Read returns it again. The
// connection then delivered nothing more, failed nothing, and held all
// the peer sent after its HelloRequest, without bound. Refused, a
// HelloRequest ends the connection with a *TLSError (no renegotiation),
// as it does by default; Twisted, whose TLS is OpenSSL's, renegotiates,
// but TLS 1.3 has no renegotiation at all. config is cloned only when
// something changes, once per ConnectTLS or StartTLS.
func clientTLSConfig(config *tls.Config, host string) *tls.Config {
	if config == nil {
		config = &tls.Config{}
	}
	setName := config.ServerName == "" && host != ""
	if !setName && config.Renegotiation == tls.RenegotiateNever {
		return config
	}
	config = config.Clone()
	if setName {
		config.ServerName = host
	}
	config.Renegotiation = tls.RenegotiateNever
	return config
}
