package poetry

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// FileServerFactory serves a poem file of any size, streamed to each
// client with flow control: the file is never read whole into memory, and
// a client that reads slowly (or not at all) makes the server wait, not
// buffer. On Linux the bytes go from the file to the socket with
// sendfile(2); elsewhere they are read 64 KiB at a time, one chunk buffered
// at most per client (see reactor.FileSender).
//
// Every client reads the same open file, through its own section of it, so
// the file is opened once whatever the number of clients. Its size is
// taken when the factory is made.
type FileServerFactory struct {
	file    *os.File
	size    int64
	sender  reactor.FileSender
	observe func(Served)
}

// NewFileServerFactory returns a factory serving f, which must stay open
// while it serves (the caller closes it afterwards).
func NewFileServerFactory(f *os.File, opts ...ServerOption) (*FileServerFactory, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("poetry: %s is not a regular file", f.Name())
	}
	cfg := serverOptions(opts)
	return &FileServerFactory{
		file: f, size: st.Size(), observe: cfg.observe,
		sender: reactor.FileSender{NoSendfile: cfg.noSendfile, ChunkSize: cfg.chunk},
	}, nil
}

// Size returns the size of the poem served.
func (f *FileServerFactory) Size() int64 { return f.size }

// BuildProtocol makes the protocol for one client.
func (f *FileServerFactory) BuildProtocol(net.Addr) reactor.Protocol {
	return &fileProtocol{f: f}
}

type fileProtocol struct {
	t     reactor.Transport
	f     *FileServerFactory
	start time.Time
	sent  int64
	err   error // why the transfer failed, if it did
}

func (p *fileProtocol) MakeConnection(t reactor.Transport) { p.t = t }

func (p *fileProtocol) ConnectionMade() {
	if p.f.observe != nil {
		p.start = time.Now()
	}
	d := p.f.sender.BeginFileTransfer(io.NewSectionReader(p.f.file, 0, p.f.size), p.t)
	d.AddCallbacks(func(v any) (any, error) {
		p.sent = v.(int64)
		if p.sent < p.f.size {
			// The file shrank under us: what the client got is not the
			// poem, and a clean close would say it is.
			p.err = &ShortFileError{Sent: p.sent, Size: p.f.size}
			p.t.AbortConnection()
			return nil, nil
		}
		p.t.LoseConnection()
		return nil, nil
	}, func(f *deferred.Failure) (any, error) {
		var te *reactor.TransferError
		if errors.As(f, &te) {
			p.sent = te.Sent
		}
		if !errors.Is(f, reactor.ErrProducerStopped) {
			// A read error: cut the connection so the client sees the
			// poem is incomplete rather than a short poem.
			p.err = f
			p.t.AbortConnection()
		}
		return nil, nil
	})
}

func (p *fileProtocol) DataReceived([]byte) {}

// ReadConnectionLost: a half-closed client still gets the whole poem.
func (p *fileProtocol) ReadConnectionLost() {}

func (p *fileProtocol) ConnectionLost(reason error) {
	if p.f.observe == nil {
		return
	}
	if p.err != nil {
		reason = p.err
	}
	p.f.observe(served(p.t, p.start, time.Now(), p.sent, p.f.size, reason))
}
