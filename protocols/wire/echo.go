package wire

import (
	"net"

	"gyre/reactor"
)

// Echo writes back every byte it receives, in order, on the same
// connection: Twisted's Echo protocol. The connection stays open until the
// peer closes it.
type Echo struct {
	reactor.BaseProtocol
	flow flow
}

// DataReceived writes data back: one write(2) when the socket takes it.
func (e *Echo) DataReceived(data []byte) {
	e.Transport.Write(data)
	e.flow.check(e.Transport)
}

// EchoFactory builds an Echo per connection. Its zero value is ready and
// it holds no state, so one may serve any number of reactors.
type EchoFactory struct{}

// BuildProtocol implements reactor.Factory.
func (EchoFactory) BuildProtocol(net.Addr) reactor.Protocol { return new(Echo) }

var (
	_ reactor.Protocol = (*Echo)(nil)
	_ reactor.Factory  = EchoFactory{}
)
