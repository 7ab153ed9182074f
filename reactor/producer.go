package reactor

import (
	"errors"
	"fmt"
)

// Flow control on a connection (Twisted's producer/consumer): a producer
// registered on a Conn writes into it, and the Conn paces it by its write
// buffer. See Transport.RegisterProducer.

// ErrNotPushProducer is returned (wrapped, with the producer's type) by
// RegisterProducer when a producer registered as streaming cannot be
// paused: it is not a PushProducer.
var ErrNotPushProducer = errors.New("reactor: a streaming producer must be a PushProducer (have PauseProducing)")

// ErrNilProducer is returned by RegisterProducer given no producer.
var ErrNilProducer = errors.New("reactor: nil producer")

// CheckProducer is the check every RegisterProducer makes before anything
// else: p is not nil, and a streaming p is a PushProducer. Transports
// written outside this package (test doubles among them) call it to refuse
// what the reactor's own transports refuse.
func CheckProducer(p Producer, streaming bool) error {
	if p == nil {
		return ErrNilProducer
	}
	if streaming {
		if _, ok := p.(PushProducer); !ok {
			return fmt.Errorf("%w: %T", ErrNotPushProducer, p)
		}
	}
	return nil
}

// RegisterProducer implements Transport (and Consumer). A pull producer is
// asked for its first piece at once, as in Twisted.
func (c *Conn) RegisterProducer(p Producer, streaming bool) error {
	if err := CheckProducer(p, streaming); err != nil {
		return err
	}
	if x := c.extra; x != nil && (x.producer != nil || x.xfer != nil) {
		return ErrProducerRegistered
	}
	if c.flags&fClosed != 0 {
		p.StopProducing()
		return nil
	}
	x := c.needExtra()
	x.producer, x.streaming, x.producerPaused, x.pullIdle = p, streaming, false, false
	if streaming {
		if high, _ := x.marks(); c.Buffered() > high {
			x.producerPaused = true
			p.(PushProducer).PauseProducing()
		}
	} else {
		x.pullIdle = true // until it writes
		p.ResumeProducing()
	}
	c.sync()
	return nil
}

// UnregisterProducer implements Transport (and Consumer). A connection
// that LoseConnection was waiting on closes once its buffer is empty.
func (c *Conn) UnregisterProducer() {
	x := c.extra
	if x == nil || x.producer == nil {
		return
	}
	x.producer, x.producerPaused, x.pullIdle = nil, false, false
	c.producerDone()
}

// producerDone goes on with a close that waited for the producer (or file
// transfer) to finish.
func (c *Conn) producerDone() {
	if c.flags&(fClosed|fSetup) != 0 {
		return
	}
	if c.drained() {
		if c.flags&fDisconnecting != 0 {
			c.queueLost()
			return
		}
		if c.flags&fWriteShutting != 0 && c.flags&fWriteClosed == 0 {
			if c.shutWrite() {
				return
			}
		}
	}
	c.sync()
}
