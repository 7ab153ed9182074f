package reactor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// A server of small timed writes turns Nagle off on every connection it
// accepts (WithNoDelay: set once on the listening socket where the
// system copies it to accepted ones) and takes a bounded queue of
// connections not yet accepted (WithBacklog).
func ExampleWithNoDelay() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	var port *reactor.Port
	factory := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &tick{} })
	port, err = r.ListenTCP("127.0.0.1:0", factory, reactor.WithNoDelay(), reactor.WithBacklog(64))
	if err != nil {
		log.Fatal(err)
	}
	r.CallWhenRunning(func() {
		reactor.ConnectEndpoint(r, "tcp:127.0.0.1:"+portOf(port.Addr().String()), reactor.FactoryFunc(
			func(net.Addr) reactor.Protocol { return &ticks{stop: func() { r.Stop() }} }))
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// tick tick tick
}

// tick writes three small pieces, a millisecond apart, then closes.
type tick struct {
	reactor.BaseProtocol
	n int
}

func (t *tick) ConnectionMade() { t.next() }

func (t *tick) next() {
	if t.n == 3 {
		t.Transport.LoseConnection()
		return
	}
	if t.n > 0 {
		t.Transport.Write([]byte(" "))
	}
	t.Transport.Write([]byte("tick"))
	t.n++
	t.Transport.(*reactor.Conn).Reactor().CallLater(time.Millisecond, t.next)
}

// ticks prints what it received once the server closes.
type ticks struct {
	reactor.BaseProtocol
	got  []byte
	stop func()
}

func (t *ticks) DataReceived(data []byte) { t.got = append(t.got, data...) }

func (t *ticks) ConnectionLost(error) {
	fmt.Println(string(t.got))
	t.stop()
}

// WithGoroutinePool bounds the blocking work in flight: here one
// goroutine and no queue, so a second call made while the first runs
// fails at once with ErrPoolFull instead of waiting.
func ExampleWithGoroutinePool() {
	r, err := reactor.New(reactor.WithGoroutinePool(1, 0))
	if err != nil {
		log.Fatal(err)
	}
	slow := func(context.Context) (any, error) {
		time.Sleep(10 * time.Millisecond)
		return "done", nil
	}
	r.CallWhenRunning(func() {
		first := reactor.DeferToGoroutine(r, slow)
		reactor.DeferToGoroutine(r, slow).AddErrback(func(f *deferred.Failure) (any, error) {
			fmt.Println("second:", errors.Is(f, reactor.ErrPoolFull))
			return nil, nil
		})
		first.AddBoth(func(v any) (any, error) {
			fmt.Println("first:", v)
			return nil, r.Stop()
		})
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// second: true
	// first: done
}

// A datagram larger than the reactor's read buffer is not delivered cut
// short: the port drops it, counts it and logs the first. Here the
// buffer is made small on purpose (WithReadBufferSize); the default
// holds any UDP datagram. (The log, which would name the sender, is
// discarded here.)
func ExampleUDPPort_TruncatedDatagrams() {
	r, err := reactor.New(reactor.WithReadBufferSize(16), reactor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		log.Fatal(err)
	}
	counter := &Printer{stop: func() {}}
	port, err := r.ListenUDP("127.0.0.1:0", counter)
	if err != nil {
		log.Fatal(err)
	}
	sender, err := r.ListenUDP("127.0.0.1:0", &reactor.BaseDatagramProtocol{})
	if err != nil {
		log.Fatal(err)
	}
	r.CallWhenRunning(func() {
		sender.Write([]byte("a datagram of far more than sixteen bytes"), port.Addr())
		sender.Write([]byte("short one"), port.Addr())
		r.CallLater(50*time.Millisecond, func() {
			fmt.Println("dropped:", port.TruncatedDatagrams())
			r.Stop()
		})
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// short one
	// dropped: 1
}
