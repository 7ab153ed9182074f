package policies

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// sink counts what it receives and stops the reactor when it has it all.
type sink struct {
	reactor.BaseProtocol
	got, want int
	done      func()
}

func (s *sink) DataReceived(b []byte) {
	s.got += len(b)
	if s.got >= s.want {
		s.done()
	}
}

// Over real sockets, on every backend: 1 MiB sent as fast as the client
// can to a factory throttled to 1 MiB/s arrives whole, and no sooner than
// the limit allows (less the first window's allowance). Only the lower
// bound is checked: a loaded machine may be slower, never faster.
func TestThrottleOverSockets(t *testing.T) {
	const size, rate = 1 << 20, 1 << 20
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			r := reactortest.RealReactor(t, backend)
			var s *sink
			var finished time.Time
			f := &Throttle{Clock: r, ReadLimit: rate, Window: 100 * time.Millisecond,
				Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
					s = &sink{want: size, done: func() { finished = time.Now(); r.Stop() }}
					return s
				})}
			port, err := r.ListenTCP("127.0.0.1:0", f)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			go func() {
				c, err := net.Dial("tcp", port.Addr().String())
				if err != nil {
					t.Error(err)
					r.CallFromGoroutine(func() { r.Stop() })
					return
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				c.Write(bytes.Repeat([]byte("t"), size))
				<-r.Done()
			}()
			errc := make(chan error, 1)
			go func() { errc <- r.Run() }()
			select {
			case <-errc:
			case <-time.After(20 * time.Second):
				r.CallFromGoroutine(func() { r.Stop() })
				t.Fatal("reactor still running after 20s")
			}
			if s == nil || s.got < size {
				t.Fatalf("received %v", s)
			}
			elapsed := finished.Sub(start)
			least := time.Duration(size-rate/10) * time.Second / rate
			t.Logf("1 MiB in %v at %d B/s (at least %v), throttled %d times", elapsed, rate, least, f.ReadThrottles)
			if elapsed < least*9/10 || f.ReadThrottles == 0 {
				t.Errorf("1 MiB in %v, faster than the limit allows (%v); throttled %d times", elapsed, least, f.ReadThrottles)
			}
		})
	}
}

// fileWriter sends a file with reactor.SendFile as soon as it connects,
// then closes.
type fileWriter struct {
	reactor.BaseProtocol
	path string
	t    *testing.T
}

func (p *fileWriter) ConnectionMade() {
	f, err := os.Open(p.path)
	if err != nil {
		p.t.Error(err)
		p.Transport.AbortConnection()
		return
	}
	d := reactor.SendFile(p.Transport, f)
	d.AddBoth(func(v any) (any, error) {
		f.Close()
		p.Transport.LoseConnection()
		return v, nil
	})
}

// A file sent through a throttled transport is throttled too, on every
// backend: on Linux a plain connection sends it with sendfile(2), which
// must not reach beneath the throttle to the socket.
func TestThrottleLimitsFileTransfers(t *testing.T) {
	const size, rate = 1 << 20, 1 << 20
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, bytes.Repeat([]byte("f"), size), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			r := reactortest.RealReactor(t, backend)
			f := &Throttle{Clock: r, WriteLimit: rate, Window: 100 * time.Millisecond,
				Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
					return &fileWriter{path: path, t: t}
				})}
			port, err := r.ListenTCP("127.0.0.1:0", f)
			if err != nil {
				t.Fatal(err)
			}
			start, cpu0 := time.Now(), cpuTime(t)
			got := make(chan int64, 1)
			go func() {
				defer r.CallFromGoroutine(func() { r.Stop() })
				c, err := net.Dial("tcp", port.Addr().String())
				if err != nil {
					t.Error(err)
					got <- 0
					return
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				n, err := io.Copy(io.Discard, c)
				if err != nil {
					t.Error(err)
				}
				got <- n
			}()
			errc := make(chan error, 1)
			go func() { errc <- r.Run() }()
			select {
			case <-errc:
			case <-time.After(25 * time.Second):
				r.CallFromGoroutine(func() { r.Stop() })
				t.Fatal("reactor still running after 25s")
			}
			n := <-got
			elapsed, cpu := time.Since(start), cpuTime(t)-cpu0
			least := time.Duration(size-rate/10) * time.Second / rate
			t.Logf("%d bytes in %v at %d B/s (at least %v), throttled %d times, %v of CPU", n, elapsed, rate, least, f.WriteThrottles, cpu)
			if n != size {
				t.Fatalf("received %d of %d bytes", n, size)
			}
			if elapsed < least*9/10 || f.WriteThrottles == 0 {
				t.Errorf("1 MiB in %v, faster than the limit allows (%v); throttled %d times", elapsed, least, f.WriteThrottles)
			}
			// A held transfer waits without asking: the loop does not spin.
			if cpu > elapsed/3 {
				t.Errorf("%v of CPU in %v: the held transfer kept the loop busy", cpu, elapsed)
			}
		})
	}
}

// cpuTime is the CPU time the process has used so far.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// With no Clock, IdleTimeout and Throttle use the connection's reactor,
// nested either way: a silent client is cut off after the period, over a
// real socket.
func TestPoliciesWithoutClockUseTheReactor(t *testing.T) {
	t.Run("IdleTimeout outside", func(t *testing.T) { testPoliciesWithoutClock(t, false) })
	t.Run("IdleTimeout inside", func(t *testing.T) { testPoliciesWithoutClock(t, true) })
}

func testPoliciesWithoutClock(t *testing.T, inside bool) {
	r := reactortest.RealReactor(t, reactor.DefaultBackend())
	var timedOut net.Addr
	silent := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &reactor.BaseProtocol{} })
	var f reactor.Factory = &IdleTimeout{Period: 50 * time.Millisecond,
		TimedOut: func(peer net.Addr) { timedOut = peer },
		Factory:  &Throttle{ReadLimit: 1 << 20, Factory: silent}}
	if inside {
		f = &Throttle{ReadLimit: 1 << 20, Factory: &IdleTimeout{Period: 50 * time.Millisecond,
			TimedOut: func(peer net.Addr) { timedOut = peer }, Factory: silent}}
	}
	port, err := r.ListenTCP("127.0.0.1:0", f)
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := net.Dial("tcp", port.Addr().String())
		if err != nil {
			ended <- err
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = c.Read(make([]byte, 1))
		ended <- err
	}()
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	if err := <-ended; err != io.EOF || timedOut == nil {
		t.Errorf("client read %v; timed out: %v", err, timedOut)
	}
}

// A Clock missing where no reactor can stand in says so.
func TestPoliciesWithoutClockSaySo(t *testing.T) {
	for name, fn := range map[string]func(){
		"Timeout": func() { (&Timeout{}).SetTimeout(time.Second) },
		"IdleTimeout": func() {
			p := (&IdleTimeout{Period: time.Second, Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &reactor.BaseProtocol{} })}).BuildProtocol(nil)
			p.MakeConnection(&fakeTransport{})
		},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, "no Clock") {
					t.Errorf("%s: panicked with %q", name, msg)
				}
			}()
			fn()
		}()
	}
}

// withReactor is a test transport that knows its reactor.
type withReactor struct {
	fakeTransport
	r *reactor.Reactor
}

func (t *withReactor) Reactor() *reactor.Reactor { return t.r }

// unwrapping is a transport wrapper (reactor.TransportWrapper) with no
// Reactor method of its own, as proxyproto's is behind its TLS.
type unwrapping struct{ reactor.Transport }

func (t unwrapping) Unwrap() reactor.Transport { return t.Transport }

// A policy with no Clock inside a Throttle, behind a wrapper that only
// unwraps, still finds the reactor: the throttled transport looks through
// the wrapper. It panicked on every connection.
func TestClockFoundThroughThrottleAndWrappers(t *testing.T) {
	r := reactortest.RealReactor(t, reactor.DefaultBackend())
	f := &Throttle{ReadLimit: 1 << 20, Factory: &IdleTimeout{Period: time.Minute,
		Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &reactor.BaseProtocol{} })}}
	p := f.BuildProtocol(&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 1})
	p.MakeConnection(unwrapping{&withReactor{r: r}}) // panicked: no Clock, no reactor
}
