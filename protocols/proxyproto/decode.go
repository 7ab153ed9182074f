package proxyproto

import (
	"bufio"
	"bytes"
	"errors"
	"net"

	pp "github.com/pires/go-proxyproto"
)

// decoder validates and decodes one whole header with go-proxyproto. It
// reuses one reader pair, so a Factory (which belongs to one loop) makes
// no buffer per connection.
type decoder struct {
	src bytes.Reader
	br  *bufio.Reader
}

// header is what a decoded header says. local means the balancer's own
// connection (v2 LOCAL, v1 UNKNOWN): no client address is given.
type header struct {
	local    bool
	src, dst net.Addr
	version  byte
}

// decode parses b, which frame found to be exactly one whole header.
func (d *decoder) decode(b []byte) (header, error) {
	d.src.Reset(b)
	if d.br == nil {
		// Large enough that one fill holds any header frame accepts:
		// go-proxyproto's v1 parser insists on the line being buffered.
		d.br = bufio.NewReaderSize(&d.src, MaxHeaderSize)
	} else {
		d.br.Reset(&d.src)
	}
	h, err := pp.Read(d.br)
	remaining := d.br.Buffered() + d.src.Len()
	d.br.Reset(nil) // hold no reference to the connection's bytes
	if err != nil {
		return header{}, &wrapped{ErrMalformed, err}
	}
	if remaining != 0 {
		// frame and the parser disagree on where the header ends.
		return header{}, &wrapped{ErrMalformed, errors.New("header length mismatch")}
	}
	out := header{version: h.Version}
	if h.Command.IsLocal() || h.TransportProtocol == pp.UNSPEC {
		out.local = true
		return out, nil
	}
	if h.SourceAddr == nil || h.DestinationAddr == nil {
		return header{}, &wrapped{ErrMalformed, errors.New("no addresses")}
	}
	if h.Version == 2 {
		if err := checkTLVs(b); err != nil {
			return header{}, &wrapped{ErrMalformed, err}
		}
	}
	out.src, out.dst = h.SourceAddr, h.DestinationAddr
	return out, nil
}
