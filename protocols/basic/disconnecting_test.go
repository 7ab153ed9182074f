package basic

import (
	"slices"
	"strconv"
	"testing"

	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// closeHow is a way a handler closes the connection through its transport,
// as code ported from Twisted does (self.transport.loseConnection()),
// rather than through the framer's own LoseConnection.
var closeHow = []struct {
	name  string
	close func(reactor.Transport)
}{
	{"LoseConnection", reactor.Transport.LoseConnection},
	{"AbortConnection", reactor.Transport.AbortConnection},
	{"StopProducing", reactor.Transport.StopProducing},
}

// A LineReceiver whose handler closes the transport on "QUIT" does not
// act on the lines after it in the same read, as Twisted's checks
// transport.disconnecting after each line.
func TestLineReceiverStopsWhenTransportCloses(t *testing.T) {
	for _, how := range closeHow {
		for _, in := range [][]string{
			{"QUIT\r\nDELETE x\r\n"},
			{"QU", "IT\r\nDELETE x\r\nDELETE y\r\n"}, // QUIT completed from the buffer
		} {
			r, tr := newLineRecorder()
			r.onLine = func(r *lineRecorder, line []byte) {
				if string(line) == "QUIT" {
					how.close(r.Transport)
				}
			}
			for _, d := range in {
				r.DataReceived([]byte(d))
			}
			if !slices.Equal(r.lines, []string{"QUIT"}) || !tr.Disconnecting() {
				t.Errorf("%s, %q: lines %q", how.name, in, r.lines)
			}
		}
	}
}

// The same in raw mode: the lines a raw handler gives back with
// SetLineMode after closing the transport are not delivered.
func TestLineReceiverRawStopsWhenTransportCloses(t *testing.T) {
	r, _ := newLineRecorder()
	r.onLine = func(r *lineRecorder, line []byte) { r.SetRawMode() }
	r.onRaw = func(r *lineRecorder, data []byte) {
		r.Transport.LoseConnection()
		r.SetLineMode(data[4:])
	}
	r.DataReceived([]byte("go\r\nbodyDELETE x\r\n"))
	if !slices.Equal(r.lines, []string{"go"}) || !slices.Equal(r.raw, []string{"bodyDELETE x\r\n"}) {
		t.Errorf("lines %q, raw %q", r.lines, r.raw)
	}
}

// A LineOnlyReceiver does the same (Twisted's checks before each line).
func TestLineOnlyReceiverStopsWhenTransportCloses(t *testing.T) {
	for _, how := range closeHow {
		for _, in := range [][]string{
			{"QUIT\r\nDELETE x\r\n"},
			{"QU", "IT\r\nDELETE x\r\nDELETE y\r\n"},
		} {
			r := &quitLineOnly{}
			r.Handler = r
			r.close = how.close
			tr := &fakeTransport{}
			r.MakeConnection(tr)
			for _, d := range in {
				r.DataReceived([]byte(d))
			}
			if !slices.Equal(r.lines, []string{"QUIT"}) || !tr.Disconnecting() {
				t.Errorf("%s, %q: lines %q", how.name, in, r.lines)
			}
		}
	}
}

type quitLineOnly struct {
	LineOnlyReceiver
	lines []string
	close func(reactor.Transport)
}

func (r *quitLineOnly) LineReceived(line []byte) {
	r.lines = append(r.lines, string(line))
	if string(line) == "QUIT" {
		r.close(r.Transport)
	}
}

// The string framers stop too, where Twisted's IntNStringReceiver and
// NetstringReceiver go on delivering the strings of the same read.
func TestStringFramersStopWhenTransportCloses(t *testing.T) {
	for _, how := range closeHow {
		for _, c := range []struct {
			name  string
			frame func(s string) string
			make  func(h StringHandler, tr reactor.Transport) reactor.Protocol
		}{
			{"netstring", func(s string) string { return netstring(s) }, func(h StringHandler, tr reactor.Transport) reactor.Protocol {
				n := &NetstringReceiver{}
				n.Handler = h
				n.MakeConnection(tr)
				return n
			}},
			{"int16", func(s string) string { return string([]byte{0, byte(len(s))}) + s }, func(h StringHandler, tr reactor.Transport) reactor.Protocol {
				n := &Int16StringReceiver{}
				n.Handler = h
				n.MakeConnection(tr)
				return n
			}},
		} {
			tr := &fakeTransport{}
			h := &quitStrings{close: func() { how.close(tr) }}
			p := c.make(h, tr)
			all := c.frame("QUIT") + c.frame("DELETE x") + c.frame("DELETE y")
			p.DataReceived([]byte(all[:2]))
			p.DataReceived([]byte(all[2:]))
			if !slices.Equal(h.got, []string{"QUIT"}) {
				t.Errorf("%s, %s: strings %q", how.name, c.name, h.got)
			}
		}
	}
}

func netstring(s string) string {
	return strconv.Itoa(len(s)) + ":" + s + ","
}

type quitStrings struct {
	stringRecorder
	close func()
}

func (q *quitStrings) StringReceived(b []byte) {
	q.stringRecorder.StringReceived(b)
	if string(b) == "QUIT" {
		q.close()
	}
}

// Over reactortest.StringTransport, the transport protocol tests use, a
// handler closing the connection stops the rest of the read too.
func TestLineReceiverStringTransportClose(t *testing.T) {
	r := &lineRecorder{}
	r.Handler = r
	r.onLine = func(r *lineRecorder, line []byte) { r.Transport.LoseConnection() }
	tr := reactortest.NewStringTransport()
	tr.Connect(r)
	tr.Receive([]byte("QUIT\r\nDELETE x\r\n"))
	if !slices.Equal(r.lines, []string{"QUIT"}) {
		t.Errorf("lines %q", r.lines)
	}
}

// A framer paused with frames held back, whose connection is then closed
// from outside any handler (a timer, a policy, a relay's other side), does
// not deliver them when resumed, nor anything it is fed or given back
// afterwards: the reactor resumes a closing connection's producer once its
// buffer drains, and "DELETE x" must not be acted on then.
func TestPausedLineReceiverClosedFromOutside(t *testing.T) {
	for _, how := range closeHow {
		r, tr := newLineRecorder()
		r.onLine = func(r *lineRecorder, line []byte) {
			if string(line) == "HOLD" {
				r.PauseProducing()
			}
		}
		r.DataReceived([]byte("HOLD\r\nDELETE x\r\n"))
		how.close(tr)
		r.ResumeProducing()
		r.DataReceived([]byte("DELETE y\r\n"))
		r.SetLineMode([]byte("DELETE z\r\n"))
		if !slices.Equal(r.lines, []string{"HOLD"}) {
			t.Errorf("%s: lines %q", how.name, r.lines)
		}
	}
}

// The same in raw mode: held raw data, and lines given back by
// SetLineMode from outside a handler, once the transport is closing.
func TestPausedRawLineReceiverClosedFromOutside(t *testing.T) {
	r, tr := newLineRecorder()
	r.onLine = func(r *lineRecorder, line []byte) { r.SetRawMode(); r.PauseProducing() }
	r.DataReceived([]byte("body\r\nsecret"))
	tr.AbortConnection()
	r.ResumeProducing()
	r.SetLineMode([]byte("DELETE x\r\n"))
	if len(r.raw) != 0 || !slices.Equal(r.lines, []string{"body"}) {
		t.Errorf("raw %q, lines %q", r.raw, r.lines)
	}
}

// The string framers hold their strings too.
func TestPausedStringFramersClosedFromOutside(t *testing.T) {
	for _, how := range closeHow {
		tr := &fakeTransport{}
		n := &NetstringReceiver{}
		h := &holdStrings{pause: n.PauseProducing}
		n.Handler = h
		n.MakeConnection(tr)
		n.DataReceived([]byte("4:HOLD,8:DELETE x,"))
		how.close(tr)
		n.ResumeProducing()
		n.DataReceived([]byte("8:DELETE y,"))
		if !slices.Equal(h.got, []string{"HOLD"}) {
			t.Errorf("%s, netstring: strings %q", how.name, h.got)
		}

		tr = &fakeTransport{}
		i := &Int8StringReceiver{}
		h = &holdStrings{pause: i.PauseProducing}
		i.Handler = h
		i.MakeConnection(tr)
		i.DataReceived([]byte("\x04HOLD\x08DELETE x"))
		how.close(tr)
		i.ResumeProducing()
		if !slices.Equal(h.got, []string{"HOLD"}) {
			t.Errorf("%s, int8: strings %q", how.name, h.got)
		}
	}
}

// holdStrings pauses its framer on "HOLD".
type holdStrings struct {
	stringRecorder
	pause func()
}

func (h *holdStrings) StringReceived(b []byte) {
	h.stringRecorder.StringReceived(b)
	if string(b) == "HOLD" {
		h.pause()
	}
}

// A LineOnlyReceiver fed after its transport began to close (by a wrapper
// that still passes data on) delivers nothing, as Twisted's checks
// transport.disconnecting before the first line of a read too.
func TestLineOnlyReceiverFedAfterClose(t *testing.T) {
	r := &quitLineOnly{close: reactor.Transport.LoseConnection}
	r.Handler = r
	tr := &fakeTransport{}
	r.MakeConnection(tr)
	tr.LoseConnection()
	r.DataReceived([]byte("DELETE x\r\n"))
	if len(r.lines) != 0 {
		t.Errorf("lines %q", r.lines)
	}
}
