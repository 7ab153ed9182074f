package reactor

import "net"

// Protocol is what one connection's bytes mean: Twisted's IProtocol. The
// reactor builds one per connection through a Factory and drives it on the
// loop goroutine:
//
//  1. MakeConnection(t) hands it its Transport (the connection itself);
//  2. ConnectionMade() says the connection is up: a server writes its
//     greeting (or its whole poem) here;
//  3. DataReceived(data) once per read, any number of times;
//  4. ConnectionLost(reason) exactly once, at the end, whoever ended it.
//
// The reactor calls MakeConnection and then ConnectionMade itself, because
// Go embedding has no virtual dispatch: in Twisted makeConnection calls
// connectionMade, but a BaseProtocol embedded in a type cannot call the
// outer type's ConnectionMade.
//
// Data lifetime: the slice passed to DataReceived is valid only during the
// call. It is a window on the reactor's one read buffer (ReadBuffer), reused
// for the next read on any connection; a protocol that keeps bytes must
// copy them (append(p.buf, data...) does).
//
// ConnectionLost's reason is ErrConnectionDone when the connection closed
// cleanly (LoseConnection drained and closed it, or the peer closed its
// side), ErrConnectionAborted after AbortConnection, and otherwise an error
// that matches ErrConnectionLost with errors.Is and wraps the errno
// (syscall.ECONNRESET, syscall.EPIPE...). When the reactor stops, every
// connection still open is lost with ErrConnectionLost, and reset.
type Protocol interface {
	MakeConnection(t Transport)
	ConnectionMade()
	DataReceived(data []byte)
	ConnectionLost(reason error)
}

// HalfCloseableProtocol is a Protocol that wants to keep writing after the
// peer has closed its side of the connection (shutdown(SHUT_WR) on the
// other end): Twisted's IHalfCloseableProtocol. Instead of losing the
// connection when the peer's side ends, the reactor calls
// ReadConnectionLost and keeps the connection open for writing; the
// connection ends when the protocol calls LoseConnection (or its own write
// side is shut too).
//
// A protocol may also have a WriteConnectionLost() method: it is called
// when LoseWriteConnection has drained the buffer and shut the write side.
type HalfCloseableProtocol interface {
	Protocol
	ReadConnectionLost()
}

// HalfCloseSelector is a HalfCloseableProtocol that knows only while the
// connection runs whether it takes half-closes: a wrapper whose inner
// protocol is chosen after the connection is made (once a PROXY header has
// named the client, say). At the peer's end of stream the reactor asks it;
// false ends the connection exactly as for a protocol without
// ReadConnectionLost.
type HalfCloseSelector interface {
	HalfCloseableProtocol
	AcceptsHalfClose() bool
}

// halfCloseable returns p's ReadConnectionLost side if it takes the
// peer's half-close now.
func halfCloseable(p Protocol) (HalfCloseableProtocol, bool) {
	hc, ok := p.(HalfCloseableProtocol)
	if s, sel := hc.(HalfCloseSelector); sel && !s.AcceptsHalfClose() {
		return nil, false
	}
	return hc, ok
}

// writeHalfCloseable is the optional WriteConnectionLost of a protocol.
type writeHalfCloseable interface {
	WriteConnectionLost()
}

// Factory builds the protocol for each new connection: Twisted's
// IProtocolFactory. addr is the peer's address (a *net.TCPAddr for TCP).
// BuildProtocol may return nil to refuse a connection, which is then
// closed at once.
type Factory interface {
	BuildProtocol(addr net.Addr) Protocol
}

// ClientFactory is a Factory for outgoing connections (ConnectTCP): it also
// hears about the connection attempt (Twisted's ClientFactory).
//
//   - StartedConnecting is called when ConnectTCP (or Connector.Connect)
//     begins an attempt, before it returns.
//   - ClientConnectionFailed is called, never from inside ConnectTCP, when
//     the attempt fails; reason is a *ConnectError.
//   - ClientConnectionLost is called after the protocol's ConnectionLost
//     when an established connection ends, with the same reason.
//
// Embed BaseClientFactory to get do-nothing defaults.
type ClientFactory interface {
	Factory
	StartedConnecting(c *Connector)
	ClientConnectionFailed(c *Connector, reason error)
	ClientConnectionLost(c *Connector, reason error)
}

// FactoryFunc makes a plain function a Factory.
type FactoryFunc func(addr net.Addr) Protocol

// BuildProtocol calls f.
func (f FactoryFunc) BuildProtocol(addr net.Addr) Protocol { return f(addr) }

// BaseProtocol is the embeddable base of a Protocol: Twisted's Protocol
// class. It keeps the Transport and the Factory that built it, and does
// nothing on each event, so a type embedding it defines only the methods it
// cares about:
//
//	type Echo struct{ reactor.BaseProtocol }
//
//	func (e *Echo) DataReceived(data []byte) { e.Transport.Write(data) }
type BaseProtocol struct {
	// Transport is the connection, set by MakeConnection.
	Transport Transport
	// Factory is the factory that built the protocol, set by
	// BaseFactory.BuildProtocolFor (nil when the protocol was made some
	// other way).
	Factory Factory
}

// MakeConnection stores the transport.
func (p *BaseProtocol) MakeConnection(t Transport) { p.Transport = t }

// ConnectionMade does nothing.
func (p *BaseProtocol) ConnectionMade() {}

// DataReceived does nothing: the data is dropped.
func (p *BaseProtocol) DataReceived([]byte) {}

// ConnectionLost does nothing.
func (p *BaseProtocol) ConnectionLost(error) {}

// SetFactory stores the factory; BaseFactory calls it.
func (p *BaseProtocol) SetFactory(f Factory) { p.Factory = f }

// factorySetter is what BaseFactory looks for to hand a protocol its
// factory (BaseProtocol has it).
type factorySetter interface{ SetFactory(Factory) }

// BaseFactory is the embeddable base of a Factory: Twisted's Factory class.
// Protocol makes a new protocol (Twisted's protocol class attribute);
// BuildProtocol calls it and hands the protocol its factory if the
// protocol has a SetFactory method (BaseProtocol has).
//
// A type that embeds BaseFactory and wants its protocols to see the outer
// type, not the embedded BaseFactory, defines its own BuildProtocol and
// passes itself, as Python code calls ClientFactory.buildProtocol(self,
// addr):
//
//	func (f *MyFactory) BuildProtocol(addr net.Addr) reactor.Protocol {
//		p := f.BuildProtocolFor(f, addr)
//		p.(*MyProtocol).number = f.next
//		f.next++
//		return p
//	}
type BaseFactory struct {
	Protocol func() Protocol
}

// BuildProtocol builds a protocol whose factory is f itself.
func (f *BaseFactory) BuildProtocol(addr net.Addr) Protocol {
	return f.BuildProtocolFor(f, addr)
}

// BuildProtocolFor builds a protocol with f.Protocol and hands it owner as
// its factory. It returns nil (refusing the connection) when f.Protocol is
// nil.
func (f *BaseFactory) BuildProtocolFor(owner Factory, addr net.Addr) Protocol {
	if f.Protocol == nil {
		return nil
	}
	p := f.Protocol()
	if s, ok := p.(factorySetter); ok {
		s.SetFactory(owner)
	}
	return p
}

// BaseClientFactory is the embeddable base of a ClientFactory: a
// BaseFactory whose connection callbacks do nothing, as in Twisted.
type BaseClientFactory struct {
	BaseFactory
}

// StartedConnecting does nothing.
func (f *BaseClientFactory) StartedConnecting(*Connector) {}

// ClientConnectionFailed does nothing.
func (f *BaseClientFactory) ClientConnectionFailed(*Connector, error) {}

// ClientConnectionLost does nothing.
func (f *BaseClientFactory) ClientConnectionLost(*Connector, error) {}

var (
	_ Protocol      = (*BaseProtocol)(nil)
	_ ClientFactory = (*BaseClientFactory)(nil)
	_ Factory       = FactoryFunc(nil)
)
