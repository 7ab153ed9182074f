package reactor

import (
	"errors"
	"net"
)

// UDP on the reactor: Twisted's listenUDP. A UDPPort is one datagram
// socket, a descriptor the loop watches for reading; its DatagramProtocol
// gets every datagram that arrives, with the sender's address, on the loop
// goroutine. There is no connection and no write buffer: Write sends a
// datagram now or reports why it could not (a full socket buffer drops
// it, as UDP does), so nothing grows with a slow peer.

// DatagramProtocol is what a UDP port's datagrams mean: Twisted's
// DatagramProtocol.
//
//  1. StartProtocol(t) when the port is listening, with the port itself
//     as the transport;
//  2. DatagramReceived(data, addr) once per datagram; data is valid only
//     during the call (it is the loop's read buffer), addr is the
//     sender's *net.UDPAddr, shared by the datagrams a peer sends (a
//     port remembers a few recent peers, so that receiving allocates
//     nothing): keep it if you like, but do not modify it;
//  3. StopProtocol() once, when the port stops (StopListening, or the
//     reactor's end).
//
// A datagram larger than the reactor's read buffer (WithReadBufferSize;
// the default holds any UDP datagram) is not delivered: the protocol
// would take its first part for the whole. The port drops it, counts it
// (UDPPort.TruncatedDatagrams) and logs the first.
//
// A protocol that also has a ConnectionRefused() method hears, on a
// connected port (UDPPort.Connect), that a datagram it sent was refused
// (the peer's host answered ICMP port unreachable): Twisted's
// ConnectedDatagramProtocol.
type DatagramProtocol interface {
	StartProtocol(t *UDPPort)
	DatagramReceived(data []byte, addr *net.UDPAddr)
	StopProtocol()
}

// ConnectionRefusedProtocol is the optional part of a DatagramProtocol
// for connected ports.
type ConnectionRefusedProtocol interface {
	ConnectionRefused()
}

// BaseDatagramProtocol is the embeddable base of a DatagramProtocol: it
// keeps the port and does nothing on each event.
type BaseDatagramProtocol struct {
	// Transport is the port, set by StartProtocol.
	Transport *UDPPort
}

// StartProtocol stores the port.
func (p *BaseDatagramProtocol) StartProtocol(t *UDPPort) { p.Transport = t }

// DatagramReceived drops the datagram.
func (p *BaseDatagramProtocol) DatagramReceived([]byte, *net.UDPAddr) {}

// StopProtocol does nothing.
func (p *BaseDatagramProtocol) StopProtocol() {}

// UDPOption configures ListenUDP.
type UDPOption func(*udpConfig)

type udpConfig struct {
	rcvbuf    int
	batch     int
	reusePort bool
}

// WithReceiveBuffer sets the socket's receive buffer (SO_RCVBUF, bytes):
// how many datagrams can wait while the loop is busy elsewhere before the
// kernel drops new ones.
func WithReceiveBuffer(bytes int) UDPOption {
	return func(c *udpConfig) { c.rcvbuf = bytes }
}

// WithReadBatch sets how many datagrams the port reads per wake-up at
// most (default DefaultUDPReadBatch), so that one busy socket cannot
// starve the other descriptors and the timers.
func WithReadBatch(n int) UDPOption {
	return func(c *udpConfig) { c.batch = n }
}

// WithUDPReusePort sets SO_REUSEPORT, for several loops on one address.
func WithUDPReusePort() UDPOption {
	return func(c *udpConfig) { c.reusePort = true }
}

// DefaultUDPReadBatch is how many datagrams a port reads per wake-up
// unless WithReadBatch says otherwise.
const DefaultUDPReadBatch = 32

// ErrDatagramDropped is returned by UDPPort.Write when the socket's send
// buffer is full: the datagram was not sent (UDP gives no delivery
// guarantee; the caller may retry later).
var ErrDatagramDropped = errors.New("reactor: datagram dropped: the socket's send buffer is full")

// ErrNotConnected is returned by UDPPort.Write with no address on a port
// that is not connected.
var ErrNotConnected = errors.New("reactor: a datagram needs an address on a port that is not connected")

// ErrNotPeer is returned (wrapped, with both addresses) by UDPPort.Write
// when a connected port is given an address other than its peer's: the
// kernel would send the datagram to the peer, not where it was addressed
// (Twisted refuses it too).
var ErrNotPeer = errors.New("reactor: a connected UDP port sends to its peer only")
