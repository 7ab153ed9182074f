package reactor

import (
	"errors"
	"fmt"
	"io"
	"os"

	"gyre/deferred"
)

// FileSender streams a file, or any reader, to a consumer without holding
// it in memory and without letting a slow reader grow the consumer's
// buffer: Twisted's basic.FileSender.
//
// On Linux, when the consumer is a TCP connection (*Conn) and the source a
// regular *os.File (or an *io.SectionReader of one), the bytes go from the
// file to the socket with sendfile(2): no copy through user space, no
// buffer at all, each call sending what the socket will take when it is
// writable. Otherwise FileSender is a pull producer: it reads ChunkSize
// bytes each time the consumer's buffer has drained, so at most one chunk
// is ever buffered.
//
// The zero value is ready to use.
type FileSender struct {
	// ChunkSize is the size of each read on the producer path (default
	// 64 KiB).
	ChunkSize int
	// NoSendfile makes it use the producer path even where sendfile(2)
	// could be used.
	NoSendfile bool
}

// DefaultChunkSize is FileSender's default read size.
const DefaultChunkSize = 64 << 10

// SendFile streams src to consumer with a zero FileSender.
func SendFile(consumer Consumer, src io.Reader) *deferred.Deferred {
	var s FileSender
	return s.BeginFileTransfer(src, consumer)
}

// BeginFileTransfer starts sending what remains of src (from its current
// position to its end) to consumer, and returns a Deferred that fires with
// the number of bytes sent (an int64) once the last of them has been
// handed to the consumer (it may still be in the consumer's buffer:
// LoseConnection waits for it). It fails with ErrProducerRegistered if the
// consumer already has a producer, and otherwise with a *TransferError
// saying how much was sent, wrapping the read error, or ErrProducerStopped
// (and the connection's reason) if the consumer went away first.
//
// The transfer is the consumer's producer while it runs. Do not close src
// before the Deferred has fired; a *os.File is left positioned after what
// was sent.
func (s *FileSender) BeginFileTransfer(src io.Reader, consumer Consumer) *deferred.Deferred {
	if src == nil || consumer == nil {
		return deferred.Fail(errors.New("reactor: BeginFileTransfer needs a source and a consumer"))
	}
	if !s.NoSendfile {
		if c := connBeneath(consumer); c != nil {
			if d, ok := c.trySendfile(src); ok {
				return d
			}
		}
	}
	size := s.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	p := &fileProducer{src: src, consumer: consumer, buf: make([]byte, size), d: deferred.New()}
	if err := consumer.RegisterProducer(p, false); err != nil {
		p.buf = nil
		return deferred.Fail(err)
	}
	return p.d
}

// fileProducer is the portable path: a pull producer reading one chunk per
// ResumeProducing.
type fileProducer struct {
	src      io.Reader
	consumer Consumer
	buf      []byte
	sent     int64
	d        *deferred.Deferred
	done     bool
}

func (p *fileProducer) ResumeProducing() {
	if p.done {
		return
	}
	n, err := p.src.Read(p.buf)
	if n > 0 {
		p.sent += int64(n)
		p.consumer.Write(p.buf[:n])
	}
	switch {
	case p.done: // the Write lost the connection: StopProducing ran
	case err == io.EOF:
		p.finish(nil)
	case err != nil:
		p.finish(err)
	}
}

func (p *fileProducer) finish(err error) {
	p.done = true
	p.buf = nil
	p.consumer.UnregisterProducer()
	if err != nil {
		p.d.Errback(&TransferError{Sent: p.sent, Err: err})
		return
	}
	p.d.Callback(p.sent)
}

func (p *fileProducer) StopProducing() {
	if p.done {
		return
	}
	p.done = true
	p.buf = nil
	p.d.Errback(&TransferError{Sent: p.sent, Err: ErrProducerStopped})
}

// TransferError is the failure of a file transfer that did not finish:
// Sent bytes had been handed to the consumer, then Err happened (it wraps
// ErrProducerStopped, and the connection's reason when known, if the
// consumer went away).
type TransferError struct {
	Sent int64
	Err  error
}

func (e *TransferError) Error() string {
	return fmt.Sprintf("file transfer stopped after %d bytes: %v", e.Sent, e.Err)
}

func (e *TransferError) Unwrap() error { return e.Err }

// fileTransfer is a sendfile(2) transfer in progress on a connection.
type fileTransfer struct {
	file   *os.File // kept so the descriptor stays open and alive
	src    int
	off    int64 // next byte of the file to send
	remain int64
	sent   int64
	d      *deferred.Deferred
	tail   []byte // written during the transfer: goes after it

	// seeker is the source as given, moved past what was sent at the
	// end (pos0 is where it stood at the start).
	seeker io.Seeker
	pos0   int64
}

// stopped fails the transfer: the connection was lost.
func (t *fileTransfer) stopped(r *Reactor, reason error) {
	err := &TransferError{Sent: t.sent, Err: fmt.Errorf("%w: %w", ErrProducerStopped, reason)}
	r.call(func() { t.d.Errback(err) })
}

// TransportWrapper is implemented by a Transport that wraps another one
// and writes straight through to it, as a protocol wrapper's transport
// does when it only changes what Peer or Host report (the PROXY protocol's,
// in protocols/proxyproto). Unwrap returns the transport beneath, so that
// FileSender can still reach the TCP connection and use sendfile(2).
type TransportWrapper interface {
	Unwrap() Transport
}

// connBeneath returns the TCP connection that consumer is, or wraps (a few
// levels at most), or nil.
func connBeneath(consumer Consumer) *Conn {
	for range 8 {
		switch c := consumer.(type) {
		case *Conn:
			return c
		case TransportWrapper:
			consumer = c.Unwrap()
		default:
			return nil
		}
	}
	return nil
}
