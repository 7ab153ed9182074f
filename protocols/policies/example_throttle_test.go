package policies_test

import (
	"fmt"
	"net"
	"strings"
	"time"

	"gyre/protocols/policies"
	"gyre/reactor"
	"gyre/reactor/reactortest"
	"gyre/task"
)

// sink reads and ignores whatever it is sent.
type sink struct{ reactor.BaseProtocol }

// A read limit shared by all the connections of a factory: once a window's
// allowance is spent, every connection stops reading (PauseProducing on
// its transport) until the windows that follow have paid the excess off.
func ExampleThrottle() {
	clock := task.NewClock()
	throttle := &policies.Throttle{
		Factory:   reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &sink{} }),
		Clock:     clock,
		ReadLimit: 10, // bytes per second, over windows of a second
	}
	a, b := reactortest.NewStringTransport(), reactortest.NewStringTransport()
	a.Connect(throttle.BuildProtocol(a.Peer()))
	b.Connect(throttle.BuildProtocol(b.Peer()))

	a.Receive([]byte("twenty-five bytes of news")) // 25: the window allowed 10
	fmt.Println("0s:", a.ProducerState(), b.ProducerState(), "throttled", throttle.ReadThrottles, "times")
	clock.Advance(time.Second) // 15 still owed: more than a window's allowance
	fmt.Println("1s:", a.ProducerState(), b.ProducerState())
	clock.Advance(time.Second) // 5 owed: reading resumes
	fmt.Println("2s:", a.ProducerState(), b.ProducerState())
	// Output:
	// 0s: paused paused throttled 1 times
	// 1s: paused paused
	// 2s: producing producing
}

// poemSender sends a poem with a FileSender as soon as it is connected,
// ten bytes at a time.
type poemSender struct {
	reactor.BaseProtocol
	clock reactor.Clock
	start time.Time
}

func (p *poemSender) ConnectionMade() {
	s := reactor.FileSender{ChunkSize: 10}
	s.BeginFileTransfer(strings.NewReader("one line, then another."), p.Transport).
		AddCallback(func(n any) (any, error) {
			fmt.Println("sent", n, "bytes at", p.clock.Now().Sub(p.start))
			return nil, nil
		})
}

// A write limit holds back the producers registered on the connections: a
// FileSender (a pull producer) is not asked for more until the throttle
// lifts, however often the connection asks. Here the socket would take
// everything at once: the connection asks twice at each instant, and the
// throttle lets one chunk through per second.
func ExampleThrottle_write() {
	clock := task.NewClock()
	start := clock.Now()
	throttle := &policies.Throttle{
		Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
			return &poemSender{clock: clock, start: start}
		}),
		Clock:      clock,
		WriteLimit: 10,
	}
	t := reactortest.NewStringTransport()
	t.Clock = clock // dates each write
	t.Connect(throttle.BuildProtocol(t.Peer()))
	for range 4 {
		if p, _ := t.Producer(); p != nil {
			p.ResumeProducing() // the connection's buffer drained: more?
			p.ResumeProducing()
		}
		clock.Advance(time.Second)
	}
	for i, w := range t.Writes() {
		fmt.Printf("%q at %v\n", w, t.WriteTimes()[i].Sub(start))
	}
	// Output:
	// sent 23 bytes at 2s
	// "one line, " at 0s
	// "then anoth" at 1s
	// "er." at 2s
}
