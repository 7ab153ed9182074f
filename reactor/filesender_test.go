package reactor

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gyre/deferred"
)

// bigFile writes n bytes of pattern to a temporary file and opens it.
func bigFile(t testing.TB, n int) (*os.File, []byte) {
	t.Helper()
	data := pattern(n)
	path := filepath.Join(t.TempDir(), "poem.txt")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, data
}

// fileServe serves src (made per connection by source) with sender; the
// client reads nothing until the server has checked the transfer in
// flight with inFlight. It returns what the client read, the transfer's
// result and the server protocol.
func fileServe(t *testing.T, backend string, sender *FileSender, source func() io.Reader,
	inFlight func(c *Conn)) (got []byte, result any, srv *recorder) {
	t.Helper()
	return fileServeVia(t, backend, sender, source, nil, inFlight)
}

// fileServeVia is fileServe with the transfer made on wrap(the connection),
// a transport wrapping it (nil: the connection itself).
func fileServeVia(t *testing.T, backend string, sender *FileSender, source func() io.Reader,
	wrap func(Transport) Transport, inFlight func(c *Conn)) (got []byte, result any, srv *recorder) {
	t.Helper()
	r, _ := newReactor(t, backend)
	start := make(chan struct{})
	servers := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			tr := p.Transport
			if wrap != nil {
				tr = wrap(tr)
			}
			d := sender.BeginFileTransfer(source(), tr)
			inFlight(p.conn())
			close(start)
			d.AddBoth(func(v any) (any, error) {
				result = v
				p.Transport.LoseConnection()
				return nil, nil
			})
		}, onLost: func(*recorder, error) { r.Stop() }}
	}}
	port := listen(t, r, servers)
	res := make(chan []byte, 1)
	go func() {
		c := goDial(t, port.Addr())
		if c == nil {
			res <- nil
			r.Stop()
			return
		}
		select {
		case <-start:
		case <-time.After(testTimeout):
		}
		b, _ := readAll(c)
		res <- b
	}()
	run(t, r)
	select {
	case got = <-res:
	case <-time.After(testTimeout):
		t.Fatal("client never finished")
	}
	return got, result, servers.all[0]
}

// On Linux a regular file goes to a TCP connection with sendfile(2):
// nothing is ever buffered in user space, the Deferred fires with the
// size, and the file is left positioned at its end.
func TestFileSenderSendfile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sendfile(2) is used on Linux only")
	}
	forEachBackend(t, func(t *testing.T, backend string) {
		f, data := bigFile(t, 16<<20)
		got, result, srv := fileServe(t, backend, &FileSender{}, func() io.Reader { return f }, func(c *Conn) {
			if c.extra == nil || c.extra.xfer == nil {
				t.Error("no sendfile transfer in flight")
			}
			if c.Buffered() != 0 || c.extra.producer != nil {
				t.Errorf("buffered %d bytes", c.Buffered())
			}
			checkTransferTuning(t, c)
		})
		if sha256.Sum256(got) != sha256.Sum256(data) {
			t.Errorf("client got %d bytes, want %d", len(got), len(data))
		}
		if result != int64(len(data)) {
			t.Errorf("Deferred fired with %v", result)
		}
		if pos, _ := f.Seek(0, io.SeekCurrent); pos != int64(len(data)) {
			t.Errorf("file left at %d", pos)
		}
		if err := srv.lostOnce(t); err != ErrConnectionDone {
			t.Errorf("lost: %v", err)
		}
	})
}

// A section of a file: only that range is sent (sendfile path where there
// is one).
func TestFileSenderSection(t *testing.T) {
	f, data := bigFile(t, 3<<20)
	for _, noSendfile := range []bool{false, true} {
		got, result, _ := fileServe(t, DefaultBackend(), &FileSender{NoSendfile: noSendfile},
			func() io.Reader { return io.NewSectionReader(f, 1000, 2<<20) }, func(*Conn) {})
		if !bytes.Equal(got, data[1000:1000+2<<20]) || result != int64(2<<20) {
			t.Errorf("noSendfile=%v: got %d bytes, result %v", noSendfile, len(got), result)
		}
	}
}

// The portable path: a pull producer reading one chunk each time the
// buffer empties, so at most one chunk is buffered however slow the
// reader.
func TestFileSenderFallback(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		f, data := bigFile(t, 8<<20)
		sender := &FileSender{NoSendfile: true, ChunkSize: 32 << 10}
		got, result, _ := fileServe(t, backend, sender, func() io.Reader { return f }, func(c *Conn) {
			if c.extra.xfer != nil || c.extra.producer == nil {
				t.Error("not on the producer path")
			}
			if c.Buffered() > 32<<10 {
				t.Errorf("buffered %d bytes", c.Buffered())
			}
		})
		if sha256.Sum256(got) != sha256.Sum256(data) || result != int64(len(data)) {
			t.Errorf("client got %d bytes, result %v", len(got), result)
		}
	})
}

// A reader that is not a file takes the producer path too.
func TestFileSenderAnyReader(t *testing.T) {
	data := pattern(1 << 20)
	got, result, _ := fileServe(t, DefaultBackend(), &FileSender{},
		func() io.Reader { return io.MultiReader(bytes.NewReader(data[:1000]), bytes.NewReader(data[1000:])) },
		func(c *Conn) {
			if c.extra.producer == nil {
				t.Error("not on the producer path")
			}
		})
	if !bytes.Equal(got, data) || result != int64(len(data)) {
		t.Errorf("got %d bytes, result %v", len(got), result)
	}
}

// When the consumer goes away mid-transfer, the Deferred fails with
// ErrProducerStopped, on both paths, and the producer is released.
func TestFileSenderConsumerGone(t *testing.T) {
	for _, noSendfile := range []bool{false, true} {
		f, _ := bigFile(t, 32<<20)
		r, _ := newReactor(t, DefaultBackend())
		var failure error
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				d := (&FileSender{NoSendfile: noSendfile}).BeginFileTransfer(f, p.Transport)
				d.AddErrback(func(f *deferred.Failure) (any, error) {
					failure = f
					return nil, nil
				})
			}, onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) }}
		}}
		port := listen(t, r, srv)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				r.Stop()
				return
			}
			io.ReadFull(c, make([]byte, 1000))
			c.SetLinger(0)
			c.Close()
		}()
		run(t, r)
		if !errors.Is(failure, ErrProducerStopped) {
			t.Errorf("noSendfile=%v: transfer ended with %v", noSendfile, failure)
		}
		c := srv.all[0].conn()
		if c.extra.xfer != nil || c.extra.producer != nil {
			t.Error("transfer still attached")
		}
	}
}

// memConsumer is a consumer that is not a connection: FileSender drives it
// as a pull producer, synchronously.
type memConsumer struct {
	buf bytes.Buffer
	p   Producer
}

func (m *memConsumer) Write(b []byte) { m.buf.Write(b) }

func (m *memConsumer) RegisterProducer(p Producer, streaming bool) error {
	m.p = p
	for m.p != nil {
		m.p.ResumeProducing()
	}
	return nil
}

func (m *memConsumer) UnregisterProducer() { m.p = nil }

func TestFileSenderToAnyConsumer(t *testing.T) {
	var m memConsumer
	var result any
	SendFile(&m, bytes.NewReader([]byte("a short poem"))).AddCallback(func(v any) (any, error) {
		result = v
		return v, nil
	})
	if m.buf.String() != "a short poem" || result != int64(12) {
		t.Errorf("consumer got %q, result %v", m.buf.String(), result)
	}
}

// wrappedTransport is a protocol wrapper's transport that only changes the
// peer's address (as the PROXY protocol's does).
type wrappedTransport struct{ Transport }

func (w wrappedTransport) Peer() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 4242}
}
func (w wrappedTransport) Unwrap() Transport { return w.Transport }

// A transport that wraps a TCP connection (TransportWrapper) still gets
// its file with sendfile(2): FileSender reaches the connection beneath.
func TestFileSenderSendfileThroughWrapper(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sendfile(2) is used on Linux only")
	}
	f, data := bigFile(t, 4<<20)
	wrap := func(t Transport) Transport { return wrappedTransport{t} }
	got, _, _ := fileServeVia(t, DefaultBackend(), &FileSender{}, func() io.Reader { return f }, wrap, func(c *Conn) {
		if c.extra == nil || c.extra.xfer == nil {
			t.Error("no sendfile transfer through the wrapper")
		}
	})
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Errorf("client got %d bytes, want %d", len(got), len(data))
	}
}

// A file that cannot be read any more half-way through its sending (a
// disk error; here its descriptor is swapped for a write-only one) ends
// the connection with a reset, with or without WithResetOnExit: the
// client must not take the part it got for the whole. It ended cleanly.
func TestFileThatFailsMidwayResets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "poem")
	if err := os.WriteFile(path, bytes.Repeat([]byte("line of a long poem\n"), 32<<20/20), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]ListenOption{nil, {WithResetOnExit()}} {
		r, _ := newReactor(t, DefaultBackend(), WithLogger(slog.New(slog.DiscardHandler)))
		var transfer any // the transfer's result: handled, so no "Unhandled error" is printed
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				f, err := os.Open(path)
				if err != nil {
					t.Error(err)
					return
				}
				SendFile(p.Transport, f).AddBoth(func(v any) (any, error) {
					transfer = v
					return nil, nil
				})
				r.CallLater(50*time.Millisecond, func() {
					w, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
					if err != nil {
						t.Error(err)
						return
					}
					unix.Dup2(int(w.Fd()), int(f.Fd())) // reads of f fail from now on
					w.Close()
				})
			}}
		}}
		port := listen(t, r, srv, opts...)
		errc := make(chan error, 1)
		go func() {
			defer r.CallFromGoroutine(func() { r.Stop() })
			c := goDialSmall(t, port.Addr())
			if c == nil {
				errc <- nil
				return
			}
			buf := make([]byte, 4096)
			var err error
			for err == nil {
				time.Sleep(time.Millisecond) // a slow reader: the transfer is still going at 50 ms
				_, err = c.Read(buf)
			}
			errc <- err
		}()
		run(t, r)
		if err := <-errc; !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("armed %v: the client read to %v, want a reset", len(opts) > 0, err)
		}
		if err, _ := transfer.(error); !errors.As(err, new(*TransferError)) {
			t.Errorf("armed %v: the transfer ended with %v, want a TransferError", len(opts) > 0, transfer)
		}
	}
}

// A file whose very first sendfile(2) fails (here a descriptor open for
// writing only: EBADF) ends the connection with a reset too, as a failure
// midway does: a clean end of file would pass the nothing the client got
// for the whole file.
func TestFileThatFailsAtOnceResets(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sendfile(2) is used on Linux only")
	}
	path := filepath.Join(t.TempDir(), "poem")
	if err := os.WriteFile(path, pattern(1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, WithLogger(slog.New(slog.DiscardHandler)))
		var result any
		srv := &servers{build: func() *recorder {
			// Started once the client is surely connected: a reset that
			// came while its connect(2) was being checked would be
			// taken by that check, and its read would see a clean end.
			return &recorder{onData: func(p *recorder, _ []byte) {
				f, err := os.OpenFile(path, os.O_WRONLY, 0)
				if err != nil {
					t.Error(err)
					return
				}
				t.Cleanup(func() { f.Close() })
				SendFile(p.Transport, f).AddBoth(func(v any) (any, error) {
					result = v
					return nil, nil
				})
			}}
		}}
		port := listen(t, r, srv)
		errc := make(chan error, 1)
		go func() {
			defer r.CallFromGoroutine(func() { r.Stop() })
			c := goDial(t, port.Addr())
			if c == nil {
				errc <- nil
				return
			}
			c.Write([]byte("poem, please\n"))
			_, err := readAll(c)
			errc <- err
		}()
		run(t, r)
		if err := <-errc; !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("the client read to %v, want a reset", err)
		}
		var te *TransferError
		if err, _ := result.(error); !errors.As(err, &te) || te.Sent != 0 {
			t.Errorf("the transfer ended with %v, want a TransferError after 0 bytes", result)
		}
	})
}

// With WithBatchedIO a Write waits in the reactor's batch until the end of
// the turn; a file whose transfer starts in the same callback still goes
// after it (sendfile sends at once, so the batch is sent first).
func TestFileSenderAfterBatchedWrite(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sendfile(2) is used on Linux only")
	}
	r := batchedReactor(t)
	f, data := bigFile(t, 1<<20)
	header := []byte("a poem of one mebibyte follows\n")
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			p.Transport.Write(header)
			SendFile(p.Transport, f).AddBoth(func(v any) (any, error) {
				p.Transport.LoseConnection()
				return nil, nil
			})
		}}
	}}
	port := listen(t, r, srv)
	got := make(chan []byte, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c := goDial(t, port.Addr())
		if c == nil {
			got <- nil
			return
		}
		b, _ := readAll(c)
		got <- b
	}()
	run(t, r)
	b := <-got
	if want := append(header, data...); !bytes.Equal(b, want) {
		t.Errorf("client got %d bytes starting %q, want %d starting %q", len(b), b[:min(len(b), 12)], len(want), want[:12])
	}
}
